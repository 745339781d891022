"""Figures in texts: `${name}` placeholders, written out per language, checked before and
after compute, and the example's texts quoting its figures through them."""

from __future__ import annotations

import re

import pytest

from proposal.i18n import Locale
from proposal.pipeline import check
from proposal.placeholders import (
    NAMED,
    bilingual_texts,
    candidates,
    figures_written,
    fill,
    format_figure,
    markdown_table,
)
from proposal.render.pdf import render_html
from proposal.render.workbook import render_workbook

from .conftest import EXAMPLE, REPO, SampleProject

NBSP, NNBSP = "\u00a0", "\u202f"


def problems_of(sample: SampleProject) -> list[str]:
    return [str(p) for p in check(sample.path).problems]


def set_abstract(sample: SampleProject, en: str, fr: str = "Un court résumé.") -> None:
    sample.edit("data/consortium.yaml", "abstract: {en: A short abstract., fr: Un court résumé.}",
                f'abstract: {{en: "{en}", fr: "{fr}"}}')


# ------------------------------------------------------------------- registry


def test_readme_table_is_the_registry() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Figures in texts\n", 1)[1].split("\n## ", 1)[0]
    table = "\n".join(line for line in section.splitlines() if line.startswith("| `${")
                      or line.startswith("| placeholder") or line == "|---|---|---|")
    assert table == markdown_table()


def test_every_name_resolves_on_the_example() -> None:
    """Each name and family has a value, or says why it may have none."""
    checked = check(EXAMPLE)
    project, figures = checked.project, checked.figures
    for named in NAMED.values():
        keys = named.keys(project) if named.keys else []
        for key in ([] if named.needs_key else [None]) + keys[:1]:
            value = named.value(project, figures, key)
            assert value is not None or named.absent, (named.name, key)


# ----------------------------------------------------------------- formatting


@pytest.mark.parametrize(("value", "kind", "en", "fr"), [
    (9_997_492_979.66, "money", "€10 billion", "10 milliards d’euros"),
    (2_281_730_850.5, "money", "€2.28 billion", "2,28 milliards d’euros"),
    (1_699_574_000.0, "money", "€1,700 million", f"1{NNBSP}700 millions d’euros"),
    (1_654_633.4, "money", "€1,654,633", f"1{NNBSP}654{NNBSP}633{NBSP}€"),
    (3.100851, "money", "€3.10", f"3,10{NBSP}€"),
    (100.0, "power", "100 MW", "100 MW"),
    (99.2, "power", "99.2 MW", "99,2 MW"),
    (1000.0, "power", "1 GW", "1 GW"),
    (1681.92, "energy", "1,682 GWh", f"1{NNBSP}682 GWh"),
    (50_457.6, "emissions", "50,458 t CO2e", f"50{NNBSP}458 t CO2e"),
    (288_000.0, "count", "288,000", f"288{NNBSP}000"),
    (1.2, "ratio", "1.2", "1,2"),
    (0.8, "share", "80%", f"80{NNBSP}%"),
    (0.140035, "share", "14%", f"14{NNBSP}%"),
    (2031, "year", "2031", "2031"),
])
def test_figures_are_written_as_prose_writes_them(value, kind, en, fr) -> None:
    for lang, expected in (("en", en), ("fr", fr)):
        written = format_figure(value, kind, Locale(lang)).replace(NBSP, " ")
        assert written == expected.replace(NBSP, " "), lang


def test_full_keeps_every_digit() -> None:
    assert format_figure(9_997_492_979.66, "money", Locale("en"), full=True) == "€9,997,492,980"
    assert format_figure(189.4, "power", Locale("fr"), full=True) == f"189,4{NBSP}MW"
    assert format_figure(0.140035, "share", Locale("en"), full=True) == "14%"


def test_the_unit_stays_with_its_number() -> None:
    assert format_figure(200, "power", Locale("en")) == f"200{NBSP}MW"
    assert " " not in format_figure(4e9, "money", Locale("fr"))


# ------------------------------------------------------------------ rendering


def test_the_example_texts_quote_its_figures() -> None:
    checked = check(EXAMPLE)
    project, figures = checked.project, checked.figures
    abstract = {lang: fill(project.consortium.texts.abstract[lang], project, figures,
                           Locale(lang)) for lang in ("en", "fr")}
    assert "first phase of 100\u00a0MW [a] and grows to 200\u00a0MW" in abstract["en"]
    assert "clusters of 288,000 H100-equivalent" in abstract["en"]
    assert "close to €10\u00a0billion [a]; Iliad pledges €4\u00a0billion [a]" in abstract["en"]
    assert "près de 10\u00a0milliards\u00a0d’euros [a]" in abstract["fr"]
    assert f"288{NNBSP}000 accélérateurs" in abstract["fr"]
    for _file, _path, lang, text in bilingual_texts(project):
        assert "${" not in fill(text, project, figures, Locale(lang))


