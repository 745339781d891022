"""Budget workbook: as stored and as recalculated by a real formula engine, it equals
the compute stage.

Each edition is rendered, read as stored (the values kept beside the formulas, what a
viewer that does not calculate shows) and recalculated with the `formulas` package
(and with LibreOffice headless when `soffice` is installed); every figure the workbook
mirrors is compared with `Figures` and the figures JSON to the cent, both ways, and
every stored value with the recalculated one. Changing an input cell must move the
totals exactly as `compute_figures` predicts for the same change. Every amount the
PDF's key figures and budget chapter show is found in the workbook, by defined name or
by labelled row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import math
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import formulas
import openpyxl
import pandas as pd
import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from formulas.tokens.operand import XlError
from openpyxl import load_workbook
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook.defined_name import DefinedName

from proposal.compute import TOTAL, Figures, compute_figures
from proposal.i18n import Locale, translations
from proposal.load import load_project
from proposal.models import Project
from proposal.pipeline import check
from proposal.placeholders import written
from proposal.render.figures import render_figures_json
from proposal.render.pdf.edition import Edition as PdfEdition
from proposal.render.workbook import SHEETS, build_workbook, render_workbook
from proposal.render.workbook.book import HEADER_ROW, INPUT_FILL, partner_name, workbook_bytes
from proposal.render.workbook.calculate import calculate
from proposal.render.workbook.costs import COST_BY_YEAR_COLUMNS
from proposal.render.workbook.sensitivity import SENSITIVITY_COLUMNS
from proposal.validate import validate_project

from .conftest import EXAMPLE, REPO, ROOTS

CENT = 0.005
EXCEL_EPOCH = dt.date(1899, 12, 30)
ERROR_TEXT = re.compile(r"#[A-Z/0!?]+[!?]?")
"""How a spreadsheet error reads as text: `#DIV/0!`, `#VALUE!`, `#NAME?`."""
HOSTILE = ('=HYPERLINK("http://example.com","x")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3",
           "=1+1", "=2+2", "=SUM(A1:A9)", "=EIB()")
"""Texts of tests/roots/excel-hostile that a spreadsheet would take for formulas."""


# ------------------------------------------------------------------------ helpers


def recalculate(path: Path) -> dict[str, Any]:
    """Every cell's value after recalculation, by `SHEET!A1` (sheet name upper-cased)."""
    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    values = {}
    for key, ranges in solution.items():
        match = re.fullmatch(r"'\[[^\]]+\](.+)'!([A-Z]+[0-9]+)", key)
        if match:
            values[f"{match[1]}!{match[2]}"] = ranges.value[0, 0]
    return values


def stored(path: Path) -> dict[str, Any]:
    """Every cell's value as the file stores it, read without calculating (what a
    previewer or `pandas.read_excel` shows), by `SHEET!A1` as `recalculate` keys it."""
    workbook = load_workbook(path, data_only=True)
    return {f"{sheet.title.upper()}!{cell.coordinate}": cell.value
            for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row}


def formula_cells(path: Path) -> list[str]:
    """The keys of every formula cell of the file."""
    workbook = load_workbook(path)
    return [f"{sheet.title.upper()}!{cell.coordinate}" for sheet in workbook.worksheets
            for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]


def agree(got: Any, expected: Any) -> bool:
    """Two engines' values of one cell agree: numbers (dates as serial numbers) to a
    millionth of their size, texts and booleans exactly, an empty text as a blank."""
    got, expected = (to_excel(v) if isinstance(v, dt.date) else v for v in (got, expected))
    got, expected = (v.item() if hasattr(v, "item") else v for v in (got, expected))
    got, expected = (None if v == "" else v for v in (got, expected))
    if isinstance(got, bool) or isinstance(expected, bool) or not (
            isinstance(got, int | float) and isinstance(expected, int | float)):
        return str(got) == str(expected) if isinstance(expected, XlError) else got == expected
    return math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-6)


def cell_key(address: str) -> str:
    """`'Sheet'!$B$5` as the key `recalculate` uses."""
    sheet, cell = address.rsplit("!", 1)
    return f"{sheet.strip(chr(39)).replace(chr(39) * 2, chr(39)).upper()}!{cell.replace('$', '')}"


def split(address: str) -> tuple[str, str]:
    """`'Sheet'!$B$5` as (sheet title, `B5`)."""
    sheet, cell = address.rsplit("!", 1)
    return sheet.strip("'").replace("''", "'"), cell.replace("$", "")


def same(got: Any, expected: Any) -> bool:
    """Equal to the cent; a missing figure (NaN) shows as an empty cell."""
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return got in ("", None)
    if isinstance(expected, dt.date):  # a date cell holds its Excel serial number
        got = EXCEL_EPOCH + dt.timedelta(days=int(got)) if isinstance(got, int | float) else got
        return (got.date() if isinstance(got, dt.datetime) else got) == expected
    return isinstance(got, int | float) and abs(float(got) - float(expected)) <= CENT


@dataclass
class Edition:
    """One rendered workbook, its values recalculated (or as stored, see `edition`)."""

    project: Project
    figures: Figures
    lang: str
    path: Path
    layout: Any
    values: dict[str, Any]
    stored: dict[str, Any]
    """Every cell's value as the file stores it."""

    def value(self, address: str) -> Any:
        return self.values[cell_key(address)]

    def named(self, name: str) -> Any:
        return self.value(self.layout.names[name])


