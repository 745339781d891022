"""The costs: capacity per phase and year, capex per phase, opex per year, the cash
view per year and every cost line, from the cost model (and, for the staff line, the
work plan's monthly effort).

`compute_costs` is what the sensitivity re-runs with a driver moved; time is counted
as the package docstring says (increments in service from their phase's end date,
capex spread over the construction days in the cash view). Its results are kept by the
content of what it reads (`costs_key`), so that the preview's save of a partner's text
does not run the sensitivity's costs again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import get_args

import pandas as pd

from ..models import CapexCategory, OpexCategory, Project
from .kept import Kept, digest_frame
from .rounding import Precision, in_steps, in_units, round_grid, round_parts
from .tables import TOTAL, grid, ratio, with_totals
from .workplan import compute_monthly_effort

HOURS_PER_YEAR = 8760
"""Operating hours counted in a year of service (leap days add none)."""

CAPEX_CATEGORIES: tuple[str, ...] = get_args(CapexCategory)
OPEX_CATEGORIES: tuple[str, ...] = get_args(OpexCategory)


@dataclass(frozen=True, eq=False)
class Costs:
    """Capacity, capex and opex of one cost model: what the sensitivity re-runs."""

    first_year: int
    """First costed year."""
    last_year: int
    """Last costed year."""
    phases: pd.DataFrame
    """As `Figures.phases`."""
    phase_accelerators: pd.DataFrame
    """As `Figures.phase_accelerators`."""
    capacity_by_year: pd.DataFrame
    """As `Figures.capacity_by_year`."""
    capex: pd.DataFrame
    """As `Figures.capex`."""
    opex: pd.DataFrame
    """As `Figures.opex`."""
    capex_items: pd.DataFrame
    """Capex per phase and line (see `compute_capex_items`)."""
    opex_items: pd.DataFrame
    """Opex per year and line (see `compute_opex_items`)."""
    monthly_effort: pd.DataFrame
    """The work plan's effort per partner, work package and month (see
    `compute_monthly_effort`)."""
    capex_eur: float
    """Capex of every phase."""
    opex_eur: float
    """Opex over the horizon."""
    total_cost_eur: float
    """Capex plus opex over the horizon."""
    steady_state_cost_per_year_eur: float
    """Capex / amortisation years + opex of the last year."""
    cost_per_gpu_hour_eur: float
    """Steady-state yearly cost per delivered accelerator-hour of the last year."""


COSTS_KEPT = 32
"""Results `compute_costs` keeps, the least recently used dropped first: the base and
the sensitivity's eight moved cost models of a few inputs."""

_kept: Kept[Costs] = Kept(COSTS_KEPT)


def compute_costs(project: Project, monthly_effort: pd.DataFrame | None = None) -> Costs:
    """Capacity per phase and year, capex per phase, opex per year and their totals.

    `monthly_effort`, when given, is `compute_monthly_effort(project)` already computed:
    no cost driver moves it, so the sensitivity re-runs pass the base's.

    A result is kept under the content of what it was computed from (`costs_key`) and
    given again for equal content; every call gets tables of its own, so a caller
    that changes them changes nothing another call sees.
    """
    key = costs_key(project, monthly_effort)
    kept = _kept.get(key)
    if kept is not None:
        return _own_tables(kept)
    costs = _compute_costs(project, monthly_effort)
    _kept.put(key, _own_tables(costs))
    return costs


def costs_key(project: Project, monthly_effort: pd.DataFrame | None = None) -> str:
    """The SHA-256 of everything `compute_costs` reads: the cost model and, for the
    monthly effort, the table given or else what it is computed from (the work plan and
    the start date). Equal keys mean equal inputs, whatever objects hold them."""
    digest = hashlib.sha256(b"cost_model\0")
    digest.update(project.cost_model.model_dump_json().encode())
    if monthly_effort is None:
        digest.update(b"\0workplan\0")
        digest.update(project.workplan.model_dump_json().encode())
        digest.update(project.consortium.start_date.isoformat().encode())
    else:
        digest.update(b"\0monthly_effort\0")
        digest_frame(digest, monthly_effort)
    return digest.hexdigest()


