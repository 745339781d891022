"""The whole flow on one screen: load -> validate -> compute -> render."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .compute import Figures, check_figures, compute_figures
from .load import load_project
from .models import Project
from .output import write_atomic
from .problems import InputError, Problem, errors
from .validate import count_figures, validate_project


@dataclass
class CheckResult:
    """What `check` found: the validated project and the warnings."""

    project: Project
    """The validated project."""
    warnings: list[Problem]
    """Warnings of validation and compute (errors raise InputError instead)."""

    def summary(self) -> str:
        """One line: partners, figures and warnings."""
        return (f"ok: {len(self.project.partners)} partners, {count_figures(self.project)} "
                f"figures, {len(self.warnings)} warnings")


@dataclass
class BuildResult:
    """What `build` produced."""

    check: CheckResult
    """The validation result the build started from."""
    outputs: list[Path] = field(default_factory=list)
    """Files written, in the order they were written."""
    warnings: list[Problem] = field(default_factory=list)
    """Warnings from every stage (validation, compute, render)."""


def check(input_dir: Path) -> CheckResult:
    """Load, validate and compute; raise InputError listing every problem.

    Checking includes the compute stage's checks: the call's financing share rules
    can only be checked on computed amounts, and a pull request should hear of them.
    """
    project, warnings = validate_project(load_project(input_dir))
    problems = sorted([*warnings, *check_figures(project)])
    if errors(problems):
        raise InputError(problems)
    return CheckResult(project, problems)


def build(input_dir: Path, out_dir: Path, langs: tuple[str, ...] = ("en", "fr"),
          html: bool = False) -> BuildResult:
    """Build every output: figures JSON, then per language the PDF and the workbook.

    Every output is rendered in memory first and written (each atomically) only when
    all of them succeeded, so a failed build leaves the previous outputs untouched.
    Raises InputError for invalid input (nothing is written).
    """
    from .render.excel import render_workbook
    from .render.figures import render_figures_json

    checked = check(input_dir)
    project = checked.project
    figures = compute_figures(project)
    result = BuildResult(checked, warnings=list(checked.warnings))
    stem = project.consortium.acronym
    staged: dict[str, bytes] = {f"{stem}_figures.json": render_figures_json(figures).encode()}
    with render_pdfs_in_background(project, figures, langs, input_dir) as pdfs:
        for lang in langs:  # the workbooks render while the PDFs lay out in other processes
            staged[f"{stem}_budget_{lang}.xlsx"] = render_workbook(project, figures, lang)
        for lang, rendered in zip(langs, pdfs.results(), strict=True):
            staged[f"{stem}_proposal_{lang}.pdf"] = rendered.pdf
            if html:
                staged[f"{stem}_proposal_{lang}.html"] = rendered.html.encode()
            result.warnings.extend(rendered.warnings)
    result.outputs = publish(staged, out_dir)
    result.warnings.sort()
    return result


def publish(staged: dict[str, bytes], out_dir: Path) -> list[Path]:
    """Write every rendered output into `out_dir`, each atomically."""
    return [write_atomic(out_dir / name, content) for name, content in staged.items()]


@dataclass
class _PendingPdfs:
    futures: list[Future]

    def results(self) -> Iterator:
        """Each edition's `PdfResult`, in the order asked; re-raises a render's error."""
        for future in self.futures:
            yield future.result()


@contextmanager
def render_pdfs_in_background(
    project: Project, figures: Figures, langs: tuple[str, ...], input_dir: Path
) -> Iterator[_PendingPdfs]:
    """Render each edition's PDF in its own process, in parallel when cores allow.

    A process per edition returns WeasyPrint's memory when it ends; forking after
    WeasyPrint is imported spares each worker the import.
    """
    from .render.pdf import render_pdf

    workers = max(1, min(len(langs), os.cpu_count() or 1))
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield _PendingPdfs([pool.submit(render_pdf, project, figures, lang, input_dir.resolve())
                             for lang in langs])
