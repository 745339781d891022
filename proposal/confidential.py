"""Confidential data: who an edition is for, and what it may not show.

A partner's pledge or in-kind valuation marked `confidential: true` is seen by the
`full` audience (the bid team); the `public` audience sees it masked, with the rows that
would give it away; `partner:<id>` sees the public view plus that partner's own values.

`edition_view` is the one place that masks: it takes the project and its figures and
returns the pair every renderer lays out (the PDF, the figures file); the workbook,
which rebuilds figures from its inputs, is masked after it is written by
`mask_workbook` from the same view. Renderers never decide what is confidential.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from .locations import NOWHERE, Locations
from .models import InKind, Partner, Pledge, Project
from .problems import Problem

if TYPE_CHECKING:
    from openpyxl import Workbook

    from .compute import Figures
    from .editions import Marks

FULL, PUBLIC, PARTNER = "full", "public", "partner"
"""The audiences: the bid team, anyone, one partner (`partner:<id>`)."""

# ======================================================================= audience


@dataclass(frozen=True)
class Audience:
    """Who an edition is for: `full`, `public`, or one partner's extract."""

    kind: Literal["full", "public", "partner"] = FULL
    """`full` (everything), `public` (confidential values masked) or `partner`."""
    partner: str | None = None
    """For a partner's extract: the partner who sees its own confidential values."""

    @classmethod
    def parse(cls, text: str) -> Audience:
        """`full`, `public` or `partner:<id>`; ValueError with the expected forms."""
        kind, _sep, partner = text.partition(":")
        if kind in (FULL, PUBLIC) and not _sep:
            return cls(kind)  # type: ignore[arg-type]
        if kind == PARTNER and re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", partner):
            return cls(PARTNER, partner)
        raise ValueError(f"{text!r} is not an audience; expected `full`, `public` or "
                         "`partner:<id>` (a partner id, such as `partner:inria`)")

    @property
    def restricted(self) -> bool:
        """True when confidential values of someone are masked."""
        return self.kind != FULL

    @property
    def suffix(self) -> str:
        """What output file names carry: '' for full, `_public`, `_partner-<id>`."""
        return "" if self.kind == FULL else (
            "_public" if self.kind == PUBLIC else f"_partner-{self.partner}")

    def sees(self, partner_id: str) -> bool:
        """True when this audience may see the partner's confidential values."""
        return self.kind == FULL or partner_id == self.partner

    def __str__(self) -> str:
        return self.kind if self.partner is None else f"{self.kind}:{self.partner}"


def check_audience(project: Project, audience: Audience) -> list[Problem]:
    """An error when a partner's extract names no partner of the project."""
    if audience.kind != PARTNER:
        return []
    ids = [partner.id for partner in project.partners]
    if audience.partner in ids:
        return []
    return [Problem("partners", 1, 1, "error", "unknown-partner",
                    f"`--audience partner:{audience.partner}`: no partner has the id "
                    f"`{audience.partner}`; expected one of: {', '.join(ids)}")]

# ======================================================================== masking


def confidential_items(partner: Partner) -> Iterator[Pledge | InKind]:
    """The partner's contributions marked confidential."""
    contributions = partner.contributions
    yield from (p for p in contributions.pledges if p.confidential)
    yield from (i for i in contributions.in_kind if i.confidential and i.valuation)


def hidden_partners(project: Project, audience: Audience) -> frozenset[str]:
    """Partners with a confidential contribution the audience may not see."""
    return frozenset(p.id for p in project.partners
                     if not audience.sees(p.id) and any(confidential_items(p)))


