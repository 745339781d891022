"""The charts read at a glance: titled axes with units, named Gantt rows with a month
grid and labelled milestones, scales that fit the data, no label over another and
nothing outside the drawing (read from the SVG the PDF embeds)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest

from proposal.pipeline import check
from proposal.render.charts import (
    Bar,
    GanttLabels,
    GanttRow,
    RampUpLabels,
    fit_text,
    gantt_chart,
    nice_ticks,
    ramp_up_chart,
    share_bars,
    text_width,
)
from proposal.render.pdf import render_html

from .conftest import EXAMPLE

LANGS = ("en", "fr")
SVG = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class Box:
    """An element's extent in the SVG's units."""

    left: float
    top: float
    right: float
    bottom: float
    text: str = ""

    def overlaps(self, other: Box) -> bool:
        """True when the two boxes share more than a hair of area."""
        return (min(self.right, other.right) - max(self.left, other.left) > 0.5
                and min(self.bottom, other.bottom) - max(self.top, other.top) > 0.5)


@dataclass(frozen=True)
class Chart:
    """One parsed chart."""

    title: str
    width: float
    height: float
    texts: list[Box]
    shapes: list[Box]

    def words(self) -> list[str]:
        """Every text of the chart."""
        return [box.text for box in self.texts]


def _floats(text: str) -> list[float]:
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", text)]


def _text_box(node: ET.Element) -> Box:
    x, y = float(node.get("x")), float(node.get("y"))
    size = float(node.get("font-size"))
    label = node.text or ""
    width = text_width(label, size, node.get("font-weight") == "bold")
    start = {"start": x, "middle": x - width / 2, "end": x - width}[node.get("text-anchor")]
    if node.get("transform"):  # rotate(-90 x y): the line runs upwards from (x, y)
        assert _floats(node.get("transform"))[0] == -90
        offset = start - x
        return Box(x - 0.8 * size, y - offset - width, x + 0.25 * size, y - offset, label)
    return Box(start, y - 0.8 * size, start + width, y + 0.25 * size, label)


def _shape_box(node: ET.Element) -> Box | None:
    tag = node.tag.removeprefix(SVG)
    if tag == "rect":
        x, y = float(node.get("x")), float(node.get("y"))
        return Box(x, y, x + float(node.get("width")), y + float(node.get("height")))
    if tag == "line":
        xs = [float(node.get("x1")), float(node.get("x2"))]
        ys = [float(node.get("y1")), float(node.get("y2"))]
        return Box(min(xs), min(ys), max(xs), max(ys))
    if tag in ("polygon", "polyline"):
        values = _floats(node.get("points"))
        return Box(min(values[::2]), min(values[1::2]), max(values[::2]), max(values[1::2]))
    if tag == "circle":
        cx, cy, r = (float(node.get(name)) for name in ("cx", "cy", "r"))
        return Box(cx - r, cy - r, cx + r, cy + r)
    return None


def parse(svg: str) -> Chart:
    """The chart's title, size, texts and shapes."""
    root = ET.fromstring(svg)
    _, _, width, height = (float(v) for v in root.get("viewBox").split())
    texts = [_text_box(node) for node in root.iter(f"{SVG}text")]
    shapes = [box for node in root.iter() if (box := _shape_box(node)) is not None]
    return Chart(root.find(f"{SVG}title").text, width, height, texts, shapes)


def assert_readable(chart: Chart) -> None:
    """Nothing crosses the drawing's edges and no label covers another."""
    for box in [*chart.texts, *chart.shapes]:
        assert box.left >= -0.01 and box.top >= -0.01, (chart.title, box)
        assert box.right <= chart.width + 0.01 and box.bottom <= chart.height + 0.01, (
            chart.title, box)
    for i, first in enumerate(chart.texts):
        for second in chart.texts[i + 1:]:
            assert not first.overlaps(second), (chart.title, first, second)


# ------------------------------------------------------------ the example's charts


@pytest.fixture(scope="module")
def example_charts() -> dict[str, dict[str, Chart]]:
    """The example's charts per language, by title."""
    checked = check(EXAMPLE)
    charts = {}
    for lang in LANGS:
        html = render_html(checked.project, checked.figures, lang, EXAMPLE)
        parsed = [parse(svg) for svg in re.findall(r"<svg\b.*?</svg>", html, re.S)]
        charts[lang] = {chart.title: chart for chart in parsed}
    return charts


TITLES = {
    "en": ("Ramp-up of the installed capacity", "Gantt chart of the work plan",
           "Financing sources as shares of the total cost"),
    "fr": ("Montée en puissance de la capacité installée", "Diagramme de Gantt du plan de travail",
           "Sources de financement en part du coût total"),
}


@pytest.mark.parametrize("lang", LANGS)
def test_every_chart_is_readable(example_charts, lang):
    assert set(TITLES[lang]) <= set(example_charts[lang])
    for chart in example_charts[lang].values():
        assert_readable(chart)


