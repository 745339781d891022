"""Both languages wherever a reader looks: labels, proper names, typography.

Every label of the input is bilingual or declared as a proper name, and a plain string
where both languages are expected is a located `missing-translation` error. The
example's two editions (PDF text read back with pypdf, every text cell and sheet name
of the workbook) are scanned for words of the other language; the typography of both
editions is checked on the same text: no-break spaces in French, numbers kept with
their units, true minus signs.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import pairwise

import pypdf
import pytest
from babel.messages.pofile import read_po
from fontTools.ttLib import TTFont
from openpyxl import load_workbook

from proposal.compute import Figures, compute_figures
from proposal.i18n import DOMAINS, LOCALE_DIR, UNITS, Locale, typeset
from proposal.models import Original, Project, Proper, Text, proper_names, walk_project
from proposal.pipeline import check
from proposal.render.pdf import TEMPLATES, render_pdf
from proposal.render.workbook import render_workbook

from .conftest import EXAMPLE, SampleProject

LANGS = ("en", "fr")
OTHER = {"en": "fr", "fr": "en"}
NBSP, NNBSP, MINUS = "\u00a0", "\u202f", "\u2212"


# ----------------------------------------------------------------- the model


def problems_of(sample: SampleProject) -> list[str]:
    return [str(p) for p in check(sample.path).problems]


@pytest.mark.parametrize(("file", "old", "new", "message"), [
    ("data/cost_model.yaml", "name: {proper: Paris}", "name: Paris",
     "data/cost_model.yaml:12:11: error: `sites[0].name` is 'Paris', in one language only; "
     "write it in both languages (`{en: ..., fr: ...}`) or declare it as a proper name "
     "(`{proper: ...}`) [missing-translation]"),
    ("data/cost_model.yaml", "region: {proper: Île-de-France}", "region: {en: Île-de-France}",
     "data/cost_model.yaml:13:13: error: `sites[0].region` has missing French text (`fr`); "
     "every text needs both `en` and `fr` [missing-translation]"),
    ("data/financing.yaml", "lender: {en: EIB, fr: BEI}", "lender: EIB",
     "data/financing.yaml:9:13: error: `debt[0].lender` is 'EIB', in one language only; write "
     "it in both languages (`{en: ..., fr: ...}`) or declare it as a proper name "
     "(`{proper: ...}`) [missing-translation]"),
    ("data/consortium.yaml", "name: {en: Minimal Test Consortium, fr: Consortium de test "
     "minimal}", "name: Minimal Test Consortium",
     "data/consortium.yaml:1:7: error: `name` is 'Minimal Test Consortium', in one language "
     "only; write it in both languages (`{en: ..., fr: ...}`) or declare it as a proper name "
     "(`{proper: ...}`) [missing-translation]"),
    ("data/sources.yaml", "title: {text: Example press release, lang: en}",
     "title: Example press release",
     "data/sources.yaml:3:12: error: `sources.press.title` is 'Example press release', in one "
     "language only; write it in both languages (`{en: ..., fr: ...}`) or keep it as "
     "published, marked with its language (`{text: ..., lang: en}`) [missing-translation]"),
    ("data/sources.yaml", "document: {en: Press release of 1 March 2026, fr: Communiqué du "
     "1er mars 2026}", "document: {fr: Communiqué du 1er mars 2026}",
     "data/sources.yaml:5:15: error: `sources.press.document` has missing English text "
     "(`en`); every text needs both `en` and `fr` [missing-translation]"),
    ("data/cost_model.yaml", "name: {proper: NVIDIA H100}", "name: 5",
     "data/cost_model.yaml:6:11: error: `accelerator_types[0].name` is 5; expected a mapping "
     "with `en` and `fr` texts, or `{proper: ...}` [wrong-type]"),
    ("data/sources.yaml", "publisher: {proper: Example News}",
     "publisher: {proper: Example News, en: News}",
     "data/sources.yaml:4:39: error: unknown key `en`; expected one of: proper [unknown-key]"),
])
def test_a_label_in_one_language_is_a_located_error(sample: SampleProject, file: str, old: str,
                                                    new: str, message: str) -> None:
    sample.edit(file, old, new)
    assert problems_of(sample) == [message]


def test_a_text_kept_in_its_language_is_named_in_the_other_edition() -> None:
    title = Original(text="EDF joins alliance", lang="en")
    assert Locale("en").text(title) == "EDF joins alliance"
    assert Locale("fr").text(title) == "EDF joins alliance (en anglais)"
    assert Locale("en").text(Original(text="Communiqué", lang="fr")) == "Communiqué (in French)"
    assert Locale("fr").text(Proper(proper="World Nuclear News")) == "World Nuclear News"
    assert Locale("fr").text(Text(en="Site: a", fr="Site : a")) == f"Site{NBSP}: a"


# ---------------------------------------------------------------- typography


@pytest.mark.parametrize(("lang", "text", "expected"), [
    ("fr", "Site: Paris", f"Site{NBSP}: Paris"),
    ("fr", "Site : Paris", f"Site{NBSP}: Paris"),
    ("fr", "vrai ; faux ! non ?", f"vrai{NNBSP}; faux{NNBSP}! non{NNBSP}?"),
    ("fr", "34 % et 20%", f"34{NNBSP}% et 20{NNBSP}%"),
    ("fr", "une « équipe »", f"une «{NBSP}équipe{NBSP}»"),
    ("fr", 'une "équipe"', f"une «{NBSP}équipe{NBSP}»"),
    ("fr", "5 000 GPU et 288 000 H100", f"5{NNBSP}000 GPU et 288{NNBSP}000 H100"),
    ("fr", "de 100 MW à 1 GW", f"de 100{NBSP}MW à 1{NBSP}GW"),
    ("fr", "https://example.com/a?b=1 10:30", "https://example.com/a?b=1 10:30"),
    ("en", "from 100 MW to 1 GW, 200 t CO2e", f"from 100{NBSP}MW to 1{NBSP}GW, "
                                               f"200{NBSP}t{NBSP}CO2e"),
    ("en", "EUR 10 billion", f"EUR{NBSP}10{NBSP}billion"),
    ("en", "a change of -20 %, 120-130 kW", f"a change of {MINUS}20{NBSP}%, 120-130{NBSP}kW"),
    ("en", "Site: Paris; 34 %", f"Site: Paris; 34{NBSP}%"),
    ("en", "%(power)s MW, {number} GWh, %(share)s", f"%(power)s{NBSP}MW, {{number}}{NBSP}GWh, "
                                                    "%(share)s"),
])
def test_typeset(lang: str, text: str, expected: str) -> None:
    assert typeset(text, lang) == expected
    assert typeset(expected, lang) == expected  # applying it again changes nothing


@pytest.mark.parametrize(("lang", "formatted"), [
    ("en", {"money": f"{MINUS}€1,234", "number": f"{MINUS}1,234.5", "percent": f"{MINUS}17.5%",
            "short": f"{MINUS}€1.2{NBSP}billion"}),
    ("fr", {"money": f"{MINUS}1{NNBSP}234{NBSP}€", "number": f"{MINUS}1{NNBSP}234,5",
            "percent": f"{MINUS}17,5{NNBSP}%", "short": f"{MINUS}1,2{NBSP}milliards d’euros"}),
])
def test_formatted_numbers_carry_minus_signs_and_no_break_spaces(lang, formatted) -> None:
    loc = Locale(lang)
    assert {"money": loc.money(-1234), "number": loc.number(-1234.5, 1),
            "percent": loc.percent(-0.175), "short": loc.money_short(-1.2e9)} == formatted
    assert loc.quantity(200, "MW") == f"200{NBSP}MW"


def test_the_shipped_fonts_draw_the_typographic_characters() -> None:
    for font in sorted((TEMPLATES / "fonts").glob("*.[ot]tf")):
        cmap = TTFont(font).getBestCmap()
        missing = [f"U+{ord(c):04X}" for c in (NBSP, NNBSP, MINUS, "«", "»", "’", "–")
                   if ord(c) not in cmap]
        assert not missing, (font.name, missing)


# ------------------------------------------------------- the example's editions


def _render(lang: str) -> str:
    checked = check(EXAMPLE)
    pdf = render_pdf(checked.project, checked.figures, lang, EXAMPLE, checked.locations).pdf
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture(scope="module")
def example() -> tuple[Project, Figures]:
    project = check(EXAMPLE).project
    return project, compute_figures(project)


@pytest.fixture(scope="module")
def pdf_text() -> dict[str, str]:
    """The text of both editions of the example (pypdf keeps no-break spaces)."""
    with ProcessPoolExecutor(max_workers=2) as pool:
        futures = {lang: pool.submit(_render, lang) for lang in LANGS}
        return {lang: future.result() for lang, future in futures.items()}


@pytest.fixture(scope="module")
def workbook_cells(example) -> dict[str, list[tuple[str, str]]]:
    """Every text a reader of each workbook sees, as (where, text): sheet names and the
    string cells, without the cells that hold a defined name."""
    project, figures = example
    cells = {}
    for lang in LANGS:
        workbook = load_workbook(io.BytesIO(render_workbook(project, figures, lang)))
        names = set(workbook.defined_names)
        cells[lang] = [(ws.title, ws.title) for ws in workbook] + [
            (f"{ws.title}!{cell.coordinate}", cell.value)
            for ws in workbook for row in ws.iter_rows() for cell in row
            if isinstance(cell.value, str) and cell.data_type == "s"
            and cell.value not in names]
    return cells


PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}|%%")
IDENTIFIER = re.compile(r"[_/@]|\w[.:]\w|[^\W\d_]\d|\d[^\W\d_]|[a-z][A-Z]")
"""Tokens that are codes, not words: ids and keys (`max_power_mw`, `ardian:equity`),
file names and URLs, model and work-plan codes (`H100`, `WP1`), defined names."""


def words(texts: Iterable[str]) -> set[str]:
    """The words of some texts, case-folded; placeholders of the catalogs left out."""
    return {word for text in texts
            for word in re.findall(r"[^\W\d_]+", PLACEHOLDER.sub(" ", text).casefold())}


def catalog_texts(lang: str) -> Iterator[str]:
    """The fixed wording of one language: the French translations, the English msgids."""
    for domain in DOMAINS:
        with (LOCALE_DIR / "fr" / "LC_MESSAGES" / f"{domain}.po").open("rb") as handle:
            for message in read_po(handle):
                forms = message.id if lang == "en" else message.string
                yield from (forms if isinstance(forms, tuple) else (forms,))


def data_texts(project: Project, lang: str) -> Iterator[str]:
    """The data's texts in one language."""
    for _file, _path, node in walk_project(project):
        if isinstance(node, Text):
            yield node[lang]


