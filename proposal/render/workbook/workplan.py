"""The Effort sheet: the work plan's person-months and what they cost.

Person-months per partner and work package are inputs; their cost at each partner's
monthly rate, the work-package calendar (months as inputs), the personnel cost per
costed year (the staff opex) and the part of each partner's cost that falls in the
costed years (the EU budget's staff costs) are formulas over them.
"""

from __future__ import annotations

from collections.abc import Callable

from openpyxl.utils import get_column_letter

from ...compute import TOTAL
from ...models import Project
from .book import HEADER_ROW, Book, Sheet, partner_name, ref, sum_of
from .costs import year_headers
from .keys import Key, Kind


def effort_pairs(project: Project) -> list[tuple[str, str]]:
    """(partner, work package) pairs the work plan gives effort for, in plan order."""
    return [(pid, wp.id) for wp in project.workplan.work_packages for pid in wp.effort]


def write_effort(book: Book) -> None:
    """Person-months, personnel cost, the work-package calendar and its costed share."""
    _ = book._
    sheet = book.sheets["effort"]
    plan = book.project.workplan
    efforts = {(pid, wp.id): value for wp in plan.work_packages for pid, value in wp.effort.items()}
    sheet.heading(_("Effort"), _(
        "Person-months per partner and work package (inputs), their cost at each "
        "partner's monthly rate, and the part of it that falls in the costed years "
        "(each package's effort spread evenly over its months)."))

    def effort(row: int, col: int, pid: str, wp: str) -> None:
        if (pid, wp) in efforts:
            sheet.input(row, col, efforts[(pid, wp)], "number", Key(Kind.EFFORT, pid, wp))
        else:  # not in the work plan: no effort, and no EU budget row to carry one
            sheet.value(row, col, 0, "number", Key(Kind.EFFORT, pid, wp))
        book.layout.tables.setdefault("effort", {})[(pid, wp)] = sheet.place(row, col).address()

    def cost(row: int, col: int, pid: str, wp: str) -> None:
        sheet.formula(row, col, f"{ref(Key(Kind.EFFORT, pid, wp))}"
                                f"*{ref(Key(Kind.PERSON_MONTH_COST, pid))}",
                      "eur", Key(Kind.PERSONNEL_COST, pid, wp), ("personnel_cost", pid, wp))

    def costed(row: int, col: int, pid: str, wp: str) -> None:
        sheet.formula(row, col, f"{ref(Key(Kind.PERSONNEL_COST, pid, wp))}"
                                f"*{ref(Key(Kind.CALENDAR, wp, 'share'))}",
                      "eur", Key(Kind.COSTED_PERSONNEL_COST, pid, wp))

    row = write_partner_grid(book, sheet, HEADER_ROW, Kind.EFFORT, "effort", effort, rates=True)
    filter_ref = f"A{HEADER_ROW}:{get_column_letter(len(plan.work_packages) + 3)}{row - 1}"
    book.name("PersonMonths", Key(Kind.EFFORT, TOTAL, TOTAL))
    sheet.block(row + 2, _("Personnel cost"))
    row = write_partner_grid(book, sheet, row + 3, Kind.PERSONNEL_COST, "personnel_cost", cost)
    book.name("PersonnelCost", Key(Kind.PERSONNEL_COST, TOTAL, TOTAL))
    row = write_work_package_calendar(book, sheet, row + 2)
    row = write_staff_by_year(book, sheet, row + 2)
    # Per partner and package, the cost in the costed years: the EU budget's staff costs.
    sheet.block(row + 2, _("Personnel cost in the costed years"))
    write_partner_grid(book, sheet, row + 3, Kind.COSTED_PERSONNEL_COST, None, costed)
    years = len(book.figures.capacity_by_year)
    sheet.finish({1: 26, **{c: 14 for c in range(2, len(plan.work_packages) + years + 6)}},
                 f"B{HEADER_ROW + 1}", filter_ref, blocks=5)