def _own_tables(costs: Costs) -> Costs:
    """`costs` with a copy of each of its tables."""
    return dataclasses.replace(costs, **{
        field.name: getattr(costs, field.name).copy() for field in dataclasses.fields(costs)
        if isinstance(getattr(costs, field.name), pd.DataFrame)})


def _compute_costs(project: Project, monthly_effort: pd.DataFrame | None) -> Costs:
    cm = project.cost_model
    first_year = min(phase.start for phase in cm.phases).year
    years = pd.RangeIndex(first_year, first_year + cm.horizon_years, name="year")
    phase_accelerators = compute_phase_accelerators(project)
    phases = compute_phases(project, phase_accelerators)
    capex_items = compute_capex_items(project, phases)
    phases = phases.assign(capex_eur=capex_items.groupby("phase", sort=False)["amount_eur"].sum())
    phases["capex_cumulative_eur"] = phases["capex_eur"].cumsum()
    capacity = compute_capacity_by_year(project, phases, years)
    monthly = compute_monthly_effort(project) if monthly_effort is None else monthly_effort
    opex_items = compute_opex_items(project, capacity, monthly)
    capex = with_totals(grid(capex_items, "phase", phases.index, CAPEX_CATEGORIES))
    opex = with_totals(grid(opex_items, "year", years, OPEX_CATEGORIES))
    capex_eur = float(capex.loc[TOTAL, TOTAL])
    opex_eur = float(opex.loc[TOTAL, TOTAL])
    steady_cost = capex_eur / cm.amortisation_years + float(opex.loc[years[-1], TOTAL])
    return Costs(
        first_year=first_year,
        last_year=int(years[-1]),
        phases=phases,
        phase_accelerators=phase_accelerators,
        capacity_by_year=capacity,
        capex=capex,
        opex=opex,
        capex_items=capex_items,
        opex_items=opex_items,
        monthly_effort=monthly,
        capex_eur=capex_eur,
        opex_eur=opex_eur,
        total_cost_eur=capex_eur + opex_eur,
        steady_state_cost_per_year_eur=steady_cost,
        cost_per_gpu_hour_eur=ratio(steady_cost,
                                    float(capacity.loc[years[-1], "gpu_hours"])),
    )


def compute_phase_accelerators(project: Project) -> pd.DataFrame:
    """Accelerators added per phase and type, with their H100 equivalents, power and price."""
    types = {t.id: t for t in project.cost_model.accelerator_types}
    rows = [
        {
            "phase": phase.id,
            "type": item.type,
            "count": item.count.value,
            "h100_equivalence": types[item.type].h100_equivalence.value,
            "power_kw": types[item.type].power_kw.value,
            "unit_price_eur": types[item.type].unit_price.value,
        }
        for phase in project.cost_model.phases
        for item in phase.accelerators
    ]
    table = pd.DataFrame(rows)
    table["h100_equivalents"] = table["count"] * table["h100_equivalence"]
    table["power_mw"] = table["count"] * table["power_kw"] / 1000
    table["purchase_eur"] = table["count"] * table["unit_price_eur"]
    return table[["phase", "type", "count", "h100_equivalents", "power_mw",
                  "unit_price_eur", "purchase_eur"]]