def render(project: Project, lang: str, folder: Path) -> Edition:
    figures = compute_figures(project)
    path = folder / f"{figures.acronym}_budget_{lang}.xlsx"
    path.write_bytes(render_workbook(project, figures, lang))
    _workbook, layout = build_workbook(project, figures, lang)
    return Edition(project, figures, lang, path, layout, recalculate(path), stored(path))


def project_of(root: Path) -> Project:
    return check(root).project


VARIANTS: dict[str, tuple[str, Callable[[Project], Project]]] = {
    # name: (root, the change that makes it an edge case of valid input)
    "after-horizon": ("edge", lambda p: with_phase_end(p, "p1", dt.date(2030, 6, 1))),
    "pue-0": ("minimal", lambda p: with_energy(p, "pue", 0.0)),
    "zero-cost": ("minimal", lambda p: free_of_charge(p)),
}
"""Valid projects the roots do not cover, made by changing a root."""


@pytest.fixture(scope="module")
def projects() -> dict[str, Project]:
    # compute-small breaks a share rule on purpose, so `check` would refuse it; it has
    # every capex and opex basis, two accelerator types and partner-specific rates.
    small = validate_project(load_project(ROOTS / "compute-small")).project
    roots = {"example": project_of(EXAMPLE), "minimal": project_of(ROOTS / "minimal"),
             "hostile": project_of(ROOTS / "excel-hostile"), "small": small,
             "edge": project_of(ROOTS / "compute-edge")}
    return {**roots, **{name: change(roots[root]) for name, (root, change) in VARIANTS.items()}}


@pytest.fixture(scope="module", params=[("example", "en"), ("example", "fr"),
                                        ("minimal", "en"), ("minimal", "fr"), ("small", "fr"),
                                        ("edge", "fr"),
                                        *((name, "en") for name in VARIANTS)],
                ids=lambda p: "-".join(p))
def rendered(request, projects, tmp_path_factory) -> Edition:
    root, lang = request.param
    return render(projects[root], lang, tmp_path_factory.mktemp(f"{root}-{lang}"))


@pytest.fixture(params=["recalculated", "stored"])
def edition(request, rendered) -> Edition:
    """The edition with its values as recalculated, then as the file stores them."""
    if request.param == "stored":
        return dataclasses.replace(rendered, values=rendered.stored)
    return rendered


# ------------------------------------------------------- the figures, to the cent


def test_key_figures_equal_compute(edition):
    figures = edition.figures
    assert set(edition.layout.figures) >= {"total_cost_eur", "capex_eur", "opex_eur",
                                           "financing_total_eur", "financing_gap_eur"}
    for key, address in edition.layout.figures.items():
        expected = getattr(figures, key)
        got = edition.value(address)
        if key == "financing_balanced":
            assert got == edition_word(edition, "Yes" if expected else "No")
        else:
            assert same(got, expected), f"{key}: workbook {got!r}, compute {expected!r}"


def edition_word(edition: Edition, message: str) -> str:
    return translations(edition.lang, "workbook").gettext(message)


MIRRORED = {
    "capex": None, "opex": None, "effort": None, "personnel_cost": None,
    "eu_budget_by_partner": None, "eu_budget_by_work_package": None,
    "phase_accelerators": ["count", "h100_equivalents", "power_mw", "unit_price_eur",
                           "purchase_eur"],
    "phases": ["start", "end", "power_mw", "power_added_mw", "facility_power_mw",
               "accelerators_added", "accelerators", "h100_equivalents_added", "h100_equivalents",
               "accelerator_power_added_mw", "accelerator_power_mw", "sites_added",
               "purchase_eur", "capex_eur", "capex_cumulative_eur"],
    "capacity_by_year": None,
    "cost_by_year": None,
    "financing": ["amount_eur", "share"],
    "pledges": ["cash", "equity", "debt", "in_kind", "in_kind_not_counted", "total", "share"],
    "sensitivity": ["change", "factor", "change_applied", "total_cost_eur",
                    "total_cost_delta_eur", "total_cost_delta_share", "financing_gap_eur",
                    "financing_gap_delta_eur", "cost_per_gpu_hour_eur"],
}
"""`Figures` tables the workbook rebuilds, and the columns it rebuilds (None: all)."""


@pytest.mark.parametrize("table", sorted(MIRRORED))
def test_every_cell_of_the_tables_equals_compute(edition, table):
    frame = getattr(edition.figures, table)
    columns = MIRRORED[table] or list(frame.columns)
    if table == "capacity_by_year" and edition.project.cost_model.energy.water_l_per_kwh is None:
        columns = [c for c in columns if c != "water_m3"]
    cells = edition.layout.tables[table]
    expected_keys = {(row, column) for row in frame.index for column in columns}
    assert set(cells) == expected_keys
    wrong = [(row, column, edition.value(address), frame.at[row, column])
             for (row, column), address in cells.items()
             if not same(edition.value(address), frame.at[row, column])]
    assert not wrong


