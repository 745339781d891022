"""What evaluators look for: the consortium table, the public contributions requested and
the funding per year, the governance diagram, the KPIs and the scored risk register.

Compute is checked on tests/roots/compute-small against hand-computed figures (its data
files explain them), validation by its messages word for word, the PDF by its text in
both languages and the governance diagram by its SVG.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pdfplumber
import pytest

from proposal.compute import TOTAL, compute_figures
from proposal.glyphs import undrawable
from proposal.i18n import Locale
from proposal.load import load_project
from proposal.models import ordered_partners
from proposal.pipeline import check
from proposal.render.diagrams import Body, governance_diagram, text_width, wrap
from proposal.render.pdf import Edition, render_pdf
from proposal.render.pdf.consortium import COVERS_MARK, FOUNDING_MARK, STATUS_MARKS
from proposal.validate import validate_project

from .conftest import EXAMPLE, ROOTS, SampleProject

SMALL = ROOTS / "compute-small"
LANGS = ("en", "fr")


@pytest.fixture(scope="module")
def small():
    project = validate_project(load_project(SMALL)).project
    return project, compute_figures(project)


def problems_of(sample: SampleProject) -> list[str]:
    return [str(p) for p in check(sample.path).problems]


# ------------------------------------------------------------------- ordering


def test_partners_are_ordered_coordinator_first(small):
    project, _figures = small
    assert [p.id for p in ordered_partners(project)] == ["alpha", "beta", "gamma"]
    consortium = project.consortium.model_copy(update={"coordinator": "gamma"})
    moved = project.model_copy(update={"consortium": consortium})
    assert [p.id for p in ordered_partners(moved)] == ["gamma", "alpha", "beta"]


# --------------------------------------------------------------------- compute


def test_the_consortium_table_adds_up_to_the_cost_and_the_public_request(small):
    _project, f = small
    table = f.content.consortium
    assert list(table.index) == ["alpha", "beta", "gamma", TOTAL]
    assert list(table["number"]) == [1, 2, 3, 0]
    assert list(table["country"][:3]) == ["FR", "FR", "DE"]
    assert list(table["organisation_type"][:3]) == ["research_organisation",
                                                    "large_enterprise", "investor"]
    # Person-months: alpha 24 (WP1), beta 12 + 12, gamma none (workplan.yaml's table).
    assert list(table["person_months"]) == [24, 24, 0, 48]
    # The costs are the EU view's direct costs; gamma carries none.
    assert table.at["alpha", "cost_eur"] == pytest.approx(104_591_500)
    assert table.at["beta", "cost_eur"] == pytest.approx(30_806_000)
    assert table.at["gamma", "cost_eur"] == 0
    assert table.at[TOTAL, "cost_eur"] == pytest.approx(135_397_500)  # the total cost
    # Public share 25 % + 15 % = 40 %: alpha 0.4 x 104,591,500, beta 0.4 x 30,806,000.
    assert f.content.public_share == pytest.approx(0.40)
    assert list(table["requested_eur"]) == pytest.approx(
        [41_836_600, 12_322_400, 0, 54_159_000])
    assert f.content.eu_requested_eur == pytest.approx(33_849_375)
    assert f.content.member_state_requested_eur == pytest.approx(20_309_625)
    # Printed in EUR million: the costs as the EU view prints them, the requests adding up
    # to the printed EU (33.9) and Member State (20.3) contributions.
    printed = f.content.printed_consortium
    assert list(printed["cost"]) == [104.6, 30.8, 0.0, 135.4]
    assert list(printed["requested"]) == [41.9, 12.3, 0.0, 54.2]
    sources = f.printed.financing["amount"]
    assert printed.at[TOTAL, "requested"] == pytest.approx(sources["eu"]
                                                           + sources["member_state"])


def test_each_source_funds_the_same_share_of_every_year(small):
    _project, f = small
    by_year = f.content.funding_by_year
    cash = f.cost_by_year.drop(TOTAL)["total"]
    assert list(by_year.index) == [2026, 2027, 2028, TOTAL]
    body = by_year.drop(TOTAL)
    # EU 25 % and Member State 15 % of each year's cash; the partners' 57 million (alpha
    # 10 + beta 30 + 5 + 2 + gamma 10) and the EIB's 20 million pro rata of the cost.
    assert list(body["eu"]) == pytest.approx(list(0.25 * cash))
    assert list(body["member_state"]) == pytest.approx(list(0.15 * cash))
    assert list(body["private"]) == pytest.approx(list(57e6 * cash / 135_397_500))
    assert list(body["debt"]) == pytest.approx(list(20e6 * cash / 135_397_500))
    assert by_year.at[TOTAL, TOTAL] == pytest.approx(131_159_000)  # the sources; gap apart
    printed = f.content.printed_funding_by_year
    # The financing table prints EU 33.9 (its sources round to add up to 131.2).
    assert list(printed.loc[TOTAL]) == pytest.approx([33.9, 20.3, 57.0, 20.0, 131.2])
    assert list(printed[TOTAL].drop(TOTAL)) == pytest.approx(
        list(printed.drop(TOTAL).drop(columns=TOTAL).sum(axis=1)))


def test_risks_are_scored_and_sorted_by_score_then_residual(small):
    _project, f = small
    risks = f.content.risks
    assert list(risks["risk"]) == ["R3", "R10", "R1", "R2"]
    assert list(risks["score"]) == [9, 6, 6, 1]
    assert list(risks["residual_score"][:3]) == [4, 4, 3]
    assert pd.isna(risks.at[3, "residual_score"])
    owners = list(risks["owner"])
    assert owners[0] == "alpha" and pd.isna(owners[1]) and owners[2:] == ["beta", "alpha"]


def test_kpis_carry_their_target_dates(small):
    _project, f = small
    kpis = f.content.kpis
    assert list(kpis.index) == ["KPI1", "KPI2"]
    assert pd.isna(kpis.at["KPI2", "baseline"])
    assert kpis.at["KPI1", "target_date"].isoformat() == "2027-01-31"  # month 13 from 2026-01
    assert pd.isna(kpis.at["KPI1", "source"]) and kpis.at["KPI2", "source"] == "call-text"


# ------------------------------------------------------------------ validation


GOVERNANCE = """
governance:
  bodies:
    - id: board
      name: {en: Board, fr: Conseil}
      chair: alpah
      members: [alpha, betta]
      role: {en: Decides., fr: Décide.}
    - id: ops
      name: {en: Operations, fr: Exploitation}
      role: {en: Runs., fr: Exploite.}
      reports_to: bord
