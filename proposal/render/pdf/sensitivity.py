"""Context of the sensitivity section: how the totals move when one driver moves."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .cells import grid

if TYPE_CHECKING:
    from .edition import Edition


class SensitivityContext:
    """The budget chapter's sensitivity section."""

    def sensitivity(self: Edition) -> dict[str, Any]:
        """Total cost, financing gap and cost per GPU-hour for each driver moved by the step."""
        _, f = self._, self.figures
        rows = [[self.label("driver", row["driver"]), self.signed_percent(row["change"]),
                 self.money(row["total_cost_eur"]),
                 self.signed_percent(row["total_cost_delta_share"]),
                 self.money(row["financing_gap_eur"]),
                 self.money(row["cost_per_gpu_hour_eur"], 2)]
                for _i, row in f.sensitivity.iterrows()]
        return {
            "table": grid([_("Driver"), _("Change"), _("Total cost"), _("Change in total cost"),
                           _("Financing gap"), _("Cost per GPU-hour")], rows),
            "step": self.loc.percent(self.project.cost_model.sensitivity_step, 0),
        }