def test_cost_lines_and_share_rules_equal_compute(edition):
    lines = edition.figures.cost_lines
    for ((kind, line), _column), address in edition.layout.tables["cost_lines"].items():
        amount = lines[(lines["kind"] == kind) & (lines["line"] == line)]["amount_eur"].sum()
        assert same(edition.value(address), amount)
    rules = edition.figures.share_rules
    for (rule, column), address in edition.layout.tables.get("share_rules", {}).items():
        if column == "ok":
            word = "Yes" if rules.at[rule, column] else "No"
            assert edition.value(address) == edition_word(edition, word)
        else:
            assert same(edition.value(address), rules.at[rule, column])
    bounded = {(rule.id, bound) for rule in edition.project.call.share_rules
               for bound in ("min_share", "max_share") if getattr(rule, bound) is not None}
    assert set(edition.layout.tables.get("share_rules", {})) == bounded | {
        (rule, column) for rule in rules.index for column in ("amount_eur", "share", "ok")}


def test_figures_json_equals_workbook(edition):
    data = json.loads(render_figures_json(edition.figures))
    for key, address in edition.layout.figures.items():
        if key in data and isinstance(data[key], int | float) and not isinstance(data[key],
                                                                                bool):
            assert same(edition.value(address), data[key]), key
    capex = edition.layout.tables["capex"]
    for category, amount in data["capex_by_category"].items():
        assert same(edition.value(capex[(TOTAL, category)]), amount)
    opex = edition.layout.tables["opex"]
    for category, amount in data["opex_by_category"].items():
        assert same(edition.value(opex[(TOTAL, category)]), amount)
    phases = edition.layout.tables["phases"]
    for phase in data["phases"]:
        assert same(edition.value(phases[(phase["id"], "capex_eur")]), phase["capex_eur"])
    sensitivity = edition.layout.tables["sensitivity"]
    for i, row in enumerate(data["sensitivity"]):
        assert same(edition.value(sensitivity[(i, "total_cost_eur")]), row["total_cost_eur"])
        assert same(edition.value(sensitivity[(i, "financing_gap_eur")]),
                    row["financing_gap_eur"])


def test_no_cell_evaluates_to_an_error(edition):
    errors = {key: value for key, value in edition.values.items()
              if isinstance(value, XlError)
              or (isinstance(value, str) and ERROR_TEXT.fullmatch(value))}
    assert not errors


# ------------------------------------------------------ values stored with formulas


def test_every_formula_cell_stores_the_value_it_recalculates_to(rendered):
    cells = formula_cells(rendered.path)
    assert len(cells) > 100
    wrong = [(key, rendered.stored[key], rendered.values[key]) for key in cells
             if not agree(rendered.stored[key], rendered.values[key])]
    assert not wrong


def test_no_formula_cell_is_left_without_a_value(rendered):
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    empty, count = [], 0
    with zipfile.ZipFile(rendered.path) as xlsx:
        sheets = [name for name in xlsx.namelist() if name.startswith("xl/worksheets/")]
        assert len(sheets) == len(SHEETS)
        for name in sheets:
            for cell in ElementTree.fromstring(xlsx.read(name)).iter(f"{main}c"):
                if cell.find(f"{main}f") is None:
                    continue
                count += 1
                value = cell.find(f"{main}v")
                if value is None or not (value.text or cell.get("t") == "str"):
                    empty.append((name, cell.get("r")))
    assert count > 100
    assert not empty


def test_pandas_reads_the_total_cost_on_the_summary_sheet(rendered):
    summary = pd.read_excel(rendered.path, sheet_name=0, header=None)
    names = summary.iloc[:, 3].tolist()
    total = summary.iat[names.index("TotalCost"), 1]
    assert same(total, rendered.figures.total_cost_eur)
    assert summary.iloc[HEADER_ROW:, 1].notna().sum() >= 20  # the figures, not blanks


# --------------------------------------------------- changing an input moves it all


def with_energy(project: Project, field: str, value: float) -> Project:
    energy = project.cost_model.energy
    figure = getattr(energy, field)
    moved = energy.model_copy(update={field: figure.model_copy(update={"value": value})})
    return with_cost_model(project, energy=moved)


def with_unit_price(project: Project, type_id: str, price: float) -> Project:
    types = tuple(t.model_copy(update={"unit_price": t.unit_price.model_copy(
        update={"value": price})}) if t.id == type_id else t
        for t in project.cost_model.accelerator_types)
    return with_cost_model(project, accelerator_types=types)


def with_phase_end(project: Project, phase_id: str, end: dt.date) -> Project:
    phases = tuple(p.model_copy(update={"end": end}) if p.id == phase_id else p
                   for p in project.cost_model.phases)
    return with_cost_model(project, phases=phases)


def with_effort(project: Project, wp_id: str, partner: str, months: float) -> Project:
    plan = project.workplan
    packages = tuple(wp.model_copy(update={"effort": {**wp.effort, partner: months}})
                     if wp.id == wp_id else wp for wp in plan.work_packages)
    return project.model_copy(update={"workplan": plan.model_copy(
        update={"work_packages": packages})})


def with_cost_model(project: Project, **update) -> Project:
    return project.model_copy(update={"cost_model": project.cost_model.model_copy(
        update=update)})


