"""Confidential data: no confidential value reaches a public or another partner's output.

The `editions` root marks Alpha's cash pledge (EUR 61,234,567) and Beta's in-kind
valuation (EUR 23,456,789) confidential; Alpha's equity pledge (EUR 7,654,321) is not,
but it is masked with the rest of Alpha's row, since Alpha's total less it would give
the cash away. Every output of a public build, and of Beta's extract, is searched for
each value in every way an output could write it.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from proposal.cli import main
from proposal.confidential import Audience, edition_view
from proposal.editions import EditionChoice, make_marks
from proposal.pipeline import check

ROOT = Path(__file__).parent / "roots" / "editions"
ALPHA_CASH, ALPHA_EQUITY, BETA_IN_KIND = 61_234_567, 7_654_321, 23_456_789


def spellings(value: float) -> set[str]:
    """Every way an output could write `value`: raw, grouped the English and French ways
    (comma, space, no-break and narrow no-break spaces, dot), in millions as printed."""
    whole = f"{value:,.0f}"
    found = {str(value), f"{float(value)!r}", f"{value:.1f}", whole}
    for sep in (" ", "\u00a0", "\u202f", ".", "'"):
        found.add(whole.replace(",", sep))
    millions = value / 1e6
    for decimals in (1, 2, 3):
        text = f"{millions:.{decimals}f}"
        found |= {text, text.replace(".", ",")}
    return found


def leaks(text: str, value: float) -> list[str]:
    """The spellings of `value` found in `text` as whole numbers (not inside another)."""
    return [s for s in spellings(value)
            if re.search(rf"(?<![\d.,]){re.escape(s)}(?![\d]|[.,]\d)", text)]


def pdf_texts(data: bytes) -> str:
    """Everything a reader or a tool gets out of a PDF: pdftotext, pypdf's text, the
    metadata, and the text of every attachment (opened as a PDF, workbook or text)."""
    reader = PdfReader(io.BytesIO(data))
    parts = [page.extract_text() or "" for page in reader.pages]
    parts.append(json.dumps({k: str(v) for k, v in (reader.metadata or {}).items()}))
    xmp = reader.xmp_metadata
    if xmp is not None:
        parts.append(str(xmp.rdf_root.toxml()) if hasattr(xmp, "rdf_root") else "")
    for name, contents in reader.attachments.items():
        for content in contents:
            parts.append(name)
            parts.append(any_text(name, content))
    done = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    parts.append(done.stdout.decode())
    return "\n".join(parts)


def workbook_texts(data: bytes) -> str:
    """Every cell value, formula, comment and defined name of every sheet (hidden ones
    too), and the raw XML of every part of the file."""
    parts = []
    for data_only in (False, True):
        book = load_workbook(io.BytesIO(data), data_only=data_only)
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    parts.append(str(cell.value))
                    if cell.comment is not None:
                        parts.append(cell.comment.text)
        parts.extend(f"{name}={dn.attr_text}" for name, dn in book.defined_names.items())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts.extend(archive.read(entry).decode("utf-8", "replace")
                     for entry in archive.namelist())
    return "\n".join(parts)


def any_text(name: str, data: bytes) -> str:
    """The text of an output or attachment, by its kind."""
    if name.endswith(".pdf"):
        return pdf_texts(data)
    if name.endswith(".xlsx"):
        return workbook_texts(data)
    return data.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, dict[str, str]]:
    """The texts of every output of a public build and of Beta's extract, by audience."""
    root = tmp_path_factory.mktemp("editions")
    outputs = {}
    for audience in ("public", "partner:beta"):
        out = root / audience.replace(":", "-")
        assert main(["--input", str(ROOT), "--out", str(out), "--audience", audience]) == 0
        outputs[audience] = {path.name: any_text(path.name, path.read_bytes())
                             for path in sorted(out.iterdir()) if path.is_file()}
    return outputs


