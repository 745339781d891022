"""The EU budget sheet: the costs in the EU categories, per beneficiary and work package,
and the reconciliation from the total cost to the eligible costs.

Each capex and opex line goes to its beneficiary, work package and EU category; the
staff line goes to every partner and package of the work plan with the cost of their
effort in the costed years. The direct costs (A to D) add up to the total cost; indirect
costs (E) are the call's flat rate on the direct costs outside the excluded categories,
an allowance the call's rules compute, not a cost of the bid; direct + E are the costs
eligible under the call's rules. The reconciliation block leads from the total cost to
them and to the public contributions the Financing sheet requests.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.utils import get_column_letter

from ...compute import ELIGIBLE, EU_DIRECT, EU_INDIRECT, TOTAL
from ...i18n import N_
from ...models import Project, ordered_partners
from .book import HEADER_ROW, Book, Sheet, add, partner_name, ref, sum_of
from .keys import Key, Kind
from .workplan import effort_pairs

EU_COLUMNS = (*EU_DIRECT, "direct", EU_INDIRECT, ELIGIBLE)
"""Columns of the EU budget tables: direct categories, direct total, indirect, eligible."""

ROUNDING_NOTE = N_("Amounts keep their full precision and show to the euro, so a total "
                   "may differ by a euro or two from the sum of the amounts shown; the "
                   "proposal prints them rounded so that its totals add up.")
"""Why a total shown in the workbook may not be the sum of the amounts shown."""

RECONCILIATION = (
    # step, label, formula: a `{step}` is an earlier step's cell; `{excluded}` the EU
    # table's total of the excluded categories, `{table_indirect}` its E, `{financing_eu}`
    # and `{financing_member_state}` the Financing sheet's contributions
    ("total_cost", N_("Total cost of the bid: the direct costs, categories A to D"),
     "TotalCost"),
    ("outside_base", N_("of which outside the base of the flat rate ({categories})"),
     "{excluded}"),
    ("indirect_base", N_("of which the base of the flat rate"), "{total_cost}-{outside_base}"),
    ("indirect", N_("E. Indirect costs at the flat rate on that base"), "{table_indirect}"),
    ("eligible", N_("Costs eligible under the call's rules: total cost + E"),
     "{total_cost}+{indirect}"),
    ("eu", N_("EU contribution requested (Financing sheet)"), "{financing_eu}"),
    ("member_state", N_("Member State contribution requested (Financing sheet)"),
     "{financing_member_state}"),
    ("public", N_("Public contributions requested"), "{eu}+{member_state}"),
)
"""The reconciliation block: `Figures.reconciliation`'s steps, labels and formulas."""


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
                       (pid for pid, _wp in contributions),
                       [p.id for p in ordered_partners(project)])
    wps = ordered(figures.eu_budget_by_work_package.index.drop(TOTAL),
                  (wp for _pid, wp in contributions),
                  [wp.id for wp in project.workplan.work_packages])
    pairs = sorted(contributions, key=lambda pair: (partners.index(pair[0]),
                                                    wps.index(pair[1])))
    excluded = project.call.indirect_excludes
    sheet.heading(_("EU budget"), _(
        "The total cost in the EU categories (A personnel, B subcontracting, C purchases, "
        "D other), per beneficiary and work package; E is the flat rate of indirect "
        "costs on the direct costs outside {excluded}, an allowance of the call's rules, "
        "not a cost of the bid; direct costs + E are the eligible costs.").format(
            excluded=", ".join(excluded) or "–") + " " + _(ROUNDING_NOTE))
    row = write_eu_lists(book, sheet, partners, wps)

    # -- the detailed table: beneficiary x work package
    sheet.block(row + 2, _("Costs per beneficiary and work package"))
    row += 3
    detail_header = row
    last = sheet.header(row, [_("Beneficiary"), _("Work package"),
                              *(eu_heading(book, c) for c in EU_COLUMNS)])
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
        ("eu_budget_by_partner", Kind.EU_BUDGET_BY_PARTNER, _("Costs per beneficiary"),
         _("Beneficiary"), partners, 0),
        ("eu_budget_by_work_package", Kind.EU_BUDGET_BY_WORK_PACKAGE,
         _("Costs per work package"), _("Work package"), wps, 1),
    ):
        sheet.block(row + 2, title)
        row += 3
        sheet.header(row, [header, *(eu_heading(book, c) for c in EU_COLUMNS)])
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
    write_reconciliation(book, sheet, row + 2)
    sheet.finish({1: 22, 2: 22, 3: 36, **{c: 17 for c in range(4, 14)}}, f"B{HEADER_ROW + 1}",
                 filter_ref, blocks=6)


def eu_heading(book: Book, column: str) -> str:
    """The heading of an EU budget column; the row sums are the eligible costs."""
    if column == ELIGIBLE:
        return book._("Eligible costs (direct + E)")
    return book.label("eu_category", column)


def write_reconciliation(book: Book, sheet: Sheet, row: int) -> None:
    """From the total cost to the eligible costs and the public contributions, each step
    a formula over the EU tables and the Financing sheet (`Figures.reconciliation`)."""
    _ = book._
    excludes = book.project.call.indirect_excludes
    total = Key(Kind.EU_BUDGET_BY_PARTNER, TOTAL)
    terms = {
        "excluded": add(ref(total.at(c)) for c in excludes),
        "table_indirect": ref(total.at(EU_INDIRECT)),
        "financing_eu": ref(Key(Kind.FINANCING, "eu", "amount")),
        "financing_member_state": ref(Key(Kind.FINANCING, "member_state", "amount")),
        **{step: ref(Key(Kind.RECONCILIATION, step)) for step, _l, _f in RECONCILIATION},
    }
    sheet.block(row, _("From the total cost to the eligible costs"))
    categories = ", ".join(excludes) or "–"
    for step, label, formula in RECONCILIATION:
        row += 1
        sheet.text(row, 1, _(label).format(categories=categories))
        sheet.formula(row, 3, formula.format(**terms), "eur", Key(Kind.RECONCILIATION, step),
                      ("reconciliation", step, "amount"))
        if step in ("total_cost", "eligible", "public"):
            sheet.total_style(row, 1, 3)
    book.name("IndirectCosts", Key(Kind.RECONCILIATION, "indirect"))
    book.name("EligibleCosts", Key(Kind.RECONCILIATION, "eligible"))


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
        ELIGIBLE: f"{cell['direct']}+{cell[EU_INDIRECT]}",
    }
    for offset, column in enumerate(EU_COLUMNS):
        sheet.formula(row, col + offset, formulas[column], "eur", here.at(column),
                      table and (table, label, column))
