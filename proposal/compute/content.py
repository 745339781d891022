"""The tables evaluators look for: the consortium in one table, the public contributions
requested and the funding year by year, the risk register scored, and the KPIs.

Nothing here is a new cost or source: each table reorganises figures the other compute
modules made (the EU view per beneficiary, the financing sources, the cash view), so
that what they print agrees with the tables those figures come from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ..models import LEVEL_SCORES, Project, ordered_partners
from .rounding import EURO, Precision, in_units, round_grid, round_parts
from .tables import TOTAL, ratio
from .workplan import _natural, month_end

PUBLIC_KINDS = ("eu", "member_state")
"""Financing kinds that are public contributions requested from the call."""
FUNDING_GROUPS: dict[str, tuple[str, ...]] = {
    "eu": ("eu",),
    "member_state": ("member_state",),
    "private": ("partner_cash", "partner_equity", "partner_debt", "in_kind"),
    "debt": ("debt",),
}
"""Columns of the funding per year and the financing kinds each gathers."""


@dataclass(frozen=True, eq=False)
class ContentFigures:
    """The consortium table, the funding per year, the scored risks and the KPIs."""

    consortium: pd.DataFrame
    """One row per partner, index `partner` in `ordered_partners` order (coordinator
    first), then `"total"`; columns `number` (1, 2, ...; 0 on the total row),
    `short_name`, `country`, `organisation_type`, `status`, `founding_member`,
    `person_months` (the work plan's), `cost_eur` (the partner's direct costs as the EU
    view counts them; they add up to the total cost), `requested_eur` (the public
    contributions requested, EU and Member State, that fall to the partner: their share
    of the total cost times the partner's costs; they add up to the contributions the
    financing plan requests)."""
    public_share: float
    """Share of the total cost requested as public contributions (EU + Member State)."""
    eu_requested_eur: float
    """The EU contribution the financing plan requests."""
    member_state_requested_eur: float
    """The Member State contribution the financing plan requests."""
    funding_by_year: pd.DataFrame
    """The financing sources year by year, index `year` (the cash view's years, then
    `"total"`); columns `eu`, `member_state`, `private` (partners' cash, equity, debt
    and in-kind contributions that count), `debt` (debt facilities), `total`. Each source
    is assumed to fund every year's cash need in the same proportion: a source's amount
    in a year is its amount times the year's share of the total cost (cash view); with
    no cost at all, an equal share each year. The total row is the financing sources;
    with a gap, it stays below the total cost."""
    risks: pd.DataFrame
    """The risk register scored, sorted by score (highest first), then residual score,
    then id; index 0, 1, ...; columns `risk` (id), `owner` (partner id or None),
    `likelihood`, `impact` (levels), `score` (`LEVEL_SCORES` of the two multiplied: 1 to
    9), `residual_likelihood`, `residual_impact` (None when not given),
    `residual_score` (NaN when either residual level is missing)."""
    kpis: pd.DataFrame
    """The KPIs in the work plan's order, index `kpi` (id); columns `work_package`,
    `baseline` (NaN when none), `target`, `target_month`, `target_date` (last day of
    the month), `source` (id or None), `assumption` (bool)."""
    printed_consortium: pd.DataFrame | None
    """`consortium`'s `cost_eur` and `requested_eur` as the PDF prints them, in the money
    tables' unit (columns `cost`, `requested`; same index): the costs are the EU view's
    printed direct costs, the requests add up to the printed EU and Member State
    contributions of the financing table. None when nothing is printed."""
    printed_funding_by_year: pd.DataFrame | None
    """`funding_by_year` as the PDF prints it, in the money tables' unit: each column adds
    up to the printed sources of the financing table it gathers, each row to its total."""


def compute_content(project: Project, effort: pd.DataFrame, eu_by_partner: pd.DataFrame,
                    sources: pd.DataFrame, cost_by_year: pd.DataFrame,
                    total_cost: float) -> ContentFigures:
    """The evaluator's tables from the effort, the EU view per beneficiary, the financing
    sources and the cash view (without their printed versions: see `print_content`)."""
    amounts = sources.drop(TOTAL)
    public = {kind: float(amounts.loc[amounts["kind"] == kind, "amount_eur"].sum())
              for kind in PUBLIC_KINDS}
    public_share = ratio(sum(public.values()), total_cost)
    return ContentFigures(
        consortium=compute_consortium_table(project, effort, eu_by_partner, public_share),
        public_share=public_share,
        eu_requested_eur=public["eu"],
        member_state_requested_eur=public["member_state"],
        funding_by_year=compute_funding_by_year(sources, cost_by_year),
        risks=compute_risks(project),
        kpis=compute_kpis(project),
        printed_consortium=None,
        printed_funding_by_year=None,
    )


def compute_consortium_table(project: Project, effort: pd.DataFrame,
                             eu_by_partner: pd.DataFrame, public_share: float) -> pd.DataFrame:
    """One row per partner: identity, person-months, costs and contribution requested."""
    partners = ordered_partners(project)
    ids = [p.id for p in partners]
    table = pd.DataFrame({
        "number": range(1, len(partners) + 1),
        "short_name": [p.short_name for p in partners],
        "country": [p.country for p in partners],
        "organisation_type": [p.organisation_type.value for p in partners],
        "status": [p.status.value for p in partners],
        "founding_member": [p.founding_member for p in partners],
    }, index=pd.Index(ids, name="partner"))
    body_effort = effort.drop(TOTAL)[TOTAL] if TOTAL in effort.index else effort[TOTAL]
    table["person_months"] = body_effort.reindex(ids, fill_value=0.0).astype(float)
    direct = eu_by_partner.drop(TOTAL)["direct"]
    table["cost_eur"] = direct.reindex(ids, fill_value=0.0).astype(float)
    share = 0.0 if math.isnan(public_share) else public_share
    table["requested_eur"] = table["cost_eur"] * share
    table.loc[TOTAL] = {"number": 0, "short_name": None, "country": None,
                        "organisation_type": None, "status": None, "founding_member": False,
                        "person_months": table["person_months"].sum(),
                        "cost_eur": table["cost_eur"].sum(),
                        "requested_eur": table["requested_eur"].sum()}
    table["number"] = table["number"].astype(int)
    return table


def compute_funding_by_year(sources: pd.DataFrame, cost_by_year: pd.DataFrame) -> pd.DataFrame:
    """Each group of sources spread over the years in proportion to each year's cash need."""
    amounts = sources.drop(TOTAL)
    years = cost_by_year.drop(TOTAL)
    cash = years["total"].astype(float)
    # With no cost at all, nothing says when the sources are spent: evenly over the years.
    weights = cash / float(cash.sum()) if cash.sum() else cash * 0.0 + 1.0 / len(cash)
    table = pd.DataFrame(index=years.index)
    for column, kinds in FUNDING_GROUPS.items():
        group = float(amounts.loc[amounts["kind"].isin(kinds), "amount_eur"].sum())
        table[column] = weights * group
    table[TOTAL] = table.sum(axis=1)
    table.loc[TOTAL] = table.sum()
    table.index.name = "year"
    return table