def free_of_charge(project: Project) -> Project:
    """The project with every price and rate at 0: a total cost of 0, shares of nothing."""
    cm = project.cost_model
    for t in cm.accelerator_types:
        project = with_unit_price(project, t.id, 0.0)
    capex = tuple(line if line.rate is None else line.model_copy(
        update={"rate": line.rate.model_copy(update={"value": 0.0})}) for line in cm.capex)
    project = with_energy(with_cost_model(project, capex=capex), "price_eur_per_mwh", 0.0)
    plan = project.workplan
    rate = plan.person_month_rate.model_copy(update={"value": 0.0})
    return project.model_copy(update={"workplan": plan.model_copy(
        update={"person_month_rate": rate, "partner_rates": {}})})


def first_type(project: Project) -> str:
    return project.cost_model.accelerator_types[0].id


def first_effort(project: Project) -> tuple[str, str, float]:
    wp = project.workplan.work_packages[0]
    partner, months = next(iter(wp.effort.items()))
    return wp.id, partner, months


CHANGES: dict[str, tuple[Callable[[Project], str], Callable[[Project], Any],
                         Callable[[Project], Project]]] = {
    # change: (input key, new cell value, the same change made to the project)
    "energy-price": (lambda p: "in/energy/price",
                     lambda p: p.cost_model.energy.price_eur_per_mwh.value * 1.37,
                     lambda p: with_energy(
                         p, "price_eur_per_mwh",
                         p.cost_model.energy.price_eur_per_mwh.value * 1.37)),
    # PUE 1.1 and utilisation 0.9 put the sensitivity's floor and cap to work.
    "pue": (lambda p: "in/energy/pue", lambda p: 1.1, lambda p: with_energy(p, "pue", 1.1)),
    "utilisation": (lambda p: "in/energy/utilisation", lambda p: 0.9,
                    lambda p: with_energy(p, "utilisation", 0.9)),
    "unit-price": (lambda p: f"in/acc/{first_type(p)}/price",
                   lambda p: 31234.5,
                   lambda p: with_unit_price(p, first_type(p), 31234.5)),
    "phase-end": (lambda p: f"in/phase/{p.cost_model.phases[0].id}/end",
                  lambda p: p.cost_model.phases[0].end + dt.timedelta(days=45),
                  lambda p: with_phase_end(p, p.cost_model.phases[0].id,
                                           p.cost_model.phases[0].end + dt.timedelta(days=45))),
    "effort": (lambda p: "pm/{1}/{0}".format(*first_effort(p)),
               lambda p: first_effort(p)[2] + 7.5,
               lambda p: with_effort(p, *first_effort(p)[:2], first_effort(p)[2] + 7.5)),
}


@pytest.fixture(scope="module")
def originals(projects) -> Callable[[str], tuple[Figures, Any, bytes]]:
    """The figures, layout and English workbook of a root, made once."""
    made: dict[str, tuple[Figures, Any, bytes]] = {}

    def original(root: str) -> tuple[Figures, Any, bytes]:
        if root not in made:
            figures = compute_figures(projects[root])
            _workbook, layout = build_workbook(projects[root], figures, "en")
            made[root] = figures, layout, render_workbook(projects[root], figures, "en")
        return made[root]

    return original


@pytest.mark.parametrize("root, change", [
    *(("minimal", change) for change in sorted(CHANGES)),
    *(("small", change) for change in sorted(CHANGES)),
    ("example", "phase-end"), ("example", "unit-price"),  # the example: the slow ones
])
def test_changing_an_input_moves_the_totals_as_compute_predicts(projects, originals,
                                                                tmp_path, root, change):
    project = projects[root]
    key_of, value_of, changed_project = CHANGES[change]
    figures, layout, content = originals(root)
    path = tmp_path / "changed.xlsx"
    path.write_bytes(content)
    workbook = load_workbook(path)
    sheet, cell = split(layout.inputs[key_of(project)])
    workbook[sheet][cell].value = value_of(project)
    workbook.save(path)
    values = recalculate(path)
    expected = compute_figures(changed_project(project))
    assert not same(expected.total_cost_eur, figures.total_cost_eur)  # the change matters
    for key in ("total_cost_eur", "capex_eur", "opex_eur", "financing_gap_eur",
                "personnel_cost_eur", "cost_per_gpu_hour_eur"):
        assert same(values[cell_key(layout.figures[key])], getattr(expected, key)), key
    sensitivity = layout.tables["sensitivity"]
    for (i, column), address in sensitivity.items():
        assert same(values[cell_key(address)], expected.sensitivity.at[i, column]), (i, column)
    eu = layout.tables["eu_budget_by_partner"]
    assert same(values[cell_key(eu[(TOTAL, TOTAL)])],
                expected.eu_budget_by_partner.at[TOTAL, TOTAL])


