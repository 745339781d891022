"""The data model: what partners and the bid team write, as frozen pydantic models.

Every model forbids unknown keys and is immutable once validated. No I/O happens
here; file-level rules that need the file system (logo paths) or several files at
once live in `proposal.validate`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    HttpUrl,
    StringConstraints,
    Tag,
    model_validator,
)

LANGUAGES = ("en", "fr")
"""The languages every bilingual text must carry, in the order editions are built."""


class Strict(BaseModel):
    """Base of every model: immutable, unknown keys refused, docs become schema text,
    numbers finite (YAML's `.nan`, `.inf` and `1e400` are refused)."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        use_attribute_docstrings=True,
        str_strip_whitespace=True,
        allow_inf_nan=False,
    )


@dataclass(frozen=True)
class Why:
    """Why a bound holds: validation quotes it after the bound a value breaks, so the
    error says what is wrong with the value, not only which number it passed."""

    below: str = ""
    """Why a value under the lower bound is refused."""
    above: str = ""
    """Why a value over the upper bound is refused."""


Id = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64),
]
"""Identifier of a partner, phase, site, source or accelerator type."""

WorkItemId = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9.-]*$", max_length=16),
]
"""Identifier of a work-plan item, such as WP1, T1.2, D1.1, MS3 or R4."""

NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
"""A string that is not empty once surrounding white space is removed."""

Share = Annotated[float, Field(ge=0, le=1), Why(above="a share is a fraction: 1 is 100 %")]
"""A fraction between 0 and 1 (0.25 means 25 %)."""

Month = Annotated[int, Field(ge=1, le=240)]
"""A project month counted from 1."""


# ------------------------------------------------------------------------- bounds


MAX_AMOUNT_EUR = 10**15
"""Largest amount of money: EUR 10^15, ten times the world's yearly output. Up to it a
float holds every whole euro (2^53 is about 9 x 10^15) and the outputs print it to
the euro; Babel's formatting (28 significant digits) fails from about 10^26 with cents.
Products of bounded inputs can still pass it (10^9 MW at EUR 10^15 per MWh): totals
are the compute stage's to bound."""
MAX_FIGURE = 10**15
"""Largest figure in its own unit (EUR, MW, kW, units, g/kWh): the bound of amounts,
so that every figure the proposal prints stays within what its formatting can hold."""
MAX_COUNT = 10**9
"""Most units of a count: a billion accelerators, a thousand times the largest fleets
announced; it also keeps counts and their sums far from 64-bit integer overflow."""
MAX_PERSON_MONTHS = 10**6
"""Most person-months of one partner in one work package: over 4,000 people for the
longest project (240 months)."""
FIRST_DATE, LAST_DATE = dt.date(1980, 1, 1), dt.date(2107, 12, 31)
"""The dates the outputs can hold: the workbook is a ZIP file, whose entries are
stamped with the submission date, and ZIP stamps years from 1980 to 2107."""

TOO_LARGE = Why(above="no figure of a bid comes near 10^15 in its unit")
"""The reason for `MAX_FIGURE`."""

EuroAmount = Annotated[float, Field(ge=0, le=MAX_AMOUNT_EUR),
                       Why(above="EUR 10^15 is ten times the world's yearly output")]
"""A sum of money in EUR: not negative, at most EUR 10^15."""

CalendarDate = Annotated[
    dt.date,
    Field(ge=FIRST_DATE, le=LAST_DATE, json_schema_extra={
        "formatMinimum": FIRST_DATE.isoformat(), "formatMaximum": LAST_DATE.isoformat()}),
    Why(below="the workbook's ZIP format cannot stamp dates before 1980",
        above="the workbook's ZIP format cannot stamp dates after 2107"),
]
"""A date of the bid's calendar (submission, project start, phases, call window),
from 1980-01-01 to 2107-12-31."""


# --------------------------------------------------------------------------- texts


class Text(Strict):
    """A text given in every proposal language; paragraphs are separated by blank lines."""

    en: NonEmpty
    """The English text."""
    fr: NonEmpty
    """The French text."""
    notes: Notes = ()
    """Editorial notes on this text: shown by draft builds only (see `Note`)."""

    def __getitem__(self, lang: str) -> str:
        return getattr(self, lang)


class Note(Strict):
    """An editorial note a contributor leaves in the data: shown by draft builds (in the
    "Editorial notes" annex), never by a submission build, which refuses any left `todo`."""

    text: NonEmpty
    """What the note says, in the contributor's language (notes are never translated)."""
    author: NonEmpty | None = None
    """Who wrote it, so the bid team knows whom to ask."""
    todo: bool = False
    """True when something must still be done: a submission build refuses while it is left."""


Notes = Annotated[tuple[Note, ...], Field(max_length=50)]
"""Editorial notes on a text, a partner or a work package (see `Note`)."""


class _ProperNameMark:
    """Marks a string field as holding a proper name (see `proper_names`)."""


PROPER_NAME = _ProperNameMark()
"""The mark of a proper-name field in its annotation."""

ProperName = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True), PROPER_NAME]
"""A proper name (a company, a person, a product, an address): printed as written in
every language, so it is written once, as a plain string."""

Language = Literal["en", "fr", "de", "it", "es", "nl"]
"""Language of a source or of a text kept as it was written (ISO 639-1)."""


class Proper(Strict):
    """A name declared as a proper name: printed as written in every language."""

    proper: NonEmpty
    """The name, such as `NVIDIA` or `World Nuclear News`."""

    def __getitem__(self, lang: str) -> str:
        return self.proper


