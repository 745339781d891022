"""The evaluator's apparatus, read back from the PDFs of the example: numbered captions,
the list of tables and figures with its pages, cross-references, citations linked to
the references list, the list of abbreviations and the cover; and `check` on the new
data fields (contact, abbreviations, a source's access date)."""

from __future__ import annotations

import io
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pypdf
import pytest

from proposal.compute import compute_figures
from proposal.i18n import Locale
from proposal.pipeline import check
from proposal.render.pdf import PdfResult, render_pdf
from proposal.render.pdf.builder import _environment, _html
from proposal.render.pdf.edition import Edition

from .conftest import EXAMPLE, SampleProject

LANGS = ("en", "fr")
LABELS = {"en": ("Table", "Figure"), "fr": ("Tableau", "Figure")}
DASH = "\u2013"


@dataclass
class Read:
    """One edition: its HTML, each page's text and the PDF's links and destinations."""

    html: str
    pages: list[str]
    """Text of each page, white space removed (wrapping and locale spaces do not matter)."""
    lines: list[list[str]]
    """Lines of each page, as extracted."""
    reader: pypdf.PdfReader

    def destination_page(self, name: str) -> int:
        """The 1-based page a named destination points at."""
        return self.reader.get_destination_page_number(self.reader.named_destinations[name]) + 1

    def links(self, page: int) -> list[str]:
        """The named destinations the links of a 1-based page point at, in order."""
        annotations = self.reader.pages[page - 1].get("/Annots") or []
        return [str(a.get_object()["/Dest"]) for a in annotations
                if a.get_object().get("/Subtype") == "/Link" and "/Dest" in a.get_object()]


def _render(lang: str) -> PdfResult:
    checked = check(EXAMPLE)
    return render_pdf(checked.project, checked.figures, lang, EXAMPLE, checked.locations)


@pytest.fixture(scope="module")
def editions() -> dict[str, Read]:
    """Both editions of the example, rendered in parallel and read back."""
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = dict(zip(LANGS, pool.map(_render, LANGS), strict=True))
    read = {}
    for lang, result in results.items():
        with pdfplumber.open(io.BytesIO(result.pdf)) as pdf:
            texts = [page.extract_text() or "" for page in pdf.pages]
        read[lang] = Read(result.html, [squash(t) for t in texts],
                          [t.splitlines() for t in texts], pypdf.PdfReader(io.BytesIO(result.pdf)))
    return read


@pytest.fixture(scope="module")
def example():
    project = check(EXAMPLE).project
    return project, compute_figures(project)


def squash(text: str) -> str:
    return re.sub(r"\s", "", text)


def list_pages(edition: Read) -> range:
    """The pages of the list of tables and figures and of abbreviations (1-based)."""
    first = edition.destination_page("lists")
    last = edition.destination_page("abbreviations")
    return range(first, last + 1)


def listed(edition: Read, lang: str) -> list[tuple[str, int, int]]:
    """The entries of the list of tables and figures: (kind label, number, printed page).
    An entry may wrap; its page number ends its last line."""
    table, figure = LABELS[lang]
    entry = re.compile(rf"^({table}|{figure}) (\d+) ")
    found, pending = [], None
    for page in list_pages(edition):
        for line in edition.lines[page - 1]:
            start = entry.match(line)
            if start:
                pending = (start[1], int(start[2]))
            end = re.search(r"\.{3,}\s*(\d+)$", line) or (pending and re.search(r"(?:^|\s)(\d+)$",
                                                                               line))
            if pending and end and (start or not entry.match(line)):
                found.append((*pending, int(end[1])))
                pending = None
    return found


# ------------------------------------------------------------------- captions


@pytest.mark.parametrize("lang", LANGS)
def test_every_table_and_figure_has_a_numbered_caption(editions, lang):
    html = editions[lang].html
    tables = re.findall(r"<table[^>]*>\s*<caption>\s*<span class=\"caption-label\" "
                        r"id=\"table-(\d+)\">", html)
    figures = re.findall(r"<figcaption><span class=\"caption-label\" id=\"figure-(\d+)\">",
                         html)
    # a partner profile's identity block (`table.facts`) is a list of fields, not a table
    assert len(tables) == html.count("<table") - html.count('<table class="facts">') > 30
    assert len(figures) == html.count("<figure") >= 3
    # numbered from 1, in reading order
    assert [int(n) for n in tables] == list(range(1, len(tables) + 1))
    assert [int(n) for n in figures] == list(range(1, len(figures) + 1))


