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
            sheet.input(row, col, efforts[(pid, wp)], "number", f"pm/{pid}/{wp}")
        else:  # not in the work plan: no effort, and no EU budget row to carry one
            sheet.value(row, col, 0, "number", f"pm/{pid}/{wp}")
        book.layout.tables.setdefault("effort", {})[(pid, wp)] = sheet.place(row, col).address()

    def cost(row: int, col: int, pid: str, wp: str) -> None:
        sheet.formula(row, col, f"{ref(f'pm/{pid}/{wp}')}*{ref(f'rate/{pid}')}", "eur",
                      f"pc/{pid}/{wp}", ("personnel_cost", pid, wp))

    def costed(row: int, col: int, pid: str, wp: str) -> None:
        sheet.formula(row, col, f"{ref(f'pc/{pid}/{wp}')}*{ref(f'wpc/{wp}/share')}", "eur",
                      f"hc/{pid}/{wp}")

    row = write_partner_grid(book, sheet, HEADER_ROW, "pm", "effort", effort, rates=True)
    filter_ref = f"A{HEADER_ROW}:{get_column_letter(len(plan.work_packages) + 3)}{row - 1}"
    book.name("PersonMonths", f"pm/{TOTAL}/{TOTAL}")
    sheet.block(row + 2, _("Personnel cost (EUR)"))
    row = write_partner_grid(book, sheet, row + 3, "pc", "personnel_cost", cost)
    book.name("PersonnelCost", f"pc/{TOTAL}/{TOTAL}")
    row = write_work_package_calendar(book, sheet, row + 2)
    row = write_staff_by_year(book, sheet, row + 2)
    # Per partner and package, the cost in the costed years: the EU budget's staff costs.
    sheet.block(row + 2, _("Personnel cost in the costed years (EUR)"))
    write_partner_grid(book, sheet, row + 3, "hc", None, costed)
    years = len(book.figures.capacity_by_year)
    sheet.finish({1: 26, **{c: 14 for c in range(2, len(plan.work_packages) + years + 6)}},
                 f"B{HEADER_ROW + 1}", filter_ref, blocks=5)


def write_partner_grid(book: Book, sheet: Sheet, row: int, prefix: str, table: str | None,
                       write_cell: Callable[[int, int, str, str], None],
                       rates: bool = False) -> int:
    """A partner x work package grid (cells by `write_cell`) with row and column totals,
    and the partners' monthly rates when asked. Returns the row of the total line."""
    _ = book._
    project = book.project
    wps = [wp.id for wp in project.workplan.work_packages]
    partners = list(book.figures.effort.index.drop(TOTAL))
    kind = "number" if prefix == "pm" else "eur"
    sheet.header(row, [_("Partner"), *wps, _("Total"),
                       *([_("Cost of a person-month")] if rates else [])])
    for pid in partners:
        row += 1
        sheet.text(row, 1, partner_name(project, pid))
        for col, wp in enumerate(wps, start=2):
            write_cell(row, col, pid, wp)
        sheet.formula(row, len(wps) + 2, sum_of(f"{prefix}/{pid}/{wps[0]}",
                                                 f"{prefix}/{pid}/{wps[-1]}"),
                      kind, f"{prefix}/{pid}/{TOTAL}", table and (table, pid, TOTAL))
        if rates:
            own = f"in/rate/{pid}" if pid in project.workplan.partner_rates else "in/rate"
            sheet.formula(row, len(wps) + 3, ref(own), "eur", f"rate/{pid}")
    row += 1
    sheet.text(row, 1, _("Total"))
    for col, column in enumerate([*wps, TOTAL], start=2):
        sheet.formula(row, col, sum_of(f"{prefix}/{partners[0]}/{column}",
                                       f"{prefix}/{partners[-1]}/{column}"),
                      kind, f"{prefix}/{TOTAL}/{column}", table and (table, TOTAL, column))
    sheet.total_style(row, 1, len(wps) + 2)
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
        here = f"wpc/{wp.id}/"
        first, last = ref(here + "start"), ref(here + "end")
        sheet.text(row, 1, wp.id)
        sheet.input(row, 2, wp.start_month, "month", here + "start")
        sheet.input(row, 3, wp.end_month, "month", here + "end")
        sheet.formula(row, 4, f"{last}-{first}+1", "month", here + "months")
        for col, year in enumerate(years, start=5):
            y = ref(f"cap/{year}/year")
            sheet.formula(row, col, f"MAX(0,MIN({origin}+{last},12*{y}+11)"
                                    f"-MAX({origin}+{first},12*{y})+1)", "month", f"{here}{year}")
        sheet.formula(row, 5 + len(years), f"{sum_of(f'{here}{years[0]}', f'{here}{years[-1]}')}"
                                           f"/{ref(here + 'months')}", "share", here + "share")
    return row


def write_staff_by_year(book: Book, sheet: Sheet, row: int) -> int:
    """Personnel cost per package and costed year, each package's cost spread evenly over
    its months: the staff opex. Returns the row of the total line."""
    _ = book._
    years = list(book.figures.capacity_by_year.index)
    wps = [wp.id for wp in book.project.workplan.work_packages]
    sheet.block(row, _("Personnel cost by costed year (EUR)"))
    row += 1
    sheet.header(row, [_("Work package"), *year_headers(book), _("Total")])
    for wp in wps:
        row += 1
        sheet.text(row, 1, wp)
        for col, year in enumerate(years, start=2):
            sheet.formula(row, col, f"{ref(f'pc/{TOTAL}/{wp}')}*{ref(f'wpc/{wp}/{year}')}"
                                    f"/{ref(f'wpc/{wp}/months')}", "eur", f"sy/{wp}/{year}")
        sheet.formula(row, len(years) + 2, sum_of(f"sy/{wp}/{years[0]}", f"sy/{wp}/{years[-1]}"),
                      "eur", f"sy/{wp}/{TOTAL}")
    row += 1
    sheet.text(row, 1, _("Total"))
    for col, year in enumerate([*years, TOTAL], start=2):
        sheet.formula(row, col, sum_of(f"sy/{wps[0]}/{year}", f"sy/{wps[-1]}/{year}"), "eur",
                      f"sy/{TOTAL}/{year}")
    sheet.total_style(row, 1, len(years) + 2)
    return row
