"""The PDF renderer, checked on the produced PDFs the way a reader or an evaluator sees them.

The shipped example and a hostile sample (tests/roots/pdf-hostile: markup, Jinja
syntax and a too-small page limit) are rendered once per module, both editions in
parallel; the tests read the PDFs back with pypdf and pdfplumber.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pdfplumber
import pypdf
import pytest
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.pofile import read_po

from proposal.compute import compute_figures
from proposal.fetch import ProjectFetcher, RefusedURL
from proposal.i18n import LOCALE_DIR, Locale
from proposal.locations import NOWHERE
from proposal.pipeline import check
from proposal.problems import InputError, Problem
from proposal.render.pdf import (
    DESIGN,
    TEMPLATES,
    Edition,
    PdfResult,
    check_page_limit,
    css_content,
    page_style,
    paragraphs,
    render_html,
    render_pdf,
)
from proposal.render.pdf.annexes import WIDE_FACT, fact_rows
from proposal.validate import MAX_BODY_PT, MAX_MARGIN_MM, MAX_SMALL_PT, check_required_sections

from .conftest import EXAMPLE, REPO, ROOTS

HOSTILE = ROOTS / "pdf-hostile"
LANGS = ("en", "fr")
MM = 72 / 25.4
"""Points per millimetre."""
HOSTILE_TEXTS = ("<b>Bold</b>", "<script>alert(1)</script>", "{{ 7*7 }}", "{% raw %}",
                 "</style><i>", "<b>Beta</b> & Co", "<img src=x onerror=alert(1)>")


@dataclass
class Edition_:
    """One rendered edition, read back."""

    result: PdfResult
    reader: pypdf.PdfReader
    pages: list[pdfplumber.page.Page]
    texts: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def flat(self) -> str:
        """The text without any white space (line breaks, narrow no-break spaces)."""
        return squash(self.text)


def squash(text: str) -> str:
    """Text without white space, so wrapping and locale spaces do not matter."""
    return re.sub(r"\s", "", text)


def _render(root: Path, lang: str) -> PdfResult:
    checked = check(root)
    return render_pdf(checked.project, checked.figures, lang, root, checked.locations)


@pytest.fixture(scope="module")
def renders() -> dict[tuple[str, str], PdfResult]:
    """Both editions of the example and of the hostile sample, two at a time."""
    roots = (("example", EXAMPLE), ("hostile", HOSTILE))
    jobs = {(name, lang): (root, lang) for name, root in roots
            for lang in LANGS}
    with ProcessPoolExecutor(max_workers=2) as pool:
        futures = {key: pool.submit(_render, *args) for key, args in jobs.items()}
        return {key: future.result() for key, future in futures.items()}


def _read(result: PdfResult, tmp: Path) -> Edition_:
    path = tmp / "edition.pdf"
    path.write_bytes(result.pdf)
    plumber = pdfplumber.open(path)
    return Edition_(result, pypdf.PdfReader(path), plumber.pages,
                    [page.extract_text() or "" for page in plumber.pages])


@pytest.fixture(scope="module")
def example_project():
    project = check(EXAMPLE).project
    return project, compute_figures(project)


@pytest.fixture(scope="module")
def example(renders, tmp_path_factory) -> dict[str, Edition_]:
    return {lang: _read(renders["example", lang], tmp_path_factory.mktemp(f"example-{lang}"))
            for lang in LANGS}


@pytest.fixture(scope="module")
def hostile(renders, tmp_path_factory) -> dict[str, Edition_]:
    return {lang: _read(renders["hostile", lang], tmp_path_factory.mktemp(f"hostile-{lang}"))
            for lang in LANGS}


# ---------------------------------------------------------------- format rules


@pytest.mark.parametrize("lang", LANGS)
def test_both_editions_exist(example, lang):
    edition = example[lang]
    assert edition.result.pdf.startswith(b"%PDF-")
    assert edition.result.pages == len(edition.reader.pages) > 20


@pytest.mark.parametrize("lang", LANGS)
def test_pages_are_a4(example, lang):
    for page in example[lang].reader.pages:
        size = sorted((float(page.mediabox.width), float(page.mediabox.height)))
        assert size == pytest.approx([595.28, 841.89], abs=1), size


@pytest.mark.parametrize("name", ["example", "hostile"])
def test_every_font_is_embedded(example, hostile, name):
    editions = {"example": example, "hostile": hostile}[name]
    for edition in editions.values():
        fonts = {}
        for page in edition.reader.pages:
            for font in page.get("/Resources", {}).get("/Font", {}).values():
                font = font.get_object()
                fonts[font["/BaseFont"]] = font
        assert fonts
        for name_, font in fonts.items():
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font \
                else font
            descriptor = descendant["/FontDescriptor"].get_object()
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), name_
        if name == "example":  # no logo: every glyph comes from the shipped fonts
            assert all(re.search("Proposal-(Sans|Serif)", str(name_)) for name_ in fonts), \
                list(fonts)


def test_pdffonts_sees_every_font_embedded(example, tmp_path):
    if shutil.which("pdffonts") is None:
        pytest.skip("poppler's pdffonts is not installed")
    path = tmp_path / "en.pdf"
    path.write_bytes(example["en"].result.pdf)
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert lines
    for line in lines:
        assert line.split()[-5] == "yes", line  # the `emb` column


def _small_texts(result: PdfResult, lang: str) -> str:
    """What may be printed below the body size (captions, table notes, chart labels, running
    header, footer), as letters and digits only: chart labels come out without their spaces."""
    markup = result.html
    parts = re.findall(r"<caption>(.*?)</caption>", markup, re.S)
    parts += re.findall(r"<figcaption>(.*?)</figcaption>", markup, re.S)
    parts += re.findall(r"<text[^>]*>(.*?)</text>", markup, re.S)
    parts += re.findall(r"<h1[^>]*>(.*?)</h1>", markup, re.S)
    parts += re.findall(r'<div class="acronym">(.*?)</div>', markup, re.S)
    parts += re.findall(r'<p class="note">(.*?)</p>', markup, re.S)  # notes under tables
    parts.append(Locale(lang).gettext("Page {page} of {pages}"))
    return "|".join(re.sub(r"\W", "", html.unescape(re.sub(r"<[^>]+>", "", part)))
                    for part in parts)


@pytest.mark.parametrize("lang", LANGS)
def test_minimum_font_sizes(example, example_project, lang):
    rules = example_project[0].call.format
    edition = example[lang]
    allowed = _small_texts(edition.result, lang)
    sizes = Counter()
    for number, page in enumerate(edition.pages, start=1):
        for word in page.extract_words(extra_attrs=["size"]):
            size = round(word["size"], 2)
            sizes[size] += len(word["text"])
            assert size >= rules.min_small_pt, (number, word["text"], size)
            if size < rules.min_body_pt:
                letters = re.sub(r"\W", "", word["text"])
                assert letters.isdigit() or letters in allowed, (number, word["text"], size)
    body = sum(n for size, n in sizes.items() if size >= rules.min_body_pt)
    assert body > 0.8 * sum(sizes.values())


@pytest.mark.parametrize("lang", LANGS)
def test_margins(example, example_project, lang):
    rules = example_project[0].call.format
    margin = rules.min_margin_mm * MM
    for number, page in enumerate(example[lang].pages, start=1):
        for char in page.chars:
            assert margin <= char["x0"] and char["x1"] <= page.width - margin, (number, char)
            if char["size"] >= rules.min_body_pt:  # headers and footers may use the margin
                assert margin <= char["top"] and char["bottom"] <= page.height - margin, \
                    (number, char["text"])


@pytest.mark.parametrize("lang", LANGS)
def test_call_format_rules_drive_the_page(sample, tmp_path, lang):
    """A call asking for the largest margins and type sizes `check` accepts gets them
    all, and the sample's tables and charts still fit between the margins."""
    sample.edit("data/call.yaml", "  page_limit: 70", f"  page_limit: 70\n"
                f"  min_margin_mm: {MAX_MARGIN_MM:g}\n  min_body_pt: {MAX_BODY_PT:g}\n"
                f"  min_small_pt: {MAX_SMALL_PT:g}")
    checked = check(sample.path)
    assert checked.problems == []
    edition = _read(render_pdf(checked.project, checked.figures, lang, sample.path), tmp_path)
    margin = MAX_MARGIN_MM * MM
    body = Counter()
    for number, page in enumerate(edition.pages, start=1):
        assert sorted((page.width, page.height)) == pytest.approx([595.28, 841.89], abs=1)
        for char in page.chars:
            assert char["size"] >= MAX_SMALL_PT - 0.01, (number, char["text"], char["size"])
            if char["text"].isspace():
                continue
            # Justified lines end on the margin, give or take the rounding of glyph widths.
            assert margin - 0.1 <= char["x0"] and char["x1"] <= page.width - margin + 0.1, \
                (number, char["text"], char["x0"], char["x1"])
            if char["size"] > MAX_SMALL_PT:  # the running header and footer use the margin
                assert margin <= char["top"] and char["bottom"] <= page.height - margin, \
                    (number, char["text"])
            body[round(char["size"], 2) >= MAX_BODY_PT] += 1
    assert body[True] > 0.7 * (body[True] + body[False])
    positioning = {"en": "Two partners suffice.", "fr": "Deux partenaires suffisent."}[lang]
    found = [match for page in edition.pages
             for match in page.search(positioning, regex=False, return_chars=True)]
    assert len(found) == 1
    assert {round(char["size"], 2) for char in found[0]["chars"]} == {MAX_BODY_PT}
    labels = re.findall(r'<text[^>]* font-size="([\d.]+)"', edition.result.html)
    assert labels and {float(size) for size in labels} == {MAX_SMALL_PT}


