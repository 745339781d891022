"""Context of the executive summary: abstract, objectives, commitments, key figures and
the funding per year."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...compute import FUNDING_GROUPS, TOTAL
from ...compute.content import requested_to_the_euro
from ..diagrams import FundingSeries, funding_chart
from .cells import grid

if TYPE_CHECKING:
    from .edition import Edition


class SummaryContext:
    """The executive summary, and the key figures every chapter quotes."""

    def summary(self: Edition) -> dict[str, Any]:
        """Executive summary: abstract, objectives, commitments, funding per year."""
        texts = self.project.consortium.texts
        return {
            "abstract": self.paras(texts.abstract),
            "objectives": self.paras(texts.objectives),
            "commitments": [self.text(item) for item in texts.commitments],
            "funding": self.funding_by_year(),
        }

    def key_figures(self: Edition) -> dict[str, Any]:
        """The plain figures, formatted once for every place that quotes them; amounts as
        `Figures.printed` rounds them to the euro, so capex and opex add up to the total."""
        f, loc = self.figures, self.loc
        printed = f.printed
        return {
            "total_cost": loc.money(printed.total_cost_eur),
            "capex": loc.money(printed.capex_eur),
            "opex": loc.money(printed.opex_eur),
            "money_unit": self.money_unit(),
            "horizon": loc.number(f.horizon_years),
            "first_year": self.year(f.first_year),
            "last_year": self.year(f.last_year),
            "power": self.plain(f.power_mw),
            "facility_power": self.plain(f.facility_power_mw),
            "ultimate_power": loc.number(f.ultimate_power_mw),
            "ultimate_year": (self.year(f.ultimate_target_year)
                              if f.ultimate_target_year is not None else None),
            "accelerators": loc.number(f.accelerators),
            "h100": loc.number(f.h100_equivalents),
            "accelerator_power": loc.number(f.accelerator_power_mw, 1),
            "pue": loc.number(f.pue, 2),
            "utilisation": loc.percent(f.utilisation, 0),
            "energy": loc.number(f.energy_gwh_per_year),
            "emissions": loc.number(f.emissions_t_per_year),
            "steady_cost": loc.money(f.steady_state_cost_per_year_eur),
            "gpu_hours": loc.number(f.gpu_hours_per_year),
            "h100_hours": loc.number(f.h100_hours_per_year),
            "cost_gpu_hour": loc.money(f.cost_per_gpu_hour_eur, 2),
            "cost_h100_hour": loc.money(f.cost_per_h100_hour_eur, 2),
            "financing_total": loc.money(printed.financing_total_eur),
            "person_months": loc.number(f.person_months_total),
            "personnel_cost": loc.money(f.personnel_cost_eur),
            "amortisation": loc.number(self.project.cost_model.amortisation_years),
            **self._requested(),
        }

    def _requested(self: Edition) -> dict[str, Any]:
        """The public contributions requested, to the euro, and their shares of the total
        cost as the financing table prints them."""
        content, printed, loc = self.figures.content, self.figures.printed, self.loc
        eu, member_state = requested_to_the_euro(content)
        return {
            "eu_requested": loc.money(eu),
            "member_state_requested": loc.money(member_state),
            "eu_share": loc.percent(printed.financing.at["eu", "share"],
                                    printed.shares.decimals),
            "member_state_share": loc.percent(printed.financing.at["member_state", "share"],
                                              printed.shares.decimals),
        }

    def funding_by_year(self: Edition) -> dict[str, Any]:
        """The funding of each year by source group: table and stacked bars."""
        _, f = self._, self.figures
        table = f.content.printed_funding_by_year
        labels = {"eu": _("EU"), "member_state": _("Member State"),
                  "private": _("Partners"), "debt": _("Debt")}
        rows = [[self.total_label(year) if year == TOTAL else self.year(year),
                 *(self.amount(row[c]) for c in (*FUNDING_GROUPS, TOTAL))]
                for year, row in table.iterrows()]
        body = table.drop(TOTAL)
        series = [FundingSeries(labels[c], tuple(float(v) for v in body[c]))
                  for c in FUNDING_GROUPS]
        chart = funding_chart([self.year(y) for y in body.index], series,
                              _("Funding per year by source"),
                              _("In %(unit)s") % {"unit": self.money_unit()},
                              lambda v: self.loc.number(v, 0), width=self.page.chart_width_pt,
                              label_pt=self.page.chart_pt)
        return {
            "table": grid([_("Year"), *(labels[c] for c in FUNDING_GROUPS), _("Total")], rows,
                          [year == TOTAL for year in table.index]),
            "chart": chart,
        }
