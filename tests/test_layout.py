"""Page layout: full pages, tables that break cleanly, nothing past the margins.

The measure (`bench/layout.py`) reads WeasyPrint's layout boxes. It is proven on small
synthetic documents that hold each fault on purpose, then run on both editions of the
example, rendered once per module.
"""

from __future__ import annotations

import pytest
from weasyprint import HTML

from bench.layout import MIN_FILL, Layout, measure, measure_editions
from proposal.models import proper_names
from proposal.pipeline import check
from proposal.render.pdf import Edition
from proposal.render.pdf.edition import LONGEST_NAME

from .conftest import EXAMPLE

PAGE = ("@page { size: 100mm 100mm; margin: 10mm } body { margin: 0; font-size: 10pt }"
        "h1, p { font-size: 10pt; margin: 0 }")
"""A small page: 80 mm by 80 mm of text block."""
ROWS = "".join(f"<tr style='height: 10mm; break-inside: avoid'><td>row {i}</td></tr>"
               for i in range(8))
"""Eight body rows of 10 mm each."""


def measured(body: str, style: str = "") -> Layout:
    """The measure of a tiny document."""
    return measure(HTML(string=f"<style>{PAGE}{style}</style><body>{body}</body>").render())


def test_the_measure_finds_a_table_past_the_right_margin() -> None:
    layout = measured("<table><tr><td style='white-space: nowrap'>"
                      + "wide " * 40 + "</td></tr></table>")
    assert {(o.page, o.side) for o in layout.overflows} == {(1, "right")}
    assert layout.overflows[0].what.startswith("table")
    assert layout.overflows[0].mm > 50


def test_the_measure_finds_a_lone_row_at_a_page_break() -> None:
    layout = measured(f"<div style='height: 65mm'>text</div><table>{ROWS}</table>")
    assert [(s.pages, s.rows) for s in layout.splits] == [((1, 2), (1, 7))]
    assert layout.lone_rows == list(layout.splits)


def test_the_measure_accepts_two_rows_either_side() -> None:
    layout = measured(f"<div style='height: 55mm'>text</div><table>{ROWS}</table>")
    assert [(s.pages, s.rows) for s in layout.splits] == [((1, 2), (2, 6))]
    assert layout.lone_rows == []


def test_the_measure_finds_an_under_filled_page_that_is_not_a_chapter_end() -> None:
    body = ("<h1 id='sec-one'>One</h1><p>a few words</p>"
            "<p style='break-before: page'>more text</p>"
            "<div style='break-before: page; height: 70mm; border-bottom: 1pt solid'>"
            "a full page</div>")
    layout = measured(body)
    assert [round(p.fill, 1) for p in layout.pages] == [0.1, 0.1, 0.9]
    assert [p.number for p in layout.underfilled] == [1, 2]


def test_a_short_chapter_end_is_not_a_fault() -> None:
    body = ("<h1 id='sec-one'>One</h1><p>a few words</p>"
            "<h1 id='sec-two' style='break-before: page'>Two</h1><p>a few words</p>")
    layout = measured(body)
    assert [p.chapter_end for p in layout.pages] == [True, True]
    assert [p.fill < MIN_FILL for p in layout.pages] == [True, True]
    assert layout.underfilled == []


def test_the_measure_finds_hyphenated_words_and_proper_names_are_not() -> None:
    checked = check(EXAMPLE)
    edition = Edition(checked.project, checked.figures, "en", EXAMPLE)
    text = " ".join(["The consortium of Scaleway and Orange"] * 6)
    style = "p { width: 21mm; hyphens: auto; text-align: justify } .name { hyphens: none }"
    plain = measured(f"<p lang='en'>{text}</p>", style).hyphenated
    named = measured(f"<p lang='en'>{edition.named(text)}</p>", style).hyphenated
    assert {"Scaleway", "Orange"} & set(plain)
    assert named and not {"Scaleway", "Orange"} & set(named)


@pytest.fixture(scope="module")
def example() -> dict[str, Layout]:
    """Both editions of the example, measured."""
    return measure_editions(EXAMPLE)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_no_table_or_cell_crosses_a_margin(example, lang) -> None:
    assert [(o.page, o.side, o.what) for o in example[lang].overflows] == []


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_no_page_break_leaves_a_lone_table_row(example, lang) -> None:
    assert [(s.pages, s.rows, s.caption) for s in example[lang].lone_rows] == []


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_no_proper_name_is_hyphenated(example, lang) -> None:
    names = {word for name in proper_names(check(EXAMPLE).project) if len(name) <= LONGEST_NAME
             for word in name.split()}  # longer ones are titles kept as written
    assert example[lang].hyphenated  # hyphenation is on in running text
    assert [word for word in example[lang].hyphenated if word in names] == []


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_only_chapter_ends_are_under_filled(example, lang) -> None:
    assert [(p.number, round(p.fill, 2), p.first_text)
            for p in example[lang].underfilled] == []


def test_the_shipped_fonts_have_tabular_figures_and_french_characters() -> None:
    # The stylesheet asks for `tabular-nums` in tables; every face must have the feature.
    from fontTools.ttLib import TTFont

    from proposal.render.pdf import TEMPLATES

    fonts = sorted((TEMPLATES / "fonts").glob("*.otf"))
    assert len(fonts) == 6
    for path in fonts:
        font = TTFont(path)
        features = {record.FeatureTag for record in font["GSUB"].table.FeatureList.FeatureRecord}
        assert "tnum" in features, path.name
        cmap = font.getBestCmap()
        assert [c for c in "éèàçœŒ«»\u202f\u00a0\u2212€–’≤≥★●" if ord(c) not in cmap] == [], \
            path.name
