"""One truth in every number and every language: the bid never contradicts itself.

- Every table of both PDFs that prints a total is read back from the PDF (words by
  position) and its printed parts add up to its printed totals; the tables that print
  the same figure (the total cost, E, the eligible costs, the contributions requested,
  the surplus) print the same one.
- The EU-category view totals the eligible costs, a labelled quantity of its own, and the
  reconciliation leads to it from the total cost, in the PDFs, the workbook and the
  figures file.
- A gap or a surplus is named in words, with its amount and the plan's tolerance.
- The sensitivity rows show the change applied: PUE -16.7 % when it stops at 1.0.
- The rounding itself (`proposal.compute.rounding`) keeps every total the sum of its parts.
"""

from __future__ import annotations

import json
import math
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pdfplumber
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proposal.compute import ELIGIBLE, EU_INDIRECT, TOTAL, compute_figures, move_driver
from proposal.compute.rounding import half_away, money_precision, round_grid, round_parts
from proposal.i18n import Locale
from proposal.load import load_project
from proposal.pipeline import check
from proposal.render.figures import render_figures_json
from proposal.render.pdf import Edition, render_pdf
from proposal.validate import validate_project

from .conftest import EXAMPLE, ROOTS
from .test_excel import render as render_workbook_edition
from .test_excel import same

LANGS = ("en", "fr")
ROOT_NAMES = ("example", "minimal", "compute-small", "compute-edge", "excel-hostile",
              "pdf-hostile")


def figures_of(name: str):
    root = EXAMPLE if name == "example" else ROOTS / name
    project = validate_project(load_project(root)).project
    return project, compute_figures(project)


# ============================================================ the rounding itself


def test_parts_add_up_to_the_rounded_total_largest_remainders_up():
    assert round_parts([0.4, 0.4]) == [1, 0]  # 0.8 prints as 1: one part goes up
    assert round_parts([0.6, 0.6]) == [1, 0]  # 1.2 prints as 1: one part goes down
    assert round_parts([2.2, 3.5, 4.1]) == [2, 4, 4]
    assert round_parts([2.2, 3.5, 4.1], total=9) == [2, 3, 4]  # a total fixed elsewhere
    with pytest.raises(ValueError, match="no rounding of the grid adds up to 11 steps"):
        round_parts([2.2, 3.5, 4.1], total=11)  # not one of the steps around 9.8
    assert round_parts([0.0, 5.0]) == [0, 5]  # whole parts stay as they are


def test_half_away_rounds_halves_away_from_zero():
    assert [half_away(v) for v in (0.5, 1.5, 2.5, -0.5, -1.5, 2.4999)] == [1, 2, 3, -1, -2, 2]


def test_a_grid_adds_up_both_ways_where_rounding_each_cell_would_not():
    grid = pd.DataFrame([[0.6, 0.0], [0.0, 0.6]])  # each cell alone rounds to 1: total 2
    rounded = round_grid(grid)
    assert rounded.to_numpy().sum() == 1  # the total, 1.2, rounds to 1
    assert rounded.to_numpy().tolist() in ([[1, 0], [0, 0]], [[0, 0], [0, 1]])


def test_fixed_column_totals_are_met_or_left_free_when_ties_forbid_them():
    grid = pd.DataFrame([[0.3, 0.3], [0.3, 0.3]])
    assert round_grid(grid, 1, column_totals=[1, 0]).sum(axis=0).tolist() == [1, 0]
    # One row of 0.5 + 0.5 (exactly 1) cannot give both columns 1: they go free.
    tie = round_grid(pd.DataFrame([[0.5, 0.5]]), 1, column_totals=[1, 1])
    assert tie.to_numpy().sum() == 1


@st.composite
def grids(draw) -> pd.DataFrame:
    """Grids of amounts in steps, with the zeros and exact halves real tables have."""
    rows, columns = draw(st.integers(1, 12)), draw(st.integers(1, 7))
    cell = st.one_of(st.just(0.0), st.just(0.5), st.just(2.5), st.floats(0, 500))
    return pd.DataFrame([[draw(cell) for _c in range(columns)] for _r in range(rows)])


