"""What changed between two versions of the input: the `diff` command's comparison.

A version is an input folder, or a git revision of the folder given as `--input`
(`HEAD~3`, a tag, a branch), extracted with `git archive` into a temporary folder:
the working tree, the index and the checked-out branch are never touched. Each
version goes through `proposal.pipeline.check` (load, validate, compute; no layout),
then `compare` lists what differs:

- figures of the "Figures in texts" registry (`proposal.placeholders.NAMED`) that
  moved, grouped by the proposal's chapter, biggest relative moves first;
- partners, work packages, tasks, deliverables, milestones, phases, risks and sources
  added or removed;
- bilingual texts that changed, per file (a partner's file is the partner) and field,
  with a word-level diff;
- other input values that changed (dates, months, ids, input figures...);
- problems (share rules, warnings, errors) that appeared or disappeared, compared
  without their line and column, which move with any edit above them;
- page counts per edition, when the caller brings them (`page_counts`).

An invalid version is compared as far as it goes: its errors are problems that
appeared (or disappeared); a file that failed on its own is left out of the
comparison (a broken partner file is no partner removed); its figures are compared
when its only errors are broken share rules (every figure exists), otherwise not.
Nothing here formats for a reader: `proposal.render.diff` does, in the reader's
language.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import json
import math
import os
import re
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from .i18n import N_
from .models import (
    DATA_FILE_OF,
    DATA_FILES,
    SOURCES_FILE,
    Original,
    Project,
    Proper,
    Text,
    partner_file,
    walk_project,
)
from .placeholders import NAMED_FIGURES, Kind, figure_value, placeholder
from .problems import Problem

CHAPTERS: dict[str, tuple[str, ...]] = {
    "infrastructure": ("power", "power_added", "facility_power", "accelerator_power",
                       "ultimate_power", "ultimate_target_year", "accelerators",
                       "accelerators_added", "h100_equivalents", "h100_equivalents_added",
                       "gpu_hours_per_year", "h100_hours_per_year"),
    "energy": ("pue", "utilisation", "energy_per_year", "emissions_per_year",
               "water_per_year"),
    "workplan": ("person_months", "personnel_cost"),
    "budget": ("total_cost", "capex", "opex", "steady_state_cost", "cost_per_gpu_hour",
               "cost_per_h100_hour", "horizon_years", "amortisation_years", "first_year",
               "last_year"),
    "financing": ("financing_total", "financing_gap", "eu_contribution", "eu_share",
                  "member_state_contribution", "member_state_share", "contribution", "debt",
                  "share"),
}
"""The proposal chapter (a level-1 key of `proposal.outline.OUTLINE`) where each named
figure is shown, in the outline's order; every name of the registry has one."""
CHAPTER_OF = {name: chapter for chapter, names in CHAPTERS.items() for name in names}

FIGURE_LABELS: dict[str, str] = {
    "total_cost": N_("Total cost"),
    "capex": N_("Capital expenditure"),
    "opex": N_("Operating expenditure"),
    "steady_state_cost": N_("Yearly cost at steady state"),
    "cost_per_gpu_hour": N_("Cost per GPU-hour"),
    "cost_per_h100_hour": N_("Cost per H100-equivalent hour"),
    "power": N_("IT power"),
    "power_added": N_("IT power added"),
    "facility_power": N_("Facility power"),
    "accelerator_power": N_("Accelerator power"),
    "ultimate_power": N_("Ultimate IT power"),
    "ultimate_target_year": N_("Ultimate target year"),
    "accelerators": N_("Accelerators installed"),
    "accelerators_added": N_("Accelerators added"),
    "h100_equivalents": N_("H100 equivalents installed"),
    "h100_equivalents_added": N_("H100 equivalents added"),
    "gpu_hours_per_year": N_("GPU-hours per year"),
    "h100_hours_per_year": N_("H100-equivalent hours per year"),
    "pue": N_("PUE"),
    "utilisation": N_("Utilisation"),
    "energy_per_year": N_("Energy per year"),
    "emissions_per_year": N_("Emissions per year"),
    "water_per_year": N_("Water per year"),
    "financing_total": N_("Total financing"),
    "financing_gap": N_("Financing gap"),
    "eu_contribution": N_("EU contribution"),
    "eu_share": N_("EU share"),
    "member_state_contribution": N_("Member State contribution"),
    "member_state_share": N_("Member State share"),
    "contribution": N_("Partner contribution"),
    "debt": N_("Debt facility"),
    "share": N_("Share rule"),
    "person_months": N_("Person-months"),
    "personnel_cost": N_("Personnel cost"),
    "horizon_years": N_("Years costed"),
    "amortisation_years": N_("Amortisation years"),
    "first_year": N_("First costed year"),
    "last_year": N_("Last costed year"),
}
"""A short label for each named figure (English msgid, translated by the renderer)."""

