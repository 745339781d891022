"""The budget workbook: the bid's figures as live formulas over its inputs.

`render_workbook(project, figures, lang)` returns the XLSX bytes of
`out/<ACRONYM>_budget_<lang>.xlsx`. Every input of the cost model (prices, rates,
shares, dates, pledges, effort) is an unlocked input cell; every other number is a
formula that rebuilds, from those inputs, the figure the compute stage produced. The
recalculated workbook therefore equals `Figures` to the cent, and changing an input
in Excel or LibreOffice moves every total as `compute_figures` would for the same
change. The only numbers written as plain values are structural facts of the data
(how many sites a phase builds first, a zero of effort where the work plan gives a
partner no part in a package, no opex in a year of construction after the costed
years, the numbers of lines and beneficiaries), the number of costed years and the
convention of 8760 operating hours a year, the last two shown locked on the
Assumptions sheet.

Each formula is stored with its value (see `calculate`), so a reader that does not
calculate (a file previewer, a portal's viewer, `pandas.read_excel`) shows the
figures too; spreadsheet applications recalculate them.

Sheets, in order: Summary, Assumptions, Phases, Capex, Opex, Cost by year, Financing,
Partners, Effort, EU budget, Sensitivity. Each is written by the module named like its
twin in `proposal.compute`: `assumptions`, `costs` (Phases, Capex, Opex, Cost by
year), `workplan` (Effort), `financing` (Partners, Financing), `eu_budget`,
`sensitivity` and `summary`; `book` holds the machinery they share. Sheet names,
headers and notes come from the `workbook` catalog; categories, statuses and other
vocabulary from `Locale.label`.

Formulas name the cells they use by typed key (`Key(Kind.PHASES, phase, "power_mw")`,
`Key(Kind.ENERGY_INPUT, "pue")`...; see `keys`), which become absolute A1 addresses
once every sheet is laid out; they use A1 references, defined names and functions the
`formulas` package evaluates (no structured table references).

Text from the YAML files is always written as a string cell, never as a formula,
whatever character it starts with.
"""

from __future__ import annotations

import datetime as dt

from openpyxl import Workbook

from ...compute import Figures
from ...i18n import N_
from ...models import Project
from .assumptions import write_assumptions
from .book import Book, Layout, workbook_bytes
from .costs import write_capex, write_cost_by_year, write_opex, write_phases
from .eu_budget import write_eu_budget
from .financing import write_financing, write_partners
from .sensitivity import write_sensitivity
from .summary import write_summary
from .workplan import write_effort

SHEETS = {
    "summary": N_("Summary"),
    "assumptions": N_("Assumptions"),
    "phases": N_("Phases"),
    "capex": N_("Capex"),
    "opex": N_("Opex"),
    "cost_by_year": N_("Cost by year"),
    "financing": N_("Financing"),
    "partners": N_("Partners"),
    "effort": N_("Effort"),
    "eu": N_("EU budget"),
    "sensitivity": N_("Sensitivity"),
}
"""Sheet keys and their (translated) names, in workbook order."""


def render_workbook(project: Project, figures: Figures, lang: str) -> bytes:
    """The budget workbook of one language, as XLSX bytes (the same bytes every time)."""
    workbook, _layout = build_workbook(project, figures, lang)
    submitted = project.consortium.submission_date
    return workbook_bytes(workbook, dt.datetime(submitted.year, submitted.month,
                                                submitted.day))


def build_workbook(project: Project, figures: Figures, lang: str) -> tuple[Workbook, Layout]:
    """The workbook and the layout telling where each figure landed."""
    book = Book(project, figures, lang, SHEETS)
    write_assumptions(book)
    write_phases(book)
    write_capex(book)
    write_opex(book)
    write_cost_by_year(book)
    write_effort(book)
    write_financing(book)
    write_partners(book)
    write_eu_budget(book)
    write_sensitivity(book)
    write_summary(book)
    book.finish()
    props = book.wb.properties
    props.title = book._("{acronym} budget workbook").format(acronym=figures.acronym)
    props.creator = book.text(project.consortium.name)
    props.language = book.locale.tag
    # Excel recalculates every formula on opening rather than trusting the stored values.
    book.wb.calculation.fullCalcOnLoad = True
    return book.wb, book.layout
