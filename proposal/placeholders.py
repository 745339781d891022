"""Figures in texts: bilingual texts quote the model's figures by name, `${total_cost}`.

A text of the data may write `${name}`, `${name.id}` (a figure of one phase, partner,
work package, share rule or debt facility) or `${name:full}` (every digit, as the
tables show it) where it quotes a figure. The renderers replace each placeholder by
the figure formatted for the edition's language, with its unit; the result is plain
text, escaped like the rest of the text, and nothing else of the text is
interpreted: data is never a template.

`NAMED` is the one registry of the names (the README's "Figures in texts" table is
generated from it). Two checks use it:
- `check_references` (validation, no compute): a malformed placeholder, an unknown
  name, id or format is an error at the text's `file:line:col`;
- `check_figures_in_texts` (after compute): a placeholder whose figure does not exist
  for the project is an error; a number written by hand that equals a figure the text
  could name (allowing for rounding) is a warning that names the placeholder to write.

Why `${...}`: `$` is no YAML indicator, so a plain scalar may start with it, and a
dollar sign followed by a brace occurs in neither English nor French prose; citations
keep their `[a]`. Inside a flow mapping (`{en: ..., fr: ...}`) a text holding braces
must be quoted, as one holding a comma must.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from .i18n import Locale
from .locations import Locations
from .models import LANGUAGES, SOURCES_FILE, Original, Project, Proper, Text, walk_project
from .problems import Problem

if TYPE_CHECKING:
    from .compute import Figures

Kind = Literal["money", "power", "energy", "emissions", "water", "share", "ratio", "count",
               "year"]
"""What a figure measures, which sets its unit and how it is written."""

UNITS: dict[str, str] = {
    "money": "EUR", "power": "MW", "energy": "GWh", "emissions": "t CO2e", "water": "m³",
    "share": "%", "ratio": "", "count": "", "year": "",
}
"""The unit each kind is written with (a count's noun is the text's own)."""

FULL = "full"
"""The one format hint: every digit, as the tables show it."""

PLACEHOLDER = re.compile(
    r"\$\{(?P<name>[a-z][a-z0-9_]*)(?:\.(?P<key>[A-Za-z0-9][A-Za-z0-9_-]*))?"
    r"(?::(?P<hint>[a-z]+))?\}")
"""`${name}`, `${name.id}`, `${name:full}`, `${name.id:full}`."""
OPENING = "${"
"""What starts a placeholder; a text cannot hold it otherwise."""


# ===================================================================== registry


Getter = Callable[[Project, "Figures", str | None], float | None]


@dataclass(frozen=True)
class Named:
    """A figure texts may quote: its name, kind, meaning and where its value comes from."""

    name: str
    """What a text writes between `${` and `}`."""
    kind: Kind
    """What it measures: sets the unit and the way it is written."""
    meaning: str
    """One line for the README's table."""
    value: Getter
    """The figure, from `Figures` or the input: (project, figures, id) -> value, None or
    NaN when the figure does not exist for the project."""
    keys: Callable[[Project], list[str]] | None = None
    """For a family of figures (`${power.phase-1}`): the ids it accepts."""
    key_kind: str = ""
    """What an id names (`phase`), for the table and the messages."""
    key_meaning: str = ""
    """The meaning of `${name.id}`, for the table."""
    needs_key: bool = False
    """Only `${name.id}` exists: the name alone is an error."""
    absent: str = ""
    """When the figure may not exist: why, for the error message."""
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """For shares and ratios, whose round values coincide easily: words one of which a
    sentence must contain for a number in it to be taken for this figure."""


def _phases(project: Project) -> list[str]:
    return [phase.id for phase in project.cost_model.phases]


def _partners(project: Project) -> list[str]:
    return [partner.id for partner in project.partners]


def _packages(project: Project) -> list[str]:
    return [wp.id for wp in project.workplan.work_packages]


def _rules(project: Project) -> list[str]:
    return [rule.id for rule in project.call.share_rules]


def _debts(project: Project) -> list[str]:
    return [str(n) for n in range(1, len(project.financing.debt) + 1)]


def _phase_column(total: str, column: str) -> Getter:
    """The key figure `total` alone; a phase's `column` of `Figures.phases` with an id."""
    return lambda p, f, key: getattr(f, total) if key is None else f.phases.loc[key, column]


