"""Languages: locale formatting with Babel, gettext catalogs, and the shared vocabulary.

Each edition gets a `Locale` object that formats numbers, money, shares and dates
the way its readers expect (`fr_FR`, and `en_IE` for an English EU edition) and
translates fixed wording from the catalogs in `proposal/locale/<lang>/LC_MESSAGES/`.
The catalogs are `.po` files compiled in memory when first used, so a translator's
edit needs no separate compile step and no binary file lives in the repository.

Typography is set here, once, for both outputs: `typeset` keeps every number with its
unit and writes true minus signs in both languages, and applies the French rules
(no-break spaces before `: ; ! ?` and `%`, inside guillemets, between groups of
digits) to French text. The catalogs are typeset when compiled, the data's texts when
`Locale.text` picks an edition's version, and formatted numbers are built that way.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from functools import cache
from io import BytesIO

from babel import Locale as BabelLocale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent
from babel.support import Translations

from .models import Original, Proper, Text
from .resources import locale_dir

LOCALE_DIR = locale_dir()
"""Where the gettext catalogs live: `<lang>/LC_MESSAGES/<domain>.po`."""

BABEL_LOCALES = {"en": "en_IE", "fr": "fr_FR"}
"""The Babel locale of each edition: English as written in the EU (Ireland), French."""

DOMAINS = ("messages", "workbook")
"""Catalog domains: `messages` for the PDF and shared vocabulary, `workbook` for XLSX."""


NBSP, NNBSP, MINUS = "\u00a0", "\u202f", "\u2212"
"""No-break space, narrow no-break space, minus sign."""

UNITS = (r"(?:[kMGT]?Wh?|[tg] CO2e|kg|litres?|m3|€|EUR|%(?!\()|bn|billions?|millions?"
         r"|milliards?)(?!\w)")
"""Units (and magnitudes of money) a number must stay on the same line with."""

_AFTER_NUMBER = r"(?:(?<=\d)|(?<=\)s)|(?<=\}))"
"""Just after a number, or after a placeholder that a number fills (`%(x)s`, `{x}`)."""

COMMON_RULES = (
    (re.compile(_AFTER_NUMBER + rf"[ {NBSP}{NNBSP}](?={UNITS})"), NBSP),  # 200 MW, 10 €
    (re.compile(r"(?:(?<=\bEUR)|(?<=€)) (?=\d)"), NBSP),  # EUR 10 billion
    (re.compile(r"(?<=\b[tg]) (?=CO2e)"), NBSP),  # t CO2e
    (re.compile(r"(?<![\w\u2010-\u2015-])-(?=\d)"), MINUS),  # -20 %, not 120-130
)
"""Typography of both languages: (pattern, replacement)."""

FRENCH_RULES = (
    (re.compile(r'"([^"\n]+)"|“([^”\n]+)”'),
     lambda m: f"«{m.group(1) or m.group(2)}»"),  # quotes become guillemets
    (re.compile(rf"«[ {NBSP}{NNBSP}]*"), f"«{NBSP}"),
    (re.compile(rf"[ {NBSP}{NNBSP}]*»"), f"{NBSP}»"),
    (re.compile(r"(?<![\d,.])(\d{1,3})((?: \d{3})+)(?!\d)"),
     lambda m: m.group(1) + m.group(2).replace(" ", NNBSP)),  # 5 000 GPU
    (re.compile(rf"(?<=\S)[ {NBSP}{NNBSP}]?([;!?])(?=\s|$|»)"), rf"{NNBSP}\1"),
    (re.compile(rf"(?<=\S)[ {NBSP}{NNBSP}]?:(?=\s|$)"), f"{NBSP}:"),
    (re.compile(_AFTER_NUMBER + rf"[ {NBSP}{NNBSP}]?(?=%(?!\())"), NNBSP),  # 17,5 %
)
"""French typography on top of the common rules: (pattern, replacement)."""


def typeset(text: str, lang: str) -> str:
    """A text with the typography of its language: numbers kept with their units and
    minus signs everywhere; no-break spaces before `: ; ! ?` and `%`, inside guillemets
    and between digit groups in French. Applying it twice changes nothing more."""
    for pattern, replacement in COMMON_RULES + (FRENCH_RULES if lang == "fr" else ()):
        text = pattern.sub(replacement, text)
    return text


def N_(message: str) -> str:
    """Mark a string for extraction without translating it here."""
    return message


@cache
def translations(lang: str, domain: str = "messages") -> Translations:
    """The compiled catalog of one language and domain (compiled once, in memory)."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=BABEL_LOCALES[lang], domain=domain)
    for message in catalog:  # typeset once here; an untranslated entry uses its msgid
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            forms = message.string if any(message.string) else ()
            message.string = tuple(typeset(form or message.id[min(n, 1)], lang)
                                   for n, form in enumerate(forms or message.id))
        else:
            message.string = typeset(message.string or message.id, lang)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain=domain)


