"""The EU budget view: every cost line in the EU cost categories, per beneficiary and
per work package, with the indirect costs at the call's flat rate; and the
reconciliation from the bid's total cost to the costs eligible under the call's rules
and the public contributions requested.

The bid's total cost (capex + opex) is its direct costs, categories A to D. E is an
allowance for indirect costs the call computes at a flat rate on the direct costs
outside `call.indirect_excludes`; it is not a cost of the bid and the financing plan
does not finance it. Direct costs + E are the costs eligible under the call's rules, a
quantity of their own, which the EU view totals and the reconciliation labels.
"""

from __future__ import annotations

from typing import get_args

import pandas as pd

from ..models import EuCategory, Project
from .rounding import Precision, in_steps, in_units, round_grid, round_parts
from .tables import TOTAL, grid, ordered

EU_DIRECT: tuple[str, ...] = get_args(EuCategory)
"""The EU direct cost categories, in the models' order (A, B, C.1, C.2, C.3, D)."""
EU_INDIRECT = "E"
"""The EU indirect cost category, at the call's flat rate on the eligible direct costs."""
ELIGIBLE = "total"
"""Column of the EU tables with direct costs + E: the costs eligible under the call's
rules (the row sums, named like every table's), not the bid's total cost."""

RECONCILIATION_STEPS = ("total_cost", "outside_base", "indirect_base", "indirect", "eligible",
                        "eu", "member_state", "public")
"""The steps of the reconciliation, in order (see `compute_reconciliation`)."""


def compute_eu_budget(
    project: Project, cost_lines: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The cost lines in the EU categories, per beneficiary and per work package, with
    indirect costs (E) at the call's flat rate on the eligible direct costs."""
    by_partner = _eu_grid(project, cost_lines, "beneficiary",
                          ordered(project, cost_lines["beneficiary"]), "partner")
    wp_ids = [wp.id for wp in project.workplan.work_packages]
    extra = [wp for wp in dict.fromkeys(cost_lines["work_package"]) if wp not in wp_ids]
    by_wp = _eu_grid(project, cost_lines, "work_package", [*wp_ids, *extra], "work_package")
    return by_partner, by_wp


def _eu_grid(project: Project, lines: pd.DataFrame, key: str, order: list[str],
             name: str) -> pd.DataFrame:
    table = grid(lines.rename(columns={key: "row"}), "row", order, EU_DIRECT,
                 column="eu_category")
    table.index.name = name
    table["direct"] = table[list(EU_DIRECT)].sum(axis=1)
    eligible = [c for c in EU_DIRECT if c not in project.call.indirect_excludes]
    table[EU_INDIRECT] = table[eligible].sum(axis=1) * project.call.indirect_rate
    table[ELIGIBLE] = table["direct"] + table[EU_INDIRECT]
    table.loc[TOTAL] = table.sum()
    return table


def compute_reconciliation(project: Project, eu_totals: pd.Series, eu: float,
                           member_state: float) -> pd.DataFrame:
    """From the bid's total cost to the eligible costs and the public contributions.

    `eu_totals` is the total row of an EU view, `eu` and `member_state` the contributions
    the financing plan requests (shares of the total cost). Index `step`
    (`RECONCILIATION_STEPS`), one column `amount`: `total_cost` (the direct costs A to
    D), `outside_base` (the direct costs in `call.indirect_excludes`), `indirect_base`
    (the others, on which E is computed), `indirect` (E), `eligible` (total cost + E),
    `eu`, `member_state`, `public` (the two together). Printed tables give printed
    reconciliations: each step is then a sum or difference of printed amounts.
    """
    outside = float(eu_totals[list(project.call.indirect_excludes)].sum())
    direct = float(eu_totals["direct"])
    amounts = [direct, outside, direct - outside, float(eu_totals[EU_INDIRECT]),
               float(eu_totals[ELIGIBLE]), eu, member_state, eu + member_state]
    return pd.DataFrame({"amount": amounts}, index=pd.Index(RECONCILIATION_STEPS, name="step"))


def print_eu_budget(views: list[pd.DataFrame], money: Precision,
                    total: int) -> list[pd.DataFrame]:
    """The EU views as the PDF prints them, in `money`'s units.

    Every view prints the same category totals and the same E: the direct categories'
    totals are rounded once to add up to the printed total cost (`total` steps), E once
    to its nearest step; in each view the direct cells add up to those totals (when ties
    of remainders allow; otherwise to the same total cost), E's cells to E, and each
    row's direct costs + E to its eligible costs.
    """
    first = views[0].loc[TOTAL]
    categories = round_parts([money.steps(first[c]) for c in EU_DIRECT], total)
    indirect = money.nearest(first[EU_INDIRECT])
    printed = []
    for view in views:
        body = view.drop(TOTAL)
        table = round_grid(in_steps(body[list(EU_DIRECT)], money), total, categories)
        table["direct"] = table.sum(axis=1)
        table[EU_INDIRECT] = round_parts([money.steps(v) for v in body[EU_INDIRECT]], indirect)
        table[ELIGIBLE] = table["direct"] + table[EU_INDIRECT]
        table.loc[TOTAL] = table.sum()
        printed.append(in_units(table, money))
    return printed