def test_rules_below_the_design_leave_it_unchanged(example_project):
    assert page_style(example_project[0].call.format) == DESIGN


def test_tables_repeat_their_header_row(example, example_project):
    project, figures = example_project
    grid = Edition(project, figures, "en", EXAMPLE).workplan()["effort"]
    header = " ".join(grid.head)
    pages = [n for n, text in enumerate(example["en"].texts) if header in text]
    assert len(pages) >= 2 and pages == list(range(pages[0], pages[0] + len(pages)))


@pytest.mark.parametrize("lang", LANGS)
def test_charts_are_vector_graphics(example, lang):
    edition = example[lang]
    # ramp-up, Gantt, financing, funding per year, governance
    assert edition.result.html.count("<svg ") == 5
    for page in edition.reader.pages:
        xobjects = page.get("/Resources", {}).get("/XObject", {})
        for xobject in xobjects.values():
            assert xobject.get_object().get("/Subtype") != "/Image"


# --------------------------------------------------------------------- content


@pytest.mark.parametrize("lang", LANGS)
def test_every_partner_is_named(example, example_project, lang):
    flat = example[lang].flat
    for partner in example_project[0].partners:
        assert squash(partner.short_name) in flat
        assert squash(partner.legal_name) in flat


@pytest.mark.parametrize("lang", LANGS)
def test_total_cost_in_the_locale_format(example, example_project, lang):
    total = example_project[1].total_cost_eur
    own = squash(Locale(lang).money(total))
    other = squash(Locale({"en": "fr", "fr": "en"}[lang]).money(total))
    assert own in example[lang].flat
    assert other not in example[lang].flat
    assert re.fullmatch({"en": r"€\d{1,3}(,\d{3})+", "fr": r"\d+€"}[lang], own)


