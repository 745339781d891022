"""Files the proposal draws besides the YAML: the partners' logos, checked before any render.

`check` reads every logo through `proposal.images` (decoded, parsed with entities
refused, its drawing cost bounded), then draws it alone, with the same fetcher the
PDF uses, in a child process held to a time and memory limit. A logo the build would
refuse, draw half of, or stall over is a located error of `check`, never a surprise
of `build`.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from multiprocessing.connection import Connection
from pathlib import Path
from typing import NamedTuple

from .images import BadImage, inspect_logo, links_elsewhere
from .locations import Locations
from .models import Partner, Project, ordered_partners, partner_file
from .problems import Problem

Origin = tuple[str, int, int, str]
"""Where a URL came from: (file, line, column, value as written), for located errors."""

DRAW_SECONDS = 30
"""Longest a logo may take to draw alone. Within the bounds of `proposal.images` a
logo draws in under 5 s; this stops what they do not foresee."""
DRAW_MEMORY = 1024 * 1024 * 1024
"""Address space a logo's drawing may add to the checking process (a fork, it may also
reuse what that process has mapped and freed). Within the bounds of `proposal.images`,
the largest raster (4,000 x 4,000 RGBA) adds about 300 MiB and the costliest SVG about
60 MiB."""


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

    def problem(self, message: str) -> Problem:
        """An error about this logo at its `logo:` line; `message` follows its name."""
        file, line, col, value = self.origin
        return Problem(file, line, col, "error", "logo", f"logo `{value}` {message}")


def partner_logos(project: Project, root: Path, at: Locations) -> list[Logo]:
    """The partners' logos, with where each path is written (for located errors)."""
    logos = []
    for partner in ordered_partners(project):
        if partner.logo:
            path = (root / partner.logo).resolve()
            file, line, col = at.where(partner_file(partner.id), "logo")
            logos.append(Logo(partner, path, path.as_uri(), (file, line, col, partner.logo)))
    return logos


def check_logos(project: Project, root: Path, at: Locations) -> list[Problem]:
    """An error for each logo the PDF could not draw, located at its `logo:` line."""
    root = root.resolve()
    logos = [logo for logo in partner_logos(project, root, at) if logo.path.is_relative_to(root)]
    read = [(logo, check_logo(logo)) for logo in logos]
    problems = [problem for _, problem in read if problem]
    problems += check_logo_drawings([logo for logo, problem in read if not problem], root)
    return problems


def check_logo(logo: Logo) -> Problem | None:
    """An error when the logo's bytes are not a whole PNG or SVG image of the kind its
    name says, or hold what would stall or break the drawing (see `proposal.images`)."""
    try:
        data = logo.path.read_bytes()
    except OSError:
        return None  # validation located the path; the fetcher refuses it with the reason
    try:
        inspect_logo(data, logo.path.suffix.lower())
    except BadImage as bad:
        return logo.problem(str(bad))
    return None


Drawn = tuple[str | None, bool] | None
"""How drawing one logo went: (the first URL the fetcher refused, whether WeasyPrint
logged an error), or None when it took more than `DRAW_SECONDS` or `DRAW_MEMORY`."""


def check_logo_drawings(logos: list[Logo], root: Path) -> list[Problem]:
    """An error for each logo WeasyPrint cannot draw on its own, refuses what it loads
    for, or needs more than `DRAW_SECONDS` or `DRAW_MEMORY` to draw.

    In the whole proposal WeasyPrint would only log that an image failed; drawing each
    logo alone in a one-image document names the logo. The logos are drawn one after
    another in a child process, which a limit on its address space and a timeout stop,
    so no logo makes `check` hang or swell. One process serves them all (starting
    WeasyPrint's fonts costs 0.3 s a process); a logo that stops it is drawn again
    first in a fresh one, so it is not blamed for the memory of those before it.
    """
    if not logos:
        return []
    import weasyprint  # noqa: F401  # once here, not in each drawing process forked below

    outcomes: list[Drawn] = []
    while len(outcomes) < len(logos):
        first = len(outcomes)
        with contextlib.closing(_drawings([logo.url for logo in logos[first:]], root)) as drawn:
            for outcome in drawn:
                if outcome is None and len(outcomes) > first:
                    break  # this logo is drawn again, first in a fresh process
                outcomes.append(outcome)
    return [problem for logo, outcome in zip(logos, outcomes, strict=True)
            if (problem := _drawing_problem(logo, outcome))]