"""


def test_governance_names_partners_and_bodies_that_exist(sample: SampleProject) -> None:
    text = (sample.path / "data/consortium.yaml").read_text(encoding="utf-8")
    sample.write("data/consortium.yaml", text + GOVERNANCE)
    line = text.count("\n") + 1
    assert problems_of(sample) == [
        f"data/consortium.yaml:{line + 5}:14: error: `alpah` is not a partner; expected one "
        "of the files in `partners/`; did you mean `alpha`? [unknown-partner]",
        f"data/consortium.yaml:{line + 6}:24: error: `betta` is not a partner; expected one "
        "of the files in `partners/`; did you mean `beta`? [unknown-partner]",
        f"data/consortium.yaml:{line + 11}:19: error: `bord` is not a governance body; "
        "expected one of: board, ops; did you mean `board`? [unknown-body]",
    ]


def test_a_governance_loop_is_refused(sample: SampleProject) -> None:
    text = (sample.path / "data/consortium.yaml").read_text(encoding="utf-8")
    loop = (GOVERNANCE.replace("alpah", "alpha").replace("betta", "beta")
            .replace("bord", "board").replace("role: {en: Decides., fr: Décide.}",
                                              "role: {en: Decides., fr: Décide.}\n"
                                              "      reports_to: ops"))
    sample.write("data/consortium.yaml", text + loop)
    line = text.count("\n") + 1
    assert problems_of(sample) == [
        f"data/consortium.yaml:{line + 8}:19: error: body `board` reports to itself through "
        "board -> ops -> board; expected a top body that reports to none [governance-loop]",
        f"data/consortium.yaml:{line + 12}:19: error: body `ops` reports to itself through "
        "ops -> board -> ops; expected a top body that reports to none [governance-loop]",
    ]


def test_risk_owners_and_kpis_are_checked(sample: SampleProject) -> None:
    sample.edit("data/workplan.yaml", "risks:\n  - id: R1\n",
                "risks:\n  - id: R1\n    owner: gama\n    residual_likelihood: lowest\n")
    workplan = (sample.path / "data/workplan.yaml").read_text(encoding="utf-8")
    sample.write("data/workplan.yaml", workplan + (
        "kpis:\n"
        "  - {id: K1, name: {en: Users, fr: Utilisateurs}, unit: {en: users, fr: "
        "utilisateurs}, target: 10, target_month: 30, work_package: WP2}\n"))
    problems = problems_of(sample)
    assert problems == [
        "data/workplan.yaml:29:26: error: `risks[0].residual_likelihood` is 'lowest'; "
        "expected 'low', 'medium' or 'high'; did you mean 'low'? [invalid-value]",
    ]
    sample.edit("data/workplan.yaml", "    residual_likelihood: lowest\n", "")
    kpi_line = workplan.count("\n") + 1
    assert problems_of(sample) == [
        "data/workplan.yaml:28:12: error: `gama` is not a partner; expected one of the files "
        "in `partners/` [unknown-partner]",
        f"data/workplan.yaml:{kpi_line}:5: warning: KPI K1 has neither `source` nor "
        "`assumption: true`; cite a source from `data/sources.yaml` or flag its baseline and "
        "target as an assumption [provenance]",
        f"data/workplan.yaml:{kpi_line}:114: error: KPI K1 is due in month 30, after the "
        "project's 24 months [month-range]",
        f"data/workplan.yaml:{kpi_line}:132: error: `WP2` is not a known work package; "
        "expected one of: WP1; did you mean `WP1`? [unknown-work-package]",
    ]


# ---------------------------------------------------------------- governance SVG


def _svg_boxes(svg: str) -> tuple[float, float, list[tuple[float, float, float, float]]]:
    width, height = (float(v) for v in re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"',
                                                   svg).groups())
    rects = [tuple(float(v) for v in m.groups()) for m in re.finditer(
        r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"', svg)]
    return width, height, rects


@pytest.mark.parametrize("lang", LANGS)
def test_the_governance_diagram_draws_every_body_inside_its_frame(small, lang):
    project, f = small
    svg = str(Edition(project, f, lang, SMALL).consortium()["diagram"])
    width, height, rects = _svg_boxes(svg)
    names = {"en": ["Board", "Operations committee", "Advisory group"],
             "fr": ["Conseil", "Comité d'exploitation", "Groupe consultatif"]}[lang]
    words = " ".join(m.group(1).replace("&#x27;", "'")
                     for m in re.finditer(r'font-weight="bold"[^>]*>([^<]*)</text>', svg))
    for name in names:
        assert name in words, name  # a name may wrap, never lost
    assert len(rects) == 3
    assert svg.count('class="arrow"') == 2  # operations -> board, advisory -> board
    for x, y, w, h in rects:
        assert x >= 0 and x + w <= width and y >= 0 and y + h <= height
    for m in re.finditer(r'<text x="([\d.]+)" y="([\d.]+)" font-size="([\d.]+)"'
                         r'( font-weight="bold")?[^>]*>([^<]*)</text>', svg):
        x, y, size = (float(v) for v in m.groups()[:3])
        text = m.group(5).replace("&#x27;", "'").replace("&amp;", "&")
        right = x + text_width(text, size, bool(m.group(4)))
        assert x >= 0 and right <= width + 0.01 and size <= y <= height, text
        box = next(r for r in rects if r[0] <= x <= r[0] + r[2] and r[1] <= y <= r[1] + r[3])
        assert right <= box[0] + box[2], text  # the label fits its box


def test_long_labels_wrap_and_loops_still_draw():
    bodies = [Body("a", "A body with a very long name that cannot fit on one line", (
        "Members: " + ", ".join(f"Partner{n}" for n in range(30)),), None),
        Body("b", "B", ("x",), "c"), Body("c", "C", ("y",), "b")]
    svg = str(governance_diagram(bodies, "Test", width=300))
    width, height, rects = _svg_boxes(svg)
    assert len(rects) == 3 and svg.count('class="arrow"') == 0  # b and c form a loop
    assert all(x + w <= width and y + h <= height for x, y, w, h in rects)
    assert len(wrap("word " * 40, 100, 8.5)) > 5
    assert wrap("Présidence\u00a0: Iliad", 300, 8.5) == ["Présidence\u00a0: Iliad"]  # kept
    assert all(text_width(line, 8.5) <= 100 for line in wrap("Averyveryverylongword " * 3,
                                                              60, 8.5))


@pytest.mark.parametrize(("width", "label_pt"), [(480.0, 8.5), (300.0, 10.0), (150.0, 8.0)])
def test_many_bodies_stack_in_rows_within_the_given_width(width, label_pt):
    """A board with thirty bodies under it is drawn at the width it is given, labels at the
    label size, every box inside the drawing and one arrow per body to the board."""
    bodies = [Body("board", "General assembly", ("Chaired by Alpha",), None)] + [
        Body(f"wg{n}", f"Working group {n} on interoperability", (f"With Partner{n}",), "board")
        for n in range(30)]
    svg = str(governance_diagram(bodies, "Test", width=width, label_pt=label_pt))
    svg_width, height, rects = _svg_boxes(svg)
    assert svg_width == width and f'width="{width:g}pt"' in svg
    assert len(rects) == 31 and svg.count('class="arrow"') == 30
    for x, y, w, h in rects:
        assert x >= 0 and x + w <= width + 0.01 and y >= 0 and y + h <= height
    sizes = {float(v) for v in re.findall(r'<text [^>]*font-size="([\d.]+)"', svg)}
    assert sizes == {label_pt}
    paths = re.findall(r'class="arrow"[^>]*|<path d="([^"]+)" fill="none"', svg)
    for d in filter(None, paths):
        xs = [float(v) for v in re.findall(r"[ML](-?[\d.]+),", d)]
        assert all(0 <= x <= width for x in xs), d


def test_the_marks_code_adds_are_drawn_by_the_shipped_fonts():
    """The consortium table's and value-chain matrix's marks are no data, so the data's
    glyph check never sees them: a white star came out in a fallback font."""
    marks = FOUNDING_MARK + COVERS_MARK + "".join(STATUS_MARKS.values())
    assert undrawable(marks) == []


# ------------------------------------------------------------------------ PDF


@pytest.fixture(scope="module")
def pdf_texts(tmp_path_factory) -> dict[str, str]:
    """The text of both editions of the example, without white space."""
    checked = check(EXAMPLE)
    texts = {}
    for lang in LANGS:
        result = render_pdf(checked.project, checked.figures, lang, EXAMPLE, checked.locations)
        path = tmp_path_factory.mktemp(lang) / "edition.pdf"
        path.write_bytes(result.pdf)
        with pdfplumber.open(path) as pdf:
            texts[lang] = "\n".join(page.extract_text() or "" for page in pdf.pages)
    return texts


def _flat(text: str) -> str:
    return re.sub(r"\s", "", text)


@pytest.mark.parametrize("lang", LANGS)
def test_key_figures_show_the_public_contributions(pdf_texts, lang):
    project = check(EXAMPLE).project
    f = compute_figures(project)
    loc = Locale(lang)
    eu = loc.money(round(f.content.eu_requested_eur))
    label = {"en": f"EU contribution requested ({loc.percent(0.17)} of the total cost)",
             "fr": f"Contribution de l’UE demandée ({loc.percent(0.17)} du coût total)"}[lang]
    assert _flat(label + eu) in _flat(pdf_texts[lang])
    member = {"en": "Member State contribution requested",
              "fr": "Contribution de l’État membre demandée"}[lang]
    assert _flat(member) in _flat(pdf_texts[lang])
    assert eu == {"en": "€1,699,573,807", "fr": "1\u202f699\u202f573\u202f807\u00a0€"}[lang]


@pytest.mark.parametrize("lang", LANGS)
def test_the_consortium_table_lists_every_partner_coordinator_first(pdf_texts, lang):
    flat = _flat(pdf_texts[lang])
    sep = {"en": ":", "fr": ":"}[lang]
    first = _flat(f"1 Scaleway ★{sep}")
    assert first in flat
    row = {"en": "990 7,526.1 2,558.9", "fr": "990 7 526,1 2 558,9"}[lang]
    assert _flat(row) in flat
    total = {"en": "Total 3,846 9,997.5 3,399.2", "fr": "Total 3 846 9 997,5 3 399,2"}[lang]
    assert _flat(total) in flat
    assert _flat("13 Mistral AI ◇") in flat


@pytest.mark.parametrize("lang", LANGS)
def test_kpi_rows_and_risks_by_score(pdf_texts, lang):
    flat = _flat(pdf_texts[lang])
    kpi = re.search(r"KPI1 (.*?)MW 0 100 M18 WP3 \[a\]\n(.*?)KPI2", pdf_texts[lang], re.S)
    name = {"en": "IT power in service", "fr": "Puissance informatique en service"}[lang]
    assert kpi and _flat(kpi.group(1) + kpi.group(2)) == _flat(name)  # the name may wrap
    assumed = {"en": "99.9 M24 WP4 Assumption", "fr": "99,9 M24 WP4 Hypothèse"}[lang]
    assert _flat(assumed) in flat
    # The last of the caption's occurrences: the list of tables repeats it before.
    scores = re.findall(r"(R\d+)\D{0,400}?(\d)×(\d)=(\d)", pdf_texts[lang].split(
        {"en": "Risk register, highest", "fr": "Registre des risques, score"}[lang])[-1])
    ids = [s[0] for s in scores]
    assert ids[:3] == ["R1", "R2", "R3"] and ids[-1] == "R6" and len(ids) == 9
    totals = [int(s[3]) for s in scores]
    assert totals == sorted(totals, reverse=True)
    assert all(int(a) * int(b) == int(c) for _r, a, b, c in scores)


@pytest.mark.parametrize("lang", LANGS)
def test_funding_per_year_totals_the_financing_sources(pdf_texts, lang):
    row = {"en": "Total 1,699.6 1,699.6 5,600.0 1,000.0 9,999.2",
           "fr": "Total 1 699,6 1 699,6 5 600,0 1 000,0 9 999,2"}[lang]
    assert _flat(row) in _flat(pdf_texts[lang])


def test_example_root_matches_the_live_example():
    for rel in ("data/consortium.yaml", "data/workplan.yaml"):
        live = (Path(__file__).parent.parent / rel).read_text(encoding="utf-8")
        assert (EXAMPLE / rel).read_text(encoding="utf-8") == live, rel


def test_without_any_cost_the_sources_spread_evenly_over_the_years():
    from .test_excel import free_of_charge

    project = free_of_charge(validate_project(load_project(ROOTS / "minimal")).project)
    content = compute_figures(project).content
    printed = content.printed_funding_by_year
    assert content.consortium.at[TOTAL, "cost_eur"] == 0
    body = printed.drop(TOTAL)
    assert (body[TOTAL].max() - body[TOTAL].min()) <= 1  # one step apart at most
    assert printed.at[TOTAL, TOTAL] == pytest.approx(body[TOTAL].sum())