@settings(max_examples=60, deadline=None)
@given(grids())
def test_every_rounded_grid_adds_up_and_errs_by_less_than_a_step(grid):
    rounded = round_grid(grid)
    assert ((rounded - grid).abs() < 1).all().all()
    assert ((rounded.sum(axis=1) - grid.sum(axis=1)).abs() < 1).all()
    assert ((rounded.sum(axis=0) - grid.sum(axis=0)).abs() < 1).all()
    # Float noise is no remainder: 1.999999999999943 + 0.5 counts as 2.5.
    assert rounded.to_numpy().sum() == half_away(round(grid.to_numpy().sum(), 6))
    columns = round_parts(list(grid.sum(axis=0)))
    fixed = round_grid(grid, column_totals=columns)
    assert ((fixed - grid).abs() < 1).all().all()
    assert fixed.to_numpy().sum() == sum(columns)


def test_the_money_tables_print_in_a_unit_that_fits_the_bid():
    assert (money_precision(9.997e9).unit, money_precision(9.997e9).decimals) == (1e6, 1)
    assert money_precision(5e6).unit == 1e3
    assert money_precision(0.0).unit == 1.0


# ============================================== printed tables add up, in compute


def _adds_up(table: pd.DataFrame, columns: list[str] | None = None,
             parts: list[str] | None = None) -> None:
    """Each column's total row is the sum of the rows above it; the `total` column the
    sum of `parts` (by default every other column)."""
    body = table.drop(TOTAL)
    for column in columns or list(table.columns):
        assert table.at[TOTAL, column] == pytest.approx(body[column].sum(), abs=1e-6), column
    parts = parts or [c for c in table.columns if c != TOTAL]
    assert list(table[TOTAL]) == pytest.approx(list(table[parts].sum(axis=1)), abs=1e-6)


@pytest.mark.parametrize("name", ROOT_NAMES)
def test_every_printed_table_adds_up_and_shares_its_totals(name):
    _project, f = figures_of(name)
    p = f.printed
    _adds_up(p.capex)
    _adds_up(p.opex)
    cash = p.cost_by_year
    _adds_up(cash, ["capex", "opex", TOTAL], ["capex", "opex"])
    assert list(cash.drop(TOTAL)["cumulative"]) == pytest.approx(
        list(cash.drop(TOTAL)["total"].cumsum()))
    for view in (p.eu_budget_by_partner, p.eu_budget_by_work_package):
        _adds_up(view, parts=["direct", "E"])
        assert list(view["direct"]) == pytest.approx(
            list(view[["A", "B", "C.1", "C.2", "C.3", "D"]].sum(axis=1)))
    _adds_up(p.pledges, parts=["cash", "equity", "debt", "in_kind"])
    # One total cost: every table that prints it prints the same number.
    total = p.capex.at[TOTAL, TOTAL] + p.opex.at[TOTAL, TOTAL]
    for printed in (cash.at[TOTAL, "total"], p.eu_budget_by_partner.at[TOTAL, "direct"],
                    p.eu_budget_by_work_package.at[TOTAL, "direct"],
                    p.reconciliation.at["total_cost", "amount"], p.financing.at["cost", "amount"],
                    p.sensitivity.at[0, "total_cost"]):
        assert printed == pytest.approx(total)
    assert p.eu_budget_by_partner.loc[TOTAL].equals(p.eu_budget_by_work_package.loc[TOTAL])
    # The key figures to the euro add up too.
    assert p.capex_eur + p.opex_eur == p.total_cost_eur
    assert p.total_cost_eur + p.indirect_costs_eur == p.eligible_costs_eur
    assert abs(p.total_cost_eur - f.total_cost_eur) <= 0.5


@pytest.mark.parametrize("name", ROOT_NAMES)
def test_the_printed_financing_balances_in_words_amount_and_share(name):
    _project, f = figures_of(name)
    table = f.printed.financing
    sources = table.drop(index=[i for i in (TOTAL, "cost", "gap", "surplus") if i in table.index])
    for column in ("amount", "share"):
        total = table.at[TOTAL, column]
        if math.isnan(total):
            continue
        assert sources[column].sum() == pytest.approx(total, abs=1e-6)
        if "gap" in table.index:  # the sources and the gap cover the total cost
            assert total + table.at["gap", column] == pytest.approx(table.at["cost", column])
        elif "surplus" in table.index:  # the total cost and the surplus are the sources
            assert table.at["cost", column] + table.at["surplus", column] == pytest.approx(total)
        else:
            assert total == pytest.approx(table.at["cost", column])
    side = "gap" if f.financing_gap_eur > 0 else "surplus"
    assert (side in table.index) == (abs(f.financing_gap_eur) >= 0.5)
    assert f.printed.sensitivity.at[0, f"financing_{side}"] == pytest.approx(
        table.at[side, "amount"] if side in table.index else 0.0)


