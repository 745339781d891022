"""The evaluator's apparatus: numbered captions, cross-references, citations and the
list of abbreviations.

Tables and figures are numbered in reading order as the templates lay them out: each
caption asks `Apparatus.number` for its number (the `numbered` macro of
`templates/proposal/macros.html`). The list of tables and figures comes before them,
and a text may refer to a table that comes later, so what the list and the references
print is known only once the whole edition is laid out. The builder renders it once
(`Apparatus.defer`): each cross-reference prints a token, the lists print empty; then
`Apparatus.complete` records the captions and the abbreviations the pages use
(`Apparatus.settle`), puts each reference in place of its token and the lists, rendered
on their own, in place of the empty ones. The result is byte for byte what a second
pass of the whole template would print. Page numbers are WeasyPrint's: links to the
anchors with `target-counter(attr(href), page)`.

`proposal.abbreviations` is the `check` side: a warning for each all-capitals word of
a data text that no abbreviation expands.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from html import unescape
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from ...abbreviations import ALL_CAPITALS, built_in
from ...i18n import N_, Locale

if TYPE_CHECKING:
    from .edition import Edition

KINDS = {"table": N_("Table %(number)s"), "figure": N_("Figure %(number)s")}
"""What can be numbered, with its label."""

CITATION = re.compile(r"\[([a-z0-9][a-z0-9_-]*)\]([\u00a0\u202f][:;!?])?")
"""A bracketed citation of a source by its id: `[a]`, `[ep-summary]`, with the French
punctuation glued to it by a no-break space (`[a] :`), which the link keeps in its
box so that justification cannot widen that space."""

REQUESTED = (("eu", N_("EU contribution requested")),
             ("member_state", N_("Member State contribution requested")))
"""The public contributions the cover states: financing source, label."""

TAGS = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Numbered:
    """A numbered table or figure."""

    kind: str
    """`table` or `figure`."""
    number: int
    """Its number among the tables, or among the figures."""
    label: str
    """`Table 3`, `Tableau 3`."""
    caption: str
    """Its caption, as the templates wrote it."""
    key: str | None = None
    """The name cross-references use, when it has one."""

    @property
    def id(self) -> str:
        """Anchor of the caption."""
        return f"{self.kind}-{self.number}"

    @property
    def short(self) -> str:
        """The caption's first sentence without a closing parenthesis (the unit of a
        table), for the list of tables and figures."""
        first = re.split(r"(?<=[.;:])\s", str(self.caption), maxsplit=1)[0].rstrip(".;: ")
        return re.sub(r"\s*\([^()]*\)$", "", first)


@dataclass(frozen=True)
class Abbreviation:
    """An entry of the list of abbreviations."""

    term: str
    """As the pages write it."""
    expansion: str
    """What it stands for, in the edition's language."""


@dataclass(frozen=True)
class Reference:
    """A cross-reference printed before the edition is complete: tokens that
    `Apparatus.complete` replaces with the anchor and label of what it names."""

    id: str
    """Token of the anchor."""
    label: str
    """Token of the label."""


def source_anchor(source_id: str) -> str:
    """Anchor of a source's entry in the references list."""
    return f"source-{source_id}"


