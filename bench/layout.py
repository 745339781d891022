#!/usr/bin/env python3
"""Layout measure: how full each page of an edition is, and what a typographer would flag.

    .venv/bin/python bench/layout.py                  # the example (data/, partners/), en and fr
    .venv/bin/python bench/layout.py --input DIR --lang en

Per edition it prints the page count, each page's fill (the height from the top of the
text block to the lowest line, row, image or rule, over the text block's height), the
pages under 40 % that are not chapter ends, the tables split across pages with fewer
than two body rows on one side of the break, and every box that crosses the page
margins. It reads WeasyPrint's own layout boxes (`Document.pages[i]._page_box`), so the
figures are exact: the edition is rendered in-process as the builder renders it.

A page is a chapter end when the next page opens a chapter or annex (a numbered `h1`)
or when it is the last page; the cover and the front matter before the first numbered
chapter are not chapter ends (the contents spilling a few lines onto a page is a fault).
`measure(document)` is the importable part; the tests run it on the example and on small
synthetic documents.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MIN_FILL = 0.40
"""Below this fill a page that is not a chapter end is a fault."""
MIN_ROWS = 2
"""Fewest body rows a split table may leave on either side of a page break."""
TOLERANCE_PT = 0.5
"""How far a box may pass a margin before it counts (rounding of the layout)."""
MM = 72 / 25.4
HYPHEN = "\u2010"
"""The hyphen WeasyPrint sets where it hyphenates a word at a line end."""


@dataclass(frozen=True)
class PageFill:
    """One page: its number, fill and kind."""

    number: int
    """1-based page number."""
    fill: float
    """Content height over the text block's height, 0 to 1."""
    chapter_end: bool
    """True when the next page opens a numbered chapter or annex, or this is the last page."""
    cover: bool
    """True for the cover page (a page of its own design)."""
    landscape: bool
    """True for a landscape page."""
    first_text: str
    """The first words on the page, to find it."""


@dataclass(frozen=True)
class SplitTable:
    """A table broken across a page break."""

    caption: str
    """The table's caption (or its first header cell)."""
    pages: tuple[int, int]
    """The pages before and after the break."""
    rows: tuple[int, int]
    """Body rows before and after the break."""

    @property
    def lone(self) -> bool:
        """True when fewer than `MIN_ROWS` body rows stand on one side of the break."""
        return min(self.rows) < MIN_ROWS


@dataclass(frozen=True)
class Overflow:
    """A box crossing the page margins."""

    page: int
    """1-based page number."""
    what: str
    """The table (by caption) or the text that crosses."""
    side: str
    """`left`, `right` or `bottom`."""
    mm: float
    """How far past the margin, in millimetres."""


@dataclass(frozen=True)
class Layout:
    """What the measure found in one rendered edition."""

    pages: tuple[PageFill, ...]
    """Every page, in order."""
    splits: tuple[SplitTable, ...]
    """Every page break inside a table."""
    overflows: tuple[Overflow, ...]
    """Every box crossing a margin, the worst per page and table or text."""
    hyphenated: tuple[str, ...] = ()
    """Every word hyphenated at a line end, whole (`Scaleway` for `Scale-`/`way`)."""

    @property
    def underfilled(self) -> list[PageFill]:
        """Pages under `MIN_FILL` that are neither chapter ends nor the cover."""
        return [p for p in self.pages if p.fill < MIN_FILL and not p.chapter_end and not p.cover]

    @property
    def lone_rows(self) -> list[SplitTable]:
        """Splits that leave fewer than `MIN_ROWS` body rows on one side."""
        return [s for s in self.splits if s.lone]

    @property
    def mean_fill(self) -> float:
        """Average fill of the pages."""
        return sum(p.fill for p in self.pages) / len(self.pages)

    def report(self, label: str) -> str:
        """The figures as printed by the command line."""
        lines = [f"{label}: {len(self.pages)} pages, mean fill {self.mean_fill:.0%}, "
                 f"{len(self.underfilled)} under {MIN_FILL:.0%} not at a chapter end, "
                 f"{len(self.splits)} split tables ({len(self.lone_rows)} with a lone row), "
                 f"{len(self.overflows)} margin crossings"]
        fills = " ".join(f"{p.number}:{p.fill:.0%}{'L' if p.landscape else ''}"
                         f"{'|' if p.chapter_end else ''}" for p in self.pages)
        lines.append(f"  fill per page (L landscape, | chapter end): {fills}")
        for page in self.underfilled:
            lines.append(f"  under-filled p{page.number} ({page.fill:.0%}): {page.first_text}")
        for split in self.splits:
            mark = "LONE ROW" if split.lone else "split"
            lines.append(f"  {mark} p{split.pages[0]}-{split.pages[1]} "
                         f"{split.rows[0]}|{split.rows[1]} rows: {split.caption[:70]}")
        if self.hyphenated:
            lines.append(f"  hyphenated words: {', '.join(self.hyphenated)}")
        for over in self.overflows:
            lines.append(f"  crosses {over.side} margin p{over.page} by {over.mm:.1f} mm: "
                         f"{over.what[:70]}")
        return "\n".join(lines)


