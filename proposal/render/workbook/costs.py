"""The Phases, Capex, Opex and Cost by year sheets: the twins of `proposal.compute`'s
costs.

Phases: each build-out phase's capacity, the accelerators each phase adds, and the
capacity in service per costed year (shares of the year each phase serves, delivered
hours, energy, emissions, water). Capex: each cost line per phase and the grid per phase
and category. Opex: each cost line per costed year and the grid per year and category.
Cost by year: the cash view, each phase's capex spread over its construction days, the
opex, their total and the running total. The parts of the cost the sensitivity drivers
move are kept here as note rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openpyxl.utils import get_column_letter

from ...compute import CAPEX_CATEGORIES, OPEX_CATEGORIES, TOTAL
from ...i18n import N_
from .book import HEADER_ROW, NOTE_FONT, Book, Sheet, add, partner_name, ref, span, sum_of
from .keys import Key, Kind

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
    ("purchase_eur", N_("Accelerator purchase"), "eur"),
    ("capex_eur", N_("Capex"), "eur"),
    ("capex_cumulative_eur", N_("Capex, cumulative"), "eur"),
)
"""Columns of the phases block: `Figures.phases` column, header, format."""

ACCELERATOR_COLUMNS = (
    ("count", N_("Units added"), "count"),
    ("h100_equivalents", N_("H100 equivalents"), "count"),
    ("power_mw", N_("Draw at full load (MW)"), "mw"),
    ("unit_price_eur", N_("Unit price"), "eur"),
    ("purchase_eur", N_("Purchase"), "eur"),
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
    ("capex_in_service_eur", N_("Capex in service (year average)"), "eur"),
    ("accelerator_capex_in_service_eur",
     N_("Of which moves with accelerator prices"), "eur"),
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
    sheet.header(row, [_("No."), _("Phase"), *(_(title) for _c, title, _k in PHASE_COLUMNS)])
    for n, pid in enumerate(phases):
        row += 1
        here, inputs = Key(Kind.PHASES, pid), Key(Kind.PHASE_INPUT, pid)
        prev = Key(Kind.PHASES, phases[n - 1]) if n else None
        added = [Key(Kind.PHASE_ACCELERATORS, i) for i in items.index
                 if items.at[i, "phase"] == pid]

        def of_items(column: str, added: list[Key] = added) -> str:
            """The sum over the phase's rows of the accelerators block."""
            return sum_of(added[0].at(column), added[-1].at(column)) if added else "0"

        def cumulative(column: str, increment: str, here: Key = here,
                       prev: Key | None = prev) -> str:
            this = ref(here.at(increment))
            return this if prev is None else f"{ref(prev.at(column))}+{this}"

        power = ref(here.at("power_mw"))
        formulas = {
            "start": ref(inputs.at("start")),
            "end": ref(inputs.at("end")),
            "power_mw": ref(inputs.at("power")),
            "power_added_mw": power if prev is None else f"{power}-{ref(prev.at('power_mw'))}",
            "facility_power_mw": f"{power}*PUE",
            "accelerators_added": of_items("count"),
            "accelerators": cumulative("accelerators", "accelerators_added"),
            "h100_equivalents_added": of_items("h100_equivalents"),
            "h100_equivalents": cumulative("h100_equivalents", "h100_equivalents_added"),
            "accelerator_power_added_mw": of_items("power_mw"),
            "accelerator_power_mw": cumulative("accelerator_power_mw",
                                               "accelerator_power_added_mw"),
            "purchase_eur": of_items("purchase_eur"),
            "capex_eur": ref(Key(Kind.CAPEX, pid, TOTAL)),
            "capex_cumulative_eur": cumulative("capex_cumulative_eur", "capex_eur"),
        }
        sheet.value(row, 1, n + 1, "count")
        sheet.text(row, 2, names[pid])
        for col, (column, _title, kind) in enumerate(PHASE_COLUMNS, start=3):
            key, mirror = here.at(column), ("phases", pid, column)
            if column == "sites_added":  # which sites a phase builds first is structure
                sheet.value(row, col, figures.phases.at[pid, column], kind, key, mirror)
            else:
                sheet.formula(row, col, formulas[column], kind, key, mirror)
    last = Key(Kind.PHASES, phases[-1])
    book.name("FacilityPowerMW", last.at("facility_power_mw"))
    book.name("AcceleratorPowerMW", last.at("accelerator_power_mw"))
    return row