class Apparatus:
    """Numbers the captions of one edition and keeps what the list of tables and
    figures, the cross-references and the list of abbreviations show."""

    def __init__(self, loc: Locale, abbreviations: dict[str, str], sources: set[str]):
        self.loc = loc
        self.dash = " \u2013 "
        """Between a caption's label and its text."""
        self.known = abbreviations
        """Every abbreviation the edition could list: term -> expansion."""
        self.sources = sources
        self.numbered: list[Numbered] = []
        self.listed: list[Numbered] = []
        """The tables and figures of the previous pass, in order."""
        self.abbreviations: list[Abbreviation] = []
        """The abbreviations the pages of the previous pass use, sorted."""
        self._deferred: list[tuple[Reference, str, Numbered]] | None = None
        """While a single pass renders (`defer`): each cross-reference's tokens, key and
        what a first pass would have printed."""
        self._nonce = ""

    # ---------------------------------------------------------------- captions

    def number(self, kind: str, caption: str, key: str | None = None) -> Numbered:
        """The next number of a table or figure, recorded for the list."""
        count = 1 + sum(1 for item in self.numbered if item.kind == kind)
        item = Numbered(kind, count, self.loc.gettext(KINDS[kind]) % {"number": count},
                        caption, key)
        self.numbered.append(item)
        return item

    def tables(self) -> list[Numbered]:
        """The tables of the previous pass."""
        return [item for item in self.listed if item.kind == "table"]

    def figures(self) -> list[Numbered]:
        """The figures of the previous pass."""
        return [item for item in self.listed if item.kind == "figure"]

    def see(self, key: str) -> Numbered | Reference:
        """The table or figure a cross-reference names; a placeholder on the first pass;
        tokens while a single pass renders (`defer`)."""
        if self._deferred is not None:
            first = self._look_up(key)
            count = len(self._deferred)
            reference = Reference(f"\ue000{self._nonce}:{count}:id\ue001",
                                  f"\ue000{self._nonce}:{count}:label\ue001")
            self._deferred.append((reference, key, first))
            return reference
        return self._look_up(key)

    def _look_up(self, key: str) -> Numbered:
        for item in self.listed:
            if item.key == key:
                return item
        if self.listed:
            raise KeyError(f"no table or figure has the key {key!r}")
        return Numbered("table", 0, "", "", key)

    def defer(self) -> None:
        """Start a single pass: cross-references print tokens until `complete`."""
        self._deferred, self._nonce = [], secrets.token_hex(8)

    def complete(self, html: str, empty_lists: str, render_lists: Callable[[], str]) -> str:
        """End a single pass (`defer`): the HTML with every cross-reference in place and
        the lists (`empty_lists`, as the pass printed them) replaced by `render_lists()`,
        which runs once the captions and abbreviations are recorded. Equal to what a
        second pass would print: the captions, the abbreviations and the lists are found
        in the HTML as a first pass printed it (references as placeholders)."""
        deferred, self._deferred = self._deferred or [], None
        first = {token: str(escape(value)) for reference, _, item in deferred
                 for token, value in ((reference.id, item.id), (reference.label, item.label))}
        self.settle(_put(html, first))
        self.listed = [replace(item, caption=type(item.caption)(_put(str(item.caption), first)))
                       for item in self.listed]
        final = {}
        for reference, key, _ in deferred:
            item = self._look_up(key)  # raises, as a second pass would, for a wrong key
            final[reference.id], final[reference.label] = str(escape(item.id)), \
                str(escape(item.label))
        html = _put(html, final)
        at = html.find(empty_lists)
        if at < 0:  # a template without the lists: a second pass would add none either
            return html
        return html[:at] + render_lists() + html[at + len(empty_lists):]

    def settle(self, html: str) -> None:
        """End a pass: keep its tables and figures, and the abbreviations its text uses."""
        self.listed, self.numbered = self.numbered, []
        text = unescape(TAGS.sub(" ", html.partition("<body")[2]))
        used = {term: expansion for term, expansion in self.known.items()
                if re.search(rf"(?<![^\W\d_]){re.escape(term)}(?![^\W\d_])", text)}
        self.abbreviations = [Abbreviation(term, used[term])
                              for term in sorted(used, key=lambda t: (t.casefold(), t))]

    # --------------------------------------------------------------- citations

    def cited(self, text: str) -> Markup:
        """A text, escaped, with each `[id]` of a known source linked to its reference."""
        def link(found: re.Match) -> str:
            if found[1] not in self.sources:
                return found[0]
            return f'<a class="cite" href="#{source_anchor(found[1])}">{found[0]}</a>'
        return Markup(CITATION.sub(link, str(escape(text))))


def _put(text: str, values: dict[str, str]) -> str:
    """`text` with each token of `values` replaced by its value."""
    if not values:
        return text
    tokens = re.compile("|".join(re.escape(token) for token in values))
    return tokens.sub(lambda found: values[found[0]], text)


class ApparatusContext:
    """The apparatus of one edition: its `Apparatus`, the cover's contact and
    contributions."""

    def make_apparatus(self: Edition) -> Apparatus:
        """A fresh `Apparatus` for the edition, with every abbreviation it could list."""
        return Apparatus(self.loc, self.abbreviations(), set(self.project.sources))

    def abbreviations(self: Edition) -> dict[str, str]:
        """Term -> expansion: the generator's terms, the partners' acronyms (their legal
        names), the consortium's acronym, then the data's `abbreviations`, which win."""
        found = built_in(self.loc)
        for partner in self.project.partners:
            if ALL_CAPITALS.fullmatch(partner.short_name) and \
                    partner.short_name != partner.legal_name:
                found[partner.short_name] = partner.legal_name
        consortium = self.project.consortium
        found[consortium.acronym] = self.text(consortium.name)
        for term, expansion in consortium.abbreviations.items():
            found[term] = self.text(expansion)
        return found


def contact_lines(edition: Edition) -> list[str] | None:
    """The cover's contact: role (and name) at the coordinator, e-mail, telephone."""
    contact = edition.project.consortium.contact
    if contact is None:
        return None
    coordinator = edition.project.partner(edition.project.consortium.coordinator)
    who = edition.text(contact.role)
    if contact.name:
        who = f"{contact.name}, {who}"
    lines = [f"{who}, {coordinator.short_name}"]
    lines += [value for value in (contact.email, contact.phone) if value]
    return lines


def cover_extras(edition: Edition) -> dict[str, Any]:
    """What the cover adds to its identity block: duration, requested contributions,
    contact, and the partners (coordinator first) with their logos."""
    project, loc, _ = edition.project, edition.loc, edition._
    consortium = project.consortium
    financing = edition.figures.financing
    logos = {logo.partner.id: logo.url for logo in edition.logos}
    partners = sorted(project.partners, key=lambda p: p.id != consortium.coordinator)
    return {
        "duration": _("%(months)s months from %(start)s") % {
            "months": loc.number(consortium.duration_months),
            "start": loc.date(consortium.start_date)},
        "requested": [(_(label), loc.money(financing.loc[source, "amount_eur"]))
                      for source, label in REQUESTED if source in financing.index],
        "contact": contact_lines(edition),
        "partners": [{"name": p.short_name, "logo": logos.get(p.id),
                      "coordinator": p.id == consortium.coordinator} for p in partners],
    }