@pytest.mark.parametrize(("lang", "left", "right"), [
    ("en", "IT power (MW)", "H100 equivalents (units)"),
    ("fr", "Puissance informatique (MW)", "Équivalents H100 (unités)"),
])
def test_ramp_up_axes_have_titles_with_units(example_charts, lang, left, right):
    chart = example_charts[lang][TITLES[lang][0]]
    titles = {box.text: box for box in chart.texts}
    assert left in titles and right in titles
    # The left title stands left of the plot, the right one right of it.
    assert titles[left].right < chart.width / 4 < 3 * chart.width / 4 < titles[right].left


@pytest.mark.parametrize("lang", LANGS)
def test_gantt_names_tasks_and_labels_milestones(example_charts, lang):
    checked = check(EXAMPLE)
    chart = example_charts[lang][TITLES[lang][1]]
    words = chart.words()
    for wp in checked.project.workplan.work_packages:
        assert wp.id in words
        for task in wp.tasks:
            assert task.id in words
            title = getattr(task.title, lang)
            index = words.index(task.id)
            # The row's title follows its id, whole or cut with an ellipsis.
            name = words[index + 1]
            assert title.startswith(name.removesuffix("\u2026")) and len(name) >= 8, name
    milestones = set(checked.figures.milestones["milestone"])
    labelled = set(re.findall(r"MS\d+", " ".join(words)))
    assert milestones and milestones == labelled
    month = {"en": "M{}", "fr": "M{}"}[lang]
    assert {month.format(m) for m in (1, 7, 13, 25, 49)} <= set(words)
    assert {"en": "Project month", "fr": "Mois du projet"}[lang] in words


def test_gantt_has_a_quarter_grid(example_charts):
    chart = example_charts["en"][TITLES["en"][1]]
    months = len(check(EXAMPLE).figures.effort_by_month)
    verticals = [box for box in chart.shapes
                 if box.left == box.right and box.bottom - box.top > chart.height / 3]
    assert len(verticals) == months // 3 + 1  # a line at every quarter's start, and the end


@pytest.mark.parametrize("lang", LANGS)
def test_financing_axis_is_titled_and_fits_the_data(example_charts, lang):
    chart = example_charts[lang][TITLES[lang][2]]
    axis = {"en": "Share of the total cost (%)", "fr": "Part du coût total (%)"}[lang]
    assert axis in chart.words()


# ------------------------------------------------------------- synthetic charts


def test_scales_end_at_the_first_round_value_above_the_data():
    for top in (0.17, 0.4, 0.41, 3.2, 290_000, 1e9):
        ticks = nice_ticks(top)
        assert ticks[-1] >= top and ticks[-2] < top
        assert ticks[-1] < top * 2


def test_a_long_label_is_cut_to_its_room():
    long = "Construction and fit-out of the data halls at every site of the consortium"
    cut = fit_text(long, 8.5, 100)
    assert cut.endswith("\u2026") and long.startswith(cut[:-1])
    assert text_width(cut, 8.5) <= 100
    assert fit_text("Short", 8.5, 100) == "Short"
    assert long[len(cut) - 1] == " "  # whole words, no fragment that reads as another
    assert fit_text("Supercalifragilistic", 8.5, 40).endswith("\u2026")


def test_crowded_milestones_never_cover_each_other():
    rows = [GanttRow("WP1", 1, 24, True, (6, 7, 8, 9, 23, 24), (),
                     name="A work package with a rather long title indeed",
                     milestone_ids=("MS10", "MS11", "MS12", "MS13", "MS14", "MS15")),
            GanttRow("T1.1", 1, 24, False, name="Task")]
    labels = GanttLabels("Gantt", "Effort", "Milestone", "Deliverable", "M{month}", "Month")
    chart = parse(str(gantt_chart(rows, 24, [(1, "2027"), (13, "2028")], [5.0] * 24, labels,
                                  str, width=400)))
    assert_readable(chart)
    labelled = " ".join(chart.words())
    assert all(f"MS{n}" in labelled for n in range(10, 16)), labelled


def test_share_bars_with_long_labels_and_a_full_bar_stay_inside():
    bars = [Bar("A financing source whose name is far too long to fit", 1.0, "100.0%"),
            Bar("EU", 0.003, "0.3%")]
    chart = parse(str(share_bars(bars, "Shares", lambda v: f"{v:.0%}", axis="Share (%)")))
    assert_readable(chart)
    assert "Share (%)" in chart.words()


def test_ramp_up_with_large_numbers_keeps_its_titles_inside():
    labels = RampUpLabels("Ramp", "Power", "Units", "IT power (MW)", "Units installed")
    chart = parse(str(ramp_up_chart(["2027", "2028"], [1200.0, 2500.0],
                                    [1_500_000.0, 3_000_000.0], labels, lambda v: f"{v:,.0f}")))
    assert_readable(chart)
    assert {"IT power (MW)", "Units installed"} <= set(chart.words())
