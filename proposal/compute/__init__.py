"""Compute stage: every number the outputs show, computed once, as pandas tables; the
only place with arithmetic.

`compute_figures(project, at)` returns a `Figures`: typed pandas tables plus plain key
figures, documented field by field. Renderers lay these out and never add anything
up themselves. Nothing here reads or writes files; numbers are formatted only in the
problems' messages.

Conventions shared by every table:
- amounts are floats in EUR, powers in MW, energy in GWh, emissions in tonnes CO2e;
- a table that can be summed ends with a row labelled `"total"` (column sums) and,
  when its columns are categories, a column `total` (row sums);
- a missing text (a source without a partner, an in-kind item without a site) is
  NaN or None: test it with `pd.isna`;
- a number that does not exist (a share of a total cost of 0, a cost per hour when
  no hour is delivered) is NaN;
- category columns come in the models' order (`CapexCategory`, `OpexCategory`, EU
  categories A, B, C.1, C.2, C.3, D, then E); a category nobody uses is still a
  column (of zeros), so every edition shows the same grid;
- a year is a calendar year; a project month counts from 1 = the month of
  `consortium.start_date`.

How time is counted:
- the costed years are `horizon_years` calendar years from the year the first
  phase starts;
- a phase's increment (MW, accelerators, capex) is in service from its `end` date
  on, for the share of each year's days from that date (a phase ending on 1 July
  2027 counts 184/365 of 2027); a year counts 8760 operating hours whatever its days;
- for the cash view (`cost_by_year`) a phase's capex is spread evenly over the days
  from its `start` to its `end`;
- a work package's effort is spread evenly over its months.

How amounts are printed: `Figures.printed` holds every amount the PDF prints, rounded
by `rounding` so that each printed total is the sum of its printed parts; each
concern's module rounds its own tables (`print_costs`, `print_financing`...).

One module per concern, named like the workbook renderer's modules so that each
formula sits beside its pandas twin: `figures` (the `Figures` and the entry point),
`costs`, `financing`, `workplan`, `sensitivity`, `eu_budget`, `content` (the
evaluator's tables), `checks` (warnings on the computed figures), `rounding`
(rounding for print), `tables` (the helpers they share), `kept` (results kept by the
content they were computed from, for the live preview). Every public name is
re-exported here: import from `proposal.compute`.
"""

from .content import (
    FUNDING_GROUPS,
    ContentFigures,
    compute_consortium_table,
    compute_funding_by_year,
    compute_kpis,
    compute_risks,
)
from .costs import (
    CAPEX_CATEGORIES,
    HOURS_PER_YEAR,
    OPEX_CATEGORIES,
    Costs,
    compute_cost_by_year,
    compute_cost_lines,
    compute_costs,
    in_service_shares,
)
from .eu_budget import (
    ELIGIBLE,
    EU_DIRECT,
    EU_INDIRECT,
    RECONCILIATION_STEPS,
    compute_eu_budget,
    compute_reconciliation,
)
from .figures import Figures, Printed, compute_figures
from .financing import Funding, check_share_rules, compute_financing
from .sensitivity import SENSITIVITY_DRIVERS, compute_sensitivity, move_driver
from .tables import SHARE_SLACK, TOTAL
from .workplan import WorkPlanFigures, compute_work_plan, monthly_rate

__all__ = [
    "CAPEX_CATEGORIES",
    "ELIGIBLE",
    "EU_DIRECT",
    "EU_INDIRECT",
    "FUNDING_GROUPS",
    "HOURS_PER_YEAR",
    "OPEX_CATEGORIES",
    "RECONCILIATION_STEPS",
    "SENSITIVITY_DRIVERS",
    "SHARE_SLACK",
    "TOTAL",
    "ContentFigures",
    "Costs",
    "Figures",
    "Funding",
    "Printed",
    "WorkPlanFigures",
    "check_share_rules",
    "compute_consortium_table",
    "compute_cost_by_year",
    "compute_cost_lines",
    "compute_costs",
    "compute_eu_budget",
    "compute_figures",
    "compute_financing",
    "compute_funding_by_year",
    "compute_kpis",
    "compute_reconciliation",
    "compute_risks",
    "compute_sensitivity",
    "compute_work_plan",
    "in_service_shares",
    "monthly_rate",
    "move_driver",
]
