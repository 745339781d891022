"""The template context of one edition: `Edition`, its formatting helpers and outline.

Each chapter's part of the context is built in the module named like the chapter
(and like its `proposal.compute` twin): `financing.py` beside
`proposal/compute/financing.py`, and so on. Those modules hold one mixin class each;
`Edition` combines them with the helpers every chapter uses (texts, numbers, money,
months in the edition's language) and assembles `context()`. Nothing here adds
anything up: every number comes from `Figures` or the input.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup, escape

from ...assets import Logo, partner_logos
from ...compute import TOTAL, Figures
from ...i18n import N_, Locale
from ...locations import NOWHERE, Locations
from ...models import Original, Project, Proper, Text, ordered_partners, proper_names
from ...outline import ANNEXES, OUTLINE
from ...placeholders import written
from ...resources import templates_dir
from .annexes import AnnexesContext
from .apparatus import ApparatusContext, cover_extras
from .cells import Cell, Grid, Section, folded, integral, paragraphs
from .compliance import ComplianceContext
from .consortium import ConsortiumContext
from .costs import CostsContext
from .energy import EnergyContext
from .eu_budget import EuBudgetContext
from .financing import FinancingContext
from .infrastructure import InfrastructureContext
from .page import css_content, page_style
from .sensitivity import SensitivityContext
from .summary import SummaryContext
from .workplan import WorkplanContext

MONEY_UNITS = {1e6: N_("EUR million"), 1e3: N_("EUR thousand"), 1.0: N_("EUR")}
"""How the money tables name their unit (`rounding.MONEY_PRECISIONS`)."""

LONGEST_NAME = 40
"""Proper names longer than this (titles of sources kept as written) may hyphenate."""
SHORT_NAME = 16
"""A proper name of several words up to this length is kept on one line."""

TEMPLATES = templates_dir()
"""Templates, stylesheet and fonts of the PDF; WeasyPrint may read files from here."""


class Edition(SummaryContext, ConsortiumContext, InfrastructureContext, EnergyContext,
              WorkplanContext, CostsContext, EuBudgetContext, SensitivityContext,
              FinancingContext, ComplianceContext, AnnexesContext, ApparatusContext):
    """Builds the template context of one edition: translated, formatted values."""

    def __init__(self, project: Project, figures: Figures, lang: str, root: Path,
                 at: Locations = NOWHERE):
        self.project, self.figures, self.root, self.at = project, figures, root, at
        self.loc = Locale(lang)
        self._ = self.loc.gettext
        self.page = page_style(project.call.format)
        self.sections = self._outline()
        self.phase_names = {phase.id: self.text(phase.name) for phase in project.cost_model.phases}
        # A draft is for the bid team: its assumptions annex says where each value is written.
        self.show_paths = bool(figures.marks and figures.marks.draft)
        self.apparatus = self.make_apparatus()

    # ------------------------------------------------------------- formatting

    def text(self, value: Text | Proper | Original | None) -> str:
        """The edition's version of a text or name of the data, its `${...}` figures
        written out, typeset ('' for none; plain text: the templates escape it)."""
        return written(value, self.project, self.figures, self.loc)

    def paras(self, value: Text | None) -> list[Markup]:
        """The edition's version of a text, as paragraphs, its proper names marked
        (`named`) and its citations (`[a]`) linked to the references list."""
        if value is None:
            return []
        return [self.apparatus.cited(self.named(part)) for part in paragraphs(self.text(value))]

    def named(self, text: str) -> Markup:
        """A text for running prose, escaped, each proper name of the data (partners'
        names, `{proper: ...}` names, names typed as such in the models) in a
        `<span class="name">`, which the stylesheet never hyphenates; a short name of
        several words (`H company`) is also kept on one line."""
        if self._proper_names is None:
            return escape(text)
        parts, last = [], 0
        for match in self._proper_names.finditer(text):
            name = match.group()
            kind = "name whole" if " " in name and len(name) <= SHORT_NAME else "name"
            parts += [escape(text[last:match.start()]),
                      Markup('<span class="{}">{}</span>').format(kind, name)]
            last = match.end()
        return Markup("").join([*parts, escape(text[last:])])

    @cached_property
    def _proper_names(self) -> re.Pattern[str] | None:
        """Every proper name of the data short enough to be a name, longest first."""
        names = sorted({name for name in proper_names(self.project)
                        if 2 <= len(name) <= LONGEST_NAME}, key=len, reverse=True)
        if not names:
            return None
        return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)")

    def plain(self, value: float, decimals: int = 1) -> str:
        """A number without decimals when it is whole, else with `decimals` of them."""
        return self.loc.number(value, 0 if integral([value]) else decimals)

    def money(self, value: float, decimals: int = 0) -> Cell:
        """An amount in EUR as a numeric cell."""
        return Cell(self.loc.money(value, decimals), True)

    def amount(self, value: float) -> Cell:
        """A printed amount of a money table (`Figures.printed`), in its unit, as a
        numeric cell: `1,699.6` (the caption names the unit)."""
        return Cell(self.loc.number(value, self.figures.printed.money.decimals), True,
                    zero=value == 0)

    def money_unit(self) -> str:
        """The unit of the money tables: `EUR million` / `millions d'euros`."""
        return self._(MONEY_UNITS[self.figures.printed.money.unit])

    def number(self, value: float, decimals: int = 0) -> Cell:
        """A number as a numeric cell."""
        return Cell(self.loc.number(value, decimals), True)

    def percent(self, value: float, decimals: int = 1) -> Cell:
        """A share as a numeric cell."""
        return Cell(self.loc.percent(value, decimals), True, zero=value == 0)

    def signed_percent(self, value: float) -> Cell:
        """A relative change with its sign: +20.0 %, -20.0 %, 0.0 %."""
        text = self.loc.percent(value, 1)
        return Cell(("+" + text) if value > 0 else text.replace("-", "\u2212"), True)

    def bounds(self, low: float | None, high: float | None) -> Cell:
        """The range a share may take: 10 %–30 %, ≤ 30 %, ≥ 10 %, or a dash."""
        low, high = (None if v is None or pd.isna(v) else v for v in (low, high))
        if low is not None and high is not None:
            text = f"{self.loc.percent(low)}\u2013{self.loc.percent(high)}"
        elif high is not None:
            text = f"\u2264\u00a0{self.loc.percent(high)}"
        elif low is not None:
            text = f"\u2265\u00a0{self.loc.percent(low)}"
        else:
            text = "\u2013"
        return Cell(text, True)

    def oriented(self, table: Grid) -> Grid:
        """The table, marked landscape when it cannot fit a portrait page's width."""
        return self.page.oriented(table)

    def folded(self, table: Grid) -> Grid:
        """The table without its zero-only columns and constant columns, its zero-only
        rows folded into one line (`cells.folded`), with a note that says so."""
        _ = self._
        return folded(table, _("Others, all zero: %(names)s"),
                      _("Left out as zero in every row: %(columns)s; the workbook gives every "
                        "column."),
                      _("%(column)s: %(value)s in every row."))

    def month(self, month: int) -> str:
        """A project month: M12."""
        return self._("M{month}").format(month=month)

    def months(self, start: int, end: int) -> Cell:
        """A range of project months, kept on one line: M1–M60."""
        return Cell(f"{self.month(start)}\u2013{self.month(end)}", keep=True)

    def short(self, partner_id: str) -> str:
        """A partner's short name."""
        try:
            return self.project.partner(partner_id).short_name
        except KeyError:
            return partner_id

    def total_label(self, key: str) -> str:
        """The row label of a table's total row, other keys as they are."""
        return self._("Total") if key == TOTAL else key

    def country(self, code: str) -> str:
        """A country's name in the edition's language."""
        return self.loc.babel.territories.get(code, code)

    def year(self, value: Any) -> str:
        """A calendar year, never grouped (2027, not 2,027)."""
        return str(int(value))

    def label(self, group: str, key: str) -> str:
        """A vocabulary label, or the key itself when the vocabulary lacks it."""
        try:
            return self.loc.label(group, key)
        except KeyError:
            return key

    def _outline(self) -> dict[str, Section]:
        sections: dict[str, Section] = {}
        chapter, annex, sub, prefix = 0, 0, 0, ""
        for key, level, title in OUTLINE:
            if level == 1:
                if key in ANNEXES:
                    prefix = chr(ord("A") + annex)
                    annex += 1
                else:
                    chapter += 1
                    prefix = str(chapter)
                sub, number = 0, prefix
            else:
                sub += 1
                number = f"{prefix}.{sub}"
            sections[key] = Section(key, level, number, self._(title))
        return sections

    # --------------------------------------------------------------- context

    def context(self) -> dict[str, Any]:
        """Everything the templates show, by section; every table with column widths
        that follow its content (`PageStyle.laid_out`)."""
        return self._laid_out({
            "doc": self.document(),
            "apparatus": self.apparatus,
            "sec": self.sections,
            "outline": list(self.sections.values()),
            "annexes": [self.sections[key] for key in ANNEXES],
            "cover": self.cover(),
            "k": self.key_figures(),
            "summary": self.summary(),
            "consortium": self.consortium(),
            "infra": self.infrastructure(),
            "energy": self.energy(),
            "plan": self.workplan(),
            "costs": self.costs(),
            "eu_budget": self.eu_budget(),
            "sensitivity": self.sensitivity(),
            "financing": self.financing(),
            "compliance": self.compliance(),
            "profiles": [self.profile(partner)
                         for partner in ordered_partners(self.project)],
            "assumptions": self.assumptions(),
            "draft": self.draft(),
        })

    def draft(self) -> dict[str, Any] | None:
        """A draft's page mark (a CSS string) and its editorial notes; None otherwise."""
        marks = self.figures.marks
        if marks is None or not marks.draft:
            return None
        _ = self._
        version = (_("{version} + uncommitted changes") if marks.dirty else "{version}")
        mark = _("DRAFT · version {version} · built {date}").format(
            version=version.format(version=marks.version.rstrip("+")),
            date=self.loc.date(marks.built) if marks.built else "")
        return {
            "mark": css_content(mark, {}),
            "heading": _("Editorial notes (draft only)"),
            "lead": _("Notes the contributors left in the data. A submission build leaves "
                      "this annex out, and refuses while a to-do note remains."),
            "notes": [{"where": note.where, "subject": note.subject, "text": note.note.text,
                       "author": note.note.author or "",
                       "todo": _("to do") if note.note.todo else ""}
                      for note in marks.notes],
            "columns": [_("Where"), _("On"), _("Note"), _("Author"), _("Status")],
        }

    def _laid_out(self, value: Any) -> Any:
        """`value` with every table in it laid out, walking dicts and lists."""
        if isinstance(value, Grid):
            return self.page.laid_out(value)
        if isinstance(value, dict):
            return {key: self._laid_out(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self._laid_out(item) for item in value]
        return value

    def document(self) -> dict[str, Any]:
        """Metadata and page furniture."""
        consortium = self.project.consortium
        footer = self._("Page {page} of {pages}")
        return {
            "lang": self.loc.tag,
            "title": self.text(consortium.texts.title),
            "author": self.text(consortium.name),
            "subject": self.text(self.project.call.title),
            "keywords": ", ".join([consortium.acronym, self.project.call.identifier]),
            "created": consortium.submission_date.isoformat(),
            "stylesheet": (TEMPLATES / "proposal.css").as_uri(),
            "page": self.page.css(),
            "footer": css_content(footer, {"page": "counter(page)", "pages": "counter(pages)"}),
            "contents": self._("Contents"),
        }

    def cover(self) -> dict[str, Any]:
        """The cover page."""
        consortium, call = self.project.consortium, self.project.call
        coordinator = self.project.partner(consortium.coordinator)
        return {
            "name": self.text(consortium.name),
            "acronym": consortium.acronym,
            "title": self.text(consortium.texts.title),
            "call_title": self.text(call.title),
            "call_id": call.identifier,
            "coordinator": f"{coordinator.legal_name} ({coordinator.short_name})",
            "member_state": self.country(consortium.member_state),
            "date": self.loc.date(consortium.submission_date),
            **cover_extras(self),
        }

    @property
    def logos(self) -> list[Logo]:
        """The partners' logos, with where each path is written (for located errors)."""
        return partner_logos(self.project, self.root, self.at)

