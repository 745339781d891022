"""The work plan's figures: effort and personnel cost per partner and work package,
the load per project month, and the dated work packages, tasks, deliverables and
milestones.

A project month counts from 1 = the month of `consortium.start_date`; a work package's
effort is spread evenly over its months. The staff opex line (`workplan_personnel`)
costs the same monthly effort, see `costs.compute_opex_items`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from ..models import Project
from .tables import TOTAL, grid, ordered, shares, with_totals


@dataclass(frozen=True, eq=False)
class WorkPlanFigures:
    """The work plan's tables."""

    work_packages: pd.DataFrame
    """As `Figures.work_packages`."""
    tasks: pd.DataFrame
    """As `Figures.tasks`."""
    effort: pd.DataFrame
    """As `Figures.effort`."""
    personnel_cost: pd.DataFrame
    """As `Figures.personnel_cost`."""
    effort_by_month: pd.DataFrame
    """As `Figures.effort_by_month`."""
    deliverables: pd.DataFrame
    """As `Figures.deliverables`."""
    milestones: pd.DataFrame
    """As `Figures.milestones`."""


def compute_work_plan(project: Project, monthly: pd.DataFrame) -> WorkPlanFigures:
    """Effort and personnel cost per partner and work package, load per month, and the
    dated lists of work packages, tasks, deliverables and milestones.

    `monthly` is the effort per month from `compute_monthly_effort`, for the load.
    """
    plan = project.workplan
    wp_ids = [wp.id for wp in plan.work_packages]
    # The person-months as the work plan gives them: adding their monthly spread back up
    # carries float noise (24 over 12 months sums to 23.999999999999993).
    efforts = pd.DataFrame(
        [{"partner": partner, "work_package": wp.id, "person_months": months,
          "cost_eur": months * monthly_rate(project, partner)}
         for wp in plan.work_packages for partner, months in wp.effort.items()],
        columns=["partner", "work_package", "person_months", "cost_eur"])
    partners = ordered(project, efforts["partner"])
    effort = with_totals(grid(efforts.rename(columns={"person_months": "amount_eur"}),
                              "partner", partners, wp_ids, column="work_package"))
    cost = with_totals(grid(efforts.rename(columns={"cost_eur": "amount_eur"}),
                            "partner", partners, wp_ids, column="work_package"))
    months = pd.RangeIndex(1, max(wp.end_month for wp in plan.work_packages) + 1, name="month")
    by_month = (monthly.pivot_table(index="month", columns="work_package",
                                    values="person_months", aggfunc="sum", sort=False)
                .reindex(index=months, columns=wp_ids, fill_value=0.0).fillna(0.0))
    by_month.columns.name = None
    by_month["total"] = by_month.sum(axis=1)
    by_month.insert(0, "date", [month_start(project, m) for m in months])
    by_month.insert(1, "year", [d.year for d in by_month["date"]])

    packages = pd.DataFrame({
        "lead": [wp.lead for wp in plan.work_packages],
        "start_month": [wp.start_month for wp in plan.work_packages],
        "end_month": [wp.end_month for wp in plan.work_packages],
        "start_date": [month_start(project, wp.start_month) for wp in plan.work_packages],
        "end_date": [month_end(project, wp.end_month) for wp in plan.work_packages],
    }, index=pd.Index(wp_ids, name="work_package"))
    packages["months"] = packages["end_month"] - packages["start_month"] + 1
    packages["person_months"] = effort.loc[TOTAL, wp_ids].astype(float)
    packages["personnel_cost_eur"] = cost.loc[TOTAL, wp_ids].astype(float)
    packages["share_of_effort"] = shares(packages["person_months"],
                                         float(effort.loc[TOTAL, TOTAL]))

    tasks = pd.DataFrame(
        [{"task": t.id, "work_package": wp.id, "lead": t.partners[0],
          "start_month": t.start_month, "end_month": t.end_month,
          "start_date": month_start(project, t.start_month),
          "end_date": month_end(project, t.end_month),
          "months": t.end_month - t.start_month + 1}
         for wp in plan.work_packages for t in wp.tasks],
        columns=["task", "work_package", "lead", "start_month", "end_month", "start_date",
                 "end_date", "months"])
    deliverables = pd.DataFrame(
        [{"deliverable": d.id, "work_package": wp.id, "month": d.month,
          "date": month_end(project, d.month), "type": d.type,
          "dissemination": d.dissemination, "lead": d.lead}
         for wp in plan.work_packages for d in wp.deliverables],
        columns=["deliverable", "work_package", "month", "date", "type", "dissemination",
                 "lead"])
    milestones = pd.DataFrame(
        [{"milestone": m.id, "work_package": wp.id, "month": m.month,
          "date": month_end(project, m.month)}
         for wp in plan.work_packages for m in wp.milestones],
        columns=["milestone", "work_package", "month", "date"])
    return WorkPlanFigures(
        work_packages=packages,
        tasks=tasks,
        effort=effort,
        personnel_cost=cost,
        effort_by_month=by_month,
        deliverables=_by_month(deliverables, "deliverable"),
        milestones=_by_month(milestones, "milestone"),
    )


def _by_month(table: pd.DataFrame, id_column: str) -> pd.DataFrame:
    """The rows sorted by month, then naturally by id (D1.2 before D1.10)."""
    keys = [(month, _natural(item)) for month, item in zip(table["month"], table[id_column],
                                                           strict=True)]
    order = sorted(range(len(table)), key=keys.__getitem__)
    return table.iloc[order].reset_index(drop=True)


def _natural(text: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


def compute_monthly_effort(project: Project) -> pd.DataFrame:
    """Effort per partner, work package and project month, each package's effort spread
    evenly over its months; columns `partner`, `work_package`, `month`, `date` (first
    day), `year`, `person_months`, `rate_eur`, `cost_eur`."""
    plan = project.workplan
    rows = [
        {"partner": partner, "work_package": wp.id, "month": month,
         "package_person_months": effort, "package_months": wp.end_month - wp.start_month + 1}
        for wp in plan.work_packages
        for partner, effort in wp.effort.items()
        for month in range(wp.start_month, wp.end_month + 1)
    ]
    table = pd.DataFrame(rows, columns=["partner", "work_package", "month",
                                        "package_person_months", "package_months"])
    table["person_months"] = table["package_person_months"] / table["package_months"]
    starts = {month: month_start(project, month) for month in table["month"].unique()}
    rates = {partner: monthly_rate(project, partner) for partner in table["partner"].unique()}
    table["date"] = table["month"].map(starts)
    table["year"] = table["date"].map(lambda date: date.year)
    table["rate_eur"] = table["partner"].map(rates)
    table["cost_eur"] = table["person_months"] * table["rate_eur"]
    return table[["partner", "work_package", "month", "date", "year", "person_months",
                  "rate_eur", "cost_eur"]]


def month_start(project: Project, month: int) -> dt.date:
    """First day of a project month (month 1 is the month of the start date)."""
    start = project.consortium.start_date
    index = start.month - 1 + month - 1
    return dt.date(start.year + index // 12, index % 12 + 1, 1)


def month_end(project: Project, month: int) -> dt.date:
    """Last day of a project month."""
    return month_start(project, month + 1) - dt.timedelta(days=1)


def monthly_rate(project: Project, partner: str) -> float:
    """Cost of one person-month of a partner: its own rate, else the work plan's."""
    rate = project.workplan.partner_rates.get(partner, project.workplan.person_month_rate)
    return rate.value