ITEM_KINDS: dict[str, str] = {
    "partner": N_("Partner"), "phase": N_("Phase"), "work_package": N_("Work package"),
    "task": N_("Task"), "deliverable": N_("Deliverable"), "milestone": N_("Milestone"),
    "risk": N_("Risk"), "source": N_("Source"),
}
"""The kinds of items reported as added or removed, in this order, with their labels."""

SAME = 1e-9
"""Relative (and absolute) tolerance under which two values of a figure are the same:
the same data computes the same figures, but not always to the last bit."""


COMPUTED_ERRORS = frozenset({"share-rule"})
"""Errors found on computed figures: `check` drops the figures of a version that has
them, but every figure exists and is compared. Any other error leaves a version
without figures (its project may lack a file that failed on its own)."""


class DiffUsageError(Exception):
    """A version that cannot be read: no such folder or revision, not a git repository
    (exit code 2)."""


# ======================================================================== versions


@dataclass(frozen=True)
class Version:
    """One side of the comparison: where its input folder is and what to call it."""

    label: str
    """As the user named it: a folder, a revision, or `working tree`."""
    input_dir: Path
    """The input folder of this version (a temporary folder for a revision)."""
    commit: str | None = None
    """The commit a revision resolved to."""


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}
    try:
        return subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, env=env,
                              check=False)
    except OSError as error:  # no git on this machine
        raise DiffUsageError(f"git cannot run ({error.strerror}); a revision needs git, "
                             "two folders do not") from None


@contextlib.contextmanager
def open_version(spec: str | None, input_dir: Path) -> Iterator[Version]:
    """The version `spec` names: None for the input folder as it is (the working tree),
    an existing folder as it is, anything else a git revision of the repository holding
    `input_dir`, extracted for the time of the `with` block. Raises DiffUsageError."""
    if spec is None:
        yield Version("working tree", input_dir)
        return
    if Path(spec).is_dir():
        yield Version(spec, Path(spec))
        return
    with tempfile.TemporaryDirectory(prefix="proposal-diff-") as tmp:
        commit, folder = extract_revision(input_dir, spec, Path(tmp))
        yield Version(spec, folder, commit)