def measure(document: Any) -> Layout:
    """Measure a rendered WeasyPrint `Document`."""
    from weasyprint.formatting_structure import boxes

    page_boxes = [page._page_box for page in document.pages]
    opens = [_opens_chapter(page_box, boxes) for page_box in page_boxes]
    numbered_seen = False
    pages, overflows = [], []
    fragments: dict[Any, list[tuple[int, int, str]]] = {}
    hyphenated, pending = [], ""
    for index, page_box in enumerate(page_boxes):
        top, height = page_box.content_box_y(), page_box.height
        left, right = page_box.content_box_x(), page_box.content_box_x() + page_box.width
        bottom, first_text, worst = top, "", {}
        for box, ancestors in _content(page_box, boxes):
            if isinstance(box, boxes.TableBox):
                rows = sum(len(group.children) for group in box.children
                           if not (group.is_header or group.is_footer))
                fragments.setdefault(box.element, []).append(
                    (index + 1, rows, _caption(box.element)))
            if isinstance(box, boxes.BlockBox) and _element_id(box).startswith("sec-") \
                    and box.element_tag == "h1":
                numbered_seen = True
            if isinstance(box, boxes.LineBox):
                words = "".join(t.text for t in box.descendants()
                                if isinstance(t, boxes.TextBox)).split()
                if words and pending:
                    hyphenated.append(pending + words[0])
                    pending = ""
                if words and words[-1].endswith(HYPHEN):
                    pending = words[-1].rstrip(HYPHEN)
            if not _drawn(box, boxes):
                continue
            x, y = box.border_box_x(), box.border_box_y()
            box_bottom = y + box.border_height()
            bottom = max(bottom, box_bottom)
            if not first_text and isinstance(box, boxes.TextBox) and box.text.strip():
                first_text = box.text.strip()
            if not isinstance(box, boxes.TextBox | boxes.ReplacedBox | boxes.TableCellBox
                              | boxes.TableBox):
                continue
            what = _what(box, ancestors, boxes)
            for side, past in (("left", left - x), ("right", x + box.border_width() - right),
                               ("bottom", box_bottom - (top + height))):
                if past > TOLERANCE_PT and past > worst.get((what, side), 0):
                    worst[what, side] = past
        last = index == len(page_boxes) - 1
        pages.append(PageFill(
            number=index + 1, fill=min(1.0, max(0.0, (bottom - top) / height)),
            chapter_end=last or (numbered_seen and opens[index + 1]),
            cover=page_box.page_type.name == "cover",
            landscape=page_box.width > page_box.height, first_text=first_text[:60]))
        overflows.extend(Overflow(index + 1, what, side, past / MM)
                         for (what, side), past in worst.items())
    splits = [SplitTable(parts[0][2], (a[0], b[0]), (a[1], b[1]))
              for parts in fragments.values() for a, b in pairwise(parts)]
    return Layout(tuple(pages), tuple(splits), tuple(overflows), tuple(hyphenated))