@pytest.mark.parametrize("lang", LANGS)
def test_sections_are_bookmarked_in_the_edition_language(example, example_project, lang):
    project, figures = example_project
    sections = Edition(project, figures, lang, EXAMPLE).sections.values()
    english = {s.title for s in Edition(project, figures, "en", EXAMPLE).sections.values()}

    def titles(outline) -> list[str]:
        found = []
        for item in outline:
            found += titles(item) if isinstance(item, list) else [item.title]
        return found

    bookmarks = titles(example[lang].reader.outline)
    flat = example[lang].flat
    for section in sections:
        assert f"{section.number} {section.title}" in bookmarks
        assert squash(section.title) in flat
    for partner in project.partners:
        assert partner.short_name in bookmarks
    if lang == "fr":
        own = {s.title for s in sections}
        assert not [b for b in bookmarks if b.partition(" ")[2] in english - own]


@pytest.mark.parametrize("lang", LANGS)
def test_footer_says_page_x_of_y(example, lang):
    edition = example[lang]
    footer = Locale(lang).gettext("Page {page} of {pages}").format(page=2,
                                                                    pages=edition.result.pages)
    assert footer in edition.texts[1]
    assert footer == {"en": f"Page 2 of {edition.result.pages}",
                      "fr": f"Page 2 sur {edition.result.pages}"}[lang]


