"""Context of the annexes: partner profiles, and every assumption with its location."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from ...models import (
    IN_KIND_UNITS,
    Amount,
    Contact,
    Count,
    Partner,
    Pledge,
    Ratio,
    ShareRule,
    is_figure,
    walk_project,
)
from .apparatus import source_anchor
from .cells import Cell, grid, integral

if TYPE_CHECKING:
    from .edition import Edition

ITEM_NAMES = ("id", "category", "technology", "type", "kind")
"""Attributes that name a list item in a YAML location shown to readers."""


class AnnexesContext:
    """The annexes: one profile per partner, the assumed figures and the sources."""

    def profile(self: Edition, partner: Partner) -> dict[str, Any]:
        """One partner's profile page."""
        _ = self._
        facts = [(_("Legal name"), partner.legal_name),
                 (_("Country"), self.country(partner.country)),
                 (_("Type"), self.label("organisation_type", partner.organisation_type)),
                 (_("Status"), self.label("status", partner.status)
                  + (f" ({self.label('status', 'founding_member')})"
                     if partner.founding_member else ""))]
        if partner.pic:
            facts.append((_("PIC"), partner.pic))
        if partner.website:
            facts.append((_("Website"), str(partner.website)))
        if partner.address:
            facts.append((_("Address"), partner.address))
        facts.append((_("Value chain"), ", ".join(self.label("value_chain", layer)
                                                   for layer in partner.value_chain)))
        pledges = [{"heading": _("{label}: {text}").format(
                        label=self.label("financing_kind", f"partner_{pledge.kind}"),
                        text=self.loc.money(pledge.amount)),
                    "description": self.text(pledge.description)}
                   for pledge in partner.contributions.pledges]
        in_kind = [{"heading": _("{label}: {text}").format(
                        label=self.label("in_kind", item.kind),
                        text=self.loc.quantity(item.quantity.value, IN_KIND_UNITS[item.kind])),
                    "description": self.text(item.description),
                    "valuation": (self.loc.money(item.valuation.value)
                                  if item.valuation is not None else None)}
                   for item in partner.contributions.in_kind]

        def references(items: tuple) -> list[Markup]:
            return [self._labelled(ref.title + (f" ({ref.year})" if ref.year else ""),
                                   self.text(ref.description)) for ref in items]

        logo = next((logo.url for logo in self.logos if logo.partner.id == partner.id), None)
        return {
            "id": partner.id,
            "name": partner.short_name,
            "legal_name": partner.legal_name,
            "logo": logo,
            "facts": facts,
            "role": self.text(partner.role),
            "description": self.paras(partner.description),
            "people": [{"name": person.name, "position": self.text(person.position)}
                       for person in partner.key_people],
            "references": references(partner.references),
            "projects": references(partner.previous_projects),
            "infrastructure": [self.text(item) for item in partner.infrastructure],
            "pledges": pledges,
            "in_kind": in_kind,
            "sources": [self._source_line(s) for s in partner.sources],
            "assumed": partner.assumption,
        }

    def _labelled(self: Edition, label: str, text: str) -> Markup:
        """`label: text` with the label in bold, as the edition writes a colon; the bold
        label alone when there is no text."""
        strong = Markup("<strong>{}</strong>").format(label)
        if not text:
            return strong
        return escape(self._("{label}: {text}")).format(label=strong, text=text)

    def _source_line(self: Edition, source_id: str) -> dict[str, Any]:
        """One entry of the references list: title, publisher and date; the address and
        access date, or the document's description when no address was recorded."""
        entry: dict[str, Any] = {"id": source_id, "anchor": source_anchor(source_id),
                                 "text": "", "address": None, "accessed": None, "where": ""}
        source = self.project.sources.get(source_id)
        if source is None:
            return entry
        details = [self.text(source.title)]
        if source.publisher:
            details.append(self.text(source.publisher))
        if source.date:
            details.append(self.loc.date(source.date))
        entry["text"] = ", ".join(details)
        if source.url:
            entry["address"] = str(source.url)
            entry["accessed"] = self.loc.date(source.accessed) if source.accessed else None
        entry["where"] = self.text(source.document)
        return entry

    def assumptions(self: Edition) -> dict[str, Any]:
        """Every figure flagged as an assumption, other assumptions, every source."""
        _ = self._
        rows = []
        for file, path, node in walk_project(self.project):
            if is_figure(node) and node.assumption:
                rows.append([self._where(file, path), self._value(node, path),
                             self.text(node.note) or "\u2013"])
            elif isinstance(node, ShareRule) and node.assumption:
                rows.append([self._where(file, path),
                             self.bounds(node.min_share, node.max_share),
                             self.text(node.description)])
            elif isinstance(node, Contact) and node.assumption:
                rows.append([self._where(file, path), Cell("\u2013", True),
                             self.text(node.note) or _("Contact of the proposal, to be "
                                                       "confirmed.")])
            elif isinstance(node, Partner) and node.assumption:
                rows.append([self._where(file, path), Cell("\u2013", True),
                             _("Participation of %(partner)s not yet stated in a public "
                               "source.") % {"partner": node.short_name}])
        sources = [self._source_line(source_id) for source_id in sorted(self.project.sources)]
        return {
            "figures": grid([_("Where"), _("Value"), _("Why this value")], rows)
            if rows else None,
            "sources": sources,
        }

    def _where(self: Edition, file: str, path: tuple) -> str:
        """A YAML location in words: the file and the keys leading to the value, list
        items named by their id when they have one."""
        names, node = [], self._root_of(file)
        for part in path:
            if isinstance(part, int):
                node = node[part]
                names.append(next((str(getattr(node, name)) for name in ITEM_NAMES
                                   if isinstance(getattr(node, name, None), str)),
                                  f"#{part + 1}"))
            else:
                node = node[part] if isinstance(node, dict) else getattr(node, part, None)
                names.append(str(part))
        return self.loc.typeset(f"{file}: " + " \u203a ".join(names)) if names else file

    def _root_of(self: Edition, file: str) -> Any:
        if file.startswith("partners/"):
            return self.project.partner(Path(file).stem)
        if file == "data/sources.yaml":
            return {"sources": self.project.sources}
        return getattr(self.project, Path(file).stem)

    def _value(self: Edition, node: Any, path: tuple) -> Cell:
        """A flagged figure's value, formatted by what it measures."""
        if isinstance(node, Pledge):
            return self.money(node.amount)
        value = node.value
        decimals = 0 if integral([value]) else min(3, len(f"{value:g}".partition(".")[2]))
        if isinstance(node, Amount):
            return self.money(value, 0 if integral([value]) else 2)
        if isinstance(node, Ratio):
            return self.percent(value, 0 if integral([value * 100]) else 1)
        if isinstance(node, Count):
            return self.number(value)
        return self.number(value, decimals)
