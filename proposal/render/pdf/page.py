"""The page: paper, margins and type sizes of the PDF, from the call's format rules.

`templates/proposal.css` holds the design; what the call's `format` rules bound is
set here instead and written by `proposal.html` in a `<style>` block after the
stylesheet: the `@page` rules (WeasyPrint needs real values for page margins) and
the custom properties `--body-size` (body and table text) and `--small-size`
(running header and footer, captions, notes). Each size is the design's, raised to
the call's minimum when the call asks for more, never lowered. Chart labels follow
the same rule, and charts are drawn as wide as the text block at most, so no chart
is scaled down below its type size. When the rules leave fewer characters per line
than the design, tables tighten instead (narrower cell padding, hyphenated headings
over figure columns) so that they still fit between the margins. Margins and widths
are layout, the only arithmetic done here; `check_format_rules` in
`proposal.validate` refuses rules beyond what this layout can honour.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Literal

from markupsafe import Markup

from ...models import FormatRules
from ..charts import LABEL_PT, WIDTH_PT, text_width
from .cells import Grid

PAPER_MM = {"A4": (210.0, 297.0)}
"""Width and height (portrait) of each paper size `FormatRules.page_size` allows."""
PT_PER_MM = 72 / 25.4


@dataclass(frozen=True)
class Margins:
    """Page margins in millimetres, in CSS order."""

    top: float
    right: float
    bottom: float
    left: float

    def at_least(self, mm: float) -> Margins:
        """These margins, each raised to `mm` when it is narrower."""
        return Margins(*(max(side, mm) for side in (self.top, self.right, self.bottom,
                                                    self.left)))

    def css(self) -> str:
        """The CSS `margin` value: `24mm 20mm 22mm 20mm`."""
        return " ".join(f"{_number(side)}mm" for side in (self.top, self.right, self.bottom,
                                                          self.left))


@dataclass(frozen=True)
class PageStyle:
    """The page geometry and type sizes of one edition."""

    size: str
    """Paper size, a key of `PAPER_MM`."""
    portrait: Margins
    """Margins of the text pages."""
    landscape: Margins
    """Margins of the landscape pages (wide tables)."""
    cover: Margins
    """Margins of the cover page."""
    body_pt: float
    """Body and table text size."""
    small_pt: float
    """Size of the running header and footer, captions and notes."""
    chart_pt: float
    """Size of the chart labels."""
    cell_padding_mm: float
    """Left and right padding of table cells."""
    heading_hyphens: Literal["manual", "auto"]
    """CSS `hyphens` of the headings over figure columns: `manual`, or `auto` to let
    long words break where the columns are narrow."""

    @property
    def text_width_pt(self) -> float:
        """Width of the text block of a portrait page, in points."""
        width, _height = PAPER_MM[self.size]
        return (width - self.portrait.left - self.portrait.right) * PT_PER_MM

    @property
    def chart_width_pt(self) -> float:
        """Width of the charts: their design width, or the text block when narrower."""
        return min(WIDTH_PT, math.floor(self.text_width_pt))

    @property
    def landscape_width_pt(self) -> float:
        """Width of the text block of a landscape page, in points."""
        _width, height = PAPER_MM[self.size]
        return (height - self.landscape.left - self.landscape.right) * PT_PER_MM

    def column_widths_pt(self, table: Grid) -> list[tuple[float, float]]:
        """Each column's narrowest and wished-for width, padding included.

        Narrowest: its widest figure or kept text, its longest word, its heading's longest
        word (so no heading is ever hyphenated). Wished for: its longest cell on one line,
        or its heading set on at most three lines, whichever is wider."""
        padding = 2 * self.cell_padding_mm * PT_PER_MM + 1

        def widest(texts: list[str], bold: bool = False, whole: bool = True) -> float:
            return max((text_width_pt(part, self.body_pt, bold) for text in texts
                        for part in ([text] if whole else text.split())), default=0.0)

        columns = []
        for i, head in enumerate(table.head):
            cells = [row.cells[i] for row in table.rows]
            bold = any(row.total for row in table.rows)
            narrowest = max(widest([head], True, False),
                            widest([c.text for c in cells if c.num or c.keep], bold),
                            widest([c.text for c in cells], bold, False))
            wished = max(narrowest, widest([c.text for c in cells], bold),
                         widest([head], True) / 3)
            columns.append((narrowest + padding, wished + padding))
        return columns

    def min_table_width_pt(self, table: Grid) -> float:
        """The narrowest a table can be laid out (`column_widths_pt`)."""
        return sum(narrowest for narrowest, _wished in self.column_widths_pt(table))

    def oriented(self, table: Grid) -> Grid:
        """The table, marked landscape when it cannot fit the width of a portrait page
        (and a landscape page is wider)."""
        wide = self.min_table_width_pt(table) > self.text_width_pt \
            and self.landscape_width_pt > self.text_width_pt
        return replace(table, landscape=wide)

    def laid_out(self, table: Grid) -> Grid:
        """The table with column widths that follow its content, in percent of the text
        block: every column gets its narrowest width, and the room left goes to the
        columns in proportion to what they lack of their wished-for width (the headings
        count for little, so that a long heading does not widen a column of short figures
        while the text beside it wraps on many lines)."""
        available = self.landscape_width_pt if table.landscape else self.text_width_pt
        columns = self.column_widths_pt(table)
        narrowest = sum(n for n, _w in columns)
        lacking = sum(w - n for n, w in columns)
        room = available - narrowest
        if room <= 0 or not columns:
            return table
        if lacking > room:
            widths = [n + room * (w - n) / lacking for n, w in columns]
        else:
            wished = sum(w for _n, w in columns)
            widths = [w * available / wished for _n, w in columns]
        return replace(table, widths=tuple(round(100 * w / available, 1) for w in widths))

    def css(self) -> Markup:
        """The `@page` rules and text-size properties the stylesheet leaves to the call."""
        return Markup(
            f":root {{ --body-size: {_number(self.body_pt)}pt; "
            f"--small-size: {_number(self.small_pt)}pt; "
            f"--cell-padding: {_number(self.cell_padding_mm)}mm; "
            f"--heading-hyphens: {self.heading_hyphens}; }}\n"
            f"@page {{ size: {self.size}; margin: {self.portrait.css()}; }}\n"
            f"@page landscape {{ size: {self.size} landscape; margin: {self.landscape.css()}; }}\n"
            f"@page cover {{ margin: {self.cover.css()}; }}")


DESIGN = PageStyle(size="A4", portrait=Margins(21, 18, 20, 18),
                   landscape=Margins(22, 20, 20, 20), cover=Margins(25, 22, 25, 22),
                   body_pt=11, small_pt=9, chart_pt=LABEL_PT, cell_padding_mm=1.6,
                   heading_hyphens="manual")
"""The proposal's own layout, which the call's rules may enlarge but never shrink."""


def page_style(rules: FormatRules) -> PageStyle:
    """The design, with every margin and type size raised to the call's minimums, and
    tighter tables when that leaves fewer characters per line than the design."""
    raised = replace(
        DESIGN,
        size=rules.page_size,
        portrait=DESIGN.portrait.at_least(rules.min_margin_mm),
        landscape=DESIGN.landscape.at_least(rules.min_margin_mm),
        cover=DESIGN.cover.at_least(rules.min_margin_mm),
        body_pt=max(DESIGN.body_pt, rules.min_body_pt),
        small_pt=max(DESIGN.small_pt, rules.min_small_pt),
        chart_pt=max(DESIGN.chart_pt, rules.min_small_pt),
    )
    if raised.text_width_pt / raised.body_pt >= DESIGN.text_width_pt / DESIGN.body_pt:
        return raised
    return replace(raised, cell_padding_mm=DESIGN.cell_padding_mm / 2, heading_hyphens="auto")


def text_width_pt(text: str, size_pt: float, bold: bool = False) -> float:
    """How wide a text sets in the tables' typeface (`Proposal Sans`, the charts' too) at
    `size_pt` (kerning left aside)."""
    return text_width(text, size_pt, bold)


def _number(value: float) -> str:
    """A CSS number, rounded up to two decimals (a minimum stays met), never in
    exponent notation."""
    return f"{math.ceil(value * 100 - 1e-9) / 100:.2f}".rstrip("0").rstrip(".")


def css_content(template: str, counters: dict[str, str]) -> Markup:
    """A CSS `content` value from a translated text with `{name}` placeholders.

    `Page {page} of {pages}` becomes `"Page " counter(page) " of " counter(pages)`;
    every literal character outside plain letters and digits is escaped, so a
    translation cannot close the string or the `<style>` element.
    """
    tokens = []
    for part in re.split(r"(\{\w+\})", template):
        if part.startswith("{") and part[1:-1] in counters:
            tokens.append(counters[part[1:-1]])
        elif part:
            escaped = "".join(c if (c.isalnum() and c.isascii()) or c == " " else f"\\{ord(c):x} "
                              for c in part)
            tokens.append(f'"{escaped}"')
    return Markup(" ".join(tokens))