def _with_decimals(pattern: str, decimals: int) -> str:
    """Give a Babel number pattern exactly `decimals` fraction digits."""
    pattern = re.sub(r"\.[0#]+", "", pattern)
    if decimals <= 0:
        return pattern
    return re.sub(r"0(?=[^0#]*$)", "0." + "0" * decimals, pattern, count=1)


@dataclass(frozen=True)
class Locale:
    """Formatting and translation for one edition; renderers get numbers, never format."""

    lang: str
    """Edition language: `en` or `fr`."""
    babel: BabelLocale = field(init=False, repr=False, compare=False)
    """The Babel locale behind it."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "babel", BabelLocale.parse(BABEL_LOCALES[self.lang]))

    @property
    def tag(self) -> str:
        """BCP 47 language tag for document metadata (`en-IE`, `fr-FR`)."""
        return BABEL_LOCALES[self.lang].replace("_", "-")

    def gettext(self, message: str, domain: str = "messages") -> str:
        """Translate a fixed message (typeset for the edition)."""
        return translations(self.lang, domain).gettext(message)

    def typeset(self, text: str) -> str:
        """A text built here (not from the catalogs or the data) with the edition's
        typography."""
        return typeset(text, self.lang)

    def text(self, value: Text | Proper | Original | None) -> str:
        """A text of the data in this edition: a bilingual text in the edition's language,
        typeset; a proper name as written; a text kept in another language as written,
        followed by the name of its language ('' for none)."""
        if value is None:
            return ""
        if isinstance(value, Original):
            if value.lang == self.lang:
                return value.text
            return self.gettext("{text} (in {language})").format(
                text=value.text, language=self.babel.languages.get(value.lang, value.lang))
        if isinstance(value, Proper):
            return value.proper
        return self.typeset(value[self.lang])

    def money(self, value: float, decimals: int = 0) -> str:
        """An amount in EUR: `€10,000,000,000` or `10 000 000 000 €` (to the euro by default)."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        pattern = _with_decimals(self.babel.currency_formats["standard"].pattern, decimals)
        return self._signs(format_currency(round(value, decimals), "EUR", format=pattern,
                                           locale=self.babel, currency_digits=False))

    def money_short(self, value: float) -> str:
        """A large amount in words: `€10.0 billion` / `10,0 milliards d'euros`."""
        for size, message in ((1e9, N_("€{number} billion")), (1e6, N_("€{number} million"))):
            if abs(value) >= size:
                number = format_decimal(abs(value) / size, format="#,##0.0", locale=self.babel)
                return (MINUS if value < 0 else "") + self.gettext(message).format(number=number)
        return self.money(value)

    def _signs(self, formatted: str) -> str:
        """A number Babel formatted, with a true minus sign and, in French, a narrow
        no-break space before `%`."""
        return typeset(formatted.replace("-", MINUS), self.lang)

    def number(self, value: float, decimals: int = 0) -> str:
        """A number with the locale's grouping and decimal signs."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        pattern = _with_decimals(self.babel.decimal_formats[None].pattern, decimals)
        return self._signs(format_decimal(round(value, decimals), format=pattern,
                                          locale=self.babel))

    def percent(self, value: float, decimals: int = 1) -> str:
        """A share as a percentage: 0.175 -> `17.5%` / `17,5 %`."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        pattern = _with_decimals(self.babel.percent_formats[None].pattern, decimals)
        return self._signs(format_percent(value, format=pattern, locale=self.babel))

    def date(self, value: dt.date, style: str = "long") -> str:
        """A date: `30 September 2026` / `30 septembre 2026`."""
        return format_date(value, style, locale=self.babel)

    def month(self, value: dt.date) -> str:
        """A month and year: `Sep 2026` / `sept. 2026`."""
        return format_date(value, "MMM y", locale=self.babel)

    def quantity(self, value: float, unit: str) -> str:
        """A quantity with its unit, singular or plural as the language wants: `1 site`,
        `3 sites`, `2,5 ETP`; `unit` is one of `units`, `MW`, `sites`, `FTE`."""
        decimals = next(d for d in (0, 1, 2) if d == 2 or float(value * 10**d).is_integer())
        count = int(value) if decimals == 0 else 2  # a fraction takes the plural form
        t = translations(self.lang)
        forms = {
            "units": t.ngettext("{number} unit", "{number} units", count),
            "MW": t.ngettext("{number} MW", "{number} MW", count),
            "sites": t.ngettext("{number} site", "{number} sites", count),
            "FTE": t.ngettext("{number} FTE", "{number} FTE", count),
        }
        return forms[unit].format(number=self.number(value, decimals)).replace(" ", "\u00a0")

    def label(self, group: str, key: str) -> str:
        """The translated label of a vocabulary entry (a category, status, kind...)."""
        return self.gettext(VOCABULARY[group][key])