def test_public_outputs_name_their_audience(built):
    names = set(built["public"])
    assert {"MINI_proposal_en_public.pdf", "MINI_proposal_fr_public.pdf",
            "MINI_budget_en_public.xlsx", "MINI_budget_fr_public.xlsx",
            "MINI_figures_public.json"} <= names
    assert "MINI_proposal_en_partner-beta.pdf" in built["partner:beta"]


@pytest.mark.parametrize("value", [ALPHA_CASH, ALPHA_EQUITY, BETA_IN_KIND])
def test_public_outputs_hold_no_confidential_value(built, value):
    found = {name: leaks(text, value) for name, text in built["public"].items()}
    assert not any(found.values()), found


@pytest.mark.parametrize("value", [ALPHA_CASH, ALPHA_EQUITY])
def test_a_partner_extract_holds_no_other_partners_value(built, value):
    found = {name: leaks(text, value) for name, text in built["partner:beta"].items()}
    assert not any(found.values()), found


def test_a_partner_extract_shows_the_partners_own_value(built):
    texts = built["partner:beta"]
    assert leaks(texts["MINI_figures_partner-beta.json"], BETA_IN_KIND)
    assert leaks(texts["MINI_proposal_fr_partner-beta.pdf"], BETA_IN_KIND)


def test_the_public_edition_keeps_the_aggregates(built):
    figures = json.loads(built["public"]["MINI_figures_public.json"])
    full = check(ROOT).figures
    assert figures["total_cost_eur"] == full.total_cost_eur
    assert figures["financing_total_eur"] == full.financing_total_eur
    partners = {p["id"]: p for p in figures["partners"]}
    assert partners["alpha"]["pledge_eur"] is None
    assert partners["beta"]["in_kind_eur"] is None
    workbook = built["public"]["MINI_budget_en_public.xlsx"]
    assert "confidential" in workbook
    assert "confidentiel" in built["public"]["MINI_budget_fr_public.xlsx"]


def test_the_spellings_find_a_value_where_it_is():
    """The search itself can fail: it finds each value in the full edition's text."""
    text = "cash €61,234,567; 61 234 567\u00a0€; 61.2 million; 23\u202f456\u202f789"
    assert leaks(text, ALPHA_CASH) and leaks(text, BETA_IN_KIND)
    assert not leaks("161,234,5670 and 661.23", ALPHA_CASH)


def test_the_full_edition_shows_the_confidential_values():
    result = check(ROOT)
    marks = make_marks(result.project, result.locations, ROOT, EditionChoice())
    project, figures = edition_view(result.project, result.figures, marks)
    assert figures.pledges.at["alpha", "cash"] == ALPHA_CASH
    assert project.partner("alpha").contributions.pledges[0].amount == ALPHA_CASH


def test_a_column_total_one_partner_holds_is_masked():
    """Alpha alone pledges equity and cash: those column totals would be Alpha's amounts."""
    result = check(ROOT)
    marks = make_marks(result.project, result.locations, ROOT,
                       EditionChoice(audience=Audience.parse("public")))
    _project, figures = edition_view(result.project, result.figures, marks)
    total = figures.pledges.loc["total"]
    assert total.isna()[["cash", "equity", "in_kind"]].all()
    assert total["total"] == ALPHA_CASH + ALPHA_EQUITY + BETA_IN_KIND  # two partners' sum


def test_one_partner_alone_with_confidential_amounts_is_warned(tmp_path):
    """With one partner's amounts confidential, the totals give their sum away: check
    says so, located at the partner's contributions."""
    root = tmp_path / "root"
    shutil.copytree(ROOT, root)
    beta = root / "partners" / "beta.yaml"
    beta.write_text(beta.read_text().replace("      confidential: true\n", ""))
    problems = [p for p in check(root).problems if p.code == "confidential-inferable"]
    assert [(p.file, p.severity) for p in problems] == [("partners/alpha.yaml", "warning")]
    assert "`alpha` is the only partner with confidential amounts" in problems[0].message


def test_an_unknown_partner_extract_is_refused(capsys):
    assert main(["--input", str(ROOT), "check", "--audience", "partner:nobody"]) == 1
    assert "no partner has the id `nobody`" in capsys.readouterr().out