@pytest.mark.parametrize("lang", LANGS)
def test_metadata(example, example_project, lang):
    project, figures = example_project
    reader = example[lang].reader
    assert reader.trailer["/Root"]["/Lang"] == Locale(lang).tag
    assert reader.metadata.title == Edition(project, figures, lang, EXAMPLE).text(
        project.consortium.texts.title)  # its figures written out: `from 100 MW to a 1 GW`
    assert reader.metadata.author == Locale(lang).text(project.consortium.name)
    assert reader.metadata.creation_date.date() == project.consortium.submission_date


def _numbers(result: PdfResult, lang: str) -> list[tuple[str, ...]]:
    """The digits of every figure cell, with the locale's grouping and decimal signs undone."""
    group, decimal = {"en": (",", "."), "fr": ("\u202f\u00a0", ",")}[lang]
    found = []
    for cell in re.findall(r'<td class="num">(.*?)</td>', result.html):
        text = re.sub(f"(?<=\\d)[{group}](?=\\d)", "", html.unescape(cell))
        found.append(tuple(re.findall(r"\d+(?:\.\d+)?", text.replace(decimal, "."))))
    return found


def test_both_editions_show_the_same_numbers(example):
    en, fr = (_numbers(example[lang].result, lang) for lang in LANGS)
    assert len(en) > 500
    assert en == fr


@pytest.mark.parametrize("lang", LANGS)
def test_figure_cells_are_printed(example, lang):
    flat = example[lang].flat
    cells = re.findall(r'<td class="num">(.*?)</td>', example[lang].result.html)
    missing = {cell for cell in cells if squash(html.unescape(cell)) not in flat}
    assert not missing


def test_outline_order_matches_the_document(example_project):
    project, figures = example_project
    markup = render_html(project, figures, "en", EXAMPLE)
    ids = [i for i in re.findall(r'<h[12] id="sec-([^"]+)"', markup)]
    assert ids == list(Edition(project, figures, "en", EXAMPLE).sections)


def test_html_is_the_html_rendered(example, example_project):
    project, figures = example_project
    assert render_html(project, figures, "fr", EXAMPLE) == example["fr"].result.html


def test_output_is_reproducible(hostile):
    project = check(HOSTILE).project
    again = render_pdf(project, compute_figures(project), "en", HOSTILE)
    assert again.pdf == hostile["en"].result.pdf


def test_required_section_without_a_place_is_warned(example_project):
    project = example_project[0]
    sections = {**project.call.required_sections,
                "water": project.call.required_sections["energy"]}
    call = project.call.model_copy(update={"required_sections": sections})
    warnings = check_required_sections(project.model_copy(update={"call": call}), NOWHERE)
    assert [(w.file, w.code) for w in warnings] == [("data/call.yaml", "unanswered-section")]
    assert warnings[0].message.startswith(
        "required section `water` has no section in the proposal; the compliance table shows "
        "it as not answered (sections: access, assumed-figures, ")
    assert check_required_sections(project, NOWHERE) == []


def test_example_fits_the_page_limit(example):
    for edition in example.values():
        assert edition.result.warnings == []