@pytest.fixture(scope="module")
def foreign(example) -> dict[str, set[str]]:
    """For each edition, the words of the other language that must not appear in it.

    Method: the words of each language are those of its texts in the data and of its
    side of the catalogs (the English msgids, the French translations). A word of the
    other language is foreign to an edition unless it is also a word of the edition's
    own language (`consortium`, `phase`, `site`, `GPU`...) or a word of a text the input
    declares printed as written: proper names (partners, people, `{proper: ...}`
    names) and texts kept in their own language (`{text: ..., lang: en}`, which the
    other edition names). So an English label that reaches the French edition without
    a translation, or without being declared a proper name, fails the scan.
    """
    project, _figures = example
    language = {lang: words([*data_texts(project, lang), *catalog_texts(lang)])
                for lang in LANGS}
    declared = words(proper_names(project))
    return {lang: language[OTHER[lang]] - language[lang] - declared for lang in LANGS}


@pytest.fixture(scope="module")
def identifiers(example) -> set[str]:
    """Every code a reader may see as written in both editions: ids (partners, sites,
    phases, work-plan items, sources, financing sources) and country codes."""
    project, figures = example
    codes = {getattr(node, key) for _file, _path, node in walk_project(project)
             for key in ("id", "country") if isinstance(getattr(node, key, None), str)}
    return (codes | {project.consortium.member_state} | set(project.sources)
            | {str(source) for source in figures.financing.index})


