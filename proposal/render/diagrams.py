"""SVG diagrams of the PDF drawn from the data: the governance bodies and who reports to
whom, and the funding of the bid year by year.

Like `charts`, each diagram is an inline `<svg>` in points whose type sizes are the
printed sizes; the callers hand translated, formatted labels, and this module only
places boxes, arrows and bars. Labels are wrapped to the width of their box by the
advance widths of the chart font (`charts.text_width`); every box grows taller to hold
its lines, and the drawing taller to hold its boxes, never wider than the width it is
given, so nothing is drawn outside the viewBox and nothing is scaled down.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from .charts import COLOURS, GRID, INK, LABEL_PT, WIDTH_PT, Svg, nice_ticks, text_width

MIN_BOX_EMS = 12.0
"""Least width of a governance box, in label sizes: about a dozen letters a line."""


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """The text in lines no wider than `width` points, broken at spaces (never at
    no-break spaces); a word wider than the line is cut where it must be."""
    lines: list[str] = []
    line = ""
    for word in re.split(r"[ \t\n]+", text.strip(" \t\n")):
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, size, bold) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while text_width(word, size, bold) > width and len(word) > 1:
            cut = max(1, next(i for i in range(len(word), 0, -1)
                              if text_width(word[:i], size, bold) <= width or i == 1))
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines or [""]


# --------------------------------------------------------------------- governance


@dataclass(frozen=True)
class Body:
    """A governance body as the diagram shows it, its texts translated and formatted."""

    id: str
    """Body id, which `reports_to` refers to."""
    name: str
    """Name, in bold at the top of the box."""
    lines: tuple[str, ...]
    """Further lines under the name: chair, members, meetings."""
    reports_to: str | None
    """Id of the body it reports to (an arrow from this box to that one)."""


def governance_diagram(bodies: Sequence[Body], title: str, *, width: float = WIDTH_PT,
                       label_pt: float = LABEL_PT) -> Markup:
    """Boxes of the governance bodies in tiers, each under the body it reports to, with
    an arrow from each body to the one it reports to.

    The top tier holds the bodies that report to none (or to a body the list lacks); each
    further tier the bodies reporting to the tier above. A loop of bodies, which
    validation refuses, is drawn in the last tier without arrows between its members.
    """
    tiers = _tiers(bodies)
    gap_x, gap_y, pad = 12.0, 30.0, 6.0
    name_pt, line_h = label_pt, label_pt * 1.3  # one size: the call sets the least
    # A tier with more bodies than fit side by side at a readable box width goes on
    # several rows of the same columns: the drawing never grows wider than `width`, so
    # WeasyPrint never scales it (and its labels) down.
    columns = max(1, int((width + gap_x) // (label_pt * MIN_BOX_EMS + gap_x)))
    widest = min(max((len(tier) for tier in tiers), default=1), columns)
    # Rows after a tier's first send their arrows up the gap left of each box, so the
    # columns then keep a gap's margin on either side, the first one's lane included.
    margin = gap_x if any(len(tier) > columns for tier in tiers) else 0.0
    box_w = (width - 2 * margin - gap_x * (widest - 1)) / widest
    inner = box_w - 2 * pad
    boxes: dict[str, tuple[float, float, float]] = {}  # id -> x, y, height
    lanes: dict[str, tuple[float, float]] = {}  # id -> lane x, tier top (rows after a first)
    texts: list[tuple[float, float, str, bool]] = []
    y = 2.0
    for tier in tiers:
        tier_top = y
        rows = [tier[i:i + columns] for i in range(0, len(tier), columns)]
        for number, row in enumerate(rows):
            wrapped = {b.id: (wrap(b.name, inner, name_pt, True),
                              [part for line in b.lines for part in wrap(line, inner, label_pt)])
                       for b in row}
            height = max(pad * 2 + len(n) * name_pt * 1.25 + len(rest) * line_h
                         for n, rest in wrapped.values())
            row_w = len(row) * box_w + (len(row) - 1) * gap_x
            x = (width - row_w) / 2 if len(rows) == 1 else margin
            for body in row:
                boxes[body.id] = (x, y, height)
                if number:  # its arrow climbs the gap left of the boxes above it
                    lanes[body.id] = (x - gap_x / 2, tier_top)
                names, rest = wrapped[body.id]
                baseline = y + pad + name_pt
                for line in names:
                    texts.append((x + pad, baseline, line, True))
                    baseline += name_pt * 1.25
                for line in rest:
                    texts.append((x + pad, baseline, line, False))
                    baseline += line_h
                x += box_w + gap_x
            y += height + gap_y
    height = y - gap_y + 2.0
    svg = Svg(width, height, title, label_pt)
    for body in bodies:
        x, top, h = boxes[body.id]
        svg.add("rect", x=x, y=top, width=box_w, height=h, rx=3, fill="#eef3f8",
                stroke=COLOURS[0], stroke_width=0.9, class_="body")
    for body in bodies:
        parent = boxes.get(body.reports_to) if body.reports_to else None
        child = boxes[body.id]
        if parent is None or parent[1] >= child[1]:
            continue
        x1, x2, bottom = child[0] + box_w / 2, parent[0] + box_w / 2, parent[1] + parent[2]
        if body.id in lanes:
            lane, tier_top = lanes[body.id]
            middle = (tier_top + bottom) / 2
            points = [(x1, child[1]), (x1, child[1] - gap_y / 2), (lane, child[1] - gap_y / 2),
                      (lane, middle), (x2, middle)]
        else:
            middle = (child[1] + bottom) / 2
            points = [(x1, child[1]), (x1, middle), (x2, middle)]
        _arrow(svg, points, bottom)
    for x, baseline, line, bold in texts:
        svg.text(x, baseline, line, size=name_pt if bold else label_pt,
                 weight="bold" if bold else None, fill=COLOURS[0] if bold else INK)
    return svg.markup()


def _tiers(bodies: Sequence[Body]) -> list[list[Body]]:
    """The bodies by depth under the top ones, each tier in the order of its parents."""
    known = {b.id for b in bodies}
    placed: set[str] = set()
    tier = [b for b in bodies if b.reports_to is None or b.reports_to not in known]
    tiers = []
    while tier:
        tiers.append(tier)
        placed |= {b.id for b in tier}
        order = {b.id: i for i, b in enumerate(tier)}
        tier = sorted((b for b in bodies if b.id not in placed and b.reports_to in order),
                      key=lambda b: order[b.reports_to])
    if rest := [b for b in bodies if b.id not in placed]:
        tiers.append(rest)  # a loop: no top body above them
    return tiers


def _arrow(svg: Svg, points: Sequence[tuple[float, float]], end_y: float) -> None:
    """An arrow through `points`, then straight up to `end_y` above the last one, with its
    head there."""
    head = 5.0
    x2 = points[-1][0]
    d = " ".join(f"{'M' if i == 0 else 'L'}{x:.2f},{y:.2f}" for i, (x, y) in enumerate(points))
    svg.add("path", d=f"{d} L{x2:.2f},{end_y + head:.2f}", fill="none", stroke=INK,
            stroke_width=0.9, class_="arrow")
    svg.add("path", d=f"M{x2:.2f},{end_y:.2f} L{x2 - 3:.2f},{end_y + head:.2f} "
                      f"L{x2 + 3:.2f},{end_y + head:.2f} Z", fill=INK, class_="arrow-head")


# -------------------------------------------------------------------- funding


@dataclass(frozen=True)
class FundingSeries:
    """One source group of the funding per year: its label and amounts, one per year."""

    label: str
    """Legend text, translated."""
    values: tuple[float, ...]
    """Amount of each year, in the unit the axis title names."""


def funding_chart(years: Sequence[str], series: Sequence[FundingSeries], title: str,
                  axis_title: str, fmt: Callable[[float], str], *, width: float = WIDTH_PT,
                  label_pt: float = LABEL_PT) -> Markup:
    """Stacked bars of the funding of each year by source group, with the axis titled
    with its unit and a legend under the years."""
    k = label_pt / LABEL_PT
    totals = [sum(s.values[i] for s in series) for i in range(len(years))]
    ticks = nice_ticks(max(totals, default=0))
    labels_w = max((text_width(fmt(t), label_pt) for t in ticks), default=0)
    # The axis title stands level above the axis: rotated text reads badly and its
    # letters are drawn one by one.
    left, right, top = labels_w + 8, 6.0, label_pt * 2.6
    legend_rows = _legend_rows([s.label for s in series], width - left, label_pt)
    bottom = 16 * k + len(legend_rows) * 13 * k + 4
    plot_h = 150.0
    height = top + plot_h + bottom
    plot_w = width - left - right
    svg = Svg(width, height, title, label_pt)
    svg.text(0, label_pt * 1.2, axis_title)  # first: a reader reads it before the ticks
    y_of = lambda v: top + plot_h * (1 - v / ticks[-1])  # noqa: E731
    for tick in ticks:
        svg.add("line", x1=left, x2=left + plot_w, y1=y_of(tick), y2=y_of(tick), stroke=GRID,
                stroke_width=0.6)
        svg.text(left - 4, y_of(tick) + 3 * k, fmt(tick), anchor="end")
    band = plot_w / max(len(years), 1)
    for i, year in enumerate(years):
        x, base = left + band * i + band * 0.2, 0.0
        for n, s in enumerate(series):
            value = s.values[i]
            if value > 0:
                svg.add("rect", x=x, y=y_of(base + value), width=band * 0.6,
                        height=y_of(base) - y_of(base + value), fill=COLOURS[n % len(COLOURS)])
            base += value
        svg.text(left + band * (i + 0.5), top + plot_h + 12 * k, year, anchor="middle")
    svg.add("line", x1=left, x2=left + plot_w, y1=top + plot_h, y2=top + plot_h, stroke=INK,
            stroke_width=0.8)
    y = top + plot_h + 16 * k + 10 * k
    n = 0
    for row in legend_rows:
        x = left
        for label in row:
            svg.add("rect", x=x, y=y - 8, width=9, height=8, fill=COLOURS[n % len(COLOURS)])
            svg.text(x + 13, y, label)
            x += 13 + text_width(label, label_pt) + 14
            n += 1
        y += 13 * k
    return svg.markup()


def _legend_rows(labels: Sequence[str], width: float, size: float) -> list[list[str]]:
    """The legend's entries in rows that fit `width`."""
    rows: list[list[str]] = [[]]
    used = 0.0
    for label in labels:
        need = 13 + text_width(label, size) + 14
        if rows[-1] and used + need > width:
            rows.append([])
            used = 0.0
        rows[-1].append(label)
        used += need
    return rows