def test_shares_do_not_print_100_percent_when_the_plan_does_not_balance():
    # compute-small leaves a gap of EUR 4.2 million (3.1 %) with a tolerance of EUR 1.
    _project, f = figures_of("compute-small")
    table = f.printed.financing
    assert not f.financing_balanced
    assert table.at[TOTAL, "share"] == pytest.approx(0.969)
    assert table.at["gap", "share"] == pytest.approx(0.031)
    assert table.at["cost", "share"] == 1.0


# ====================================================== reconciliation, sensitivity


def test_the_reconciliation_leads_from_the_total_cost_to_the_eligible_costs():
    project, f = figures_of("example")
    steps = f.reconciliation["amount"]
    assert steps["total_cost"] == pytest.approx(f.total_cost_eur)
    assert steps["outside_base"] == pytest.approx(f.eu_budget_by_partner.at[TOTAL, "B"])
    assert steps["indirect"] == pytest.approx(
        project.call.indirect_rate * (f.total_cost_eur - steps["outside_base"]))
    assert steps["eligible"] == pytest.approx(f.total_cost_eur + steps["indirect"])
    assert steps["eligible"] == pytest.approx(f.eu_budget_by_partner.at[TOTAL, TOTAL])
    assert f.eligible_costs_eur == pytest.approx(steps["eligible"])
    assert steps["eu"] == pytest.approx(f.financing.at["eu", "amount_eur"])
    assert steps["public"] == pytest.approx(steps["eu"] + steps["member_state"])
    # The headline total is the plan's: E is not in it.
    assert f.total_cost_eur == pytest.approx(10e9, rel=0.05)
    assert f.eligible_costs_eur > f.total_cost_eur * 1.2


def test_the_sensitivity_says_what_was_moved():
    project, f = figures_of("example")
    assert project.cost_model.energy.pue.value == 1.2
    pue = f.sensitivity[f.sensitivity["driver"] == "pue"].set_index("change")
    step = project.cost_model.sensitivity_step
    assert pue.at[-step, "change_applied"] == pytest.approx(1 / 1.2 - 1)  # -16.7 %
    assert bool(pue.at[-step, "capped"]) is True
    assert pue.at[step, "change_applied"] == pytest.approx(step)
    assert bool(pue.at[step, "capped"]) is False
    moved, factor = move_driver(project, "pue", 1 - step)
    assert moved.cost_model.energy.pue.value == 1.0 and factor - 1 == pytest.approx(-1 / 6)


def test_the_figures_file_carries_the_reconciliation_and_the_change_applied():
    _project, f = figures_of("example")
    data = json.loads(render_figures_json(f))
    assert [s["step"] for s in data["reconciliation"]] == [
        "total_cost", "outside_base", "indirect_base", "indirect", "eligible", "eu",
        "member_state", "public"]
    assert data["reconciliation"][0]["amount_eur"] == pytest.approx(data["total_cost_eur"])
    assert data["eligible_costs_eur"] == pytest.approx(data["reconciliation"][4]["amount_eur"])
    pue = [s for s in data["sensitivity"] if s["driver"] == "pue"]
    assert [round(s["change_applied"], 4) for s in pue] == [-0.1667, 0.2]


# ============================================================== the contexts


@pytest.mark.parametrize("lang", LANGS)
def test_a_gap_beyond_the_tolerance_is_named_with_its_amount(lang):
    project, f = figures_of("compute-small")
    context = Edition(project, f, lang, ROOTS / "compute-small").financing()
    loc = Locale(lang)
    expected = {
        "en": "a gap of {gap} remains to be financed, beyond the plan's tolerance of {tol}.",
        "fr": "il reste un besoin de financement de {gap} à financer, au-delà de la "
              "tolérance de {tol} que s’accorde le plan.",
    }[lang].format(gap=loc.money(4_238_500), tol=loc.money(1))
    assert context["balance"].endswith(expected)
    labels = [row.cells[0].text for row in context["sources"].rows]
    assert labels[-1] == loc.gettext("Gap: total cost the sources leave uncovered")
    shares = [row.cells[3].text for row in context["sources"].rows]
    assert shares[-3:] == [loc.percent(0.969), loc.percent(1.0), loc.percent(0.031)]