# ------------------------------------------------------------------ languages


def _template_messages() -> set[str]:
    messages = {message for *_, message, _, _ in extract_from_dir(
        TEMPLATES, method_map=[("**.html", "jinja2")],
        options_map={"**.html": {"extensions": "jinja2.ext.i18n"}})}
    for path in (*sorted((REPO / "proposal" / "render" / "pdf").glob("*.py")),
                 REPO / "proposal" / "i18n.py", REPO / "proposal" / "outline.py"):
        messages |= {message for _, message, _, _ in extract_from_file("python", path)}
    return messages


PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")


def test_no_message_is_untranslated():
    messages = _template_messages()
    assert len(messages) > 200
    catalogs = {}
    for lang in LANGS:
        with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            catalogs[lang] = read_po(handle)
    for message in sorted(messages, key=str):
        for lang in LANGS:
            assert message in catalogs[lang], f"{message!r} is not in the {lang} catalog"
        translated = catalogs["fr"][message]
        assert not translated.fuzzy
        # A plural message is a tuple of forms, and so is its translation.
        sources = message if isinstance(message, tuple) else (message,)
        forms = translated.string if isinstance(message, tuple) else (translated.string,)
        for form in forms:
            assert form, f"{message!r} has no French translation"
            assert sorted(PLACEHOLDER.findall(form)) == sorted(
                PLACEHOLDER.findall(sources[0])), message


# --------------------------------------------------------------------- safety


@pytest.mark.parametrize("lang", LANGS)
def test_hostile_text_is_printed_as_written(hostile, lang):
    edition = hostile[lang]
    for text in HOSTILE_TEXTS:
        assert squash(text) in edition.flat, text
    assert "Beta" in edition.text and squash("computes 49") not in edition.flat
    assert "<script>" not in edition.result.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in edition.result.html


def test_hostile_sample_warns_of_the_page_limit(hostile):
    warnings = hostile["en"].result.warnings
    assert [(w.file, w.line, w.col, w.severity, w.code) for w in warnings] == [
        ("data/call.yaml", 9, 15, "warning", "page-limit")]
    assert re.fullmatch(r"the English proposal has (\d+) pages before the annexes; the call's "
                        r"limit is 5: (\d+) pages over", warnings[0].message)


def test_page_limit_message(example_project):
    project, at = example_project[0], check(EXAMPLE).locations
    call = (EXAMPLE / "data" / "call.yaml").read_text().splitlines()
    line = next(n for n, text in enumerate(call, start=1) if "page_limit:" in text)
    assert check_page_limit(project, "fr", 90, 74, at) == [Problem(
        "data/call.yaml", line, 15, "warning", "page-limit",
        "the French proposal has 74 pages before the annexes; the call's limit is 70: "
        "4 pages over")]
    assert check_page_limit(project, "en", 90, 70) == []
    rules = project.call.format.model_copy(update={"page_limit_excludes_annexes": False})
    counted_all = project.model_copy(
        update={"call": project.call.model_copy(update={"format": rules})})
    assert [p.message for p in check_page_limit(counted_all, "en", 71, 60)] == [
        "the English proposal has 71 pages; the call's limit is 70: 1 page over"]


def test_html_loads_only_project_files(hostile):
    markup = hostile["en"].result.html
    assert "<base" not in markup
    urls = re.findall(r'(?:src|href)="([^"]*)"', markup)
    assert urls
    for url in urls:
        if url.startswith("#"):
            continue
        assert url.startswith("file:///"), url
        path = Path(url.removeprefix("file://"))
        assert path.is_relative_to(TEMPLATES) or path.is_relative_to(HOSTILE.resolve()), url


