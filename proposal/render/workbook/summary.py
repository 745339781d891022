"""The Summary sheet: the bid's key figures, each a formula over the other sheets."""

from __future__ import annotations

from ...compute import TOTAL
from ...i18n import N_
from .book import HEADER_ROW, Book, ref
from .eu_budget import ROUNDING_NOTE
from .keys import Key, Kind

SUMMARY_ROWS = (
    # (Figures field, label, unit, format, defined name)
    ("total_cost_eur", N_("Total cost (capex + opex over the costed years)"), "", "eur",
     "TotalCost"),
    ("capex_eur", N_("Capex"), "", "eur", None),
    ("opex_eur", N_("Opex over the costed years"), "", "eur", None),
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
     N_("Yearly cost at steady state (capex / amortisation years + last year's opex)"), "",
     "eur", "SteadyStateCost"),
    ("gpu_hours_per_year", N_("Accelerator-hours delivered in the last costed year"), "",
     "hours", "GPUHoursPerYear"),
    ("h100_hours_per_year", N_("H100-hours delivered in the last costed year"), "", "hours",
     "H100HoursPerYear"),
    ("cost_per_gpu_hour_eur", N_("Cost per accelerator-hour"), "", "eur2",
     "CostPerGPUHour"),
    ("cost_per_h100_hour_eur", N_("Cost per H100-hour"), "", "eur2", "CostPerH100Hour"),
    ("financing_total_eur", N_("Financing sources"), "", "eur", None),
    ("financing_gap_eur", N_("Financing gap (positive) or surplus (negative)"), "", "eur",
     None),
    ("financing_balanced", N_("Financing balanced within the plan's tolerance"), "", "count",
     None),
    ("indirect_costs_eur",
     N_("Indirect costs (E) at the call's flat rate: an allowance, not in the total cost"),
     "", "eur", None),
    ("eligible_costs_eur", N_("Costs eligible under the call's rules (total cost + E)"), "",
     "eur", None),
    ("person_months_total", N_("Person-months of the work plan"), "", "number", None),
    ("personnel_cost_eur", N_("Personnel cost of the work plan"), "", "eur", None),
)
"""The key figures of the Summary sheet, in order."""


def write_summary(book: Book) -> None:
    """The key figures, each a formula over the other sheets."""
    _ = book._
    sheet = book.sheets["summary"]
    figures = book.figures
    phase = Key(Kind.PHASES, figures.phases.index[-1])  # the last phase
    year = Key(Kind.CAPACITY, figures.last_year)  # the last costed year
    water = book.project.cost_model.energy.water_l_per_kwh is not None
    sheet.heading(_("Summary"), _(
        "Key figures of the bid. Every number is a formula: shaded cells on the "
        "Assumptions and Effort sheets are the inputs.") + " " + _(ROUNDING_NOTE))
    formulas = {
        "total_cost_eur": "Capex+Opex",
        "capex_eur": "Capex",
        "opex_eur": "Opex",
        "first_year": "FirstYear",
        "last_year": "LastYear",
        "power_mw": ref(phase.at("power_mw")),
        "facility_power_mw": ref(phase.at("facility_power_mw")),
        "ultimate_power_mw": "UltimatePowerMW",
        "accelerators": ref(phase.at("accelerators")),
        "h100_equivalents": ref(phase.at("h100_equivalents")),
        "accelerator_power_mw": ref(phase.at("accelerator_power_mw")),
        "pue": "PUE",
        "utilisation": "Utilisation",
        "energy_gwh_per_year": ref(year.at("energy_gwh")),
        "emissions_t_per_year": ref(year.at("emissions_t")),
        "water_m3_per_year": ref(year.at("water_m3")) if water else '""',
        "steady_state_cost_per_year_eur":
            f"Capex/AmortisationYears+{ref(Key(Kind.OPEX, figures.last_year, TOTAL))}",
        "gpu_hours_per_year": ref(year.at("gpu_hours")),
        "h100_hours_per_year": ref(year.at("h100_hours")),
        "cost_per_gpu_hour_eur": 'IF(GPUHoursPerYear=0,"",SteadyStateCost/GPUHoursPerYear)',
        "cost_per_h100_hour_eur": 'IF(H100HoursPerYear=0,"",SteadyStateCost/H100HoursPerYear)',
        "financing_total_eur": "FinancingTotal",
        "financing_gap_eur": "FinancingGap",
        "financing_balanced": ref(Key(Kind.FINANCING, "balanced")),
        "indirect_costs_eur": "IndirectCosts",
        "eligible_costs_eur": "EligibleCosts",
        "person_months_total": "PersonMonths",
        "personnel_cost_eur": "PersonnelCost",
    }
    row = HEADER_ROW
    sheet.header(row, [_("Figure"), _("Value"), _("Unit"), _("Name")])
    for key, label, unit, kind, name in SUMMARY_ROWS:
        row += 1
        sheet.text(row, 1, _(label))
        sheet.formula(row, 2, formulas[key], kind, Key(Kind.SUMMARY, key), key)
        sheet.text(row, 3, unit)
        sheet.text(row, 4, name)
        if name:
            book.name(name, Key(Kind.SUMMARY, key))
        if key == "total_cost_eur":
            sheet.total_style(row, 1, 2)
    sheet.finish({1: 62, 2: 22, 3: 10, 4: 22}, "B5")