def reader_words(text: str, identifiers: set[str]) -> set[str]:
    """The words a reader reads in a text of an edition: words hyphenated at a line end
    joined, codes and ids left out, and the keys of a YAML location (`data/x.yaml: a ›
    b`) too, which the annex prints as the bid team writes them."""
    tokens = re.sub(r"[\u2010\u00ad-]\n", "", text).split()
    kept = []
    for i, token in enumerate(tokens):
        bare = token.strip("()[],.;:!?«»\"'’")
        in_location = "\u203a" in tokens[max(i - 1, 0):i + 2]
        if not (in_location or bare in identifiers or IDENTIFIER.search(bare)):
            kept.append(bare)
    return words(kept)


def where_found(word: str, places: list[tuple[str, str]]) -> str:
    where, text = next((where, text) for where, text in places
                       if re.search(rf"(?i)(?<!\w){re.escape(word)}(?!\w)", text))
    return f"{word!r} in {where}: {text[:80]!r}"


@pytest.mark.parametrize("lang", LANGS)
def test_no_word_of_the_other_language_in_the_pdf(pdf_text, foreign, identifiers, lang):
    leaks = reader_words(pdf_text[lang], identifiers) & foreign[lang]
    lines = [("PDF", line) for line in pdf_text[lang].splitlines()]
    assert not leaks, [where_found(word, lines) for word in sorted(leaks)]