@pytest.mark.parametrize("lang", LANGS)
def test_the_tolerance_comes_from_the_data(lang):
    project, _figures = figures_of("example")
    tolerant = project.model_copy(update={"financing": project.financing.model_copy(
        update={"tolerance_eur": 2_500_000.0})})
    text = Edition(tolerant, compute_figures(tolerant), lang, EXAMPLE).financing()["balance"]
    assert Locale(lang).money(2_500_000) in text


# ======================================================= the PDFs, read back

NUMBER = {"en": re.compile(r"[−+-]?\d{1,3}(,\d{3})*(\.\d+)?"),
          "fr": re.compile(r"[−+-]?\d{1,3}(\d{3})*(,\d+)?")}
"""A printed number once its sign, grouping and `%`/`€` are read (see `_value`)."""
FOOTER = re.compile(r"Page \d+ (of|sur) \d+")


@dataclass
class Line:
    """One line of a page as a reader sees it: words left to right."""

    page: int
    words: list[str]

    @property
    def text(self) -> str:
        return " ".join(self.words)


def _lines(pdf: bytes, folder: Path) -> list[Line]:
    """Every line of every page; French digit groups (set apart by a narrow no-break
    space, on which pdfplumber splits words) joined back into one number."""
    path = folder / "edition.pdf"
    path.write_bytes(pdf)
    lines = []
    with pdfplumber.open(path) as document:
        for n, page in enumerate(document.pages, start=1):
            by_top: dict[int, list[dict]] = {}
            for word in page.extract_words():
                by_top.setdefault(round(word["top"]), []).append(word)
            for top in sorted(by_top):
                merged: list[dict] = []
                for word in sorted(by_top[top], key=lambda w: w["x0"]):
                    if (merged and re.fullmatch(r"\d{3}(,\d+)?%?", word["text"])
                            and re.fullmatch(r"[−+-]?\d+", merged[-1]["text"])
                            and word["x0"] - merged[-1]["x1"] < 3.5):
                        merged[-1] = {**merged[-1], "text": merged[-1]["text"] + word["text"],
                                      "x1": word["x1"]}
                    else:
                        merged.append(dict(word))
                lines.append(Line(n, [w["text"] for w in merged]))
    return lines


def _value(token: str, lang: str) -> float | None:
    """A printed number's value; a dash (nothing) counts 0; None for a word."""
    token = token.strip("€%")
    if token == "\u2013":
        return 0.0
    if not NUMBER[lang].fullmatch(token):
        return None
    token = token.replace("\u2212", "-")
    return float(token.replace(",", "") if lang == "en" else token.replace(",", "."))


def _rows(lines: list[Line], caption: str, n: int, lang: str,
          last: str | int) -> list[tuple[str, list[float]]]:
    """The rows of the table under `caption`: each line ending in `n` numbers, as (label,
    numbers), up to the row labelled `last` (or the `last`-th row), across pages."""
    start = " ".join(caption.split()[:6])
    # a caption starts with its number ("Table 25 – "); the list of tables has no dash
    index = next(i for i, line in enumerate(lines)
                 if re.sub(r"^\w+ \d+ \u2013 ", "", line.text).startswith(start))
    rows = []
    for line in lines[index + 1:]:
        if FOOTER.fullmatch(line.text):
            continue
        words = [w for w in line.words if w not in ("%", "€")]
        values: list[float] = []
        for word in reversed(words):
            value = _value(word, lang)
            if value is None or len(values) == n:
                break
            values.append(value)
        if len(values) < n:
            continue  # a heading, a wrapped label, a running header
        rows.append((" ".join(words[:len(words) - n]), values[::-1]))
        if rows[-1][0] == last or len(rows) == last:
            return rows
    raise AssertionError(f"the table {caption!r} has no row {last!r}")


