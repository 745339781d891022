"""The PDF builder: a validated project and its figures to one edition of the proposal.

`render_html` lays the proposal out as HTML with the Jinja2 templates of
`templates/`; `render_pdf` hands that HTML to WeasyPrint and checks the page count
against the call's limit. The context the templates get is already translated and
formatted for the edition (`Edition` builds it); the templates only place it and
hold the fixed wording (`{% trans %}`, `_()`), so both editions share one layout.
Nothing here adds anything up: every number comes from `Figures` or the input.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
from babel import Locale as BabelLocale
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from ..assets import Logo, partner_logos, weasyprint_log
from ..compute import TOTAL, Figures
from ..fetch import ProjectFetcher, RefusedURL
from ..i18n import Locale, translations
from ..locations import NOWHERE, Locations
from ..models import (
    IN_KIND_UNITS,
    Amount,
    Count,
    Partner,
    Pledge,
    Project,
    Ratio,
    ShareRule,
    Text,
    ValueChainLayer,
    is_figure,
    walk_project,
)
from ..outline import ANNEX_ANCHOR, ANNEXES, OUTLINE
from ..problems import InputError, Problem
from ..resources import templates_dir
from .charts import Bar, GanttLabels, GanttRow, RampUpLabels, gantt_chart, ramp_up_chart, share_bars

TEMPLATES = templates_dir()
"""Templates, stylesheet and fonts of the PDF; WeasyPrint may read files from here."""
CALL = "data/call.yaml"
ITEM_NAMES = ("id", "category", "technology", "type", "kind")
"""Attributes that name a list item in a YAML location shown to readers."""

# ====================================================================== interface


@dataclass(frozen=True)
class PdfResult:
    """One edition of the proposal, rendered."""

    pdf: bytes
    """The PDF file's content."""
    html: str
    """The exact HTML handed to WeasyPrint (written with `--html`)."""
    pages: int
    """Pages of the PDF, annexes included."""
    warnings: list[Problem]
    """Warnings about the edition: pages over the call's limit, required sections the
    proposal has no section for."""


def render_html(project: Project, figures: Figures, lang: str, root: Path | None = None) -> str:
    """The HTML of one edition; `root` is the input folder (for logos, default: cwd)."""
    edition = Edition(project, figures, lang, Path(root or ".").resolve())
    return _environment(lang).get_template("proposal.html").render(edition.context())


def render_pdf(project: Project, figures: Figures, lang: str,
               root: Path | None = None, at: Locations = NOWHERE) -> PdfResult:
    """Render one edition to PDF and check its page count against the call's limit.

    Logos are checked by `check` (`proposal.assets`) before any render. Raises
    InputError when a logo (or anything it refers to) points outside the input and
    templates folders all the same.
    """
    from weasyprint import HTML  # imported here: 0.4 s the validate-only commands skip
    from weasyprint.text.fonts import FontConfiguration

    root = Path(root or ".").resolve()
    edition = Edition(project, figures, lang, root, at)
    html = _environment(lang).get_template("proposal.html").render(edition.context())
    fetcher = ProjectFetcher([TEMPLATES, root], {logo.url: logo.origin for logo in edition.logos})
    with _source_date(project.consortium.submission_date), weasyprint_log() as log:
        try:
            document = HTML(string=html, url_fetcher=fetcher).render(
                font_config=FontConfiguration())
            pdf = document.write_pdf()
        except RefusedURL as refused:
            problem = refused.problem()
            if problem is None:  # a URL the templates wrote: our bug, not the input's
                raise RuntimeError(refused.message) from None
            raise InputError([problem]) from None
    if log.fatal:
        raise RuntimeError("WeasyPrint reported errors:\n" + "\n".join(log.fatal))
    pages = len(document.pages)
    before_annexes = next((i for i, page in enumerate(document.pages)
                           if ANNEX_ANCHOR in page.anchors), pages)
    warnings = check_page_limit(project, lang, pages, before_annexes, at)
    return PdfResult(pdf=pdf, html=html, pages=pages, warnings=warnings)


def check_page_limit(project: Project, lang: str, pages: int, before_annexes: int,
                     at: Locations = NOWHERE) -> list[Problem]:
    """A warning when the pages the evaluators read exceed the call's limit."""
    rules = project.call.format
    counted = before_annexes if rules.page_limit_excludes_annexes else pages
    if counted <= rules.page_limit:
        return []
    language = BabelLocale.parse(lang).get_language_name("en")
    scope = " before the annexes" if rules.page_limit_excludes_annexes else ""
    over = counted - rules.page_limit
    file, line, col = at.where(CALL, "format", "page_limit")
    return [Problem(file, line, col, "warning", "page-limit",
                    f"the {language} proposal has {counted} pages{scope}; the call's limit "
                    f"is {rules.page_limit}: {over} page{'s' if over != 1 else ''} over")]


