"""Problems found in the input: what every stage reports instead of raising tracebacks."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One finding, located at `file:line:col` (1-based) relative to the input folder."""

    file: str
    """Path of the file, relative to the input folder, with forward slashes."""
    line: int
    """Line, counted from 1."""
    col: int
    """Column, counted from 1."""
    severity: Severity
    """`error` stops the build; `warning` is printed and the build goes on."""
    code: str
    """Short rule code, such as `unknown-key`."""
    message: str
    """What is wrong and what is expected."""

    def as_json(self) -> dict[str, str | int]:
        """The problem as a JSON object: file, line, column, severity, code, message."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.col,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }

    def __str__(self) -> str:
        file = printable(self.file)
        return f"{file}:{self.line}:{self.col}: {self.severity}: {printable(self.message)} " \
               f"[{self.code}]"


def printable(text: str) -> str:
    """Escape characters a terminal would act on (a file named with ESC or a newline
    must not colour the output or forge another error line)."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
                   for ch in text)


class InputError(Exception):
    """Raised by a stage when the input has errors; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems)
        super().__init__(self.problems)  # picklable: a render process may raise it

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def errors(problems: Iterable[Problem]) -> list[Problem]:
    """The problems of severity `error`."""
    return [p for p in problems if p.severity == "error"]


def format_problems(problems: Iterable[Problem], style: str = "text") -> str:
    """Render problems, sorted by file and line, as `text`, `json` or `github` annotations."""
    ordered = sorted(problems)
    if style == "json":
        return json.dumps([p.as_json() for p in ordered], indent=2, ensure_ascii=False)
    if style == "github":
        return "\n".join(_github_annotation(p) for p in ordered)
    return "\n".join(str(p) for p in ordered)


def _github_annotation(problem: Problem) -> str:
    # GitHub reads `%`, CR and LF as escapes in the message and `,` `:` in properties.
    def escape(text: str, properties: bool = False) -> str:
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        if properties:
            text = text.replace(":", "%3A").replace(",", "%2C")
        return text

    return (
        f"::{problem.severity} file={escape(problem.file, True)},line={problem.line},"
        f"col={problem.col},title={escape(problem.code, True)}::{escape(problem.message)}"
    )