class Original(Strict):
    """A text kept in the language it was written in, such as a source's title."""

    text: NonEmpty
    """The text as written."""
    lang: Language
    """Its language: an edition in another language says so next to it."""

    def __getitem__(self, lang: str) -> str:
        return self.text


def _label_kind(key: str, tag: str) -> Any:
    """The union tag of a label: `tag` when the mapping (or model) holds `key`, else
    `en/fr`; None (a `missing_translation` error) for a plain string or a number. Tags are
    not identifiers, so that error locations never mistake one for a key of the file."""

    def kind(value: Any) -> str | None:
        if isinstance(value, BaseModel):
            value = value.model_dump()
        if not isinstance(value, dict):
            return None
        return tag if key in value else "en/fr"

    return kind


UNTRANSLATED = "a label needs both languages, or a declaration that it is a proper name"
"""Message of the `missing_translation` error a plain-string label raises (reworded with
its location by `proposal.validate`)."""

Name = Annotated[
    Annotated[Text, Tag("en/fr")] | Annotated[Proper, Tag("proper name")],
    Discriminator(_label_kind("proper", "proper name"), custom_error_type="missing_translation",
                  custom_error_message=UNTRANSLATED),
]
"""A name or label a reader sees: in both languages (`{en: ..., fr: ...}`), or declared
as a proper name printed as written (`{proper: NVIDIA}`). A plain string is an error:
it would print in one language in both editions."""

Title = Annotated[
    Annotated[Text, Tag("en/fr")] | Annotated[Original, Tag("text/lang")],
    Discriminator(_label_kind("text", "text/lang"), custom_error_type="missing_translation",
                  custom_error_message=UNTRANSLATED),
]
"""A title: in both languages (`{en: ..., fr: ...}`), or kept in its original language
and marked with it (`{text: ..., lang: en}`); the other edition says which language."""


# --------------------------------------------------------------------- provenance


class Source(Strict):
    """A public document that figures and facts cite (kept in `data/sources.yaml`)."""

    title: Title
    """Title of the article, press release or document: as published, with its language
    (`{text: ..., lang: en}`), or translated (`{en: ..., fr: ...}`)."""
    publisher: Name | None = None
    """Who published it (newspaper, company, institution): `{proper: ...}` or both languages."""
    url: HttpUrl | None = None
    """Where it can be read; give `url` or `document`."""
    document: Name | None = None
    """The document without a URL: a description in both languages, or a file name or
    report number declared as `{proper: ...}`."""
    date: dt.date | None = None
    """Publication date, when known."""
    language: Language | None = None
    """Language of the source."""
    accessed: dt.date | None = None
    """When the bid team last read it at its `url` (the references list prints it as the
    access date); leave it out when no address was recorded."""

    @model_validator(mode="after")
    def _url_or_document(self) -> Source:
        if self.url is None and self.document is None:
            raise ValueError("a source needs a `url` or a `document`")
        return self


class Provenance(Strict):
    """Where a figure comes from: a cited source or an explicit assumption."""

    source: Id | None = None
    """Id of the source in `data/sources.yaml` that states this figure."""
    assumption: bool = False
    """True when no public source gives the figure and the bid team assumed it."""
    note: Text | None = None
    """Why this value: how it was derived or what it rests on."""

    @model_validator(mode="after")
    def _not_both(self) -> Provenance:
        if self.source is not None and self.assumption:
            raise ValueError(
                "a figure is either sourced or an assumption: remove `source` or `assumption`"
            )
        return self

    @property
    def documented(self) -> bool:
        """True when the figure cites a source or is flagged as an assumption."""
        return self.source is not None or self.assumption


def _wrap_bare_number(value: Any) -> Any:
    # A bare number is accepted so quick drafts validate; it becomes a figure without
    # provenance, which `check_provenance` reports as a warning.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"value": value}
    return value


class Figure(Provenance):
    """A number with its provenance; write `{value: 1.2, assumption: true}` or a source."""

    value: Annotated[float, Field(ge=0, le=MAX_FIGURE), TOO_LARGE]
    """The number itself (never negative, at most 10^15)."""


class PueFigure(Figure):
    """A power usage effectiveness with its provenance: facility power over IT power."""

    value: Annotated[float, Field(ge=1, le=MAX_FIGURE),
                     Why(below="a PUE below 1 is impossible: a facility draws at least "
                               "the power of its IT", above=TOO_LARGE.above)]
    """Facility power over IT power: 1.0 is ideal, and no facility does better."""


class Amount(Provenance):
    """A sum of money with its currency and provenance."""

    value: EuroAmount
    """The amount, never negative, at most 10^15."""
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "EUR"
    """ISO 4217 currency code; the call requires EUR."""


class Count(Provenance):
    """A whole number (units, people) with its provenance."""

    value: Annotated[int, Field(ge=0, le=MAX_COUNT),
                     Why(above="a billion units is a thousand times the largest fleets of "
                               "accelerators")]
    """The count, never negative, at most a billion."""


class Ratio(Provenance):
    """A share between 0 and 1 with its provenance."""

    value: Share
    """The share, between 0 and 1."""


Fig = Annotated[Figure, BeforeValidator(_wrap_bare_number)]
"""A non-negative figure; a bare number is accepted and warned about."""
Money = Annotated[Amount, BeforeValidator(_wrap_bare_number)]
"""An amount of money; a bare number is accepted (in EUR) and warned about."""
Units = Annotated[Count, BeforeValidator(_wrap_bare_number)]
"""A count; a bare number is accepted and warned about."""
Fraction = Annotated[Ratio, BeforeValidator(_wrap_bare_number)]
"""A share; a bare number is accepted and warned about."""
PueFig = Annotated[PueFigure, BeforeValidator(_wrap_bare_number)]
"""A power usage effectiveness (at least 1); a bare number is accepted and warned about."""