def compute_accelerator_types(
    project: Project, phase_accelerators: pd.DataFrame
) -> pd.DataFrame:
    """Units, H100 equivalents, power and purchase cost per accelerator type, all phases."""
    types = project.cost_model.accelerator_types
    table = pd.DataFrame({
        "name": [t.name for t in types],
        "vendor": [t.vendor for t in types],
        "h100_equivalence": [t.h100_equivalence.value for t in types],
        "unit_price_eur": [t.unit_price.value for t in types],
        "power_kw": [t.power_kw.value for t in types],
    }, index=pd.Index([t.id for t in types], name="type"))
    sums = ["count", "h100_equivalents", "power_mw", "purchase_eur"]
    installed = phase_accelerators.groupby("type")[sums].sum().reindex(table.index,
                                                                        fill_value=0)
    table[["units", "h100_equivalents", "power_mw", "purchase_eur"]] = installed.to_numpy()
    table["units"] = table["units"].astype(int)
    totals = table[["units", "h100_equivalents", "power_mw", "purchase_eur"]].sum()
    table.loc[TOTAL] = {"name": None, "vendor": None, "h100_equivalence": float("nan"),
                        "unit_price_eur": float("nan"), "power_kw": float("nan"), **totals}
    return table


def compute_phases(project: Project, phase_accelerators: pd.DataFrame) -> pd.DataFrame:
    """Capacity per phase: cumulative and added power, accelerators and H100 equivalents."""
    cm = project.cost_model
    seen: set[str] = set()
    sites_added = []
    for phase in cm.phases:
        sites_added.append(len(set(phase.sites) - seen))
        seen |= set(phase.sites)
    ids = pd.Index([phase.id for phase in cm.phases], name="phase")
    added = phase_accelerators.groupby("phase", sort=False)[
        ["count", "h100_equivalents", "power_mw", "purchase_eur"]].sum().reindex(ids,
                                                                                 fill_value=0)
    table = pd.DataFrame({
        "start": [phase.start for phase in cm.phases],
        "end": [phase.end for phase in cm.phases],
        "power_mw": [phase.power_mw.value for phase in cm.phases],
    }, index=ids)
    table["power_added_mw"] = table["power_mw"].diff().fillna(table["power_mw"])
    table["facility_power_mw"] = table["power_mw"] * cm.energy.pue.value
    table["accelerators_added"] = added["count"].astype(int)
    table["accelerators"] = table["accelerators_added"].cumsum()
    table["h100_equivalents_added"] = added["h100_equivalents"]
    table["h100_equivalents"] = table["h100_equivalents_added"].cumsum()
    table["accelerator_power_added_mw"] = added["power_mw"]
    table["accelerator_power_mw"] = table["accelerator_power_added_mw"].cumsum()
    table["sites_added"] = sites_added
    table["purchase_eur"] = added["purchase_eur"]
    return table


CAPEX_DRIVERS = {
    "unit_price": "purchase_eur",
    "per_accelerator": "accelerators_added",
    "per_mw": "power_added_mw",
    "per_site": "sites_added",
}
"""Column of the phase table each capex basis multiplies (`unit_price` by 1)."""


def compute_capex_items(project: Project, phases: pd.DataFrame) -> pd.DataFrame:
    """Capex per phase and line: columns `phase`, `line`, `category`, `basis`,
    `eu_category`, `beneficiary`, `work_package`, `amount_eur`."""
    lines = project.cost_model.capex
    amounts: dict[int, pd.Series] = {}
    for i, line in enumerate(lines):
        if line.basis in CAPEX_DRIVERS:
            rate = 1.0 if line.rate is None else line.rate.value
            amounts[i] = phases[CAPEX_DRIVERS[line.basis]] * rate
    # Shares apply to the phase's lines that are not themselves shares.
    base = pd.DataFrame(amounts, index=phases.index).sum(axis=1)
    for i, line in enumerate(lines):
        if line.basis == "share_of_capex":
            amounts[i] = base * line.rate.value
    frames = [
        pd.DataFrame({"phase": phases.index, "line": i, "category": line.category,
                      "basis": line.basis, "eu_category": line.eu_category,
                      "beneficiary": line.beneficiary, "work_package": line.work_package,
                      "amount_eur": amounts[i].to_numpy(dtype=float)})
        for i, line in enumerate(lines)
    ]
    return pd.concat(frames, ignore_index=True)


