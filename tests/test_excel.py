"""Budget workbook: recalculated with a real formula engine, it equals the compute stage.

Each edition is rendered, recalculated with the `formulas` package (and with
LibreOffice headless when `soffice` is installed), and every figure the workbook
mirrors is compared with `Figures` and the figures JSON to the cent. Changing an input
cell must move the totals exactly as `compute_figures` predicts for the same change.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import formulas
import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from formulas.tokens.operand import XlError
from openpyxl import load_workbook

from proposal.compute import TOTAL, Figures, compute_figures
from proposal.i18n import translations
from proposal.load import load_project
from proposal.models import Project
from proposal.pipeline import check
from proposal.render.figures import render_figures_json
from proposal.render.workbook import SHEETS, build_workbook, render_workbook
from proposal.render.workbook.book import INPUT_FILL
from proposal.validate import validate_project

from .conftest import EXAMPLE, REPO, ROOTS

CENT = 0.005
EXCEL_EPOCH = dt.date(1899, 12, 30)
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
        return got == expected
    return isinstance(got, int | float) and abs(float(got) - float(expected)) <= CENT


@dataclass
class Edition:
    """One rendered and recalculated workbook."""

    project: Project
    figures: Figures
    lang: str
    path: Path
    layout: Any
    values: dict[str, Any]

    def value(self, address: str) -> Any:
        return self.values[cell_key(address)]

    def named(self, name: str) -> Any:
        return self.value(self.layout.names[name])


def render(project: Project, lang: str, folder: Path) -> Edition:
    figures = compute_figures(project)
    path = folder / f"{figures.acronym}_budget_{lang}.xlsx"
    path.write_bytes(render_workbook(project, figures, lang))
    _workbook, layout = build_workbook(project, figures, lang)
    return Edition(project, figures, lang, path, layout, recalculate(path))


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
def edition(request, projects, tmp_path_factory) -> Edition:
    root, lang = request.param
    return render(projects[root], lang, tmp_path_factory.mktemp(f"{root}-{lang}"))


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
              if isinstance(value, XlError)}
    assert not errors


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
    assert names["en"] == ["Summary", "Assumptions", "Phases", "Capex", "Opex", "Financing",
                           "Partners", "Effort", "EU budget", "Sensitivity"]
    assert names["fr"] == ["Synthèse", "Hypothèses", "Phases", "Investissements",
                           "Exploitation", "Financement", "Partenaires", "Effort",
                           "Budget UE", "Sensibilité"]
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
                 "FinancingTotal", "FinancingGap", "SensitivityStep", "AmortisationYears"):
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
        for (_row, column), address in cells.items():
            if table == "effort" or column == "sites_added":
                continue  # effort cells are inputs; sites built first are structure
            assert cell(address).data_type == "f", (table, _row, column)
    assert cell(edition.layout.names["TotalCost"]).value == "=Capex+Opex"


def test_formatting_protection_and_print_setup(edition):
    workbook = load_workbook(edition.path)
    for n, sheet in enumerate(workbook.worksheets):
        assert sheet.freeze_panes is not None, sheet.title
        assert sheet.auto_filter.ref or n == 0, sheet.title  # the summary is no list
        assert sheet.page_setup.paperSize == 9  # A4
        assert sheet.page_setup.fitToWidth == 1
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


# -------------------------------------------------------------------- LibreOffice


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize("root, lang", [("example", "fr"), ("minimal", "en"), ("hostile", "en"),
                                        ("zero-cost", "en")])
def test_libreoffice_opens_and_recalculates_it(projects, tmp_path, root, lang):
    project = projects[root]
    figures = compute_figures(project)
    _workbook, layout = build_workbook(project, figures, lang)
    source = tmp_path / "in" / f"{figures.acronym}.xlsx"
    source.parent.mkdir()
    source.write_bytes(render_workbook(project, figures, lang))
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
    for table in ("capex", "opex", "eu_budget_by_partner", "sensitivity"):
        frame = getattr(figures, table)
        for (row, column), address in layout.tables[table].items():
            assert same(value(address), frame.at[row, column]), (table, row, column)
    texts = [cell.value for sheet in workbook.worksheets for row in sheet.iter_rows()
             for cell in row if isinstance(cell.value, str)]
    assert not [text for text in texts if re.fullmatch(r"#[A-Z/0!?]+[!?]?", text)]
    if root == "hostile":  # LibreOffice read the formula-like texts as texts too
        assert set(HOSTILE) <= set(texts)
