"""A build that talks: one progress line per stage, and a summary at the end.

Progress goes to standard error, only when it is a terminal (and not with `--quiet`),
so logs and pipes stay clean; the summary goes to standard output. The summary's
figures come from `Figures`, formatted like the English edition: nothing is computed
here.
"""

from __future__ import annotations

import sys
import time
from dataclasses import asdict, dataclass, field
from typing import TextIO

LANGUAGE_NAMES = {"en": "English", "fr": "French"}
"""Editions as the summary names them."""


class Progress:
    """Prints `[  1.4 s] stage: what it does` when each stage starts, if enabled."""

    def __init__(self, enabled: bool = False, stream: TextIO | None = None):
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.started = time.monotonic()

    @classmethod
    def for_terminal(cls, quiet: bool = False, stream: TextIO | None = None) -> Progress:
        """Enabled when `stream` (standard error) is a terminal and not `quiet`."""
        stream = stream or sys.stderr
        return cls(not quiet and stream.isatty(), stream)

    def stage(self, name: str, what: str) -> None:
        """Announce a stage."""
        if self.enabled:
            print(f"[{self.elapsed():5.1f} s] {name}: {what}", file=self.stream, flush=True)

    def elapsed(self) -> float:
        """Seconds since the build started."""
        return time.monotonic() - self.started


@dataclass
class Summary:
    """What a build did, for the lines it ends with."""

    out_dir: str
    """The output folder, as given."""
    pages: dict[str, int] = field(default_factory=dict)
    """Pages of each PDF edition, by language (empty for a preview)."""
    total_cost: str = ""
    """The total cost, formatted."""
    balance: str = ""
    """The financing plan's balance in words, with its amount."""
    warnings: int = 0
    """Warnings of every stage."""
    outputs: list[str] = field(default_factory=list)
    """The files written, by name."""
    reused: list[str] = field(default_factory=list)
    """What was taken from the cache instead of rendered."""
    seconds: float = 0.0
    """Time the build took."""
    preview: bool = False
    """An HTML-only preview (`--html-only`, `--partner`): nothing published."""

    def lines(self) -> list[str]:
        """The summary, a few lines."""
        kind = "preview" if self.preview else "build"
        plural = "" if self.warnings == 1 else "s"
        lines = [f"{kind} done in {self.seconds:.1f} s, {self.warnings} warning{plural}"]
        if self.pages:
            lines.append("pages: " + ", ".join(f"{LANGUAGE_NAMES.get(lang, lang)} {count}"
                                               for lang, count in self.pages.items()))
        if self.total_cost:
            lines.append(f"total cost: {self.total_cost}; financing: {self.balance}")
        lines.append("reused: " + (", ".join(self.reused) if self.reused else "nothing"))
        lines.append(f"outputs in {self.out_dir}: {', '.join(self.outputs)}")
        return lines

    def as_json(self) -> dict:
        """The fields, for the cache's record of a build."""
        return asdict(self)


def describe_balance(gap_eur: float, balanced: bool, money: str) -> str:
    """`balanced`, `gap of €12` or `surplus of €3`; `money` is the gap's size, formatted."""
    if balanced:
        return f"balanced (within tolerance, {'gap' if gap_eur > 0 else 'surplus'} of {money})" \
            if gap_eur else "balanced"
    return f"{'gap' if gap_eur > 0 else 'surplus'} of {money}"
