"""The warm pipeline behind `serve`: check the input and lay out an edition's HTML again
after every save, re-using what did not change.

The process stays up, so the imports, the Jinja2 environments and the catalogs are
paid once. Parsed YAML files are kept by content (`proposal.load.parse_document`), so
a save re-parses one file; the logos' drawing check, the slow part of a cold `check`,
is kept while no logo file and no `logo:` line changes (`LogoMemo`); the costs the
sensitivity re-runs are kept by content (`proposal.compute.costs`). Load, validate,
compute and the HTML of the edition being viewed run again in full: they are what
the page shows, and re-running them is what keeps the preview equal to `check` and
`build`. The edition last viewed is laid out right after the check, before the pages
are told to reload, so that their request finds it ready. Nothing is written anywhere.

A `Watcher` thread polls the input files, the templates and the catalogs; a change
of content makes a new `Snapshot`, and `Versions` tells the open pages to reload.
"""

from __future__ import annotations

import hashlib
import threading
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..assets import check_logos, partner_logos
from ..i18n import translations
from ..locations import Locations
from ..pipeline import CheckResult, check
from ..problems import Problem, format_problems
from ..resources import locale_dir, templates_dir

POLL_SECONDS = 0.05
"""How often the watcher looks at the files' sizes and times (about 60 files)."""
KEEPALIVE_SECONDS = 15.0
"""Longest a page's event stream stays silent, so a dead connection is noticed."""

Stamp = tuple[int, int, int] | None
"""A file's (inode, size, modification time in ns), or None when it is missing."""
Seen = dict[Path, tuple[Stamp, str | None]]
"""Files with their stamp and the SHA-256 of their content (None when missing)."""