# ------------------------------------------------------------------------ partners


class OrganisationType(StrEnum):
    """Kind of organisation, as EU participant forms ask."""

    large_enterprise = "large_enterprise"
    sme = "sme"
    startup = "startup"
    research_organisation = "research_organisation"
    university = "university"
    public_body = "public_body"
    investor = "investor"
    other = "other"


class PartnerStatus(StrEnum):
    """How firmly a partner is in the consortium."""

    member = "member"
    supporter = "supporter"
    in_discussion = "in_discussion"


class ValueChainLayer(StrEnum):
    """Layers of the AI value chain that partners cover."""

    chips = "chips"
    hardware = "hardware"
    data_centres = "data_centres"
    energy = "energy"
    cloud = "cloud"
    models = "models"
    applications = "applications"
    services = "services"
    research = "research"
    finance = "finance"


class PledgeKind(StrEnum):
    """Form of a financial pledge."""

    cash = "cash"
    equity = "equity"
    debt = "debt"


class InKindKind(StrEnum):
    """What an in-kind contribution provides."""

    accelerators = "accelerators"
    power = "power"
    site = "site"
    staff = "staff"
    other = "other"


IN_KIND_UNITS: dict[InKindKind, str] = {
    InKindKind.accelerators: "units",
    InKindKind.power: "MW",
    InKindKind.site: "sites",
    InKindKind.staff: "FTE",
    InKindKind.other: "units",
}
"""The unit in which each kind of in-kind contribution states its quantity."""


class Person(Strict):
    """A key person of a partner."""

    name: ProperName
    """Full name (a proper name)."""
    position: Text
    """Position or role, in both languages."""
    source: Id | None = None
    """Source that names this person in this position, when public."""


class Reference(Strict):
    """A publication, product or previous project that shows a partner's capacity."""

    title: ProperName
    """Name of the publication, product or project, as published (a proper name)."""
    year: int | None = Field(default=None, ge=1900, le=2100)
    """Year of publication, launch or end."""
    description: Text | None = None
    """One or two sentences on why it matters for this bid."""
    url: HttpUrl | None = None
    """Where to read more."""


class Pledge(Provenance):
    """A financial commitment of a partner to the bid."""

    kind: PledgeKind = PledgeKind.cash
    """Cash, equity or debt."""
    amount: EuroAmount
    """Amount pledged, at most EUR 10^15."""
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "EUR"
    """ISO 4217 currency code; the financing plan is in EUR."""
    description: Text | None = None
    """What the pledge covers or depends on."""
    confidential: bool = False
    """True when the amount is confidential: the public edition masks it (and the partner's
    pledge and source rows), other partners' extracts too; only aggregates remain."""


class InKind(Strict):
    """A contribution in kind: accelerators, power, a site, staff or other goods."""

    kind: InKindKind
    """What is contributed."""
    description: Text
    """What exactly, in both languages."""
    quantity: Fig
    """How much, in the kind's unit (units, MW, sites, FTE)."""
    accelerator_type: Id | None = None
    """For accelerators: the type id from the cost model."""
    site: Id | None = None
    """For power or site contributions: the site id from the cost model."""
    valuation: Money | None = None
    """Value in EUR, when the contribution counts in the financing plan."""
    counts_in_financing: bool = True
    """False to list the contribution without counting its value as a financing source."""
    confidential: bool = False
    """True when the valuation is confidential: masked like a confidential pledge."""


class Contributions(Strict):
    """What a partner brings: pledges and contributions in kind."""

    pledges: tuple[Pledge, ...] = ()
    """Financial pledges (cash, equity, debt)."""
    in_kind: tuple[InKind, ...] = ()
    """Contributions in kind."""


class Partner(Strict):
    """One consortium partner, from `partners/<id>.yaml` (the file stem is the id)."""

    id: Id = Field(json_schema_extra={"readOnly": True})
    """The partner id: the file name without `.yaml` (not written in the file)."""
    legal_name: ProperName
    """Registered legal name."""
    short_name: Annotated[ProperName, StringConstraints(max_length=30)]
    """Short name used in tables."""
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    """Country of incorporation, ISO 3166-1 alpha-2 (FR, DE, ...)."""
    organisation_type: OrganisationType
    """Kind of organisation."""
    status: PartnerStatus
    """Member, supporter, or in discussion to join."""
    founding_member: bool = False
    """True for the founding members that carry the bid."""
    pic: Annotated[str, StringConstraints(pattern=r"^[0-9]{9}$")] | None = None
    """EU Participant Identification Code: exactly 9 digits, as a quoted string."""
    website: HttpUrl | None = None
    """Public website."""
    address: ProperName | None = None
    """Registered address (printed as written)."""
    logo: NonEmpty | None = None
    """Path of an SVG or PNG logo, relative to the input folder."""
    role: Text
    """Role in the consortium, one sentence per language; the consortium table shows its
    first clause, up to a semicolon (`Coordinator; operator of the facility`)."""
    description: Text
    """Profile of the organisation, for the partner annex."""
    value_chain: tuple[ValueChainLayer, ...] = Field(min_length=1)
    """Layers of the AI value chain the partner covers."""
    key_people: tuple[Person, ...] = ()
    """Key staff named in the proposal."""
    references: tuple[Reference, ...] = Field(default=(), max_length=5)
    """Up to 5 relevant publications or products."""
    previous_projects: tuple[Reference, ...] = Field(default=(), max_length=5)
    """Up to 5 previous projects."""
    infrastructure: tuple[Text, ...] = ()
    """Significant infrastructure the partner brings."""
    contributions: Contributions = Contributions()
    """Pledges and in-kind contributions."""
    sources: tuple[Id, ...] = ()
    """Sources that state the partner's participation and profile facts."""
    assumption: bool = False
    """True when the partner's participation itself has no public source."""
    notes: Notes = ()
    """Editorial notes on the partner: shown by draft builds only (see `Note`)."""


