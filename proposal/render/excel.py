"""The budget workbook: the bid's figures as live formulas over its inputs.

`render_workbook(project, figures, lang)` returns the XLSX bytes of
`out/<ACRONYM>_budget_<lang>.xlsx`. Every input of the cost model (prices, rates,
shares, dates, pledges, effort) is an unlocked input cell; every other number is a
formula that rebuilds, from those inputs, the figure the compute stage produced. The
recalculated workbook therefore equals `Figures` to the cent, and changing an input
in Excel or LibreOffice moves every total as `compute_figures` would for the same
change. The only numbers written as plain values are structural facts of the data
(how many sites a phase builds first, a zero of effort where the work plan gives a
partner no part in a package, the numbers of lines and beneficiaries) and the
convention of 8760 operating hours a year, shown locked on the Assumptions sheet.

Sheets, in order: Summary, Assumptions, Phases, Capex, Opex, Financing, Partners,
Effort, EU budget, Sensitivity. Sheet names, headers and notes come from the
`workbook` catalog; categories, statuses and other vocabulary from `Locale.label`.

Formulas name the cells they use by key (`ph/<phase>/power_added_mw`,
`in/energy/pue`...; see `proposal.render.excel_book`), which become absolute A1
addresses once every sheet is laid out; they use A1 references, defined names and
functions the `formulas` package evaluates (no structured table references).

Text from the YAML files is always written as a string cell, never as a formula,
whatever character it starts with.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from ..compute import (
    CAPEX_CATEGORIES,
    EU_DIRECT,
    EU_INDIRECT,
    HOURS_PER_YEAR,
    OPEX_CATEGORIES,
    SHARE_SLACK,
    TOTAL,
    Figures,
)
from ..i18n import N_
from ..models import Project
from .excel_book import (
    HEADER_ROW,
    NOTE_FONT,
    Book,
    Layout,
    Sheet,
    add,
    ref,
    span,
    string_literal,
    sum_of,
    workbook_bytes,
)

SHEETS = {
    "summary": N_("Summary"),
    "assumptions": N_("Assumptions"),
    "phases": N_("Phases"),
    "capex": N_("Capex"),
    "opex": N_("Opex"),
    "financing": N_("Financing"),
    "partners": N_("Partners"),
    "effort": N_("Effort"),
    "eu": N_("EU budget"),
    "sensitivity": N_("Sensitivity"),
}
"""Sheet keys and their (translated) names, in workbook order."""

# =================================================================== entry points


def render_workbook(project: Project, figures: Figures, lang: str) -> bytes:
    """The budget workbook of one language, as XLSX bytes (the same bytes every time)."""
    workbook, _layout = build_workbook(project, figures, lang)
    submitted = project.consortium.submission_date
    return workbook_bytes(workbook, dt.datetime(submitted.year, submitted.month,
                                                submitted.day))


def build_workbook(project: Project, figures: Figures, lang: str) -> tuple[Workbook, Layout]:
    """The workbook and the layout telling where each figure landed."""
    book = Book(project, figures, lang, SHEETS)
    write_assumptions(book)
    write_phases(book)
    write_capex(book)
    write_opex(book)
    write_effort(book)
    write_financing(book)
    write_partners(book)
    write_eu_budget(book)
    write_sensitivity(book)
    write_summary(book)
    book.finish()
    props = book.wb.properties
    props.title = book._("{acronym} budget workbook").format(acronym=figures.acronym)
    props.creator = project.consortium.name
    props.language = book.locale.tag
    # Excel and LibreOffice compute every formula on opening: no cached values exist.
    book.wb.calculation.fullCalcOnLoad = True
    return book.wb, book.layout


# ===================================================================== assumptions


@dataclass(frozen=True)
class Input:
    """One row of the Assumptions sheet."""

    section: str
    item: str
    key: str
    value: Any
    kind: str
    unit: str
    origin: Any = None
    """The model object carrying `source`/`assumption`/`note`, when there is one."""
    name: str | None = None
    status: str | None = None
    """Overrides the status derived from `origin` (settings of the data files)."""
    note: str | None = None
    locked: bool = False
    """A convention shown for reference, not an input."""


def name_part(identifier: str) -> str:
    """An id as part of a defined name (letters, digits and underscores)."""
    return re.sub(r"[^A-Za-z0-9]", "_", identifier)


def assumption_inputs(book: Book) -> list[Input]:
    """Every input of the workbook's formulas, with provenance, in reading order."""
    _ = book._
    project = book.project
    cm, energy, plan, fin = (project.cost_model, project.cost_model.energy,
                             project.workplan, project.financing)
    setting = _("Setting")
    rows: list[Input] = []
    section = _("Project")
    rows += [
        Input(section, _("Project start (month 1 of the work plan)"), "in/start",
              project.consortium.start_date, "date", _("date"), name="ProjectStart",
              status=setting),
        Input(section, _("Amortisation period of the capex"), "in/amortisation",
              cm.amortisation_years, "count", _("years"), name="AmortisationYears",
              status=setting),
        Input(section, _("Long-term IT power target"), "in/ultimate", cm.ultimate_power_mw.value,
              "mw", _("MW"), cm.ultimate_power_mw, name="UltimatePowerMW"),
        Input(section, _("Move of each driver in the sensitivity table"), "in/step",
              cm.sensitivity_step, "share", _("share"), name="SensitivityStep",
              status=setting),
        Input(section, _("Operating hours in a year of service"), "in/hours", HOURS_PER_YEAR,
              "count", _("hours"), name="HoursPerYear", status=_("Convention"), locked=True),
    ]
    section = _("Accelerators")
    for t in cm.accelerator_types:
        rows += [
            Input(section, _("{name}: unit price").format(name=t.name),
                  f"in/acc/{t.id}/price", t.unit_price.value, "eur", _("EUR per unit"),
                  t.unit_price, name=f"UnitPrice_{name_part(t.id)}"),
            Input(section, _("{name}: H100 equivalents per unit").format(name=t.name),
                  f"in/acc/{t.id}/h100", t.h100_equivalence.value, "number", _("H100"),
                  t.h100_equivalence),
            Input(section, _("{name}: power per unit").format(name=t.name),
                  f"in/acc/{t.id}/kw", t.power_kw.value, "number", _("kW"), t.power_kw),
        ]
    section = _("Sites")
    rows += [Input(section, _("{name}: grid connection").format(name=s.name),
                   f"in/site/{s.id}/mw", s.max_power_mw.value, "mw", _("MW"), s.max_power_mw)
             for s in cm.sites]
    section = _("Phases")
    types = {t.id: t for t in cm.accelerator_types}
    for phase in cm.phases:
        name = book.text(phase.name)
        rows += [
            Input(section, _("{phase}: start").format(phase=name), f"in/phase/{phase.id}/start",
                  phase.start, "date", _("date"), status=setting),
            Input(section, _("{phase}: in service from").format(phase=name),
                  f"in/phase/{phase.id}/end", phase.end, "date", _("date"), status=setting),
            Input(section, _("{phase}: IT power once complete (cumulative)").format(phase=name),
                  f"in/phase/{phase.id}/power", phase.power_mw.value, "mw", _("MW"),
                  phase.power_mw),
        ]
        rows += [
            Input(section, _("{phase}: {name} added").format(phase=name,
                                                             name=types[item.type].name),
                  f"in/phase/{phase.id}/count/{j}", item.count.value, "count", _("units"),
                  item.count)
            for j, item in enumerate(phase.accelerators)
        ]
    section = _("Energy")
    rows += [
        Input(section, _("Power usage effectiveness (PUE)"), "in/energy/pue", energy.pue.value,
              "number", _("ratio"), energy.pue, name="PUE"),
        Input(section, _("Average utilisation of the IT power"), "in/energy/utilisation",
              energy.utilisation.value, "share", _("share"), energy.utilisation,
              name="Utilisation"),
        Input(section, _("Electricity price"), "in/energy/price",
              energy.price_eur_per_mwh.value, "eur2", _("EUR per MWh"),
              energy.price_eur_per_mwh, name="EnergyPrice"),
        Input(section, _("Carbon intensity of the supply"), "in/energy/carbon",
              energy.carbon_g_per_kwh.value, "number", _("g CO2e per kWh"),
              energy.carbon_g_per_kwh, name="CarbonIntensity"),
    ]
    if energy.water_l_per_kwh is not None:
        rows.append(Input(section, _("Water usage per kWh of IT energy"), "in/energy/water",
                          energy.water_l_per_kwh.value, "number", _("litres per kWh"),
                          energy.water_l_per_kwh, name="WaterUsage"))
    rows += [Input(section, _("Share of the supply: {technology}").format(
                       technology=book.label("energy_technology", mix.technology)),
                   f"in/energy/mix/{j}", mix.share.value, "share", _("share"), mix.share)
             for j, mix in enumerate(energy.mix)]
    section = _("Capex rates")
    capex_units = {"per_accelerator": _("EUR per accelerator"), "per_mw": _("EUR per MW"),
                   "per_site": _("EUR per site"), "share_of_capex": _("share")}
    rows += [Input(section, _("{category}: {basis}").format(
                       category=book.label("capex", line.category),
                       basis=book._(CAPEX_BASES[line.basis])),
                   f"in/capex/{i}", line.rate.value,
                   "share" if line.basis == "share_of_capex" else "eur",
                   capex_units[line.basis], line.rate,
                   name=rate_name("CapexRate", cm.capex, i))
             for i, line in enumerate(cm.capex) if line.rate is not None]
    section = _("Opex rates")
    opex_units = {"share_of_capex": _("share per year"), "per_mw_year": _("EUR per MW and year"),
                  "fixed_per_year": _("EUR per year")}
    rows += [Input(section, _("{category}: {basis}").format(
                       category=book.label("opex", line.category),
                       basis=book._(OPEX_BASES[line.basis])),
                   f"in/opex/{i}", line.rate.value,
                   "share" if line.basis == "share_of_capex" else "eur",
                   opex_units[line.basis], line.rate,
                   name=rate_name("OpexRate", cm.opex, i))
             for i, line in enumerate(cm.opex) if line.rate is not None]
    section = _("Work plan")
    rows.append(Input(section, _("Cost of a person-month (default)"), "in/rate",
                      plan.person_month_rate.value, "eur", _("EUR per person-month"),
                      plan.person_month_rate, name="PersonMonthRate"))
    rows += [Input(section, _("Cost of a person-month: {partner}").format(
                       partner=partner_name(project, pid)),
                   f"in/rate/{pid}", rate.value, "eur", _("EUR per person-month"), rate)
             for pid, rate in plan.partner_rates.items()]
    section = _("Financing")
    rows += [
        Input(section, _("EU contribution: share of the total cost"), "in/eu", fin.eu.share.value,
              "share", _("share"), fin.eu.share, name="EUShare"),
        Input(section, _("Member State contribution: share of the total cost"), "in/ms",
              fin.member_state.share.value, "share", _("share"), fin.member_state.share,
              name="MemberStateShare"),
    ]
    rows += [Input(section, _("Loan: {lender}").format(lender=facility.lender),
                   f"in/debt/{n}", facility.amount.value, "eur", _("EUR"), facility.amount)
             for n, facility in enumerate(fin.debt, start=1)]
    rows.append(Input(section, _("Gap or surplus still counted as balanced"), "in/tolerance",
                      fin.tolerance_eur, "eur", _("EUR"), name="FinancingTolerance",
                      status=setting))
    section = _("Partner contributions")
    for partner in project.partners:
        rows += [Input(section, _("{partner}: {kind}").format(
                           partner=partner.short_name, kind=_(PLEDGES[pledge.kind.value])),
                       f"in/pledge/{partner.id}/{j}", pledge.amount, "eur", _("EUR"), pledge,
                       note=None if pledge.description is None
                       else book.text(pledge.description))
                 for j, pledge in enumerate(partner.contributions.pledges)]
        rows += [Input(section, _("{partner}: in kind, {kind}").format(
                           partner=partner.short_name, kind=book.label("in_kind", item.kind)),
                       f"in/inkind/{partner.id}/{j}", item.valuation.value, "eur", _("EUR"),
                       item.valuation,
                       note=book.text(item.description) if item.counts_in_financing
                       else _("Listed only: not counted as a financing source. {text}")
                       .format(text=book.text(item.description)))
                 for j, item in enumerate(partner.contributions.in_kind)
                 if item.valuation is not None]
    section = _("Call")
    call = project.call
    rows.append(Input(section, _("Indirect costs (E): flat rate on eligible direct costs"),
                      "in/indirect", call.indirect_rate, "share", _("share"),
                      name="IndirectRate", status=_("Call rule")))
    for rule in call.share_rules:
        for bound, label in (("min_share", _("{rule}: lowest share of the total cost")),
                             ("max_share", _("{rule}: highest share of the total cost"))):
            if getattr(rule, bound) is not None:
                rows.append(Input(section, label.format(rule=rule.id),
                                  f"in/rule/{rule.id}/{bound}", getattr(rule, bound), "share",
                                  _("share"), rule, note=book.text(rule.description)))
    return rows


