"""The checks of computed figures that warn about the cost model: accelerators that
draw more than a phase's IT power, facility power beyond the sites' grid connection,
and phases or work-plan effort outside the costed years; and the one error, a total
too large for the outputs to print.

The financing's own checks (share rules, balance) are in `financing`.
"""

from __future__ import annotations

import pandas as pd

from ..locations import NOWHERE, Locations
from ..models import DATA_FILE_OF, MAX_AMOUNT_EUR, Project
from ..problems import Problem
from .costs import Costs
from .tables import SHARE_SLACK


def check_accelerator_power(
    project: Project, phases: pd.DataFrame, at: Locations = NOWHERE
) -> list[Problem]:
    """Warn when the accelerators installed draw more than a phase's IT power."""
    over = phases[phases["accelerator_power_mw"] > phases["power_mw"] * (1 + SHARE_SLACK)]
    return [
        at.problem(DATA_FILE_OF["cost_model"], ("phases", phases.index.get_loc(pid), "power_mw"),
                   "accelerator-power",
                   f"phase `{pid}`: the accelerators installed draw {row.accelerator_power_mw:g} "
                   f"MW at full load, more than the phase's {row.power_mw:g} MW of IT power; "
                   "raise `power_mw` or check the accelerator types' `power_kw`",
                   severity="warning")
        for pid, row in over.iterrows()
    ]


def check_site_power(
    project: Project, phases: pd.DataFrame, at: Locations = NOWHERE
) -> list[Problem]:
    """Warn when a phase's facility power exceeds the grid connection of its sites."""
    capacity = {site.id: site.max_power_mw.value for site in project.cost_model.sites}
    problems, built = [], []
    for i, phase in enumerate(project.cost_model.phases):
        built += [s for s in phase.sites if s not in built]
        available = sum(capacity.get(s, 0.0) for s in built)
        facility = float(phases.loc[phase.id, "facility_power_mw"])
        if facility > available * (1 + SHARE_SLACK):
            problems.append(at.problem(
                DATA_FILE_OF["cost_model"], ("phases", i, "power_mw"), "site-power",
                f"phase `{phase.id}` needs {facility:g} MW of facility power (IT power x PUE) "
                f"but its sites ({', '.join(built)}) connect at most {available:g} MW; "
                "add a site or raise `max_power_mw`", severity="warning"))
    return problems


def check_phases_in_horizon(
    project: Project, costs: Costs, at: Locations = NOWHERE
) -> list[Problem]:
    """Warn when a phase comes into service after the last costed year."""
    return [
        at.problem(DATA_FILE_OF["cost_model"], ("phases", i, "end"), "phase-after-horizon",
                   f"phase `{phase.id}` comes into service on {phase.end.isoformat()}, after "
                   f"the costed years {costs.first_year}-{costs.last_year}; its operation "
                   "is not costed: raise `horizon_years`", severity="warning")
        for i, phase in enumerate(project.cost_model.phases)
        if phase.end.year > costs.last_year
    ]


def check_effort_in_horizon(
    project: Project, costs: Costs, at: Locations = NOWHERE
) -> list[Problem]:
    """Warn when work-plan effort the staff line costs falls outside the costed years."""
    if not any(line.basis == "workplan_personnel" for line in project.cost_model.opex):
        return []
    monthly = costs.monthly_effort
    outside = monthly[~monthly["year"].between(costs.first_year, costs.last_year)]
    if outside.empty:
        return []
    return [at.problem(
        DATA_FILE_OF["cost_model"], ("horizon_years",), "effort-outside-horizon",
        f"{outside['person_months'].sum():g} person-months of the work plan fall outside "
        f"the costed years {costs.first_year}-{costs.last_year} and are not in the opex; "
        "align the work plan's months with the phases or change `horizon_years`",
        severity="warning")]


def check_totals_printable(
    project: Project, costs: Costs, at: Locations = NOWHERE
) -> list[Problem]:
    """An error when the total cost passes the largest amount the outputs can print.

    Every input is bounded in the models, but products of bounded inputs are not
    (10^9 MW at EUR 10^15 per MWh): the bound on totals can only be checked here.
    """
    totals = {"capex": costs.capex_eur, "opex": costs.opex_eur, "total": costs.total_cost_eur}
    over = {name: value for name, value in totals.items() if not value <= MAX_AMOUNT_EUR}
    if not over:
        return []
    name, value = next(iter(over.items()))
    return [at.problem(DATA_FILE_OF["cost_model"], (name if name != "total" else "capex",),
                       "total-too-large",
                       f"the cost model gives a {name} cost of EUR {value:.3g}, more than EUR "
                       f"{MAX_AMOUNT_EUR:.0e}, the largest amount the proposal and workbook "
                       "print; check the unit prices and quantities (a price per MWh typed per "
                       "kWh?)")]