def _content(page_box: Any, boxes: Any) -> Iterator[tuple[Any, tuple[Any, ...]]]:
    """Every box of the page's flow (not the margin boxes), with its ancestors."""
    stack = [(child, ()) for child in reversed(page_box.children)
             if not isinstance(child, boxes.MarginBox)]
    while stack:
        box, ancestors = stack.pop()
        yield box, ancestors
        children = getattr(box, "children", None) or ()
        stack.extend((child, (*ancestors, box)) for child in reversed(children)
                     if isinstance(child, boxes.Box))


def _drawn(box: Any, boxes: Any) -> bool:
    """True for a box that puts ink on the page: text, an image, a table row, a rule."""
    if isinstance(box, boxes.TextBox):
        return bool(box.text.strip())
    if isinstance(box, boxes.ReplacedBox | boxes.TableRowBox):
        return True
    if isinstance(box, boxes.BlockBox):
        return box.border_bottom_width > 0 or box.border_top_width > 0
    return False


def _opens_chapter(page_box: Any, boxes: Any) -> bool:
    """True when the page's first drawn box sits in a numbered chapter's `h1`."""
    for box, ancestors in _content(page_box, boxes):
        if _drawn(box, boxes):
            return any(a.element_tag == "h1" and _element_id(a).startswith("sec-")
                       for a in (*ancestors, box))
    return False


def _element_id(box: Any) -> str:
    return (box.element.get("id") or "") if box.element is not None else ""


def _caption(table: Any) -> str:
    """The text of a `<table>` element's caption, or of its first cell."""
    if table is None:
        return "?"
    caption = table.find("caption")
    source = caption if caption is not None else table
    return " ".join("".join(source.itertext()).split())


def _what(box: Any, ancestors: tuple[Any, ...], boxes: Any) -> str:
    """Name a box crossing a margin: its table's caption, else its text."""
    for ancestor in (*reversed(ancestors), box):
        if isinstance(ancestor, boxes.TableBox):
            return "table: " + _caption(ancestor.element)
    if isinstance(box, boxes.TextBox):
        return "text: " + box.text.strip()
    return f"<{box.element_tag}>"


def render_edition(input_dir: Path, lang: str) -> tuple[Any, Any]:
    """Render one edition of a project folder as the builder does; (document, PDF bytes
    are not written). Returns the WeasyPrint document and the project."""
    from weasyprint import HTML

    from proposal.compute import compute_figures
    from proposal.fetch import ProjectFetcher
    from proposal.pipeline import check
    from proposal.render.pdf import TEMPLATES, Edition, render_html

    root = input_dir.resolve()
    project = check(root).project
    if project is None:
        raise SystemExit(f"{root}: the project does not pass `check`")
    figures = compute_figures(project)
    logos = {logo.url: logo.origin for logo in Edition(project, figures, lang, root).logos}
    html = render_html(project, figures, lang, root)
    return HTML(string=html, url_fetcher=ProjectFetcher([TEMPLATES, root], logos)).render(), project


def measure_edition(input_dir: Path, lang: str) -> Layout:
    """Render and measure one edition of a project folder."""
    document, _project = render_edition(input_dir, lang)
    return measure(document)


def measure_editions(input_dir: Path, langs: tuple[str, ...] = ("en", "fr")) -> dict[str, Layout]:
    """Every edition measured, each rendered in its own process (two at a time)."""
    with ProcessPoolExecutor(max_workers=2) as pool:
        futures = {lang: pool.submit(measure_edition, input_dir, lang) for lang in langs}
        return {lang: future.result() for lang, future in futures.items()}


def main() -> None:
    """Measure the editions of a project folder and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, default=ROOT)
    parser.add_argument("--lang", nargs="*", default=["en", "fr"])
    args = parser.parse_args()
    for lang, layout in measure_editions(args.input, tuple(args.lang)).items():
        print(layout.report(lang))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