PLEDGES = {"cash": N_("cash pledge"), "equity": N_("equity pledge"), "debt": N_("debt pledge")}
"""How each kind of pledge reads in the list of inputs."""


def rate_name(prefix: str, lines: tuple, index: int) -> str:
    """The defined name of a cost line's rate: by category, numbered when it repeats."""
    category = lines[index].category
    same = [i for i, line in enumerate(lines) if line.category == category]
    suffix = "" if len(same) == 1 else f"_{same.index(index) + 1}"
    return f"{prefix}_{category}{suffix}"


def partner_name(project: Project, partner_id: str) -> str:
    """A partner's short name, or its id when the project does not know it."""
    try:
        return project.partner(partner_id).short_name
    except KeyError:
        return partner_id


def write_assumptions(book: Book) -> None:
    """Every input with its unit, defined name, source or assumption flag, and note."""
    _ = book._
    sheet = book.sheets["assumptions"]
    sheet.heading(_("Assumptions"), _(
        "Every input of the workbook. Shaded cells are inputs: change them and every "
        "sheet recalculates. Person-months and work-package months are entered on the "
        "Effort sheet."))
    row = HEADER_ROW
    last = sheet.header(row, [_("Section"), _("Item"), _("Value"), _("Unit"), _("Name"),
                              _("Source"), _("Status"), _("Note")])
    sources = book.project.sources
    for entry in assumption_inputs(book):
        row += 1
        origin = entry.origin
        source_id = getattr(origin, "source", None)
        note = entry.note
        if note is None and getattr(origin, "note", None) is not None:
            note = book.text(origin.note)
        sheet.text(row, 1, entry.section)
        sheet.text(row, 2, entry.item, wrap=True)
        if entry.locked:
            sheet.value(row, 3, entry.value, entry.kind, key=entry.key)  # a convention
        else:
            sheet.input(row, 3, entry.value, entry.kind, entry.key)
        sheet.text(row, 4, entry.unit)
        sheet.text(row, 5, entry.name)
        if source_id is not None:
            source = sources.get(source_id)
            sheet.text(row, 6, source_id if source is None else f"[{source_id}] {source.title}",
                       wrap=True)
        sheet.text(row, 7, entry.status or provenance_status(book, origin))
        sheet.text(row, 8, note, wrap=True)
        if entry.name:
            book.name(entry.name, entry.key)
    sheet.finish({1: 20, 2: 48, 3: 16, 4: 20, 5: 26, 6: 40, 7: 14, 8: 80}, "C5",
                 f"A{HEADER_ROW}:{get_column_letter(last)}{row}")


def provenance_status(book: Book, origin: Any) -> str:
    """`Sourced`, `Assumption` or `Not documented`, from a figure's provenance."""
    if getattr(origin, "source", None) is not None:
        return book._("Sourced")
    if getattr(origin, "assumption", False):
        return book._("Assumption")
    return book._("Not documented")


CAPEX_BASES = {
    "unit_price": N_("units x unit price"),
    "per_accelerator": N_("per accelerator added"),
    "per_mw": N_("per MW added"),
    "per_site": N_("per new site"),
    "share_of_capex": N_("share of the phase's other capex"),
}
"""How each capex basis reads in the workbook."""

OPEX_BASES = {
    "energy": N_("MW in service x PUE x utilisation x hours x price"),
    "share_of_capex": N_("share of the capex in service, per year"),
    "per_mw_year": N_("per MW in service and year"),
    "fixed_per_year": N_("fixed per year once the first phase serves"),
    "workplan_personnel": N_("work-plan person-months x monthly rates"),
}
"""How each opex basis reads in the workbook."""


# ========================================================================== phases

PHASE_COLUMNS = (
    ("start", N_("Start"), "date"),
    ("end", N_("In service from"), "date"),
    ("power_mw", N_("IT power (MW, cumulative)"), "mw"),
    ("power_added_mw", N_("IT power added (MW)"), "mw"),
    ("facility_power_mw", N_("Facility power (MW, x PUE)"), "mw"),
    ("accelerators_added", N_("Accelerators added"), "count"),
    ("accelerators", N_("Accelerators (cumulative)"), "count"),
    ("h100_equivalents_added", N_("H100 equivalents added"), "count"),
    ("h100_equivalents", N_("H100 equivalents (cumulative)"), "count"),
    ("accelerator_power_added_mw", N_("Accelerator draw added (MW)"), "mw"),
    ("accelerator_power_mw", N_("Accelerator draw (MW, cumulative)"), "mw"),
    ("sites_added", N_("Sites first built"), "count"),
    ("purchase_eur", N_("Accelerator purchase (EUR)"), "eur"),
    ("capex_eur", N_("Capex (EUR)"), "eur"),
    ("capex_cumulative_eur", N_("Capex, cumulative (EUR)"), "eur"),
)
"""Columns of the phases block: `Figures.phases` column, header, format."""

ACCELERATOR_COLUMNS = (
    ("count", N_("Units added"), "count"),
    ("h100_equivalents", N_("H100 equivalents"), "count"),
    ("power_mw", N_("Draw at full load (MW)"), "mw"),
    ("unit_price_eur", N_("Unit price (EUR)"), "eur"),
    ("purchase_eur", N_("Purchase (EUR)"), "eur"),
)
"""Columns of the accelerators block: `Figures.phase_accelerators` column, header, format."""