def compute_capacity_by_year(
    project: Project, phases: pd.DataFrame, years: pd.Index
) -> pd.DataFrame:
    """Installed and in-service capacity, delivered hours, energy and emissions per year."""
    energy = project.cost_model.energy
    pue, utilisation = energy.pue.value, energy.utilisation.value
    increments = phases[["power_added_mw", "accelerators_added", "h100_equivalents_added",
                         "capex_eur"]].astype(float)
    in_service = in_service_shares(phases["end"], years)
    installed = pd.DataFrame(
        {year: (phases["end"] <= dt.date(year, 12, 31)).astype(float) for year in years}
    )
    table = pd.DataFrame(index=years)
    year_end = installed.T.dot(increments)
    table["power_mw"] = year_end["power_added_mw"]
    table["facility_power_mw"] = table["power_mw"] * pue
    table["accelerators"] = year_end["accelerators_added"].round().astype(int)
    table["h100_equivalents"] = year_end["h100_equivalents_added"]
    average = in_service.T.dot(increments)
    table["power_in_service_mw"] = average["power_added_mw"]
    table["accelerators_in_service"] = average["accelerators_added"]
    table["h100_in_service"] = average["h100_equivalents_added"]
    table["capex_in_service_eur"] = average["capex_eur"]
    table["first_phase_in_service"] = in_service.iloc[0]
    hours = HOURS_PER_YEAR * utilisation
    table["gpu_hours"] = table["accelerators_in_service"] * hours
    table["h100_hours"] = table["h100_in_service"] * hours
    table["it_energy_gwh"] = table["power_in_service_mw"] * hours / 1000
    table["energy_gwh"] = table["it_energy_gwh"] * pue
    # g/kWh x GWh: 1e6 kWh per GWh and 1e6 g per tonne cancel out.
    table["emissions_t"] = table["energy_gwh"] * energy.carbon_g_per_kwh.value
    # l/kWh x GWh: 1e6 kWh per GWh over 1e3 l per m3.
    water = float("nan") if energy.water_l_per_kwh is None else energy.water_l_per_kwh.value
    table["water_m3"] = table["it_energy_gwh"] * water * 1000
    table.index.name = "year"
    return table


def in_service_shares(dates: pd.Series, years: pd.Index) -> pd.DataFrame:
    """Share of each year's days (columns) on or after each date (rows)."""
    def share(date: dt.date, year: int) -> float:
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        days = (last - max(date, first)).days + 1
        return max(days, 0) / ((last - first).days + 1)

    return pd.DataFrame(
        {year: [share(date, year) for date in dates] for year in years}, index=dates.index
    )


def compute_opex_items(
    project: Project, capacity: pd.DataFrame, monthly: pd.DataFrame
) -> pd.DataFrame:
    """Opex per year and line, same columns as the capex items with `year` for `phase`;
    the staff line comes per partner and work package."""
    energy = project.cost_model.energy
    years = capacity.index
    frames = []
    for i, line in enumerate(project.cost_model.opex):
        rate = None if line.rate is None else line.rate.value
        by = {"beneficiary": line.beneficiary, "work_package": line.work_package}
        if line.basis == "workplan_personnel":
            staff = (monthly[monthly["year"].isin(years)]
                     .groupby(["year", "partner", "work_package"], sort=False)["cost_eur"]
                     .sum().reset_index()
                     .rename(columns={"partner": "beneficiary", "cost_eur": "amount_eur"}))
            frame = staff.assign(line=i, category=line.category, basis=line.basis,
                                 eu_category=line.eu_category)
            frames.append(frame)
            continue
        if line.basis == "energy":
            amount = (capacity["power_in_service_mw"] * energy.pue.value
                      * energy.utilisation.value * HOURS_PER_YEAR
                      * energy.price_eur_per_mwh.value)
        elif line.basis == "share_of_capex":
            amount = capacity["capex_in_service_eur"] * rate
        elif line.basis == "per_mw_year":
            amount = capacity["power_in_service_mw"] * rate
        else:  # fixed_per_year
            amount = capacity["first_phase_in_service"] * rate
        frames.append(pd.DataFrame({"year": years, "line": i, "category": line.category,
                                    "basis": line.basis, "eu_category": line.eu_category,
                                    **by, "amount_eur": amount.to_numpy(dtype=float)}))
    return pd.concat(frames, ignore_index=True)[
        ["year", "line", "category", "basis", "eu_category", "beneficiary", "work_package",
         "amount_eur"]]


