"""The shapes the templates lay out: numbered sections, table grids and their cells.

Every chapter's context hands its tables to the templates as a `Grid` of already
formatted `Cell`s; `templates/proposal/macros.html` turns one into a `<table>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

SMALL_ROWS = 8
"""A table of at most this many rows is never broken across pages."""


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
    zero: bool = False
    """True for a figure that is zero as printed: a column or row of such cells may be
    left out or folded (`folded`)."""


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
    note: str = ""
    """A note printed under the table: what `folded` left out and where to find it."""
    landscape: bool = False
    """True when the table is too wide for a portrait page (`PageStyle.oriented`)."""
    widths: tuple[float, ...] = ()
    """Column widths in percent of the table, following the content
    (`PageStyle.laid_out`); none: the browser's own."""

    @property
    def small(self) -> bool:
        """True for a table of a few rows, which moves to the next page whole rather than
        break (`SMALL_ROWS`)."""
        return len(self.rows) <= SMALL_ROWS


def _cells(values: list[str | Cell]) -> tuple[Cell, ...]:
    return tuple(v if isinstance(v, Cell) else Cell(v) for v in values)


def grid(head: list[str], rows: list[list[str | Cell]], totals: list[bool] | None = None) -> Grid:
    """A Grid; numeric columns are those whose cells are all `Cell(num=True)`."""
    built = tuple(Row(_cells(r), t) for r, t in zip(rows, totals or [False] * len(rows),
                                                    strict=True))
    num = frozenset(i for i in range(len(head))
                    if built and all(row.cells[i].num for row in built))
    return Grid(tuple(head), built, num)


def folded(g: Grid, others: str, zero_columns: str, constant: str) -> Grid:
    """The table without what carries no information, every printed figure kept.

    Columns whose figures are all zero are left out (`zero_columns`, formatted with
    `columns`, says which); body rows whose figures are all zero are folded into one
    line (`others`, formatted with `names`, the first cells of the folded rows) when two
    or more are; a text column that says the same in every row of three or more is left
    out, said once in the note (`constant`, formatted with `column` and `value`).
    Nothing is summed: the folded line repeats the zeros of the rows it stands for.
    """
    rows, notes = list(g.rows), []
    zero_cols = [i for i in sorted(g.num) if rows and all(r.cells[i].zero for r in rows)]
    if zero_cols:
        notes.append(zero_columns % {"columns": ", ".join(g.head[i] for i in zero_cols)})
    same = [i for i in range(1, len(g.head)) if i not in g.num and len(rows) >= 3
            and len({r.cells[i].text for r in rows}) == 1 and rows[0].cells[i].text]
    notes.extend(constant % {"column": g.head[i], "value": rows[0].cells[i].text}
                 for i in same)
    empty = [r for r in rows if not r.total and g.num
             and all(r.cells[i].zero for i in g.num)]
    if len(empty) >= 2:
        line = Row(tuple(Cell(others % {"names": ", ".join(r.cells[0].text for r in empty)})
                         if i == 0 else (c if i in g.num else Cell(""))
                         for i, c in enumerate(empty[0].cells)))
        rows = [r for r in rows if r not in empty]
        rows.insert(sum(not r.total for r in rows), line)  # last, above the total
    drop = set(zero_cols) | set(same)
    keep = [i for i in range(len(g.head)) if i not in drop]
    return Grid(tuple(g.head[i] for i in keep),
                tuple(Row(tuple(r.cells[i] for i in keep), r.total) for r in rows),
                frozenset(n for n, i in enumerate(keep) if i in g.num),
                " ".join(filter(None, [g.note, *notes])), g.landscape)  # widths come later


def integral(values: list[float]) -> bool:
    """True when every value is whole (or missing): printed without decimals."""
    return all(pd.isna(v) or abs(v - round(v)) < 1e-9 for v in values)


def column_decimals(values: list[float]) -> int:
    """Decimals of a column: none when every value is whole, else one, alike for all rows."""
    return 0 if integral(values) else 1


def paragraphs(text: str) -> list[str]:
    """A text split on blank lines into paragraphs (escaped by the template)."""
    return [part.strip() for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]