@pytest.mark.parametrize("lang", LANGS)
def test_captions_are_numbered_in_the_pdf_in_page_order(editions, lang):
    edition = editions[lang]
    body = "".join(edition.pages[max(list_pages(edition)):])
    for label in LABELS[lang]:
        numbers = [int(n) for n in re.findall(rf"{label}(\d+){DASH}", body)]
        assert numbers == list(range(1, len(numbers) + 1)), label
        assert numbers


@pytest.mark.parametrize("lang", LANGS)
def test_list_of_tables_and_figures_gives_each_caption_its_page(editions, lang):
    edition = editions[lang]
    entries = listed(edition, lang)
    table, figure = LABELS[lang]
    html = edition.html
    assert [n for kind, n, _ in entries if kind == table] == \
        list(range(1, html.count('id="table-') + 1))
    assert [n for kind, n, _ in entries if kind == figure] == \
        list(range(1, html.count('id="figure-') + 1))
    for kind, number, page in entries:
        caption = f"{kind}{number}{DASH}"
        assert caption in edition.pages[page - 1], f"{caption} not on page {page}"
        anchor = f"{'table' if kind == table else 'figure'}-{number}"
        assert edition.destination_page(anchor) == page
    # and each list entry links to its caption
    links = [name for page in list_pages(edition) for name in edition.links(page)]
    links = [name for i, name in enumerate(links) if i == 0 or links[i - 1] != name]  # wrapped
    assert [n for n in links if re.fullmatch(r"(table|figure)-\d+", n)] == \
        [f"{'table' if kind == table else 'figure'}-{number}" for kind, number, _ in
         sorted(entries, key=lambda e: (e[0] != table, e[1]))]


@pytest.mark.parametrize("lang", LANGS)
def test_contents_lists_the_front_matter(editions, lang):
    edition = editions[lang]
    title = {"en": "Tables,figuresandabbreviations", "fr": "Tableaux,figuresetabréviations"}
    assert title[lang] in edition.pages[edition.destination_page("contents") - 1]
    assert "lists" in edition.links(edition.destination_page("contents"))


@pytest.mark.parametrize("lang", LANGS)
def test_leaders_are_drawn_not_written(editions, lang):
    """The dots between an entry and its page are a drawing, not text: a screen reader
    or a copy of the contents gets the entry and its page, no run of periods. Every
    contents and list line still ends with its page number."""
    edition = editions[lang]
    pages = range(edition.destination_page("contents"), max(list_pages(edition)) + 1)
    lines = [line for page in pages for line in edition.lines[page - 1]]
    assert not [line for line in lines if "..." in line]
    numbered = [line for line in lines if re.search(r"\s\d+$", line)]
    assert len(numbered) > 60  # the contents, then the tables and figures


# ------------------------------------------------------------- cross-references


@pytest.mark.parametrize("lang", LANGS)
def test_cross_references_name_the_table_and_its_page(editions, lang):
    edition = editions[lang]
    table = LABELS[lang][0]
    targets = re.findall(r'<a class="xref" href="#table-(\d+)">', edition.html)
    assert len(targets) >= 2
    for target in map(int, targets):
        page = edition.destination_page(f"table-{target}")
        said = f"{table}{target},p.{page}"
        referring = [i + 1 for i, text in enumerate(edition.pages) if said in text]
        assert referring, f"no page says {said}"
        assert f"table-{target}" in edition.links(referring[0])


@pytest.mark.parametrize("lang", LANGS)
def test_key_figures_refer_to_the_chapters_with_pages(editions, lang):
    edition = editions[lang]
    page = edition.destination_page("sec-key-figures")
    text = edition.pages[page - 1] + edition.pages[page]
    for key, chapter in (("sec-budget", "Budget"), ("sec-financing", None)):
        target = edition.destination_page(key)
        assert f"p.{target}" in text
        assert key in edition.links(page) + edition.links(page + 1)
        if chapter:
            assert chapter in text


# -------------------------------------------------------------------- citations