def _drawing_problem(logo: Logo, outcome: Drawn) -> Problem | None:
    if outcome is None:
        return logo.problem(f"cannot be drawn within {DRAW_SECONDS} s and "
                            f"{DRAW_MEMORY // 2**20:,} MiB of memory; expected a simpler image")
    refused, failed = outcome
    if refused is not None:
        return logo.problem(links_elsewhere(refused))
    if failed:
        return logo.problem("cannot be drawn: the image is damaged or not of the kind its name "
                            "says; expected a valid `.png` or `.svg` file")
    return None


def _drawings(urls: list[str], root: Path) -> Iterator[Drawn]:
    """How drawing each image went, in order, from a child process; after a None (the
    drawing took too long or too much memory) the process is gone: nothing follows."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_draw_in_child, args=(urls, root, sender), daemon=True)
    child.start()
    sender.close()
    try:
        for _ in urls:
            try:
                outcome = receiver.recv() if receiver.poll(DRAW_SECONDS) else None
            except EOFError:  # the child died: out of memory, or a crash in a library
                outcome = None
            yield outcome
            if outcome is None:
                return
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()


def _draw_in_child(urls: list[str], root: Path, sender: Connection) -> None:
    """Draw each image alone and send how it went (see `Drawn`); send nothing more once
    a drawing runs out of `DRAW_MEMORY`."""
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        # What the process already maps (it inherited the checking process) plus the
        # drawings' allowance.
        with open("/proc/self/statm") as statm:
            mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (mapped + DRAW_MEMORY, mapped + DRAW_MEMORY))
    from weasyprint import HTML

    from .fetch import ProjectFetcher, RefusedURL

    # WeasyPrint logs an image it failed to load and attaches the reason to a debug
    # record: running out of memory must not read as a damaged image.
    logging.getLogger("weasyprint").setLevel(logging.DEBUG)
    for url in urls:
        signal.alarm(DRAW_SECONDS + 5)  # ends the child even if the parent cannot
        fetcher = ProjectFetcher([root])
        try:
            with weasyprint_log() as log, contextlib.suppress(RefusedURL):  # in `refused`
                HTML(string=f'<img src="{escape(url, quote=True)}">',
                     url_fetcher=fetcher).write_pdf()
        except MemoryError:
            return
        except Exception:
            log.fatal.append("the drawing raised")
        if log.out_of_memory:
            return
        sender.send((fetcher.refused[0].url if fetcher.refused else None, bool(log.fatal)))


@dataclass
class WeasyprintLog:
    """The errors WeasyPrint logged while a `weasyprint_log` block ran."""

    fatal: list[str]
    """Messages of level ERROR or above."""
    out_of_memory: bool = False
    """A record carried a MemoryError (WeasyPrint catches it and logs a failed image)."""


@contextlib.contextmanager
def weasyprint_log() -> Iterator[WeasyprintLog]:
    """Collect WeasyPrint's errors (a missing font or image is a bug of ours, or a bad logo)."""
    log = WeasyprintLog([])

    class Handler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.ERROR:
                log.fatal.append(record.getMessage())
            error = record.exc_info[1] if record.exc_info else None
            while error is not None and not log.out_of_memory:
                log.out_of_memory = isinstance(error, MemoryError)
                error = error.__cause__ or error.__context__

    handler = Handler()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield log
    finally:
        logger.removeHandler(handler)