CAPACITY_COLUMNS = (
    ("power_mw", N_("IT power at year end (MW)"), "mw"),
    ("facility_power_mw", N_("Facility power at year end (MW)"), "mw"),
    ("accelerators", N_("Accelerators at year end"), "count"),
    ("h100_equivalents", N_("H100 equivalents at year end"), "count"),
    ("power_in_service_mw", N_("IT power in service (MW, year average)"), "mw"),
    ("accelerators_in_service", N_("Accelerators in service (year average)"), "number"),
    ("h100_in_service", N_("H100 equivalents in service (year average)"), "number"),
    ("capex_in_service_eur", N_("Capex in service (EUR, year average)"), "eur"),
    ("accelerator_capex_in_service_eur",
     N_("Of which moves with accelerator prices (EUR)"), "eur"),
    ("first_phase_in_service", N_("Share of the year the first phase serves"), "share"),
    ("gpu_hours", N_("Accelerator-hours delivered"), "hours"),
    ("h100_hours", N_("H100-hours delivered"), "hours"),
    ("it_energy_gwh", N_("IT energy (GWh)"), "number"),
    ("energy_gwh", N_("Facility energy (GWh)"), "number"),
    ("emissions_t", N_("Emissions (t CO2e)"), "count"),
    ("water_m3", N_("Water (m3)"), "count"),
)
"""Columns of the capacity-by-year block after the in-service shares."""


def write_phases(book: Book) -> None:
    """Phases, accelerators per phase and type, and capacity per year."""
    _ = book._
    sheet = book.sheets["phases"]
    sheet.heading(_("Phases and capacity"), _(
        "Capacity of each build-out phase from the inputs; a phase's increment is in "
        "service from its date on, for that share of each year's days."))
    last_row = write_phase_rows(book, sheet, HEADER_ROW)
    filter_ref = f"A{HEADER_ROW}:{get_column_letter(len(PHASE_COLUMNS) + 2)}{last_row}"
    row = write_phase_accelerators(book, sheet, last_row + 2)
    write_capacity_by_year(book, sheet, row + 2)
    sheet.finish({1: 22, 2: 30, **{c: 15 for c in range(3, 40)}}, f"C{HEADER_ROW + 1}",
                 filter_ref, blocks=3)


def write_phase_rows(book: Book, sheet: Sheet, row: int) -> int:
    """One row per phase: its inputs, what it adds and the cumulative capacity.

    Returns the last row written."""
    _ = book._
    figures = book.figures
    phases = list(figures.phases.index)
    items = figures.phase_accelerators
    names = {p.id: book.text(p.name) for p in book.project.cost_model.phases}
    sheet.header(row, [_("Phase"), _("Name"), *(_(title) for _c, title, _k in PHASE_COLUMNS)])
    for n, pid in enumerate(phases):
        row += 1
        prev = phases[n - 1] if n else None
        added = [i for i in items.index if items.at[i, "phase"] == pid]

        def of_items(column: str, added: list = added) -> str:
            """The sum over the phase's rows of the accelerators block."""
            return sum_of(f"pa/{added[0]}/{column}", f"pa/{added[-1]}/{column}") if added else "0"

        def cumulative(column: str, increment: str, pid: str = pid,
                       prev: str | None = prev) -> str:
            here = ref(f"ph/{pid}/{increment}")
            return here if prev is None else f"{ref(f'ph/{prev}/{column}')}+{here}"

        power = ref(f"ph/{pid}/power_mw")
        formulas = {
            "start": ref(f"in/phase/{pid}/start"),
            "end": ref(f"in/phase/{pid}/end"),
            "power_mw": ref(f"in/phase/{pid}/power"),
            "power_added_mw": power if prev is None else f"{power}-{ref(f'ph/{prev}/power_mw')}",
            "facility_power_mw": f"{power}*PUE",
            "accelerators_added": of_items("count"),
            "accelerators": cumulative("accelerators", "accelerators_added"),
            "h100_equivalents_added": of_items("h100_equivalents"),
            "h100_equivalents": cumulative("h100_equivalents", "h100_equivalents_added"),
            "accelerator_power_added_mw": of_items("power_mw"),
            "accelerator_power_mw": cumulative("accelerator_power_mw",
                                               "accelerator_power_added_mw"),
            "purchase_eur": of_items("purchase_eur"),
            "capex_eur": ref(f"cx/{pid}/{TOTAL}"),
            "capex_cumulative_eur": cumulative("capex_cumulative_eur", "capex_eur"),
        }
        sheet.text(row, 1, pid)
        sheet.text(row, 2, names[pid])
        for col, (column, _title, kind) in enumerate(PHASE_COLUMNS, start=3):
            key, mirror = f"ph/{pid}/{column}", ("phases", pid, column)
            if column == "sites_added":  # which sites a phase builds first is structure
                sheet.value(row, col, figures.phases.at[pid, column], kind, key, mirror)
            else:
                sheet.formula(row, col, formulas[column], kind, key, mirror)
    return row


def write_phase_accelerators(book: Book, sheet: Sheet, row: int) -> int:
    """One row per phase and accelerator type: units, H100 equivalents, draw, purchase.

    Returns the last row written."""
    _ = book._
    items = book.figures.phase_accelerators
    types = {t.id: t for t in book.project.cost_model.accelerator_types}
    sheet.block(row, _("Accelerators by phase and type"))
    row += 1
    sheet.header(row, [_("Phase"), _("Type"), *(_(t) for _c, t, _k in ACCELERATOR_COLUMNS)])
    counters: dict[str, int] = {}
    for i in items.index:
        row += 1
        pid, type_id = items.at[i, "phase"], items.at[i, "type"]
        j = counters[pid] = counters.get(pid, -1) + 1  # the item's index in its phase
        count = ref(f"pa/{i}/count")
        formulas = {
            "count": ref(f"in/phase/{pid}/count/{j}"),
            "h100_equivalents": f"{count}*{ref(f'in/acc/{type_id}/h100')}",
            "power_mw": f"{count}*{ref(f'in/acc/{type_id}/kw')}/1000",
            "unit_price_eur": ref(f"in/acc/{type_id}/price"),
            "purchase_eur": f"{count}*{ref(f'pa/{i}/unit_price_eur')}",
        }
        sheet.text(row, 1, pid)
        sheet.text(row, 2, types[type_id].name)
        for col, (column, _title, kind) in enumerate(ACCELERATOR_COLUMNS, start=3):
            sheet.formula(row, col, formulas[column], kind, f"pa/{i}/{column}",
                          ("phase_accelerators", i, column))
    return row


def write_capacity_by_year(book: Book, sheet: Sheet, row: int) -> int:
    """One row per costed year: the share of it each phase serves, installed and
    in-service capacity, delivered hours, energy, emissions and water.

    Returns the last row written."""
    _ = book._
    figures = book.figures
    phases = list(figures.phases.index)
    years = list(figures.capacity_by_year.index)
    water = book.project.cost_model.energy.water_l_per_kwh is not None
    columns = [c for c in CAPACITY_COLUMNS if water or c[0] != "water_m3"]
    sheet.block(row, _("Capacity by year"))
    row += 1
    sheet.header(row, [_("Year"), *(_("In service: {phase}").format(phase=pid) for pid in phases),
                       *(_(title) for _c, title, _k in columns)])
    hours = "HoursPerYear*Utilisation"
    for n, year in enumerate(years):
        row += 1
        here = f"cap/{year}/"
        y = ref(here + "year")
        first = f"YEAR(MIN({span(f'ph/{phases[0]}/start', f'ph/{phases[-1]}/start')}))"
        sheet.formula(row, 1, first if n == 0 else f"{ref(f'cap/{years[n - 1]}/year')}+1",
                      "year", here + "year")
        for col, pid in enumerate(phases, start=2):
            # The share of the year's days on or after the phase's in-service date.
            end = ref(f"ph/{pid}/end")
            sheet.formula(row, col, f"MAX(0,DATE({y},12,31)-MAX({end},DATE({y},1,1))+1)"
                                    f"/(DATE({y},12,31)-DATE({y},1,1)+1)",
                          "share", f"{here}share/{pid}")

        def in_service(of: str, here: str = here) -> str:
            """The year average of a phase quantity: each phase's weighted by its share."""
            return add(f"{ref(f'{here}share/{pid}')}*{ref(of.format(pid=pid))}" for pid in phases)

        def installed(column: str, y: str = y) -> str:
            """The sum of a phase increment over the phases in service by the year's end."""
            return add(f"IF({ref(f'ph/{pid}/end')}<=DATE({y},12,31),{ref(f'ph/{pid}/{column}')},0)"
                       for pid in phases)

        formulas = {
            "power_mw": installed("power_added_mw"),
            "facility_power_mw": f"{ref(here + 'power_mw')}*PUE",
            "accelerators": installed("accelerators_added"),
            "h100_equivalents": installed("h100_equivalents_added"),
            "power_in_service_mw": in_service("ph/{pid}/power_added_mw"),
            "accelerators_in_service": in_service("ph/{pid}/accelerators_added"),
            "h100_in_service": in_service("ph/{pid}/h100_equivalents_added"),
            "capex_in_service_eur": in_service("ph/{pid}/capex_eur"),
            "accelerator_capex_in_service_eur": in_service("cl/acc/{pid}"),
            "first_phase_in_service": ref(f"{here}share/{phases[0]}"),
            "gpu_hours": f"{ref(here + 'accelerators_in_service')}*{hours}",
            "h100_hours": f"{ref(here + 'h100_in_service')}*{hours}",
            "it_energy_gwh": f"{ref(here + 'power_in_service_mw')}*{hours}/1000",
            "energy_gwh": f"{ref(here + 'it_energy_gwh')}*PUE",
            "emissions_t": f"{ref(here + 'energy_gwh')}*CarbonIntensity",
            "water_m3": f"{ref(here + 'it_energy_gwh')}*WaterUsage*1000",
        }
        for col, (column, _title, kind) in enumerate(columns, start=2 + len(phases)):
            mirror = (None if column == "accelerator_capex_in_service_eur"  # a helper
                      else ("capacity_by_year", year, column))
            sheet.formula(row, col, formulas[column], kind, here + column, mirror)
    book.name("FirstYear", f"cap/{years[0]}/year")
    book.name("LastYear", f"cap/{years[-1]}/year")
    return row


