"""Context of the consortium chapter: the consortium table, value-chain matrix,
governance and its diagram."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from ...compute import TOTAL
from ...models import ValueChainLayer, ordered_partners
from ..diagrams import Body, governance_diagram
from .cells import Cell, Grid, grid

if TYPE_CHECKING:
    from .edition import Edition


FOUNDING_MARK = " \u2605"
"""Mark of a founding member after its name in the consortium table (a black star)."""
COVERS_MARK = "\u25cf"
"""Mark of a layer a partner covers in the value-chain matrix (a black circle)."""
STATUS_MARKS = {"supporter": " \u25cb", "in_discussion": " \u25c7"}
"""Marks of the partners that are not members, after their name in the consortium table
(the caption explains them); all marks are characters the shipped fonts draw (a white star,
which they lack, came out in a fallback font)."""


def short_role(role: str) -> str:
    """A role as the consortium table shows it: its first clause, up to a semicolon
    (the partner's profile shows the whole role)."""
    return role.split(";", 1)[0].strip().rstrip(".")


class ConsortiumContext:
    """The consortium chapter."""

    def consortium(self: Edition) -> dict[str, Any]:
        """Consortium table, value-chain matrix, governance and its diagram."""
        _, p = self._, self.project
        coordinator = p.partner(p.consortium.coordinator)
        governance = p.consortium.governance
        return {
            "positioning": self.paras(p.consortium.texts.positioning),
            "partners": self._consortium_table(),
            "matrix": self._value_chain(),
            "governance": self.paras(p.consortium.texts.governance),
            "diagram": self._governance_diagram() if governance is not None else None,
            # The roles go under the diagram, in the text: an SVG label loses the edition's
            # no-break spaces (`dette ; prépare`) and a sentence wraps badly in a box.
            "bodies": [_("{body}: {role}").format(body=self.text(body.name),
                                                  role=self.text(body.role))
                       for body in governance.bodies] if governance is not None else [],
            "governance_assumed": governance is not None and governance.assumption,
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
            [[partner.short_name, *(COVERS_MARK if layer in partner.value_chain else ""
                                    for layer in layers)] for partner in partners]))
        if not matrix.landscape:
            return matrix
        return grid([_("Layer"), _("Partners")],
                    [[self.label("value_chain", layer),
                      ", ".join(p.short_name for p in partners if layer in p.value_chain)]
                     for layer in layers])

    def _consortium_table(self: Edition) -> Any:
        """The consortium in one table: number, name, country, type, role, person-months,
        costs and public contribution requested, coordinator first."""
        _, f = self._, self.figures
        table, printed = f.content.consortium, f.content.printed_consortium
        decimals = 0 if all(float(v).is_integer() for v in table["person_months"]) else 1
        rows = []
        for pid, row in table.iterrows():
            amounts = ([self.amount(printed.at[pid, "cost"]),
                        self.amount(printed.at[pid, "requested"])]
                       if printed is not None else [Cell("\u2013", True)] * 2)
            pm = self.number(row["person_months"], decimals)
            if pid == TOTAL:
                rows.append([Cell("", True), self._("Total"), "", pm, *amounts])
                continue
            partner = self.project.partner(str(pid))
            name = partner.short_name + (FOUNDING_MARK if partner.founding_member else "")
            name += STATUS_MARKS.get(partner.status.value, "")
            kind = self.label("organisation_type", partner.organisation_type)
            rows.append([self.number(row["number"]),
                         self._("{partner}: {role}").format(
                             partner=name, role=short_role(self.text(partner.role))),
                         f"{partner.country}, {kind.lower()}", pm, *amounts])
        return grid([_("No."), _("Partner: role"), _("Country, type"), _("PM"), _("Costs"),
                     _("EU + MS")], rows,
                    [pid == TOTAL for pid in table.index])

    def _governance_diagram(self: Edition) -> Markup:
        """The governance bodies as boxes, arrows to the body each reports to."""
        _ = self._
        bodies = []
        for body in self.project.consortium.governance.bodies:
            lines = []
            if body.chair is not None:
                lines.append(_("Chaired by {partner}").format(partner=self.short(body.chair)))
            if body.members:
                lines.append(_("With {partners}").format(
                    partners=", ".join(self.short(m) for m in body.members)))
            if body.meets is not None:
                lines.append(_("Meets {frequency}").format(
                    frequency=self.label("meets", body.meets)))
            bodies.append(Body(body.id, self.text(body.name), tuple(lines), body.reports_to))
        return governance_diagram(bodies, _("Governance bodies of the consortium"),
                                  width=self.page.chart_width_pt, label_pt=self.page.chart_pt)
