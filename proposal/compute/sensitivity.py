"""The sensitivity table: the total cost, the financing gap and the cost per
accelerator-hour with one driver (accelerator price, energy price, PUE, utilisation)
moved down and up by `cost_model.sensitivity_step`, re-running the costs and the
financing on a moved copy of the project. The moved runs' figures are kept by the
content they read (`sensitivity_key`): a save that moves no cost and no financing
figure reuses them.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from ..models import Amount, Project, ordered_partners
from .costs import Costs, compute_costs, costs_key
from .financing import Funding, compute_financing
from .kept import Kept, digest_frame
from .rounding import Precision
from .tables import ratio, shares

SENSITIVITY_DRIVERS = ("accelerator_price", "energy_price", "pue", "utilisation")
"""The drivers the sensitivity table moves, in the order it lists them."""


def compute_sensitivity(project: Project, costs: Costs, funding: Funding) -> pd.DataFrame:
    """Total cost, financing gap and cost per GPU-hour with each driver moved by
    -step and +step (`cost_model.sensitivity_step`), one driver at a time.

    `costs` and `funding` are the project's own: the base row, and what the re-runs
    reuse (the monthly effort and the partners' contributions, which no driver moves).
    """
    base = _cost_and_gap(costs, funding)
    rows = [{"driver": "base", "change": 0.0, "factor": 1.0, **base},
            *moved_runs(project, costs, funding)]
    table = pd.DataFrame(rows)
    table["total_cost_delta_eur"] = table["total_cost_eur"] - base["total_cost_eur"]
    table["total_cost_delta_share"] = shares(table["total_cost_delta_eur"],
                                             base["total_cost_eur"])
    table["financing_gap_delta_eur"] = table["financing_gap_eur"] - base["financing_gap_eur"]
    table["change_applied"] = (table["factor"] - 1).round(12)  # 1.2 - 1 is 0.1999...
    # A move stopped at a bound applies less than the step: say so, beyond float noise.
    table["capped"] = (table["change_applied"] - table["change"]).abs() > 1e-9
    return table[["driver", "change", "factor", "change_applied", "capped", "total_cost_eur",
                  "total_cost_delta_eur", "total_cost_delta_share", "financing_gap_eur",
                  "financing_gap_delta_eur", "cost_per_gpu_hour_eur"]]


MOVED_KEPT = 8
"""Sets of moved runs `moved_runs` keeps (one per input), least recently used dropped."""

_kept: Kept[tuple[dict[str, object], ...]] = Kept(MOVED_KEPT)


def moved_runs(project: Project, costs: Costs, funding: Funding) -> list[dict[str, object]]:
    """The sensitivity's rows with a driver moved, in order: `driver`, `change`,
    `factor` (applied), `total_cost_eur`, `financing_gap_eur`, `cost_per_gpu_hour_eur`;
    kept under `sensitivity_key`, each call getting rows of its own."""
    key = sensitivity_key(project, costs, funding)
    kept = _kept.get(key)
    if kept is None:
        step = project.cost_model.sensitivity_step
        runs = []
        for driver in SENSITIVITY_DRIVERS:
            for change in (-step or 0.0, step):  # a step of 0 moves by 0.0, not -0.0
                moved, factor = move_driver(project, driver, 1 + change)
                moved_costs = compute_costs(moved, costs.monthly_effort)
                moved_funding = compute_financing(moved, moved_costs.total_cost_eur, funding)
                runs.append({"driver": driver, "change": change, "factor": factor,
                             **_cost_and_gap(moved_costs, moved_funding)})
        kept = tuple(runs)
        _kept.put(key, kept)
    return [dict(run) for run in kept]


def sensitivity_key(project: Project, costs: Costs, funding: Funding) -> str:
    """The SHA-256 of everything the moved runs read: the cost model (with its step) and
    the monthly effort `costs` holds (`costs_key`), the financing, the partners in the
    order the plan lists them, and the pledges of `funding`."""
    digest = hashlib.sha256(costs_key(project, costs.monthly_effort).encode())
    digest.update(b"\0financing\0")
    digest.update(project.financing.model_dump_json().encode())
    digest.update(repr([partner.id for partner in ordered_partners(project)]).encode())
    digest.update(b"\0pledges\0")
    digest_frame(digest, funding.pledges)
    return digest.hexdigest()


def print_sensitivity(table: pd.DataFrame, money: Precision) -> pd.DataFrame:
    """The sensitivity's amounts as the PDF prints them, in `money`'s units, each rounded
    to its nearest step like the printed total cost and balance of the plan: columns
    `total_cost`, `financing_gap` and `financing_surplus` (the balance as a positive
    amount in the column that names it, 0 in the other)."""
    gap = table["financing_gap_eur"].map(money.nearest)
    return pd.DataFrame({
        "total_cost": table["total_cost_eur"].map(money.nearest).map(money.printed),
        "financing_gap": gap.clip(lower=0).map(money.printed),
        "financing_surplus": (-gap).clip(lower=0).map(money.printed),
    }, index=table.index)


def _cost_and_gap(costs: Costs, funding: Funding) -> dict[str, float]:
    return {"total_cost_eur": costs.total_cost_eur, "financing_gap_eur": funding.gap_eur,
            "cost_per_gpu_hour_eur": costs.cost_per_gpu_hour_eur}


ENERGY_DRIVERS = {"energy_price": "price_eur_per_mwh", "pue": "pue",
                  "utilisation": "utilisation"}
"""The field of `Energy` each energy driver moves."""


def move_driver(project: Project, driver: str, factor: float) -> tuple[Project, float]:
    """The project with one sensitivity driver multiplied by `factor`, and the factor
    actually applied: a move takes PUE no lower than 1 and utilisation no higher than 1
    (a PUE the data gives below 1 is not raised, a PUE of 0 stays 0)."""
    cm = project.cost_model
    if driver == "accelerator_price":
        types = tuple(t.model_copy(update={"unit_price": _scaled(t.unit_price, factor)})
                      for t in cm.accelerator_types)
        return _with_cost_model(project, accelerator_types=types), factor
    field = ENERGY_DRIVERS[driver]
    figure = getattr(cm.energy, field)
    value = figure.value * factor
    # No facility draws less than its IT load, nor more than all of it; a move stops at
    # that bound and never pushes a value the data puts beyond it the other way.
    if driver == "pue":
        value = max(value, min(figure.value, 1.0))
    elif driver == "utilisation":
        value = min(value, max(figure.value, 1.0))
    applied = ratio(value, figure.value) if figure.value else factor
    energy = cm.energy.model_copy(update={field: figure.model_copy(update={"value": value})})
    return _with_cost_model(project, energy=energy), applied


def _scaled(figure: Amount, factor: float) -> Amount:
    return figure.model_copy(update={"value": figure.value * factor})


def _with_cost_model(project: Project, **update) -> Project:
    return project.model_copy(update={"cost_model": project.cost_model.model_copy(update=update)})