def compute_cost_by_year(project: Project, phases: pd.DataFrame,
                         opex: pd.DataFrame) -> pd.DataFrame:
    """Cash view: each phase's capex spread over its construction days, and the opex."""
    def share(phase: pd.Series, year: int) -> float:
        first, after = pd.Timestamp(year, 1, 1), pd.Timestamp(year + 1, 1, 1)
        start, end = pd.Timestamp(phase["start"]), pd.Timestamp(phase["end"])
        overlap = (min(end, after) - max(start, first)).days
        return max(overlap, 0) / (end - start).days

    opex_years = [year for year in opex.index if year != TOTAL]
    # A phase is built until the eve of its end date, when it goes into service.
    build_years = range(min(d.year for d in phases["start"]),
                        max((d - dt.timedelta(days=1)).year for d in phases["end"]) + 1)
    years = pd.Index(sorted(set(opex_years) | set(build_years)), name="year")
    spread = pd.DataFrame({year: [share(row, year) for _, row in phases.iterrows()]
                           for year in years}, index=phases.index)
    table = pd.DataFrame(index=years)
    table["capex"] = spread.T.dot(phases["capex_eur"].astype(float))
    table["opex"] = opex[TOTAL].drop(TOTAL).reindex(years, fill_value=0.0).astype(float)
    table["total"] = table["capex"] + table["opex"]
    table["cumulative"] = table["total"].cumsum()
    totals = table[["capex", "opex", "total"]].sum()
    table.loc[TOTAL] = [*totals, totals["total"]]
    table.index.name = "year"
    return table


def compute_cost_lines(capex_items: pd.DataFrame, opex_items: pd.DataFrame) -> pd.DataFrame:
    """Every cost line over the whole bid: capex over the phases, opex over the horizon."""
    keys = ["line", "category", "basis", "eu_category", "beneficiary", "work_package"]
    capex = capex_items.groupby(keys, sort=False)["amount_eur"].sum().reset_index()
    opex = opex_items.groupby(keys, sort=False)["amount_eur"].sum().reset_index()
    table = pd.concat([capex.assign(kind="capex"), opex.assign(kind="opex")],
                      ignore_index=True)
    return table[["kind", *keys, "amount_eur"]]


def print_costs(capex: pd.DataFrame, opex: pd.DataFrame, cost_by_year: pd.DataFrame,
                money: Precision, total: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Capex, opex and the cash view as the PDF prints them, in `money`'s units.

    `total` is the total cost in printed steps: the capex and opex totals are rounded to
    add up to it, each table's cells to add up to its total, and the cash view takes the
    opex of each year from the printed opex table, so that no two tables disagree.
    """
    capex_total, opex_total = round_parts(
        [money.steps(capex.loc[TOTAL, TOTAL]), money.steps(opex.loc[TOTAL, TOTAL])], total)
    printed_capex = round_grid(in_steps(capex, money), capex_total)
    printed_opex = round_grid(in_steps(opex, money), opex_total)
    years = cost_by_year.drop(TOTAL)
    cash = pd.DataFrame(index=years.index)
    cash["capex"] = round_parts([money.steps(v) for v in years["capex"]], capex_total)
    cash["opex"] = printed_opex.sum(axis=1).reindex(years.index, fill_value=0)
    cash["total"] = cash["capex"] + cash["opex"]
    cash["cumulative"] = cash["total"].cumsum()
    cash.loc[TOTAL] = [capex_total, opex_total, total, total]
    return (in_units(with_totals(printed_capex), money),
            in_units(with_totals(printed_opex), money), in_units(cash, money))