def extract_revision(input_dir: Path, revision: str, into: Path) -> tuple[str, Path]:
    """Extract the input folder as `revision` has it into `into` with `git archive`;
    return the commit and the extracted input folder. Raises DiffUsageError."""
    if not input_dir.is_dir():
        raise DiffUsageError(f"input folder `{input_dir}` does not exist")
    where = _git(input_dir, "rev-parse", "--show-toplevel", "--show-prefix")
    if where.returncode:
        raise DiffUsageError(f"`{revision}` is no folder, and `{input_dir}` is not in a git "
                             "repository where it could be a revision")
    top, sub = [*where.stdout.decode().split("\n"), ""][:2]
    sub = sub.strip().rstrip("/")
    if revision.startswith("-"):
        raise DiffUsageError(f"`{revision}` is not a revision")
    found = _git(input_dir, "rev-parse", "--verify", "--quiet", "--end-of-options",
                 f"{revision}^{{commit}}")
    if found.returncode:
        raise DiffUsageError(f"`{revision}` is neither a folder nor a revision of the git "
                             f"repository holding `{input_dir}`")
    commit = found.stdout.decode().strip()
    archive = _git(Path(top), "archive", "--format=tar", commit, "--", sub or ".")
    if archive.returncode:
        raise DiffUsageError(f"revision `{revision}` has no folder `{sub or '.'}`: "
                             f"{archive.stderr.decode(errors='replace').strip()}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    return commit, into / sub if sub else into


# ====================================================================== comparison


@dataclass(frozen=True)
class FigureMove:
    """A named figure whose value differs: None on the side where it does not exist."""

    name: str
    """The registry's name (`total_cost`)."""
    key: str | None
    """The id of a family's member (`phase-1`), None for a figure of the whole bid."""
    kind: Kind
    """What it measures: sets its unit and how it is written."""
    old: float | None
    new: float | None

    @property
    def ref(self) -> str:
        """How a text quotes it: `${capex.phase-1}`."""
        return placeholder(self.name, self.key)

    @property
    def chapter(self) -> str:
        """The outline key of the chapter that shows it."""
        return CHAPTER_OF[self.name]

    @property
    def difference(self) -> float | None:
        """New minus old; None when either side has no value."""
        return None if self.old is None or self.new is None else self.new - self.old

    @property
    def relative(self) -> float | None:
        """The difference as a share of the old value; None from or to nothing, or from 0."""
        if self.difference is None or self.old == 0:
            return None
        return self.difference / abs(self.old)

    def size(self) -> tuple[float, float]:
        """How big the move is, to sort by: the relative change (a figure appearing,
        vanishing or moving from 0 first), then the difference."""
        relative = math.inf if self.relative is None else abs(self.relative)
        return (relative, abs(self.difference or 0))


@dataclass(frozen=True)
class ItemChange:
    """A partner, work package, task, ... added or removed."""

    kind: str
    """A key of `ITEM_KINDS`."""
    id: str
    change: Literal["added", "removed"]
    label: Text | Proper | Original | str | None
    """Its name or title as the data gives it."""
    file: str
    path: tuple[str, ...]
    """Where it stands in its file, with ids for list items (`work_packages.WP2`)."""


@dataclass(frozen=True)
class TextChange:
    """A bilingual text whose version in one language changed (or appeared, or went)."""

    file: str
    field: str
    """The field, dotted, ids for list items: `work_packages.WP1.tasks.T1.1.title`."""
    lang: str
    old: str | None
    new: str | None

    @property
    def partner(self) -> str | None:
        """The partner whose file holds the text."""
        return _partner_of(self.file)

    def words(self) -> list[tuple[str, str]]:
        """The word-level diff: (`=`, `-` or `+`, text) runs covering both versions."""
        return word_diff(self.old or "", self.new or "")


@dataclass(frozen=True)
class ValueChange:
    """An input value that is no text (a date, a month, an amount as written...)."""

    file: str
    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class ProblemChange:
    """A problem found in one version only (compared without line and column)."""

    change: Literal["appeared", "disappeared"]
    problem: Problem
    """As the version that has it locates it."""


@dataclass
class Report:
    """Everything that differs between two versions."""

    old: Version
    new: Version
    figures: list[FigureMove] = field(default_factory=list)
    """Figures that moved, by chapter in the outline's order, biggest first."""
    items: list[ItemChange] = field(default_factory=list)
    texts: list[TextChange] = field(default_factory=list)
    values: list[ValueChange] = field(default_factory=list)
    problems: list[ProblemChange] = field(default_factory=list)
    pages: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)
    """Pages per edition language: (old, new), None where not known."""
    computed: tuple[bool, bool] = (True, True)
    """Whether each side's figures could be computed (else no figure is compared)."""

    @property
    def changed(self) -> bool:
        """Anything differs (page counts included)."""
        return bool(self.figures or self.items or self.texts or self.values or self.problems
                    or any(old != new for old, new in self.pages.values()))