@pytest.mark.parametrize("lang", LANGS)
def test_citations_link_to_their_reference_entry(editions, example, lang):
    project, _figures = example
    edition = editions[lang]
    references = edition.destination_page("sec-cited-sources")
    cited = []
    for page in range(1, len(edition.pages) + 1):
        cited += [(page, name) for name in edition.links(page) if name.startswith("source-")]
    assert len(cited) > 30
    summary = edition.destination_page("sec-summary")
    assert any(page == summary for page, _ in cited), "the abstract's citations are links"
    for _page, name in cited:
        source_id = name.removeprefix("source-")
        assert source_id in project.sources
        entry_page = edition.destination_page(name)
        assert entry_page >= references
        assert f"[{source_id}]" in edition.pages[entry_page - 1]


@pytest.mark.parametrize("lang", LANGS)
def test_references_list_says_the_address_was_not_recorded(editions, example, lang):
    project, _figures = example
    edition = editions[lang]
    text = "".join(edition.pages[edition.destination_page("sec-cited-sources") - 1:])
    unrecorded = {"en": "Addressnotrecorded.", "fr": "Adressenonrelevée."}[lang]
    without_url = [s for s in project.sources.values() if s.url is None]
    assert text.count(unrecorded) == len(without_url) == len(project.sources)
    assert re.search(r"\[c\]EDFjoinsalliancetosupportAIgigafactorybid.*?,WorldNuclearNews",
                     text)


def test_reference_with_address_shows_it_with_its_access_date(sample: SampleProject):
    sample.edit("data/sources.yaml", "    date: 2026-03-01\n",
                "    date: 2026-03-01\n    url: https://news.example.org/press\n"
                "    accessed: 2026-04-15\n")
    checked = check(sample.path)
    assert checked.problems == []
    html = render_html_of(sample.path, "fr")
    assert "Adresse\u00a0: https://news.example.org/press (consultée le 15 avril 2026)." in html
    assert 'id="source-press"' in html


def render_html_of(root: Path, lang: str) -> str:
    from proposal.render.pdf import render_html
    checked = check(root)
    return render_html(checked.project, checked.figures, lang, root)


# ---------------------------------------------------------------- abbreviations


def abbreviations(edition: Read) -> list[tuple[str, str]]:
    listed = edition.html.split('<dl class="abbreviations">')[1].split("</dl>")[0]
    found = re.findall(r"<div><dt>([^<]+)</dt><dd>([^<]+)</dd></div>", listed)
    return [(term, expansion.replace("&#39;", "'")) for term, expansion in found]


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", [("CNRS", "French National Centre for Scientific Research"),
            ("EU", "European Union"), ("AI", "artificial intelligence"),
            ("EDF", "Électricité de France SA"), ("GPU", "graphics processing unit (accelerator)"),
            ("AION", "AION – French AI Gigafactory Consortium")]),
    ("fr", [("CNRS", "Centre national de la recherche scientifique"),
            ("UE", "Union européenne"), ("IA", "intelligence artificielle"),
            ("EDF", "Électricité de France SA"), ("MW", "mégawatt")]),
])
def test_abbreviations_list_expands_what_the_pages_use(editions, lang, expected):
    edition = editions[lang]
    entries = abbreviations(edition)
    for entry in expected:
        assert entry in entries
    terms = [term for term, _ in entries]
    assert terms == sorted(terms, key=lambda t: (t.casefold(), t))
    # only terms the pages use: the other edition's words stay out
    assert ("IA" in terms) == (lang == "fr") and ("AI" in terms) == (lang == "en")
    page = edition.destination_page("abbreviations")
    assert "CNRS" in edition.pages[page - 1]


def test_unexpanded_capitals_are_a_located_warning(sample: SampleProject):
    sample.edit("data/consortium.yaml", "abbreviations:\n",
                "abbreviations:\n  CNRS: {en: French National Centre for Scientific Research, "
                "fr: Centre national de la recherche scientifique}\n")
    text = (sample.path / "data/consortium.yaml").read_text(encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "abstract:" in row)
    column = text.splitlines()[line - 1].index("{en:") + 6
    sample.edit("data/consortium.yaml", "{en: A short abstract.,", "{en: XQZW and CNRS.,")
    problems = [str(p) for p in check(sample.path).problems]
    assert problems == [
        f"data/consortium.yaml:{line}:{column}: warning: `texts.abstract.en` writes `XQZW`, which "
        "the list of abbreviations cannot expand: add `XQZW: {en: ..., fr: ...}` under "
        "`abbreviations:` in `data/consortium.yaml` [abbreviation]"]


