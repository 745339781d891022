"""Context of the EU budget section: the costs in the EU categories A to E."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pandas as pd

from ...compute import TOTAL
from .cells import Grid, grid

if TYPE_CHECKING:
    from .edition import Edition

SUMMARY_COLUMNS = ("direct", "E", TOTAL)
"""Columns of the summary tables (direct, indirect, total); the direct tables show the others."""


class EuBudgetContext:
    """The budget chapter's EU budget section."""

    def eu_budget(self: Edition) -> dict[str, Any]:
        """The EU budget by beneficiary and by work package, and the indirect-cost rate."""
        _, f = self._, self.figures
        return {
            "views": [
                self._eu_view(f.eu_budget_by_partner, _("Beneficiary"), self.short,
                              _("Direct costs by EU category and beneficiary"),
                              _("Direct, indirect and total costs by beneficiary")),
                self._eu_view(f.eu_budget_by_work_package, _("Work package"), str,
                              _("Direct costs by EU category and work package"),
                              _("Direct, indirect and total costs by work package")),
            ],
            "indirect_rate": self.loc.percent(self.project.call.indirect_rate, 0),
        }

    def _eu_view(self: Edition, table: pd.DataFrame, first: str, name: Callable[[str], str],
                 caption_direct: str, caption_summary: str) -> dict[str, Any]:
        """One view split in two tables (direct categories; direct, indirect, total) so
        amounts fit the page; `name` names a row."""
        totals = [key == TOTAL for key in table.index]

        def part(columns: list[str]) -> Grid:
            return grid([first, *(self.label("eu_category", c) for c in columns)],
                        [[self.total_label(key) if key == TOTAL else name(key),
                          *(self.money(row[c]) for c in columns)]
                         for key, row in table.iterrows()], totals)

        return {
            "direct": part([c for c in table.columns if c not in SUMMARY_COLUMNS]),
            "summary": part(list(SUMMARY_COLUMNS)),
            "caption_direct": caption_direct,
            "caption_summary": caption_summary,
        }
