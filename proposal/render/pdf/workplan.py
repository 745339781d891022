"""Context of the work-plan chapter: work packages, effort, deliverables, risks, Gantt."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pandas as pd
from markupsafe import Markup

from ...compute import TOTAL
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
        risks = [[risk.id, self.text(risk.description),
                  f"{self.label('level', risk.likelihood)} / {self.label('level', risk.impact)}",
                  ", ".join(risk.work_packages), self.text(risk.mitigation)]
                 for risk in plan.risks]
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
            "risks": grid([_("No."), _("Risk"), _("Likelihood / impact"), _("WPs"),
                           _("Mitigation")], risks) if risks else None,
            "gantt": self._gantt(),
            "legend": _("PU: public; SEN: sensitive."),
        }

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