def compute_risks(project: Project) -> pd.DataFrame:
    """The risk register with each risk's score and residual score, highest first."""
    rows = []
    for risk in project.workplan.risks:
        residual = (LEVEL_SCORES[risk.residual_likelihood] * LEVEL_SCORES[risk.residual_impact]
                    if risk.residual_likelihood and risk.residual_impact else float("nan"))
        rows.append({"risk": risk.id, "owner": risk.owner, "likelihood": risk.likelihood,
                     "impact": risk.impact,
                     "score": LEVEL_SCORES[risk.likelihood] * LEVEL_SCORES[risk.impact],
                     "residual_likelihood": risk.residual_likelihood,
                     "residual_impact": risk.residual_impact,
                     "residual_score": float(residual)})
    columns = ["risk", "owner", "likelihood", "impact", "score", "residual_likelihood",
               "residual_impact", "residual_score"]
    table = pd.DataFrame(rows, columns=columns)
    order = sorted(range(len(rows)), key=lambda i: (
        -rows[i]["score"],
        -(0 if math.isnan(rows[i]["residual_score"]) else rows[i]["residual_score"]),
        _natural(rows[i]["risk"])))
    return table.iloc[order].reset_index(drop=True)


def compute_kpis(project: Project) -> pd.DataFrame:
    """The KPIs with their target dates."""
    kpis = project.workplan.kpis
    return pd.DataFrame({
        "work_package": [k.work_package for k in kpis],
        "baseline": [float("nan") if k.baseline is None else k.baseline for k in kpis],
        "target": [float(k.target) for k in kpis],
        "target_month": [k.target_month for k in kpis],
        "target_date": [month_end(project, k.target_month) for k in kpis],
        "source": [k.source for k in kpis],
        "assumption": [k.assumption for k in kpis],
    }, index=pd.Index([k.id for k in kpis], name="kpi"))