def write_phase_accelerators(book: Book, sheet: Sheet, row: int) -> int:
    """One row per phase and accelerator type: units, H100 equivalents, draw, purchase.

    Returns the last row written."""
    _ = book._
    items = book.figures.phase_accelerators
    types = {t.id: t for t in book.project.cost_model.accelerator_types}
    names = {p.id: book.text(p.name) for p in book.project.cost_model.phases}
    sheet.block(row, _("Accelerators by phase and type"))
    row += 1
    sheet.header(row, [_("Phase"), _("Type"), *(_(t) for _c, t, _k in ACCELERATOR_COLUMNS)])
    counters: dict[str, int] = {}
    for i in items.index:
        row += 1
        pid, type_id = items.at[i, "phase"], items.at[i, "type"]
        j = counters[pid] = counters.get(pid, -1) + 1  # the item's index in its phase
        here, accelerator = Key(Kind.PHASE_ACCELERATORS, i), Key(Kind.ACCELERATOR_INPUT, type_id)
        count = ref(here.at("count"))
        formulas = {
            "count": ref(Key(Kind.PHASE_INPUT, pid, "count", j)),
            "h100_equivalents": f"{count}*{ref(accelerator.at('h100'))}",
            "power_mw": f"{count}*{ref(accelerator.at('kw'))}/1000",
            "unit_price_eur": ref(accelerator.at("price")),
            "purchase_eur": f"{count}*{ref(here.at('unit_price_eur'))}",
        }
        sheet.text(row, 1, names[pid])
        sheet.text(row, 2, book.text(types[type_id].name))
        for col, (column, _title, kind) in enumerate(ACCELERATOR_COLUMNS, start=3):
            sheet.formula(row, col, formulas[column], kind, here.at(column),
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
    names = {p.id: book.text(p.name) for p in book.project.cost_model.phases}
    sheet.header(row, [_("Year"), *(_("In service: {phase}").format(phase=names[pid])
                                    for pid in phases),
                       *(_(title) for _c, title, _k in columns)])
    hours = "HoursPerYear*Utilisation"
    starts = span(Key(Kind.PHASES, phases[0], "start"), Key(Kind.PHASES, phases[-1], "start"))
    for n, year in enumerate(years):
        row += 1
        here = Key(Kind.CAPACITY, year)
        y = ref(here.at("year"))
        sheet.formula(row, 1, f"YEAR(MIN({starts}))" if n == 0
                      else f"{ref(Key(Kind.CAPACITY, years[n - 1], 'year'))}+1",
                      "year", here.at("year"))
        for col, pid in enumerate(phases, start=2):
            # The share of the year's days on or after the phase's in-service date.
            end = ref(Key(Kind.PHASES, pid, "end"))
            sheet.formula(row, col, f"MAX(0,DATE({y},12,31)-MAX({end},DATE({y},1,1))+1)"
                                    f"/(DATE({y},12,31)-DATE({y},1,1)+1)",
                          "share", here.at("share", pid))

        def in_service(quantity: Callable[[str], Key], here: Key = here) -> str:
            """The year average of a phase quantity (`quantity(phase)` its cell): each
            phase's weighted by its share."""
            return add(f"{ref(here.at('share', pid))}*{ref(quantity(pid))}" for pid in phases)

        def installed(column: str, y: str = y) -> str:
            """The sum of a phase increment over the phases in service by the year's end."""
            return add(f"IF({ref(Key(Kind.PHASES, pid, 'end'))}<=DATE({y},12,31),"
                       f"{ref(Key(Kind.PHASES, pid, column))},0)" for pid in phases)

        formulas = {
            "power_mw": installed("power_added_mw"),
            "facility_power_mw": f"{ref(here.at('power_mw'))}*PUE",
            "accelerators": installed("accelerators_added"),
            "h100_equivalents": installed("h100_equivalents_added"),
            "power_in_service_mw": in_service(
                lambda pid: Key(Kind.PHASES, pid, "power_added_mw")),
            "accelerators_in_service": in_service(
                lambda pid: Key(Kind.PHASES, pid, "accelerators_added")),
            "h100_in_service": in_service(
                lambda pid: Key(Kind.PHASES, pid, "h100_equivalents_added")),
            "capex_in_service_eur": in_service(lambda pid: Key(Kind.PHASES, pid, "capex_eur")),
            "accelerator_capex_in_service_eur": in_service(
                lambda pid: Key(Kind.CAPEX_LINE, "acc", pid)),
            "first_phase_in_service": ref(here.at("share", phases[0])),
            "gpu_hours": f"{ref(here.at('accelerators_in_service'))}*{hours}",
            "h100_hours": f"{ref(here.at('h100_in_service'))}*{hours}",
            "it_energy_gwh": f"{ref(here.at('power_in_service_mw'))}*{hours}/1000",
            "energy_gwh": f"{ref(here.at('it_energy_gwh'))}*PUE",
            "emissions_t": f"{ref(here.at('energy_gwh'))}*CarbonIntensity",
            "water_m3": f"{ref(here.at('it_energy_gwh'))}*WaterUsage*1000",
        }
        for col, (column, _title, kind) in enumerate(columns, start=2 + len(phases)):
            mirror = (None if column == "accelerator_capex_in_service_eur"  # a helper
                      else ("capacity_by_year", year, column))
            sheet.formula(row, col, formulas[column], kind, here.at(column), mirror)
    book.name("FirstYear", Key(Kind.CAPACITY, years[0], "year"))
    book.name("LastYear", Key(Kind.CAPACITY, years[-1], "year"))
    if water:
        book.name("WaterM3PerYear", Key(Kind.CAPACITY, years[-1], "water_m3"))
    return row


LINE_COLUMNS = (N_("Line"), N_("Category"), N_("Basis"), N_("Rate"), N_("EU category"),
                N_("Beneficiary"), N_("Work package"))
"""Leading columns of the capex and opex line blocks."""


def write_line_head(book: Book, sheet: Sheet, row: int, i: int, line: Any, group: str,
                    bases: dict[str, str], rate: Key | None) -> None:
    """The description columns of a cost line: category, basis, rate, who and where."""
    sheet.value(row, 1, i + 1, "count")
    sheet.text(row, 2, book.label(group, line.category))
    sheet.text(row, 3, book._(bases[line.basis]), wrap=True)
    if rate is not None:
        kind = "rate" if line.basis == "share_of_capex" else "eur"
        sheet.formula(row, 4, ref(rate), kind)
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
        rate = None if line.rate is None else Key(Kind.CAPEX_RATE, i)
        write_line_head(book, sheet, row, i, line, "capex", CAPEX_BASES, rate)
        for col, pid in enumerate(phases, start=first_col):
            if line.basis == "share_of_capex":
                # A share applies to the phase's lines that are not shares themselves.
                others = add(ref(Key(Kind.CAPEX_LINE, b, pid)) for b in base_lines)
                formula = f"{ref(rate)}*({others})"
            elif line.basis == "unit_price":
                formula = ref(Key(Kind.PHASES, pid, "purchase_eur"))
            else:
                formula = f"{ref(Key(Kind.PHASES, pid, drivers[line.basis]))}*{ref(rate)}"
            sheet.formula(row, col, formula, "eur", Key(Kind.CAPEX_LINE, i, pid))
        sheet.total_of_row(row, first_col + len(phases), Key(Kind.CAPEX_LINE, i), phases, "eur",
                           ("cost_lines", ("capex", i), "amount_eur"))
    filter_ref = f"A{HEADER_ROW}:{get_column_letter(last)}{row}"
    # The part of each phase's capex proportional to the accelerator unit prices: what the
    # sensitivity to accelerator prices moves.
    row += 1
    sheet.text(row, 2, _("Of which moves with accelerator prices"), NOTE_FONT)
    for col, pid in enumerate(phases, start=first_col):
        purchases = add(ref(Key(Kind.CAPEX_LINE, p, pid)) for p in priced)
        shares = "".join(f"+{ref(Key(Kind.CAPEX_RATE, s))}" for s in share_lines)
        sheet.formula(row, col, f"({purchases})*(1{shares})", "eur",
                      Key(Kind.CAPEX_LINE, "acc", pid))
    sheet.total_of_row(row, first_col + len(phases), Key(Kind.CAPEX_LINE, "acc"), phases, "eur")

    row += 2
    sheet.block(row, _("Capex by phase and category"))
    row += 1
    write_category_grid(book, sheet, row, "capex", phases, [phase_names[pid] for pid in phases],
                        CAPEX_CATEGORIES, lines)
    book.name("Capex", Key(Kind.CAPEX, TOTAL, TOTAL))
    sheet.finish({1: 22, 2: 24, 3: 28, 4: 17, 5: 26, 6: 20, 7: 17,
                  **{c: 18 for c in range(8, 8 + len(phases) + 2)}}, f"C{first_row}",
                 filter_ref, blocks=2)


def write_category_grid(book: Book, sheet: Sheet, row: int, table: str, rows: list,
                        labels: list[str], categories: tuple[str, ...], lines: tuple) -> int:
    """A rows x categories grid (`Figures.capex` or `Figures.opex`, as `table` says)
    summing the cost lines of each category, with totals. Returns the row of the total line."""
    _ = book._
    grid, line_kind = ((Kind.CAPEX, Kind.CAPEX_LINE) if table == "capex"
                       else (Kind.OPEX, Kind.OPEX_LINE))
    sheet.header(row, [_("Phase") if table == "capex" else _("Year"),
                       *(book.label(table, c) for c in categories), _("Total")])
    for key, label in zip(rows, labels, strict=True):
        row += 1
        if table == "capex":
            sheet.text(row, 1, label)
        else:
            sheet.formula(row, 1, ref(Key(Kind.CAPACITY, key, "year")), "year")
        for col, category in enumerate(categories, start=2):
            terms = (ref(Key(line_kind, i, key)) for i, line in enumerate(lines)
                     if line.category == category)
            sheet.formula(row, col, add(terms), "eur", Key(grid, key, category),
                          (table, key, category))
        sheet.total_of_row(row, len(categories) + 2, Key(grid, key), categories, "eur",
                           (table, key, TOTAL))
    row += 1
    sheet.total_line(row, 2, Key(grid, rows[0]), Key(grid, rows[-1]), [*categories, TOTAL],
                     "eur", table)
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
        rate = None if line.rate is None else Key(Kind.OPEX_RATE, i)
        write_line_head(book, sheet, row, i, line, "opex", OPEX_BASES, rate)
        for col, year in enumerate(years, start=first_col):
            sheet.formula(row, col, opex_formula(line.basis, year, rate), "eur",
                          Key(Kind.OPEX_LINE, i, year))
        sheet.total_of_row(row, first_col + len(years), Key(Kind.OPEX_LINE, i), years, "eur",
                           None if line.basis == "workplan_personnel"
                           else ("cost_lines", ("opex", i), "amount_eur"))
    filter_ref = f"A{HEADER_ROW}:{get_column_letter(last)}{row}"
    # Parts the sensitivity table moves: opex proportional to the accelerator prices
    # (shares of the capex in service) and the energy lines.
    for part, label, terms in (
        ("acc", _("Of which moves with accelerator prices"),
         lambda year: add(f"{ref(Key(Kind.OPEX_RATE, s))}"
                          f"*{ref(Key(Kind.CAPACITY, year, 'accelerator_capex_in_service_eur'))}"
                          for s in shares)),
        ("energy", _("Of which energy"),
         lambda year: add(ref(Key(Kind.OPEX_LINE, e, year)) for e in energy)),
    ):
        row += 1
        sheet.text(row, 2, label, NOTE_FONT)
        for col, year in enumerate(years, start=first_col):
            sheet.formula(row, col, terms(year), "eur", Key(Kind.OPEX_LINE, part, year))
        sheet.total_of_row(row, first_col + len(years), Key(Kind.OPEX_LINE, part), years, "eur")

    row += 2
    sheet.block(row, _("Opex by year and category"))
    row += 1
    write_category_grid(book, sheet, row, "opex", years, [str(y) for y in years],
                        OPEX_CATEGORIES, lines)
    book.name("Opex", Key(Kind.OPEX, TOTAL, TOTAL))
    sheet.finish({1: 12, 2: 22, 3: 34, 4: 17, 5: 26, 6: 24, 7: 17,
                  **{c: 17 for c in range(8, 8 + len(years) + 2)}}, f"C{first_row}",
                 filter_ref, blocks=2)


def opex_formula(basis: str, year: Any, rate: Key | None) -> str:
    """One opex line's amount in one costed year, as `compute_opex_items` costs it."""
    capacity = Key(Kind.CAPACITY, year)
    if basis == "energy":
        return (f"{ref(capacity.at('power_in_service_mw'))}*PUE*Utilisation*HoursPerYear"
                "*EnergyPrice")
    if basis == "workplan_personnel":
        return ref(Key(Kind.STAFF_COST_BY_YEAR, TOTAL, year))
    driver = {"share_of_capex": "capex_in_service_eur", "per_mw_year": "power_in_service_mw",
              "fixed_per_year": "first_phase_in_service"}[basis]
    return f"{ref(capacity.at(driver))}*{ref(rate)}"


def year_headers(book: Book) -> list[tuple[str, str, str]]:
    """Header cells showing the costed years (formulas: the years follow the inputs)."""
    return [("=", ref(Key(Kind.CAPACITY, year, "year")), "year")
            for year in book.figures.capacity_by_year.index]


COST_BY_YEAR_COLUMNS = (
    ("capex", N_("Capex")),
    ("opex", N_("Opex")),
    ("total", N_("Total")),
    ("cumulative", N_("Cumulative")),
)
"""Columns of the cost-by-year block: `Figures.cost_by_year` column, header."""


def write_cost_by_year(book: Book) -> None:
    """The cash view (the `Figures.cost_by_year` table): capex spent, opex, total and
    running total per year, and below it each phase's capex spread over the years."""
    _ = book._
    sheet = book.sheets["cost_by_year"]
    figures = book.figures
    years = list(figures.cost_by_year.index.drop(TOTAL))
    costed = set(figures.opex.index.drop(TOTAL))
    phases = list(figures.phases.index)
    sheet.heading(_("Cost by year"), _(
        "Capex spent each year (each phase's capex spread evenly over the days from its "
        "start to its date of service), opex of the costed years, their total and the "
        "running total."))
    row = HEADER_ROW
    last = sheet.header(row, [_("Year"), *(_(title) for _c, title in COST_BY_YEAR_COLUMNS)])
    spread = Key(Kind.CAPEX_BY_YEAR)
    for n, year in enumerate(years):
        row += 1
        here = Key(Kind.COST_BY_YEAR, year)
        cells = {column: ref(here.at(column)) for column, _title in COST_BY_YEAR_COLUMNS}
        sheet.formula(row, 1, "FirstYear" if n == 0
                      else f"{ref(Key(Kind.COST_BY_YEAR, years[n - 1], 'year'))}+1",
                      "year", here.at("year"))
        formulas = {
            "capex": sum_of(spread.at(phases[0], year), spread.at(phases[-1], year)),
            "opex": ref(Key(Kind.OPEX, year, TOTAL)) if year in costed else None,
            "total": f"{cells['capex']}+{cells['opex']}",
            "cumulative": cells["total"] if n == 0 else
            f"{ref(Key(Kind.COST_BY_YEAR, years[n - 1], 'cumulative'))}+{cells['total']}",
        }
        for col, (column, _title) in enumerate(COST_BY_YEAR_COLUMNS, start=2):
            key, mirror = here.at(column), ("cost_by_year", year, column)
            if formulas[column] is None:  # a year of construction after the costed years
                sheet.value(row, col, 0, "eur", key, mirror)
            else:
                sheet.formula(row, col, formulas[column], "eur", key, mirror)
    filter_ref = f"A{HEADER_ROW}:{get_column_letter(last)}{row}"
    row += 1
    totals = [column for column, _title in COST_BY_YEAR_COLUMNS[:-1]]
    first = Key(Kind.COST_BY_YEAR, years[0])
    sheet.total_line(row, 2, first, Key(Kind.COST_BY_YEAR, years[-1]), totals, "eur",
                     "cost_by_year")
    # As in compute, the running total's total is the total.
    sheet.formula(row, 2 + len(totals), ref(Key(Kind.COST_BY_YEAR, TOTAL, "total")), "eur",
                  Key(Kind.COST_BY_YEAR, TOTAL, "cumulative"),
                  ("cost_by_year", TOTAL, "cumulative"))
    sheet.total_style(row, 1, last)
    write_capex_by_year(book, sheet, row + 2, years)
    sheet.finish({1: 22, 2: 24, **{c: 18 for c in range(3, len(years) + 8)}},
                 f"B{HEADER_ROW + 1}", filter_ref, blocks=2)


def write_capex_by_year(book: Book, sheet: Sheet, row: int, years: list[int]) -> int:
    """Each phase's capex spread over the years of its construction, in proportion to
    the days from its start to its date of service falling in each year.

    Returns the last row written."""
    _ = book._
    phase_names = {p.id: book.text(p.name) for p in book.project.cost_model.phases}
    sheet.block(row, _("Capex by phase and year"))
    row += 1
    sheet.header(row, [_("No."), _("Phase"), _("Start"), _("In service from"),
                       _("Capex"),
                       *(("=", ref(Key(Kind.COST_BY_YEAR, year, "year")), "year")
                         for year in years), _("Total")])
    first_col = 6
    for n, pid in enumerate(book.figures.phases.index, start=1):
        row += 1
        here, phase = Key(Kind.CAPEX_BY_YEAR, pid), Key(Kind.PHASES, pid)
        start, end = ref(here.at("start")), ref(here.at("end"))
        sheet.value(row, 1, n, "count")
        sheet.text(row, 2, phase_names[pid])
        sheet.formula(row, 3, ref(phase.at("start")), "date", here.at("start"))
        sheet.formula(row, 4, ref(phase.at("end")), "date", here.at("end"))
        sheet.formula(row, 5, ref(phase.at("capex_eur")), "eur", here.at("capex"))
        for col, year in enumerate(years, start=first_col):
            y = ref(Key(Kind.COST_BY_YEAR, year, "year"))
            # The days of construction in the year over all the days of construction.
            sheet.formula(row, col, f"{ref(here.at('capex'))}*MAX(0,MIN({end},DATE({y}+1,1,1))"
                                    f"-MAX({start},DATE({y},1,1)))/({end}-{start})",
                          "eur", here.at(year))
        sheet.total_of_row(row, first_col + len(years), here, years, "eur")
    return row
