"""The annexes and the workbook in the reader's words: each assumption by its name, its
value in its unit and its reason; partners in the order the data sets; a workbook with
no internal id, no repeated unit, whole counts, columns wide enough and legible print."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pypdf
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from proposal.models import ordered_partners
from proposal.pipeline import check
from proposal.render.figures import figures_json
from proposal.render.pdf import render_pdf
from proposal.render.pdf.edition import Edition
from proposal.render.workbook import render_workbook
from proposal.render.workbook.book import MIN_SCALE, PRINTABLE_PT, shown_width

from .conftest import EXAMPLE, ROOTS, SampleProject

LANGS = ("en", "fr")

GAMMA = """legal_name: Gamma SA
short_name: Gamma
country: FR
organisation_type: university
status: member
role: {en: Research partner, fr: Partenaire de recherche}
description: {en: Gamma does research., fr: Gamma fait de la recherche.}
value_chain: [research]
"""


@pytest.fixture(scope="module")
def ordered(tmp_path_factory) -> Path:
    """The minimal sample with a third partner, `beta` as coordinator and
    `partner_order: [gamma, alpha]`: readers see Beta, Gamma, Alpha (files: alpha,
    beta, gamma)."""
    path = tmp_path_factory.mktemp("ordered") / "project"
    shutil.copytree(ROOTS / "minimal", path)
    sample = SampleProject(path)
    sample.write("partners/gamma.yaml", GAMMA)
    sample.edit("data/consortium.yaml", "coordinator: alpha\n",
                "coordinator: beta\npartner_order: [gamma, alpha]\n")
    return path


@pytest.fixture(scope="module")
def ordered_pdfs(ordered) -> dict[str, str]:
    """The text of both editions of the ordered sample."""
    result = check(ordered)
    texts = {}
    for lang in LANGS:
        pdf = render_pdf(result.project, result.figures, lang, ordered, result.locations).pdf
        texts[lang] = "\n".join(page.extract_text() for page in pypdf.PdfReader(
            io.BytesIO(pdf)).pages)
    return texts


def annex(text: str, opening: str) -> str:
    """The text of the document from an annex's opening words on."""
    text = flat(text)
    return text[text.index(opening):]


def flat(text: str) -> str:
    """Text with every kind of space and line break as one plain space, and a word
    broken after its own hyphen at a line end (`person-` / `month`) joined again."""
    return re.sub(r"(?<=\w-) (?=\w)", "", re.sub(r"[\s\u00a0\u202f]+", " ", text))


# ------------------------------------------------------------------ assumptions


ANNEX_ROWS = {
    "en": [("NVIDIA H100: unit price", "€25,000 per unit"),
           ("Paris: grid connection", "20 MW"),
           ("Power usage effectiveness (PUE)", "1.2"),
           ("Average utilisation of the IT power", "80%"),
           ("Electricity price", "€70.00 per MWh"),
           ("Data-centre construction and power: per MW added", "€8,000,000 per MW"),
           ("Cost of a person-month (default)", "€10,000 per person-month"),
           ("Beta: in kind, Power", "10 MW")],
    "fr": [("NVIDIA H100 : prix unitaire", "25 000 € par unité"),
           ("Paris : raccordement au réseau", "20 MW"),
           ("Efficacité énergétique (PUE)", "1,2"),
           ("Prix de l’électricité", "70,00 € par MWh"),
           ("Coût d’un personne-mois (par défaut)", "10 000 € par personne-mois"),
           ("Beta : en nature, Puissance", "10 MW")],
}
"""Rows of the minimal sample's assumptions annex: the name and the value in its unit."""


@pytest.mark.parametrize("lang", LANGS)
def test_assumptions_annex_names_values_units_and_notes(ordered_pdfs, lang):
    opening = {"en": "Every figure of the input", "fr": "Tout chiffre des données"}[lang]
    text = annex(ordered_pdfs[lang], opening)
    note = {"en": "Test value.", "fr": "Valeur de test."}[lang]
    for label, value in ANNEX_ROWS[lang]:
        assert f"{flat(label)} {flat(value)} {note}" in text, (label, value)
    assert "data/" not in text and "partners/" not in text and ".yaml" not in text