@pytest.mark.parametrize("lang", LANGS)
def test_no_word_of_the_other_language_in_the_workbook(workbook_cells, foreign, identifiers,
                                                       lang):
    cells = workbook_cells[lang]
    leaks = set().union(*(reader_words(text, identifiers) for _where, text in cells))
    leaks &= foreign[lang]
    assert not leaks, [where_found(word, cells) for word in sorted(leaks)]


def test_the_scan_finds_an_english_label(foreign, identifiers):
    """The method catches what it is for: the labels the French edition used to show."""
    leaked = "Statut Membre (founding member), European Investment Bank, Former EDF site"
    found = reader_words(leaked, identifiers) & foreign["fr"]
    assert found == {"founding", "member", "european", "investment", "bank", "former"}


def test_statuses_and_sources_speak_french(pdf_text):
    text = pdf_text["fr"]
    assert "Membre (membre fondateur)" in text
    assert "Banque européenne d'investissement" in text
    assert "EDF joins alliance to support AI gigafactory bid (en anglais)" in text


# --------------------------------------------------- typography of the editions


def test_french_punctuation_has_its_no_break_spaces(pdf_text):
    """`Site : X` with U+00A0, `; ! ?` and `%` after U+202F. The axis labels of charts
    (`20 %` alone on a line) are left out: WeasyPrint draws SVG text letter by letter and
    a space there cannot break."""
    text = pdf_text["fr"]
    assert re.findall(rf".{{0,20}}(?<!{NBSP}):(?=\s).{{0,20}}", text) == []
    assert re.findall(rf".{{0,20}}(?<!{NNBSP})[;!?](?=\s).{{0,20}}", text) == []
    running = "\n".join(line for line in text.splitlines()
                         if not re.fullmatch(r"[\d,]+\s?%", line.strip()))
    assert re.findall(rf".{{0,20}}\d[ {NBSP}]?%.{{0,20}}", running) == []
    assert f"{NBSP}: " in text and f"{NNBSP}; " in text and f"{NNBSP}%" in text


@pytest.mark.parametrize("lang", LANGS)
def test_no_number_is_parted_from_its_unit(pdf_text, lang):
    """No line ends with a number whose unit starts the next line (nor with a currency
    written before the amount that starts it), and no breakable space stands between a
    number and its unit."""
    lines = [line.strip() for line in pdf_text[lang].splitlines()]
    unit = re.compile(UNITS)
    currency = r"(?:EUR|€)$" if lang == "en" else r"EUR$"
    parted = [(line[-30:], after[:30]) for line, after in pairwise(lines)
              if (re.search(r"\d$", line) and unit.match(after))
              or (re.search(currency, line) and re.match(r"\d", after))]
    assert parted == []
    assert re.findall(r".{0,20}\d (?:[kMGT]W|[kMGT]Wh|GW)\b.{0,10}", pdf_text[lang]) == []


@pytest.mark.parametrize("lang", LANGS)
def test_negative_numbers_have_minus_signs(pdf_text, lang):
    text = pdf_text[lang]
    assert re.findall(r".{0,20}(?<![\w\u2010-\u2015-])-€?\d.{0,10}", text) == []
    assert re.search(rf"{MINUS}\d", text)  # the sensitivity table's negative changes


@pytest.mark.parametrize("catalog", sorted(
    LOCALE_DIR.glob("*/LC_MESSAGES/*.po")), ids=lambda path: "/".join(
        path.parts[-3::2]))
def test_catalogs_are_well_formed(catalog) -> None:
    """A catalog a merge or a hand edit broke (an entry without its msgstr) is refused
    here, not half read at run time with a warning on the build's output."""
    with catalog.open("rb") as po:
        read_po(po, abort_invalid=True)
