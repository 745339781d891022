"""The figures of one proposal: the `Figures` every renderer lays out, and
`compute_figures`, the entry point that runs the other compute modules on a validated
project and gathers the problems their checks find."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from ..locations import NOWHERE, Locations
from ..models import Project
from ..problems import Problem
from .checks import (
    check_accelerator_power,
    check_effort_in_horizon,
    check_phases_in_horizon,
    check_site_power,
    check_totals_printable,
)
from .content import ContentFigures, compute_content, print_content
from .costs import (
    Costs,
    compute_accelerator_types,
    compute_cost_by_year,
    compute_cost_lines,
    compute_costs,
    print_costs,
)
from .eu_budget import (
    ELIGIBLE,
    EU_INDIRECT,
    compute_eu_budget,
    compute_reconciliation,
    print_eu_budget,
)
from .financing import (
    Funding,
    check_financing_balance,
    check_share_rules,
    compute_financing,
    print_financing,
)
from .rounding import EURO, Precision, money_precision, round_parts
from .sensitivity import compute_sensitivity, print_sensitivity
from .tables import TOTAL, ratio
from .workplan import compute_work_plan

if TYPE_CHECKING:
    from ..editions import Marks


@dataclass(frozen=True, eq=False)
class Printed:
    """The amounts as the PDF prints them: every printed total is the sum of the printed
    parts above or beside it, and every table that prints a figure prints the same one.

    Amounts are rounded to whole steps of a precision by `rounding`: the key figures to
    the euro, the tables to `money` (EUR million with one decimal for a bid of billions),
    the shares of the financing tables to `shares`. A total several tables print (the
    total cost, capex, opex, the gap, E) is rounded once; parts are rounded down or up
    so that they add up to it, the largest remainders up. Table amounts are numbers in
    `money.unit`s (1699.6 for EUR 1,699.6 million); shares are shares (0.17).
    """

    money: Precision
    """The precision of the money tables: `money.unit` EUR per printed unit."""
    shares: Precision
    """The precision of the shares of the total cost in the financing tables."""
    total_cost_eur: float
    """The total cost to the euro."""
    capex_eur: float
    """The capex to the euro; with `opex_eur`, adds up to `total_cost_eur`."""
    opex_eur: float
    """The opex over the horizon to the euro."""
    indirect_costs_eur: float
    """E to the euro."""
    eligible_costs_eur: float
    """The eligible costs to the euro: `total_cost_eur` + `indirect_costs_eur`."""
    financing_total_eur: float
    """The financing sources to the euro: `total_cost_eur` less the gap, plus the surplus."""
    financing_gap_eur: float
    """The total cost the sources leave uncovered, to the euro; 0 when there is none."""
    financing_surplus_eur: float
    """The sources beyond the total cost, to the euro; 0 when there is none."""
    capex: pd.DataFrame
    """`Figures.capex` in `money.unit`s."""
    opex: pd.DataFrame
    """`Figures.opex` in `money.unit`s."""
    cost_by_year: pd.DataFrame
    """`Figures.cost_by_year` in `money.unit`s; the opex of each year is the printed opex
    table's, the cumulative column the running sum of the printed totals."""
    eu_budget_by_partner: pd.DataFrame
    """`Figures.eu_budget_by_partner` in `money.unit`s."""
    eu_budget_by_work_package: pd.DataFrame
    """`Figures.eu_budget_by_work_package` in `money.unit`s, with the same category
    totals and E as by beneficiary."""
    reconciliation: pd.DataFrame
    """`Figures.reconciliation` in `money.unit`s, from the printed EU view and sources."""
    financing: pd.DataFrame
    """The financing sources, index the source ids, then `total`, `cost` and, when the
    plan does not balance to the euro, `gap` or `surplus`; columns `amount` (in
    `money.unit`s; the balance as a positive amount) and `share` (of the total cost)."""
    pledges: pd.DataFrame
    """Per partner, then `total`: `cash`, `equity`, `debt`, `in_kind`, `total` (in
    `money.unit`s, each the partner's printed source) and `share` (the sum of the
    partner's printed source shares)."""
    share_rules: pd.Series
    """Each share rule's share (index `rule`): the sum of its sources' printed shares."""
    sensitivity: pd.DataFrame
    """Same rows as `Figures.sensitivity`; columns `total_cost`, `financing_gap`,
    `financing_surplus` in `money.unit`s (the balance in the column that names it)."""