def _phase_only(column: str) -> Getter:
    return lambda p, f, key: f.phases.loc[key, column]


def _figure(attr: str) -> Getter:
    return lambda p, f, key: getattr(f, attr)


def _financing(source: str) -> Getter:
    return lambda p, f, key: f.financing.loc[source, "amount_eur"]


PHASE = {"keys": _phases, "key_kind": "phase"}

NAMED_FIGURES: tuple[Named, ...] = (
    # ------------------------------------------------------------------ costs
    Named("total_cost", "money", "total cost: capex plus opex over the horizon",
          _figure("total_cost_eur")),
    Named("capex", "money", "capital expenditure of every phase",
          _phase_column("capex_eur", "capex_eur"), key_meaning="capex of the phase", **PHASE),
    Named("opex", "money", "operating expenditure over the horizon", _figure("opex_eur")),
    Named("steady_state_cost", "money",
          "yearly cost at steady state: capex / amortisation years + opex of the last year",
          _figure("steady_state_cost_per_year_eur")),
    Named("cost_per_gpu_hour", "money", "cost of one delivered accelerator-hour at steady state",
          _figure("cost_per_gpu_hour_eur"), absent="no accelerator-hour is delivered"),
    Named("cost_per_h100_hour", "money",
          "cost of one delivered H100-equivalent hour at steady state",
          _figure("cost_per_h100_hour_eur"), absent="no accelerator-hour is delivered"),
    # --------------------------------------------------------------- capacity
    Named("power", "power", "IT power once the last phase is complete",
          _phase_column("power_mw", "power_mw"),
          key_meaning="IT power once the phase is complete (cumulative)", **PHASE),
    Named("power_added", "power", "", _phase_only("power_added_mw"),
          key_meaning="IT power the phase adds", needs_key=True, **PHASE),
    Named("facility_power", "power", "facility power (IT power x PUE) once the last phase is "
          "complete", _phase_column("facility_power_mw", "facility_power_mw"),
          key_meaning="facility power once the phase is complete", **PHASE),
    Named("accelerator_power", "power", "power the installed accelerators draw at full load",
          _phase_column("accelerator_power_mw", "accelerator_power_mw"),
          key_meaning="power the accelerators installed by the end of the phase draw", **PHASE),
    Named("ultimate_power", "power", "long-term IT power target beyond the costed phases",
          _figure("ultimate_power_mw")),
    Named("ultimate_target_year", "year", "year the ultimate target should be reached",
          _figure("ultimate_target_year"), absent="`cost_model.ultimate_target_year` is not "
          "given"),
    Named("accelerators", "count", "accelerators installed once the last phase is complete",
          _phase_column("accelerators", "accelerators"),
          key_meaning="accelerators installed once the phase is complete (cumulative)", **PHASE),
    Named("accelerators_added", "count", "", _phase_only("accelerators_added"),
          key_meaning="accelerators the phase adds", needs_key=True, **PHASE),
    Named("h100_equivalents", "count", "H100 equivalents installed once the last phase is "
          "complete", _phase_column("h100_equivalents", "h100_equivalents"),
          key_meaning="H100 equivalents installed once the phase is complete (cumulative)",
          **PHASE),
    Named("h100_equivalents_added", "count", "", _phase_only("h100_equivalents_added"),
          key_meaning="H100 equivalents the phase adds", needs_key=True, **PHASE),
    Named("gpu_hours_per_year", "count", "accelerator-hours delivered in the last costed year",
          _figure("gpu_hours_per_year")),
    Named("h100_hours_per_year", "count", "H100-equivalent hours delivered in the last costed "
          "year", _figure("h100_hours_per_year")),
    # ----------------------------------------------------------------- energy
    Named("pue", "ratio", "power usage effectiveness", _figure("pue"),
          words={"en": ("PUE",), "fr": ("PUE",)}),
    Named("utilisation", "share", "average share of the IT power drawn over a year",
          _figure("utilisation"),
          words={"en": ("utilisation", "utilization"), "fr": ("utilisation",)}),
    Named("energy_per_year", "energy", "facility energy drawn in the last costed year",
          _figure("energy_gwh_per_year")),
    Named("emissions_per_year", "emissions", "emissions of that energy in the last costed year",
          _figure("emissions_t_per_year")),
    Named("water_per_year", "water", "water used in the last costed year",
          _figure("water_m3_per_year"),
          absent="`cost_model.energy.water_l_per_kwh` is not given"),
    # -------------------------------------------------------------- financing
    Named("financing_total", "money", "sum of every financing source",
          _figure("financing_total_eur")),
    Named("financing_gap", "money", "total cost minus the financing (negative: a surplus)",
          _figure("financing_gap_eur")),
    Named("eu_contribution", "money", "the EU's share of the total cost, in EUR",
          _financing("eu")),
    Named("eu_share", "share", "the EU's share of the total cost (`financing.eu.share`)",
          lambda p, f, key: p.financing.eu.share.value,
          words={"en": ("EU", "Union", "Joint Undertaking"),
                 "fr": ("UE", "Union", "entreprise commune")}),
    Named("member_state_contribution", "money", "the Member State's share of the total cost, "
          "in EUR", _financing("member_state")),
    Named("member_state_share", "share", "the Member State's share of the total cost",
          lambda p, f, key: p.financing.member_state.share.value,
          words={"en": ("Member State",), "fr": ("État membre",)}),
    Named("contribution", "money", "", lambda p, f, key: f.pledges.loc[key, "total"],
          keys=_partners, key_kind="partner", needs_key=True,
          key_meaning="a partner's pledges (cash, equity, debt) and valued in-kind "
          "contributions that count in the financing"),
    Named("debt", "money", "", lambda p, f, key: f.financing.loc[f"debt:{key}", "amount_eur"],
          keys=_debts, key_kind="debt facility", needs_key=True,
          key_meaning="amount of the n-th facility of `financing.debt`, counted from 1"),
    Named("share", "share", "", lambda p, f, key: f.share_rules.loc[key, "share"],
          keys=_rules, key_kind="share rule", needs_key=True,
          key_meaning="share of the total cost the sources of a share rule of the call bring"),
    # -------------------------------------------------------------- work plan
    Named("person_months", "count", "person-months of the whole work plan",
          lambda p, f, key: f.person_months_total if key is None
          else f.work_packages.loc[key, "person_months"],
          keys=_packages, key_kind="work package", key_meaning="person-months of the work "
          "package"),
    Named("personnel_cost", "money", "cost of those person-months",
          lambda p, f, key: f.personnel_cost_eur if key is None
          else f.work_packages.loc[key, "personnel_cost_eur"],
          keys=_packages, key_kind="work package", key_meaning="personnel cost of the work "
          "package"),
    # ------------------------------------------------------------------- time
    Named("horizon_years", "count", "years of operation costed", _figure("horizon_years")),
    Named("amortisation_years", "count", "years over which equipment is amortised",
          lambda p, f, key: p.cost_model.amortisation_years),
    Named("first_year", "year", "first costed calendar year", _figure("first_year")),
    Named("last_year", "year", "last costed calendar year (the steady-state year)",
          _figure("last_year")),
)
NAMED: dict[str, Named] = {named.name: named for named in NAMED_FIGURES}
"""Every name a text may quote, in the README's order."""