@dataclass
class Side:
    """What `compare` reads of one version: its project, figures and problems."""

    project: Project
    """The validated project; a data file that failed on its own is None in it, a
    partner whose file failed is left out (see `failed`)."""
    figures: Any
    """The computed figures, None when compute could not run."""
    problems: list[Problem]
    failed: frozenset[str] = frozenset()
    """Files that failed on their own: their content is not compared."""


def read_side(input_dir: Path) -> Side:
    """Check one version (`proposal.pipeline.check`); keep its figures even when only
    rules broken by the figures (share rules) made it invalid."""
    from .compute import compute_figures
    from .pipeline import check

    result = check(input_dir)
    project, figures = result.project, result.figures
    if figures is None and all(
            p.code in COMPUTED_ERRORS for p in result.problems if p.severity == "error"):
        figures = compute_figures(project, result.locations)
    failed = {DATA_FILE_OF[name] for name in DATA_FILES if getattr(project, name) is None}
    if not project.sources and any(p.file == SOURCES_FILE and p.severity == "error"
                                   for p in result.problems):
        failed.add(SOURCES_FILE)
    valid = {partner.id for partner in project.partners}
    failed |= {partner_file(id) for id in result.locations.partner_ids - valid}
    return Side(project, figures, result.problems, frozenset(failed))


def compare(old: Version, new: Version, before: Side, after: Side) -> Report:
    """Everything that differs between two checked versions."""
    report = Report(old, new, computed=(before.figures is not None, after.figures is not None))
    report.problems = compare_problems(before.problems, after.problems)
    if before.figures is not None and after.figures is not None:
        report.figures = compare_figures(before.project, before.figures,
                                         after.project, after.figures)
    failed = before.failed | after.failed
    report.items = [item for item in compare_items(before.project, after.project)
                    if item.file not in failed]
    old_fields, new_fields = _fields(before.project), _fields(after.project)
    gone = [(item.file, ".".join(item.path)) for item in report.items]
    for key in _changed_keys(old_fields, new_fields):
        file, dotted, lang = key
        if file in failed:
            continue  # a file that failed on its own: its problems say why
        if any(file == f and (not p or f"{dotted}.".startswith(f"{p}.")) for f, p in gone):
            continue  # inside a partner, work package... added or removed as a whole
        if lang:
            report.texts.append(TextChange(file, dotted, lang, old_fields.get(key),
                                           new_fields.get(key)))
        else:
            report.values.append(ValueChange(file, dotted, old_fields.get(key),
                                             new_fields.get(key)))
    return report


def _changed_keys(old: dict, new: dict) -> list:
    return [key for key in sorted(old.keys() | new.keys(), key=_order)
            if old.get(key) != new.get(key)]


def _order(key: tuple) -> tuple:
    return tuple(str(part) for part in key)


def compare_figures(old_project: Project, old: Any, new_project: Project,
                    new: Any) -> list[FigureMove]:
    """Every named figure whose value differs, by chapter (outline order), biggest first."""
    moves = []
    for named in NAMED_FIGURES:
        keys: list[str | None] = [] if named.needs_key else [None]
        if named.keys is not None:
            keys += list(dict.fromkeys([*named.keys(old_project), *named.keys(new_project)]))
        for key in keys:
            before = _value(old_project, old, named.name, key)
            after = _value(new_project, new, named.name, key)
            if before is None and after is None:
                continue
            if before is not None and after is not None and math.isclose(
                    before, after, rel_tol=SAME, abs_tol=SAME):
                continue
            moves.append(FigureMove(named.name, key, named.kind, before, after))
    order = list(CHAPTERS)
    return sorted(moves, key=lambda m: (order.index(m.chapter), *(-s for s in m.size())))


def _value(project: Project, figures: Any, name: str, key: str | None) -> float | None:
    try:
        return figure_value(project, figures, name, key)
    except (KeyError, IndexError):  # the id does not exist in this version
        return None


