"""The whole flow on one screen: load -> validate -> compute -> render."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .load import load_project
from .models import Project
from .problems import Problem
from .validate import count_figures, validate_project


@dataclass
class CheckResult:
    """What `check` found: the validated project and the warnings."""

    project: Project
    """The validated project."""
    warnings: list[Problem]
    """Warnings (the project has no errors, or InputError would have been raised)."""

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
    """Load and validate an input folder; raise InputError listing every problem."""
    project, warnings = validate_project(load_project(input_dir))
    return CheckResult(project, warnings)