def test_abbreviation_term_is_validated(sample: SampleProject):
    sample.edit("data/consortium.yaml", "  CEO: ", "  c e o: ")
    assert [str(p) for p in check(sample.path).problems] == [
        "data/consortium.yaml:25:10: error: `abbreviations.c e o` is 'c e o'; expected an "
        "abbreviation as texts write it, such as EU, GPU or CO2e [invalid-value]"]


# ------------------------------------------------------------------------ cover


@pytest.mark.parametrize("lang", LANGS)
def test_cover_shows_partners_contributions_duration_and_contact(editions, example, lang):
    project, figures = example
    cover = editions[lang].pages[0]
    for partner in project.partners:
        assert squash(partner.short_name) in cover
    loc = Locale(lang)
    for source in ("eu", "member_state"):
        assert squash(loc.money(figures.financing.loc[source, "amount_eur"])) in cover
    assert {"en": "60monthsfrom1January2027", "fr": "60moisàpartirdu1janvier2027"}[lang] \
        in cover
    assert {"en": "Bidcoordinationoffice,Scaleway",
            "fr": "Bureaudecoordinationdelacandidature,Scaleway"}[lang] in cover
    assert editions[lang].destination_page("lists") > 1  # the cover stays one page


def test_cover_contact_is_validated_and_listed_as_an_assumption(sample: SampleProject):
    sample.edit("data/consortium.yaml", "agreement_years: 5\n",
                "agreement_years: 5\ncontact:\n  role: {en: Bid office, fr: Bureau}\n"
                "  email: not-an-address\n")
    assert [str(p) for p in check(sample.path).problems] == [
        "data/consortium.yaml:11:10: error: `contact.email` is 'not-an-address'; expected an "
        "e-mail address such as bid-office@example.org [invalid-value]"]
    sample.edit("data/consortium.yaml", "  email: not-an-address\n",
                "  email: bid-office@example.org\n  assumption: true\n")
    assert check(sample.path).problems == []
    html = render_html_of(sample.path, "en")
    assert "Bid office, Alpha<br>bid-office@example.org" in html
    assert "Contact of the proposal" in html.split('id="sec-assumed-figures"')[1]


def test_access_date_is_validated(sample: SampleProject):
    sample.edit("data/sources.yaml", "    date: 2026-03-01\n",
                "    date: 2026-03-01\n    accessed: 2026-13-01\n")
    assert [str(p) for p in check(sample.path).problems] == [
        "data/sources.yaml:7:15: error: `2026-13-01` is not a date (month must be in 1..12); "
        "expected a date written YYYY-MM-DD, such as 2027-01-31 [invalid-date]"]


def _html_in_two_passes(edition: Edition) -> str:
    """The edition as the builder laid it out before its single pass: rendered twice,
    the second pass listing what the first recorded."""
    template = _environment(edition.loc.lang).get_template("proposal.html")
    context = edition.context()
    edition.apparatus.settle(template.render(context))
    return template.render(context)


@pytest.mark.parametrize("lang", LANGS)
def test_single_pass_prints_what_two_passes_print(example, lang):
    project, figures = example
    once = _html(Edition(project, figures, lang, EXAMPLE.resolve()))
    assert once == _html_in_two_passes(Edition(project, figures, lang, EXAMPLE.resolve()))
    assert "\ue000" not in once  # no token left
    references = re.findall(r'<a class="xref" href="#((?:table|figure)-\d+)">', once)
    assert len(references) >= 3 and "table-0" not in references
    assert re.search(r'<ol class="captions">\s*<li><a href="#table-1">', once)


def test_single_pass_refuses_a_reference_to_no_table(example):
    project, figures = example
    edition = Edition(project, figures, "en", EXAMPLE.resolve())
    edition.apparatus.defer()
    edition.apparatus.number("table", "A caption.", "known")
    edition.apparatus.see("unknown")
    with pytest.raises(KeyError, match="unknown"):
        edition.apparatus.complete("<body></body>", "", lambda: "")