def _items(project: Project) -> dict[tuple[str, str], ItemChange]:
    """Every item of the reported kinds, by (kind, id), as if it had been added."""
    found: dict[tuple[str, str], ItemChange] = {}

    def add(kind: str, id: str, label: Any, file: str, *path: str) -> None:
        found[(kind, id)] = ItemChange(kind, id, "added", label, file, path)

    for partner in project.partners:
        add("partner", partner.id, partner.short_name, partner_file(partner.id))
    phases = project.cost_model.phases if project.cost_model is not None else ()
    for phase in phases:
        add("phase", phase.id, phase.name, "data/cost_model.yaml", "phases", phase.id)
    plan = "data/workplan.yaml"
    workplan = project.workplan
    for wp in workplan.work_packages if workplan is not None else ():
        add("work_package", wp.id, wp.title, plan, "work_packages", wp.id)
        for group, kind in (("tasks", "task"), ("deliverables", "deliverable"),
                            ("milestones", "milestone")):
            for item in getattr(wp, group):
                add(kind, item.id, item.title, plan, "work_packages", wp.id, group, item.id)
    for risk in workplan.risks if workplan is not None else ():
        add("risk", risk.id, risk.description, plan, "risks", risk.id)
    for source_id, source in project.sources.items():
        add("source", source_id, source.title, "data/sources.yaml", "sources", source_id)
    return found


def compare_items(old: Project, new: Project) -> list[ItemChange]:
    """Items of the reported kinds added or removed, by kind, removed first, then id."""
    before, after = _items(old), _items(new)
    changes = [item for key, item in after.items() if key not in before]
    changes += [ItemChange(item.kind, item.id, "removed", item.label, item.file, item.path)
                for key, item in before.items() if key not in after]
    kinds = list(ITEM_KINDS)
    return sorted(changes, key=lambda c: (kinds.index(c.kind), c.change != "removed", c.id))


def _fields(project: Project) -> dict[tuple[str, str, str], str]:
    """Every leaf of the input: ((file, dotted field, lang), value as text); `lang` is
    set for the languages of a bilingual text, '' for any other value."""
    names: dict[tuple[str, tuple], tuple[str, ...]] = {}
    leaves: dict[tuple[str, str, str], str] = {}
    inside_text: set[tuple[str, tuple]] = set()
    for file, path, node in walk_project(project):
        if path:
            last = path[-1]
            if isinstance(last, int):
                last = getattr(node, "id", None) or last
            parent = names.get((file, path[:-1]), tuple(str(part) for part in path[:-1]))
            names[(file, path)] = (*parent, str(last))
        dotted = ".".join(names.get((file, path), ()))
        if isinstance(node, Text):
            inside_text.add((file, path))
            for lang in type(node).model_fields:
                leaves[(file, dotted, lang)] = node[lang]
        elif (file, path[:-1]) in inside_text or isinstance(
                node, BaseModel | tuple | list | dict):
            continue
        elif not isinstance(node, Original | Proper):
            leaves[(file, dotted, "")] = "" if node is None else _plain(node)
    return leaves


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def compare_problems(old: list[Problem], new: list[Problem]) -> list[ProblemChange]:
    """Problems of one version only, compared by file, severity, code and message."""

    def key(problem: Problem) -> tuple[str, str, str, str]:
        return (problem.file, problem.severity, problem.code, problem.message)

    before, after = {key(p) for p in old}, {key(p) for p in new}
    changes = [ProblemChange("disappeared", p) for p in old if key(p) not in after]
    changes += [ProblemChange("appeared", p) for p in new if key(p) not in before]
    return sorted(changes, key=lambda c: (c.change, c.problem.severity, c.problem))


def _partner_of(file: str) -> str | None:
    match = re.fullmatch(r"partners/(.+)\.yaml", file)
    return match[1] if match else None


