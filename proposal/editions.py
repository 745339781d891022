"""Editions of one build: a draft while iterating, or the submission.

A `draft` (the default) marks every page with DRAFT, the input's version and the build
date, and lists the editorial notes of the data in an annex; a `submission` has no mark
and no notes, and `check_submission` refuses it while a to-do note, a warning the call
declares blocking (`call.blocking_warnings`) or filler text (TODO, TBD, lorem ipsum...)
remains. The audience an edition is for, and what it masks, is `proposal.confidential`'s;
`Marks` carries both to the renderers with the figures.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .confidential import Audience
from .locations import NOWHERE, Locations
from .models import DATA_FILE_OF, Note, Partner, Project, Text, WorkPackage, walk_project
from .problems import Problem

EditionKind = Literal["draft", "submission"]
"""What a build is for: iterating (`draft`) or handing in (`submission`)."""
EDITIONS: tuple[EditionKind, ...] = ("draft", "submission")
"""The editions a build can make, the default first."""


# ======================================================================== version


@dataclass(frozen=True)
class Version:
    """Which input a build read: a git revision, or a content hash outside git."""

    revision: str | None
    """The short commit hash of the input folder's repository; None outside git."""
    dirty: bool
    """True when the input folder had changes git has not committed."""
    content_hash: str
    """The first 12 hex digits of the SHA-256 of the input's YAML files."""

    @property
    def label(self) -> str:
        """`3f2a9c1`, `3f2a9c1+` (uncommitted changes) or `sha256:…` outside git."""
        if self.revision is None:
            return f"sha256:{self.content_hash}"
        return self.revision + ("+" if self.dirty else "")


def input_version(input_dir: Path) -> Version:
    """The version of the input folder: its git revision and whether the working tree
    has uncommitted changes under it; outside git (or without git), the content hash."""
    content = _content_hash(input_dir)
    revision = _git(input_dir, "rev-parse", "--short=7", "HEAD")
    if revision is None:
        return Version(None, False, content)
    status = _git(input_dir, "status", "--porcelain", "--", ".")
    return Version(revision.strip(), bool(status and status.strip()), content)


