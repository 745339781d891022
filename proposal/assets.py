"""Files the proposal draws besides the YAML: the partners' logos, checked before any render.

`check` draws every logo here, alone, with the same fetcher the PDF uses, so a logo
the build would refuse (damaged, not of the kind its name says, linking to another
file or to the network) is a located error of `check`, never a surprise of `build`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import NamedTuple

from .locations import Locations
from .models import Partner, Project, partner_file
from .problems import Problem

Origin = tuple[str, int, int, str]
"""Where a URL came from: (file, line, column, value as written), for located errors."""


class Logo(NamedTuple):
    """A partner's logo file."""

    partner: Partner
    """Whose logo."""
    path: Path
    """The file, resolved (it may lie outside the input folder: the fetcher refuses it)."""
    url: str
    """Its file URL, as the HTML refers to it."""
    origin: Origin
    """Where the path is written in the YAML, and the path as written."""


def partner_logos(project: Project, root: Path, at: Locations) -> list[Logo]:
    """The partners' logos, with where each path is written (for located errors)."""
    logos = []
    for partner in project.partners:
        if partner.logo:
            path = (root / partner.logo).resolve()
            file, line, col = at.where(partner_file(partner.id), "logo")
            logos.append(Logo(partner, path, path.as_uri(), (file, line, col, partner.logo)))
    return logos


def check_logos(project: Project, root: Path, at: Locations) -> list[Problem]:
    """An error for each logo the PDF could not draw, located at its `logo:` line."""
    root = root.resolve()
    logos = [logo for logo in partner_logos(project, root, at) if logo.path.is_relative_to(root)]
    if not logos:
        return []
    from .fetch import check_logo  # imports WeasyPrint: only when there is a logo to draw

    return [problem for logo in logos
            if (problem := check_logo(logo.path, logo.origin) or check_logo_drawing(logo, root))]


def check_logo_drawing(logo: Logo, root: Path) -> Problem | None:
    """An error when WeasyPrint cannot draw a logo on its own, or refuses what it loads.

    `check_logo` reads the logo's own markup; what it embeds (an SVG or a PNG as a
    `data:` URI, an SVG inside that) and whether the image decodes at all only show
    when WeasyPrint draws it, and in the whole proposal WeasyPrint would only log that
    an image failed. Drawing each logo alone in a one-image document names the logo.
    """
    from weasyprint import HTML

    from .fetch import ProjectFetcher, RefusedURL, linking_problem

    fetcher = ProjectFetcher([root])
    with weasyprint_log() as log, contextlib.suppress(RefusedURL):  # kept in `refused`
        HTML(string=f'<img src="{escape(logo.url, quote=True)}">',
             url_fetcher=fetcher).write_pdf()
    if fetcher.refused:
        return linking_problem(logo.origin, fetcher.refused[0].url)
    if log.fatal:
        file, line, col, value = logo.origin
        return Problem(file, line, col, "error", "logo",
                       f"logo `{value}` cannot be drawn: the image is damaged or not of the kind "
                       "its name says; expected a valid `.png` or `.svg` file")
    return None


@dataclass
class WeasyprintLog:
    """The errors WeasyPrint logged while a `weasyprint_log` block ran."""

    fatal: list[str]
    """Messages of level ERROR or above."""


@contextlib.contextmanager
def weasyprint_log() -> Iterator[WeasyprintLog]:
    """Collect WeasyPrint's errors (a missing font or image is a bug of ours, or a bad logo)."""
    log = WeasyprintLog([])

    class Handler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.ERROR:
                log.fatal.append(record.getMessage())

    handler = Handler()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield log
    finally:
        logger.removeHandler(handler)