# ===================================================================== references


@dataclass(frozen=True)
class Reference:
    """One `${...}` of a text."""

    written: str
    """As the text writes it."""
    name: str
    key: str | None
    hint: str | None

    @property
    def ref(self) -> str:
        """The placeholder without its format hint: `${power.phase-1}`."""
        return placeholder(self.name, self.key)


def placeholder(name: str, key: str | None = None) -> str:
    """How a text writes the figure `name` (of `key`)."""
    return f"${{{name}}}" if key is None else f"${{{name}.{key}}}"


def scan(text: str) -> Iterator[Reference | str]:
    """Each placeholder of a text, in order: a `Reference`, or the malformed text."""
    start = text.find(OPENING)
    while start >= 0:
        found = PLACEHOLDER.match(text, start)
        if found:
            yield Reference(found.group(), found["name"], found["key"], found["hint"])
            start = text.find(OPENING, found.end())
        else:
            end = text.find("}", start)
            end = len(text) if end < 0 or end - start > 40 else end + 1
            yield text[start:end].split("\n")[0]
            start = text.find(OPENING, start + len(OPENING))


def bilingual_texts(project: Project) -> Iterator[tuple[str, tuple, str, str]]:
    """Every text of the project in each language: (file, path of the value, lang, text)."""
    for file, path, node in walk_project(project):
        if isinstance(node, Text):
            for lang in LANGUAGES:
                yield file, (*path, lang), lang, node[lang]


