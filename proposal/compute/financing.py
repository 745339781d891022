"""The financing plan against the total cost: the sources with their shares, each
partner's pledges and in-kind contributions, the call's share rules and the balance.

No cost moves the partners' pledges and in-kind items: `compute_financing` can take
them from a `Funding` already computed, so the sensitivity re-runs only redo the
sources, their shares and the gap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from ..locations import NOWHERE, Locations
from ..models import DATA_FILE_OF, IN_KIND_UNITS, Project, ShareRule, ordered_partners
from ..problems import Problem
from .rounding import EURO, PERCENT, Precision, round_parts
from .tables import SHARE_SLACK, TOTAL, percent, ratio, shares


@dataclass(frozen=True, eq=False)
class Funding:
    """The financing plan against a total cost."""

    sources: pd.DataFrame
    """As `Figures.financing`."""
    pledges: pd.DataFrame
    """As `Figures.pledges`."""
    in_kind: pd.DataFrame
    """As `Figures.in_kind`."""
    total_eur: float
    """Sum of the sources."""
    gap_eur: float
    """Total cost minus the sources."""
    balanced: bool
    """True when the gap is within the tolerance."""
    total_cost_eur: float
    """The total cost the plan finances."""


PLEDGE_KINDS = ("cash", "equity", "debt")


def compute_financing(project: Project, total_cost: float,
                      contributions: Funding | None = None) -> Funding:
    """Financing sources with their shares, pledges per partner, and the gap or surplus.

    `contributions`, when given, is a `Funding` of the same project whose pledges and
    in-kind tables are reused: no cost moves them, so the sensitivity re-runs pass the
    base's.
    """
    financing = project.financing
    if contributions is None:
        pledges, in_kind = _pledges(project), _in_kind(project)
    else:
        pledges, in_kind = contributions.pledges, contributions.in_kind
    rows = [
        {"source": "eu", "kind": "eu", "partner": None, "lender": None,
         "amount_eur": financing.eu.share.value * total_cost},
        {"source": "member_state", "kind": "member_state", "partner": None, "lender": None,
         "amount_eur": financing.member_state.share.value * total_cost},
    ]
    for partner in ordered_partners(project):
        for kind in (*PLEDGE_KINDS, "in_kind"):
            amount = float(pledges.loc[partner.id, kind])
            if amount:
                rows.append({"source": f"{partner.id}:{kind}",
                             "kind": "in_kind" if kind == "in_kind" else f"partner_{kind}",
                             "partner": partner.id, "lender": None, "amount_eur": amount})
    rows.extend(
        {"source": f"debt:{n}", "kind": "debt", "partner": None, "lender": facility.lender,
         "amount_eur": facility.amount.value}
        for n, facility in enumerate(financing.debt, start=1)
    )
    sources = pd.DataFrame(rows).set_index("source")
    sources["amount_eur"] = sources["amount_eur"].astype(float)
    sources["share"] = shares(sources["amount_eur"], total_cost)
    total = float(sources["amount_eur"].sum())
    sources.loc[TOTAL] = {"kind": TOTAL, "partner": None, "lender": None,
                          "amount_eur": total, "share": ratio(total, total_cost)}
    pledges = pledges.assign(share=shares(pledges["total"], total_cost))
    gap = total_cost - total
    return Funding(sources=sources, pledges=pledges, in_kind=in_kind, total_eur=total,
                   gap_eur=gap, balanced=abs(gap) <= financing.tolerance_eur,
                   total_cost_eur=total_cost)


def print_financing(
    funding: Funding, rules: Sequence[ShareRule], money: Precision, total: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, Precision]:
    """The financing sources, the pledges and the share rules' shares as the PDF prints
    them, and the precision of the shares.

    `total` is the total cost in `money`'s printed steps. The gap (or surplus) is
    rounded to its nearest step and the sources to add up to the total cost less the
    gap, so the printed sources, total cost and balance add up; their shares of the
    total cost likewise, with `share_precision`'s decimals.

    Sources: index the source ids, `total`, `cost` and, when the plan does not balance
    to the euro, `gap` (the total cost the sources leave uncovered) or `surplus` (the
    sources beyond it); columns `amount` (in `money`'s units, the balance as a positive
    amount) and `share` (of the total cost; NaN when the total cost is 0). Pledges: as
    `Figures.pledges` without the texts and `in_kind_not_counted`, each cell the printed
    source it is; `share` the sum of the partner's printed source shares. Share rules:
    each rule's share (index `rule`), the sum of the printed shares of its sources.
    """
    sources = funding.sources.drop(TOTAL)
    gap = money.nearest(funding.gap_eur)
    balance = "gap" if funding.gap_eur > 0 else "surplus"
    index = [*sources.index, TOTAL, "cost", balance]
    amounts = [*round_parts([money.steps(a) for a in sources["amount_eur"]], total - gap),
               total - gap, total, abs(gap)]
    percent = share_precision(funding)
    cost = funding.total_cost_eur
    if cost:
        whole = percent.nearest(1.0)
        gap_share = percent.nearest(funding.gap_eur / cost)
        parts = round_parts([percent.steps(s) for s in sources["share"]], whole - gap_share)
        shares = [percent.value(s) for s in (*parts, whole - gap_share, whole, abs(gap_share))]
    else:  # shares of nothing
        shares = [float("nan")] * len(index)
    printed = pd.DataFrame({"amount": [money.printed(a) for a in amounts], "share": shares},
                           index=pd.Index(index, name="source"))
    if not EURO.nearest(funding.gap_eur):
        printed = printed.drop(balance)
    kinds = sources["kind"]
    rule_shares = pd.Series(
        [printed.loc[kinds.index[kinds.isin(rule.financing_sources)], "share"].sum()
         for rule in rules], index=pd.Index([rule.id for rule in rules], name="rule"),
        dtype=float).round(6)
    if not cost:
        rule_shares[:] = float("nan")
    return printed, _print_pledges(funding.pledges, printed), rule_shares, percent


def _print_pledges(pledges: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    kinds = [*PLEDGE_KINDS, "in_kind"]
    table = pd.DataFrame(0.0, index=pledges.index.drop(TOTAL), columns=[*kinds, "share"])
    for source, row in sources.iterrows():
        partner, _colon, kind = str(source).rpartition(":")
        if partner in table.index and kind in kinds:
            table.loc[partner, [kind, "share"]] += [row["amount"], row["share"]]
    table.insert(len(kinds), TOTAL, table[kinds].sum(axis=1))
    table.loc[TOTAL] = table.sum()
    return table.round(6)


def share_precision(funding: Funding) -> Precision:
    """Shares of the total cost in percent with one decimal, or with as many more (up to
    three) as it takes to show a gap or surplus beyond the plan's tolerance."""
    precisions = [Precision(PERCENT, decimals) for decimals in (1, 2, 3)]
    if funding.balanced or not funding.total_cost_eur:
        return precisions[0]
    share = abs(funding.gap_eur / funding.total_cost_eur)
    return next((p for p in precisions if p.nearest(share)), precisions[-1])