def write_partner_grid(book: Book, sheet: Sheet, row: int, grid: Kind, table: str | None,
                       write_cell: Callable[[int, int, str, str], None],
                       rates: bool = False) -> int:
    """A partner x work package grid of cells of kind `grid` (written by `write_cell`) with
    row and column totals, and the partners' monthly rates when asked. Returns the row of
    the total line."""
    _ = book._
    project = book.project
    wps = [wp.id for wp in project.workplan.work_packages]
    partners = list(book.figures.effort.index.drop(TOTAL))
    kind = "number" if grid is Kind.EFFORT else "eur"
    sheet.header(row, [_("Partner"), *wps, _("Total"),
                       *([_("Cost of a person-month")] if rates else [])])
    for pid in partners:
        row += 1
        sheet.text(row, 1, partner_name(project, pid))
        for col, wp in enumerate(wps, start=2):
            write_cell(row, col, pid, wp)
        sheet.total_of_row(row, len(wps) + 2, Key(grid, pid), wps, kind,
                           None if table is None else (table, pid, TOTAL))
        if rates:
            own = (Key(Kind.PARTNER_RATE, pid) if pid in project.workplan.partner_rates
                   else Key(Kind.INPUT, "rate"))
            sheet.formula(row, len(wps) + 3, ref(own), "eur", Key(Kind.PERSON_MONTH_COST, pid))
    row += 1
    sheet.total_line(row, 2, Key(grid, partners[0]), Key(grid, partners[-1]), [*wps, TOTAL],
                     kind, table)
    return row


def write_work_package_calendar(book: Book, sheet: Sheet, row: int) -> int:
    """Each package's months (inputs), and how many fall in each costed year.

    Returns the last row written."""
    _ = book._
    years = list(book.figures.capacity_by_year.index)
    sheet.block(row, _("Work-package calendar"))
    row += 1
    sheet.header(row, [_("Work package"), _("First month"), _("Last month"), _("Months"),
                       *year_headers(book), _("Share in the costed years")])
    # Project month m is the absolute month YEAR(start) * 12 + MONTH(start) - 2 + m.
    origin = "YEAR(ProjectStart)*12+MONTH(ProjectStart)-2"
    for wp in book.project.workplan.work_packages:
        row += 1
        here = Key(Kind.CALENDAR, wp.id)
        first, last = ref(here.at("start")), ref(here.at("end"))
        sheet.text(row, 1, wp.id)
        sheet.input(row, 2, wp.start_month, "month", here.at("start"))
        sheet.input(row, 3, wp.end_month, "month", here.at("end"))
        sheet.formula(row, 4, f"{last}-{first}+1", "month", here.at("months"))
        for col, year in enumerate(years, start=5):
            y = ref(Key(Kind.CAPACITY, year, "year"))
            sheet.formula(row, col, f"MAX(0,MIN({origin}+{last},12*{y}+11)"
                                    f"-MAX({origin}+{first},12*{y})+1)", "month", here.at(year))
        sheet.formula(row, 5 + len(years), f"{sum_of(here.at(years[0]), here.at(years[-1]))}"
                                           f"/{ref(here.at('months'))}", "share", here.at("share"))
    return row


def write_staff_by_year(book: Book, sheet: Sheet, row: int) -> int:
    """Personnel cost per package and costed year, each package's cost spread evenly over
    its months: the staff opex. Returns the row of the total line."""
    _ = book._
    years = list(book.figures.capacity_by_year.index)
    wps = [wp.id for wp in book.project.workplan.work_packages]
    sheet.block(row, _("Personnel cost by costed year"))
    row += 1
    sheet.header(row, [_("Work package"), *year_headers(book), _("Total")])
    for wp in wps:
        row += 1
        here, calendar = Key(Kind.STAFF_COST_BY_YEAR, wp), Key(Kind.CALENDAR, wp)
        sheet.text(row, 1, wp)
        for col, year in enumerate(years, start=2):
            sheet.formula(row, col, f"{ref(Key(Kind.PERSONNEL_COST, TOTAL, wp))}"
                                    f"*{ref(calendar.at(year))}/{ref(calendar.at('months'))}",
                          "eur", here.at(year))
        sheet.total_of_row(row, len(years) + 2, here, years, "eur")
    row += 1
    sheet.total_line(row, 2, Key(Kind.STAFF_COST_BY_YEAR, wps[0]),
                     Key(Kind.STAFF_COST_BY_YEAR, wps[-1]), [*years, TOTAL], "eur")
    return row
