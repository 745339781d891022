"""Input that `check` used to pass and the build then broke on or stalled over: every
case is a located error (or, for undrawable characters, a warning) of `check`, so the
build is never reached with it."""

from __future__ import annotations

import base64
import re
import struct
import zlib

import pytest

from proposal import assets, images
from proposal.pipeline import check
from proposal.problems import errors

from .conftest import REPO, SampleProject, check_in_child


def problems_of(sample: SampleProject) -> list[str]:
    """The formatted problems `check` reports; asserts the build would not start."""
    result = check(sample.path)
    assert result.ok is False
    return [str(p) for p in result.problems]


# ------------------------------------------------------ values the outputs cannot hold


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("submission_date: 2026-09-30", "submission_date: 1979-12-31",
     "data/consortium.yaml:5:18: error: `submission_date` is 1979-12-31; expected at least "
     "1980-01-01 (the workbook's ZIP format cannot stamp dates before 1980) [out-of-range]"),
    ("submission_date: 2026-09-30", "submission_date: 2108-01-01",
     "data/consortium.yaml:5:18: error: `submission_date` is 2108-01-01; expected at most "
     "2107-12-31 (the workbook's ZIP format cannot stamp dates after 2107) [out-of-range]"),
    # Month 240 of a project starting in year 9999 was past the calendar's end: a
    # traceback of `check` itself.
    ("start_date: 2027-01-01", "start_date: 9999-01-01",
     "data/consortium.yaml:6:13: error: `start_date` is 9999-01-01; expected at most "
     "2107-12-31 (the workbook's ZIP format cannot stamp dates after 2107) [out-of-range]"),
])
def test_dates_the_workbook_cannot_hold(sample: SampleProject, old, new, expected) -> None:
    sample.edit("data/consortium.yaml", old, new)
    assert problems_of(sample) == [expected]


def test_phase_and_call_dates_are_bounded_too(sample: SampleProject) -> None:
    sample.edit("data/call.yaml", "opens: 2026-06-01", "opens: 1970-01-01")
    sample.edit("data/cost_model.yaml", "end: 2027-12-31", "end: 2200-12-31")
    assert problems_of(sample) == [
        "data/call.yaml:3:8: error: `opens` is 1970-01-01; expected at least 1980-01-01 (the "
        "workbook's ZIP format cannot stamp dates before 1980) [out-of-range]",
        "data/cost_model.yaml:21:10: error: `phases[0].end` is 2200-12-31; expected at most "
        "2107-12-31 (the workbook's ZIP format cannot stamp dates after 2107) [out-of-range]",
    ]


def test_amount_too_large_to_print(sample: SampleProject) -> None:
    # 29 digits: Babel's currency formatting raised decimal.InvalidOperation mid-build.
    sample.edit("partners/alpha.yaml", "amount: 100000000", "amount: " + "1" + "0" * 28)
    assert problems_of(sample) == [
        "partners/alpha.yaml:19:15: error: `contributions.pledges[0].amount` is "
        "10000000000000000000000000000; expected at most 1,000,000,000,000,000 (EUR 10^15 is "
        "ten times the world's yearly output) [out-of-range]"
    ]


def test_figures_counts_and_effort_are_bounded(sample: SampleProject) -> None:
    sample.edit("data/cost_model.yaml", "carbon_g_per_kwh: {value: 30",
                "carbon_g_per_kwh: {value: 1.0e300")
    sample.edit("data/cost_model.yaml", "count: {value: 4000",
                "count: {value: 100000000000000000000")  # overflowed pandas' int64
    sample.edit("data/workplan.yaml", "effort: {alpha: 24,", "effort: {alpha: 1.0e20,")
    assert problems_of(sample) == [
        "data/cost_model.yaml:26:24: error: `phases[0].accelerators[0].count.value` is "
        "100000000000000000000; expected at most 1,000,000,000 (a billion units is a thousand "
        "times the largest fleets of accelerators) [out-of-range]",
        "data/cost_model.yaml:31:29: error: `energy.carbon_g_per_kwh.value` is 1e+300; "
        "expected at most 1,000,000,000,000,000 (no figure of a bid comes near 10^15 in its "
        "unit) [out-of-range]",
        "data/workplan.yaml:9:21: error: `work_packages[0].effort.alpha` is 1e+20; expected at "
        "most 1,000,000 (a million person-months is over 4,000 people for the longest "
        "project) [out-of-range]",
    ]