# ---------------------------------------------------------------------- consortium


class Narrative(Strict):
    """The proposal's own texts, written by the bid team, in both languages."""

    title: Text
    """Proposal title (Part A); the call caps its length."""
    abstract: Text
    """Abstract; the call caps its length and requires English."""
    objectives: Text
    """Objectives and ambition."""
    positioning: Text
    """Why this consortium, and the rationale for the bid."""
    commitments: tuple[Text, ...] = ()
    """The consortium's commitments, one item each."""
    governance: Text
    """Governance: consortium agreement, boards, decision rules."""
    infrastructure: Text
    """The physical, IT and security infrastructure."""
    sustainability: Text
    """Energy, water and sustainability."""
    security: Text
    """Security and the user-access environment."""
    access_policy: Text
    """Access policy and support services."""
    financial_viability: Text
    """Why the financing holds: business model and procurement."""
    member_state_commitment: Text
    """The Member State's written commitment to finance its share (annex)."""


MeetingFrequency = Literal["weekly", "monthly", "quarterly", "twice_yearly", "yearly",
                           "as_needed"]
"""How often a governance body meets."""


class GovernanceBody(Strict):
    """A body of the consortium's governance: a board or committee."""

    id: Id
    """Body id, referred to by `reports_to`."""
    name: Name
    """Name of the body, in both languages."""
    chair: Id | None = None
    """Partner id of the partner that chairs it."""
    members: tuple[Id, ...] = ()
    """Partner ids of its members (the chair included or not)."""
    role: Text
    """What it decides or does, one sentence per language."""
    reports_to: Id | None = None
    """Id of the body it reports to; none for the top body."""
    meets: MeetingFrequency | None = None
    """How often it meets."""


class Governance(Provenance):
    """The governance structure the diagram draws: its bodies and who reports to whom.
    Flag it `assumption: true` when the structure is the bid team's proposal rather than
    a published one."""

    bodies: tuple[GovernanceBody, ...] = Field(min_length=1)
    """The bodies, the top one first."""
ABBREVIATION_PATTERN = r"^[A-Z0-9][A-Za-z0-9&./+-]{0,19}$"
"""An abbreviation: a capital or digit, then up to 19 letters, digits or `& . / + -`."""
EMAIL_PATTERN = r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$"
"""An e-mail address: `name@domain.tld`, without spaces or display name."""
PHONE_PATTERN = r"^\+?[0-9 ().-]{6,24}$"
"""A telephone number: digits, spaces, `( ) . -`, an optional leading `+`."""

AbbreviationTerm = Annotated[str, StringConstraints(pattern=ABBREVIATION_PATTERN)]
"""An abbreviation as texts write it: `EU`, `GPU`, `CNRS`, `CO2e`."""


class Contact(Provenance):
    """Who the call's officers write to about the proposal, printed on the cover.

    Give a person's name and e-mail address only when they are public or the person
    agreed; a role-level contact (`role: {en: Bid coordination office, ...}`) is
    enough. Flag it `assumption: true` while it is not confirmed."""

    name: ProperName | None = None
    """The contact person's full name, when they agreed to be named."""
    role: Text
    """Role or office, in both languages: `Bid coordination office`."""
    email: Annotated[str, StringConstraints(pattern=EMAIL_PATTERN, max_length=254)] | None = None
    """E-mail address, such as `bid-office@example.org`."""
    phone: Annotated[str, StringConstraints(pattern=PHONE_PATTERN)] | None = None
    """Telephone number, international form: `+33 1 23 45 67 89`."""


class Consortium(Strict):
    """The consortium as a whole, from `data/consortium.yaml`."""

    name: Name
    """Full name of the consortium, in both languages (or `{proper: ...}`)."""
    acronym: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$")]
    """Acronym, also used in output file names."""
    coordinator: Id
    """Partner id of the coordinator."""
    member_state: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    """Host Member State, ISO 3166-1 alpha-2."""
    submission_date: CalendarDate
    """Date printed on the cover."""
    start_date: CalendarDate
    """Project start (month 1)."""
    duration_months: Month
    """Duration of the project and of the work plan."""
    agreement_years: int = Field(ge=1, le=50)
    """Years the consortium agreement binds the members."""
    texts: Narrative
    """The proposal's narrative texts."""
    sources: tuple[Id, ...] = ()
    """Sources for the facts in the narrative."""
    partner_order: tuple[Id, ...] = ()
    """Partner ids in the order the outputs list partners (annex, tables, workbook,
    figures JSON); the coordinator comes first unless listed elsewhere, partners left
    out follow in file-name order."""
    governance: Governance | None = None
    """The governance bodies, drawn as a diagram in the governance section."""
    contact: Contact | None = None
    """The proposal's contact at the coordinator, printed on the cover."""
    abbreviations: dict[AbbreviationTerm, Text] = {}
    """Abbreviations the texts use, with their expansion in both languages
    (`CNRS: {en: French National Centre for Scientific Research, fr: Centre national
    de la recherche scientifique}`). The list of abbreviations of each edition shows
    those its pages use, with the partners' acronyms and the generator's own terms;
    `check` warns about an all-capitals word of a text that none of them expands."""