VOCABULARY: dict[str, dict[str, str]] = {
    "status": {
        "member": N_("Member"),
        "supporter": N_("Supporter"),
        "in_discussion": N_("In discussion"),
        "founding_member": N_("founding member"),
    },
    "organisation_type": {
        "large_enterprise": N_("Large enterprise"),
        "sme": N_("SME"),
        "startup": N_("Start-up"),
        "research_organisation": N_("Research organisation"),
        "university": N_("University"),
        "public_body": N_("Public body"),
        "investor": N_("Investor"),
        "other": N_("Other"),
    },
    "value_chain": {
        "chips": N_("Chips"),
        "hardware": N_("Hardware"),
        "data_centres": N_("Data centres"),
        "energy": N_("Energy"),
        "cloud": N_("Cloud"),
        "models": N_("Models"),
        "applications": N_("Applications"),
        "services": N_("Services"),
        "research": N_("Research"),
        "finance": N_("Finance"),
    },
    "capex": {
        "accelerators": N_("Accelerators"),
        "servers_network": N_("Servers and network"),
        "storage": N_("Storage"),
        "datacentre_power": N_("Data-centre construction and power"),
        "cooling": N_("Cooling"),
        "site_works": N_("Site works"),
        "integration": N_("Integration"),
        "total": N_("Total"),
    },
    "opex": {
        "energy": N_("Energy"),
        "maintenance": N_("Maintenance"),
        "staff": N_("Staff"),
        "software_support": N_("Software and support"),
        "insurance": N_("Insurance"),
        "site_costs": N_("Site costs"),
        "total": N_("Total"),
    },
    "eu_category": {
        "A": N_("A. Personnel"),
        "B": N_("B. Subcontracting"),
        "C.1": N_("C.1 Travel and subsistence"),
        "C.2": N_("C.2 Equipment"),
        "C.3": N_("C.3 Other goods, works and services"),
        "D": N_("D. Other cost categories"),
        "direct": N_("Direct costs"),
        "E": N_("E. Indirect costs"),
        "total": N_("Total"),
    },
    "financing_kind": {
        "eu": N_("EU contribution"),
        "member_state": N_("Member State"),
        "partner_cash": N_("Partner cash"),
        "partner_equity": N_("Partner equity"),
        "partner_debt": N_("Partner debt"),
        "in_kind": N_("In-kind contributions"),
        "debt": N_("Debt"),
        "total": N_("Total"),
    },
    "in_kind": {
        "accelerators": N_("Accelerators"),
        "power": N_("Power"),
        "site": N_("Site"),
        "staff": N_("Staff"),
        "other": N_("Other"),
    },
    "driver": {
        "base": N_("Base case"),
        "accelerator_price": N_("Accelerator price"),
        "energy_price": N_("Energy price"),
        "pue": N_("PUE"),
        "utilisation": N_("Utilisation"),
    },
    "level": {
        "low": N_("Low"),
        "medium": N_("Medium"),
        "high": N_("High"),
    },
    "meets": {
        "weekly": N_("weekly"),
        "monthly": N_("monthly"),
        "quarterly": N_("quarterly"),
        "twice_yearly": N_("twice a year"),
        "yearly": N_("yearly"),
        "as_needed": N_("as needed"),
    },
    "deliverable_type": {
        "report": N_("Report"),
        "demonstrator": N_("Demonstrator"),
        "data": N_("Data"),
        "software": N_("Software"),
        "other": N_("Other"),
    },
    "energy_technology": {
        "nuclear": N_("Nuclear"),
        "hydro": N_("Hydro"),
        "wind": N_("Wind"),
        "solar": N_("Solar"),
        "gas": N_("Gas"),
        "coal": N_("Coal"),
        "biomass": N_("Biomass"),
        "other": N_("Other"),
    },
}
"""Labels of every enumerated value the outputs show, by group then key (English msgids)."""

ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    (N_("AI"), N_("artificial intelligence")),
    (N_("EU"), N_("European Union")),
    (N_("EUR"), N_("euro")),
    (N_("GPU"), N_("graphics processing unit (accelerator)")),
    (N_("GW"), N_("gigawatt")),
    (N_("GWh"), N_("gigawatt-hour")),
    (N_("IT"), N_("information technology")),
    (N_("JU"), N_("Joint Undertaking")),
    (N_("MW"), N_("megawatt")),
    (N_("MWh"), N_("megawatt-hour")),
    (N_("PIC"), N_("Participant Identification Code")),
    (N_("PU"), N_("public (dissemination level)")),
    (N_("PUE"), N_("power usage effectiveness")),
    (N_("SME"), N_("small or medium-sized enterprise")),
    (N_("SEN"), N_("sensitive (dissemination level)")),
    (N_("WP"), N_("work package")),
)
"""The generator's own abbreviations (its tables, labels and captions write them), each
translated by the catalogs, term included (`EU` is `UE` in French); the data's
`abbreviations` override them."""
