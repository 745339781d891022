"""The whole flow on one screen: load -> validate -> check assets -> compute -> render ->
publish.

Each stage returns its result and the problems it found; only this module decides
to stop. `check` runs every stage that reads the input, so whatever would make
`build` fail on the input is found by `check`; `build` runs `check` once and renders
from the figures it computed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .assets import check_logos
from .compute import Figures, compute_figures
from .confidential import Audience, check_audience, edition_view, render_edition_workbook
from .editions import (
    EditionChoice,
    gate_submission,
    make_marks,
    refuse_blocking_render_warnings,
)
from .faults import pause_point
from .interrupts import checkpoint
from .load import load_project
from .locations import Locations
from .models import Project, count_figures
from .placeholders import check_figures_in_texts
from .problems import InputError, Problem, errors
from .publish import check_out_dir, output_folder, publication_mode, publish
from .stamp import compute_build_id, stamp_outputs
from .validate import validate_project


@dataclass
class CheckResult:
    """What `check` found: the project, its figures and every problem."""

    project: Project
    """The validated project (partial when `figures` is None)."""
    locations: Locations
    """Where each value of the input stands."""
    figures: Figures | None
    """The computed figures; None when the input had errors that stop compute."""
    problems: list[Problem]
    """Every problem of every stage, sorted."""

    @property
    def ok(self) -> bool:
        """No errors: the build may go on."""
        return not errors(self.problems)

    @property
    def warnings(self) -> list[Problem]:
        """The problems of severity `warning`."""
        return [p for p in self.problems if p.severity == "warning"]

    def summary(self) -> str:
        """One line: partners, figures and warnings when ok; else counts of errors."""
        if self.ok:
            return (f"ok: {len(self.project.partners)} partners, "
                    f"{count_figures(self.project)} figures, {len(self.warnings)} warnings")
        return count_line(self.problems)


def count_line(problems: list[Problem]) -> str:
    """`3 errors, 1 warning in 2 files`."""
    counts = Counter(p.severity for p in problems)
    files = len({p.file for p in problems})

    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    return (f"{plural(counts['error'], 'error')}, {plural(counts['warning'], 'warning')} "
            f"in {plural(files, 'file')}")


@dataclass
class BuildResult:
    """What `build` produced."""

    check: CheckResult
    """The check the build started from."""
    outputs: list[Path] = field(default_factory=list)
    """The published files, as users open them; the manifest last."""
    warnings: list[Problem] = field(default_factory=list)
    """Warnings from every stage (validation, compute, render)."""


def check(input_dir: Path, submission: bool = False, audience: Audience | None = None,
          logos: Callable[..., list[Problem]] = check_logos) -> CheckResult:
    """Load, validate, check the logos and compute; report every problem found.

    A stage runs on what the previous ones could make of the input: a file that
    fails on its own does not hide the other files' problems. Compute needs every
    file valid on its own; when cross-file rules found errors it still runs for its
    own errors (the share rules), while its warnings, which such errors would
    distort (a site that does not exist connects 0 MW), wait for a valid input.
    With `submission`, the input must also be ready to hand in
    (`editions.check_submission`): `build --submission` refuses exactly what this finds
    before rendering. `audience` checks that a partner's extract names a partner.
    `logos` checks the logos like `check_logos` (`serve` passes one that remembers
    the logos it drew by content).
    """
    validated = validate_project(load_project(input_dir))
    project, at = validated.project, validated.locations
    problems = [*validated.problems, *logos(project, input_dir, at)]
    figures = None
    if validated.complete:
        valid = not errors(problems)
        try:
            figures = compute_figures(project, at)
        except Exception:
            if valid:
                raise  # a valid project that compute cannot handle: our bug
        else:
            problems.extend(figures.problems if valid else errors(figures.problems))
            problems.extend(check_figures_in_texts(project, figures, at) if valid else [])
    if submission and validated.complete:
        problems = gate_submission(project, problems, at)
    if audience is not None and validated.complete:
        problems.extend(check_audience(project, audience))
    return CheckResult(project, at, figures if not errors(problems) else None,
                       sorted(set(problems)))


def build(input_dir: Path, out_dir: Path, langs: tuple[str, ...] = ("en", "fr"),
          html: bool = False, wait: float = 0.0,
          choice: EditionChoice | None = None) -> BuildResult:
    """Build every output: figures JSON, then per language the PDF and the workbook.

    The output folder is checked before the input is read. Every output is rendered in
    memory, stamped with the build id, and published with its manifest as one set
    (`proposal.publish`), under the folder's lock (waiting up to `wait` seconds for
    another build): a failed, interrupted or killed build leaves the previous set whole.
    `choice` picks the edition (a draft by default, or the submission) and the audience
    (`proposal.editions`); output names carry a restricted audience (`_public`).
    Raises InputError for invalid input, BuildStopped (which carries the exit code)
    when the build cannot finish, Interrupted when a signal stops it.
    """
    from .render.figures import render_figures_json
    from .workers import render_limits, render_pdfs_in_background

    check_out_dir(out_dir)  # like every usage error: before anything is read or rendered
    publication_mode()  # a bad PROPOSAL_PUBLISH too
    limits = render_limits()
    choice = choice or EditionChoice()
    checked = check(input_dir, submission=choice.edition == "submission",
                    audience=choice.audience)
    if not checked.ok or checked.figures is None:
        raise InputError(checked.problems)
    marks = make_marks(checked.project, checked.locations, input_dir, choice)
    full_project, full_figures = checked.project, checked.figures
    project, figures = edition_view(full_project, full_figures, marks)
    result = BuildResult(checked, warnings=list(checked.warnings))
    stem = project.consortium.acronym
    suffix = choice.audience.suffix
    checkpoint()  # between steps, a stop signal a finaliser swallowed is raised again
    with output_folder(out_dir, wait):  # one build at a time; clears a killed one's files
        staged = {f"{stem}_figures{suffix}.json": render_figures_json(figures).encode()}
        with render_pdfs_in_background(project, figures, langs, input_dir,
                                       checked.locations, limits) as pdfs:
            pause_point("render")
            for lang in langs:  # the workbooks render while the PDFs lay out elsewhere
                checkpoint()
                staged[f"{stem}_budget_{lang}{suffix}.xlsx"] = render_edition_workbook(
                    full_project, full_figures, figures.marks, lang)
            for lang, rendered in zip(langs, pdfs.results(), strict=True):
                staged[f"{stem}_proposal_{lang}{suffix}.pdf"] = rendered.pdf
                if html:
                    staged[f"{stem}_proposal_{lang}{suffix}.html"] = rendered.html.encode()
                result.warnings.extend(rendered.warnings)
            refuse_blocking_render_warnings(project, result.warnings, choice)
        checkpoint()
        build_id = compute_build_id(staged)
        result.outputs = publish(out_dir, stamp_outputs(staged, build_id), build_id)
    result.warnings.sort()
    return result
