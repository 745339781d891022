"""The PDF builder's interface: the HTML of one edition, its PDF, the page-limit check.

`render_html` lays the proposal out with the Jinja2 templates of `templates/` and the
context `Edition` builds; `render_pdf` hands that HTML to WeasyPrint and checks the
page count against the call's limit.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale as BabelLocale
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from ...archive import DEFAULT_VARIANT, PdfVariant, weasyprint_options
from ...assets import weasyprint_log
from ...cache import Cache, pdf_key
from ...compute import Figures
from ...fetch import ProjectFetcher, RefusedURL
from ...i18n import translations
from ...locations import NOWHERE, Locations
from ...models import DATA_FILE_OF, Project
from ...outline import ANNEX_ANCHOR
from ...problems import InputError, Problem
from .edition import TEMPLATES, Edition


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
    reused: bool = False
    """Whether the PDF came from the cache (`proposal.cache`) instead of a layout."""


def render_html(project: Project, figures: Figures, lang: str, root: Path | None = None,
                partner: str | None = None) -> str:
    """The HTML of one edition; `root` is the input folder (for logos, default: cwd).

    With `partner` (a partner id), a preview of that partner's pages only: the
    consortium chapter, where the partner's row stands among the others, and the
    partner's profile.
    """
    return _html(Edition(project, figures, lang, Path(root or ".").resolve()), partner)


def render_pdf(project: Project, figures: Figures, lang: str,
               root: Path | None = None, at: Locations = NOWHERE,
               variant: PdfVariant = DEFAULT_VARIANT, cache: Cache | None = None) -> PdfResult:
    """Render one edition to PDF and check its page count against the call's limit.

    The PDF is tagged, and PDF/A-3b for the archival variant (`proposal.archive`); the
    data files are attached later, once published bytes exist. With `cache`, an edition
    whose HTML and resources did not change is taken from it instead of laid out.
    Logos are checked by `check` (`proposal.assets`) before any render. Raises
    InputError when a logo (or anything it refers to) points outside the input and
    templates folders all the same.
    """
    root = Path(root or ".").resolve()
    edition = Edition(project, figures, lang, root, at)
    html = _html(edition)
    key = pdf_key(html, variant, [logo.path for logo in edition.logos]) if cache else ""
    stored = cache.get("pdf", key) if cache else None
    if stored is not None:
        head, _, pdf = stored.partition(b"\n")
        pages, before_annexes = json.loads(head)
        reused = True
    else:
        pdf, pages, before_annexes = _lay_out(html, edition, variant)
        reused = False
        if cache:
            cache.put("pdf", key, json.dumps([pages, before_annexes]).encode() + b"\n" + pdf)
    warnings = check_page_limit(project, lang, pages, before_annexes, at)
    return PdfResult(pdf=pdf, html=html, pages=pages, warnings=warnings, reused=reused)


def _lay_out(html: str, edition: Edition, variant: PdfVariant) -> tuple[bytes, int, int]:
    """WeasyPrint's PDF of the HTML, its page count and the pages before the annexes."""
    from weasyprint import HTML  # imported here: 0.4 s the validate-only commands skip
    from weasyprint.text.fonts import FontConfiguration

    fetcher = ProjectFetcher([TEMPLATES, edition.root],
                             {logo.url: logo.origin for logo in edition.logos})
    options = weasyprint_options(variant)
    with _source_date(edition.project.consortium.submission_date), weasyprint_log() as log:
        try:
            document = HTML(string=html, url_fetcher=fetcher).render(
                font_config=FontConfiguration(), pdf_tags=options["pdf_tags"])
            pdf = document.write_pdf(**options)
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
    return pdf, pages, before_annexes


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
    file, line, col = at.where(DATA_FILE_OF["call"], "format", "page_limit")
    return [Problem(file, line, col, "warning", "page-limit",
                    f"the {language} proposal has {counted} pages{scope}; the call's limit "
                    f"is {rules.page_limit}: {over} page{'s' if over != 1 else ''} over")]


PARTNER_PREVIEW = "partner_preview.html"
"""The template of a one-partner preview (`render_html(partner=...)`)."""


LISTS = "proposal/lists.html"
"""The lists of tables, figures and abbreviations, which `proposal.html` includes."""


def _html(edition: Edition, partner: str | None = None) -> str:
    """The edition laid out by the templates in one pass; the lists of tables, figures
    and abbreviations and the cross-references, which need the whole edition, are put
    in afterwards (`Apparatus.complete`). With `partner`, that partner's preview, whose
    numbers are the whole edition's: the edition first, then the preview."""
    environment = _environment(edition.loc.lang)
    template = environment.get_template("proposal.html")
    context = edition.context()
    if partner is not None:
        edition.apparatus.settle(template.render(context))
        context["profiles"] = [profile for profile in context["profiles"]
                               if profile["id"] == partner]
        return environment.get_template(PARTNER_PREVIEW).render(context)
    lists = environment.get_template(LISTS)
    empty_lists = lists.render(context)  # as the pass prints them: nothing recorded yet
    edition.apparatus.defer()
    html = template.render(context)
    return edition.apparatus.complete(html, empty_lists, lambda: lists.render(context))


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