def test_narrative_texts_and_chart_labels_are_escaped(sample):
    hostile = "</td></tr>]]><svg onload=alert(1)>{{ 7*7 }}</text><!--"
    quoted = '"' + hostile.replace('"', '\\"') + '"'
    sample.edit("data/consortium.yaml", "positioning: {en: Two partners suffice.",
                f"positioning: {{en: {quoted}")
    sample.edit("data/financing.yaml", "lender: {en: EIB,", f"lender: {{en: {quoted},")
    sample.edit("data/cost_model.yaml", "name: {en: Phase 1,", f"name: {{en: {quoted},")
    project = check(sample.path).project
    markup = render_html(project, compute_figures(project), "en", sample.path)
    escaped = html.escape(hostile, quote=False)
    assert markup.count(escaped) >= 4  # positioning, phases, budget header, financing table
    # The financing chart writes the label, cut to its room with an ellipsis.
    label = re.search(rf"<text[^>]*>({re.escape(escaped[:20])}[^<]*)</text>", markup)
    assert label and escaped.startswith(label[1].removesuffix("\u2026"))
    assert "<svg onload" not in markup and "<!--" not in markup


def test_weasyprint_command_gives_the_same_pdf(hostile, tmp_path):
    source = tmp_path / "out" / "MINI_proposal_en.html"
    source.parent.mkdir()
    source.write_text(hostile["en"].result.html, encoding="utf-8")
    target = tmp_path / "out" / "cli.pdf"
    subprocess.run([sys.executable, "-m", "weasyprint", str(source), str(target)], check=True,
                   cwd=tmp_path)
    with pdfplumber.open(target) as pdf:
        assert [page.extract_text() for page in pdf.pages] == hostile["en"].texts