def edition_view(project: Project, figures: Figures, marks: Marks) -> tuple[Project, Figures]:
    """The project and figures as this edition shows them: for a restricted audience,
    every contribution of a partner with a confidential one is masked (NaN, which the
    outputs print as a dash or leave empty): the pledge and in-kind amounts of the data,
    the partner's row of the pledges table and its financing sources (amounts and
    shares), printed or not. A partner's other amounts go too, since its total minus
    them would give the confidential one away. Totals stay: they are the consortium's
    aggregates (README "Confidential data" says what they still let a reader infer)."""
    hidden = hidden_partners(project, marks.audience)
    secrets = tuple(sorted({_amount(item) for pid in hidden
                            for item in _contributions(project.partner(pid))}))
    marks = dataclasses.replace(marks, hidden=hidden, secrets=secrets)
    if not hidden:
        return project, dataclasses.replace(figures, marks=marks)
    partners = tuple(_masked_partner(p) if p.id in hidden else p for p in project.partners)
    project = project.model_copy(update={"partners": partners})
    alone = _single_holder_columns(figures.pledges, hidden)
    rules = _single_holder_rules(project, figures.financing, hidden)
    printed = figures.printed
    if printed is not None:
        shares = printed.share_rules.astype(float).copy()
        shares[[r for r in rules if r in shares.index]] = math.nan
        printed = dataclasses.replace(
            printed, pledges=_mask_rows(printed.pledges, hidden, alone),
            financing=_mask_sources(printed.financing, hidden, "amount"),
            share_rules=shares)
    share_rules = figures.share_rules.copy()
    for column in ("amount_eur", "share"):
        share_rules[column] = share_rules[column].astype(float)
        share_rules.loc[list(rules), column] = math.nan
    figures = dataclasses.replace(
        figures, marks=marks, printed=printed,
        pledges=_mask_rows(figures.pledges, hidden, alone),
        financing=_mask_sources(figures.financing, hidden, "amount_eur"),
        in_kind=_mask_in_kind(figures.in_kind, hidden), share_rules=share_rules)
    return project, figures


def _single_holder_columns(pledges: Any, hidden: frozenset[str]) -> list[str]:
    """The pledges columns whose total has the masked amounts of one partner only: that
    total less the visible partners' would be the partner's amount."""
    alone = []
    for column in _numeric(pledges):
        base = "total" if column == "share" else column
        holders = [pid for pid in hidden if pid in pledges.index
                   and float(pledges.at[pid, base] or 0) != 0]
        if len(holders) == 1:
            alone.append(column)
    return alone


def _single_holder_rules(project: Project, financing: Any, hidden: frozenset[str]) -> list[str]:
    """The share rules whose sources hold the masked amounts of one partner only."""
    alone = []
    for rule in project.call.share_rules:
        rows = financing[financing["kind"].isin(rule.financing_sources)
                         & financing["partner"].isin(hidden)
                         & (financing["amount_eur"].astype(float) != 0)]
        if rows["partner"].nunique() == 1:
            alone.append(rule.id)
    return alone


def _contributions(partner: Partner) -> Iterator[Pledge | InKind]:
    yield from partner.contributions.pledges
    yield from (i for i in partner.contributions.in_kind if i.valuation is not None)


def _amount(item: Pledge | InKind) -> float:
    return item.amount if isinstance(item, Pledge) else item.valuation.value  # type: ignore[union-attr]


def _masked_partner(partner: Partner) -> Partner:
    nan = math.nan
    pledges = tuple(p.model_copy(update={"amount": nan}) for p in partner.contributions.pledges)
    in_kind = tuple(i.model_copy(update={"valuation": i.valuation.model_copy(
        update={"value": nan})}) if i.valuation is not None else i
        for i in partner.contributions.in_kind)
    contributions = partner.contributions.model_copy(
        update={"pledges": pledges, "in_kind": in_kind})
    return partner.model_copy(update={"contributions": contributions})


def _numeric(table: Any) -> list[str]:
    return [c for c in table.columns if str(table[c].dtype).startswith(("float", "int"))]


def _mask_rows(table: Any, hidden: frozenset[str], alone: list[str]) -> Any:
    """The pledges table without the hidden partners' amounts, nor the totals of the
    columns only one of them holds amounts in."""
    from .compute import TOTAL

    table = table.copy()
    rows = [pid for pid in table.index if pid in hidden]
    for column in _numeric(table):
        table[column] = table[column].astype(float)
        table.loc[rows, column] = math.nan
        if column in alone and TOTAL in table.index:
            table.loc[TOTAL, column] = math.nan
    return table


def _mask_sources(table: Any, hidden: frozenset[str], column: str) -> Any:
    table = table.copy()
    rows = [source for source in table.index
            if isinstance(source, str) and source.partition(":")[0] in hidden
            and source.partition(":")[2] in ("cash", "equity", "debt", "in_kind")]
    for name in (column, "share"):
        if name in table.columns:
            table[name] = table[name].astype(float)
            table.loc[rows, name] = math.nan
    return table


def _mask_in_kind(table: Any, hidden: frozenset[str]) -> Any:
    table = table.copy()
    if len(table):
        table["valuation_eur"] = table["valuation_eur"].astype(float)
        table.loc[table["partner"].isin(hidden), "valuation_eur"] = math.nan
    return table


