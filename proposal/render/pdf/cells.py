"""The shapes the templates lay out: numbered sections, table grids and their cells.

Every chapter's context hands its tables to the templates as a `Grid` of already
formatted `Cell`s; `templates/proposal/macros.html` turns one into a `<table>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Section:
    """A numbered section of the outline, as headings, the TOC and cross-references show it."""

    key: str
    """Outline key."""
    level: int
    """1 for a chapter (h1), 2 for a section (h2)."""
    number: str
    """Printed number: `3`, `3.2`, `A`, `A.1`."""
    title: str
    """Translated title."""

    @property
    def id(self) -> str:
        """Anchor of the heading."""
        return f"sec-{self.key}"


@dataclass(frozen=True)
class Cell:
    """A table cell: text, right-aligned when it is a figure."""

    text: str
    """The formatted content."""
    num: bool = False
    """True for a number (right-aligned, never wrapped)."""
    keep: bool = False
    """True for a short text kept on one line (a range of months)."""


@dataclass(frozen=True)
class Row:
    """A table row."""

    cells: tuple[Cell, ...]
    """Cells, one per column."""
    total: bool = False
    """True for a total row (set apart in bold)."""


@dataclass(frozen=True)
class Grid:
    """A table ready to lay out: headings and formatted rows."""

    head: tuple[str, ...]
    """Column headings."""
    rows: tuple[Row, ...]
    """Rows in display order."""
    num: frozenset[int]
    """Indexes of the numeric columns (headings right-aligned too)."""


def _cells(values: list[str | Cell]) -> tuple[Cell, ...]:
    return tuple(v if isinstance(v, Cell) else Cell(v) for v in values)


def grid(head: list[str], rows: list[list[str | Cell]], totals: list[bool] | None = None) -> Grid:
    """A Grid; numeric columns are those whose cells are all `Cell(num=True)`."""
    built = tuple(Row(_cells(r), t) for r, t in zip(rows, totals or [False] * len(rows),
                                                    strict=True))
    num = frozenset(i for i in range(len(head))
                    if built and all(row.cells[i].num for row in built))
    return Grid(tuple(head), built, num)


def integral(values: list[float]) -> bool:
    """True when every value is whole (or missing): printed without decimals."""
    return all(pd.isna(v) or abs(v - round(v)) < 1e-9 for v in values)


def column_decimals(values: list[float]) -> int:
    """Decimals of a column: none when every value is whole, else one, alike for all rows."""
    return 0 if integral(values) else 1


def paragraphs(text: str) -> list[str]:
    """A text split on blank lines into paragraphs (escaped by the template)."""
    return [part.strip() for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]