# ------------------------------------------------------------------------- the call


class Criterion(Strict):
    """An evaluation criterion of the call."""

    id: WorkItemId
    """Short id, such as C1."""
    title: Text
    """Criterion as the call words it."""
    weight: Share | None = None
    """Weight in the score, when published."""
    threshold: Annotated[float, Field(ge=0, le=MAX_FIGURE), TOO_LARGE] | None = None
    """Minimum score, when published."""
    answered_in: tuple[str, ...] = Field(min_length=1)
    """Proposal sections that answer it (section keys, see `CallRules.required_sections`)."""


class ShareRule(Strict):
    """A bound on the share of the total cost that some financing sources may carry."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]+$")]
    """Short code, printed with a violation."""
    description: Text
    """What the rule says, as the call or press states it."""
    financing_sources: tuple[Literal["eu", "member_state", "partner_cash", "partner_equity",
                                     "partner_debt", "in_kind", "debt"], ...] = Field(min_length=1)
    """Financing source kinds the rule adds up."""
    min_share: Share | None = None
    """Lowest allowed share of the total cost."""
    max_share: Share | None = None
    """Highest allowed share of the total cost."""
    source: Id | None = None
    """Source stating the rule."""
    assumption: bool = False
    """True when the rule is the bid team's reading, not a published rule."""


class FormatRules(Strict):
    """Format rules that can be checked on the produced PDF."""

    page_size: Literal["A4"] = "A4"
    """Paper size."""
    min_margin_mm: float = Field(default=15, ge=0)
    """Smallest page margin, headers and footers excluded."""
    min_body_pt: float = Field(default=11, gt=0)
    """Smallest body and table text size."""
    min_small_pt: float = Field(default=8, gt=0)
    """Smallest size of headers, footers, footnotes and captions."""
    page_limit: int = Field(gt=0)
    """Pages the evaluators read; the build warns past it."""
    page_limit_excludes_annexes: bool = True
    """True when annexes do not count towards the page limit."""
    title_max_chars: int = Field(default=200, gt=0)
    """Longest proposal title."""
    abstract_max_chars: int = Field(default=2000, gt=0)
    """Longest abstract."""


class CallRules(Strict):
    """What the call asks and allows, from `data/call.yaml`: rules are data, not code."""

    identifier: NonEmpty
    """Call identifier printed on the cover."""
    title: Text
    """Call title."""
    opens: CalendarDate
    """Earliest date the infrastructure phases may start."""
    closes: CalendarDate
    """Latest date the phases may end."""
    currency: Literal["EUR"] = "EUR"
    """Currency of every amount."""
    indirect_rate: Share = 0.25
    """Flat rate of indirect costs (category E) on direct costs."""
    indirect_excludes: tuple[Literal["B", "C.1", "C.2", "C.3", "D"], ...] = ("B",)
    """EU categories left out of the indirect-cost base."""
    min_agreement_years: int = Field(default=5, ge=0)
    """Shortest consortium agreement."""
    min_accelerators_h100: int = Field(default=0, ge=0)
    """Fewest H100-equivalent accelerators a gigafactory must reach."""
    format: FormatRules
    """Format rules for the PDF."""
    required_sections: dict[str, Text]
    """Sections the proposal must contain: key to title."""
    criteria: tuple[Criterion, ...]
    """Evaluation criteria."""
    share_rules: tuple[ShareRule, ...] = ()
    """Bounds on financing shares."""
    sources: tuple[Id, ...] = ()
    """Sources for the rules."""
    blocking_warnings: tuple[Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+$")],
                             ...] = ()
    """Codes of warnings (such as `page-limit`, `financing-gap`) that block a submission
    build: `check --submission` and `build --submission` refuse while one is reported."""


# ----------------------------------------------------------------------- cost model

EuCategory = Literal["A", "B", "C.1", "C.2", "C.3", "D"]
"""EU direct-cost category: A personnel, B subcontracting, C.1 travel, C.2 equipment,
C.3 other goods, works and services, D other. E (indirect) is computed."""


class AcceleratorType(Strict):
    """A kind of accelerator and what it is worth in H100 equivalents."""

    id: Id
    """Type id, referred to by phases and in-kind contributions."""
    name: Name
    """Product name: `{proper: ...}` for a brand name, else in both languages."""
    vendor: Name | None = None
    """Manufacturer: `{proper: NVIDIA}`, or a description in both languages."""
    h100_equivalence: Fig
    """How many NVIDIA H100 one unit equals in AI compute."""
    unit_price: Money
    """Purchase price of one accelerator."""
    power_kw: Fig
    """IT power drawn by one accelerator with its share of server and network, in kW."""


class Site(Strict):
    """A data-centre site."""

    id: Id
    """Site id."""
    name: Name
    """Name or locality, in both languages (or `{proper: ...}` for a place name)."""
    region: Name
    """Region or department, in both languages (or `{proper: ...}`)."""
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    """Country, ISO 3166-1 alpha-2."""
    host: Id
    """Partner id of the host (operator or owner)."""
    max_power_mw: Fig
    """Grid connection available at the site, in MW."""
    description: Text | None = None
    """What the site offers."""