# ==================================================================== environment


@cache
def _environment(lang: str) -> SandboxedEnvironment:
    """A sandboxed, autoescaping Jinja2 environment with the edition's catalog."""
    env = SandboxedEnvironment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)
    return env


@contextlib.contextmanager
def _source_date(date: dt.date) -> Iterator[None]:
    """Pin the time font subsetting stamps into the PDF, for reproducible output."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    stamp = dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC).timestamp()
    os.environ["SOURCE_DATE_EPOCH"] = str(int(stamp))
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


# ===================================================================== the context


@dataclass(frozen=True)
class Section:
    """A numbered section of the outline, as headings, the TOC and cross-references show it."""

    key: str
    """Outline key."""
    level: int
    """1 for a chapter (h1), 2 for a section (h2)."""
    number: str
    """Printed number: `3`, `3.2`, `A`, `A.1`."""
    title: str
    """Translated title."""

    @property
    def id(self) -> str:
        """Anchor of the heading."""
        return f"sec-{self.key}"


@dataclass(frozen=True)
class Cell:
    """A table cell: text, right-aligned when it is a figure."""

    text: str
    """The formatted content."""
    num: bool = False
    """True for a number (right-aligned, never wrapped)."""
    keep: bool = False
    """True for a short text kept on one line (a range of months)."""


@dataclass(frozen=True)
class Row:
    """A table row."""

    cells: tuple[Cell, ...]
    """Cells, one per column."""
    total: bool = False
    """True for a total row (set apart in bold)."""


@dataclass(frozen=True)
class Grid:
    """A table ready to lay out: headings and formatted rows."""

    head: tuple[str, ...]
    """Column headings."""
    rows: tuple[Row, ...]
    """Rows in display order."""
    num: frozenset[int]
    """Indexes of the numeric columns (headings right-aligned too)."""


def _cells(values: list[str | Cell]) -> tuple[Cell, ...]:
    return tuple(v if isinstance(v, Cell) else Cell(v) for v in values)


def _grid(head: list[str], rows: list[list[str | Cell]], totals: list[bool] | None = None) -> Grid:
    """A Grid; numeric columns are those whose cells are all `Cell(num=True)`."""
    built = tuple(Row(_cells(r), t) for r, t in zip(rows, totals or [False] * len(rows),
                                                    strict=True))
    num = frozenset(i for i in range(len(head))
                    if built and all(row.cells[i].num for row in built))
    return Grid(tuple(head), built, num)


def _integral(values: list[float]) -> bool:
    return all(pd.isna(v) or abs(v - round(v)) < 1e-9 for v in values)


def paragraphs(text: str) -> list[str]:
    """A text split on blank lines into paragraphs (escaped by the template)."""
    return [part.strip() for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]


class Edition:
    """Builds the template context of one edition: translated, formatted values."""

    def __init__(self, project: Project, figures: Figures, lang: str, root: Path,
                 at: Locations = NOWHERE):
        self.project, self.figures, self.root, self.at = project, figures, root, at
        self.loc = Locale(lang)
        self._ = self.loc.gettext
        self.sections = self._outline()
        self.phase_names = {phase.id: self.text(phase.name) for phase in project.cost_model.phases}

    # ------------------------------------------------------------- formatting

    def text(self, value: Text | None) -> str:
        """The edition's version of a bilingual text ('' for none)."""
        return value[self.loc.lang] if value is not None else ""

    def paras(self, value: Text | None) -> list[str]:
        """The edition's version of a text, as paragraphs."""
        return paragraphs(self.text(value)) if value is not None else []

    def plain(self, value: float, decimals: int = 1) -> str:
        """A number without decimals when it is whole, else with `decimals` of them."""
        return self.loc.number(value, 0 if _integral([value]) else decimals)

    def money(self, value: float, decimals: int = 0) -> Cell:
        """An amount in EUR as a numeric cell."""
        return Cell(self.loc.money(value, decimals), True)

    def number(self, value: float, decimals: int = 0) -> Cell:
        """A number as a numeric cell."""
        return Cell(self.loc.number(value, decimals), True)

    def percent(self, value: float, decimals: int = 1) -> Cell:
        """A share as a numeric cell."""
        return Cell(self.loc.percent(value, decimals), True)

    def signed_percent(self, value: float) -> Cell:
        """A relative change with its sign: +20.0 %, -20.0 %, 0.0 %."""
        text = self.loc.percent(value, 1)
        return Cell(("+" + text) if value > 0 else text.replace("-", "\u2212"), True)

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
        """Everything the templates show, by section."""
        return {
            "doc": self.document(),
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
            "budget": self.budget(),
            "financing": self.financing(),
            "compliance": self.compliance(),
            "profiles": [self.profile(partner) for partner in self.project.partners],
            "assumptions": self.assumptions(),
        }

    def document(self) -> dict[str, Any]:
        """Metadata and page furniture."""
        consortium = self.project.consortium
        footer = self._("Page {page} of {pages}")
        return {
            "lang": self.loc.tag,
            "title": self.text(consortium.texts.title),
            "author": consortium.name,
            "subject": self.text(self.project.call.title),
            "keywords": ", ".join([consortium.acronym, self.project.call.identifier]),
            "created": consortium.submission_date.isoformat(),
            "stylesheet": (TEMPLATES / "proposal.css").as_uri(),
            "footer": css_content(footer, {"page": "counter(page)", "pages": "counter(pages)"}),
            "contents": self._("Contents"),
        }

    def cover(self) -> dict[str, Any]:
        """The cover page."""
        consortium, call = self.project.consortium, self.project.call
        coordinator = self.project.partner(consortium.coordinator)
        return {
            "name": consortium.name,
            "acronym": consortium.acronym,
            "title": self.text(consortium.texts.title),
            "call_title": self.text(call.title),
            "call_id": call.identifier,
            "coordinator": f"{coordinator.legal_name} ({coordinator.short_name})",
            "member_state": self.country(consortium.member_state),
            "date": self.loc.date(consortium.submission_date),
            "logos": [{"url": logo.url, "alt": logo.partner.short_name}
                      for logo in self.logos],
        }

    @property
    def logos(self) -> list[Logo]:
        """The partners' logos, with where each path is written (for located errors)."""
        return partner_logos(self.project, self.root, self.at)

    def key_figures(self) -> dict[str, Any]:
        """The plain figures, formatted once for every place that quotes them."""
        f, loc = self.figures, self.loc
        return {
            "total_cost": loc.money(f.total_cost_eur),
            "capex": loc.money(f.capex_eur),
            "opex": loc.money(f.opex_eur),
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
            "financing_total": loc.money(f.financing_total_eur),
            "financing_gap": loc.money(f.financing_gap_eur),
            "balanced": f.financing_balanced,
            "person_months": loc.number(f.person_months_total),
            "personnel_cost": loc.money(f.personnel_cost_eur),
            "amortisation": loc.number(self.project.cost_model.amortisation_years),
        }

    # ------------------------------------------------------------- chapters

    def summary(self) -> dict[str, Any]:
        """Executive summary: abstract, objectives, commitments."""
        texts = self.project.consortium.texts
        return {
            "abstract": self.paras(texts.abstract),
            "objectives": self.paras(texts.objectives),
            "commitments": [self.text(item) for item in texts.commitments],
        }

    def consortium(self) -> dict[str, Any]:
        """Partners, value-chain matrix, governance."""
        _, p = self._, self.project
        rows = []
        for partner in p.partners:
            name = partner.short_name + (" \u2605" if partner.founding_member else "")
            rows.append([name, self.country(partner.country),
                         self.label("organisation_type", partner.organisation_type),
                         self.label("status", partner.status), self.text(partner.role)])
        layers = list(ValueChainLayer)
        matrix = [[partner.short_name,
                   *("\u25cf" if layer in partner.value_chain else "" for layer in layers)]
                  for partner in p.partners]
        coordinator = p.partner(p.consortium.coordinator)
        return {
            "positioning": self.paras(p.consortium.texts.positioning),
            "partners": _grid([_("Partner"), _("Country"), _("Type"), _("Status"), _("Role")],
                              rows),
            "matrix": _grid([_("Partner"), *(self.label("value_chain", layer)
                                             for layer in layers)], matrix),
            "governance": self.paras(p.consortium.texts.governance),
            "coordinator": coordinator.legal_name,
            "agreement_years": self.loc.number(p.consortium.agreement_years),
            "min_agreement_years": self.loc.number(p.call.min_agreement_years),
        }

    def infrastructure(self) -> dict[str, Any]:
        """Phases, sites, accelerators, ramp-up."""
        _, cm, f = self._, self.project.cost_model, self.figures
        sites = {site.id: site for site in cm.sites}
        phases = []
        for phase in cm.phases:
            row = f.phases.loc[phase.id]
            phases.append([self.phase_names[phase.id], self.loc.month(row["start"]),
                           self.loc.month(row["end"]),
                           ", ".join(sites[s].name if s in sites else s for s in phase.sites),
                           self.number(row["power_mw"], 0 if _integral(
                               list(f.phases["power_mw"])) else 1),
                           self.number(row["accelerators"]),
                           self.number(row["h100_equivalents"])])
        types = {t.id: t for t in cm.accelerator_types}
        purchases = []
        for _i, row in f.phase_accelerators.iterrows():
            kind = types.get(row["type"])
            purchases.append([self.phase_names.get(row["phase"], row["phase"]),
                              kind.name if kind else row["type"], self.number(row["count"]),
                              self.number(row["h100_equivalents"]),
                              self.number(row["power_mw"], 1), self.money(row["purchase_eur"])])
        site_rows = [[f"{site.name}, {site.region} ({site.country})", self.short(site.host),
                      Cell(self.plain(site.max_power_mw.value), True),
                      self.text(site.description)] for site in cm.sites]
        type_rows = [[t.name, t.vendor or "\u2013",
                      Cell(self.plain(t.h100_equivalence.value), True),
                      self.money(t.unit_price.value), self.number(t.power_kw.value, 1)]
                     for t in cm.accelerator_types]
        years = f.capacity_by_year
        in_service = 0 if _integral(list(years["power_in_service_mw"])) else 1
        capacity = [[self.year(year), self.number(row["power_mw"]),
                     self.number(row["accelerators"]), self.number(row["h100_equivalents"]),
                     self.number(row["power_in_service_mw"], in_service),
                     self.number(row["gpu_hours"])] for year, row in years.iterrows()]
        chart = ramp_up_chart(
            [self.year(y) for y in years.index], list(years["power_mw"]),
            list(years["h100_equivalents"]),
            RampUpLabels(title=_("Ramp-up of the installed capacity"),
                         bars=_("IT power installed at year end (MW)"),
                         line=_("H100 equivalents installed (right scale)")),
            self.loc.number)
        texts = self.project.consortium.texts
        return {
            "text": self.paras(texts.infrastructure),
            "phases": _grid([_("Phase"), _("Start"), _("In service"), _("Sites"),
                             _("IT power (MW)"), _("Accelerators"), _("H100 equivalents")],
                            phases),
            "purchases": _grid([_("Phase"), _("Accelerator"), _("Units added"),
                                _("H100 equivalents added"), _("Power (MW)"),
                                _("Purchase cost")], purchases),
            "sites": _grid([_("Site"), _("Host"), _("Grid connection (MW)"), _("Description")],
                           site_rows),
            "types": _grid([_("Accelerator"), _("Vendor"), _("H100 equivalence"),
                            _("Unit price"), _("Power per unit (kW)")], type_rows),
            "capacity": _grid([_("Year"), _("IT power installed (MW)"),
                               _("Accelerators installed"), _("H100 equivalents installed"),
                               _("IT power in service, year average (MW)"),
                               _("Delivered GPU-hours")], capacity),
            "chart": chart,
            "security": self.paras(texts.security),
            "access": self.paras(texts.access_policy),
        }

    def energy(self) -> dict[str, Any]:
        """Energy assumptions, mix, energy and emissions per year."""
        _, energy, f = self._, self.project.cost_model.energy, self.figures
        mix = [[self.label("energy_technology", item.technology),
                self.percent(item.share.value)] for item in energy.mix]
        years = f.capacity_by_year
        rows = [[self.year(year), self.number(row["power_in_service_mw"],
                                              0 if _integral(list(years["power_in_service_mw"]))
                                              else 1),
                 self.number(row["it_energy_gwh"]), self.number(row["energy_gwh"]),
                 self.number(row["emissions_t"])] for year, row in years.iterrows()]
        return {
            "text": self.paras(self.project.consortium.texts.sustainability),
            "price": self.loc.money(energy.price_eur_per_mwh.value,
                                    0 if _integral([energy.price_eur_per_mwh.value]) else 2),
            "carbon": self.plain(energy.carbon_g_per_kwh.value),
            "water": (self.loc.number(energy.water_l_per_kwh.value, 2)
                      if energy.water_l_per_kwh is not None else None),
            "mix": _grid([_("Primary source"), _("Share of supply")], mix) if mix else None,
            "years": _grid([_("Year"), _("IT power in service (MW)"), _("IT energy (GWh)"),
                            _("Facility energy (GWh)"), _("Emissions (t CO2e)")], rows),
        }

    def workplan(self) -> dict[str, Any]:
        """Work packages, tasks, effort, deliverables, milestones, risks, Gantt chart."""
        _, plan, f = self._, self.project.workplan, self.figures
        wps = f.work_packages
        overview = [[wp_id, self.text(self._wp(wp_id).title), self.short(row["lead"]),
                     self.month(row["start_month"]), self.month(row["end_month"]),
                     self.number(row["person_months"],
                                 0 if _integral(list(wps["person_months"])) else 1),
                     self.percent(row["share_of_effort"])] for wp_id, row in wps.iterrows()]
        packages = []
        for wp in plan.work_packages:
            tasks = [[task.id, self.text(task.title), self.months(task.start_month,
                                                                  task.end_month),
                      ", ".join(self.short(p) for p in task.partners)] for task in wp.tasks]
            packages.append({
                "id": wp.id, "title": self.text(wp.title), "lead": self.short(wp.lead),
                "months": self.months(wp.start_month, wp.end_month).text,
                "objectives": self.paras(wp.objectives),
                "tasks": _grid([_("Task"), _("Title"), _("Months"),
                                _("Partners (lead first)")], tasks) if tasks else None,
            })
        effort_decimals = 0 if _integral(f.effort.to_numpy().ravel().tolist()) else 1
        effort = self._partner_grid(f.effort, lambda v: self.number(v, effort_decimals))
        rates = {pid: rate.value for pid, rate in plan.partner_rates.items()}
        personnel = [[self._total_label(pid) if pid == TOTAL else self.short(pid),
                      self.number(f.effort.loc[pid, TOTAL], effort_decimals),
                      Cell("", True) if pid == TOTAL else self.money(
                          rates.get(pid, plan.person_month_rate.value)),
                      self.money(f.personnel_cost.loc[pid, TOTAL])]
                     for pid in f.effort.index]
        deliverables = {d.id: d for wp in plan.work_packages for d in wp.deliverables}
        milestones = {m.id: m for wp in plan.work_packages for m in wp.milestones}
        deliverable_rows = [[row["deliverable"],
                             self.text(deliverables[row["deliverable"]].title),
                             row["work_package"], self.short(row["lead"]),
                             f"{self.label('deliverable_type', row['type'])}, "
                             f"{row['dissemination']}",
                             Cell(self.month(row["month"]), keep=True)]
                            for _i, row in f.deliverables.iterrows()]
        milestone_rows = [[row["milestone"], self.text(milestones[row["milestone"]].title),
                           row["work_package"], Cell(self.month(row["month"]), keep=True),
                           self.text(milestones[row["milestone"]].verification)]
                          for _i, row in f.milestones.iterrows()]
        risks = [[risk.id, self.text(risk.description),
                  f"{self.label('level', risk.likelihood)} / {self.label('level', risk.impact)}",
                  ", ".join(risk.work_packages), self.text(risk.mitigation)]
                 for risk in plan.risks]
        return {
            "overview": _grid([_("WP"), _("Title"), _("Lead"), _("Start"), _("End"),
                               _("Person-months"), _("Share")], overview),
            "packages": packages,
            "effort": effort,
            "personnel": _grid([_("Partner"), _("Person-months"), _("Cost per person-month"),
                                _("Personnel cost")], personnel,
                               [pid == TOTAL for pid in f.effort.index]),
            "deliverables": _grid([_("No."), _("Deliverable"), _("WP"), _("Lead"),
                                   _("Type"), _("Due")], deliverable_rows),
            "milestones": _grid([_("No."), _("Milestone"), _("WP"), _("Due"),
                                 _("Means of verification")], milestone_rows),
            "risks": _grid([_("No."), _("Risk"), _("Likelihood / impact"), _("WPs"),
                            _("Mitigation")], risks) if risks else None,
            "gantt": self._gantt(),
            "legend": _("PU: public; SEN: sensitive."),
        }

    def _wp(self, wp_id: str) -> Any:
        return next(wp for wp in self.project.workplan.work_packages if wp.id == wp_id)

    def _gantt(self) -> Markup:
        _, f = self._, self.figures
        rows = []
        milestones = f.milestones.groupby("work_package")["month"].apply(tuple).to_dict()
        deliverables = f.deliverables.groupby("work_package")["month"].apply(tuple).to_dict()
        for wp_id, wp in f.work_packages.iterrows():
            rows.append(GanttRow(wp_id, int(wp["start_month"]), int(wp["end_month"]), True,
                                 tuple(int(m) for m in milestones.get(wp_id, ())),
                                 tuple(int(m) for m in deliverables.get(wp_id, ()))))
            for _i, task in f.tasks[f.tasks["work_package"] == wp_id].iterrows():
                rows.append(GanttRow(task["task"], int(task["start_month"]),
                                     int(task["end_month"]), False))
        by_month = f.effort_by_month
        years = [(int(month), self.year(row["year"])) for month, row in by_month.iterrows()
                 if month == by_month.index[0] or row["date"].month == 1]
        return gantt_chart(rows, len(by_month), years, list(by_month[TOTAL]),
                           GanttLabels(title=_("Gantt chart of the work plan"),
                                       effort=_("Effort of the whole consortium "
                                                "(person-months per month)"),
                                       milestone=_("Milestone"), deliverable=_("Deliverable"),
                                       month=_("M{month}")),
                           self.loc.number)

    def _total_label(self, key: str) -> str:
        return self._("Total") if key == TOTAL else key

    def _partner_grid(self, table: pd.DataFrame, cell: Any) -> Grid:
        """A partner x column table (effort) with its total row and column."""
        head = [self._("Partner"),
                *(self._("Total") if c == TOTAL else str(c) for c in table.columns)]
        rows = [[self._total_label(pid) if pid == TOTAL else self.short(pid),
                 *(cell(v) for v in row)] for pid, row in table.iterrows()]
        return _grid(head, rows, [pid == TOTAL for pid in table.index])

    def budget(self) -> dict[str, Any]:
        """Capex, opex, cost per year, EU view, sensitivity."""
        _, f = self._, self.figures
        capex = f.capex
        capex_rows = [[self.label("capex", category),
                       *(self.money(capex.loc[phase, category]) for phase in capex.index)]
                      for category in capex.columns]
        capex_head = [_("Category"), *(_("Total") if phase == TOTAL else
                                       self.phase_names.get(phase, phase)
                                       for phase in capex.index)]
        opex_rows = [[self._total_label(year) if year == TOTAL else self.year(year),
                      *(self.money(v) for v in row)] for year, row in f.opex.iterrows()]
        opex_head = [_("Year"), *(self.label("opex", c) for c in f.opex.columns)]
        cost_rows = [[self._total_label(year) if year == TOTAL else self.year(year),
                      self.money(row["capex"]), self.money(row["opex"]), self.money(row["total"]),
                      self.money(row["cumulative"])] for year, row in f.cost_by_year.iterrows()]
        sensitivity = []
        for _i, row in f.sensitivity.iterrows():
            sensitivity.append([self.label("driver", row["driver"]),
                                self.signed_percent(row["change"]),
                                self.money(row["total_cost_eur"]),
                                self.signed_percent(row["total_cost_delta_share"]),
                                self.money(row["financing_gap_eur"]),
                                self.money(row["cost_per_gpu_hour_eur"], 2)])
        step = self.loc.percent(self.project.cost_model.sensitivity_step, 0)
        return {
            "capex": _grid(capex_head, capex_rows, [c == TOTAL for c in capex.columns]),
            "opex": _grid(opex_head, opex_rows, [y == TOTAL for y in f.opex.index]),
            "cost_by_year": _grid([_("Year"), _("Capex"), _("Opex"), _("Total"),
                                   _("Cumulative")], cost_rows,
                                  [y == TOTAL for y in f.cost_by_year.index]),
            "eu": self._eu_views(),
            "indirect_rate": self.loc.percent(self.project.call.indirect_rate, 0),
            "sensitivity": _grid([_("Driver"), _("Change"), _("Total cost"),
                                  _("Change in total cost"), _("Financing gap"),
                                  _("Cost per GPU-hour")], sensitivity),
            "step": step,
        }

    def _eu_views(self) -> list[dict[str, Any]]:
        """The EU budget view by beneficiary and by work package, each split in two
        tables (direct categories; direct, indirect, total) so amounts fit the page."""
        _, f = self._, self.figures
        views = []
        for table, first, caption_direct, caption_total in (
            (f.eu_budget_by_partner, _("Beneficiary"),
             _("Direct costs by EU category and beneficiary"),
             _("Direct, indirect and total costs by beneficiary")),
            (f.eu_budget_by_work_package, _("Work package"),
             _("Direct costs by EU category and work package"),
             _("Direct, indirect and total costs by work package")),
        ):
            direct = [c for c in table.columns if c not in ("direct", "E", TOTAL)]
            summary = ["direct", "E", TOTAL]
            totals = [key == TOTAL for key in table.index]

            def name(key: str, table: pd.DataFrame = table) -> str:
                if key == TOTAL:
                    return self._("Total")
                return self.short(key) if table is f.eu_budget_by_partner else key

            views.append({
                "direct": _grid([first, *(self.label("eu_category", c) for c in direct)],
                                [[name(key), *(self.money(row[c]) for c in direct)]
                                 for key, row in table.iterrows()], totals),
                "summary": _grid([first, *(self.label("eu_category", c) for c in summary)],
                                 [[name(key), *(self.money(row[c]) for c in summary)]
                                  for key, row in table.iterrows()], totals),
                "caption_direct": caption_direct,
                "caption_summary": caption_total,
            })
        return views

    def financing(self) -> dict[str, Any]:
        """Financing sources and chart, share rules, pledges, in kind, viability."""
        _, f, p = self._, self.figures, self.project
        sources, bars = [], []
        for source_id, row in f.financing.iterrows():
            label = self._source_label(source_id, row)
            sources.append([label, self.label("financing_kind", row["kind"]),
                            self.money(row["amount_eur"]), self.percent(row["share"])])
            if source_id != TOTAL:
                bars.append(Bar(label, row["share"], self.loc.percent(row["share"])))
        rule_texts = {rule.id: rule for rule in p.call.share_rules}
        rules = []
        for rule_id, row in f.share_rules.iterrows():
            rule: ShareRule | None = rule_texts.get(rule_id)
            kinds = ", ".join(self.label("financing_kind", k) for k in
                              (rule.financing_sources if rule else ()))
            rules.append([self.text(rule.description) if rule else rule_id, kinds,
                          self.percent(row["share"]), self._bounds(row["min_share"],
                                                                   row["max_share"]),
                          _("met") if row["ok"] else _("not met")])
        pledges = f.pledges
        pledge_rows = [[self._total_label(pid) if pid == TOTAL else row["short_name"],
                        "" if pid == TOTAL else self.label("status", row["status"]),
                        self.money(row["cash"]), self.money(row["equity"]),
                        self.money(row["debt"]), self.money(row["in_kind"]),
                        self.money(row["total"]), self.percent(row["share"])]
                       for pid, row in pledges.iterrows()]
        in_kind = []
        items = [(partner, item) for partner in p.partners
                 for item in partner.contributions.in_kind]
        for (partner, item), (_i, row) in zip(items, f.in_kind.iterrows(), strict=True):
            in_kind.append([partner.short_name,
                            f"{self.label('in_kind', item.kind)}: {self.text(item.description)}",
                            Cell(self.loc.quantity(row["quantity"], IN_KIND_UNITS[item.kind]),
                                 True),
                            self.money(row["valuation_eur"]),
                            _("yes") if row["counts_in_financing"] else _("no")])
        texts = p.consortium.texts
        return {
            "sources": _grid([_("Source"), _("Kind"), _("Amount"), _("Share of total cost")],
                             sources, [s == TOTAL for s in f.financing.index]),
            "chart": share_bars(bars, _("Financing sources as shares of the total cost"),
                                lambda v: self.loc.percent(v, 0)),
            "rules": _grid([_("Rule"), _("Sources counted"), _("Share"), _("Allowed"),
                            _("Status")], rules) if rules else None,
            "pledges": _grid([_("Partner"), _("Status"), _("Cash"), _("Equity"), _("Debt"),
                              _("In kind"), _("Total"), _("Share of total cost")], pledge_rows,
                             [pid == TOTAL for pid in pledges.index]),
            "in_kind": _grid([_("Partner"), _("Contribution"), _("Quantity"), _("Valuation"),
                              _("Counted in financing")], in_kind) if in_kind else None,
            "viability": self.paras(texts.financial_viability),
            "member_state": self.paras(texts.member_state_commitment),
            "member_state_name": self.country(p.consortium.member_state),
        }

    def _source_label(self, source_id: str, row: pd.Series) -> str:
        kind = row["kind"]
        if source_id == TOTAL:
            return self._("Total")
        if kind in ("eu", "member_state"):
            return self.label("financing_kind", kind)
        if kind == "debt":
            return str(row["lender"])
        return self.short(str(row["partner"]))

    def _bounds(self, low: float | None, high: float | None) -> Cell:
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

    def compliance(self) -> dict[str, Any]:
        """Each criterion and required section with the sections that answer it."""
        call = self.project.call
        criteria = [{
            "id": c.id, "title": self.text(c.title),
            "weight": self.loc.percent(c.weight, 0) if c.weight is not None else "\u2013",
            "threshold": self.plain(c.threshold) if c.threshold is not None else "\u2013",
            "sections": [self.sections[key] for key in c.answered_in if key in self.sections],
        } for c in call.criteria]
        required = [{"title": self.text(title), "section": self.sections.get(key)}
                    for key, title in call.required_sections.items()]
        return {"criteria": criteria, "required": required}

    # ------------------------------------------------------------- annexes

    def profile(self, partner: Partner) -> dict[str, Any]:
        """One partner's profile page."""
        _ = self._
        facts = [(_("Legal name"), partner.legal_name),
                 (_("Country"), self.country(partner.country)),
                 (_("Type"), self.label("organisation_type", partner.organisation_type)),
                 (_("Status"), self.label("status", partner.status)
                  + (f" ({_('founding member')})" if partner.founding_member else ""))]
        if partner.pic:
            facts.append((_("PIC"), partner.pic))
        if partner.website:
            facts.append((_("Website"), str(partner.website)))
        if partner.address:
            facts.append((_("Address"), partner.address))
        facts.append((_("Value chain"), ", ".join(self.label("value_chain", layer)
                                                   for layer in partner.value_chain)))
        pledges = [{"kind": self.label("financing_kind", f"partner_{pledge.kind}"),
                    "amount": self.loc.money(pledge.amount),
                    "description": self.text(pledge.description)}
                   for pledge in partner.contributions.pledges]
        in_kind = [{"kind": self.label("in_kind", item.kind),
                    "description": self.text(item.description),
                    "quantity": self.loc.quantity(item.quantity.value,
                                                  IN_KIND_UNITS[item.kind]),
                    "valuation": (self.loc.money(item.valuation.value)
                                  if item.valuation is not None else None)}
                   for item in partner.contributions.in_kind]

        def references(items: tuple) -> list[dict[str, str]]:
            return [{"title": ref.title, "year": str(ref.year) if ref.year else "",
                     "description": self.text(ref.description)} for ref in items]

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

    def _source_line(self, source_id: str) -> dict[str, str]:
        source = self.project.sources.get(source_id)
        if source is None:
            return {"id": source_id, "text": ""}
        details = [source.title]
        if source.publisher:
            details.append(source.publisher)
        if source.date:
            details.append(self.loc.date(source.date))
        return {"id": source_id, "text": ", ".join(details),
                "where": str(source.url) if source.url else (source.document or "")}

    def assumptions(self) -> dict[str, Any]:
        """Every figure flagged as an assumption, other assumptions, every source."""
        _ = self._
        rows = []
        for file, path, node in walk_project(self.project):
            if is_figure(node) and node.assumption:
                rows.append([self._where(file, path), self._value(node, path),
                             self.text(node.note) or "\u2013"])
            elif isinstance(node, ShareRule) and node.assumption:
                rows.append([self._where(file, path),
                             self._bounds(node.min_share, node.max_share),
                             self.text(node.description)])
            elif isinstance(node, Partner) and node.assumption:
                rows.append([self._where(file, path), Cell("\u2013", True),
                             _("Participation of %(partner)s not yet stated in a public "
                               "source.") % {"partner": node.short_name}])
        sources = [self._source_line(source_id) for source_id in sorted(self.project.sources)]
        return {
            "figures": _grid([_("Where"), _("Value"), _("Why this value")], rows)
            if rows else None,
            "sources": sources,
        }

    def _where(self, file: str, path: tuple) -> str:
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
        return f"{file}: " + " \u203a ".join(names) if names else file

    def _root_of(self, file: str) -> Any:
        if file.startswith("partners/"):
            return self.project.partner(Path(file).stem)
        if file == "data/sources.yaml":
            return {"sources": self.project.sources}
        return getattr(self.project, Path(file).stem)

    def _value(self, node: Any, path: tuple) -> Cell:
        """A flagged figure's value, formatted by what it measures."""
        if isinstance(node, Pledge):
            return self.money(node.amount)
        value = node.value
        decimals = 0 if _integral([value]) else min(3, len(f"{value:g}".partition(".")[2]))
        if isinstance(node, Amount):
            return self.money(value, 0 if _integral([value]) else 2)
        if isinstance(node, Ratio):
            return self.percent(value, 0 if _integral([value * 100]) else 1)
        if isinstance(node, Count):
            return self.number(value)
        return self.number(value, decimals)


def css_content(template: str, counters: dict[str, str]) -> Markup:
    """A CSS `content` value from a translated text with `{name}` placeholders.

    `Page {page} of {pages}` becomes `"Page " counter(page) " of " counter(pages)`;
    every literal character outside plain letters and digits is escaped, so a
    translation cannot close the string or the `<style>` element.
    """
    tokens = []
    for part in re.split(r"(\{\w+\})", template):
        if part.startswith("{") and part[1:-1] in counters:
            tokens.append(counters[part[1:-1]])
        elif part:
            escaped = "".join(c if (c.isalnum() and c.isascii()) or c == " " else f"\\{ord(c):x} "
                              for c in part)
            tokens.append(f'"{escaped}"')
    return Markup(" ".join(tokens))
