"""The whole flow on one screen: load -> validate -> check assets -> compute -> render ->
publish.

Each stage returns its result and the problems it found; only this module decides
to stop. `check` runs every stage that reads the input, so whatever would make
`build` fail on the input is found by `check`; `build` runs `check` once and renders
from the figures it computed.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .archive import DEFAULT_VARIANT, PdfVariant, attaches_data
from .cache import PREVIEW, Cache, build_key, remember_build, reuse_build
from .errors import UsageError
from .faults import pause_point
from .interrupts import checkpoint
from .output import write_atomic
from .problems import InputError, Problem, errors
from .publish import check_out_dir, output_folder, publication_mode, publish
from .stamp import compute_build_id, stamp_outputs
from .talk import LANGUAGE_NAMES, Progress, Summary, describe_balance

if TYPE_CHECKING:  # the stages import pandas, pydantic and the rest when a build needs them:
    # a build whose published outputs are kept (`proposal.cache`) never does
    from .compute import Figures
    from .confidential import Audience
    from .editions import EditionChoice
    from .locations import Locations
    from .models import Project


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
        from .models import count_figures

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

    check: CheckResult | None
    """The check the build started from; None when the published build was kept."""
    outputs: list[Path] = field(default_factory=list)
    """The published files, as users open them; the manifest last."""
    warnings: list[Problem] = field(default_factory=list)
    """Warnings from every stage (validation, compute, render)."""
    pages: dict[str, int] = field(default_factory=dict)
    """Pages of each PDF edition, by language."""
    reused: list[str] = field(default_factory=list)
    """What the cache gave instead of a render (`the English PDF`)."""
    summary: Summary | None = None
    """The lines the build ends with (`proposal.talk`)."""


def check(input_dir: Path, submission: bool = False, audience: Audience | None = None,
          logos: Callable[..., list[Problem]] | None = None) -> CheckResult:
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
    from .assets import check_logos
    from .compute import compute_figures
    from .confidential import check_audience
    from .editions import gate_submission
    from .load import load_project
    from .placeholders import check_figures_in_texts
    from .validate import validate_project

    logos = logos or check_logos

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
          html: bool = False, wait: float = 0.0, *, choice: EditionChoice | None = None,
          variant: PdfVariant = DEFAULT_VARIANT, html_only: bool = False,
          partner: str | None = None, progress: Progress | None = None,
          use_cache: bool = True) -> BuildResult:
    """Build every output: figures JSON, then per language the PDF and the workbook.

    The output folder is checked before the input is read. When the input, the tool
    and the options are those of the published build, it is kept as it is
    (`proposal.cache`). Else every output is rendered in memory (an edition whose HTML
    did not change is taken from the cache), stamped with the build id, the PDFs get
    the published data files attached (`proposal.archive`), and all is published with
    its manifest as one set (`proposal.publish`), under the folder's lock (waiting up
    to `wait` seconds for another build): a failed, interrupted or killed build leaves
    the previous set whole. `choice` picks the edition (a draft by default, or the
    submission) and the audience (`proposal.editions`); output names carry a restricted
    audience (`_public`). `html_only` (implied by `partner`) writes HTML previews
    into `<out>/preview/` and leaves the published set alone.
    Raises InputError for invalid input, BuildStopped (which carries the exit code)
    when the build cannot finish, Interrupted when a signal stops it.
    """
    from .confidential import edition_view, render_edition_workbook
    from .editions import EditionChoice, make_marks, refuse_blocking_render_warnings, stamp_of

    progress = progress or Progress()
    html_only = html_only or partner is not None
    check_out_dir(out_dir)  # like every usage error: before anything is read or rendered
    publication_mode()  # a bad PROPOSAL_PUBLISH too
    choice = choice or EditionChoice()
    cache = Cache.of(out_dir) if use_cache else None
    # A draft prints its version and date: a new commit or a new day is a new build.
    options = {"langs": list(langs), "html": html, "variant": variant,
               "edition": choice.edition, "audience": str(choice.audience),
               "stamp": stamp_of(input_dir, choice)}
    key = build_key(input_dir, out_dir, options) if cache and not html_only else ""
    if key and (reused := reuse_build(cache, key, out_dir, wait)) is not None:
        progress.stage("cache", "no input changed since the published build: kept")
        reused.summary.seconds = progress.elapsed()
        return BuildResult(None, reused.outputs, reused.warnings, summary=reused.summary)
    progress.stage("check", "load, validate and compute the input")
    from .render.figures import render_figures_json
    from .workers import render_limits, render_pdfs_in_background

    limits = render_limits()
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
    if html_only:
        return preview(checked, input_dir, out_dir, langs, partner, wait, progress)
    checkpoint()  # between steps, a stop signal a finaliser swallowed is raised again
    with output_folder(out_dir, wait):  # one build at a time; clears a killed one's files
        staged = {f"{stem}_figures{suffix}.json": render_figures_json(figures).encode()}
        progress.stage("pdf", f"lay out the {_editions(langs)} in the background")
        with render_pdfs_in_background(project, figures, langs, input_dir,
                                       checked.locations, limits, variant, cache) as pdfs:
            pause_point("render")
            progress.stage("workbooks", "write the budget workbooks")
            for lang in langs:  # the workbooks render while the PDFs lay out elsewhere
                checkpoint()
                staged[f"{stem}_budget_{lang}{suffix}.xlsx"] = render_edition_workbook(
                    full_project, full_figures, figures.marks, lang)
            progress.stage("pdf", "wait for the PDF layouts")
            for lang, rendered in zip(langs, pdfs.results(), strict=True):
                staged[f"{stem}_proposal_{lang}{suffix}.pdf"] = rendered.pdf
                if html:
                    staged[f"{stem}_proposal_{lang}{suffix}.html"] = rendered.html.encode()
                result.warnings.extend(rendered.warnings)
                result.pages[lang] = rendered.pages
                if rendered.reused:
                    result.reused.append(f"the {LANGUAGE_NAMES.get(lang, lang)} PDF")
            refuse_blocking_render_warnings(project, result.warnings, choice)
        checkpoint()
        progress.stage("publish", "stamp the build id, attach the data, publish")
        build_id = compute_build_id(staged)
        stamped = stamp_outputs(staged, build_id,
                                attach_to_pdfs=attaches_data(variant),
                                modified=project.consortium.submission_date)
        result.outputs = publish(out_dir, stamped, build_id)
        if cache:
            cache.prune("pdf")
    result.warnings.sort()
    result.summary = summarise(result, out_dir, progress)
    if key:
        remember_build(cache, key, out_dir, result.summary, result.warnings)
    return result


def preview(checked: CheckResult, input_dir: Path, out_dir: Path, langs: tuple[str, ...],
            partner: str | None, wait: float, progress: Progress) -> BuildResult:
    """Write each edition's HTML (or one partner's pages) into `<out>/preview/`.

    Nothing is laid out, no workbook is written and the published set is left alone.
    UsageError (exit code 2) for a partner id that is not in the input.
    """
    from .render.pdf import render_html

    project = checked.project
    ids = [p.id for p in project.partners]
    if partner is not None and partner not in ids:
        close = difflib.get_close_matches(partner, ids, n=1)
        hint = f"; did you mean `{close[0]}`?" if close else ""
        raise UsageError(f"--partner `{partner}` is not a partner of the input; expected "
                         f"one of: {', '.join(ids)}{hint}")
    result = BuildResult(checked, warnings=list(checked.warnings))
    suffix = f"_{partner}" if partner else ""
    with output_folder(out_dir, wait):
        progress.stage("html", f"write the HTML of the {_editions(langs, 'preview')}")
        for lang in langs:
            checkpoint()
            name = f"{project.consortium.acronym}_proposal{suffix}_{lang}.html"
            html = render_html(project, checked.figures, lang, input_dir, partner=partner)
            result.outputs.append(write_atomic(Path(out_dir) / PREVIEW / name, html))
    result.summary = summarise(result, Path(out_dir) / PREVIEW, progress)
    result.summary.preview = True
    return result


def summarise(result: BuildResult, out_dir: Path, progress: Progress) -> Summary:
    """The build's summary; its figures formatted from `Figures`, like the English PDF."""
    from .i18n import Locale

    figures, money = result.check.figures, Locale("en").money
    return Summary(
        out_dir=str(out_dir), pages=dict(result.pages),
        total_cost=money(figures.total_cost_eur),
        balance=describe_balance(figures.financing_gap_eur, figures.financing_balanced,
                                 money(abs(figures.financing_gap_eur))),
        warnings=len(result.warnings), outputs=[path.name for path in result.outputs],
        reused=list(result.reused), seconds=progress.elapsed())


def _editions(langs: tuple[str, ...], what: str = "PDF") -> str:
    """`English and French PDFs`."""
    names = [LANGUAGE_NAMES.get(lang, lang) for lang in langs]
    joined = " and ".join(names)
    return f"{joined} {what}{'s' if len(names) > 1 else ''}"
