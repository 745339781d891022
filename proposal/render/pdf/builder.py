"""The PDF builder's interface: the HTML of one edition, its PDF, the page-limit check.

`render_html` lays the proposal out with the Jinja2 templates of `templates/` and the
context `Edition` builds; `render_pdf` hands that HTML to WeasyPrint and checks the
page count against the call's limit.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale as BabelLocale
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from ...assets import weasyprint_log
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


def render_html(project: Project, figures: Figures, lang: str, root: Path | None = None) -> str:
    """The HTML of one edition; `root` is the input folder (for logos, default: cwd)."""
    return _html(Edition(project, figures, lang, Path(root or ".").resolve()))


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
    html = _html(edition)
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
    file, line, col = at.where(DATA_FILE_OF["call"], "format", "page_limit")
    return [Problem(file, line, col, "warning", "page-limit",
                    f"the {language} proposal has {counted} pages{scope}; the call's limit "
                    f"is {rules.page_limit}: {over} page{'s' if over != 1 else ''} over")]


def _html(edition: Edition) -> str:
    """The edition laid out by the templates, in two passes: the first numbers the
    tables and figures and finds the abbreviations the pages use, the second lists them
    before they come (`Apparatus.settle`)."""
    template = _environment(edition.loc.lang).get_template("proposal.html")
    context = edition.context()
    edition.apparatus.settle(template.render(context))
    return template.render(context)


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