# =========================================================================== costs

LINE_COLUMNS = (N_("Line"), N_("Category"), N_("Basis"), N_("Rate"), N_("EU category"),
                N_("Beneficiary"), N_("Work package"))
"""Leading columns of the capex and opex line blocks."""


def write_line_head(book: Book, sheet: Sheet, row: int, i: int, line: Any, group: str,
                    bases: dict[str, str], rate_key: str | None) -> None:
    """The description columns of a cost line: category, basis, rate, who and where."""
    sheet.value(row, 1, i + 1, "count")
    sheet.text(row, 2, book.label(group, line.category))
    sheet.text(row, 3, book._(bases[line.basis]), wrap=True)
    if rate_key is not None:
        kind = "rate" if line.basis == "share_of_capex" else "eur"
        sheet.formula(row, 4, ref(rate_key), kind)
    sheet.text(row, 5, book.label("eu_category", line.eu_category))
    if line.basis == "workplan_personnel":
        sheet.text(row, 6, book._("per partner (Effort sheet)"))
        sheet.text(row, 7, book._("per work package"))
    else:
        sheet.text(row, 6, partner_name(book.project, line.beneficiary))
        sheet.text(row, 7, line.work_package)


def write_capex(book: Book) -> None:
    """Capex per line and phase, and per phase and category (the `Figures.capex` grid)."""
    _ = book._
    sheet = book.sheets["capex"]
    phases = list(book.figures.phases.index)
    lines = book.project.cost_model.capex
    sheet.heading(_("Capex"), _(
        "Capital expenditure per phase: accelerators at their unit prices, per-accelerator, "
        "per-MW and per-site rates, and shares of the phase's other capex."))
    row = HEADER_ROW
    phase_names = {p.id: book.text(p.name) for p in book.project.cost_model.phases}
    first_col = len(LINE_COLUMNS) + 1
    last = sheet.header(row, [*(_(t) for t in LINE_COLUMNS),
                              *(phase_names[pid] for pid in phases), _("Total")])
    first_row = row + 1
    drivers = {"unit_price": "purchase_eur", "per_accelerator": "accelerators_added",
               "per_mw": "power_added_mw", "per_site": "sites_added"}
    base_lines = [i for i, line in enumerate(lines) if line.basis != "share_of_capex"]
    share_lines = [i for i, line in enumerate(lines) if line.basis == "share_of_capex"]
    priced = [i for i, line in enumerate(lines) if line.basis == "unit_price"]
    for i, line in enumerate(lines):
        row += 1
        rate = None if line.rate is None else f"in/capex/{i}"
        write_line_head(book, sheet, row, i, line, "capex", CAPEX_BASES, rate)
        for col, pid in enumerate(phases, start=first_col):
            if line.basis == "share_of_capex":
                # A share applies to the phase's lines that are not shares themselves.
                formula = f"{ref(rate)}*({add(ref(f'cl/{b}/{pid}') for b in base_lines)})"
            elif line.basis == "unit_price":
                formula = ref(f"ph/{pid}/purchase_eur")
            else:
                formula = f"{ref(f'ph/{pid}/{drivers[line.basis]}')}*{ref(rate)}"
            sheet.formula(row, col, formula, "eur", f"cl/{i}/{pid}")
        sheet.formula(row, first_col + len(phases),
                      sum_of(f'cl/{i}/{phases[0]}', f'cl/{i}/{phases[-1]}'), "eur",
                      f"cl/{i}/{TOTAL}", ("cost_lines", ("capex", i), "amount_eur"))
    filter_ref = f"A{HEADER_ROW}:{get_column_letter(last)}{row}"
    # The part of each phase's capex proportional to the accelerator unit prices: what the
    # sensitivity to accelerator prices moves.
    row += 1
    sheet.text(row, 2, _("Of which moves with accelerator prices"), NOTE_FONT)
    for col, pid in enumerate(phases, start=first_col):
        purchases = add(ref(f"cl/{p}/{pid}") for p in priced)
        shares = "".join(f"+{ref(f'in/capex/{s}')}" for s in share_lines)
        sheet.formula(row, col, f"({purchases})*(1{shares})", "eur", f"cl/acc/{pid}")
    sheet.formula(row, first_col + len(phases),
                  sum_of(f'cl/acc/{phases[0]}', f'cl/acc/{phases[-1]}'), "eur",
                  f"cl/acc/{TOTAL}")

    row += 2
    sheet.block(row, _("Capex by phase and category"))
    row += 1
    write_category_grid(book, sheet, row, "capex", "cx", phases,
                        [phase_names[pid] for pid in phases], CAPEX_CATEGORIES, lines, "cl")
    book.name("Capex", f"cx/{TOTAL}/{TOTAL}")
    sheet.finish({1: 22, 2: 24, 3: 28, 4: 17, 5: 26, 6: 20, 7: 17,
                  **{c: 18 for c in range(8, 8 + len(phases) + 2)}}, f"C{first_row}",
                 filter_ref, blocks=2)


def write_category_grid(book: Book, sheet: Sheet, row: int, table: str, prefix: str,
                        rows: list, labels: list[str], categories: tuple[str, ...],
                        lines: tuple, line_prefix: str) -> int:
    """A rows x categories grid summing the cost lines of each category, with totals.

    Returns the row of the total line."""
    _ = book._
    group = "capex" if table == "capex" else "opex"
    sheet.header(row, [_("Phase") if table == "capex" else _("Year"),
                       *(book.label(group, c) for c in categories), _("Total")])
    for key, label in zip(rows, labels, strict=True):
        row += 1
        if table == "capex":
            sheet.text(row, 1, label)
        else:
            sheet.formula(row, 1, ref(f"cap/{key}/year"), "year")
        for col, category in enumerate(categories, start=2):
            terms = (ref(f"{line_prefix}/{i}/{key}") for i, line in enumerate(lines)
                     if line.category == category)
            sheet.formula(row, col, add(terms), "eur", f"{prefix}/{key}/{category}",
                          (table, key, category))
        sheet.formula(row, len(categories) + 2,
                      sum_of(f'{prefix}/{key}/{categories[0]}', f'{prefix}/{key}/{categories[-1]}'),
                      "eur", f"{prefix}/{key}/{TOTAL}", (table, key, TOTAL))
    row += 1
    sheet.text(row, 1, _("Total"))
    for col, column in enumerate([*categories, TOTAL], start=2):
        sheet.formula(row, col,
                      sum_of(f'{prefix}/{rows[0]}/{column}', f'{prefix}/{rows[-1]}/{column}'),
                      "eur", f"{prefix}/{TOTAL}/{column}", (table, TOTAL, column))
    sheet.total_style(row, 1, len(categories) + 2)
    return row


def write_opex(book: Book) -> None:
    """Opex per line and year, and per year and category (the `Figures.opex` grid)."""
    _ = book._
    sheet = book.sheets["opex"]
    years = list(book.figures.opex.index.drop(TOTAL))
    lines = book.project.cost_model.opex
    sheet.heading(_("Opex"), _(
        "Operating expenditure per costed year, from the capacity in service (Phases "
        "sheet), the energy inputs, the rates and the work plan (Effort sheet)."))
    row = HEADER_ROW
    first_col = len(LINE_COLUMNS) + 1
    last = sheet.header(row, [*(_(t) for t in LINE_COLUMNS),
                              *year_headers(book), _("Total")])
    first_row = row + 1
    shares = [i for i, line in enumerate(lines) if line.basis == "share_of_capex"]
    energy = [i for i, line in enumerate(lines) if line.basis == "energy"]
    for i, line in enumerate(lines):
        row += 1
        rate = None if line.rate is None else f"in/opex/{i}"
        write_line_head(book, sheet, row, i, line, "opex", OPEX_BASES, rate)
        for col, year in enumerate(years, start=first_col):
            sheet.formula(row, col, opex_formula(line.basis, year, rate), "eur",
                          f"ol/{i}/{year}")
        sheet.formula(row, first_col + len(years),
                      sum_of(f"ol/{i}/{years[0]}", f"ol/{i}/{years[-1]}"), "eur",
                      f"ol/{i}/{TOTAL}", None if line.basis == "workplan_personnel"
                      else ("cost_lines", ("opex", i), "amount_eur"))
    filter_ref = f"A{HEADER_ROW}:{get_column_letter(last)}{row}"
    # Parts the sensitivity table moves: opex proportional to the accelerator prices
    # (shares of the capex in service) and the energy lines.
    for key, label, terms in (
        ("acc", _("Of which moves with accelerator prices"),
         lambda year: add(f"{ref(f'in/opex/{s}')}"
                          f"*{ref(f'cap/{year}/accelerator_capex_in_service_eur')}"
                          for s in shares)),
        ("energy", _("Of which energy"),
         lambda year: add(ref(f"ol/{e}/{year}") for e in energy)),
    ):
        row += 1
        sheet.text(row, 2, label, NOTE_FONT)
        for col, year in enumerate(years, start=first_col):
            sheet.formula(row, col, terms(year), "eur", f"ol/{key}/{year}")
        sheet.formula(row, first_col + len(years),
                      sum_of(f'ol/{key}/{years[0]}', f'ol/{key}/{years[-1]}'), "eur",
                      f"ol/{key}/{TOTAL}")

    row += 2
    sheet.block(row, _("Opex by year and category"))
    row += 1
    write_category_grid(book, sheet, row, "opex", "ox", years, [str(y) for y in years],
                        OPEX_CATEGORIES, lines, "ol")
    book.name("Opex", f"ox/{TOTAL}/{TOTAL}")
    sheet.finish({1: 12, 2: 22, 3: 34, 4: 17, 5: 26, 6: 24, 7: 17,
                  **{c: 17 for c in range(8, 8 + len(years) + 2)}}, f"C{first_row}",
                 filter_ref, blocks=2)


