"""The Sensitivity sheet: total cost, gap and cost per accelerator-hour, one driver moved.

Each driver acts linearly on a part of the cost kept on the Capex and Opex sheets, so
every row is a live formula over those parts and the base figures.
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from ...compute import TOTAL
from ...i18n import N_
from .book import HEADER_ROW, Book, ref
from .financing import share_of_cost
from .keys import Key, Kind

SENSITIVITY_COLUMNS = (
    ("change", N_("Step asked"), "share"),
    ("factor", N_("Factor applied"), "factor"),
    ("change_applied", N_("Change applied"), "share"),
    ("total_cost_eur", N_("Total cost"), "eur"),
    ("total_cost_delta_eur", N_("Change in total cost"), "eur"),
    ("total_cost_delta_share", N_("Change in total cost (share)"), "share"),
    ("financing_gap_eur", N_("Financing gap, or surplus when negative"), "eur"),
    ("financing_gap_delta_eur", N_("Change in the gap"), "eur"),
    ("cost_per_gpu_hour_eur", N_("Cost per accelerator-hour"), "eur2"),
)
"""Columns of the sensitivity table: `Figures.sensitivity` column, header, format."""


def write_sensitivity(book: Book) -> None:
    """Total cost, gap and cost per accelerator-hour with one driver moved at a time.

    Each driver acts linearly on a part of the cost (the accelerator prices on the capex
    they price and the opex proportional to it, the energy price, PUE and utilisation on
    the energy lines), so every row is a live formula over those parts."""
    _ = book._
    sheet = book.sheets["sensitivity"]
    table = book.figures.sensitivity
    last_year = book.figures.last_year
    sheet.heading(_("Sensitivity"), _(
        "Each driver moved by the step on the Assumptions sheet, one at a time; PUE "
        "stays at 1 or more and utilisation at 100 % or less, so a move that would cross "
        "that bound applies less than the step: the change applied says how much."))
    row = HEADER_ROW
    last = sheet.header(row, [_("Driver"), *(_(title) for _c, title, _k in SENSITIVITY_COLUMNS)])
    first_row = row + 1
    helper_row = row + len(table) + 3  # the parts block, below the table
    capex_acc, opex_acc = Key(Kind.CAPEX_LINE, "acc"), Key(Kind.OPEX_LINE, "acc")
    energy = Key(Kind.OPEX_LINE, "energy")
    parts = {
        "acc_cost": (_("Cost that moves with accelerator prices"),
                     f"{ref(capex_acc.at(TOTAL))}+{ref(opex_acc.at(TOTAL))}"),
        "acc_steady": (_("Yearly steady-state cost that moves with accelerator prices"),
                       f"{ref(capex_acc.at(TOTAL))}/AmortisationYears"
                       f"+{ref(opex_acc.at(last_year))}"),
        "energy_cost": (_("Energy cost over the costed years"), ref(energy.at(TOTAL))),
        "energy_last": (_("Energy cost in the last costed year"), ref(energy.at(last_year))),
        "fixed_sources": (_("Financing sources that are not shares of the cost"),
                          f"FinancingTotal-{ref(Key(Kind.FINANCING, 'eu', 'amount'))}"
                          f"-{ref(Key(Kind.FINANCING, 'member_state', 'amount'))}"),
    }
    moves = {  # driver: (factor, part of the total cost, part of the steady cost, hours factor)
        "base": ("1", None, None, False),
        "accelerator_price": ("1+{change}", "acc_cost", "acc_steady", False),
        "energy_price": ("1+{change}", "energy_cost", "energy_last", False),
        "pue": ("IF(PUE=0,1+{change},MAX(PUE*(1+{change}),MIN(PUE,1))/PUE)", "energy_cost",
                "energy_last", False),
        "utilisation": ("IF(Utilisation=0,1+{change},MIN(Utilisation*(1+{change}),1)"
                        "/Utilisation)", "energy_cost", "energy_last", True),
    }
    lowered: set[str] = set()
    for i in table.index:
        row += 1
        driver = table.at[i, "driver"]
        # A driver's rows come as -step, then +step: the sign is the row's, so a step of 0
        # in the data still follows the SensitivityStep input once it is changed.
        sign = "" if driver in lowered else "-"
        lowered.add(driver)
        factor_formula, part, steady_part, hours_move = moves[driver]
        here = Key(Kind.SENSITIVITY, i)
        cells = {c: ref(here.at(c)) for c, _t, _k in SENSITIVITY_COLUMNS}
        factor = cells["factor"]
        hours = f"GPUHoursPerYear*{factor}" if hours_move else "GPUHoursPerYear"
        steady = moved("SteadyStateCost", factor, steady_part)
        formulas = {
            "change": "0" if driver == "base" else f"{sign}SensitivityStep",
            "factor": factor_formula.format(change=cells["change"]),
            "change_applied": f"{factor}-1",
            "total_cost_eur": moved("TotalCost", factor, part),
            "total_cost_delta_eur": f"{cells['total_cost_eur']}-TotalCost",
            "total_cost_delta_share": share_of_cost(cells["total_cost_delta_eur"]),
            "financing_gap_eur": f"{cells['total_cost_eur']}*(1-EUShare-MemberStateShare)"
                                 f"-{ref(Key(Kind.SENSITIVITY, 'fixed_sources'))}",
            "financing_gap_delta_eur": f"{cells['financing_gap_eur']}-FinancingGap",
            "cost_per_gpu_hour_eur": f'IF({hours}=0,"",({steady})/({hours}))',
        }
        sheet.text(row, 1, book.label("driver", driver))
        for col, (column, _title, kind) in enumerate(SENSITIVITY_COLUMNS, start=2):
            sheet.formula(row, col, formulas[column], kind, here.at(column),
                          ("sensitivity", i, column))
    filter_ref = f"A{HEADER_ROW}:{get_column_letter(last)}{row}"
    row = helper_row
    sheet.block(row, _("Parts of the cost the drivers move"))
    for key, (label, formula) in parts.items():
        row += 1
        sheet.text(row, 1, label)
        sheet.formula(row, 4, formula, "eur", Key(Kind.SENSITIVITY, key))
    sheet.finish({1: 44, **{c: 18 for c in range(2, last + 1)}}, f"B{first_row}", filter_ref,
                 blocks=2)


def moved(value: str, factor: str, part: str | None) -> str:
    """`value` plus the change of the part a driver moves linearly by `factor`."""
    return value if part is None else f"{value}+({factor}-1)*{ref(Key(Kind.SENSITIVITY, part))}"