class PhaseAccelerators(Strict):
    """Accelerators of one type installed during a phase."""

    type: Id
    """Accelerator type id."""
    count: Units
    """Units installed during the phase."""


class Phase(Strict):
    """A build-out phase: cumulative power once complete, accelerators added during it."""

    id: Id
    """Phase id."""
    name: Text
    """Phase name."""
    start: CalendarDate
    """Start of construction and procurement."""
    end: CalendarDate
    """Commissioning: the phase's capacity is in service from this date."""
    power_mw: Fig
    """Total IT power of the facility once the phase is complete (cumulative), MW."""
    sites: tuple[Id, ...] = Field(min_length=1)
    """Sites built or extended in this phase."""
    accelerators: tuple[PhaseAccelerators, ...] = Field(min_length=1)
    """Accelerators installed during this phase (added to earlier phases)."""

    @model_validator(mode="after")
    def _ordered_dates(self) -> Phase:
        if self.end <= self.start:
            raise ValueError(f"`end` ({self.end}) must come after `start` ({self.start})")
        return self


CapexCategory = Literal[
    "accelerators", "servers_network", "storage", "datacentre_power", "cooling",
    "site_works", "integration",
]
"""Capex categories, in the order tables show them."""

OpexCategory = Literal[
    "energy", "maintenance", "staff", "software_support", "insurance", "site_costs",
]
"""Opex categories, in the order tables show them."""


class BudgetLine(Strict):
    """Who carries a cost line in the EU budget view, and in which work package."""

    eu_category: EuCategory
    """EU cost category the line maps to."""
    beneficiary: Id
    """Partner id that incurs the cost."""
    work_package: WorkItemId
    """Work package the cost belongs to."""


class CapexLine(BudgetLine):
    """How one capex category is costed.

    `per_accelerator` multiplies `rate` by the accelerators added in a phase
    (`accelerators` uses each type's unit price instead); `per_mw` multiplies it by
    the MW added; `per_site` by the sites first built in the phase;
    `share_of_capex` takes `rate` as a share of the phase's other capex.
    """

    category: CapexCategory
    """The capex category."""
    basis: Literal["unit_price", "per_accelerator", "per_mw", "per_site", "share_of_capex"]
    """What the rate multiplies."""
    rate: Fig | None = None
    """EUR per unit of the basis, or a share for `share_of_capex`; none for `unit_price`."""

    @model_validator(mode="after")
    def _rate_matches_basis(self) -> CapexLine:
        if self.basis == "unit_price" and self.rate is not None:
            raise ValueError(
                "basis `unit_price` takes each accelerator type's price: remove `rate`"
            )
        if self.basis != "unit_price" and self.rate is None:
            raise ValueError(f"basis `{self.basis}` needs a `rate`")
        return self


class OpexLine(BudgetLine):
    """How one opex category is costed per year.

    `energy` is IT power in service x PUE x utilisation x hours x energy price;
    `share_of_capex` takes `rate` as a yearly share of the capex in service;
    `per_mw_year` multiplies `rate` by the MW in service; `fixed_per_year` is `rate`
    once the first phase is in service; `workplan_personnel` is the work plan's
    person-months x monthly rates (staff FTE x cost).
    """

    category: OpexCategory
    """The opex category."""
    basis: Literal["energy", "share_of_capex", "per_mw_year", "fixed_per_year",
                   "workplan_personnel"]
    """What the rate multiplies."""
    rate: Fig | None = None
    """EUR or share per unit of the basis; none for `energy` and `workplan_personnel`."""

    @model_validator(mode="after")
    def _rate_matches_basis(self) -> OpexLine:
        no_rate = {"energy", "workplan_personnel"}
        if self.basis in no_rate and self.rate is not None:
            raise ValueError(f"basis `{self.basis}` takes no `rate`")
        if self.basis not in no_rate and self.rate is None:
            raise ValueError(f"basis `{self.basis}` needs a `rate`")
        return self


class EnergyMix(Strict):
    """Share of one primary source in the electricity supplied."""

    technology: Literal["nuclear", "hydro", "wind", "solar", "gas", "coal", "biomass", "other"]
    """Primary energy source."""
    share: Fraction
    """Share of the supply."""


class Energy(Strict):
    """Energy assumptions of the cost model."""

    pue: PueFig
    """Power usage effectiveness: facility power over IT power (1.0 is ideal, and the
    least possible)."""
    utilisation: Fraction
    """Average share of the IT power actually drawn over a year."""
    price_eur_per_mwh: Money
    """Electricity price, EUR per MWh."""
    carbon_g_per_kwh: Fig
    """Carbon intensity of the supply, g CO2e per kWh."""
    water_l_per_kwh: Fig | None = None
    """Water usage effectiveness, litres per kWh of IT energy."""
    mix: tuple[EnergyMix, ...] = ()
    """Electricity mix; shares should add up to 1."""


class CostModel(Strict):
    """The cost model, from `data/cost_model.yaml`."""

    horizon_years: int = Field(ge=1, le=30)
    """Years of operation costed, from the start of the first phase."""
    ultimate_power_mw: Fig
    """The long-term IT power target, beyond the costed phases."""
    ultimate_target_year: int | None = Field(default=None, ge=2000, le=2100)
    """Year the ultimate target should be reached."""
    amortisation_years: int = Field(ge=1, le=30)
    """Years over which capex is amortised in the cost per GPU-hour."""
    accelerator_types: tuple[AcceleratorType, ...] = Field(min_length=1)
    """Accelerator types in use."""
    sites: tuple[Site, ...] = Field(min_length=1)
    """Data-centre sites."""
    phases: tuple[Phase, ...] = Field(min_length=1)
    """Build-out phases, in order."""
    energy: Energy
    """Energy assumptions."""
    capex: tuple[CapexLine, ...] = Field(min_length=1)
    """How each capex category is costed."""
    opex: tuple[OpexLine, ...] = Field(min_length=1)
    """How each opex category is costed."""
    sensitivity_step: Share = 0.2
    """Relative move of each driver in the sensitivity table (0.2 = +/-20 %)."""