def _dotted(path: tuple) -> str:
    return ".".join(str(part) for part in path)


def reference_problem(project: Project, reference: Reference | str,
                      partner_ids: frozenset[str] = frozenset()) -> tuple[str, str] | None:
    """What is wrong with one placeholder, as (problem code, message); None when it names
    a figure. `partner_ids` are partners whose file failed on its own: naming one is that
    file's problem, not an unknown partner."""
    if isinstance(reference, str):
        return "placeholder", (
            f"`{reference}` is not a placeholder; expected `${{name}}`, `${{name.id}}` or "
            f"`${{name:{FULL}}}` with a name of the README's \"Figures in texts\" table")
    written, named = reference.written, NAMED.get(reference.name)
    if named is None:
        close = difflib.get_close_matches(reference.name, list(NAMED), n=1)
        hint = f"did you mean `{placeholder(close[0], reference.key)}`?" if close else \
            "expected a name of the README's \"Figures in texts\" table"
        return "unknown-figure", f"`{written}` names no figure; {hint}"
    if reference.hint not in (None, FULL):
        return "placeholder", (f"`{written}` has the format `{reference.hint}`; expected "
                               f"`{reference.ref[:-1]}:{FULL}}}` or no format")
    if named.keys is None:
        if reference.key is None:
            return None
        return "unknown-figure", (f"`{written}`: `{named.name}` is one figure, not one per "
                                  f"id; write `{placeholder(named.name)}`")
    ids = named.keys(project)
    if reference.key is None:
        if not named.needs_key:
            return None
        example = placeholder(named.name, ids[0] if ids else "id")
        return "unknown-figure", (f"`{written}` needs the id of a {named.key_kind}, such as "
                                  f"`{example}`")
    if reference.key not in ids and not (named.keys is _partners and
                                         reference.key in partner_ids):
        return "unknown-figure", (f"`{written}`: `{reference.key}` is not a {named.key_kind}; "
                                  f"expected one of: {', '.join(ids) or 'none'}")
    return None


def check_references(project: Project, at: Locations) -> list[Problem]:
    """An error for each placeholder that is malformed or names no figure, id or format."""
    problems = []
    for file, path, _lang, text in bilingual_texts(project):
        for reference in scan(text):
            if found := reference_problem(project, reference, at.partner_ids):
                code, message = found
                problems.append(at.problem(file, path, code, f"`{_dotted(path)}`: {message}"))
    return problems


def figure_value(project: Project, figures: Figures, name: str, key: str | None) -> float | None:
    """The value of a named figure, None when it does not exist for the project."""
    value = NAMED[name].value(project, figures, key)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def written(value: Text | Proper | Original | None, project: Project, figures: Figures,
            loc: Locale) -> str:
    """A text or name of the data as an edition prints it: a bilingual text in the
    edition's language with its figures written out, typeset; a name as `Locale.text`
    gives it ('' for none). The PDF and the workbook both print data texts through here.
    """
    if isinstance(value, Text):
        return loc.typeset(fill(value[loc.lang], project, figures, loc))
    return loc.text(value)


def fill(text: str, project: Project, figures: Figures, loc: Locale) -> str:
    """The text with each placeholder replaced by its figure in the edition's language.

    `check` has refused every placeholder that would not resolve; one that still does
    not is a bug and raises.
    """
    if OPENING not in text:
        return text

    def written(found: re.Match) -> str:
        value = figure_value(project, figures, found["name"], found["key"])
        if value is None and figures.marks is not None and figures.marks.hidden:
            return "\u2013"  # a figure the edition masks (`confidential.edition_view`)
        if value is None:
            raise ValueError(f"{found.group()} has no value; `check` should have said so")
        return format_figure(value, NAMED[found["name"]].kind, loc, found["hint"] == FULL)

    return PLACEHOLDER.sub(written, text)


