"""Context of the sensitivity section: how the totals move when one driver moves."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .cells import Cell, grid

if TYPE_CHECKING:
    from .edition import Edition


class SensitivityContext:
    """The budget chapter's sensitivity section."""

    def sensitivity(self: Edition) -> dict[str, Any]:
        """Total cost, financing gap or surplus and cost per GPU-hour for each driver moved
        by the step, with the change each move applied (less than the step where PUE or
        utilisation reaches its bound)."""
        _, f = self._, self.figures
        printed = f.printed.sensitivity
        rows, capped = [], []
        for i, row in f.sensitivity.iterrows():
            amounts = printed.loc[i]
            rows.append([self.label("driver", row["driver"]),
                         self.signed_percent(row["change_applied"]),
                         self.amount(amounts["total_cost"]),
                         self.signed_percent(row["total_cost_delta_share"]),
                         self.amount_or_dash(amounts["financing_gap"]),
                         self.amount_or_dash(amounts["financing_surplus"]),
                         self.money(row["cost_per_gpu_hour_eur"], 2)])
            if row["capped"]:
                capped.append(_("%(driver)s %(applied)s instead of %(change)s") % {
                    "driver": self.label("driver", row["driver"]),
                    "applied": self.signed_percent(row["change_applied"]).text,
                    "change": self.signed_percent(row["change"]).text})
        return {
            "table": grid([_("Driver"), _("Change applied"), _("Total cost"),
                           _("Change in total cost"), _("Financing gap"),
                           _("Financing surplus"), _("Cost per GPU-hour")], rows),
            "step": self.loc.percent(self.project.cost_model.sensitivity_step, 0),
            "capped": "; ".join(capped),
        }

    def amount_or_dash(self: Edition, value: float) -> Cell:
        """A printed amount, or a dash where it is 0 (the balance is in the other column)."""
        return self.amount(value) if value else Cell("\u2013", True)
