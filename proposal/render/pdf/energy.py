"""Context of the energy chapter: supply, mix, energy use and emissions per year."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .cells import column_decimals, grid, integral

if TYPE_CHECKING:
    from .edition import Edition


class EnergyContext:
    """The energy and sustainability chapter."""

    def energy(self: Edition) -> dict[str, Any]:
        """Energy assumptions, mix, energy and emissions per year."""
        _, energy, f = self._, self.project.cost_model.energy, self.figures
        mix = [[self.label("energy_technology", item.technology),
                self.percent(item.share.value)] for item in energy.mix]
        years = f.capacity_by_year
        in_service = column_decimals(list(years["power_in_service_mw"]))
        rows = [[self.year(year), self.number(row["power_in_service_mw"], in_service),
                 self.number(row["it_energy_gwh"]), self.number(row["energy_gwh"]),
                 self.number(row["emissions_t"])] for year, row in years.iterrows()]
        return {
            "text": self.paras(self.project.consortium.texts.sustainability),
            "price": self.loc.money(energy.price_eur_per_mwh.value,
                                    0 if integral([energy.price_eur_per_mwh.value]) else 2),
            "carbon": self.plain(energy.carbon_g_per_kwh.value),
            "water": (self.loc.number(energy.water_l_per_kwh.value, 2)
                      if energy.water_l_per_kwh is not None else None),
            "mix": grid([_("Primary source"), _("Share of supply")], mix) if mix else None,
            "years": grid([_("Year"), _("IT power in service (MW)"), _("IT energy (GWh)"),
                           _("Facility energy (GWh)"), _("Emissions (t CO2e)")], rows),
        }
