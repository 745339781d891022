"""The EU budget view: every cost line in the EU cost categories, per beneficiary and
per work package, with the indirect costs at the call's flat rate."""

from __future__ import annotations

from typing import get_args

import pandas as pd

from ..models import EuCategory, Project
from .tables import TOTAL, grid, ordered

EU_DIRECT: tuple[str, ...] = get_args(EuCategory)
"""The EU direct cost categories, in the models' order (A, B, C.1, C.2, C.3, D)."""
EU_INDIRECT = "E"
"""The EU indirect cost category, at the call's flat rate on the eligible direct costs."""


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
    table["total"] = table["direct"] + table[EU_INDIRECT]
    table.loc[TOTAL] = table.sum()
    return table
