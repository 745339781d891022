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
    is_figure,
    walk_project,
)
from ..workbook.assumptions import Input, assumption_inputs
from ..workbook.book import Wording
from .apparatus import source_anchor
from .cells import Cell, grid, integral

if TYPE_CHECKING:
    from .edition import Edition

WIDE_FACT = 32
"""A partner's fact longer than this many characters takes a whole line of the profile."""
ITEM_NAMES = ("id", "category", "technology", "type", "kind")
"""Attributes that name a list item in a YAML location shown to readers."""


class AnnexesContext:
    """The annexes: one profile per partner, the assumed figures and the sources."""

    show_paths: bool = False
    """True in a draft edition: the assumptions annex adds a column saying where each
    value is written in the input files (a submission leaves the files out)."""

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
            "facts": fact_rows(facts),
            "role": self.named(self.text(partner.role)),
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
        """Every figure flagged as an assumption, named as the workbook names it, with its
        value in its unit and why; other assumptions; every source. Where each value is
        written in the input shows only when `show_paths` is set (a draft edition)."""
        _ = self._
        places = {id(node): (file, path) for file, path, node in walk_project(self.project)}
        words = Wording(self.project, self.figures, self.loc.lang)
        rows, named = [], set()
        for entry in assumption_inputs(words):
            origin = entry.origin
            if not getattr(origin, "assumption", False):
                continue
            named.add(id(origin))
            note = entry.note if entry.note is not None else self.text(origin.note)
            rows.append((places[id(origin)], entry.item, self._in_unit(entry), note))
        for file, path, node in walk_project(self.project):
            if id(node) in named or not getattr(node, "assumption", False):
                continue
            if is_figure(node):
                rows.append(((file, path), *self._unnamed(file, path, node),
                             self.text(node.note)))
            elif isinstance(node, Contact):
                rows.append(((file, path), _("Contact of the proposal"), Cell("\u2013", True),
                             self.text(node.note) or _("Contact of the proposal, to be "
                                                       "confirmed.")))
            elif isinstance(node, Partner):
                rows.append(((file, path), node.short_name, Cell("\u2013", True),
                             _("Participation of %(partner)s not yet stated in a public "
                               "source.") % {"partner": node.short_name}))
        head = [_("Assumption"), _("Value"), _("Why this value")]
        if self.show_paths:
            head.append(_("Where"))
        # Values of different units do not line up as a column of figures: left-aligned
        # and free to wrap before their unit, they leave the reasons room to read.
        table = [[label, Cell(value.text), note or "\u2013",
                  *([self._where(*place)] if self.show_paths else [])]
                 for place, label, value, note in rows]
        sources = [self._source_line(source_id) for source_id in sorted(self.project.sources)]
        return {
            "figures": grid(head, table) if table else None,
            "caption": (_("Figures flagged as assumptions, with where they are written in "
                          "the input.") if self.show_paths
                        else _("Figures the bid team assumed, with their values and reasons.")),
            "sources": sources,
        }

    def _in_unit(self: Edition, entry: Input) -> Cell:
        """An input's value formatted by its kind, followed by its unit when it has one."""
        value, kind = entry.value, entry.kind
        if kind == "date":
            return Cell(self.loc.date(value), True)
        if kind == "year":
            return Cell(self.year(value), True)
        if kind in ("share", "rate"):
            text = self.loc.percent(value, _decimals(value * 100))
        elif kind in ("eur", "eur2"):
            text = self.loc.money(value, 2 if kind == "eur2" or not integral([value]) else 0)
        else:
            text = self.loc.number(value, _decimals(value))
        return Cell(self.loc.typeset(f"{text} {entry.unit}" if entry.unit else text), True)

    def _unnamed(self: Edition, file: str, path: tuple, node: Any) -> tuple[str, Cell]:
        """The label and value of a flagged figure that is not an input of the budget,
        such as the quantity of a contribution in kind: named by its partner and kind,
        else by the keys that lead to it."""
        partner = self._root_of(file)
        if isinstance(partner, Partner) and path[:2] == ("contributions", "in_kind") \
                and path[-1] == "quantity":
            item = partner.contributions.in_kind[path[2]]
            label = self._("{partner}: in kind, {kind}").format(
                partner=partner.short_name, kind=self.label("in_kind", item.kind))
            return label, Cell(self.loc.quantity(node.value, IN_KIND_UNITS[item.kind]), True)
        return self._where(file, path).partition(": ")[2], self._value(node, path)

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


def _decimals(value: float) -> int:
    """The decimals a figure needs to print as written: none when whole, up to three."""
    return 0 if integral([value]) else min(3, len(f"{value:.6g}".partition(".")[2]))


def fact_rows(facts: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """A profile's facts in lines of two label-value pairs, in order; a long value
    (over `WIDE_FACT` characters) takes a line of its own, and the pair before it then
    stands alone. Each line is laid out as a fixed table (cheap for WeasyPrint, unlike
    the flexible boxes it replaced)."""
    rows: list[list[tuple[str, str]]] = []
    for fact in facts:
        wide = len(fact[1]) > WIDE_FACT
        if rows and len(rows[-1]) == 1 and len(rows[-1][0][1]) <= WIDE_FACT and not wide:
            rows[-1].append(fact)
        else:
            rows.append([fact])
    return rows