# ===================================================================== formatting

NBSP = "\u00a0"
SCALES = ((1e9, "€{number} billion"), (1e6, "€{number} million"))
"""Words for large amounts, from the catalog (`Locale.money_short` uses the same)."""


def format_figure(value: float, kind: Kind, loc: Locale, full: bool = False) -> str:
    """A figure as prose writes it: three significant digits (whole numbers stay whole),
    amounts of 2 million and more in words; `full` keeps every digit.

    Amounts are scaled only from 2 million and 2 billion up, so that the French words
    are always plural ("1 500 millions d'euros", never "1,5 millions").
    """
    if kind == "year":
        return str(int(value))
    if kind == "count":
        return loc.number(value, _decimals(value, 1 if full else 0))
    if kind == "money":
        if not full:
            for size, message in SCALES:
                if abs(value) >= 2 * size:
                    number = loc.number(value / size, _significant(value / size))
                    return loc.gettext(message).format(number=number).replace(" ", NBSP)
        return loc.money(value, 2 if abs(value) < 100 and not float(value).is_integer() else 0)
    if kind == "share":
        decimals = _decimals(value * 100, 2) if full else _significant(value * 100)
        return loc.percent(value, decimals)
    if kind == "power" and value >= 1000 and not full:
        return f"{loc.number(value / 1000, _significant(value / 1000))}{NBSP}GW"
    decimals = _decimals(value, 2) if full else _significant(value)
    number = loc.number(value, decimals)
    return f"{number}{NBSP}{UNITS[kind]}" if UNITS[kind] else number


def _significant(value: float, digits: int = 3) -> int:
    """Decimals that show `digits` significant digits of `value` (none for a value of that
    many whole digits), dropping the trailing zeros."""
    whole = len(str(int(abs(round(value))))) if abs(value) >= 1 else 1
    return _decimals(value, max(0, digits - whole))


def _decimals(value: float, most: int) -> int:
    """The fewest decimals, up to `most`, that show `value` rounded to `most` decimals."""
    target = round(value, most)
    return next(d for d in range(most + 1) if round(value, d) == target)


# ============================================================ numbers written by hand


@dataclass(frozen=True)
class Written:
    """A number a text writes by hand, read as a quantity."""

    text: str
    """As written: `EUR 10 billion`."""
    value: float
    """In the registry's units: EUR, MW, GWh, t, m³, a share of 1, a plain number."""
    place: float
    """The place of its last significant digit, in the same unit: `10 billion` -> 1e10."""
    kind: str
    """`money`, `power`, ..., or `number` when no unit is written."""
    start: int
    """Where it starts in the text."""


SPACES = "[ \u00a0\u202f]"
NUMBERS = {
    "en": rf"(?P<int>\d{{1,3}}(?:,\d{{3}})+|\d{{1,3}}(?:{SPACES}\d{{3}})+|\d+)(?:\.(?P<frac>\d+))?",
    "fr": rf"(?P<int>\d{{1,3}}(?:{SPACES}\d{{3}})+|\d+)(?:,(?P<frac>\d+))?",
}
"""Numbers as each language groups them: `288,000` or `288 000`; `1.2` / `1,2`."""
SCALE_WORDS = {"billion": 1e9, "billions": 1e9, "bn": 1e9, "milliard": 1e9,
               "milliards": 1e9, "Md": 1e9, "Mds": 1e9, "million": 1e6, "millions": 1e6,
               "mn": 1e6, "M": 1e6, "thousand": 1e3, "k": 1e3}
UNIT_WORDS: dict[str, tuple[str, float]] = {
    "€": ("money", 1), "EUR": ("money", 1), "euro": ("money", 1), "euros": ("money", 1),
    "d'euros": ("money", 1), "d’euros": ("money", 1),
    "kW": ("power", 1e-3), "MW": ("power", 1), "GW": ("power", 1e3),
    "kWh": ("energy", 1e-6), "MWh": ("energy", 1e-3), "GWh": ("energy", 1), "TWh": ("energy", 1e3),
    "t CO2e": ("emissions", 1), "tCO2e": ("emissions", 1), "t CO₂e": ("emissions", 1),
    "m³": ("water", 1), "m3": ("water", 1), "%": ("share", 0.01),
}


