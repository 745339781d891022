"""Context of the EU budget section: the costs in the EU categories A to E, and the
reconciliation from the bid's total cost to the costs eligible under the call's rules
and the public contributions requested."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pandas as pd

from ...compute import ELIGIBLE, EU_INDIRECT, TOTAL
from ...i18n import N_
from .cells import Grid, grid

if TYPE_CHECKING:
    from .edition import Edition

SUMMARY_COLUMNS = ("direct", EU_INDIRECT, ELIGIBLE)
"""Columns of the summary tables (direct, indirect, eligible); the direct tables show the
others."""

RECONCILIATION = {
    "total_cost": N_("Total cost of the bid: the direct costs, categories A to D"),
    "outside_base": N_("of which outside the base of the flat rate (%(excluded)s)"),
    "indirect_base": N_("of which the base of the flat rate"),
    "indirect": N_("E. Indirect costs: flat rate of %(rate)s on that base"),
    "eligible": N_("Costs eligible under the call's rules: total cost + E"),
    "eu": N_("EU contribution requested: %(share)s of the total cost"),
    "member_state": N_("Member State contribution requested: %(share)s of the total cost"),
    "public": N_("Public contributions requested"),
}
"""The label of each step of `Figures.reconciliation`."""
RECONCILIATION_TOTALS = ("total_cost", "eligible", "public")
"""The steps that total the steps above them (printed as total rows)."""


class EuBudgetContext:
    """The budget chapter's EU budget section."""

    def eu_budget(self: Edition) -> dict[str, Any]:
        """The reconciliation, the EU budget by beneficiary and by work package, and the
        figures the section's text quotes."""
        _, f, call = self._, self.figures, self.project.call
        printed = f.printed
        excluded = ", ".join(call.indirect_excludes)
        return {
            "reconciliation": self._reconciliation(),
            "views": [
                self._eu_view(printed.eu_budget_by_partner, _("Beneficiary"), self.short,
                              _("Direct costs by EU category and beneficiary (%(unit)s)."),
                              _("Direct costs, indirect costs (E) and eligible costs by "
                                "beneficiary (%(unit)s).")),
                self._eu_view(printed.eu_budget_by_work_package, _("Work package"), str,
                              _("Direct costs by EU category and work package (%(unit)s)."),
                              _("Direct costs, indirect costs (E) and eligible costs by "
                                "work package (%(unit)s).")),
            ],
            "indirect_rate": self.loc.percent(call.indirect_rate, 0),
            "base": (_("the direct costs other than %(excluded)s") % {"excluded": excluded}
                     if excluded else _("all the direct costs")),
            "total_cost": self.loc.money(printed.total_cost_eur),
            "indirect": self.loc.money(printed.indirect_costs_eur),
            "eligible": self.loc.money(printed.eligible_costs_eur),
        }

    def _reconciliation(self: Edition) -> Any:
        """The steps from the total cost to the eligible costs and the contributions."""
        _, p = self._, self.project
        excluded = ", ".join(self.label("eu_category", c) for c in p.call.indirect_excludes)
        shares = {"eu": p.financing.eu.share.value,
                  "member_state": p.financing.member_state.share.value}
        steps = self.figures.printed.reconciliation
        rows = [[_(RECONCILIATION[step]) % {
                    "excluded": excluded or "\u2013",
                    "rate": self.loc.percent(p.call.indirect_rate, 0),
                    "share": self.loc.percent(shares.get(step, 0.0))},
                 self.amount(row["amount"])] for step, row in steps.iterrows()]
        return grid([_("Step"), _("Amount (%(unit)s)") % {"unit": self.money_unit()}], rows,
                    [step in RECONCILIATION_TOTALS for step in steps.index])

    def _eu_view(self: Edition, table: pd.DataFrame, first: str, name: Callable[[str], str],
                 caption_direct: str, caption_summary: str) -> dict[str, Any]:
        """One view split in two tables (direct categories; direct, indirect, eligible)
        so amounts fit the page; `name` names a row."""
        totals = [key == TOTAL for key in table.index]
        heads = {ELIGIBLE: self._("Eligible costs")}

        def part(columns: list[str]) -> Grid:
            return grid([first, *(heads.get(c) or self.label("eu_category", c)
                                  for c in columns)],
                        [[self.total_label(key) if key == TOTAL else name(key),
                          *(self.amount(row[c]) for c in columns)]
                         for key, row in table.iterrows()], totals)

        unit = {"unit": self.money_unit()}
        return {
            "direct": self.oriented(self.folded(part([c for c in table.columns
                                                      if c not in SUMMARY_COLUMNS]))),
            "summary": part(list(SUMMARY_COLUMNS)),
            "caption_direct": caption_direct % unit,
            "caption_summary": caption_summary % unit,
        }