@pytest.mark.parametrize("lang", LANGS)
def test_a_draft_edition_shows_where_each_assumption_is_written(lang):
    result = check(EXAMPLE)
    edition = Edition(result.project, result.figures, lang, EXAMPLE, result.locations)
    submission = edition.assumptions()["figures"]
    assert not any("data/" in cell.text or "partners/" in cell.text
                   for row in submission.rows for cell in row.cells)
    edition.show_paths = True
    draft = edition.assumptions()["figures"]
    assert len(draft.head) == len(submission.head) + 1
    assert flat(draft.rows[0].cells[-1].text).startswith("data/cost_model.yaml")
    assert [row.cells[:3] for row in draft.rows] == [row.cells for row in submission.rows]


def test_every_assumption_of_the_example_has_its_note():
    result = check(EXAMPLE)
    edition = Edition(result.project, result.figures, "en", EXAMPLE, result.locations)
    rows = edition.assumptions()["figures"].rows
    assert len(rows) >= 50
    assert all(row.cells[2].text != "\u2013" for row in rows)
    assert [c.text for c in rows[0].cells[:2]] == ["NVIDIA H100-class GPU: unit price",
                                                   "€22,000 per unit"]


def test_an_assumption_without_a_note_is_warned_where_it_is_flagged(sample):
    sample.edit("data/cost_model.yaml",
                "  pue: {value: 1.2, assumption: true, note: {en: Test value., fr: Valeur de "
                "test.}}", "  pue: {value: 1.2, assumption: true}")
    result = check(sample.path)
    assert result.ok
    assert [str(p) for p in result.warnings] == [
        "data/cost_model.yaml:28:21: warning: figure `energy.pue` is an assumption without a "
        "`note`; add `note: {en: ..., fr: ...}` saying why this value is assumed "
        "[assumption-note]"]


# ------------------------------------------------------------------ partner order


def test_partners_follow_the_coordinator_then_the_data_order(ordered):
    result = check(ordered)
    assert result.ok and result.warnings == []
    assert [p.id for p in ordered_partners(result.project)] == ["beta", "gamma", "alpha"]
    partners = figures_json(result.figures)["partners"]
    assert [p["id"] for p in partners if p["id"] != "total"][:3] == ["beta", "gamma", "alpha"]


def test_without_an_order_the_coordinator_comes_first(sample):
    sample.write("partners/gamma.yaml", GAMMA)
    sample.edit("data/consortium.yaml", "coordinator: alpha\n", "coordinator: gamma\n")
    project = check(sample.path).project
    assert [p.id for p in ordered_partners(project)] == ["gamma", "alpha", "beta"]


@pytest.mark.parametrize("lang", LANGS)
def test_partner_annex_follows_the_data_order(ordered_pdfs, lang):
    opening = {"en": "Each partner in turn", "fr": "Chaque partenaire à son tour"}[lang]
    text = annex(ordered_pdfs[lang], opening)
    places = [text.index(name) for name in ("Beta GmbH", "Gamma SA", "Alpha SAS")]
    assert places == sorted(places)


def test_partner_order_names_known_partners_once(sample):
    sample.edit("data/consortium.yaml", "coordinator: alpha\n",
                "coordinator: alpha\npartner_order: [beta, alfa, beta]\n")
    problems = [str(p) for p in check(sample.path).problems]
    assert ("data/consortium.yaml:4:23: error: `alfa` is not a partner; expected one of the "
            "files in `partners/`; did you mean `alpha`? [unknown-partner]") in problems
    assert ("data/consortium.yaml:4:29: error: `beta` is listed twice in `partner_order`; "
            "list each partner once [partner-order]") in problems


# ------------------------------------------------------------------ the workbook


@pytest.fixture(scope="module")
def workbooks(ordered) -> dict[tuple[str, str], object]:
    """Both workbooks of the example and of the ordered sample, as openpyxl reads them."""
    books = {}
    for name, root in (("example", EXAMPLE), ("ordered", ordered)):
        result = check(root)
        for lang in LANGS:
            data = render_workbook(result.project, result.figures, lang)
            books[name, lang] = (result.project,
                                 load_workbook(io.BytesIO(data)),
                                 load_workbook(io.BytesIO(data), data_only=True))
    return books


def internal_ids(project) -> set[str]:
    """The keys the data and the compute stage use that mean nothing to a reader."""
    ids = {"eu", "member_state", "in_kind", "total"}
    ids |= {p.id for p in project.partners if p.id not in (p.short_name, p.legal_name)}
    ids |= {f"{p.id}:{kind}" for p in project.partners
            for kind in ("cash", "equity", "debt", "in_kind")}
    ids |= {f"debt:{n}" for n in range(1, len(project.financing.debt) + 1)}
    ids |= {phase.id for phase in project.cost_model.phases}
    ids |= {rule.id for rule in project.call.share_rules}
    ids |= {site.id for site in project.cost_model.sites}
    ids |= {t.id for t in project.cost_model.accelerator_types}
    return ids


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", ["example", "ordered"])
def test_no_cell_shows_an_internal_id(workbooks, name, lang):
    project, book, _values = workbooks[name, lang]
    ids = internal_ids(project)
    shown = [(sheet.title, cell.coordinate, cell.value) for sheet in book
             for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str) and not cell.value.startswith("=")
             and (cell.value in ids or cell.value.rpartition(": ")[2] in ids)]
    assert shown == []


