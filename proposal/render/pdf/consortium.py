"""Context of the consortium chapter: partners, value-chain matrix, governance."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...models import ValueChainLayer, ordered_partners
from .cells import grid

if TYPE_CHECKING:
    from .edition import Edition


class ConsortiumContext:
    """The consortium chapter."""

    def consortium(self: Edition) -> dict[str, Any]:
        """Partners, value-chain matrix, governance."""
        _, p = self._, self.project
        rows = []
        for partner in ordered_partners(p):
            name = partner.short_name + (" \u2605" if partner.founding_member else "")
            rows.append([name, self.country(partner.country),
                         self.label("organisation_type", partner.organisation_type),
                         self.label("status", partner.status), self.text(partner.role)])
        layers = list(ValueChainLayer)
        matrix = [[partner.short_name,
                   *("\u25cf" if layer in partner.value_chain else "" for layer in layers)]
                  for partner in ordered_partners(p)]
        coordinator = p.partner(p.consortium.coordinator)
        return {
            "positioning": self.paras(p.consortium.texts.positioning),
            "partners": grid([_("Partner"), _("Country"), _("Type"), _("Status"), _("Role")],
                             rows),
            "matrix": grid([_("Partner"), *(self.label("value_chain", layer)
                                            for layer in layers)], matrix),
            "governance": self.paras(p.consortium.texts.governance),
            "coordinator": coordinator.legal_name,
            "agreement_years": self.loc.number(p.consortium.agreement_years),
            "min_agreement_years": self.loc.number(p.call.min_agreement_years),
        }