def test_a_sensitivity_step_of_0_still_follows_the_step_input(projects, tmp_path):
    project = with_cost_model(projects["minimal"], sensitivity_step=0.0)
    figures = compute_figures(project)
    _workbook, layout = build_workbook(project, figures, "en")
    path = tmp_path / "step.xlsx"
    path.write_bytes(render_workbook(project, figures, "en"))
    workbook = load_workbook(path)
    sheet, cell = split(layout.inputs["in/step"])
    workbook[sheet][cell].value = 0.1
    workbook.save(path)
    values = recalculate(path)
    expected = compute_figures(with_cost_model(project, sensitivity_step=0.1)).sensitivity
    for (i, column), address in layout.tables["sensitivity"].items():
        assert same(values[cell_key(address)], expected.at[i, column]), (i, column)


# ---------------------------------------------------------------- what users see


def test_sheet_names_and_headers_are_in_the_workbook_language(projects):
    project = projects["minimal"]
    figures = compute_figures(project)
    names = {}
    for lang in ("en", "fr"):
        workbook, _layout = build_workbook(project, figures, lang)
        names[lang] = workbook.sheetnames
        summary = workbook.worksheets[0]
        assumptions = workbook.worksheets[1]
        names[lang + "-headers"] = ([c.value for c in summary[4]],
                                    [c.value for c in assumptions[4]])
    assert names["en"] == ["Summary", "Assumptions", "Phases", "Capex", "Opex", "Cost by year",
                           "Financing", "Partners", "Effort", "EU budget", "Sensitivity"]
    assert names["fr"] == ["Synthèse", "Hypothèses", "Phases", "Investissements",
                           "Exploitation", "Coût par année", "Financement", "Partenaires",
                           "Effort", "Budget UE", "Sensibilité"]
    assert names["en-headers"] == (["Figure", "Value", "Unit", "Name"],
                                   ["Section", "Item", "Value", "Unit", "Name", "Source",
                                    "Status", "Note"])
    assert names["fr-headers"] == (["Indicateur", "Valeur", "Unité", "Nom"],
                                   ["Rubrique", "Élément", "Valeur", "Unité", "Nom", "Source",
                                    "Statut", "Note"])


def test_every_workbook_message_is_translated_into_french():
    catalog = translations("fr", "workbook")
    for key, message in SHEETS.items():
        name = catalog.gettext(message)
        assert name != message or key in ("phases", "effort")
        assert len(name) <= 31 and not set(name) & set("[]:*?/\\")
    with (REPO / "proposal/locale/fr/LC_MESSAGES/workbook.po").open("rb") as po:
        catalog = read_po(po)
    assert not [m.id for m in catalog if m.id and not m.string]
    wording = {message for module in (REPO / "proposal/render/workbook").glob("*.py")
               for _line, message, _comments, _context in extract_from_file("python", module)}
    assert wording == {m.id for m in catalog if m.id}  # `make catalogs` is up to date


def test_defined_names_point_at_the_figures(edition):
    names = edition.layout.names
    assert names["TotalCost"] == edition.layout.figures["total_cost_eur"]
    for name in ("Capex", "Opex", "PUE", "EnergyPrice", "Utilisation", "CarbonIntensity",
                 "IndirectRate", "EUShare", "MemberStateShare", "PersonMonthRate",
                 "FinancingTotal", "FinancingGap", "SensitivityStep", "AmortisationYears",
                 "HorizonYears", "FacilityPowerMW", "AcceleratorPowerMW"):
        assert name in names
    workbook = load_workbook(edition.path)
    assert workbook.defined_names["TotalCost"].attr_text == names["TotalCost"]
    assert same(edition.named("TotalCost"), edition.figures.total_cost_eur)
    assert same(edition.named("EnergyPrice"),
                edition.project.cost_model.energy.price_eur_per_mwh.value)


def test_totals_are_formulas_and_inputs_are_values(edition):
    workbook = load_workbook(edition.path)

    def cell(address):
        sheet, ref = split(address)
        return workbook[sheet][ref]

    for address in edition.layout.figures.values():
        assert cell(address).data_type == "f"
    for table, cells in edition.layout.tables.items():
        for (row, column), address in cells.items():
            if table == "effort" or column == "sites_added":
                continue  # effort cells are inputs; sites built first are structure
            if table == "cost_by_year" and column == "opex" and row != TOTAL \
                    and row > edition.figures.last_year:
                assert cell(address).value == 0  # construction after the costed years
                continue
            assert cell(address).data_type == "f", (table, row, column)
    assert cell(edition.layout.names["TotalCost"]).value == "=Capex+Opex"


def test_formatting_protection_and_print_setup(edition):
    workbook = load_workbook(edition.path)
    for n, sheet in enumerate(workbook.worksheets):
        assert sheet.freeze_panes is not None, sheet.title
        assert sheet.auto_filter.ref or n == 0, sheet.title  # the summary is no list
        assert sheet.page_setup.paperSize == 9  # A4
        assert sheet.page_setup.fitToWidth >= 1  # pages wide: see test_annexes
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows in ("$1:$4", "$1:$2")  # title, and header if one block
        assert sheet.protection.sheet
        assert not sheet.protection.password
    for address in edition.layout.inputs.values():
        sheet, ref = split(address)
        cell = workbook[sheet][ref]
        assert not cell.protection.locked
        assert cell.fill.fgColor.rgb.endswith(INPUT_FILL.fgColor.rgb[-6:])
    sheet, ref = split(edition.layout.names["TotalCost"])
    total = workbook[sheet][ref]
    assert total.protection.locked
    assert "€" in total.number_format
    sheet, ref = split(edition.layout.names["EUShare"])
    assert "%" in workbook[sheet][ref].number_format