@pytest.mark.parametrize("lang", LANGS)
def test_no_unit_repeats_a_formatted_amount(workbooks, lang):
    _project, book, _values = workbooks["example", lang]
    money = [cell for sheet in book for row in sheet.iter_rows() for cell in row
             if "€" in cell.number_format]
    assert len(money) > 500
    texts = [cell.value for sheet in book for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str) and not cell.value.startswith("=")]
    assert [t for t in texts if re.search(r"\bEUR\b|\(€\)", t)] == []


@pytest.mark.parametrize("lang", LANGS)
def test_counts_show_without_decimals(workbooks, lang):
    _project, book, values = workbooks["example", lang]
    whole = [(sheet.title, cell.coordinate, cell.number_format) for sheet in values
             for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, int | float) and not isinstance(cell.value, bool)
             and float(cell.value).is_integer() and ".0" in cell.number_format
             and "%" not in cell.number_format and "€" not in cell.number_format
             and cell.number_format != "0.000"]  # a factor applied keeps its decimals
    assert whole == []
    effort = book["Effort"]
    assert {effort.cell(5, col).number_format for col in range(2, 5)} <= {"General", "#,##0"}
    partners = book.worksheets[7]
    assert partners["A5"].value == 1 and partners["A5"].number_format == "#,##0"


@pytest.mark.parametrize("lang", LANGS)
def test_columns_fit_their_content(workbooks, lang):
    _project, book, values = workbooks["example", lang]
    short = []
    for sheet in values:
        formats = book[sheet.title]
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None or cell.coordinate in sheet.merged_cells:
                    continue
                width = sheet.column_dimensions[get_column_letter(cell.column)].width or 8.43
                styled = formats[cell.coordinate]
                if isinstance(cell.value, str):
                    neighbour = sheet.cell(cell.row, cell.column + 1).value
                    if styled.alignment.wrap_text:
                        needed = max(len(word) for word in cell.value.split())
                    elif neighbour is not None:
                        needed = min(len(cell.value), 58)
                    else:
                        continue
                else:
                    needed = shown_width(cell.value, styled.number_format)
                if width < needed:
                    short.append((sheet.title, cell.coordinate, cell.value, width))
    assert short == []


@pytest.mark.parametrize("lang", LANGS)
def test_print_setup_stays_legible(workbooks, lang):
    _project, book, _values = workbooks["example", lang]
    for sheet in book:
        setup = sheet.page_setup
        total = sum(((sheet.column_dimensions[get_column_letter(c)].width or 8.43) * 7 + 5)
                    * 0.75 for c in range(1, sheet.max_column + 1))
        pages = int(setup.fitToWidth)
        scale = min(1, pages * PRINTABLE_PT[setup.orientation] / total)
        assert scale >= MIN_SCALE / 100 - 1e-9, sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and int(setup.fitToHeight) == 0
        assert sheet.print_title_rows and sheet.print_area
        assert setup.orientation == ("portrait" if total * 0.75 <= PRINTABLE_PT["portrait"]
                                     else "landscape"), sheet.title
        if pages > 1:
            assert sheet.print_title_cols
    assert book.worksheets[0].page_setup.orientation == "portrait"  # the summary


@pytest.mark.parametrize("lang", LANGS)
def test_partners_sheet_numbers_partners_in_order_with_their_pic(workbooks, lang):
    _project, book, _values = workbooks["ordered", lang]
    sheet = book.worksheets[7]
    assert sheet.title == {"en": "Partners", "fr": "Partenaires"}[lang]
    rows = [[sheet.cell(r, c).value for c in range(1, 6)] for r in range(5, 8)]
    country = {"en": "France", "fr": "France"}[lang]
    assert [r[:4] for r in rows] == [[1, "Beta", "Beta GmbH", None], [2, "Gamma", "Gamma SA", None],
                                     [3, "Alpha", "Alpha SAS", "999999999"]]
    assert rows[2][4] == country
    eu = book.worksheets[-2]
    assert "999999999" in [cell.value for row in eu.iter_rows() for cell in row]