# ------------------------------------------------------------------------ financing


class PublicContribution(Strict):
    """A public financing source given as a share of the total cost."""

    share: Fraction
    """Share of the total cost this source is asked to carry."""
    description: Text
    """What the contribution is (procurement, grant, ...)."""


class DebtFacility(Strict):
    """A loan financing part of the cost."""

    lender: Name
    """Lender, in both languages (`{en: European Investment Bank, fr: Banque européenne
    d'investissement}`) or as a proper name."""
    amount: Money
    """Amount borrowed."""
    description: Text
    """Terms and status."""


class Financing(Strict):
    """The financing plan, from `data/financing.yaml`; partner pledges come from partners."""

    eu: PublicContribution
    """EU contribution (EuroHPC JU / InvestAI)."""
    member_state: PublicContribution
    """Host Member State's contribution."""
    debt: tuple[DebtFacility, ...] = ()
    """Debt facilities."""
    tolerance_eur: EuroAmount = 1.0
    """Gap or surplus below which the plan counts as balanced."""


# ------------------------------------------------------------------------ work plan


class Task(Strict):
    """A task of a work package."""

    id: WorkItemId
    """Task id, such as T1.1."""
    title: Text
    """Task title."""
    start_month: Month
    """First month."""
    end_month: Month
    """Last month."""
    partners: tuple[Id, ...] = Field(min_length=1)
    """Partners working on the task; the first leads it."""


class Deliverable(Strict):
    """A deliverable of a work package."""

    id: WorkItemId
    """Deliverable id, such as D1.1."""
    title: Text
    """Deliverable title."""
    month: Month
    """Due month."""
    type: Literal["report", "demonstrator", "data", "software", "other"] = "report"
    """EU deliverable type."""
    dissemination: Literal["PU", "SEN"] = "PU"
    """Public (PU) or sensitive (SEN)."""
    lead: Id
    """Partner responsible."""


class Milestone(Strict):
    """A milestone of a work package."""

    id: WorkItemId
    """Milestone id, such as MS1."""
    title: Text
    """What is reached."""
    month: Month
    """Month it is due."""
    verification: Text
    """How reviewers can verify it."""


class WorkPackage(Strict):
    """A work package with its effort per partner."""

    id: WorkItemId
    """Work-package id, such as WP1."""
    title: Text
    """Title."""
    lead: Id
    """Lead partner id."""
    start_month: Month
    """First month."""
    end_month: Month
    """Last month."""
    objectives: Text
    """Objectives."""
    effort: dict[Id, Annotated[float, Field(ge=0, le=MAX_PERSON_MONTHS),
                               Why(above="a million person-months is over 4,000 people "
                                         "for the longest project")]] = Field(min_length=1)
    """Person-months per partner id."""
    tasks: tuple[Task, ...] = ()
    """Tasks."""
    deliverables: tuple[Deliverable, ...] = ()
    """Deliverables."""
    milestones: tuple[Milestone, ...] = ()
    """Milestones."""
    notes: Notes = ()
    """Editorial notes on the work package: shown by draft builds only (see `Note`)."""

    @model_validator(mode="after")
    def _ordered_months(self) -> WorkPackage:
        if self.end_month < self.start_month:
            raise ValueError(
                f"`end_month` ({self.end_month}) must not come before `start_month` "
                f"({self.start_month})"
            )
        return self


Level = Literal["low", "medium", "high"]
"""A level of likelihood or impact in the risk register."""

LEVEL_SCORES: dict[str, int] = {"low": 1, "medium": 2, "high": 3}
"""The score of each level: a risk's score is its likelihood's times its impact's (1 to 9)."""


class Risk(Strict):
    """An entry of the risk register."""

    id: WorkItemId
    """Risk id, such as R1."""
    description: Text
    """The risk."""
    likelihood: Literal["low", "medium", "high"]
    """How likely it is."""
    impact: Literal["low", "medium", "high"]
    """How much it would hurt."""
    work_packages: tuple[WorkItemId, ...] = Field(min_length=1)
    """Work packages it concerns."""
    mitigation: Text
    """What the consortium does about it."""
    owner: Id | None = None
    """Partner id of the partner who watches the risk and carries out its mitigation."""
    residual_likelihood: Level | None = None
    """How likely the risk stays once mitigated; with `residual_impact`, the residual
    risk the register scores."""
    residual_impact: Level | None = None
    """How much the risk would still hurt once mitigated."""


class Kpi(Provenance):
    """A key performance indicator: a measurable target of the work plan, with where its
    baseline and target come from (`source`) or that the bid team assumed them
    (`assumption: true`)."""

    id: WorkItemId
    """KPI id, such as KPI1."""
    name: Text
    """What is measured, in both languages."""
    unit: Name
    """Unit of the baseline and target: `{en: users, fr: utilisateurs}`, or a symbol
    declared as a proper name (`{proper: MW}`)."""
    baseline: Annotated[float, Field(ge=-MAX_FIGURE, le=MAX_FIGURE), TOO_LARGE] | None = None
    """Value at the project start, when there is one."""
    target: Annotated[float, Field(ge=-MAX_FIGURE, le=MAX_FIGURE), TOO_LARGE]
    """Value to reach by `target_month`."""
    target_month: Month
    """Project month by which the target is reached."""
    work_package: WorkItemId
    """Work package that delivers it."""