# --------------------------------------------------------------------------- safety


def test_text_that_looks_like_a_formula_stays_text(projects, tmp_path):
    edition = render(projects["hostile"], "en", tmp_path)
    workbook = load_workbook(edition.path)
    found = {text: [] for text in HOSTILE}
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value in found:
                    found[cell.value].append(cell)
                if cell.data_type == "f":
                    assert not re.search(r"HYPERLINK|cmd|EIB\(", cell.value), cell.coordinate
    for text, cells in found.items():
        assert cells, f"{text!r} is not in the workbook"
        assert all(cell.data_type == "s" for cell in cells), text
        assert all(cell.quotePrefix for cell in cells), text
    # And the engine reads them as text: the figures are still right.
    assert same(edition.named("TotalCost"), edition.figures.total_cost_eur)
    partners = edition.layout.tables["pledges"]
    assert same(edition.value(partners[(TOTAL, TOTAL)]),
                edition.figures.pledges.at[TOTAL, TOTAL])


def test_output_is_deterministic_and_dated_by_the_submission(projects, tmp_path):
    project = projects["minimal"]
    figures = compute_figures(project)
    first = render_workbook(project, figures, "fr")
    assert render_workbook(project, figures, "fr") == first
    path = tmp_path / "book.xlsx"
    path.write_bytes(first)
    properties = load_workbook(path).properties
    submitted = project.consortium.submission_date
    assert properties.created.date() == submitted
    assert properties.modified.date() == submitted
    assert properties.language == "fr-FR"


@pytest.mark.parametrize("formula, expected", [
    ("=IF(A1=0,\"\",B1/A1)", ""),  # IF only evaluates the branch it takes
    ("=B1/A1", "#DIV/0!"),
    ("=C1+1", "#VALUE!"),  # text is no number
    ("=C1>B1", True),  # texts sort after numbers
    ("=D1", 0),  # a blank alone reads as 0
    ("=D1=\"\"", True),
    ("=SUM(A1:D1)", 4),  # texts and blanks in a range are left out
    ("=MAX(0,MIN(3,2))-ABS(-1)", 1),
    ("=OR(C1=\"x\",AND(TRUE,1>2))", True),
    ("=YEAR(DATE(2027,13,1))*100+MONTH(E1)", 202802),  # months roll over
    ("=DATE(2028,3,0)-E1", 0),  # and days: the day before March 1st
    ("=-2*-3+'Other sheet'!A1/Named", 6.5),
])
def test_the_calculator_follows_spreadsheet_rules(formula, expected):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for cell, value in (("A1", 0), ("B1", 4), ("C1", "x"), ("E1", dt.date(2028, 2, 29))):
        sheet[cell] = value
    other = workbook.create_sheet("Other sheet")
    other["A1"] = 1
    other["B1"] = 2
    workbook.defined_names["Named"] = DefinedName("Named", attr_text="'Other sheet'!$B$1")
    sheet["F1"] = formula
    got = calculate(workbook)[(sheet.title, 1, 6)]
    if isinstance(expected, str):  # a text, or an error's text
        assert isinstance(got, str) and str(got) == expected
    else:
        assert got == expected and isinstance(got, bool) == isinstance(expected, bool)