def check_confidential(project: Project, at: Locations = NOWHERE) -> list[Problem]:
    """A warning when the public edition's totals give a confidential amount away: when
    one partner alone holds confidential amounts, the total cost less the public sources
    and the gap is that partner's contribution, whatever is masked."""
    holders = [p for p in project.partners if any(confidential_items(p))]
    if len(holders) != 1:
        return []
    partner = holders[0]
    return [at.problem(f"partners/{partner.id}.yaml", ("contributions",), "confidential-inferable",
                       f"`{partner.id}` is the only partner with confidential amounts: the "
                       "public edition masks them, but its totals (total cost, sources, "
                       "balance) let a reader recompute the sum of this partner's "
                       "contributions; mark at least one other partner's contributions "
                       "confidential, or accept it", severity="warning")]

# ======================================================================= workbook

MASKED = {"en": "confidential", "fr": "confidentiel"}
"""What a masked workbook cell says, by language."""


def mask_workbook(workbook: Workbook, layout: Any, marks: Marks, lang: str,
                  full: Figures | None = None, masked: Figures | None = None) -> None:
    """Mask a workbook written from the full figures for `marks.audience`, in place.

    Every formula is replaced by its value (a formula would rebuild a masked value from
    the inputs, or need the inputs the audience may not see); then every cell of a hidden
    partner's pledges, in-kind valuations, pledge row and financing sources, and any
    number equal to a masked amount, says `confidential`. Totals stay, as values.
    """
    from .render.workbook.calculate import calculate

    if not marks.hidden:
        return
    values = calculate(workbook)
    for (title, row, col), value in values.items():
        workbook[title].cell(row, col).value = value
    word = MASKED.get(lang, MASKED["en"])
    twins = _masked_twins(layout, full, masked) if full is not None else ()
    for address in [*_hidden_cells(layout, marks.hidden), *twins]:
        sheet, cell = _split(address)
        workbook[sheet][cell].value = word
    secrets = marks.secrets
    for sheet in workbook.worksheets:
        for cells in sheet.iter_rows():
            for cell in cells:
                if isinstance(cell.value, int | float) and not isinstance(cell.value, bool) \
                        and any(_close(cell.value, s) for s in secrets):
                    cell.value = word


def _hidden_cells(layout: Any, hidden: frozenset[str]) -> Iterator[str]:
    for key, address in layout.inputs.items():
        parts = key.split("/")
        if parts[:2] in (["in", "pledge"], ["in", "inkind"]) and parts[2] in hidden:
            yield address
    for (label, _column), address in layout.tables.get("pledges", {}).items():
        if label in hidden:
            yield address
    for (label, _column), address in layout.tables.get("financing", {}).items():
        if isinstance(label, str) and label.partition(":")[0] in hidden:
            yield address


def _masked_twins(layout: Any, full: Figures, masked: Figures | None) -> Iterator[str]:
    """The cells whose `Figures` twin the edition's view masked (NaN where the full
    figures have a value)."""
    if masked is None:
        return
    for name, cells in layout.tables.items():
        before, after = getattr(full, name, None), getattr(masked, name, None)
        if not hasattr(after, "at") or before is after:
            continue
        for (label, column), address in cells.items():
            try:
                if _missing(after.at[label, column]) and not _missing(before.at[label, column]):
                    yield address
            except (KeyError, ValueError, TypeError):
                continue


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _split(address: str) -> tuple[str, str]:
    sheet, _bang, cell = address.rpartition("!")
    return sheet.strip("'").replace("''", "'"), cell.replace("$", "")


def _close(value: float, secret: float) -> bool:
    return secret != 0 and abs(value - secret) <= max(0.5, abs(secret) * 1e-9)


def render_edition_workbook(project: Project, figures: Figures, marks: Marks | None,
                            lang: str) -> bytes:
    """The workbook of one language for the edition's audience, as XLSX bytes: written
    from the full project and figures, then masked (`mask_workbook`)."""
    from .render.workbook import build_workbook, render_workbook
    from .render.workbook.book import workbook_bytes

    if marks is None or not marks.hidden:
        return render_workbook(project, figures, lang)
    workbook, layout = build_workbook(project, figures, lang)
    masked = edition_view(project, figures, marks)[1]
    mask_workbook(workbook, layout, marks, lang, figures, masked)
    submitted = project.consortium.submission_date
    return workbook_bytes(workbook, dt.datetime(submitted.year, submitted.month,
                                                submitted.day))