class Versions:
    """Counters the pages watch: the preview's (a new check) and the builds' (a build
    started or ended). Waiting on them is how the event streams learn of a change."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.preview = 0
        """Bumped by every new snapshot of the input."""
        self.build = 0
        """Bumped when a triggered build starts or ends."""
        self.closed = False
        """Set when the server stops: the event streams end."""

    def bump(self, what: str) -> None:
        """Count a change of `preview` or `build` and wake every waiting stream."""
        with self._changed:
            setattr(self, what, getattr(self, what) + 1)
            self._changed.notify_all()

    def wait(self, seen: tuple[int, int], timeout: float) -> tuple[int, int]:
        """The (preview, build) counters, once they differ from `seen` or after `timeout`."""
        with self._changed:
            self._changed.wait_for(lambda: self.closed or self.current() != seen, timeout)
            return self.current()

    def current(self) -> tuple[int, int]:
        """The (preview, build) counters now."""
        return self.preview, self.build

    def close(self) -> None:
        """End every event stream."""
        with self._changed:
            self.closed = True
            self._changed.notify_all()


@dataclass(frozen=True)
class Snapshot:
    """The input as of one save: what `check` found, or how the tool failed on it."""

    version: int
    """Counts the snapshots since the server started."""
    checked: CheckResult | None
    """What `check` found; None when the tool itself failed (`failure`)."""
    failure: str = ""
    """The traceback when checking raised: a bug of the tool, never of the input."""

    @property
    def ok(self) -> bool:
        """The edition can be laid out: no errors, figures computed."""
        return self.checked is not None and self.checked.ok and self.checked.figures is not None

    @property
    def report(self) -> str:
        """What `check` prints for this input: the problems, then the summary line."""
        if self.checked is None:
            return ""
        problems = self.checked.problems
        summary = self.checked.summary()
        return f"{format_problems(problems)}\n{summary}" if problems else summary

    @property
    def problems(self) -> list[Problem]:
        """Every problem found, sorted."""
        return self.checked.problems if self.checked else []


class LogoMemo:
    """`check_logos`, run again only when a logo file or where it is written changed."""

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._problems: list[Problem] = []

    def __call__(self, project, root: Path, at: Locations) -> list[Problem]:
        """The problems `check_logos` finds, from memory when nothing they depend on changed."""
        logos = partner_logos(project, root.resolve(), at)
        key = tuple((logo.path, _digest(logo.path), logo.origin) for logo in logos)
        if key != self._key:
            self._problems = check_logos(project, root, at)
            self._key = key
        return list(self._problems)


class Preview:
    """The latest snapshot of an input folder and the HTML of its editions."""

    def __init__(self, input_dir: Path, versions: Versions):
        self.input_dir = input_dir
        self.root = input_dir.resolve()
        self.versions = versions
        self._logos = LogoMemo()
        self._lock = threading.Lock()  # one check or layout at a time
        self._pages: dict[str, str] = {}
        self._last_lang: str | None = None
        """The language of the edition a page last asked for: laid out on each save."""
        self.snapshot = Snapshot(-1, None)  # none yet: `watched` knows no logo
        self.seen: Seen = {}
        """Each watched file as the last check found it, taken before it read them: a save
        during a check is a change for the next one."""
        self._check(0)

    def refresh(self, catalogs: bool = False) -> Snapshot:
        """Check the input again (read the catalogs again first when they changed), lay
        out the edition last asked for, then tell the pages: the page that reloads on
        the news is served from memory, without waiting for a layout."""
        with self._lock:
            if catalogs:
                forget_catalogs()
            self._check(self.snapshot.version + 1)
            self._pages = {}
            if self._last_lang is not None:
                self._lay_out(self._last_lang)
        self.versions.bump("preview")
        return self.snapshot

    def edition(self, lang: str) -> tuple[Snapshot, str]:
        """The snapshot and the HTML of its `lang` edition ('' when it has errors), laid
        out once per snapshot; a layout that raises makes a failed snapshot."""
        with self._lock:
            self._last_lang = lang
            return self._lay_out(lang)

    def _lay_out(self, lang: str) -> tuple[Snapshot, str]:
        """`edition`, the lock held."""
        from ..render.pdf.builder import render_html

        snapshot = self.snapshot
        if not snapshot.ok or lang in self._pages:
            return snapshot, self._pages.get(lang, "")
        checked = snapshot.checked
        try:
            self._pages[lang] = render_html(checked.project, checked.figures, lang, self.root)
        except Exception:
            self.snapshot = Snapshot(snapshot.version, None, traceback.format_exc())
            return self.snapshot, ""
        return snapshot, self._pages[lang]

    def watched(self) -> list[Path]:
        """The files whose change the page shows: the input's YAML files and logos, the
        templates, stylesheet and fonts, the catalogs."""
        files = [*_files(self.root / "partners"), *_files(self.root / "data")]
        checked = self.snapshot.checked
        if checked is not None:
            files += [logo.path for logo in partner_logos(checked.project, self.root,
                                                          checked.locations)]
        files += [path for path in templates_dir().rglob("*") if path.is_file()]
        files += sorted(locale_dir().glob("*/LC_MESSAGES/*.po"))
        return files

    def _check(self, version: int) -> Snapshot:
        seen = _seen(self.watched())
        try:
            snapshot = Snapshot(version, check(self.input_dir, logos=self._logos))
        except Exception:  # a bug: shown on the page, the server goes on
            snapshot = Snapshot(version, None, traceback.format_exc())
        self.snapshot = snapshot
        for path, state in _seen(self.watched()).items():  # logos this check found
            seen.setdefault(path, state)
        self.seen = seen
        return snapshot


def forget_catalogs() -> None:
    """Read the catalogs again on the next layout (a translator saved a .po file)."""
    from ..render.pdf import builder

    translations.cache_clear()
    builder._environment.cache_clear()  # the Jinja2 environments hold the old catalogs


class Watcher(threading.Thread):
    """Polls the watched files; on a change of content, refreshes the preview."""

    def __init__(self, preview: Preview, interval: float = POLL_SECONDS):
        super().__init__(name="serve-watcher", daemon=True)
        self.preview = preview
        self.interval = interval
        self._halt = threading.Event()

    def run(self) -> None:
        """Poll until `stop`."""
        while not self._halt.wait(self.interval):
            seen = self.preview.seen
            now = _stamps(self.preview.watched())
            moved = [path for path in now.keys() | seen.keys()
                     if now.get(path) != seen.get(path, (None, None))[0]]
            changed = [path for path in moved if _digest(path) != seen.get(path, (None, None))[1]]
            if changed:
                self.preview.refresh(catalogs=any(path.suffix == ".po" for path in changed))
            else:  # touched, same content: nothing to show
                seen.update({path: (now.get(path), seen.get(path, (None, None))[1])
                             for path in moved})

    def stop(self) -> None:
        """End the polling; returns once the thread has ended."""
        self._halt.set()
        if self.is_alive():
            self.join()


def _files(folder: Path) -> Iterable[Path]:
    try:
        return sorted(path for path in folder.iterdir())
    except OSError:
        return []


def _seen(paths: Iterable[Path]) -> Seen:
    return {path: (stamp, _digest(path)) for path, stamp in _stamps(paths).items()}


def _stamps(paths: Iterable[Path]) -> dict[Path, Stamp]:
    stamps: dict[Path, Stamp] = {}
    for path in paths:
        try:
            info = path.stat()
        except (OSError, ValueError):
            stamps[path] = None
        else:
            stamps[path] = (info.st_ino, info.st_size, info.st_mtime_ns)
    return stamps


def _digest(path: Path) -> str | None:
    """The SHA-256 of a file's content, None when it cannot be read (or is no file)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    except OSError:
        return None
