"""Context of the consortium chapter: partners, value-chain matrix, governance."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...models import ValueChainLayer, ordered_partners
from .cells import Grid, grid

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
        coordinator = p.partner(p.consortium.coordinator)
        return {
            "positioning": self.paras(p.consortium.texts.positioning),
            "partners": self.folded(grid([_("Partner"), _("Country"), _("Type"), _("Status"),
                                          _("Role")], rows)),
            "matrix": self._value_chain(),
            "governance": self.paras(p.consortium.texts.governance),
            "coordinator": self.named(coordinator.legal_name),
            "agreement_years": self.loc.number(p.consortium.agreement_years),
            "min_agreement_years": self.loc.number(p.call.min_agreement_years),
        }

    def _value_chain(self: Edition) -> Grid:
        """Partners by value-chain layer: a partner x layer grid of marks when it fits a
        portrait page, else one row per layer listing its partners. Layers no partner
        covers are left out either way."""
        _, partners = self._, ordered_partners(self.project)
        layers = [layer for layer in ValueChainLayer
                  if any(layer in partner.value_chain for partner in partners)]
        matrix = self.page.oriented(grid(
            [_("Partner"), *(self.label("value_chain", layer) for layer in layers)],
            [[partner.short_name, *("\u25cf" if layer in partner.value_chain else ""
                                    for layer in layers)] for partner in partners]))
        if not matrix.landscape:
            return matrix
        return grid([_("Layer"), _("Partners")],
                    [[self.label("value_chain", layer),
                      ", ".join(p.short_name for p in partners if layer in p.value_chain)]
                     for layer in layers])