def opex_formula(basis: str, year: Any, rate: str | None) -> str:
    """One opex line's amount in one costed year, as `compute_opex_items` costs it."""
    cap = f"cap/{year}/"
    if basis == "energy":
        return (f"{ref(cap + 'power_in_service_mw')}*PUE*Utilisation*HoursPerYear"
                "*EnergyPrice")
    if basis == "workplan_personnel":
        return ref(f"sy/{TOTAL}/{year}")
    driver = {"share_of_capex": "capex_in_service_eur", "per_mw_year": "power_in_service_mw",
              "fixed_per_year": "first_phase_in_service"}[basis]
    return f"{ref(cap + driver)}*{ref(rate)}"


# ========================================================================== effort


def effort_pairs(project: Project) -> list[tuple[str, str]]:
    """(partner, work package) pairs the work plan gives effort for, in plan order."""
    return [(pid, wp.id) for wp in project.workplan.work_packages for pid in wp.effort]


def write_effort(book: Book) -> None:
    """Person-months, personnel cost, the work-package calendar and its costed share."""
    _ = book._
    sheet = book.sheets["effort"]
    plan = book.project.workplan
    efforts = {(pid, wp.id): value for wp in plan.work_packages for pid, value in wp.effort.items()}
    sheet.heading(_("Effort"), _(
        "Person-months per partner and work package (inputs), their cost at each "
        "partner's monthly rate, and the part of it that falls in the costed years "
        "(each package's effort spread evenly over its months)."))

    def effort(row: int, col: int, pid: str, wp: str) -> None:
        if (pid, wp) in efforts:
            sheet.input(row, col, efforts[(pid, wp)], "number", f"pm/{pid}/{wp}")
        else:  # not in the work plan: no effort, and no EU budget row to carry one
            sheet.value(row, col, 0, "number", f"pm/{pid}/{wp}")
        book.layout.tables.setdefault("effort", {})[(pid, wp)] = sheet.place(row, col).address()

    def cost(row: int, col: int, pid: str, wp: str) -> None:
        sheet.formula(row, col, f"{ref(f'pm/{pid}/{wp}')}*{ref(f'rate/{pid}')}", "eur",
                      f"pc/{pid}/{wp}", ("personnel_cost", pid, wp))

    def costed(row: int, col: int, pid: str, wp: str) -> None:
        sheet.formula(row, col, f"{ref(f'pc/{pid}/{wp}')}*{ref(f'wpc/{wp}/share')}", "eur",
                      f"hc/{pid}/{wp}")

    row = write_partner_grid(book, sheet, HEADER_ROW, "pm", "effort", effort, rates=True)
    filter_ref = f"A{HEADER_ROW}:{get_column_letter(len(plan.work_packages) + 3)}{row - 1}"
    book.name("PersonMonths", f"pm/{TOTAL}/{TOTAL}")
    sheet.block(row + 2, _("Personnel cost (EUR)"))
    row = write_partner_grid(book, sheet, row + 3, "pc", "personnel_cost", cost)
    book.name("PersonnelCost", f"pc/{TOTAL}/{TOTAL}")
    row = write_work_package_calendar(book, sheet, row + 2)
    row = write_staff_by_year(book, sheet, row + 2)
    # Per partner and package, the cost in the costed years: the EU budget's staff costs.
    sheet.block(row + 2, _("Personnel cost in the costed years (EUR)"))
    write_partner_grid(book, sheet, row + 3, "hc", None, costed)
    years = len(book.figures.capacity_by_year)
    sheet.finish({1: 26, **{c: 14 for c in range(2, len(plan.work_packages) + years + 6)}},
                 f"B{HEADER_ROW + 1}", filter_ref, blocks=5)


def write_partner_grid(book: Book, sheet: Sheet, row: int, prefix: str, table: str | None,
                       write_cell: Callable[[int, int, str, str], None],
                       rates: bool = False) -> int:
    """A partner x work package grid (cells by `write_cell`) with row and column totals,
    and the partners' monthly rates when asked. Returns the row of the total line."""
    _ = book._
    project = book.project
    wps = [wp.id for wp in project.workplan.work_packages]
    partners = list(book.figures.effort.index.drop(TOTAL))
    kind = "number" if prefix == "pm" else "eur"
    sheet.header(row, [_("Partner"), *wps, _("Total"),
                       *([_("Cost of a person-month")] if rates else [])])
    for pid in partners:
        row += 1
        sheet.text(row, 1, partner_name(project, pid))
        for col, wp in enumerate(wps, start=2):
            write_cell(row, col, pid, wp)
        sheet.formula(row, len(wps) + 2, sum_of(f"{prefix}/{pid}/{wps[0]}",
                                                 f"{prefix}/{pid}/{wps[-1]}"),
                      kind, f"{prefix}/{pid}/{TOTAL}", table and (table, pid, TOTAL))
        if rates:
            own = f"in/rate/{pid}" if pid in project.workplan.partner_rates else "in/rate"
            sheet.formula(row, len(wps) + 3, ref(own), "eur", f"rate/{pid}")
    row += 1
    sheet.text(row, 1, _("Total"))
    for col, column in enumerate([*wps, TOTAL], start=2):
        sheet.formula(row, col, sum_of(f"{prefix}/{partners[0]}/{column}",
                                       f"{prefix}/{partners[-1]}/{column}"),
                      kind, f"{prefix}/{TOTAL}/{column}", table and (table, TOTAL, column))
    sheet.total_style(row, 1, len(wps) + 2)
    return row


def year_headers(book: Book) -> list[tuple[str, str, str]]:
    """Header cells showing the costed years (formulas: the years follow the inputs)."""
    return [("=", ref(f"cap/{year}/year"), "year") for year in book.figures.capacity_by_year.index]


def write_work_package_calendar(book: Book, sheet: Sheet, row: int) -> int:
    """Each package's months (inputs), and how many fall in each costed year.

    Returns the last row written."""
    _ = book._
    years = list(book.figures.capacity_by_year.index)
    sheet.block(row, _("Work-package calendar"))
    row += 1
    sheet.header(row, [_("Work package"), _("First month"), _("Last month"), _("Months"),
                       *year_headers(book), _("Share in the costed years")])
    # Project month m is the absolute month YEAR(start) * 12 + MONTH(start) - 2 + m.
    origin = "YEAR(ProjectStart)*12+MONTH(ProjectStart)-2"
    for wp in book.project.workplan.work_packages:
        row += 1
        here = f"wpc/{wp.id}/"
        first, last = ref(here + "start"), ref(here + "end")
        sheet.text(row, 1, wp.id)
        sheet.input(row, 2, wp.start_month, "month", here + "start")
        sheet.input(row, 3, wp.end_month, "month", here + "end")
        sheet.formula(row, 4, f"{last}-{first}+1", "month", here + "months")
        for col, year in enumerate(years, start=5):
            y = ref(f"cap/{year}/year")
            sheet.formula(row, col, f"MAX(0,MIN({origin}+{last},12*{y}+11)"
                                    f"-MAX({origin}+{first},12*{y})+1)", "month", f"{here}{year}")
        sheet.formula(row, 5 + len(years), f"{sum_of(f'{here}{years[0]}', f'{here}{years[-1]}')}"
                                           f"/{ref(here + 'months')}", "share", here + "share")
    return row


def write_staff_by_year(book: Book, sheet: Sheet, row: int) -> int:
    """Personnel cost per package and costed year, each package's cost spread evenly over
    its months: the staff opex. Returns the row of the total line."""
    _ = book._
    years = list(book.figures.capacity_by_year.index)
    wps = [wp.id for wp in book.project.workplan.work_packages]
    sheet.block(row, _("Personnel cost by costed year (EUR)"))
    row += 1
    sheet.header(row, [_("Work package"), *year_headers(book), _("Total")])
    for wp in wps:
        row += 1
        sheet.text(row, 1, wp)
        for col, year in enumerate(years, start=2):
            sheet.formula(row, col, f"{ref(f'pc/{TOTAL}/{wp}')}*{ref(f'wpc/{wp}/{year}')}"
                                    f"/{ref(f'wpc/{wp}/months')}", "eur", f"sy/{wp}/{year}")
        sheet.formula(row, len(years) + 2, sum_of(f"sy/{wp}/{years[0]}", f"sy/{wp}/{years[-1]}"),
                      "eur", f"sy/{wp}/{TOTAL}")
    row += 1
    sheet.text(row, 1, _("Total"))
    for col, year in enumerate([*years, TOTAL], start=2):
        sheet.formula(row, col, sum_of(f"sy/{wps[0]}/{year}", f"sy/{wps[-1]}/{year}"), "eur",
                      f"sy/{TOTAL}/{year}")
    sheet.total_style(row, 1, len(years) + 2)
    return row


# ======================================================================= financing