@pytest.mark.parametrize(("pue", "at", "field"), [
    ("0.9", "28:8", "energy.pue"),
    ("{value: 0, assumption: true, "
     "note: {en: Test value., fr: Valeur de test.}}", "28:16", "energy.pue.value"),
])
def test_pue_below_one_is_impossible(sample: SampleProject, pue: str, at: str, field) -> None:
    # A PUE of 0 printed that the facility uses 0 GWh.
    sample.edit("data/cost_model.yaml", "pue: {value: 1.2, assumption: true, "
                                        "note: {en: Test value., fr: Valeur de test.}}",
                                        f"pue: {pue}")
    shown = pue if pue == "0.9" else "0"
    assert problems_of(sample) == [
        f"data/cost_model.yaml:{at}: error: `{field}` is {shown}; expected at least 1 (a PUE "
        "below 1 is impossible: a facility draws at least the power of its IT) [out-of-range]"
    ]


def test_shares_are_fractions(sample: SampleProject) -> None:
    sample.edit("data/cost_model.yaml", "utilisation: {value: 0.8", "utilisation: {value: 80")
    assert problems_of(sample) == [
        "data/cost_model.yaml:29:24: error: `energy.utilisation.value` is 80; expected a share "
        "between 0 and 1: write 0.8 for 80 % [out-of-range]"
    ]


def test_bounds_are_in_the_schemas() -> None:
    from proposal.schema import json_schemas

    schemas = json_schemas()
    cost = schemas["cost_model.schema.json"]["$defs"]
    assert cost["PueFigure"]["properties"]["value"]["minimum"] == 1
    assert cost["Amount"]["properties"]["value"]["maximum"] == 10**15
    consortium = schemas["consortium.schema.json"]["properties"]["submission_date"]
    assert (consortium["formatMinimum"], consortium["formatMaximum"]) == ("1980-01-01",
                                                                          "2107-12-31")


# -------------------------------------------------------------------------------- logos

SVG = "xmlns='http://www.w3.org/2000/svg'"
LOGO = "partners/alpha.yaml:9:7: error: logo `{}` {} [logo]"


