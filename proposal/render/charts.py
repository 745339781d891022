"""SVG charts of the PDF: ramp-up, Gantt chart with the monthly effort line, share bars.

Each chart is an inline `<svg>` string drawn in points (one SVG unit is one PDF
point, the `width`/`height` say so), so the type sizes written here are the sizes
printed. The callers pass values taken from `Figures` and labels already translated
and formatted; this module only places marks. Axis scales ("nice" tick steps) and
positions are layout, the only arithmetic done here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

from ..resources import templates_dir

FONT = "Proposal Sans"
"""The @font-face family of the templates, so chart text uses the shipped fonts."""
WIDTH_PT = 480.0
"""Width of every chart: the text block of an A4 page with 20 mm margins, rounded down.
A narrower text block draws the charts narrower (`width`), never scaled down."""
LABEL_PT = 8.5
"""Design size of axis and bar labels; the call's minimum for small text may raise it
(`label_pt`), and the spacings that hold a line of labels grow with it."""
INK = "#1c2833"
GRID = "#d5dbe3"
COLOURS = ("#1f4e79", "#2a9d8f", "#e76f51", "#e9c46a", "#8d99ae", "#6a4c93", "#f4a261",
           "#264653")
"""Series colours, in order of use."""


@cache
def _advances(bold: bool) -> tuple[dict[int, float], float]:
    """Advance widths (in em) of the chart font's characters, and the average one.

    The font file is the one the stylesheet's `@font-face` gives the chart family, so
    the widths measured here are those WeasyPrint draws; without it, 0.55 em a character.
    """
    from fontTools.ttLib import TTFont

    css = (templates_dir() / "proposal.css").read_text(encoding="utf-8")
    weight = "bold" if bold else "normal"
    for rule in re.findall(r"@font-face\s*\{([^}]*)\}", css):
        if (f'"{FONT}"' in rule and re.search(rf"font-weight:\s*{weight}", rule)
                and re.search(r"font-style:\s*normal", rule)):
            name = re.search(r'url\("?([^")]+)"?\)', rule)
            if name:
                with TTFont(templates_dir() / name.group(1), lazy=True) as font:
                    per_em = font["head"].unitsPerEm
                    metrics = font["hmtx"].metrics
                    widths = {code: metrics[glyph][0] / per_em
                              for code, glyph in font.getBestCmap().items()}
                return widths, sum(widths.values()) / max(len(widths), 1)
    return {}, 0.55


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width in points of `text` set at `size` points in the chart font."""
    widths, average = _advances(bold)
    return size * sum(widths.get(ord(char), average) for char in text)


def fit_text(text: str, size: float, room: float, bold: bool = False) -> str:
    """`text`, cut at a word or a character and ended with an ellipsis when it is
    wider than `room` points."""
    if text_width(text, size, bold) <= room:
        return text
    while text and text_width(text + "\u2026", size, bold) > room:
        text = text[:-1]
    if " " in text.strip():  # a whole word rather than a fragment that reads as another
        text = text[:text.rstrip().rindex(" ")]
    return text.rstrip(" ,;:-\u2013") + "\u2026" if text else ""