def _render(root: Path, lang: str) -> bytes:
    checked = check(root)
    return render_pdf(checked.project, checked.figures, lang, root, checked.locations).pdf


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[tuple[str, str], list[Line]]:
    """The example in both languages and compute-edge (a gap) in French, read back."""
    jobs = {("example", "en"): EXAMPLE, ("example", "fr"): EXAMPLE,
            ("compute-edge", "fr"): ROOTS / "compute-edge"}
    with ProcessPoolExecutor(max_workers=2) as pool:
        futures = {key: pool.submit(_render, root, key[1]) for key, root in jobs.items()}
        return {key: _lines(future.result(), tmp_path_factory.mktemp("-".join(key)))
                for key, future in futures.items()}


def _sums(rows: list[tuple[str, list[float]]], total_label: str,
          columns: range | list[int], total_column: int | None) -> None:
    """Every column in `columns` sums to the total row; every row's `columns` sum to its
    `total_column`."""
    *body, (label, totals) = rows
    assert label == total_label
    for c in columns:
        assert sum(values[c] for _l, values in body) == pytest.approx(totals[c]), (label, c)
    if total_column is not None:
        for row_label, values in rows:
            assert sum(values[c] for c in columns if c != total_column) == pytest.approx(
                values[total_column]), row_label


@pytest.mark.parametrize("key", [("example", "en"), ("example", "fr"), ("compute-edge", "fr")],
                         ids="-".join)
def test_every_printed_total_is_the_sum_of_its_printed_parts(pdfs, key):
    name, lang = key
    lines = pdfs[key]
    loc = Locale(lang)
    _ = loc.gettext
    unit = {"unit": _("EUR million")}
    total = _("Total")

    def table(caption: str, n: int, last: str | int = total) -> list:
        return _rows(lines, _(caption) % unit, n, lang, last)

    project, figures = figures_of(name)
    phases = len(project.cost_model.phases)
    capex = table("Capital expenditure by category and phase (%(unit)s).", phases + 1)
    _sums(capex, total, range(phases + 1), phases)
    opex = table("Operating expenditure by year and category (%(unit)s).", 7)
    _sums(opex, total, range(7), 6)
    cash = table("Cost by year: capital expenditure spread over each phase's construction, "
                 "operating expenditure, and the running total (%(unit)s).", 4)
    _sums(cash, total, range(3), 2)
    running = 0.0
    for _label, (_capex, _opex, year_total, cumulative) in cash[:-1]:
        running += year_total
        assert cumulative == pytest.approx(running)
    cash_opex = {label: values[1] for label, values in cash[:-1]}
    for year, values in opex[:-1]:  # the cash view takes each year's printed opex
        assert cash_opex[year] == values[-1]
    eu = {}
    for caption in ("Direct costs, indirect costs (E) and eligible costs by beneficiary "
                    "(%(unit)s).",
                    "Direct costs, indirect costs (E) and eligible costs by work package "
                    "(%(unit)s)."):
        eu[caption] = table(caption, 3)
        _sums(eu[caption], total, range(3), 2)
    # Categories zero in every row are left out of the printed table (the workbook has them).
    printed = figures.printed
    for caption, view in (("Direct costs by EU category and beneficiary (%(unit)s).",
                           printed.eu_budget_by_partner),
                          ("Direct costs by EU category and work package (%(unit)s).",
                           printed.eu_budget_by_work_package)):
        shown = sum(1 for c in view.columns if c not in ("direct", EU_INDIRECT, ELIGIBLE)
                    and (view[c] != 0).any())
        _sums(table(caption, shown), total, range(shown), None)
    reconciliation = [v[0] for _l, v in table(
        "From the total cost of the bid to the costs eligible under the call's rules and the "
        "public contributions requested (%(unit)s).", 1, 8)]
    cost, outside, base, indirect, eligible, eu_amount, ms_amount, public = reconciliation
    assert cost == pytest.approx(outside + base)
    assert eligible == pytest.approx(cost + indirect)
    assert public == pytest.approx(eu_amount + ms_amount)
    count = len(figures.financing) - 1  # the sources, then total, cost and the balance
    sources = table("Financing sources and their shares of the total cost (%(unit)s), then "
                    "their balance against the total cost.", 2, count + 3)
    *parts, (_t, financed), (_c, costed), (_b, balance) = sources
    for c in (0, 1):
        assert sum(v[c] for _l, v in parts) == pytest.approx(financed[c])
    side = "gap" if figures.financing_gap_eur > 0 else "surplus"
    assert _b.startswith(_({"gap": "Gap: total cost the sources leave uncovered",
                            "surplus": "Surplus: sources beyond the total cost"}[side])[:6])
    for c in (0, 1):
        signed = costed[c] - balance[c] if side == "gap" else costed[c] + balance[c]
        assert financed[c] == pytest.approx(signed)
    # Zero-only columns are left out and zero-only rows folded into one line.
    shown = sum(1 for c in printed.pledges.columns if (printed.pledges[c] != 0).any())
    pledges = table("Pledges and valued contributions in kind per partner (%(unit)s).", shown)
    _sums(pledges, total, range(shown), None)
    for _label, values in pledges:
        assert sum(values[:shown - 2]) == pytest.approx(values[shown - 2])
    # Person-months, cost per person-month, cost; the total row has no cost per month.
    personnel = table("Personnel cost per partner: person-months at the partner's cost per "
                      "person-month.", 2)
    _sums(personnel, total, [1], None)
    # One total cost, one E, one eligible cost, the same contributions everywhere.
    for printed in (capex[-1][1][-1] + opex[-1][1][-1], cash[-1][1][2],
                    *(rows[-1][1][0] for rows in eu.values()), costed[0]):
        assert printed == pytest.approx(cost)
    assert {rows[-1][1][1] for rows in eu.values()} == {indirect}
    assert {rows[-1][1][2] for rows in eu.values()} == {eligible}
    assert [v[0] for _l, v in parts[:2]] == [eu_amount, ms_amount]
    sensitivity = table("Sensitivity of the total cost to its main drivers; total cost, gap "
                        "and surplus in %(unit)s.", 6, 1)
    base_row = sensitivity[0][1]
    assert base_row[1] == pytest.approx(cost)
    assert base_row[3 if side == "gap" else 4] == pytest.approx(balance[0])