def _pledges(project: Project) -> pd.DataFrame:
    rows = []
    for partner in ordered_partners(project):
        row = {"partner": partner.id, "short_name": partner.short_name,
               "name": partner.legal_name, "status": partner.status.value}
        for kind in PLEDGE_KINDS:
            row[kind] = sum(p.amount for p in partner.contributions.pledges if p.kind == kind)
        valued = [i for i in partner.contributions.in_kind if i.valuation is not None]
        row["in_kind"] = sum(i.valuation.value for i in valued if i.counts_in_financing)
        row["in_kind_not_counted"] = sum(i.valuation.value for i in valued
                                         if not i.counts_in_financing)
        rows.append(row)
    columns = ["partner", "short_name", "name", "status", *PLEDGE_KINDS, "in_kind",
               "in_kind_not_counted"]
    table = pd.DataFrame(rows, columns=columns).set_index("partner")
    amounts = [*PLEDGE_KINDS, "in_kind", "in_kind_not_counted"]
    table[amounts] = table[amounts].astype(float)
    table["total"] = table[[*PLEDGE_KINDS, "in_kind"]].sum(axis=1)
    sums = table[[*amounts, "total"]].sum()
    table.loc[TOTAL] = {"short_name": None, "name": None, "status": None, **sums}
    return table


def _in_kind(project: Project) -> pd.DataFrame:
    rows = [
        {"partner": partner.id, "kind": item.kind.value, "quantity": item.quantity.value,
         "unit": IN_KIND_UNITS[item.kind], "accelerator_type": item.accelerator_type,
         "site": item.site,
         "valuation_eur": float("nan") if item.valuation is None else item.valuation.value,
         "counts_in_financing": item.counts_in_financing}
        for partner in ordered_partners(project)
        for item in partner.contributions.in_kind
    ]
    return pd.DataFrame(rows, columns=["partner", "kind", "quantity", "unit",
                                       "accelerator_type", "site", "valuation_eur",
                                       "counts_in_financing"])


def check_share_rules(
    project: Project, sources: pd.DataFrame, total_cost: float, at: Locations = NOWHERE
) -> tuple[pd.DataFrame, list[Problem]]:
    """The share of the total cost each rule's sources carry, and an error per violation."""
    amounts = sources.drop(TOTAL).groupby("kind")["amount_eur"].sum()
    rows, problems = [], []
    for i, rule in enumerate(project.call.share_rules):
        kinds = " + ".join(rule.financing_sources)
        amount = float(amounts.reindex(list(rule.financing_sources), fill_value=0.0).sum())
        share = ratio(amount, total_cost)
        low = rule.min_share is not None and share < rule.min_share - SHARE_SLACK
        high = rule.max_share is not None and share > rule.max_share + SHARE_SLACK
        rows.append({"rule": rule.id, "sources": kinds, "amount_eur": amount,
                     "share": share,
                     "min_share": float("nan") if rule.min_share is None else rule.min_share,
                     "max_share": float("nan") if rule.max_share is None else rule.max_share,
                     "ok": not (low or high)})
        if low or high:
            bound, words = ("max_share", "at most") if high else ("min_share", "at least")
            problems.append(at.problem(
                DATA_FILE_OF["call"], ("share_rules", i, bound), "share-rule",
                f"financing share rule `{rule.id}` violated: {kinds} "
                f"carry {percent(share)} of the total cost; expected {words} "
                f"{percent(getattr(rule, bound))}"))
    columns = ["rule", "sources", "amount_eur", "share", "min_share", "max_share", "ok"]
    return pd.DataFrame(rows, columns=columns).set_index("rule"), problems


def check_financing_balance(
    project: Project, funding: Funding, at: Locations = NOWHERE
) -> list[Problem]:
    """Warn when the financing sources do not cover the total cost, or exceed it."""
    if funding.balanced:
        return []
    word = "gap" if funding.gap_eur > 0 else "surplus"
    return [at.problem(
        DATA_FILE_OF["financing"], (), "financing-balance",
        f"the financing sources add up to EUR {funding.total_eur:,.0f} against a total cost "
        f"of EUR {funding.total_cost_eur:,.0f}: a {word} of EUR {abs(funding.gap_eur):,.0f}; "
        f"expected a balance within EUR {project.financing.tolerance_eur:,.0f} "
        "(`tolerance_eur`)", severity="warning")]