class Svg:
    """A minimal SVG writer: every text and attribute value is XML-escaped."""

    def __init__(self, width: float, height: float, title: str, label_pt: float = LABEL_PT):
        self.width, self.height, self.label_pt = width, height, label_pt
        self.parts: list[str] = [f"<title>{escape(title)}</title>"]

    def add(self, tag: str, text: str | None = None, **attrs: object) -> None:
        """Append an element; `class_`-style names lose their trailing underscore and
        underscores become dashes (`font_size` -> `font-size`)."""
        rendered = "".join(
            f" {name.rstrip('_').replace('_', '-')}={quoteattr(_attr(value))}"
            for name, value in attrs.items() if value is not None
        )
        if text is None:
            self.parts.append(f"<{tag}{rendered}/>")
        else:
            self.parts.append(f"<{tag}{rendered}>{escape(text)}</{tag}>")

    def text(self, x: float, y: float, text: str, *, size: float | None = None,
             anchor: str = "start", weight: str | None = None, fill: str = INK,
             rotate: float | None = None) -> None:
        """A line of text whose baseline starts (or ends, or centres) at (x, y); `size`
        defaults to the chart's label size. A level line that would run past a side
        of the drawing is moved inside it."""
        size = size or self.label_pt
        if not rotate:
            width = text_width(text, size, weight == "bold")
            start = x - {"start": 0, "middle": width / 2, "end": width}[anchor]
            x += max(0.0, -start) - max(0.0, start + width - self.width)
        transform = f"rotate({rotate:g} {x:.2f} {y:.2f})" if rotate else None
        self.add("text", text, x=x, y=y, font_size=size, text_anchor=anchor,
                 font_weight=weight, fill=fill, transform=transform)

    def markup(self) -> Markup:
        """The finished `<svg>` element, safe to insert in the HTML."""
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width:g}pt" '
                f'height="{self.height:g}pt" viewBox="0 0 {self.width:g} {self.height:g}" '
                f'font-family={quoteattr(FONT)} role="img">')
        return Markup(head + "".join(self.parts) + "</svg>")