def print_content(content: ContentFigures, money: Precision, direct: pd.Series,
                  financing: pd.DataFrame, kinds: pd.Series) -> ContentFigures:
    """`content` with its printed tables (see `ContentFigures`).

    `direct` is the printed EU view's `direct` column per beneficiary (in `money`'s
    units, with its total row), `financing` the printed financing sources
    (`Printed.financing`) and `kinds` each source's kind (`Figures.financing["kind"]`);
    these tables take their totals from what those tables print.
    """
    ids = content.consortium.index.drop(TOTAL)
    cost = [_steps(v, money) for v in direct.drop(TOTAL).reindex(ids, fill_value=0.0)]
    public = _printed_steps(financing, kinds, PUBLIC_KINDS, money)
    requested = _parts_to([money.steps(v) for v in content.consortium.loc[ids, "requested_eur"]],
                          public)
    consortium = pd.DataFrame({"cost": [*cost, sum(cost)],
                               "requested": [*requested, sum(requested)]},
                              index=content.consortium.index)
    by_year = content.funding_by_year.drop(index=TOTAL, columns=TOTAL).map(money.steps)
    columns = [_printed_steps(financing, kinds, group, money)
               for group in FUNDING_GROUPS.values()]
    for column, total in zip(by_year.columns, columns, strict=True):
        by_year[column] = _scaled(by_year[column], total)
    grid = round_grid(by_year, sum(columns), columns)
    grid[TOTAL] = grid.sum(axis=1)
    grid.loc[TOTAL] = grid.sum()
    return ContentFigures(**{**content.__dict__,
                             "printed_consortium": in_units(consortium, money),
                             "printed_funding_by_year": in_units(grid, money)})


def _steps(printed: float, money: Precision) -> int:
    """A printed amount (in `money`'s units) back in whole steps."""
    return round(float(printed) * 10**money.decimals)


def _printed_steps(financing: pd.DataFrame, kinds: pd.Series, wanted: tuple[str, ...],
                   money: Precision) -> int:
    """The printed financing sources of the `wanted` kinds, added up, in steps."""
    sources = kinds.index[kinds.isin(wanted)]
    return sum(_steps(financing.at[s, "amount"], money) for s in sources if s in financing.index)


def _scaled(parts: pd.Series, total: int) -> pd.Series:
    """Parts scaled to add up to `total` exactly, so that rounding can meet it: their
    rounding to a printed total can leave them a step or two away from it."""
    whole = float(parts.sum())
    return parts * (total / whole) if whole else parts


def _parts_to(parts: list[float], total: int) -> list[int]:
    """Parts rounded to whole steps that add up to `total`."""
    return round_parts(list(_scaled(pd.Series(parts, dtype=float), total)), total)


def requested_to_the_euro(content: ContentFigures) -> tuple[float, float]:
    """The EU and Member State contributions requested, to the euro, as the key figures
    print them."""
    return (float(EURO.nearest(content.eu_requested_eur)),
            float(EURO.nearest(content.member_state_requested_eur)))