def write_partners(book: Book) -> None:
    """One row per partner: pledges by kind, valued contributions in kind, status."""
    _ = book._
    sheet = book.sheets["partners"]
    project = book.project
    sheet.heading(_("Partners"), _(
        "Pledges and valued contributions in kind of each partner (amounts entered on the "
        "Assumptions sheet); the total counts towards the financing."))
    columns = (("cash", _("Cash pledged")), ("equity", _("Equity pledged")),
               ("debt", _("Debt pledged")), ("in_kind", _("In kind (counted)")),
               ("in_kind_not_counted", _("In kind (listed only)")), (TOTAL, _("Total")),
               ("share", _("Share of the total cost")))
    row = HEADER_ROW
    last = sheet.header(row, [_("Id"), _("Short name"), _("Legal name"), _("Country"),
                              _("Organisation type"), _("Status"), _("Founding member"),
                              *(title for _c, title in columns)])
    first = 8
    for partner in project.partners:
        row += 1
        pid = partner.id
        sheet.text(row, 1, pid)
        sheet.text(row, 2, partner.short_name)
        sheet.text(row, 3, partner.legal_name)
        sheet.text(row, 4, partner.country)
        sheet.text(row, 5, book.label("organisation_type", partner.organisation_type.value))
        sheet.text(row, 6, book.label("status", partner.status.value))
        sheet.text(row, 7, _("Yes") if partner.founding_member else _("No"))
        contributions = partner.contributions
        sums = {
            kind: add(ref(f"in/pledge/{pid}/{j}")
                      for j, p in enumerate(contributions.pledges) if p.kind.value == kind)
            for kind in ("cash", "equity", "debt")
        }
        sums["in_kind"] = add(ref(f"in/inkind/{pid}/{j}")
                              for j, item in enumerate(contributions.in_kind)
                              if item.valuation is not None and item.counts_in_financing)
        sums["in_kind_not_counted"] = add(
            ref(f"in/inkind/{pid}/{j}") for j, item in enumerate(contributions.in_kind)
            if item.valuation is not None and not item.counts_in_financing)
        sums[TOTAL] = add(ref(f"pl/{pid}/{k}") for k in ("cash", "equity", "debt", "in_kind"))
        sums["share"] = share_of_cost(ref(f"pl/{pid}/{TOTAL}"))
        for col, (column, _title) in enumerate(columns, start=first):
            sheet.formula(row, col, sums[column], "share" if column == "share" else "eur",
                          f"pl/{pid}/{column}", ("pledges", pid, column))
    filter_ref = f"A{HEADER_ROW}:{get_column_letter(last)}{row}"
    row += 1
    sheet.text(row, 1, _("Total"))
    ids = [p.id for p in project.partners]
    for col, (column, _title) in enumerate(columns, start=first):
        formula = (share_of_cost(ref(f"pl/{TOTAL}/{TOTAL}")) if column == "share" else
                   sum_of(f'pl/{ids[0]}/{column}', f'pl/{ids[-1]}/{column}'))
        sheet.formula(row, col, formula, "share" if column == "share" else "eur",
                      f"pl/{TOTAL}/{column}", ("pledges", TOTAL, column))
    sheet.total_style(row, 1, last)
    sheet.finish({1: 14, 2: 18, 3: 36, 4: 9, 5: 22, 6: 14, 7: 10,
                  **{c: 17 for c in range(8, last + 1)}}, "C5", filter_ref)


def write_financing(book: Book) -> None:
    """Financing sources against the total cost, the gap, and the call's share rules."""
    _ = book._
    sheet = book.sheets["financing"]
    project, table = book.project, book.figures.financing
    sheet.heading(_("Financing"), _(
        "Public contributions are shares of the total cost; partner pledges come from the "
        "Partners sheet and loans from the Assumptions sheet."))
    row = HEADER_ROW
    last = sheet.header(row, [_("Source"), _("Kind"), _("Partner"), _("Lender"),
                              _("Amount (EUR)"), _("Share of the total cost")])
    sources = list(table.index.drop(TOTAL))
    for source in sources:
        row += 1
        kind, partner = table.at[source, "kind"], table.at[source, "partner"]
        lender = table.at[source, "lender"]
        sheet.text(row, 1, source)
        sheet.text(row, 2, book.label("financing_kind", kind))
        if partner is not None and not _missing(partner):
            sheet.text(row, 3, partner_name(project, partner))
        if lender is not None and not _missing(lender):
            sheet.text(row, 4, lender)
        if source == "eu":
            amount = "EUShare*TotalCost"
        elif source == "member_state":
            amount = "MemberStateShare*TotalCost"
        elif source.startswith("debt:"):
            amount = ref(f"in/{source.replace(':', '/')}")
        else:
            pid, pledge_kind = source.rsplit(":", 1)
            amount = ref(f"pl/{pid}/{pledge_kind}")
        sheet.formula(row, 5, amount, "eur", f"fin/{source}/amount",
                      ("financing", source, "amount_eur"))
        sheet.formula(row, 6, share_of_cost(ref(f"fin/{source}/amount")), "share", None,
                      ("financing", source, "share"))
    filter_ref = f"A{HEADER_ROW}:{get_column_letter(last)}{row}"
    row += 1
    sheet.text(row, 1, _("Total"))
    sheet.formula(row, 5, sum_of(f'fin/{sources[0]}/amount', f'fin/{sources[-1]}/amount'),
                  "eur", f"fin/{TOTAL}/amount", ("financing", TOTAL, "amount_eur"))
    sheet.formula(row, 6, share_of_cost(ref(f"fin/{TOTAL}/amount")), "share", None,
                  ("financing", TOTAL, "share"))
    sheet.total_style(row, 1, last)
    book.name("FinancingTotal", f"fin/{TOTAL}/amount")
    yes, no = string_literal(_("Yes")), string_literal(_("No"))
    for key, label, formula, kind in (
        ("fin/cost", _("Total cost"), "TotalCost", "eur"),
        ("fin/gap", _("Gap (positive) or surplus (negative)"),
         f"TotalCost-{ref(f'fin/{TOTAL}/amount')}", "eur"),
        ("fin/balanced", _("Balanced within the tolerance"),
         f"IF(ABS({ref('fin/gap')})<=FinancingTolerance,{yes},{no})", "count"),
    ):
        row += 1
        sheet.text(row, 1, label)
        sheet.formula(row, 5, formula, kind, key)
    book.name("FinancingGap", "fin/gap")

    # -- the call's share rules
    rules = project.call.share_rules
    if rules:
        row += 2
        sheet.block(row, _("Share rules of the call"))
        row += 1
        sheet.header(row, [_("Rule"), _("Financing sources"), _("Description"), _("Amount (EUR)"),
                           _("Share of the total cost"), _("Lowest share"), _("Highest share"),
                           _("Met")])
        for rule in rules:
            row += 1
            here = f"rule/{rule.id}/"
            sheet.text(row, 1, rule.id)
            sheet.text(row, 2, " + ".join(book.label("financing_kind", k)
                                          for k in rule.financing_sources), wrap=True)
            sheet.text(row, 3, book.text(rule.description), wrap=True)
            terms = [ref(f"fin/{s}/amount") for s in sources
                     if table.at[s, "kind"] in rule.financing_sources]
            sheet.formula(row, 4, add(terms), "eur", here + "amount",
                          ("share_rules", rule.id, "amount_eur"))
            sheet.formula(row, 5, share_of_cost(ref(here + "amount")), "share", here + "share",
                          ("share_rules", rule.id, "share"))
            tests = []
            for col, bound, sign in ((6, "min_share", ">="), (7, "max_share", "<=")):
                if getattr(rule, bound) is None:
                    continue
                sheet.formula(row, col, ref(f"in/rule/{rule.id}/{bound}"), "rate",
                              here + bound, ("share_rules", rule.id, bound))
                slack = "-" if sign == ">=" else "+"
                # Shares this close to a bound count as on it, as in the compute stage.
                tests.append(f"{ref(here + 'share')}{sign}{ref(here + bound)}"
                             f"{slack}{SHARE_SLACK:.0E}")
            # Without a cost there is no share to bound: the rule holds, as in compute.
            met = f"OR({ref(here + 'share')}=\"\",AND({','.join(tests) or 'TRUE'}))"
            sheet.formula(row, 8, f"IF({met},{yes},{no})", "count", None,
                          ("share_rules", rule.id, "ok"))
    sheet.finish({1: 22, 2: 26, 3: 40, 4: 24, 5: 20, 6: 16, 7: 14, 8: 10}, "B5", filter_ref,
                 blocks=1 + bool(rules))


def share_of_cost(amount: str) -> str:
    """`amount` as a share of the total cost; empty, as compute's NaN, when it is 0."""
    return f'IF(TotalCost=0,"",{amount}/TotalCost)'