def _attr(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least `top` (1, 2, 2.5 or 5 times a power of ten)."""
    if not top > 0 or math.isnan(top):
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if raw <= m * magnitude)
    ticks = [0.0]
    while ticks[-1] < top - 1e-9 * top:
        ticks.append(step * len(ticks))
    return ticks


# ------------------------------------------------------------------------ ramp-up


@dataclass(frozen=True)
class RampUpLabels:
    """Translated wording of the ramp-up chart."""

    title: str
    """Accessible title of the chart."""
    bars: str
    """Legend of the bars (installed IT power, MW)."""
    line: str
    """Legend of the line (installed H100 equivalents)."""
    left_axis: str = ""
    """Title of the left scale, with its unit (IT power, MW)."""
    right_axis: str = ""
    """Title of the right scale, with its unit (H100 equivalents)."""


def ramp_up_chart(years: Sequence[str], power_mw: Sequence[float],
                  h100: Sequence[float], labels: RampUpLabels,
                  fmt: Callable[[float], str], *, width: float = WIDTH_PT,
                  label_pt: float = LABEL_PT) -> Markup:
    """Bars of the IT power installed at each year end, with the H100 equivalents
    installed as a line on a second scale; each scale carries its title and unit;
    `fmt` formats tick and value labels."""
    k = label_pt / LABEL_PT  # spacings that hold a line of labels grow with the labels
    height = 250.0
    power_ticks, h100_ticks = nice_ticks(max(power_mw, default=0)), nice_ticks(max(h100, default=0))
    power_top, h100_top = power_ticks[-1], h100_ticks[-1]
    # Each scale's margin holds its widest tick label; its title stands level above it, as
    # the funding chart's does: rotated text reads badly and its letters are printed one
    # by one, each measured by a reader as a tiny word.
    left = 6 + max(text_width(fmt(t), label_pt) for t in power_ticks)
    right = 6 + max(text_width(fmt(t), label_pt) for t in h100_ticks)
    titled = bool(labels.left_axis or labels.right_axis)
    top, bottom = (label_pt * 2.6 if titled else 14.0 * k), 52.0 * k
    plot_w, plot_h = width - left - right, height - top - bottom
    svg = Svg(width, height, labels.title, label_pt)
    y_power = lambda v: top + plot_h * (1 - v / power_top)  # noqa: E731
    y_h100 = lambda v: top + plot_h * (1 - v / h100_top)  # noqa: E731
    for tick in power_ticks:
        svg.add("line", x1=left, x2=left + plot_w, y1=y_power(tick), y2=y_power(tick),
                stroke=GRID, stroke_width=0.6)
        svg.text(left - 4, y_power(tick) + 3 * k, fmt(tick), anchor="end", fill=COLOURS[0])
    for tick in h100_ticks:
        svg.text(left + plot_w + 4, y_h100(tick) + 3 * k, fmt(tick), fill=COLOURS[2])
    # Each title has half the width, less a gap, so the two never meet.
    half = width / 2 - label_pt
    if labels.left_axis:
        svg.text(0, label_pt * 1.2, fit_text(labels.left_axis, label_pt, half, bold=True),
                 fill=COLOURS[0], weight="bold")
    if labels.right_axis:
        svg.text(width, label_pt * 1.2, fit_text(labels.right_axis, label_pt, half, bold=True),
                 anchor="end", fill=COLOURS[2], weight="bold")
    band = plot_w / max(len(years), 1)
    points = []
    for i, (year, power, units) in enumerate(zip(years, power_mw, h100, strict=True)):
        x = left + band * i
        bar_w = band * 0.56
        svg.add("rect", x=x + (band - bar_w) / 2, y=y_power(power), width=bar_w,
                height=top + plot_h - y_power(power), fill=COLOURS[0])
        if power > 0:
            # Inside the bar's top when the line's marker sits just above it.
            inside = abs(y_h100(units) - (y_power(power) - 6)) < label_pt * 1.2
            svg.text(x + band / 2, y_power(power) + (label_pt + 3 if inside else -3),
                     fmt(power), anchor="middle", fill="#ffffff" if inside else COLOURS[0],
                     weight="bold")
        svg.text(x + band / 2, top + plot_h + 12 * k, year, anchor="middle")
        points.append((x + band / 2, y_h100(units)))
    svg.add("polyline", points=" ".join(f"{x:.2f},{y:.2f}" for x, y in points), fill="none",
            stroke=COLOURS[2], stroke_width=2)
    for x, y in points:
        svg.add("circle", cx=x, cy=y, r=3, fill="#ffffff", stroke=COLOURS[2], stroke_width=1.6)
    svg.add("line", x1=left, x2=left + plot_w, y1=top + plot_h, y2=top + plot_h, stroke=INK,
            stroke_width=0.8)
    # Legend on two lines under the years: translations may be long.
    legend_y = height - 20 * k
    svg.add("rect", x=left, y=legend_y - 8, width=10, height=8, fill=COLOURS[0])
    svg.text(left + 16, legend_y, fit_text(labels.bars, label_pt, width - left - 16))
    legend_y += 13 * k
    svg.add("line", x1=left - 3, x2=left + 13, y1=legend_y - 4, y2=legend_y - 4,
            stroke=COLOURS[2], stroke_width=2)
    svg.add("circle", cx=left + 5, cy=legend_y - 4, r=3, fill="#ffffff", stroke=COLOURS[2],
            stroke_width=1.6)
    svg.text(left + 16, legend_y, fit_text(labels.line, label_pt, width - left - 16))
    return svg.markup()


# -------------------------------------------------------------------------- Gantt


@dataclass(frozen=True)
class GanttRow:
    """One bar of the Gantt chart: a work package or one of its tasks."""

    label: str
    """Id shown left of the bar (WP1, T1.2)."""
    start: int
    """First month."""
    end: int
    """Last month."""
    package: bool
    """True for a work package (drawn bold, darker), False for a task."""
    milestones: tuple[int, ...] = ()
    """Months of the milestones drawn on this row."""
    deliverables: tuple[int, ...] = ()
    """Months of the deliverables drawn on this row."""
    name: str = ""
    """Title written after the id, cut to the room the chart leaves it."""
    milestone_ids: tuple[str, ...] = ()
    """Ids written beside the milestones (MS1), in the order of `milestones`."""


@dataclass(frozen=True)
class GanttLabels:
    """Translated wording of the Gantt chart."""

    title: str
    """Accessible title of the chart."""
    effort: str
    """Title of the effort panel (person-months per month)."""
    milestone: str
    """Legend of the milestone mark."""
    deliverable: str
    """Legend of the deliverable mark."""
    month: str
    """Label of a month on the time axis, with a `{month}` placeholder (`M{month}`)."""
    axis: str = ""
    """Title of the time axis (project month)."""


GANTT_NAME_SHARE = 0.34
"""Most of the chart's width the row labels (id and title) may take."""


def gantt_chart(rows: Sequence[GanttRow], months: int, years: Sequence[tuple[int, str]],
                effort: Sequence[float], labels: GanttLabels,
                fmt: Callable[[float], str], *, width: float = WIDTH_PT,
                label_pt: float = LABEL_PT) -> Markup:
    """Bars per work package and task over the project months, under a year header
    and a month ruler, with a quarter grid; milestones as labelled diamonds,
    deliverables as triangles; under them the effort per month.

    `years` gives (first month of a calendar year within the plan, its label).
    """
    k = label_pt / LABEL_PT  # spacings that hold a line of labels grow with the labels
    id_w = max((text_width(row.label, label_pt, row.package) for row in rows), default=0)
    named = any(row.name for row in rows)
    longest = max((text_width(f"{row.label}  {row.name}", label_pt, row.package)
                   for row in rows), default=0)
    left = 10 + (min(longest, width * GANTT_NAME_SHARE) if named else id_w + 6)
    right = 6.0
    header, row_h, gap = 30.0 * k, 12.0 * k, 16.0
    panel_h, panel_bottom = 96.0, 46.0 * k
    chart_h = header + row_h * len(rows)
    height = chart_h + gap + panel_h + panel_bottom
    col = (width - left - right) / max(months, 1)
    x_of = lambda month: left + col * (month - 1)  # noqa: E731
    svg = Svg(width, height, labels.title, label_pt)
    bounds = [*(m for m, _ in years), months + 1]
    year_top = header - 26 * k
    for i, (month, label) in enumerate(years):
        span_end = bounds[i + 1]
        if i % 2 == 0:
            svg.add("rect", x=x_of(month), y=year_top, width=col * (span_end - month),
                    height=chart_h - year_top, fill="#f1f4f8")
        svg.text((x_of(month) + x_of(span_end)) / 2, year_top + 9 * k, label, anchor="middle",
                 weight="bold")
    # The month ruler and the grid: a line every quarter, darker at each year.
    ruler_y = header - 4
    step = 3 if col * 3 >= text_width(labels.month.format(month=months), label_pt) + 4 else 6
    for month in range(1, months + 2):
        if (month - 1) % 3:
            continue
        year_start = month in bounds
        svg.add("line", x1=x_of(month), x2=x_of(month), y1=header - 2, y2=chart_h,
                stroke="#9aa5b1" if year_start else GRID, stroke_width=0.7 if year_start else 0.4)
        if month <= months and (month - 1) % step == 0:
            # At the label size: it is the call's least size for small text already.
            svg.text(x_of(month) + 1.5, ruler_y, labels.month.format(month=month))
    for i, row in enumerate(rows):
        y = header + row_h * i
        bar_h = 8.0 if row.package else 5.5
        colour = COLOURS[0] if row.package else COLOURS[1]
        weight = "bold" if row.package else None
        indent = 2 if row.package else 8
        svg.text(indent, y + row_h / 2 + 3 * k, row.label, weight=weight)
        if row.name:
            name_x = indent + id_w + label_pt * 0.6
            svg.text(name_x, y + row_h / 2 + 3 * k,
                     fit_text(row.name, label_pt, left - name_x - 6, row.package), weight=weight)
        svg.add("rect", x=x_of(row.start), y=y + (row_h - bar_h) / 2,
                width=col * (row.end - row.start + 1), height=bar_h, fill=colour)
        for month in row.deliverables:
            cx, cy = x_of(month) + col / 2, y + row_h / 2
            svg.add("polygon", points=f"{cx - 3.5:.2f},{cy + 4:.2f} {cx + 3.5:.2f},{cy + 4:.2f} "
                    f"{cx:.2f},{cy - 3:.2f}", fill=COLOURS[3], stroke=INK, stroke_width=0.5)
        _milestones(svg, row, y, row_h, x_of, col, width - right, label_pt)
    # The effort panel: person-months per month as a stepped area.
    top = chart_h + gap + 12 * k
    plot_h = panel_h - 12 * k
    ticks = nice_ticks(max(effort, default=0), 4)
    y_of = lambda v: top + plot_h * (1 - v / ticks[-1])  # noqa: E731
    svg.text(left, top - 5, fit_text(labels.effort, label_pt, width - left, True), weight="bold")
    for tick in ticks:
        svg.add("line", x1=left, x2=width - right, y1=y_of(tick), y2=y_of(tick), stroke=GRID,
                stroke_width=0.6)
        svg.text(left - 4, y_of(tick) + 3 * k, fmt(tick), anchor="end")
    steps = []
    for month, value in enumerate(effort, start=1):
        steps += [(x_of(month), y_of(value)), (x_of(month + 1), y_of(value))]
    if steps:
        area = [(steps[0][0], y_of(0)), *steps, (steps[-1][0], y_of(0))]
        svg.add("polygon", points=" ".join(f"{x:.2f},{y:.2f}" for x, y in area),
                fill="#cfe3e0")
        svg.add("polyline", points=" ".join(f"{x:.2f},{y:.2f}" for x, y in steps), fill="none",
                stroke=COLOURS[1], stroke_width=1.4)
    axis_y = top + plot_h
    svg.add("line", x1=left, x2=width - right, y1=axis_y, y2=axis_y, stroke=INK, stroke_width=0.8)
    for month in range(1, months + 1):
        if month == 1 or month % 6 == 0:
            svg.add("line", x1=x_of(month) + col / 2, x2=x_of(month) + col / 2, y1=axis_y,
                    y2=axis_y + 3, stroke=INK, stroke_width=0.6)
            svg.text(x_of(month) + col / 2, axis_y + 12 * k, labels.month.format(month=month),
                     anchor="middle")
    if labels.axis:
        svg.text(left + (width - right - left) / 2, axis_y + 24 * k, labels.axis,
                 anchor="middle")
    legend_y = height - 6
    svg.add("polygon", points=f"{left + 4:.2f},{legend_y - 8.5:.2f} {left + 8.5:.2f},"
            f"{legend_y - 4:.2f} {left + 4:.2f},{legend_y + 0.5:.2f} {left - 0.5:.2f},"
            f"{legend_y - 4:.2f}", fill=COLOURS[2], stroke=INK, stroke_width=0.5)
    svg.text(left + 13, legend_y - 1, labels.milestone)
    middle = left + (width - left) / 2
    svg.add("polygon", points=f"{middle:.2f},{legend_y:.2f} {middle + 7:.2f},{legend_y:.2f} "
            f"{middle + 3.5:.2f},{legend_y - 7:.2f}", fill=COLOURS[3], stroke=INK,
            stroke_width=0.5)
    svg.text(middle + 11, legend_y - 1, labels.deliverable)
    return svg.markup()


def _milestones(svg: Svg, row: GanttRow, y: float, row_h: float,
                x_of: Callable[[int], float], col: float, limit: float,
                label_pt: float) -> None:
    """A row's milestone diamonds with their ids: marks too close for a label each
    share one (`MS3, MS4`), written right of the group, or left of it, or in the
    nearest free room further left; never over another label."""
    size, cy = label_pt, y + row_h / 2  # never below the label size, the call's least
    marks = sorted(zip(row.milestones, row.milestone_ids or ("",) * len(row.milestones),
                       strict=True))
    groups: list[list[tuple[float, str]]] = []
    for month, ident in marks:
        cx = x_of(month) + col / 2
        svg.add("polygon", points=f"{cx:.2f},{cy - 4.5:.2f} {cx + 4.5:.2f},{cy:.2f} "
                f"{cx:.2f},{cy + 4.5:.2f} {cx - 4.5:.2f},{cy:.2f}", fill=COLOURS[2],
                stroke=INK, stroke_width=0.5)
        if groups and cx - groups[-1][-1][0] < text_width(groups[-1][-1][1], size, True) + 12:
            groups[-1].append((cx, ident))
        else:
            groups.append([(cx, ident)])
    # Spans a label must leave free: the deliverable marks, then the labels written.
    taken = [(x_of(month) + col / 2 - 4, x_of(month) + col / 2 + 4) for month in row.deliverables]
    first_x = x_of(1)
    for i, group in enumerate(groups):
        label = ", ".join(ident for _, ident in group if ident)
        if not label:
            continue
        w = text_width(label, size, True)
        following = groups[i + 1][0][0] - 5 if i + 1 < len(groups) else limit
        candidates = [group[-1][0] + 6] if group[-1][0] + 6 + w <= min(following, limit) else []
        candidates += [group[0][0] - 6 - w - shift for shift in range(0, int(limit), 4)]
        start = next((x for x in candidates if x >= first_x and not any(
            a < x + w + 1 and x - 1 < b for a, b in taken)), None)
        if start is None:
            continue  # no room in the row at all: the milestone table names it
        taken.append((start, start + w))
        svg.add("rect", x=start - 0.8, y=cy - size * 0.75, width=w + 1.6, height=size * 1.05,
                fill="#ffffff", fill_opacity=0.85)
        svg.text(start, cy + size * 0.3, label, size=size, weight="bold", fill=COLOURS[2])


# --------------------------------------------------------------------- share bars


@dataclass(frozen=True)
class Bar:
    """One horizontal bar: a label, its share (0..1) and the formatted value."""

    label: str
    """Label left of the bar."""
    share: float
    """Length of the bar, as a share of the whole."""
    value: str
    """Formatted value written right of the bar."""


def share_bars(bars: Sequence[Bar], title: str, fmt: Callable[[float], str], *,
               width: float = WIDTH_PT, label_pt: float = LABEL_PT, axis: str = "") -> Markup:
    """Horizontal bars of shares (financing sources, energy mix), with a share axis
    titled `axis`; each value is written right of its bar on a white ground, so a
    gridline never runs through it, and the scale leaves room for the longest one."""
    k = label_pt / LABEL_PT  # spacings that hold a line of labels grow with the labels
    row_h, top = 18.0 * k, 6.0
    left = min(width * 0.42, 10 + max((text_width(bar.label, label_pt) for bar in bars),
                                      default=0))
    value_w = 8 + max((text_width(bar.value, label_pt, True) for bar in bars), default=0)
    plot_w = width - left - value_w - 4
    height = top + row_h * len(bars) + (34 if axis else 22) * k
    ticks = nice_ticks(max((bar.share for bar in bars), default=0), 4)
    x_of = lambda v: left + plot_w * v / ticks[-1]  # noqa: E731
    svg = Svg(width, height, title, label_pt)
    bottom = top + row_h * len(bars)
    for tick in ticks:
        svg.add("line", x1=x_of(tick), x2=x_of(tick), y1=top, y2=bottom, stroke=GRID,
                stroke_width=0.6)
        svg.text(x_of(tick), bottom + 12 * k, fmt(tick), anchor="middle")
    for i, bar in enumerate(bars):
        y = top + row_h * i
        svg.text(left - 6, y + row_h / 2 + 3 * k, fit_text(bar.label, label_pt, left - 10),
                 anchor="end")
        svg.add("rect", x=left, y=y + 3.5 * k, width=max(x_of(bar.share) - left, 0.5),
                height=row_h - 7 * k, fill=COLOURS[i % len(COLOURS)])
        value_x = x_of(bar.share) + 4
        svg.add("rect", x=value_x - 2, y=y + row_h / 2 - 5 * k, width=value_w - 4,
                height=10 * k, fill="#ffffff")
        svg.text(value_x, y + row_h / 2 + 3 * k, bar.value, weight="bold")
    svg.add("line", x1=left, x2=left, y1=top, y2=bottom, stroke=INK, stroke_width=0.8)
    if axis:
        svg.text(left + plot_w / 2, bottom + 25 * k, fit_text(axis, label_pt, plot_w),
                 anchor="middle")
    return svg.markup()