def test_stored_values_are_typed_as_spreadsheets_type_them(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = 0
    for cell, formula in (("B1", '=IF(A1=0,"","x")'), ("C1", "=A1=0"), ("D1", "=1/A1"),
                          ("E1", '="a<b & c"'), ("F1", "=A1+2.5")):
        sheet[cell] = formula
    path = tmp_path / "typed.xlsx"
    path.write_bytes(workbook_bytes(workbook, dt.datetime(2026, 1, 1)))
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert '<c r="B1" t="str"><f>' in xml and '<v></v>' in xml
    assert '<c r="C1" t="b"><f>A1=0</f><v>1</v>' in xml
    assert '<c r="D1" t="e"><f>1/A1</f><v>#DIV/0!</v>' in xml
    assert "<v>a&lt;b &amp; c</v>" in xml
    values = [cell.value for cell in load_workbook(path, data_only=True).active[1]]
    assert values == [0, None, True, "#DIV/0!", "a<b & c", 2.5]  # openpyxl: "" as None


def test_a_formula_the_calculator_cannot_read_stops_the_build():
    workbook = openpyxl.Workbook()
    workbook.active["B2"] = "=VLOOKUP(1,A1:A2,1)"
    with pytest.raises(ValueError, match=r"Sheet!B2: =VLOOKUP\(1,A1:A2,1\): unknown function"):
        calculate(workbook)


# -------------------------------------------------- every amount of the PDF, found


NAMED_FIGURES = {
    "horizon_years": "HorizonYears", "first_year": "FirstYear", "last_year": "LastYear",
    "capex_eur": "Capex", "opex_eur": "Opex", "total_cost_eur": "TotalCost",
    "power_mw": "PowerMW", "facility_power_mw": "FacilityPowerMW",
    "ultimate_power_mw": "UltimatePowerMW", "ultimate_target_year": "UltimateTargetYear",
    "accelerators": "Accelerators", "h100_equivalents": "H100Equivalents",
    "accelerator_power_mw": "AcceleratorPowerMW", "pue": "PUE", "utilisation": "Utilisation",
    "steady_state_cost_per_year_eur": "SteadyStateCost", "gpu_hours_per_year": "GPUHoursPerYear",
    "h100_hours_per_year": "H100HoursPerYear", "cost_per_gpu_hour_eur": "CostPerGPUHour",
    "cost_per_h100_hour_eur": "CostPerH100Hour", "energy_gwh_per_year": "EnergyGWhPerYear",
    "emissions_t_per_year": "EmissionsPerYear", "water_m3_per_year": "WaterM3PerYear",
    "financing_total_eur": "FinancingTotal", "financing_gap_eur": "FinancingGap",
    "person_months_total": "PersonMonths", "personnel_cost_eur": "PersonnelCost",
    "indirect_costs_eur": "IndirectCosts", "eligible_costs_eur": "EligibleCosts",
}
"""Each key figure of `Figures` and the defined name of the workbook cell holding it."""
NOT_AMOUNTS = {"acronym", "currency", "financing_balanced", "problems", "printed", "marks",
               "content"}
"""Fields of `Figures` that are neither tables nor amounts (the balance is a yes/no of
the Financing sheet; `printed` holds the PDF's rounded tables; `marks` how an edition
presents them; `content` the evaluator's tables, which reorganise figures the workbook
has)."""


class Reader:
    """A workbook as someone who does not calculate reads it: the stored values, found by
    defined name, or by a block's title, its column headers and its row labels."""

    def __init__(self, path: Path, lang: str):
        self.workbook = load_workbook(path, data_only=True)
        self.lang = lang
        self._ = translations(lang, "workbook").gettext
        self.label = Locale(lang).label

    def named(self, name: str) -> Any:
        """The value of the cell a defined name names; None without such a name."""
        if name not in self.workbook.defined_names:
            return None
        sheet, cell = split(self.workbook.defined_names[name].attr_text)
        return self.workbook[sheet][cell].value

    def block(self, sheet: str, title: str | None) -> list[tuple[Any, dict[Any, Any]]]:
        """The rows of the block under `title` (the sheet's first block for None), each as
        its label (first column) and its values by column header."""
        ws = self.workbook[self._(sheet)]
        header = HEADER_ROW if title is None else 1 + next(
            row for row in range(1, ws.max_row + 1) if ws.cell(row, 1).value == self._(title))
        heads = {col: ws.cell(header, col).value for col in range(2, ws.max_column + 1)}
        rows = []
        for row in range(header + 1, ws.max_row + 1):
            if ws.cell(row, 1).value is None:
                break
            rows.append((ws.cell(row, 1).value,
                         {head: ws.cell(row, col).value for col, head in heads.items() if head}))
        return rows

    def table(self, like: pd.DataFrame, sheet: str, title: str | None,
              rows: dict[Any, Any], columns: dict[Any, Any]) -> pd.DataFrame:
        """A block as a table shaped `like` a `Figures` table: `rows` and `columns` map
        the row labels and headers a reader sees to the table's index and columns."""
        found = {rows[label]: {columns[head]: value for head, value in values.items()
                               if head in columns}
                 for label, values in self.block(sheet, title) if label in rows}
        table = pd.DataFrame.from_dict(found, orient="index").reindex(
            index=like.index, columns=like.columns)
        assert not (table.isna() & like.notna()).any().any(), f"{sheet}: {title} lacks cells"
        return table.astype(float)


def workbook_figures(reader: Reader, project: Project, figures: Figures) -> Figures:
    """`figures` with every key figure and every table of the budget chapter replaced by
    what the workbook shows: by defined name, or by labelled row."""
    _, label, total = reader._, reader.label, reader._("Total")
    named = {}
    for field, name in NAMED_FIGURES.items():
        expected = getattr(figures, field)
        if expected is None or (isinstance(expected, float) and math.isnan(expected)):
            assert reader.named(name) is None, name  # no such figure, no such name
        else:
            named[field] = reader.named(name)
            assert named[field] is not None, name

    def by_category(table: pd.DataFrame, group: str) -> dict[str, str]:
        return {**{label(group, c): c for c in table.columns if c != TOTAL}, total: TOTAL}

    years = {year: year for year in figures.cost_by_year.index if year != TOTAL}
    phases = {written(p.name, project, figures, Locale(reader.lang)): p.id
              for p in project.cost_model.phases}
    partners = {partner_name(project, pid): pid for pid in figures.eu_budget_by_partner.index}
    packages = {wp: wp for wp in figures.eu_budget_by_work_package.index}
    eu_columns = {(_("Eligible costs (direct + E)") if c == TOTAL else label("eu_category", c)): c
                  for c in figures.eu_budget_by_partner.columns}  # the row sums: eligible costs
    sensitivity = figures.sensitivity.copy()
    rows = reader.block("Sensitivity", None)
    assert [row for row, _values in rows] == [label("driver", d) for d in sensitivity["driver"]]
    for column, title, _kind in SENSITIVITY_COLUMNS:
        sensitivity[column] = [math.nan if values[_(title)] in ("", None) else values[_(title)]
                               for _row, values in rows]
    return dataclasses.replace(
        figures, **named,
        capex=reader.table(figures.capex, "Capex", "Capex by phase and category",
                           {**phases, total: TOTAL}, by_category(figures.capex, "capex")),
        opex=reader.table(figures.opex, "Opex", "Opex by year and category",
                          {**years, total: TOTAL}, by_category(figures.opex, "opex")),
        cost_by_year=reader.table(figures.cost_by_year, "Cost by year", None,
                                  {**years, total: TOTAL},
                                  {_(title): column for column, title in COST_BY_YEAR_COLUMNS}),
        eu_budget_by_partner=reader.table(
            figures.eu_budget_by_partner, "EU budget", "Costs per beneficiary",
            {**partners, total: TOTAL}, eu_columns),
        eu_budget_by_work_package=reader.table(
            figures.eu_budget_by_work_package, "EU budget", "Costs per work package",
            {**packages, total: TOTAL}, eu_columns),
        sensitivity=sensitivity,
    )


def test_every_key_figure_has_a_defined_name():
    amounts = {field.name for field in dataclasses.fields(Figures)
               if "DataFrame" not in str(field.type)} - NOT_AMOUNTS
    assert amounts == set(NAMED_FIGURES)


@pytest.mark.parametrize("root, lang", [("example", "en"), ("example", "fr"), ("minimal", "fr"),
                                        ("small", "en")])
def test_every_amount_of_the_key_figures_and_the_budget_is_in_the_workbook(
        projects, tmp_path, root, lang):
    """The PDF's key figures and budget chapter, made from the numbers a reader finds in
    the workbook as stored, read exactly as the PDF made from `Figures`."""
    project = projects[root]
    figures = compute_figures(project)
    path = tmp_path / "book.xlsx"
    path.write_bytes(render_workbook(project, figures, lang))
    reader = Reader(path, lang)
    pdf = PdfEdition(project, figures, lang, EXAMPLE)
    found = PdfEdition(project, workbook_figures(reader, project, figures), lang, EXAMPLE)
    for part in ("key_figures", "costs", "eu_budget", "sensitivity"):
        assert getattr(found, part)() == getattr(pdf, part)(), part
    # What else the chapter quotes comes from the inputs, named too.
    cm = project.cost_model
    assert reader.named("AmortisationYears") == cm.amortisation_years
    assert reader.named("IndirectRate") == project.call.indirect_rate
    assert reader.named("SensitivityStep") == cm.sensitivity_step


# -------------------------------------------------------------------- LibreOffice


RECALCULATE_ON_LOAD = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode"
 oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""
"""A LibreOffice profile setting: recalculate XLSX files on loading (by default it shows
the stored values and recalculates what an edit touches)."""


def with_stored_values_zeroed(content: bytes) -> bytes:
    """The XLSX with every formula's stored value replaced by 0: what a spreadsheet shows
    of it after loading comes from recalculating."""
    source, target = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"(</f><v>)[^<]*(</v>)", rb"\g<1>0\2", data)
            out.writestr(entry, data)
    return target.getvalue()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize("root, lang", [("example", "fr"), ("minimal", "en"), ("hostile", "en"),
                                        ("zero-cost", "en")])