def _alternatives(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


WRITTEN = {
    lang: re.compile(
        rf"(?<![\w/.,\u2212-])(?:(?P<before>EUR|€){SPACES}?)?{number}"
        rf"(?:{SPACES}?(?P<scale>{_alternatives([w for w in SCALE_WORDS if w not in ('M', 'k')])}"
        rf"|[Mk](?=€)))?"
        rf"(?:{SPACES}?(?P<unit>{_alternatives(list(UNIT_WORDS))}))?"
        rf"(?![\w/]|[.,]\d)")
    for lang, number in NUMBERS.items()
}
"""A number with what may come around it: a currency before, a scale word, a unit."""
RANGE_AFTER = re.compile(rf"{SPACES}?[-–—]{SPACES}?\d")
RANGE_BEFORE = re.compile(rf"\d{SPACES}?[-–—]{SPACES}?$")
SENTENCE_END = re.compile(r"[.;:!?](?:\s|$)|\n\n")


def written_numbers(text: str, lang: str) -> Iterator[Written]:
    """The numbers a text writes by hand that could be figures of the model.

    Left out: numbers inside words or ids (`H100`, `MS1`, `WP6`), around a slash
    (`24/7`), either end of a range (`65-70 %`), years (a four-digit number from 1900 to
    2100 without unit), and other numbers without unit below 1,000 (ordinals, counts of
    people or sections, months, section numbers), unless they have decimals.
    """
    text = PLACEHOLDER.sub("§", text)
    for found in WRITTEN[lang].finditer(text):
        if RANGE_AFTER.match(text, found.end()) or RANGE_BEFORE.search(text, 0, found.start()):
            continue
        whole = re.sub(r"\D", "", found["int"])
        frac = found["frac"] or ""
        scale = SCALE_WORDS.get(found["scale"] or "", 1)
        currency = found["before"] or (found["unit"] if found["unit"] in
                                       ("€", "EUR", "euro", "euros", "d'euros", "d’euros")
                                       else None)
        kind, factor = UNIT_WORDS[found["unit"]] if found["unit"] else ("number", 1)
        if currency:
            kind, factor = "money", 1
        value = float(f"{whole}.{frac or 0}") * scale * factor
        zeros = len(whole) - len(whole.rstrip("0")) if whole.strip("0") else 0
        place = 10.0 ** (-len(frac) if frac else zeros) * scale * factor
        if kind == "number" and not frac and (value < 1000 or (
                found["scale"] is None and len(found["int"]) == 4 and 1900 <= value <= 2100)):
            continue
        yield Written(found.group().strip(), value, place, kind, found.start())


def _matches(written: Written, value: float) -> bool:
    """`written` is `value` as prose would write it: `value` rounded to the written
    number's last significant digit, and within 5 % of it."""
    value = abs(value)
    if written.value == 0:
        return False
    rounded = round(value / written.place) * written.place
    return (math.isclose(rounded, written.value, rel_tol=1e-9)
            and abs(value - written.value) <= 0.05 * written.value)


KINDS_OF_WRITTEN: dict[str, tuple[str, ...]] = {
    "money": ("money",), "power": ("power",), "energy": ("energy",),
    "emissions": ("emissions",), "water": ("water",), "share": ("share",),
    "number": ("count", "ratio", "share"),
}
"""Which kinds of figure a number with this unit may be."""


@dataclass(frozen=True)
class Candidate:
    """A figure a text could quote: its placeholder, kind, value and words."""

    ref: str
    kind: Kind
    value: float
    words: dict[str, tuple[str, ...]]


def candidates(project: Project, figures: Figures) -> list[Candidate]:
    """Every figure of the registry that exists for the project, each id of a family
    included, in the registry's order."""
    found = []
    for named in NAMED_FIGURES:
        keys: list[str | None] = [] if named.needs_key else [None]
        if named.keys is not None:
            keys += named.keys(project)
        for key in keys:
            value = figure_value(project, figures, named.name, key)
            if value is None or named.kind == "year":
                continue
            words = named.words
            if named.name == "share" and key is not None:
                # a share rule's id ("public-max") is how prose names it; its words'
                # first four letters cover both languages ("publ": public, publique)
                stems = tuple(part[:4] for part in re.split(r"[-_]", key) if len(part) > 3)
                words = {"en": stems, "fr": stems}
            found.append(Candidate(placeholder(named.name, key), named.kind, value, words))
    return found


def _sentence(text: str, at: int) -> str:
    starts = [m.end() for m in SENTENCE_END.finditer(text, 0, at)]
    end = SENTENCE_END.search(text, at)
    return text[starts[-1] if starts else 0:end.start() if end else len(text)]


def _named_in(words: tuple[str, ...], sentence: str) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(word)}", sentence, re.IGNORECASE)
               for word in words)