TOKENS = re.compile(r"\s+|\d+(?:[.,\u00a0\u202f]\d+)*|[\w\u2019'’-]+|[^\w\s]")
"""Runs of space, numbers (`1.2`, `288,000`, `288 000` with no-break spaces), words
(with their apostrophes and hyphens), and single signs."""


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """(`=`, `-` or `+`, text) runs: what both have, what only the old or the new has."""
    a, b = TOKENS.findall(old), TOKENS.findall(new)
    runs: list[tuple[str, str]] = []

    def push(op: str, tokens: list[str]) -> None:
        text = "".join(tokens)
        if not text:
            return
        if runs and runs[-1][0] == op:
            runs[-1] = (op, runs[-1][1] + text)
        else:
            runs.append((op, text))

    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            push("=", a[i1:i2])
        else:
            push("-", a[i1:i2])
            push("+", b[j1:j2])
    return runs


def run_diff(old_spec: str | None, new_spec: str | None, input_dir: Path,
             pages_from: tuple[Path, Path] | None = None,
             lay_out: tuple[str, ...] = ()) -> Report:
    """Compare two versions named as `open_version` reads them; page counts from two
    output folders (`pages_from`), or laid out now for the languages `lay_out`.
    Raises DiffUsageError."""
    with open_version(old_spec, input_dir) as old, open_version(new_spec, input_dir) as new:
        for version in (old, new):
            if not version.input_dir.is_dir():
                raise DiffUsageError(f"input folder `{version.input_dir}` does not exist")
        before, after = read_side(old.input_dir), read_side(new.input_dir)
        report = compare(old, new, before, after)
        if pages_from:
            pages = [pages_of_outputs(out_dir) for out_dir in pages_from]
        elif lay_out:
            pages = [pages_laid_out(before, old.input_dir, lay_out),
                     pages_laid_out(after, new.input_dir, lay_out)]
        else:
            pages = [{}, {}]
    report.pages = {lang: (pages[0].get(lang), pages[1].get(lang))
                    for lang in sorted(pages[0].keys() | pages[1].keys())}
    return report


# ========================================================================= pages


def pages_of_outputs(out_dir: Path) -> dict[str, int]:
    """Pages of each PDF edition a build published in `out_dir`, by language, as its
    manifest lists them. Raises DiffUsageError when the folder has no manifest."""
    from .publish import MANIFEST

    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        names = [output["name"] for output in manifest["outputs"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise DiffUsageError(f"`{out_dir}` holds no readable {MANIFEST} of a build "
                             f"({error})") from None
    pages = {}
    for name in names:
        found = re.fullmatch(r".+_proposal_([a-z]{2})\.pdf", name)
        if found:
            try:
                pages[found[1]] = count_pdf_pages((out_dir / name).read_bytes())
            except (OSError, ValueError) as error:
                raise DiffUsageError(f"`{out_dir / name}`: {error}") from None
    return pages


PAGES_COUNT = re.compile(rb"/Type\s*/Pages\b(?:[^>]|>(?!>))*?/Count\s+(\d+)"
                         rb"|/Count\s+(\d+)(?:[^<]|<(?!<))*?/Type\s*/Pages\b")
OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm\b[^>]*>>\s*stream\r?\n")


def count_pdf_pages(pdf: bytes) -> int:
    """The page count of a PDF the build wrote: the `/Count` of its page tree's root,
    which WeasyPrint may keep in a compressed object stream. Raises ValueError."""
    texts = [pdf]
    for stream in OBJECT_STREAM.finditer(pdf):
        with contextlib.suppress(zlib.error):
            texts.append(zlib.decompressobj().decompress(pdf[stream.end():]))
    counts = [int(a or b) for text in texts for a, b in PAGES_COUNT.findall(text)]
    if not counts:
        raise ValueError("no page tree found; is it a PDF?")
    return max(counts)


def pages_laid_out(side: Side, input_dir: Path, langs: tuple[str, ...]) -> dict[str, int]:
    """Pages of each edition, laid out now (slow: a full PDF render per language);
    empty when the version cannot be rendered."""
    from .render.pdf import render_pdf

    if side.project is None or side.figures is None or any(
            p.severity == "error" for p in side.problems):
        return {}
    return {lang: render_pdf(side.project, side.figures, lang, input_dir).pages
            for lang in langs}
