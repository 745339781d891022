"""Context of the work-plan chapter: work packages, effort, deliverables, risks, Gantt."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pandas as pd
from markupsafe import Markup

from ...compute import TOTAL
from ...models import LEVEL_SCORES
from ..charts import GanttLabels, GanttRow, gantt_chart
from .cells import Cell, Grid, column_decimals, grid

if TYPE_CHECKING:
    from .edition import Edition


class WorkplanContext:
    """The work-plan chapter."""

    def workplan(self: Edition) -> dict[str, Any]:
        """Work packages, tasks, effort, deliverables, milestones, risks, Gantt chart."""
        _, plan, f = self._, self.project.workplan, self.figures
        wps = f.work_packages
        overview = [[wp_id, self.text(self._wp(wp_id).title), self.short(row["lead"]),
                     self.month(row["start_month"]), self.month(row["end_month"]),
                     self.number(row["person_months"],
                                 column_decimals(list(wps["person_months"]))),
                     self.percent(row["share_of_effort"])] for wp_id, row in wps.iterrows()]
        packages = []
        for wp in plan.work_packages:
            tasks = [[task.id, self.text(task.title), self.months(task.start_month,
                                                                  task.end_month),
                      ", ".join(self.short(p) for p in task.partners)] for task in wp.tasks]
            packages.append({
                "id": wp.id, "title": self.text(wp.title), "lead": self.short(wp.lead),
                "months": self.months(wp.start_month, wp.end_month).text,
                "objectives": self.paras(wp.objectives),
                "tasks": grid([_("Task"), _("Title"), _("Months"),
                               _("Partners (lead first)")], tasks) if tasks else None,
            })
        effort_decimals = column_decimals(f.effort.to_numpy().ravel().tolist())
        effort = self._partner_grid(f.effort, lambda v: self.number(v, effort_decimals))
        rates = {pid: rate.value for pid, rate in plan.partner_rates.items()}
        personnel = [[self.total_label(pid) if pid == TOTAL else self.short(pid),
                      self.number(f.effort.loc[pid, TOTAL], effort_decimals),
                      Cell("", True) if pid == TOTAL else self.money(
                          rates.get(pid, plan.person_month_rate.value)),
                      self.money(f.personnel_cost.loc[pid, TOTAL])]
                     for pid in f.effort.index]
        deliverables = {d.id: d for wp in plan.work_packages for d in wp.deliverables}
        milestones = {m.id: m for wp in plan.work_packages for m in wp.milestones}
        deliverable_rows = [[row["deliverable"],
                             self.text(deliverables[row["deliverable"]].title),
                             row["work_package"], self.short(row["lead"]),
                             f"{self.label('deliverable_type', row['type'])}, "
                             f"{row['dissemination']}",
                             Cell(self.month(row["month"]), keep=True)]
                            for _i, row in f.deliverables.iterrows()]
        milestone_rows = [[row["milestone"], self.text(milestones[row["milestone"]].title),
                           row["work_package"], Cell(self.month(row["month"]), keep=True),
                           self.text(milestones[row["milestone"]].verification)]
                          for _i, row in f.milestones.iterrows()]
        return {
            "overview": grid([_("WP"), _("Title"), _("Lead"), _("Start"), _("End"),
                              _("Person-months"), _("Share")], overview),
            "packages": packages,
            "effort": effort,
            "personnel": grid([_("Partner"), _("Person-months"), _("Cost per person-month"),
                               _("Personnel cost")], personnel,
                              [pid == TOTAL for pid in f.effort.index]),
            "deliverables": grid([_("No."), _("Deliverable"), _("WP"), _("Lead"),
                                  _("Type"), _("Due")], deliverable_rows),
            "milestones": grid([_("No."), _("Milestone"), _("WP"), _("Due"),
                                _("Means of verification")], milestone_rows),
            "risks": self._risks() if plan.risks else None,
            "kpis": self._kpis() if plan.kpis else None,
            "gantt": self._gantt(),
            "legend": _("PU: public; SEN: sensitive."),
        }

    def _risks(self: Edition) -> Grid:
        """The risk register by score, highest first: owner, likelihood x impact, the
        residual risk once mitigated."""
        _ = self._
        risks = {risk.id: risk for risk in self.project.workplan.risks}
        rows = []
        for _i, row in self.figures.content.risks.iterrows():
            risk = risks[row["risk"]]
            residual = (self._score(row["residual_likelihood"], row["residual_impact"],
                                    row["residual_score"])
                        if risk.residual_likelihood and risk.residual_impact else "\u2013")
            rows.append([row["risk"],
                         f"{self.text(risk.description)} ({', '.join(risk.work_packages)})",
                         self.short(risk.owner) if risk.owner else "\u2013",
                         Cell(self._score(row["likelihood"], row["impact"], row["score"]),
                              keep=True),
                         Cell(residual, keep=True), self.text(risk.mitigation)])
        return grid([_("No."), _("Risk (work packages)"), _("Owner"), _("Score"),
                     _("Residual"), _("Mitigation")], rows)

    def _score(self: Edition, likelihood: str, impact: str, score: float) -> str:
        """`3×3=9`: the levels' scores and their product."""
        return f"{LEVEL_SCORES[likelihood]}\u00d7{LEVEL_SCORES[impact]}={self.loc.number(score)}"

    def _kpis(self: Edition) -> Grid:
        """The KPIs: what is measured, baseline, target, month, work package, source."""
        _ = self._
        kpis = {kpi.id: kpi for kpi in self.project.workplan.kpis}
        table = self.figures.content.kpis
        rows = []
        for kpi_id, row in table.iterrows():
            kpi = kpis[kpi_id]
            decimals = 0 if all(pd.isna(v) or float(v).is_integer()
                                for v in (row["baseline"], row["target"])) else 1
            rows.append([kpi_id, self.text(kpi.name), self.text(kpi.unit),
                         self.number(row["baseline"], decimals),
                         self.number(row["target"], decimals),
                         Cell(self.month(row["target_month"]), keep=True), row["work_package"],
                         f"[{kpi.source}]" if kpi.source else _("Assumption")])
        return grid([_("No."), _("Indicator"), _("Unit"), _("Baseline"), _("Target"),
                     _("By"), _("WP"), _("Source")], rows)

    def _wp(self: Edition, wp_id: str) -> Any:
        return next(wp for wp in self.project.workplan.work_packages if wp.id == wp_id)

    def _gantt(self: Edition) -> Markup:
        _, f = self._, self.figures
        rows = []
        marks = f.milestones.sort_values(["month", "milestone"]).groupby("work_package")
        milestones = marks["month"].apply(tuple).to_dict()
        milestone_ids = marks["milestone"].apply(tuple).to_dict()
        deliverables = f.deliverables.groupby("work_package")["month"].apply(tuple).to_dict()
        titles = {task.id: task.title for wp in self.project.workplan.work_packages
                  for task in wp.tasks}
        for wp_id, wp in f.work_packages.iterrows():
            rows.append(GanttRow(wp_id, int(wp["start_month"]), int(wp["end_month"]), True,
                                 tuple(int(m) for m in milestones.get(wp_id, ())),
                                 tuple(int(m) for m in deliverables.get(wp_id, ())),
                                 name=self.text(self._wp(wp_id).title),
                                 milestone_ids=milestone_ids.get(wp_id, ())))
            for _i, task in f.tasks[f.tasks["work_package"] == wp_id].iterrows():
                rows.append(GanttRow(task["task"], int(task["start_month"]),
                                     int(task["end_month"]), False,
                                     name=self.text(titles[task["task"]])))
        by_month = f.effort_by_month
        years = [(int(month), self.year(row["year"])) for month, row in by_month.iterrows()
                 if month == by_month.index[0] or row["date"].month == 1]
        return gantt_chart(rows, len(by_month), years, list(by_month[TOTAL]),
                           GanttLabels(title=_("Gantt chart of the work plan"),
                                       effort=_("Effort of the whole consortium "
                                                "(person-months per month)"),
                                       milestone=_("Milestone"), deliverable=_("Deliverable"),
                                       month=_("M{month}"),
                                       axis=_("Project month")),
                           self.loc.number, width=self.page.chart_width_pt,
                           label_pt=self.page.chart_pt)

    def _partner_grid(self: Edition, table: pd.DataFrame, cell: Callable[[float], Cell]) -> Grid:
        """A partner x column table (effort) with its total row and column."""
        head = [self._("Partner"),
                *(self._("Total") if c == TOTAL else str(c) for c in table.columns)]
        rows = [[self.total_label(pid) if pid == TOTAL else self.short(pid),
                 *(cell(v) for v in row)] for pid, row in table.iterrows()]
        return grid(head, rows, [pid == TOTAL for pid in table.index])