def _missing(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


# ======================================================================= EU budget

EU_COLUMNS = (*EU_DIRECT, "direct", EU_INDIRECT, TOTAL)
"""Columns of the EU budget tables: direct categories, direct total, indirect, total."""


def ordered(first: Iterable[str], second: Iterable[str], order: list[str]) -> list[str]:
    """The union of two id lists, known ids in `order` first, others after in first-seen order."""
    seen = list(dict.fromkeys([*first, *second]))
    rank = {key: n for n, key in enumerate(order)}
    return sorted(seen, key=lambda key: (rank.get(key, len(order)), seen.index(key)))


def eu_contributions(project: Project) -> dict[tuple[str, str], dict[str, list[str]]]:
    """The cost-line cells each (beneficiary, work package) pair adds up, by EU category.

    A line's total goes to its beneficiary, work package and category; the staff line
    (`workplan_personnel`) goes to every partner and package of the work plan, with the
    cost of their effort in the costed years."""
    contributions: dict[tuple[str, str], dict[str, list[str]]] = {}

    def contribute(pid: str, wp: str, category: str, term: str) -> None:
        contributions.setdefault((pid, wp), {}).setdefault(category, []).append(term)

    for i, line in enumerate(project.cost_model.capex):
        contribute(line.beneficiary, line.work_package, line.eu_category,
                   ref(f"cl/{i}/{TOTAL}"))
    for i, line in enumerate(project.cost_model.opex):
        if line.basis == "workplan_personnel":
            for pid, wp in effort_pairs(project):
                contribute(pid, wp, line.eu_category, ref(f"hc/{pid}/{wp}"))
        else:
            contribute(line.beneficiary, line.work_package, line.eu_category,
                       ref(f"ol/{i}/{TOTAL}"))
    return contributions


def write_eu_budget(book: Book) -> None:
    """The EU view: beneficiaries, work packages, and costs per category for each
    beneficiary and work package, with indirect costs at the call's flat rate."""
    _ = book._
    sheet = book.sheets["eu"]
    project, figures = book.project, book.figures
    contributions = eu_contributions(project)
    partners = ordered(figures.eu_budget_by_partner.index.drop(TOTAL),
                       (pid for pid, _wp in contributions), [p.id for p in project.partners])
    wps = ordered(figures.eu_budget_by_work_package.index.drop(TOTAL),
                  (wp for _pid, wp in contributions),
                  [wp.id for wp in project.workplan.work_packages])
    pairs = sorted(contributions, key=lambda pair: (partners.index(pair[0]),
                                                    wps.index(pair[1])))
    excluded = project.call.indirect_excludes
    sheet.heading(_("EU budget"), _(
        "The costs in the EU categories (A personnel, B subcontracting, C purchases, "
        "D other), per beneficiary and work package; E is the flat rate of indirect "
        "costs on the direct costs outside {excluded}.").format(
            excluded=", ".join(excluded) or "–"))
    row = write_eu_lists(book, sheet, partners, wps)

    # -- the detailed table: beneficiary x work package
    sheet.block(row + 2, _("Costs per beneficiary and work package (EUR)"))
    row += 3
    detail_header = row
    last = sheet.header(row, [_("Beneficiary"), _("Work package"),
                              *(book.label("eu_category", c) for c in EU_COLUMNS)])
    for pid, wp in pairs:
        row += 1
        sheet.text(row, 1, partner_name(project, pid))
        sheet.text(row, 2, wp)
        write_eu_row(book, sheet, row, 3, f"eud/{pid}/{wp}", None, None,
                     {c: add(contributions[(pid, wp)].get(c, [])) for c in EU_DIRECT})
    filter_ref = f"A{detail_header}:{get_column_letter(last)}{row}"
    row += 1
    sheet.text(row, 1, _("Total"))
    write_eu_totals(sheet, row, 3, "eud", [f"{pid}/{wp}" for pid, wp in pairs], None)
    sheet.total_style(row, 1, last)

    # -- per beneficiary and per work package: sums of the detailed rows
    for table, prefix, title, header, keys, side in (
        ("eu_budget_by_partner", "eup", _("Costs per beneficiary (EUR)"), _("Beneficiary"),
         partners, 0),
        ("eu_budget_by_work_package", "euw", _("Costs per work package (EUR)"),
         _("Work package"), wps, 1),
    ):
        sheet.block(row + 2, title)
        row += 3
        sheet.header(row, [header, *(book.label("eu_category", c) for c in EU_COLUMNS)])
        for key in keys:
            row += 1
            sheet.text(row, 1, partner_name(project, key) if side == 0 else key)
            mine = [pair for pair in pairs if pair[side] == key]
            write_eu_row(book, sheet, row, 2, f"{prefix}/{key}", table, key,
                         {c: add(ref(f"eud/{p}/{w}/{c}") for p, w in mine) for c in EU_DIRECT})
        row += 1
        sheet.text(row, 1, _("Total"))
        write_eu_totals(sheet, row, 2, prefix, keys, table)
        sheet.total_style(row, 1, len(EU_COLUMNS) + 1)
    book.name("EUBudgetTotal", f"eup/{TOTAL}/{TOTAL}")
    sheet.finish({1: 22, 2: 22, 3: 36, **{c: 17 for c in range(4, 14)}}, f"B{HEADER_ROW + 1}",
                 filter_ref, blocks=5)


def write_eu_lists(book: Book, sheet: Sheet, partners: list[str], wps: list[str]) -> int:
    """The beneficiaries and the work packages, as the EU budget table lists them.

    Returns the last row written."""
    _ = book._
    project = book.project
    row = HEADER_ROW
    sheet.header(row, [_("No."), _("Short name"), _("Legal name"), _("PIC"), _("Country"),
                       _("Role")])
    for n, pid in enumerate(partners, start=1):
        row += 1
        sheet.value(row, 1, n, "count")
        sheet.text(row, 2, partner_name(project, pid))
        if pid in {p.id for p in project.partners}:
            partner = project.partner(pid)
            sheet.text(row, 3, partner.legal_name)
            sheet.text(row, 4, partner.pic)
            sheet.text(row, 5, partner.country)
            sheet.text(row, 6, _("Coordinator") if pid == project.consortium.coordinator
                       else _("Beneficiary"))
    sheet.block(row + 2, _("Work packages"))
    row += 3
    sheet.header(row, [_("Work package"), _("Title"), _("Lead"), _("First month"),
                       _("Last month"), _("Person-months")])
    packages = {wp.id: wp for wp in project.workplan.work_packages}
    for wp in wps:
        row += 1
        sheet.text(row, 1, wp)
        if wp in packages:
            sheet.text(row, 2, book.text(packages[wp].title), wrap=True)
            sheet.text(row, 3, partner_name(project, packages[wp].lead))
            sheet.formula(row, 4, ref(f"wpc/{wp}/start"), "month")
            sheet.formula(row, 5, ref(f"wpc/{wp}/end"), "month")
            sheet.formula(row, 6, ref(f"pm/{TOTAL}/{wp}"), "number")
    return row


def write_eu_row(book: Book, sheet: Sheet, row: int, col: int, prefix: str,
                 table: str | None, label: Any, direct: dict[str, str]) -> None:
    """One row of an EU table from `col` on: the direct categories (formulas given), their
    total, the indirect costs on the eligible ones, and the row's total."""
    eligible = [c for c in EU_DIRECT if c not in book.project.call.indirect_excludes]
    cell = {c: ref(f"{prefix}/{c}") for c in EU_COLUMNS}
    formulas = {
        **direct,
        "direct": sum_of(f"{prefix}/{EU_DIRECT[0]}", f"{prefix}/{EU_DIRECT[-1]}"),
        EU_INDIRECT: f"IndirectRate*({add(cell[c] for c in eligible)})",
        TOTAL: f"{cell['direct']}+{cell[EU_INDIRECT]}",
    }
    for offset, column in enumerate(EU_COLUMNS):
        sheet.formula(row, col + offset, formulas[column], "eur", f"{prefix}/{column}",
                      table and (table, label, column))


def write_eu_totals(sheet: Sheet, row: int, col: int, prefix: str, keys: list[str],
                    table: str | None) -> None:
    """The total line of an EU table: each column summed over the table's rows."""
    for offset, column in enumerate(EU_COLUMNS):
        sheet.formula(row, col + offset, sum_of(f"{prefix}/{keys[0]}/{column}",
                                                f"{prefix}/{keys[-1]}/{column}"),
                      "eur", f"{prefix}/{TOTAL}/{column}", table and (table, TOTAL, column))


# ===================================================================== sensitivity

SENSITIVITY_COLUMNS = (
    ("change", N_("Change"), "share"),
    ("factor", N_("Factor applied"), "factor"),
    ("total_cost_eur", N_("Total cost (EUR)"), "eur"),
    ("total_cost_delta_eur", N_("Change in total cost (EUR)"), "eur"),
    ("total_cost_delta_share", N_("Change in total cost (share)"), "share"),
    ("financing_gap_eur", N_("Financing gap (EUR)"), "eur"),
    ("financing_gap_delta_eur", N_("Change in the gap (EUR)"), "eur"),
    ("cost_per_gpu_hour_eur", N_("Cost per accelerator-hour (EUR)"), "eur2"),
)
"""Columns of the sensitivity table: `Figures.sensitivity` column, header, format."""


def write_sensitivity(book: Book) -> None:
    """Total cost, gap and cost per accelerator-hour with one driver moved at a time.

    Each driver acts linearly on a part of the cost (the accelerator prices on the capex
    they price and the opex proportional to it, the energy price, PUE and utilisation on
    the energy lines), so every row is a live formula over those parts."""
    _ = book._
    sheet = book.sheets["sensitivity"]
    table = book.figures.sensitivity
    last_year = book.figures.last_year
    sheet.heading(_("Sensitivity"), _(
        "Each driver moved by the step on the Assumptions sheet, one at a time; PUE "
        "stays at 1 or more and utilisation at 100 % or less."))
    row = HEADER_ROW
    last = sheet.header(row, [_("Driver"), *(_(title) for _c, title, _k in SENSITIVITY_COLUMNS)])
    first_row = row + 1
    helper_row = row + len(table) + 3  # the parts block, below the table
    parts = {
        "acc_cost": (_("Cost that moves with accelerator prices"),
                     f"{ref(f'cl/acc/{TOTAL}')}+{ref(f'ol/acc/{TOTAL}')}"),
        "acc_steady": (_("Yearly steady-state cost that moves with accelerator prices"),
                       f"{ref(f'cl/acc/{TOTAL}')}/AmortisationYears"
                       f"+{ref(f'ol/acc/{last_year}')}"),
        "energy_cost": (_("Energy cost over the costed years"), ref(f"ol/energy/{TOTAL}")),
        "energy_last": (_("Energy cost in the last costed year"),
                        ref(f"ol/energy/{last_year}")),
        "fixed_sources": (_("Financing sources that are not shares of the cost"),
                          f"FinancingTotal-{ref('fin/eu/amount')}"
                          f"-{ref('fin/member_state/amount')}"),
    }
    moves = {  # driver: (factor, part of the total cost, part of the steady cost, hours factor)
        "base": ("1", None, None, False),
        "accelerator_price": ("1+{change}", "acc_cost", "acc_steady", False),
        "energy_price": ("1+{change}", "energy_cost", "energy_last", False),
        "pue": ("IF(PUE=0,1+{change},MAX(PUE*(1+{change}),MIN(PUE,1))/PUE)", "energy_cost",
                "energy_last", False),
        "utilisation": ("IF(Utilisation=0,1+{change},MIN(Utilisation*(1+{change}),1)"
                        "/Utilisation)", "energy_cost", "energy_last", True),
    }
    lowered: set[str] = set()
    for i in table.index:
        row += 1
        driver = table.at[i, "driver"]
        # A driver's rows come as -step, then +step: the sign is the row's, so a step of 0
        # in the data still follows the SensitivityStep input once it is changed.
        sign = "" if driver in lowered else "-"
        lowered.add(driver)
        factor_formula, part, steady_part, hours_move = moves[driver]
        here = f"sens/{i}/"
        cells = {c: ref(here + c) for c, _t, _k in SENSITIVITY_COLUMNS}
        factor = cells["factor"]
        hours = f"GPUHoursPerYear*{factor}" if hours_move else "GPUHoursPerYear"
        steady = moved("SteadyStateCost", factor, steady_part)
        formulas = {
            "change": "0" if driver == "base" else f"{sign}SensitivityStep",
            "factor": factor_formula.format(change=cells["change"]),
            "total_cost_eur": moved("TotalCost", factor, part),
            "total_cost_delta_eur": f"{cells['total_cost_eur']}-TotalCost",
            "total_cost_delta_share": share_of_cost(cells["total_cost_delta_eur"]),
            "financing_gap_eur": f"{cells['total_cost_eur']}*(1-EUShare-MemberStateShare)"
                                 f"-{ref('sens/fixed_sources')}",
            "financing_gap_delta_eur": f"{cells['financing_gap_eur']}-FinancingGap",
            "cost_per_gpu_hour_eur": f'IF({hours}=0,"",({steady})/({hours}))',
        }
        sheet.text(row, 1, book.label("driver", driver))
        for col, (column, _title, kind) in enumerate(SENSITIVITY_COLUMNS, start=2):
            sheet.formula(row, col, formulas[column], kind, here + column,
                          ("sensitivity", i, column))
    filter_ref = f"A{HEADER_ROW}:{get_column_letter(last)}{row}"
    row = helper_row
    sheet.block(row, _("Parts of the cost the drivers move"))
    for key, (label, formula) in parts.items():
        row += 1
        sheet.text(row, 1, label)
        sheet.formula(row, 4, formula, "eur", f"sens/{key}")
    sheet.finish({1: 44, **{c: 18 for c in range(2, last + 1)}}, f"B{first_row}", filter_ref,
                 blocks=2)


def moved(value: str, factor: str, part: str | None) -> str:
    """`value` plus the change of the part a driver moves linearly by `factor`."""
    return value if part is None else f"{value}+({factor}-1)*{ref(f'sens/{part}')}"


# ========================================================================= summary

SUMMARY_ROWS = (
    # (Figures field, label, unit, format, defined name)
    ("total_cost_eur", N_("Total cost (capex + opex over the costed years)"), "EUR", "eur",
     "TotalCost"),
    ("capex_eur", N_("Capex"), "EUR", "eur", None),
    ("opex_eur", N_("Opex over the costed years"), "EUR", "eur", None),
    ("first_year", N_("First costed year"), "", "year", None),
    ("last_year", N_("Last costed year (steady state)"), "", "year", None),
    ("power_mw", N_("IT power once the last phase is complete"), "MW", "mw", "PowerMW"),
    ("facility_power_mw", N_("Facility power (IT power x PUE)"), "MW", "mw", None),
    ("ultimate_power_mw", N_("Long-term IT power target"), "MW", "mw", None),
    ("accelerators", N_("Accelerators installed"), "", "count", "Accelerators"),
    ("h100_equivalents", N_("H100 equivalents installed"), "", "count", "H100Equivalents"),
    ("accelerator_power_mw", N_("Draw of the accelerators at full load"), "MW", "mw", None),
    ("pue", N_("PUE"), "", "number", None),
    ("utilisation", N_("Utilisation"), "", "share", None),
    ("energy_gwh_per_year", N_("Facility energy in the last costed year"), "GWh", "number",
     "EnergyGWhPerYear"),
    ("emissions_t_per_year", N_("Emissions in the last costed year"), "t CO2e", "count",
     "EmissionsPerYear"),
    ("water_m3_per_year", N_("Water in the last costed year"), "m3", "count", None),
    ("steady_state_cost_per_year_eur",
     N_("Yearly cost at steady state (capex / amortisation years + last year's opex)"), "EUR",
     "eur", "SteadyStateCost"),
    ("gpu_hours_per_year", N_("Accelerator-hours delivered in the last costed year"), "",
     "hours", "GPUHoursPerYear"),
    ("h100_hours_per_year", N_("H100-hours delivered in the last costed year"), "", "hours",
     "H100HoursPerYear"),
    ("cost_per_gpu_hour_eur", N_("Cost per accelerator-hour"), "EUR", "eur2",
     "CostPerGPUHour"),
    ("cost_per_h100_hour_eur", N_("Cost per H100-hour"), "EUR", "eur2", "CostPerH100Hour"),
    ("financing_total_eur", N_("Financing sources"), "EUR", "eur", None),
    ("financing_gap_eur", N_("Financing gap (positive) or surplus (negative)"), "EUR", "eur",
     None),
    ("financing_balanced", N_("Financing balanced"), "", "count", None),
    ("person_months_total", N_("Person-months of the work plan"), "", "number", None),
    ("personnel_cost_eur", N_("Personnel cost of the work plan"), "EUR", "eur", None),
)
"""The key figures of the Summary sheet, in order."""


def write_summary(book: Book) -> None:
    """The key figures, each a formula over the other sheets."""
    _ = book._
    sheet = book.sheets["summary"]
    figures = book.figures
    last_phase = figures.phases.index[-1]
    last_year = figures.last_year
    cap = f"cap/{last_year}/"
    water = book.project.cost_model.energy.water_l_per_kwh is not None
    sheet.heading(_("Summary"), _(
        "Key figures of the bid. Every number is a formula: shaded cells on the "
        "Assumptions and Effort sheets are the inputs."))
    formulas = {
        "total_cost_eur": "Capex+Opex",
        "capex_eur": "Capex",
        "opex_eur": "Opex",
        "first_year": "FirstYear",
        "last_year": "LastYear",
        "power_mw": ref(f"ph/{last_phase}/power_mw"),
        "facility_power_mw": ref(f"ph/{last_phase}/facility_power_mw"),
        "ultimate_power_mw": "UltimatePowerMW",
        "accelerators": ref(f"ph/{last_phase}/accelerators"),
        "h100_equivalents": ref(f"ph/{last_phase}/h100_equivalents"),
        "accelerator_power_mw": ref(f"ph/{last_phase}/accelerator_power_mw"),
        "pue": "PUE",
        "utilisation": "Utilisation",
        "energy_gwh_per_year": ref(cap + "energy_gwh"),
        "emissions_t_per_year": ref(cap + "emissions_t"),
        "water_m3_per_year": ref(cap + "water_m3") if water else '""',
        "steady_state_cost_per_year_eur":
            f"Capex/AmortisationYears+{ref(f'ox/{last_year}/{TOTAL}')}",
        "gpu_hours_per_year": ref(cap + "gpu_hours"),
        "h100_hours_per_year": ref(cap + "h100_hours"),
        "cost_per_gpu_hour_eur": 'IF(GPUHoursPerYear=0,"",SteadyStateCost/GPUHoursPerYear)',
        "cost_per_h100_hour_eur": 'IF(H100HoursPerYear=0,"",SteadyStateCost/H100HoursPerYear)',
        "financing_total_eur": "FinancingTotal",
        "financing_gap_eur": "FinancingGap",
        "financing_balanced": ref("fin/balanced"),
        "person_months_total": "PersonMonths",
        "personnel_cost_eur": "PersonnelCost",
    }
    row = HEADER_ROW
    sheet.header(row, [_("Figure"), _("Value"), _("Unit"), _("Name")])
    for key, label, unit, kind, name in SUMMARY_ROWS:
        row += 1
        sheet.text(row, 1, _(label))
        sheet.formula(row, 2, formulas[key], kind, f"sum/{key}", key)
        sheet.text(row, 3, unit)
        sheet.text(row, 4, name)
        if name:
            book.name(name, f"sum/{key}")
        if key == "total_cost_eur":
            sheet.total_style(row, 1, 2)
    sheet.finish({1: 62, 2: 22, 3: 10, 4: 22}, "B5", landscape=False)
