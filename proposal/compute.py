"""Compute stage: every number the outputs show, computed once, as pandas tables.

`compute_figures(project)` returns a `Figures`: typed pandas tables plus plain key
figures, documented field by field. Renderers lay these out and never add anything
up themselves. Nothing here reads or writes files or formats a number.

Conventions shared by every table:
- amounts are floats in EUR, powers in MW, energy in GWh, emissions in tonnes CO2e;
- a table that can be summed ends with a row labelled `"total"` (column sums) and,
  when its columns are categories, a column `total` (row sums);
- category columns come in the models' order (`CapexCategory`, `OpexCategory`, EU
  categories A, B, C.1, C.2, C.3, D, then E); a category nobody uses is still a
  column (of zeros), so every edition shows the same grid;
- a year is a calendar year; a project month counts from 1 = the month of
  `consortium.start_date`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .models import Project
from .problems import Problem


@dataclass(frozen=True)
class Figures:
    """Everything the PDF and the workbook show, computed from one validated `Project`."""

    # ------------------------------------------------------------- key figures
    acronym: str
    """The consortium's acronym."""
    currency: str
    """Currency of every amount ("EUR")."""
    horizon_years: int
    """Years of operation costed (`cost_model.horizon_years`)."""
    first_year: int
    """First costed calendar year: the year the first phase starts."""
    last_year: int
    """Last costed calendar year (`first_year + horizon_years - 1`), the steady-state year."""
    capex_eur: float
    """Capital expenditure of every phase."""
    opex_eur: float
    """Operating expenditure over the horizon."""
    total_cost_eur: float
    """Total cost of the bid: capex plus opex over the horizon."""
    power_mw: float
    """IT power once the last phase is complete, MW."""
    facility_power_mw: float
    """Facility power once the last phase is complete (IT power x PUE), MW."""
    ultimate_power_mw: float
    """The long-term IT power target beyond the costed phases, MW."""
    ultimate_target_year: int | None
    """Year the ultimate target should be reached, when stated."""
    accelerators: int
    """Accelerators installed once the last phase is complete."""
    h100_equivalents: float
    """H100 equivalents installed once the last phase is complete."""
    accelerator_power_mw: float
    """IT power the installed accelerators draw at full load (units x `power_kw`), MW."""
    pue: float
    """Power usage effectiveness used throughout."""
    utilisation: float
    """Average share of the IT power drawn over a year."""
    steady_state_cost_per_year_eur: float
    """Yearly cost at steady state: capex / `amortisation_years` + opex of `last_year`."""
    gpu_hours_per_year: float
    """Delivered accelerator-hours in `last_year`: accelerators in service x 8760 x utilisation."""
    h100_hours_per_year: float
    """Delivered H100-equivalent hours in `last_year`, counted as `gpu_hours_per_year`."""
    cost_per_gpu_hour_eur: float
    """`steady_state_cost_per_year_eur` / `gpu_hours_per_year` (NaN when no hours)."""
    cost_per_h100_hour_eur: float
    """`steady_state_cost_per_year_eur` / `h100_hours_per_year` (NaN when no hours)."""
    energy_gwh_per_year: float
    """Facility energy drawn in `last_year`, GWh (IT energy x PUE)."""
    emissions_t_per_year: float
    """Emissions of `energy_gwh_per_year` at the supply's carbon intensity, t CO2e."""
    financing_total_eur: float
    """Sum of every financing source."""
    financing_gap_eur: float
    """Total cost minus the financing sources: positive is a gap, negative a surplus."""
    financing_balanced: bool
    """True when the gap's magnitude is within `financing.tolerance_eur`."""
    person_months_total: float
    """Person-months of the whole work plan."""
    personnel_cost_eur: float
    """Cost of those person-months at the partners' monthly rates (whole work plan)."""

    # ------------------------------------------------------------------ capacity
    phases: pd.DataFrame
    """One row per phase, index `phase` (phase id), in the cost model's order; columns:
    `start`, `end` (dates); `power_mw` (cumulative IT power), `power_added_mw`;
    `facility_power_mw` (cumulative, x PUE); `accelerators` (cumulative units),
    `accelerators_added`; `h100_equivalents` (cumulative), `h100_equivalents_added`;
    `accelerator_power_mw` (cumulative draw of the units at full load);
    `sites_added` (sites first built in the phase); `capex_eur` (capex of the phase).
    No total row (cumulative columns do not add up)."""
    phase_accelerators: pd.DataFrame
    """One row per phase and accelerator type, columns `phase`, `type`, `count`
    (units added), `h100_equivalents`, `power_mw` (draw at full load), `unit_price_eur`,
    `purchase_eur` (count x unit price)."""
    capacity_by_year: pd.DataFrame
    """One row per costed year, index `year` (int); columns: year-end installed values
    `power_mw`, `facility_power_mw`, `accelerators`, `h100_equivalents`; year averages
    in service (pro rata of the days each increment is in service) `power_in_service_mw`,
    `accelerators_in_service`, `h100_in_service`; `gpu_hours`, `h100_hours` (delivered:
    in service x 8760 x utilisation); `it_energy_gwh`, `energy_gwh` (facility),
    `emissions_t`. No total row."""

    # --------------------------------------------------------------------- costs
    capex: pd.DataFrame
    """Capex, index `phase` (phase ids, then `"total"`), one column per capex
    category, then `total`."""
    opex: pd.DataFrame
    """Opex, index `year` (ints, then `"total"`), one column per opex category, then
    `total`."""
    cost_by_year: pd.DataFrame
    """Index `year` (ints, then `"total"`); columns `capex` (capex of the phases whose
    `start` falls in the year, for the cash view), `opex`, `total`, `cumulative`
    (running total; on the total row, the total)."""
    cost_lines: pd.DataFrame
    """Every costed line as the budget carries it, the base of the EU view: columns
    `kind` ("capex" or "opex"), `line` (index in `cost_model.capex`/`opex`),
    `category`, `eu_category`, `beneficiary`, `work_package`, `amount_eur`; the staff
    line (`workplan_personnel`) comes as one row per partner and work package."""

    # ----------------------------------------------------------------- financing
    financing: pd.DataFrame
    """Financing sources, index `source` (`eu`, `member_state`, `<partner>:cash`,
    `<partner>:equity`, `<partner>:debt`, `<partner>:in_kind`, `debt:<n>`, then
    `"total"`); columns `kind` (a `ShareRule.sources` kind, "total" on the total row),
    `partner` (id or None), `lender` (for debt facilities, else None), `amount_eur`,
    `share` (of the total cost). Sources of zero are left out."""
    pledges: pd.DataFrame
    """Per partner, index `partner` (ids in the project's order, then `"total"`);
    columns `cash`, `equity`, `debt` (pledged), `in_kind` (valued contributions that
    count in the financing), `in_kind_not_counted` (valued but listed only), `total`
    (cash + equity + debt + in_kind), `share` (of the total cost). Every partner
    has a row, zero when it pledges nothing."""
    in_kind: pd.DataFrame
    """Every in-kind contribution, columns `partner`, `kind`, `quantity`, `unit`,
    `accelerator_type`, `site`, `valuation_eur` (NaN when not valued),
    `counts_in_financing`; in project order."""
    share_rules: pd.DataFrame
    """The call's share rules, index `rule` (rule id); columns `sources` (the kinds
    added, joined by " + "), `amount_eur`, `share`, `min_share`, `max_share` (NaN when
    unbounded), `ok` (bool)."""

    # ----------------------------------------------------------------- work plan
    work_packages: pd.DataFrame
    """One row per work package, index `work_package`; columns `lead`, `start_month`,
    `end_month`, `start_date`, `end_date` (first and last day of those months),
    `months`, `person_months`, `personnel_cost_eur`, `share_of_effort`."""
    tasks: pd.DataFrame
    """Every task, columns `task`, `work_package`, `lead`, `start_month`, `end_month`,
    `start_date`, `end_date`, `months`; in work-plan order."""
    effort: pd.DataFrame
    """Person-months, index `partner` (ids in the project's order, then `"total"`),
    one column per work package, then `total`."""
    personnel_cost: pd.DataFrame
    """Personnel cost (person-months x the partner's monthly rate), same shape as
    `effort`."""
    effort_by_month: pd.DataFrame
    """Index `month` (1 .. the last month any work package reaches); columns `date`
    (first day of the month), `year`, one column per work package (person-months,
    each package's effort spread evenly over its months), `total` (the Gantt
    chart's load line)."""
    deliverables: pd.DataFrame
    """Every deliverable, sorted by month then id; columns `deliverable`,
    `work_package`, `month`, `date` (last day of the month), `type`, `dissemination`,
    `lead`."""
    milestones: pd.DataFrame
    """Every milestone, sorted by month then id; columns `milestone`, `work_package`,
    `month`, `date` (last day of the month)."""

    # --------------------------------------------------------------- sensitivity
    sensitivity: pd.DataFrame
    """Total cost and financing gap when one driver moves; one row per driver and
    direction, base row first; columns `driver` ("base", "accelerator_price",
    "energy_price", "pue", "utilisation"), `change` (-step, 0, +step), `factor`
    (multiplier actually applied; utilisation is capped at 1), `total_cost_eur`,
    `total_cost_delta_eur`, `total_cost_delta_share`, `financing_gap_eur`,
    `financing_gap_delta_eur`, `cost_per_gpu_hour_eur`."""

    # ------------------------------------------------------------ EU budget view
    eu_budget_by_partner: pd.DataFrame
    """EU budget per beneficiary, index `partner` (ids, then `"total"`); columns
    A, B, C.1, C.2, C.3, D (direct), `direct`, E (indirect at the call's flat rate on
    the direct costs outside `call.indirect_excludes`), `total`."""
    eu_budget_by_work_package: pd.DataFrame
    """The same per work package, index `work_package` (ids, then `"total"`)."""

    # ------------------------------------------------------------------ problems
    problems: list[Problem]
    """Problems found while computing: share-rule violations (errors), data that
    does not add up (warnings). The pipeline stops on errors like on validation's."""


def compute_figures(project: Project) -> Figures:
    """Compute every figure and table of the proposal from a validated project."""
    raise NotImplementedError("compute stage in progress (issue #3)")