def figures_written(text: str, lang: str, figures: list[Candidate]) -> Iterator[
        tuple[Written, list[Candidate]]]:
    """Each number the text writes by hand with the figures it equals: those it equals
    exactly when there are, else those it rounds."""
    for written in written_numbers(text, lang):
        kinds = KINDS_OF_WRITTEN[written.kind]
        if written.kind == "number" and written.place >= 1:
            kinds = ("count",)  # a whole number without unit is no share or ratio
        found = [c for c in figures
                 if c.kind in kinds and _matches(written, c.value)
                 and (c.kind not in ("share", "ratio")
                      or _named_in(c.words.get(lang, ()), _sentence(text, written.start)))]
        exact = [c for c in found if math.isclose(abs(c.value), written.value, rel_tol=1e-9)]
        if found:
            yield written, exact or found


def check_figures_in_texts(project: Project, figures: Figures, at: Locations) -> list[Problem]:
    """After compute: an error for each placeholder whose figure does not exist for the
    project; a warning for each number written by hand that a placeholder could write."""
    problems = []
    english = Locale("en")
    known = candidates(project, figures)
    for file, path, lang, text in bilingual_texts(project):
        for reference in scan(text):
            if isinstance(reference, Reference) and reference.name in NAMED and \
                    figure_value(project, figures, reference.name, reference.key) is None:
                reason = NAMED[reference.name].absent or "it cannot be computed"
                problems.append(at.problem(
                    file, path, "absent-figure",
                    f"`{_dotted(path)}`: `{reference.written}` has no value for this project: "
                    f"{reason}; remove the placeholder or provide what it needs"))
        if file == SOURCES_FILE:
            continue  # a source's title and description quote what it said, as it said it
        for written, found in figures_written(text, lang, known):
            shown = [f"`{c.ref}` ({_plain_spaces(format_figure(c.value, c.kind, english, True))})"
                     for c in found[:3]]
            names, write = (shown[0], f"`{found[0].ref}`") if len(shown) == 1 else \
                (f"{', '.join(shown[:-1])} or {shown[-1]}", "one of them")
            problems.append(at.problem(
                file, path, "figure-in-text",
                f"`{_dotted(path)}` writes `{written.text}` by hand where the model has "
                f"{names}: write {write} instead, so that the text follows the model",
                severity="warning"))
    return problems


def _plain_spaces(text: str) -> str:
    """No-break spaces as plain ones, for messages printed on a terminal."""
    return text.replace(NBSP, " ").replace("\u202f", " ")


# ========================================================================== README


def markdown_table() -> str:
    """The README's table of the names texts may quote, generated from `NAMED`."""
    rows = ["| placeholder | figure | unit |", "|---|---|---|"]
    for named in NAMED_FIGURES:
        unit = UNITS[named.kind] or {"count": "number", "ratio": "number",
                                     "year": "year"}[named.kind]
        if named.kind == "power":
            unit = "MW (GW from 1,000 MW)"
        if not named.needs_key:
            absent = f" (none when {_lowered(named.absent)})" if named.absent else ""
            rows.append(f"| `{placeholder(named.name)}` | {named.meaning}{absent} | {unit} |")
        if named.keys is not None:
            family = placeholder(named.name, f"<{named.key_kind.replace(' ', '_')}>")
            rows.append(f"| `{family}` | {named.key_meaning} | {unit} |")
    return "\n".join(rows)


def _lowered(reason: str) -> str:
    return reason[0].lower() + reason[1:] if reason else reason