def _git(input_dir: Path, *args: str) -> str | None:
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        done = subprocess.run(["git", "-C", str(input_dir), *args], capture_output=True,
                              text=True, timeout=20, env=env, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _content_hash(input_dir: Path) -> str:
    digest = hashlib.sha256()
    for folder in ("data", "partners"):
        for path in sorted((input_dir / folder).glob("*.yaml")):
            digest.update(f"{folder}/{path.name}\0".encode())
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()[:12]


def build_date() -> dt.date:
    """Today (UTC), or the day of `SOURCE_DATE_EPOCH` when set, for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.datetime.now(dt.UTC).date()


# ========================================================================== notes


@dataclass(frozen=True)
class LocatedNote:
    """An editorial note with where it belongs."""

    file: str
    line: int
    col: int
    path: tuple
    """Path of the text, partner or work package in its file."""
    note: Note

    @property
    def where(self) -> str:
        """`partners/x.yaml:12:3`."""
        return f"{self.file}:{self.line}:{self.col}"

    @property
    def subject(self) -> str:
        """The dotted path of what the note is on (`description`, `work_packages.0`)."""
        return ".".join(str(part) for part in self.path) or "(partner)"


def collect_notes(project: Project, at: Locations = NOWHERE) -> list[LocatedNote]:
    """Every editorial note of the data, in file order, located at the note itself."""
    found = []
    for file, path, node in walk_project(project):
        if isinstance(node, Text | Partner | WorkPackage):
            for index, note in enumerate(getattr(node, "notes", ())):
                _file, line, col = at.where(file, *path, "notes", index)
                found.append(LocatedNote(file, line, col, path, note))
    return found


# ===================================================================== submission

FILLER = re.compile(
    r"\b(?:TODO|TBD|TBC|FIXME|XXX+)\b|\?\?\?|\[\.\.\.\]|"
    r"(?i:lorem ipsum|\bto be (?:completed|written|confirmed)\b|"
    r"\bà (?:compléter|rédiger|confirmer)\b)")
"""Filler text a submission must not hold: TODO, TBD, TBC, FIXME, XXX, `???`, `[...]`,
lorem ipsum, "to be completed/written/confirmed", "à compléter/rédiger/confirmer"."""


def check_submission(project: Project, problems: list[Problem],
                     at: Locations = NOWHERE) -> list[Problem]:
    """The errors that refuse a submission: each to-do note, each warning whose code
    `call.blocking_warnings` lists, each filler text; located, one per item."""
    found = [Problem(n.file, n.line, n.col, "error", "todo-note",
                     f"to-do note on `{n.subject}` left: {n.note.text!r}; do it and remove "
                     "the note (or set `todo: false`) before a submission build")
             for n in collect_notes(project, at) if n.note.todo]
    blocking = set(project.call.blocking_warnings)
    found += [dataclasses.replace(
        p, severity="error", code="blocking-warning",
        message=f"{p.message} [{p.code}]; the call blocks a submission on this warning "
                "(`call.blocking_warnings`)")
        for p in problems if p.severity == "warning" and p.code in blocking]
    for file, path, text in _texts(project):
        if match := FILLER.search(text):
            found.append(at.problem(file, path, "filler-text", (
                f"`{'.'.join(map(str, path))}` holds filler text {match.group()!r}; write the "
                "final text before a submission build")))
    return found


def gate_submission(project: Project, problems: list[Problem],
                    at: Locations = NOWHERE) -> list[Problem]:
    """The problems of a submission check: `problems` with each blocking warning turned
    into its error (`check_submission`), and the submission's own errors added."""
    blocking = set(project.call.blocking_warnings)
    kept = [p for p in problems if not (p.severity == "warning" and p.code in blocking)]
    return kept + check_submission(project, problems, at)


def _texts(project: Project) -> Iterator[tuple[str, tuple, str]]:
    """Every string of the data except editorial notes: (file, path, text)."""
    for file, path, node in walk_project(project):
        if isinstance(node, str) and "notes" not in path:
            yield file, path, node


WARNING_CODES = frozenset({
    "provenance", "accelerator-power", "site-power", "phase-after-horizon",
    "effort-outside-horizon", "financing-balance", "unanswered-section",
    "undrawable-character", "figure-in-text", "page-limit", "confidential-inferable",
})
"""The codes of the warnings `check` and `build` report: what `call.blocking_warnings`
may list (`page-limit` is known only once the PDF is laid out: only `build` sees it)."""


def check_blocking_codes(project: Project, at: Locations = NOWHERE) -> list[Problem]:
    """A warning for a code of `call.blocking_warnings` no rule reports: a misspelling
    would let a submission through silently."""
    return [at.problem(DATA_FILE_OF["call"], ("blocking_warnings", index), "unknown-code",
                       f"`{code}` is not a warning code; expected one of: "
                       f"{', '.join(sorted(WARNING_CODES))}", severity="warning")
            for index, code in enumerate(project.call.blocking_warnings)
            if code not in WARNING_CODES]

# ========================================================================== marks


@dataclass(frozen=True)
class Marks:
    """How one edition presents the figures: handed to the renderers with them."""

    edition: EditionKind = "draft"
    """`draft` or `submission`."""
    version: str = ""
    """The input's version label (`Version.label`)."""
    dirty: bool = False
    """True when the input had uncommitted changes."""
    built: dt.date | None = None
    """The build date printed by a draft."""
    notes: tuple[LocatedNote, ...] = ()
    """The editorial notes a draft lists; none in a submission."""
    audience: Audience = field(default_factory=Audience)
    """Who the edition is for."""
    hidden: frozenset[str] = frozenset()
    """Partners whose contributions this audience may not see."""
    secrets: tuple[float, ...] = ()
    """The masked amounts (EUR): what `mask_workbook` also looks for in any cell."""

    @property
    def draft(self) -> bool:
        """True for a draft edition."""
        return self.edition == "draft"

# ========================================================================= build


@dataclass
class EditionChoice:
    """What the command line asked for: the edition and the audience."""

    edition: EditionKind = "draft"
    audience: Audience = field(default_factory=Audience)


def refuse_blocking_render_warnings(project: Project, warnings: list[Problem],
                                    choice: EditionChoice) -> None:
    """Raise InputError when a submission's render reported a warning the call blocks on
    (the page limit: only the laid-out PDF knows its pages)."""
    from .problems import InputError

    if choice.edition != "submission":
        return
    blocking = [p for p in check_submission(project, warnings) if p.code == "blocking-warning"]
    if blocking:
        raise InputError(blocking)


def stamp_of(input_dir: Path, choice: EditionChoice) -> str:
    """What a draft prints of its input and day (`3f2a9c1+ 2026-11-30`); '' for a
    submission: part of the key under which a whole build is kept (`proposal.cache`)."""
    if choice.edition == "submission":
        return ""
    return f"{input_version(input_dir).label} {build_date().isoformat()}"


def make_marks(project: Project, at: Locations, input_dir: Path, choice: EditionChoice) -> Marks:
    """The marks of a build: version and date for a draft, its notes; the audience."""
    if choice.edition == "submission":
        return Marks(edition="submission", audience=choice.audience)
    version = input_version(input_dir)
    return Marks(edition="draft", version=version.label, dirty=version.dirty,
                 built=build_date(), notes=tuple(collect_notes(project, at)),
                 audience=choice.audience)