def test_libreoffice_opens_and_recalculates_it(projects, tmp_path, root, lang):
    project = projects[root]
    figures = compute_figures(project)
    _workbook, layout = build_workbook(project, figures, lang)
    content = render_workbook(project, figures, lang)
    source = tmp_path / "in" / f"{figures.acronym}.xlsx"
    source.parent.mkdir()
    source.write_bytes(with_stored_values_zeroed(content))
    (tmp_path / "profile" / "user").mkdir(parents=True)
    (tmp_path / "profile" / "user" / "registrymodifications.xcu").write_text(RECALCULATE_ON_LOAD)
    out = tmp_path / "out"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=180)
    workbook = load_workbook(out / source.name, data_only=True)

    def value(address):
        sheet, ref = split(address)
        return workbook[sheet][ref].value

    for key, address in layout.figures.items():
        if key != "financing_balanced":
            assert same(value(address), getattr(figures, key)), key
    for table in ("capex", "opex", "cost_by_year", "eu_budget_by_partner", "sensitivity"):
        frame = getattr(figures, table)
        for (row, column), address in layout.tables[table].items():
            assert same(value(address), frame.at[row, column]), (table, row, column)
    # Every value LibreOffice calculated is the one the file stores.
    original = tmp_path / "original.xlsx"
    original.write_bytes(content)
    ours = stored(original)
    theirs = {f"{sheet.title.upper()}!{cell.coordinate}": cell.value
              for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row}
    cells = formula_cells(original)
    assert not [(key, ours[key], theirs[key]) for key in cells if not agree(theirs[key], ours[key])]
    texts = [cell.value for sheet in workbook.worksheets for row in sheet.iter_rows()
             for cell in row if isinstance(cell.value, str)]
    assert not [text for text in texts if ERROR_TEXT.fullmatch(text)]
    if root == "hostile":  # LibreOffice read the formula-like texts as texts too
        assert set(HOSTILE) <= set(texts)