def png_of(width: int, height: int, rows: bytes | None = None, alpha: bool = False) -> bytes:
    """A PNG of `width` x `height` pixels, all 0 (grey, or transparent with `alpha`), a
    thousand times smaller than its pixels: its zlib stream repeats one compressed block
    (each flushed whole). `rows` gives the pixel rows instead."""
    row = 1 + width * (4 if alpha else 1)  # each row starts with its filter byte
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = deflate.compress(bytes(row * 100)) + deflate.flush(zlib.Z_FULL_FLUSH)
    body = block * (height // 100) + deflate.compress(bytes(row * (height % 100)))
    adler = (row * height % 65521) << 16 | 1  # of zeros only
    stream = b"\x78\xda" + body + deflate.flush() + struct.pack(">I", adler)
    if rows is not None:
        stream = zlib.compress(rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I",
                                                                        zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 6 if alpha else 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", stream)
            + chunk(b"IEND", b""))


def use_chain(levels: int, fan: int = 10) -> str:
    """An SVG whose every level draws the level below `fan` times: fan^levels shapes."""
    defs = "<rect id='l0' width='1' height='1'/>" + "".join(
        f"<g id='l{i}'>" + f"<use href='#l{i - 1}'/>" * fan + "</g>" for i in range(1, levels + 1))
    return f"<svg {SVG} width='10' height='10'><defs>{defs}</defs><use href='#l{levels}'/></svg>"


def nested(tag: str, attribute: str, levels: int = 6) -> str:
    """An SVG of patterns, masks or clip paths whose content each paints with the one
    below, ten times."""
    defs = f"<{tag} id='c0'><rect width='1' height='1' fill='white'/></{tag}>" + "".join(
        f"<{tag} id='c{i}'>" + f"<rect width='1' height='1' {attribute}='url(#c{i - 1})'/>" * 10
        + f"</{tag}>" for i in range(1, levels + 1))
    return (f"<svg {SVG} width='10' height='10'><defs>{defs}</defs>"
            f"<rect width='9' height='9' {attribute}='url(#c{levels})'/></svg>")


def embedding(data: bytes, kind: str = "image/png") -> str:
    """An SVG that draws `data` as an image embedded in a `data:` URI."""
    return (f"<svg {SVG} width='10' height='10'><image width='10' height='10' "
            f"href='data:{kind};base64,{base64.b64encode(data).decode()}'/></svg>")


def with_logo(sample: SampleProject, name: str, content: str | bytes) -> None:
    """Make `logos/<name>` alpha's logo."""
    sample.write(f"logos/{name}", content)
    if name != "alpha.svg":
        sample.edit("partners/alpha.yaml", "logo: logos/alpha.svg", f"logo: logos/{name}")


@pytest.mark.parametrize(("name", "content", "message"), [
    ("alpha.svg", b"", "is empty (0 bytes); expected a `.svg` image"),
    ("alpha.png", b"", "is empty (0 bytes); expected a `.png` image"),
    # WeasyPrint draws what a truncated PNG holds and greys out the rest, silently.
    ("alpha.png", png_of(200, 200, rows=bytes(201 * 200))[:90],
     "cannot be drawn: the image is damaged or not of the kind its name says; expected a "
     "valid `.png` or `.svg` file"),
    ("alpha.png", png_of(20, 20, rows=bytes(21 * 20)).replace(b"IDAT\x78\x9c\x63",
                                                             b"IDAT\x78\x9c\x9c"),
     "cannot be drawn: the image is damaged or not of the kind its name says; expected a "
     "valid `.png` or `.svg` file"),
    # Files named .svg that hold no SVG were silently missing from the cover.
    ("alpha.svg", "<html xmlns='http://www.w3.org/1999/xhtml'><body>Alpha</body></html>",
     "is not an SVG image: its root element is `<html>`; expected `<svg "
     "xmlns=\"http://www.w3.org/2000/svg\">`"),
    ("alpha.svg", "<svg width='10' height='10'><rect width='5' height='5'/></svg>",
     "is not an SVG image: its root element is `<svg>` outside the SVG namespace; expected "
     "`<svg xmlns=\"http://www.w3.org/2000/svg\">`"),
    ("alpha.svg", png_of(20, 20, rows=bytes(21 * 20)),
     "is a PNG image, not SVG; expected an SVG file (or give the PNG a `.png` name)"),
    ("alpha.svg", embedding(b"BM" + bytes(60), "image/bmp"),
     "embeds an image that is not PNG, JPEG, GIF or SVG; expected one of those"),
    ("alpha.svg", embedding(png_of(20, 20, rows=bytes(21 * 20))[:50]),
     "embeds a damaged image; expected whole PNG, JPEG, GIF or SVG images"),
    ("alpha.svg", embedding(b"<svg><g></svg>", "image/svg+xml"),
     "embeds an SVG image that is not a well-formed SVG file (mismatched tag: line 1, "
     "column 10)"),
], ids=["empty-svg", "empty-png", "truncated-png", "damaged-png", "html-named-svg",
        "svg-without-namespace", "png-named-svg", "embedded-bmp", "embedded-damaged-png",
        "embedded-broken-svg"])
def test_damaged_or_mislabelled_logo(sample: SampleProject, name, content, message) -> None:
    with_logo(sample, name, content)
    assert problems_of(sample) == [LOGO.format(f"logos/{name}", message)]


@pytest.mark.parametrize("content", [
    f"<svg {SVG}><image href='https://logos.example/alpha.png' width='5' height='5'/></svg>",
    f"<svg {SVG}><style>@import url(https://logos.example/alpha.css);</style></svg>",
    f"<svg {SVG}><rect width='5' height='5' style='fill: url(https://logos.example/p)'/></svg>",
])
def test_logo_linking_to_the_network(sample: SampleProject, content: str) -> None:
    with_logo(sample, "alpha.svg", content)
    link = re.search(r"https://[^'\")]+", content).group()
    assert problems_of(sample) == [LOGO.format(
        "logos/alpha.svg", f"refers to `{link}`; a logo must be self-contained, without links "
        "to other files or the network")]


def test_logo_drawing_itself_through_an_empty_link(sample: SampleProject) -> None:
    with_logo(sample, "alpha.svg", f"<svg {SVG}><image href='' width='5' height='5'/></svg>")
    assert problems_of(sample) == [LOGO.format(
        "logos/alpha.svg", "refers to itself with an empty link; a logo must be "
        "self-contained, without links to other files or the network")]


COSTLY = ("costs more than 10,000 shapes to draw (counting every element each time `<use>`, "
          "patterns, masks, clip paths and markers draw it); expected a simpler drawing")
BILLION_LAUGHS = ("<?xml version='1.0'?><!DOCTYPE svg [<!ENTITY a 'lol'>"
                  + "".join(f"<!ENTITY {b} '{('&' + a + ';') * 10}'>"
                            for a, b in zip("abcdefgh", "bcdefghi", strict=True))
                  + f"]><svg {SVG}><text>&i;</text></svg>")


@pytest.mark.parametrize(("content", "message"), [
    # Seven levels of ten <use>: 10^7 shapes, hours of drawing from 2 kB.
    (use_chain(7), COSTLY),
    (nested("pattern", "fill"), COSTLY),
    (nested("mask", "mask"), COSTLY),
    (nested("clipPath", "clip-path"), COSTLY),
    (f"<svg {SVG}><defs><marker id='m'>" + "<rect width='1' height='1'/>" * 10
     + "</marker></defs><path marker-mid='url(#m)' d='M0 0" + " l1 1" * 2000 + "'/></svg>",
     COSTLY),
    (f"<svg {SVG}><style>rect {{ fill: url(#p) }}</style><defs><pattern id='p'>"
     + "<circle r='1'/>" * 100 + "</pattern></defs>" + "<rect width='1' height='1'/>" * 200
     + "</svg>", COSTLY),
    (f"<svg {SVG}><g id='a'><use href='#a'/></g></svg>",
     "draws `#a` inside itself; expected references that end"),
    (f"<svg {SVG}>" + "<g>" * 3000 + "</g>" * 3000 + "</svg>",
     "nests elements more than 64 deep; expected a flatter drawing"),
    (BILLION_LAUGHS, "declares entities in a DOCTYPE; expected plain SVG without `<!DOCTYPE "
     "... [...]>` (entities can expand a small file into gigabytes)"),
    # 1.2 MB of SVG that WeasyPrint decodes into 900 million pixels (1.5 GB per worker).
    (embedding(png_of(30_000, 30_000)), "embeds an image of 30,000 x 30,000 pixels; expected "
     "at most 16,000,000 pixels in all, such as 4,000 x 4,000"),
    (f"<svg {SVG}>" + "".join(embedding(png_of(2000, 2000 + i))[len(f"<svg {SVG}>"):-6]
                              for i in range(4)) + "</svg>",
     "embeds images of 16,012,000 pixels in all; expected at most 16,000,000 pixels in all, "
     "such as 4,000 x 4,000"),
    (embedding(embedding(embedding(b"<svg/>", "image/svg+xml").encode(), "image/svg+xml")
               .encode(), "image/svg+xml"),
     "nests SVG images more than 3 deep; expected a plain SVG drawing"),
    (embedding(use_chain(5).encode(), "image/svg+xml"), COSTLY),
], ids=["use-chain", "nested-patterns", "nested-masks", "nested-clip-paths", "markers",
        "stylesheet-pattern", "use-cycle", "deep-nesting", "billion-laughs",
        "embedded-raster-bomb", "embedded-rasters-in-all", "svg-in-svg-in-svg",
        "use-chain-in-embedded-svg"])
def test_logo_bombs_are_refused_with_bounded_memory(sample: SampleProject, content,
                                                    message) -> None:
    with_logo(sample, "alpha.svg", content)
    out, peak = check_in_child(sample.path)
    assert out == ["False", LOGO.format("logos/alpha.svg", message)]
    # Refused from the file's bytes, before WeasyPrint draws anything: the peak stays
    # at what the interpreter and libraries need (drawing these takes GiBs or hours).
    assert peak < 400 * 1024


def test_drawing_limits_stop_what_the_bounds_miss(sample: SampleProject, monkeypatch) -> None:
    # Without the static bounds, the drawing process's time and memory limits still
    # stop the logo and name it; the drawing is another process, so `check` goes on,
    # and so do the other logos' drawings, whichever comes first.
    monkeypatch.setattr(images, "MAX_DRAWING_COST", 10**12)
    monkeypatch.setattr(images, "MAX_LOGO_PIXELS", 10**8)
    monkeypatch.setattr(assets, "DRAW_SECONDS", 1)
    sample.edit("partners/beta.yaml", "legal_name: Beta GmbH",
                "legal_name: Beta GmbH\nlogo: logos/beta.svg")
    sample.write("logos/beta.svg", f"<svg {SVG}><image href='logos/gamma.svg'/></svg>")
    with_logo(sample, "alpha.svg", use_chain(6))
    beta = LOGO.format("logos/beta.svg", "refers to `logos/gamma.svg`; a logo must be "
                       "self-contained, without links to other files or the network")
    assert problems_of(sample) == [
        LOGO.format("logos/alpha.svg", "cannot be drawn within 1 s and 1,024 MiB of memory; "
                    "expected a simpler image"),
        beta.replace("alpha.yaml:9:7", "beta.yaml:2:7"),
    ]
    monkeypatch.setattr(assets, "DRAW_SECONDS", 30)
    monkeypatch.setattr(assets, "DRAW_MEMORY", 128 * 2**20)
    sample.write("logos/alpha.svg", (REPO / "tests/roots/minimal/logos/alpha.svg").read_bytes())
    # WeasyPrint splits the alpha channel out: it decodes all 324 MB of pixels. (The
    # drawing may also use what the test process has mapped and freed, as a fork.)
    sample.write("logos/beta.svg", embedding(png_of(9000, 9000, alpha=True)))
    assert problems_of(sample) == [LOGO.format(
        "logos/beta.svg", "cannot be drawn within 30 s and 128 MiB of memory; expected a "
        "simpler image").replace("alpha.yaml:9:7", "beta.yaml:2:7")]


@pytest.mark.parametrize(("name", "content"), [
    ("alpha.png", png_of(4000, 4000)),
    ("alpha.svg", '<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
     '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'
     f"<svg {SVG} width='120' height='40'><style>.st0{{fill:url(#g)}}</style><defs>"
     "<linearGradient id='g'><stop offset='0' stop-color='#000'/><stop offset='1'/>"
     "</linearGradient></defs>" + "<path class='st0' d='M0 0 L10 10 L20 0 Z'/>" * 300
     + "<text x='5' y='30'>Alpha</text></svg>"),
    ("alpha.svg", embedding(png_of(1000, 1000))),
], ids=["large-png", "illustrator-like-svg", "svg-with-a-raster"])
def test_real_logos_pass(sample: SampleProject, name: str, content) -> None:
    with_logo(sample, name, content)
    assert check(sample.path).ok


# ------------------------------------------------------------- characters no font draws


def test_text_the_fonts_cannot_draw_is_a_warning(sample: SampleProject) -> None:
    sample.edit("partners/alpha.yaml", "{en: Alpha runs data centres.,",
                "{en: Alpha runs data centres 🚀😀 中文 ナ\u200d\ufe0f.,")
    result = check(sample.path)
    assert result.ok
    assert [str(p) for p in result.problems] == [
        "partners/alpha.yaml:11:19: warning: `description.en` contains U+1F680 ROCKET, "
        "U+1F600 GRINNING FACE, U+4E2D CJK UNIFIED IDEOGRAPH-4E2D and 2 more characters, "
        "which the proposal's fonts (Linux Biolinum O and Linux Libertine O) cannot draw: the "
        "PDF prints an empty box instead; write it otherwise or leave it out "
        "[undrawable-character]"
    ]


def test_name_the_fonts_cannot_draw_is_an_error(sample: SampleProject) -> None:
    sample.edit("partners/alpha.yaml", "legal_name: Alpha SAS", "legal_name: 阿尔法 SAS")
    sample.edit("data/consortium.yaml", "name: {en: Minimal Test Consortium,",
                "name: {en: Minimal 🚀 Consortium,")
    assert problems_of(sample) == [
        "data/consortium.yaml:1:12: error: `name.en` contains U+1F680 ROCKET, which the "
        "proposal's fonts (Linux Biolinum O and Linux Libertine O) cannot draw; a name must "
        "print as written: write it in characters the fonts have, such as its Latin "
        "transcription [undrawable-character]",
        "partners/alpha.yaml:1:13: error: `legal_name` contains U+963F CJK UNIFIED "
        "IDEOGRAPH-963F, U+5C14 CJK UNIFIED IDEOGRAPH-5C14 and U+6CD5 CJK UNIFIED "
        "IDEOGRAPH-6CD5, which the proposal's fonts (Linux Biolinum O and Linux Libertine O) "
        "cannot draw; a name must print as written: write it in characters the fonts have, "
        "such as its Latin transcription [undrawable-character]",
    ]


def test_total_too_large_to_print_is_an_error(sample: SampleProject) -> None:
    """Each input within its bound, their product is not: compute bounds the totals."""
    sample.edit("data/cost_model.yaml", "unit_price: {value: 25000, assumption: true, "
                                        "note: {en: Test value., fr: Valeur de test.}}",
                "unit_price: {value: 1000000000000000, assumption: true, "
                "note: {en: Test value., fr: Valeur de test.}}")
    result = check(sample.path)
    assert not result.ok
    assert [(p.file, p.code, p.message) for p in errors(result.problems)] == [(
        "data/cost_model.yaml", "total-too-large",
        "the cost model gives a capex cost of EUR 4e+18, more than EUR 1e+15, the largest "
        "amount the proposal and workbook print; check the unit prices and quantities (a "
        "price per MWh typed per kWh?)")]
