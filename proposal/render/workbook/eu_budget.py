"""The EU budget sheet: the costs in the EU categories, per beneficiary and work package.

Each capex and opex line goes to its beneficiary, work package and EU category; the
staff line goes to every partner and package of the work plan with the cost of their
effort in the costed years. Indirect costs (E) are the call's flat rate on the eligible
direct costs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.utils import get_column_letter

from ...compute import EU_DIRECT, EU_INDIRECT, TOTAL
from ...models import Project
from .book import HEADER_ROW, Book, Sheet, add, partner_name, ref, sum_of
from .keys import Key, Kind
from .workplan import effort_pairs

EU_COLUMNS = (*EU_DIRECT, "direct", EU_INDIRECT, TOTAL)
"""Columns of the EU budget tables: direct categories, direct total, indirect, total."""


def ordered(first: Iterable[str], second: Iterable[str], order: list[str]) -> list[str]:
    """The union of two id lists, known ids in `order` first, others after in first-seen order."""
    seen = list(dict.fromkeys([*first, *second]))
    rank = {key: n for n, key in enumerate(order)}
    return sorted(seen, key=lambda key: (rank.get(key, len(order)), seen.index(key)))


def eu_contributions(project: Project) -> dict[tuple[str, str], dict[str, list[str]]]:
    """The cost-line cells each (beneficiary, work package) pair adds up, by EU category.

    A line's total goes to its beneficiary, work package and category; the staff line
    (`workplan_personnel`) goes to every partner and package of the work plan, with the
    cost of their effort in the costed years."""
    contributions: dict[tuple[str, str], dict[str, list[str]]] = {}

    def contribute(pid: str, wp: str, category: str, term: str) -> None:
        contributions.setdefault((pid, wp), {}).setdefault(category, []).append(term)

    for i, line in enumerate(project.cost_model.capex):
        contribute(line.beneficiary, line.work_package, line.eu_category,
                   ref(Key(Kind.CAPEX_LINE, i, TOTAL)))
    for i, line in enumerate(project.cost_model.opex):
        if line.basis == "workplan_personnel":
            for pid, wp in effort_pairs(project):
                contribute(pid, wp, line.eu_category,
                           ref(Key(Kind.COSTED_PERSONNEL_COST, pid, wp)))
        else:
            contribute(line.beneficiary, line.work_package, line.eu_category,
                       ref(Key(Kind.OPEX_LINE, i, TOTAL)))
    return contributions


def write_eu_budget(book: Book) -> None:
    """The EU view: beneficiaries, work packages, and costs per category for each
    beneficiary and work package, with indirect costs at the call's flat rate."""
    _ = book._
    sheet = book.sheets["eu"]
    project, figures = book.project, book.figures
    contributions = eu_contributions(project)
    partners = ordered(figures.eu_budget_by_partner.index.drop(TOTAL),
                       (pid for pid, _wp in contributions), [p.id for p in project.partners])
    wps = ordered(figures.eu_budget_by_work_package.index.drop(TOTAL),
                  (wp for _pid, wp in contributions),
                  [wp.id for wp in project.workplan.work_packages])
    pairs = sorted(contributions, key=lambda pair: (partners.index(pair[0]),
                                                    wps.index(pair[1])))
    excluded = project.call.indirect_excludes
    sheet.heading(_("EU budget"), _(
        "The costs in the EU categories (A personnel, B subcontracting, C purchases, "
        "D other), per beneficiary and work package; E is the flat rate of indirect "
        "costs on the direct costs outside {excluded}.").format(
            excluded=", ".join(excluded) or "–"))
    row = write_eu_lists(book, sheet, partners, wps)

    # -- the detailed table: beneficiary x work package
    sheet.block(row + 2, _("Costs per beneficiary and work package (EUR)"))
    row += 3
    detail_header = row
    last = sheet.header(row, [_("Beneficiary"), _("Work package"),
                              *(book.label("eu_category", c) for c in EU_COLUMNS)])
    for pid, wp in pairs:
        row += 1
        sheet.text(row, 1, partner_name(project, pid))
        sheet.text(row, 2, wp)
        write_eu_row(book, sheet, row, 3, Key(Kind.EU_BUDGET, pid, wp), None, None,
                     {c: add(contributions[(pid, wp)].get(c, [])) for c in EU_DIRECT})
    filter_ref = f"A{detail_header}:{get_column_letter(last)}{row}"
    row += 1
    sheet.total_line(row, 3, Key(Kind.EU_BUDGET, *pairs[0]), Key(Kind.EU_BUDGET, *pairs[-1]),
                     EU_COLUMNS, "eur")

    # -- per beneficiary and per work package: sums of the detailed rows
    for table, grid, title, header, keys, side in (
        ("eu_budget_by_partner", Kind.EU_BUDGET_BY_PARTNER, _("Costs per beneficiary (EUR)"),
         _("Beneficiary"), partners, 0),
        ("eu_budget_by_work_package", Kind.EU_BUDGET_BY_WORK_PACKAGE,
         _("Costs per work package (EUR)"), _("Work package"), wps, 1),
    ):
        sheet.block(row + 2, title)
        row += 3
        sheet.header(row, [header, *(book.label("eu_category", c) for c in EU_COLUMNS)])
        for key in keys:
            row += 1
            sheet.text(row, 1, partner_name(project, key) if side == 0 else key)
            mine = [pair for pair in pairs if pair[side] == key]
            write_eu_row(book, sheet, row, 2, Key(grid, key), table, key,
                         {c: add(ref(Key(Kind.EU_BUDGET, p, w, c)) for p, w in mine)
                          for c in EU_DIRECT})
        row += 1
        sheet.total_line(row, 2, Key(grid, keys[0]), Key(grid, keys[-1]), EU_COLUMNS, "eur",
                         table)
    book.name("EUBudgetTotal", Key(Kind.EU_BUDGET_BY_PARTNER, TOTAL, TOTAL))
    sheet.finish({1: 22, 2: 22, 3: 36, **{c: 17 for c in range(4, 14)}}, f"B{HEADER_ROW + 1}",
                 filter_ref, blocks=5)


