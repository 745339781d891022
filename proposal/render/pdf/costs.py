"""Context of the budget chapter's cost tables: capex, opex, cost by year.

The tables print `Figures.printed`: amounts in its unit, rounded so that every total
adds up; the key figures and the texts quote the same totals to the euro.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...compute import TOTAL
from .cells import grid

if TYPE_CHECKING:
    from .edition import Edition


class CostsContext:
    """The budget chapter's capex, opex and total-cost sections."""

    def costs(self: Edition) -> dict[str, Any]:
        """Capex by category and phase, opex by year and category, cost by year."""
        _, printed = self._, self.figures.printed
        capex = printed.capex
        capex_rows = [[self.label("capex", category),
                       *(self.amount(capex.loc[phase, category]) for phase in capex.index)]
                      for category in capex.columns]
        capex_head = [_("Category"), *(_("Total") if phase == TOTAL else
                                       self.phase_names.get(phase, phase)
                                       for phase in capex.index)]
        opex = printed.opex
        opex_rows = [[self.total_label(year) if year == TOTAL else self.year(year),
                      *(self.amount(v) for v in row)] for year, row in opex.iterrows()]
        opex_head = [_("Year"), *(self.label("opex", c) for c in opex.columns)]
        cash = printed.cost_by_year
        cost_rows = [[self.total_label(year) if year == TOTAL else self.year(year),
                      *(self.amount(row[c]) for c in ("capex", "opex", "total", "cumulative"))]
                     for year, row in cash.iterrows()]
        return {
            "capex": grid(capex_head, capex_rows, [c == TOTAL for c in capex.columns]),
            "opex": self.oriented(grid(opex_head, opex_rows, [y == TOTAL for y in opex.index])),
            "cost_by_year": grid([_("Year"), _("Capex"), _("Opex"), _("Total"),
                                  _("Cumulative")], cost_rows,
                                 [y == TOTAL for y in cash.index]),
        }