class WorkPlan(Strict):
    """The work plan, from `data/workplan.yaml`."""

    person_month_rate: Money
    """Default personnel cost of one person-month, EUR."""
    partner_rates: dict[Id, Money] = {}
    """Per-partner person-month costs overriding the default."""
    work_packages: tuple[WorkPackage, ...] = Field(min_length=1)
    """Work packages, in order."""
    risks: tuple[Risk, ...] = ()
    """Risk register."""
    kpis: tuple[Kpi, ...] = ()
    """Key performance indicators, in the order the KPI table shows them."""


# ------------------------------------------------------------------------- project


class Project(Strict):
    """Everything the input folder holds, validated: the input of the compute stage."""

    consortium: Consortium
    """From `data/consortium.yaml`."""
    call: CallRules
    """From `data/call.yaml`."""
    cost_model: CostModel
    """From `data/cost_model.yaml`."""
    financing: Financing
    """From `data/financing.yaml`."""
    workplan: WorkPlan
    """From `data/workplan.yaml`."""
    sources: dict[Id, Source]
    """From `data/sources.yaml`: cited sources by id."""
    partners: tuple[Partner, ...]
    """From `partners/*.yaml`, sorted by id."""

    def partner(self, partner_id: str) -> Partner:
        """The partner with this id (KeyError when there is none)."""
        for partner in self.partners:
            if partner.id == partner_id:
                return partner
        raise KeyError(partner_id)


DATA_FILES: dict[str, type[Strict]] = {
    "consortium": Consortium,
    "call": CallRules,
    "cost_model": CostModel,
    "financing": Financing,
    "workplan": WorkPlan,
}
"""Each file of `data/` (without `.yaml`) and the model it holds; `sources` is apart."""


class SourceRegistry(Strict):
    """The file `data/sources.yaml`: cited sources by id."""

    sources: dict[Id, Source]
    """Sources by id; figures cite them with `source: <id>`."""



# ------------------------------------------------------------ files and walks

PARTNER_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
"""A partner id: the stem of its file in `partners/`."""
MAX_PARTNER_ID = 64
"""Longest partner id (and so file stem) accepted."""
SOURCES_FILE = "data/sources.yaml"
"""The file of cited sources, relative to the input folder."""
DATA_FILE_OF = {name: f"data/{name}.yaml" for name in DATA_FILES}
"""Each data file's path relative to the input folder, by name."""


def partner_file(partner_id: str) -> str:
    """The file, relative to the input folder, that holds a partner."""
    return f"partners/{partner_id}.yaml"


def walk_project(project: Project) -> Iterator[tuple[str, tuple, Any]]:
    """Every model, list item and value of the project as (file, path in file, node)."""
    for name in DATA_FILES:
        yield from _walk(getattr(project, name), DATA_FILE_OF[name], ())
    for source_id, source in project.sources.items():
        yield from _walk(source, SOURCES_FILE, ("sources", source_id))
    for partner in project.partners:
        yield from _walk(partner, partner_file(partner.id), ())


def _walk(node: Any, file: str, path: tuple) -> Iterator[tuple[str, tuple, Any]]:
    yield file, path, node
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _walk(getattr(node, name), file, (*path, name))
    elif isinstance(node, tuple | list):
        for index, item in enumerate(node):
            yield from _walk(item, file, (*path, index))
    elif isinstance(node, dict):
        for key, item in node.items():
            yield from _walk(item, file, (*path, key))


def proper_names(project: Project) -> Iterator[str]:
    """Every text the input declares printed as written in both editions: the values of
    proper-name fields, `{proper: ...}` names, and texts kept in their own language."""
    for _file, _path, node in walk_project(project):
        if isinstance(node, Proper):
            yield node.proper
        elif isinstance(node, Original):
            yield node.text
        elif isinstance(node, BaseModel):
            for name, field in type(node).model_fields.items():
                value = getattr(node, name)
                if PROPER_NAME in field.metadata and isinstance(value, str):
                    yield value


def ordered_partners(project: Project) -> tuple[Partner, ...]:
    """The partners in the order readers see them: the ids of `partner_order` in its
    order, the coordinator first unless that list places it, then the others in
    file-name order. Ids that name no partner are skipped (`check` reports them); a
    project whose consortium file failed keeps the file-name order."""
    consortium = project.consortium
    if consortium is None:
        return project.partners
    order = consortium.partner_order
    leading = [] if consortium.coordinator in order else [consortium.coordinator]
    by_id = {partner.id: partner for partner in project.partners}
    first = [pid for pid in dict.fromkeys([*leading, *order]) if pid in by_id]
    return (*(by_id[pid] for pid in first),
            *(partner for partner in project.partners if partner.id not in first))


def is_figure(node: Any) -> bool:
    """True for a number that carries provenance: a figure, amount, count, share or pledge."""
    return isinstance(node, Provenance) and (hasattr(node, "value") or isinstance(node, Pledge))


def count_figures(project: Project) -> int:
    """How many figures (numbers with provenance) the project holds."""
    return sum(1 for _, _, node in walk_project(project) if is_figure(node))
