"""Context of the infrastructure chapter: sites, phases, accelerators, ramp-up."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..charts import RampUpLabels, ramp_up_chart
from .cells import Cell, column_decimals, grid

if TYPE_CHECKING:
    from .edition import Edition


class InfrastructureContext:
    """The infrastructure chapter."""

    def infrastructure(self: Edition) -> dict[str, Any]:
        """Phases, sites, accelerators, ramp-up."""
        _, cm, f = self._, self.project.cost_model, self.figures
        sites = {site.id: site for site in cm.sites}
        phases = []
        for phase in cm.phases:
            row = f.phases.loc[phase.id]
            phases.append([self.phase_names[phase.id], self.loc.month(row["start"]),
                           self.loc.month(row["end"]),
                           ", ".join(self.text(sites[s].name) if s in sites else s
                                     for s in phase.sites),
                           self.number(row["power_mw"], column_decimals(
                               list(f.phases["power_mw"]))),
                           self.number(row["accelerators"]),
                           self.number(row["h100_equivalents"])])
        types = {t.id: t for t in cm.accelerator_types}
        purchases = []
        for _i, row in f.phase_accelerators.iterrows():
            kind = types.get(row["type"])
            purchases.append([self.phase_names.get(row["phase"], row["phase"]),
                              self.text(kind.name) if kind else row["type"],
                              self.number(row["count"]),
                              self.number(row["h100_equivalents"]),
                              self.number(row["power_mw"], 1), self.money(row["purchase_eur"])])
        site_rows = [[f"{self.text(site.name)}, {self.text(site.region)} ({site.country})",
                      self.short(site.host),
                      Cell(self.plain(site.max_power_mw.value), True),
                      self.text(site.description)] for site in cm.sites]
        type_rows = [[self.text(t.name), self.text(t.vendor) or "\u2013",
                      Cell(self.plain(t.h100_equivalence.value), True),
                      self.money(t.unit_price.value), self.number(t.power_kw.value, 1)]
                     for t in cm.accelerator_types]
        years = f.capacity_by_year
        in_service = column_decimals(list(years["power_in_service_mw"]))
        capacity = [[self.year(year), self.number(row["power_mw"]),
                     self.number(row["accelerators"]), self.number(row["h100_equivalents"]),
                     self.number(row["power_in_service_mw"], in_service),
                     self.number(row["gpu_hours"])] for year, row in years.iterrows()]
        chart = ramp_up_chart(
            [self.year(y) for y in years.index], list(years["power_mw"]),
            list(years["h100_equivalents"]),
            RampUpLabels(title=_("Ramp-up of the installed capacity"),
                         bars=_("IT power installed at year end (MW)"),
                         line=_("H100 equivalents installed (right scale)"),
                         left_axis=_("IT power (MW)"),
                         right_axis=_("H100 equivalents (units)")),
            self.loc.number, width=self.page.chart_width_pt, label_pt=self.page.chart_pt)
        texts = self.project.consortium.texts
        return {
            "text": self.paras(texts.infrastructure),
            "phases": grid([_("Phase"), _("Start"), _("In service"), _("Sites"),
                            _("IT power (MW)"), _("Accelerators"), _("H100 equivalents")],
                           phases),
            "purchases": grid([_("Phase"), _("Accelerator"), _("Units added"),
                               _("H100 equivalents added"), _("Power (MW)"),
                               _("Purchase cost")], purchases),
            "sites": grid([_("Site"), _("Host"), _("Grid connection (MW)"), _("Description")],
                          site_rows),
            "types": grid([_("Accelerator"), _("Vendor"), _("H100 equivalence"),
                           _("Unit price"), _("Power per unit (kW)")], type_rows),
            "capacity": grid([_("Year"), _("IT power installed (MW)"),
                              _("Accelerators installed"), _("H100 equivalents installed"),
                              _("IT power in service, year average (MW)"),
                              _("Delivered GPU-hours")], capacity),
            "chart": chart,
            "security": self.paras(texts.security),
            "access": self.paras(texts.access_policy),
        }