def test_the_example_has_no_figure_written_by_hand() -> None:
    assert check(EXAMPLE).warnings == []


def test_a_placeholder_is_plain_text_in_an_escaped_text(sample: SampleProject) -> None:
    sample.edit("partners/beta.yaml", '{en: "${power.p1} of grid connection"',
                '{en: "<b>${power.p1}</b> {{ 7*7 }} of grid connection"')
    checked = check(sample.path)
    assert checked.ok, checked.problems
    html = render_html(checked.project, checked.figures, "en", sample.path)
    assert f"&lt;b&gt;10{NBSP}MW&lt;/b&gt; {{{{ 7*7 }}}} of grid connection" in html
    assert "${" not in html


def test_the_workbook_writes_the_figures_out(sample: SampleProject) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    checked = check(sample.path)
    for lang, expected in (("en", f"10{NBSP}MW of grid connection"),
                           ("fr", f"10{NBSP}MW de raccordement")):
        book = load_workbook(BytesIO(render_workbook(checked.project, checked.figures, lang)))
        texts = [cell.value for sheet in book for row in sheet.iter_rows() for cell in row
                 if isinstance(cell.value, str)]
        assert any(expected in text for text in texts), lang
        assert not any("${" in text for text in texts)


def test_a_text_may_start_with_a_placeholder(sample: SampleProject) -> None:
    sample.edit("data/consortium.yaml", "governance: {en: Alpha coordinates., fr: Alpha "
                "coordonne.}", "governance:\n    en: ${power} in one site.\n"
                "    fr: ${power} sur un site.")
    assert problems_of(sample) == []


# ------------------------------------------------------------------ bad input


def test_placeholders_that_name_no_figure_are_located_errors(sample: SampleProject) -> None:
    set_abstract(sample, "It costs ${total_costs}, ${power.p9}, ${pue.x}, ${opex:bn}, "
                 "${contribution} and ${ total }.")
    where = "data/consortium.yaml:11:18: error: `texts.abstract.en`:"
    assert problems_of(sample) == [
        f"{where} `${{ total }}` is not a placeholder; expected `${{name}}`, `${{name.id}}` or "
        "`${name:full}` with a name of the README's \"Figures in texts\" table [placeholder]",
        f"{where} `${{opex:bn}}` has the format `bn`; expected `${{opex:full}}` or no format "
        "[placeholder]",
        f"{where} `${{contribution}}` needs the id of a partner, such as "
        "`${contribution.alpha}` [unknown-figure]",
        f"{where} `${{power.p9}}`: `p9` is not a phase; expected one of: p1 [unknown-figure]",
        f"{where} `${{pue.x}}`: `pue` is one figure, not one per id; write `${{pue}}` "
        "[unknown-figure]",
        f"{where} `${{total_costs}}` names no figure; did you mean `${{total_cost}}`? "
        "[unknown-figure]",
    ]


def test_a_partner_whose_file_failed_is_no_unknown_id(sample: SampleProject) -> None:
    set_abstract(sample, "Beta brings ${contribution.beta}.")
    sample.edit("partners/beta.yaml", "country: DE", "country: Germany")
    assert [p.code for p in check(sample.path).problems] == ["invalid-value"]


def test_an_unknown_name_is_found_without_compute(sample: SampleProject) -> None:
    """A phase that breaks the call's window stops nothing here: the name is checked by
    validation, whatever compute would make of the rest."""
    set_abstract(sample, "Costs ${total_costs}.")
    from proposal.load import load_project
    from proposal.validate import validate_project

    validated = validate_project(load_project(sample.path))
    assert [p.code for p in validated.problems] == ["unknown-figure"]


def test_a_figure_the_project_lacks_is_a_located_error(sample: SampleProject) -> None:
    set_abstract(sample, "Water: ${water_per_year}.", "Eau : ${water_per_year}.")
    where = "data/consortium.yaml:11:18"
    message = ("`${water_per_year}` has no value for this project: "
               "`cost_model.energy.water_l_per_kwh` is not given; remove the placeholder or "
               "provide what it needs [absent-figure]")
    assert problems_of(sample) == [
        f"{where}: error: `texts.abstract.en`: {message}",
        f"data/consortium.yaml:11:51: error: `texts.abstract.fr`: {message}",
    ]