@dataclass(frozen=True, eq=False)
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
    """Delivered accelerator-hours in `last_year`: accelerators in service x 8760 x
    utilisation."""
    h100_hours_per_year: float
    """Delivered H100-equivalent hours in `last_year`, counted as `gpu_hours_per_year`."""
    cost_per_gpu_hour_eur: float
    """Cost of one delivered accelerator-hour at steady state:
    `steady_state_cost_per_year_eur` / `gpu_hours_per_year` (NaN when no hours)."""
    cost_per_h100_hour_eur: float
    """Cost of one delivered H100-equivalent hour at steady state:
    `steady_state_cost_per_year_eur` / `h100_hours_per_year` (NaN when no hours)."""
    energy_gwh_per_year: float
    """Facility energy drawn in `last_year`, GWh (IT energy x PUE)."""
    emissions_t_per_year: float
    """Emissions of `energy_gwh_per_year` at the supply's carbon intensity, t CO2e."""
    water_m3_per_year: float
    """Water used in `last_year` (IT energy x `water_l_per_kwh`), m3; NaN when not given."""
    financing_total_eur: float
    """Sum of every financing source."""
    financing_gap_eur: float
    """Total cost minus the financing sources: positive is a gap, negative a surplus."""
    financing_balanced: bool
    """True when the gap's magnitude is within `financing.tolerance_eur`."""
    indirect_costs_eur: float
    """E: the indirect costs at the call's flat rate on the direct costs outside
    `call.indirect_excludes`. An allowance the call's rules compute, not a cost of the
    bid: the total cost (the direct costs A to D) does not include it."""
    eligible_costs_eur: float
    """Costs eligible under the call's rules: the total cost (direct costs) + E."""
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
    `accelerator_power_mw` (cumulative draw of the units at full load),
    `accelerator_power_added_mw`; `sites_added` (sites first built in the phase);
    `purchase_eur` (accelerators bought at their unit prices); `capex_eur` (capex of
    the phase), `capex_cumulative_eur`.
    No total row (cumulative columns do not add up)."""
    phase_accelerators: pd.DataFrame
    """One row per accelerator line of each phase (index 0, 1, ... in the cost model's
    order), columns `phase`, `type`, `count`
    (units added), `h100_equivalents`, `power_mw` (draw at full load), `unit_price_eur`,
    `purchase_eur` (count x unit price)."""
    accelerator_types: pd.DataFrame
    """Accelerators by type over every phase, index `type` (cost-model order, then
    `"total"`); columns `name`, `vendor`, `h100_equivalence`, `unit_price_eur`,
    `power_kw` (missing on the total row), `units`, `h100_equivalents`, `power_mw`
    (draw at full load), `purchase_eur`."""
    capacity_by_year: pd.DataFrame
    """One row per costed year, index `year` (int); columns: year-end installed values
    `power_mw`, `facility_power_mw`, `accelerators`, `h100_equivalents`; year averages
    in service (pro rata of the days each increment is in service) `power_in_service_mw`,
    `accelerators_in_service`, `h100_in_service`, `capex_in_service_eur`,
    `first_phase_in_service` (share of the year the first phase is in service);
    `gpu_hours`, `h100_hours` (delivered: in service x 8760 x utilisation);
    `it_energy_gwh`, `energy_gwh` (facility), `emissions_t`, `water_m3` (NaN when the
    cost model gives no water usage). No total row."""

    # --------------------------------------------------------------------- costs
    capex: pd.DataFrame
    """Capex, index `phase` (phase ids, then `"total"`), one column per capex
    category, then `total`."""
    opex: pd.DataFrame
    """Opex, index `year` (ints, then `"total"`), one column per opex category, then
    `total`."""
    cost_by_year: pd.DataFrame
    """Cash view, index `year` (ints, then `"total"`; years past the horizon appear
    when a phase is still being built then); columns `capex` (each phase's capex spread
    over the days from its start to its end), `opex`, `total`, `cumulative` (running
    total; on the total row, the total)."""
    cost_lines: pd.DataFrame
    """Every costed line as the budget carries it, the base of the EU view: columns
    `kind` ("capex" or "opex"), `line` (index in `cost_model.capex`/`opex`),
    `category`, `basis`, `eu_category`, `beneficiary`, `work_package`, `amount_eur`;
    the staff line (`workplan_personnel`) comes as one row per partner and work
    package that has effort in the costed years (its own beneficiary and work package
    are not used)."""

    # ----------------------------------------------------------------- financing
    financing: pd.DataFrame
    """Financing sources, index `source` (`eu`, `member_state`, `<partner>:cash`,
    `<partner>:equity`, `<partner>:debt`, `<partner>:in_kind`, `debt:<n>` counted
    from 1, then `"total"`); columns `kind` (a `ShareRule.financing_sources` kind,
    "total" on the total row), `partner` (id; missing for the other sources), `lender`
    (for debt facilities; missing otherwise), `amount_eur`, `share` (of the total
    cost). Partner sources of zero are left out; `eu` and `member_state` are always
    there."""
    pledges: pd.DataFrame
    """Per partner, index `partner` (every partner in the project's order, then
    `"total"`); columns `short_name`, `name` (legal name), `status` (these three missing
    on the total row), `cash`, `equity`, `debt` (pledged), `in_kind` (valued contributions that
    count in the financing), `in_kind_not_counted` (valued but listed only), `total`
    (cash + equity + debt + in_kind), `share` (of the total cost)."""
    in_kind: pd.DataFrame
    """Every in-kind contribution, columns `partner`, `kind`, `quantity`, `unit`,
    `accelerator_type`, `site`, `valuation_eur` (NaN when not valued),
    `counts_in_financing`; in project order."""
    share_rules: pd.DataFrame
    """The call's share rules, index `rule` (rule id); columns `sources` (the kinds
    added, joined by " + "), `amount_eur`, `share`, `min_share`, `max_share` (NaN when
    unbounded), `ok` (bool; a share that does not exist, of a total cost of 0, breaks no
    bound)."""

    # ----------------------------------------------------------------- work plan
    work_packages: pd.DataFrame
    """One row per work package, index `work_package`, in work-plan order; columns
    `lead`, `start_month`, `end_month`, `start_date`, `end_date` (first day of the first
    month, last day of the last), `months`, `person_months`, `personnel_cost_eur`,
    `share_of_effort`. No total row: the totals are in `effort` and `personnel_cost`."""
    tasks: pd.DataFrame
    """Every task, columns `task`, `work_package`, `lead`, `start_month`, `end_month`,
    `start_date`, `end_date`, `months`; in work-plan order."""
    effort: pd.DataFrame
    """Person-months as the work plan gives them, index `partner` (partners the work
    plan gives effort to, even 0, in the project's order, then `"total"`), one column
    per work package, then `total`."""
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
    """Total cost, financing gap and cost per accelerator-hour when one driver moves;
    base row first, then one row per driver and direction (-step, +step); columns
    `driver` ("base",
    "accelerator_price", "energy_price", "pue", "utilisation"), `change` (the nominal
    move: -step, 0, +step), `factor` (multiplier actually applied: a move takes PUE no
    lower than 1 and utilisation no higher than 1, see `move_driver`), `change_applied`
    (`factor` - 1: -0.167 when a PUE of 1.2 moves down by 20 % and stops at 1),
    `capped` (True when `change_applied` is not `change`), `total_cost_eur`,
    `total_cost_delta_eur`, `total_cost_delta_share`, `financing_gap_eur`,
    `financing_gap_delta_eur`, `cost_per_gpu_hour_eur`."""

    # ------------------------------------------------------------ EU budget view
    eu_budget_by_partner: pd.DataFrame
    """EU budget per beneficiary, index `partner` (beneficiaries in the project's
    order, then `"total"`); columns A, B, C.1, C.2, C.3, D (direct), `direct`, E
    (indirect at the call's flat rate on the direct costs outside
    `call.indirect_excludes`), `total` (direct + E: the costs eligible under the call's
    rules). `direct` on the total row equals the total cost; `total` exceeds it by E."""
    eu_budget_by_work_package: pd.DataFrame
    """The same per work package, index `work_package` (work-plan order, then
    `"total"`)."""
    reconciliation: pd.DataFrame
    """From the total cost to the eligible costs and the public contributions requested:
    index `step` (`total_cost`, `outside_base`, `indirect_base`, `indirect`, `eligible`,
    `eu`, `member_state`, `public`), column `amount` (EUR); see
    `eu_budget.compute_reconciliation`."""

    # ------------------------------------------------------- evaluator's tables
    content: ContentFigures
    """The consortium table, the public contributions requested, the funding per year,
    the scored risks and the KPIs (see `content.ContentFigures`)."""

    # ------------------------------------------------------------------ printing
    printed: Printed | None
    """The amounts as the PDF prints them, rounded so that every printed total adds up;
    None when a total is too large to print (an error: nothing is rendered)."""

    # ------------------------------------------------------------------ problems
    problems: list[Problem]
    """Problems found while computing: share-rule violations (errors), data that
    does not add up (warnings). The pipeline stops on errors like on validation's."""

    # ------------------------------------------------------------------- edition
    marks: Marks | None = None
    """How the edition being rendered presents these figures (draft mark, notes, audience
    and what it masks; see `proposal.confidential.edition_view`); None outside a build."""


def compute_figures(project: Project, at: Locations = NOWHERE) -> Figures:
    """Compute every figure and table of the proposal from a validated project.

    `at` locates the problems found (share rules, power, horizon, balance) in the
    input; without it they point at each file's first line.
    """
    costs = compute_costs(project)
    funding = compute_financing(project, costs.total_cost_eur)
    rules, problems = _check_figures(project, costs, funding, at)
    plan = compute_work_plan(project, costs.monthly_effort)
    cost_lines = compute_cost_lines(costs.capex_items, costs.opex_items)
    eu_by_partner, eu_by_wp = compute_eu_budget(project, cost_lines)
    cost_by_year = compute_cost_by_year(project, costs.phases, costs.opex)
    sensitivity = compute_sensitivity(project, costs, funding)
    sources = funding.sources
    content = compute_content(project, plan.effort, eu_by_partner, sources, cost_by_year,
                              costs.total_cost_eur)
    printed = None if any(p.code == "total-too-large" for p in problems) else print_figures(
        project, costs, funding, cost_by_year, [eu_by_partner, eu_by_wp], sensitivity)
    cm, energy = project.cost_model, project.cost_model.energy
    last_phase = costs.phases.iloc[-1]
    steady = costs.capacity_by_year.loc[costs.last_year]
    return Figures(
        acronym=project.consortium.acronym,
        currency=project.call.currency,
        horizon_years=cm.horizon_years,
        first_year=costs.first_year,
        last_year=costs.last_year,
        capex_eur=costs.capex_eur,
        opex_eur=costs.opex_eur,
        total_cost_eur=costs.total_cost_eur,
        power_mw=float(last_phase["power_mw"]),
        facility_power_mw=float(last_phase["facility_power_mw"]),
        ultimate_power_mw=cm.ultimate_power_mw.value,
        ultimate_target_year=cm.ultimate_target_year,
        accelerators=int(last_phase["accelerators"]),
        h100_equivalents=float(last_phase["h100_equivalents"]),
        accelerator_power_mw=float(last_phase["accelerator_power_mw"]),
        pue=energy.pue.value,
        utilisation=energy.utilisation.value,
        steady_state_cost_per_year_eur=costs.steady_state_cost_per_year_eur,
        gpu_hours_per_year=float(steady["gpu_hours"]),
        h100_hours_per_year=float(steady["h100_hours"]),
        cost_per_gpu_hour_eur=costs.cost_per_gpu_hour_eur,
        cost_per_h100_hour_eur=ratio(costs.steady_state_cost_per_year_eur,
                                     float(steady["h100_hours"])),
        energy_gwh_per_year=float(steady["energy_gwh"]),
        emissions_t_per_year=float(steady["emissions_t"]),
        water_m3_per_year=float(steady["water_m3"]),
        financing_total_eur=funding.total_eur,
        financing_gap_eur=funding.gap_eur,
        financing_balanced=funding.balanced,
        indirect_costs_eur=float(eu_by_partner.at[TOTAL, EU_INDIRECT]),
        eligible_costs_eur=float(eu_by_partner.at[TOTAL, ELIGIBLE]),
        person_months_total=float(plan.effort.loc[TOTAL, TOTAL]),
        personnel_cost_eur=float(plan.personnel_cost.loc[TOTAL, TOTAL]),
        phases=costs.phases,
        phase_accelerators=costs.phase_accelerators,
        accelerator_types=compute_accelerator_types(project, costs.phase_accelerators),
        capacity_by_year=costs.capacity_by_year,
        capex=costs.capex,
        opex=costs.opex,
        cost_by_year=cost_by_year,
        cost_lines=cost_lines,
        financing=funding.sources,
        pledges=funding.pledges,
        in_kind=funding.in_kind,
        share_rules=rules,
        work_packages=plan.work_packages,
        tasks=plan.tasks,
        effort=plan.effort,
        personnel_cost=plan.personnel_cost,
        effort_by_month=plan.effort_by_month,
        deliverables=plan.deliverables,
        milestones=plan.milestones,
        sensitivity=sensitivity,
        eu_budget_by_partner=eu_by_partner,
        eu_budget_by_work_package=eu_by_wp,
        reconciliation=compute_reconciliation(
            project, eu_by_partner.loc[TOTAL], float(sources.at["eu", "amount_eur"]),
            float(sources.at["member_state", "amount_eur"])),
        content=content if printed is None else print_content(
            content, printed.money, printed.eu_budget_by_partner["direct"], printed.financing,
            sources["kind"]),
        printed=printed,
        problems=problems,
    )


def print_figures(project: Project, costs: Costs, funding: Funding,
                  cost_by_year: pd.DataFrame, eu_views: list[pd.DataFrame],
                  sensitivity: pd.DataFrame) -> Printed:
    """The amounts as the PDF prints them (see `Printed`): the shared totals first, then
    each table around them."""
    money = money_precision(costs.total_cost_eur)
    total = money.nearest(costs.total_cost_eur)
    capex, opex, cash = print_costs(costs.capex, costs.opex, cost_by_year, money, total)
    by_partner, by_wp = print_eu_budget(eu_views, money, total)
    sources, pledges, rule_shares, shares = print_financing(
        funding, project.call.share_rules, money, total)
    reconciliation = compute_reconciliation(
        project, by_partner.loc[TOTAL], float(sources.at["eu", "amount"]),
        float(sources.at["member_state", "amount"]))
    euros = EURO.nearest(costs.total_cost_eur)
    capex_eur, opex_eur = round_parts([costs.capex_eur, costs.opex_eur], euros)
    gap_eur = EURO.nearest(funding.gap_eur)
    indirect = EURO.nearest(eu_views[0].at[TOTAL, EU_INDIRECT])
    return Printed(
        money=money,
        shares=shares,
        total_cost_eur=float(euros),
        capex_eur=float(capex_eur),
        opex_eur=float(opex_eur),
        indirect_costs_eur=float(indirect),
        eligible_costs_eur=float(euros + indirect),
        financing_total_eur=float(euros - gap_eur),
        financing_gap_eur=float(max(gap_eur, 0)),
        financing_surplus_eur=float(max(-gap_eur, 0)),
        capex=capex,
        opex=opex,
        cost_by_year=cash,
        eu_budget_by_partner=by_partner,
        eu_budget_by_work_package=by_wp,
        reconciliation=reconciliation.round(money.decimals),  # 9997.5 - 233.6 is 9763.900...01
        financing=sources,
        pledges=pledges,
        share_rules=rule_shares,
        sensitivity=print_sensitivity(sensitivity, money),
    )


def _check_figures(
    project: Project, costs: Costs, funding: Funding, at: Locations
) -> tuple[pd.DataFrame, list[Problem]]:
    rules, rule_problems = check_share_rules(project, funding.sources, costs.total_cost_eur, at)
    problems = [
        *rule_problems,
        *check_accelerator_power(project, costs.phases, at),
        *check_site_power(project, costs.phases, at),
        *check_totals_printable(project, costs, at),
        *check_phases_in_horizon(project, costs, at),
        *check_effort_in_horizon(project, costs, at),
        *check_financing_balance(project, funding, at),
    ]
    return rules, sorted(problems)