@pytest.fixture
def folders(tmp_path):
    templates, project = tmp_path / "templates", tmp_path / "project"
    for folder in (templates, project / "logos"):
        folder.mkdir(parents=True)
    (templates / "style.css").write_text("p {}")
    (project / "logos" / "a.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "secret.txt").write_text("secret")
    (project / "logos" / "link.svg").symlink_to(tmp_path / "secret.txt")
    return tmp_path, ProjectFetcher([templates, project])


def test_fetcher_serves_project_files_and_data(folders):
    tmp, fetcher = folders
    response = fetcher.fetch((tmp / "templates" / "style.css").as_uri())
    assert response.read() == b"p {}" and response.content_type == "text/css"
    assert fetcher.fetch((tmp / "project" / "logos" / "a.svg").as_uri()).content_type \
        == "image/svg+xml"
    assert fetcher.fetch("data:text/plain,hi").read() == b"hi"


@pytest.mark.parametrize("url, reason", [
    ("http://example.com/logo.png",
     "only files inside the project are loaded, never the network"),
    ("https://example.com/font.ttf",
     "only files inside the project are loaded, never the network"),
    ("ftp://example.com/x", "only files inside the project are loaded, never the network"),
    ("file:///etc/passwd", "`/etc/passwd` is outside the allowed folders ({folders})"),
    ("{tmp}/project/../secret.txt",
     "`{tmp}/secret.txt` is outside the allowed folders ({folders})"),
    ("{tmp}/project/logos/%2e%2e/%2e%2e/secret.txt",
     "`{tmp}/secret.txt` is outside the allowed folders ({folders})"),
    ("{tmp}/project/logos/link.svg",
     "`{tmp}/secret.txt` is outside the allowed folders ({folders})"),
    ("file://evil.example/etc/passwd", "`evil.example` is another machine"),
    ("{tmp}/project/logos/missing.svg", "`{tmp}/project/logos/missing.svg` does not exist"),
])
def test_fetcher_refuses_everything_else(folders, url, reason):
    tmp, fetcher = folders
    url = url.replace("{tmp}", f"file://{tmp}")
    reason = reason.format(tmp=tmp, folders=f"`{tmp}/templates`, `{tmp}/project`")
    with pytest.raises(RefusedURL) as refused:
        fetcher.fetch(url)
    assert refused.value.message == f"refused to load `{url}`: {reason}"


def _with_logo(project, partner_id: str, logo: str):
    partners = tuple(p.model_copy(update={"logo": logo}) if p.id == partner_id else p
                     for p in project.partners)
    return project.model_copy(update={"partners": partners})


def test_logo_outside_the_input_is_refused_at_its_yaml_line(sample):
    checked = check(sample.path)
    hostile = _with_logo(checked.project, "alpha", "../../../../../../etc/passwd")
    with pytest.raises(InputError) as error:
        render_pdf(hostile, compute_figures(hostile), "en", sample.path, checked.locations)
    folders = f"`{TEMPLATES}`, `{sample.path.resolve()}`"
    assert [str(p) for p in error.value.problems] == [
        "partners/alpha.yaml:9:7: error: logo `../../../../../../etc/passwd` is refused: "
        f"`/etc/passwd` is outside the allowed folders ({folders}); expected a file inside "
        "the input folder, such as `logos/name.svg` [refused-url]"]


# The second logo hides the link in an SVG embedded as a data: URI, which a scan of
# the logo's own attributes does not open; WeasyPrint refuses it while drawing,
# swallowing the error, so the renderer must notice the refusal itself.
NESTED_LINK = quote("<svg xmlns='http://www.w3.org/2000/svg'>"
                    "<image href='file:///etc/passwd' width='5' height='5'/></svg>")


@pytest.mark.parametrize("logo", [
    "<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink'>"
    "<image xlink:href='file:///etc/passwd'/></svg>",
    "<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'>"
    f"<image href='data:image/svg+xml,{NESTED_LINK}' width='10' height='10'/></svg>",
], ids=["direct-link", "link-in-embedded-image"])
def test_logo_linking_elsewhere_is_refused_by_check(sample, logo):
    sample.write("logos/alpha.svg", logo)
    assert [str(p) for p in check(sample.path).problems] == [
        "partners/alpha.yaml:9:7: error: logo `logos/alpha.svg` refers to `file:///etc/passwd`; "
        "a logo must be self-contained, without links to other files or the network [logo]"]


def test_damaged_png_logo_is_found_by_check(sample):
    sample.write("logos/alpha.png", b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script>")
    sample.edit("partners/alpha.yaml", "logo: logos/alpha.svg", "logo: logos/alpha.png")
    assert [str(p) for p in check(sample.path).problems] == [
        "partners/alpha.yaml:9:7: error: logo `logos/alpha.png` cannot be drawn: the image is "
        "damaged or not of the kind its name says; expected a valid `.png` or `.svg` file "
        "[logo]"]


def test_broken_logo_is_found_by_check(sample):
    sample.write("logos/alpha.svg", "<svg><unclosed></svg>")
    assert [p.message for p in check(sample.path).problems] == [
        "logo `logos/alpha.svg` is not a well-formed SVG file (mismatched tag: line 1, "
        "column 17)"]


# ------------------------------------------------------------------ helpers


def test_footer_translation_cannot_escape_the_stylesheet():
    content = css_content('Page {page} "of" </style> {pages}',
                          {"page": "counter(page)", "pages": "counter(pages)"})
    assert content == ('"Page " counter(page) " \\22 of\\22  \\3c \\2f style\\3e  " '
                       'counter(pages)')


def test_paragraphs_split_on_blank_lines():
    assert paragraphs("One\nline.\n\n  \nTwo.\n\n\n") == ["One\nline.", "Two."]


# ------------------------------------------------------------ partner facts


def test_fact_rows_pair_short_facts_and_give_long_ones_a_line():
    facts = [("a", "short"), ("b", "short"), ("c", "x" * (WIDE_FACT + 1)), ("d", "short"),
             ("e", "short"), ("f", "short")]
    assert fact_rows(facts) == [[facts[0], facts[1]], [facts[2]], [facts[3], facts[4]],
                                [facts[5]]]
    # a short fact before a long one stands alone rather than sharing the long one's line
    assert fact_rows(facts[1:4]) == [[facts[1]], [facts[2]], [facts[3]]]
    assert fact_rows([]) == []


@pytest.mark.parametrize(("lang", "line"), [
    ("en", "Legal name Artefact Country France"),
    ("fr", "Raison sociale Artefact Pays France"),
])
def test_partner_facts_read_two_pairs_a_line(example, lang, line):
    assert line in example[lang].text.splitlines()