# ----------------------------------------------------------- numbers by hand


def test_a_number_written_by_hand_is_a_located_warning(sample: SampleProject) -> None:
    set_abstract(sample, "One site of 10 MW.", "Un site de 10 MW.")
    assert [str(p) for p in check(sample.path).warnings] == [
        "data/consortium.yaml:11:18: warning: `texts.abstract.en` writes `10 MW` by hand where "
        "the model has `${power}` (10 MW), `${power.p1}` (10 MW) or `${power_added.p1}` "
        "(10 MW): write one of them instead, so that the text follows the model "
        "[figure-in-text]",
        "data/consortium.yaml:11:44: warning: `texts.abstract.fr` writes `10 MW` by hand where "
        "the model has `${power}` (10 MW), `${power.p1}` (10 MW) or `${power_added.p1}` "
        "(10 MW): write one of them instead, so that the text follows the model "
        "[figure-in-text]",
    ]


@pytest.fixture(scope="module")
def example_figures():
    checked = check(EXAMPLE)
    return candidates(checked.project, checked.figures)


@pytest.mark.parametrize(("lang", "text", "found"), [
    ("en", "The cost is close to EUR 10 billion [a].", ("EUR 10 billion", "${total_cost}")),
    ("en", "It costs €10bn.", ("€10bn", "${total_cost}")),
    ("fr", "Le coût avoisine 10 milliards d'euros [a].", ("10 milliards d'euros",
                                                         "${total_cost}")),
    ("fr", "Le coût avoisine 10 Md€.", ("10 Md€", "${total_cost}")),
    ("en", "Iliad pledges EUR 4,000,000,000.", ("EUR 4,000,000,000", "${contribution.iliad}")),
    ("en", "A first phase of 100 MW.", ("100 MW", "${power.phase-1}")),
    ("en", "Towards 1 GW.", ("1 GW", "${ultimate_power}")),
    ("en", "More than 288,000 H100 equivalents.", ("288,000", "${h100_equivalents}")),
    ("en", "More than 288 000 H100 equivalents.", ("288 000", "${h100_equivalents}")),
    ("fr", "Plus de 288 000 équivalents H100.", ("288 000", "${h100_equivalents}")),
    ("fr", "Plus de 288\u202f000 équivalents H100.", ("288\u202f000", "${h100_equivalents}")),
    ("en", "Phase 1 draws about 99 MW.", ("99 MW", "${accelerator_power.phase-1}")),
    ("en", "A PUE of 1.2 at most.", ("1.2", "${pue}")),
    ("fr", "Un PUE de 1,2 au plus.", ("1,2", "${pue}")),
    ("en", "An average utilisation of 80 %.", ("80 %", "${utilisation}")),
    ("en", "About 736 million GPU-hours a year.", ("736 million", "${gpu_hours_per_year}")),
])
def test_numbers_that_a_placeholder_could_write(example_figures, lang, text, found) -> None:
    [(written, figures)] = list(figures_written(text, lang, example_figures))
    assert (written.text, figures[0].ref) == found


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "In 2026 eight members signed; the target year is 2031."),  # years
    ("en", "Milestone MS1 in month 18 of WP6, section 4.1, 24/7 operations."),  # ids, months
    ("en", "H100/H200-class GPUs, 1.6x per generation, 28 companies."),
    ("en", "About 80 % of the world's compute is in the United States."),  # a share, no name
    ("en", "Inside the 65-70 % private and 30–35 % public split."),  # ranges
    ("fr", "Dans la fourchette de 65-70 % privé ; de 100-120 MW."),
    ("en", "It has invested EUR 20 billion over ten years."),  # no figure is near
    ("en", "A cost of ${total_cost}, then ${power.phase-1} of IT power."),  # placeholders
])
def test_numbers_that_are_no_figure_of_the_model(example_figures, lang, text) -> None:
    assert list(figures_written(text, lang, example_figures)) == []


def test_money_rounded_to_its_leading_digits_is_caught(example_figures) -> None:
    """9.997 bn written as "10 billion" is the total cost, rounded; 20 billion is not."""
    [(written, figures)] = list(figures_written("close to EUR 10 billion", "en",
                                                example_figures))
    assert [f.ref for f in figures] == ["${total_cost}", "${financing_total}"]
    assert re.fullmatch(r"EUR 10 billion", written.text)