def write_eu_lists(book: Book, sheet: Sheet, partners: list[str], wps: list[str]) -> int:
    """The beneficiaries and the work packages, as the EU budget table lists them.

    Returns the last row written."""
    _ = book._
    project = book.project
    row = HEADER_ROW
    sheet.header(row, [_("No."), _("Short name"), _("Legal name"), _("PIC"), _("Country"),
                       _("Role")])
    for n, pid in enumerate(partners, start=1):
        row += 1
        sheet.value(row, 1, n, "count")
        sheet.text(row, 2, partner_name(project, pid))
        if pid in {p.id for p in project.partners}:
            partner = project.partner(pid)
            sheet.text(row, 3, partner.legal_name)
            sheet.text(row, 4, partner.pic)
            sheet.text(row, 5, partner.country)
            sheet.text(row, 6, _("Coordinator") if pid == project.consortium.coordinator
                       else _("Beneficiary"))
    sheet.block(row + 2, _("Work packages"))
    row += 3
    sheet.header(row, [_("Work package"), _("Title"), _("Lead"), _("First month"),
                       _("Last month"), _("Person-months")])
    packages = {wp.id: wp for wp in project.workplan.work_packages}
    for wp in wps:
        row += 1
        sheet.text(row, 1, wp)
        if wp in packages:
            sheet.text(row, 2, book.text(packages[wp].title), wrap=True)
            sheet.text(row, 3, partner_name(project, packages[wp].lead))
            sheet.formula(row, 4, ref(Key(Kind.CALENDAR, wp, "start")), "month")
            sheet.formula(row, 5, ref(Key(Kind.CALENDAR, wp, "end")), "month")
            sheet.formula(row, 6, ref(Key(Kind.EFFORT, TOTAL, wp)), "number")
    return row


def write_eu_row(book: Book, sheet: Sheet, row: int, col: int, here: Key,
                 table: str | None, label: Any, direct: dict[str, str]) -> None:
    """One row of an EU table from `col` on, its cells `here.at(column)`: the direct
    categories (formulas given), their total, the indirect costs on the eligible ones, and
    the row's total."""
    eligible = [c for c in EU_DIRECT if c not in book.project.call.indirect_excludes]
    cell = {c: ref(here.at(c)) for c in EU_COLUMNS}
    formulas = {
        **direct,
        "direct": sum_of(here.at(EU_DIRECT[0]), here.at(EU_DIRECT[-1])),
        EU_INDIRECT: f"IndirectRate*({add(cell[c] for c in eligible)})",
        TOTAL: f"{cell['direct']}+{cell[EU_INDIRECT]}",
    }
    for offset, column in enumerate(EU_COLUMNS):
        sheet.formula(row, col + offset, formulas[column], "eur", here.at(column),
                      table and (table, label, column))