@pytest.mark.parametrize("lang", LANGS)
def test_the_pdf_names_the_surplus_and_the_pue_move(pdfs, lang):
    lines = pdfs["example", lang]
    flat = re.sub(r"\s", "", "".join(line.text for line in lines))
    loc = Locale(lang)
    surplus = {"en": "a surplus of {amount}, within the plan's tolerance of {tol}.",
               "fr": "un excédent de {amount}, dans la tolérance de {tol} que s’accorde le "
                     "plan."}[lang]
    words = surplus.format(amount=loc.money(1_654_633), tol=loc.money(10_000_000))
    assert re.sub(r"\s", "", words) in flat
    amount = re.sub(r"\s", "", loc.money(1_654_633))
    assert not re.search(f"[-\u2212]{re.escape(amount)}", flat)  # a surplus is no "-gap"
    caption = loc.gettext("Sensitivity of the total cost to its main drivers; total cost, gap "
                          "and surplus in %(unit)s.") % {"unit": loc.gettext("EUR million")}
    rows = _rows(lines, caption, 6, lang, 9)
    down, up = (values for label, values in rows if label == loc.label("driver", "pue"))
    assert (down[0], up[0]) == (-16.7, 20.0)  # the change applied: PUE 1.2 stops at 1.0


# ============================================================= the workbook


@pytest.mark.parametrize("lang", LANGS)
def test_the_workbook_reconciles_and_names_the_balance(lang, tmp_path):
    project = check(EXAMPLE).project
    edition = render_workbook_edition(project, lang, tmp_path)
    figures = edition.figures
    cells = edition.layout.tables["reconciliation"]
    assert set(cells) == {(step, "amount") for step in figures.reconciliation.index}
    for (step, column), address in cells.items():
        assert same(edition.value(address), figures.reconciliation.at[step, column]), step
    assert same(edition.named("EligibleCosts"), figures.eligible_costs_eur)
    assert same(edition.named("IndirectCosts"), figures.indirect_costs_eur)
    words = {value for value in edition.values.values() if isinstance(value, str)}
    assert Locale(lang).gettext("Surplus: sources beyond the total cost", "workbook") in words
    pue = figures.sensitivity.index[(figures.sensitivity["driver"] == "pue")
                                    & figures.sensitivity["capped"]][0]
    address = edition.layout.tables["sensitivity"][(pue, "change_applied")]
    assert edition.value(address) == pytest.approx(1 / 1.2 - 1)
