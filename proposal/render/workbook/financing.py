"""The Partners and Financing sheets: pledges, financing sources, the gap, the share rules.

Partners: each partner's pledges by kind and valued contributions in kind (amounts
entered on the Assumptions sheet). Financing: the public contributions as shares of the
total cost, the partners' pledges and the loans, the gap or surplus (named in words,
against the plan's tolerance), and whether the call's share rules are met, with the
same slack as the compute stage.
"""

from __future__ import annotations

import math
from typing import Any

from openpyxl.utils import get_column_letter

from ...compute import SHARE_SLACK, TOTAL
from ...i18n import N_
from ...models import ordered_partners
from .assumptions import PLEDGES
from .book import HEADER_ROW, Book, add, partner_name, ref, string_literal, sum_of
from .eu_budget import ROUNDING_NOTE
from .keys import Key, Kind


def source_name(book: Book, source: str, kind: str, partner: Any, lender: Any) -> str:
    """A financing source as readers name it: the public contribution, the partner and
    what it pledges, or the loan and its lender (never the source's key)."""
    _ = book._
    if kind in ("eu", "member_state"):
        return book.label("financing_kind", kind)
    if kind == "debt":
        return _("Loan: {lender}").format(lender=book.text(lender))
    what = (_("in kind") if kind == "in_kind"
            else _(PLEDGES[kind.removeprefix("partner_")]))
    return _("{partner}: {kind}").format(partner=partner_name(book.project, partner), kind=what)


def write_partners(book: Book) -> None:
    """One row per partner: pledges by kind, valued contributions in kind, status."""
    _ = book._
    sheet = book.sheets["partners"]
    project = book.project
    sheet.heading(_("Partners"), _(
        "Pledges and valued contributions in kind of each partner (amounts entered on the "
        "Assumptions sheet); the total counts towards the financing."))
    columns = (("cash", _("Cash pledged")), ("equity", _("Equity pledged")),
               ("debt", _("Debt pledged")), ("in_kind", _("In kind (counted)")),
               ("in_kind_not_counted", _("In kind (listed only)")), (TOTAL, _("Total")),
               ("share", _("Share of the total cost")))
    row = HEADER_ROW
    last = sheet.header(row, [_("No."), _("Short name"), _("Legal name"), _("PIC"),
                              _("Country"), _("Organisation type"), _("Status"),
                              _("Founding member"), *(title for _c, title in columns)])
    first = 9
    for n, partner in enumerate(ordered_partners(project), start=1):
        row += 1
        pid = partner.id
        sheet.value(row, 1, n, "count")
        sheet.text(row, 2, partner.short_name)
        sheet.text(row, 3, partner.legal_name)
        sheet.text(row, 4, partner.pic)
        sheet.text(row, 5, book.locale.babel.territories.get(partner.country, partner.country))
        sheet.text(row, 6, book.label("organisation_type", partner.organisation_type.value))
        sheet.text(row, 7, book.label("status", partner.status.value))
        sheet.text(row, 8, _("Yes") if partner.founding_member else _("No"))
        contributions = partner.contributions
        here = Key(Kind.PLEDGES, pid)
        sums = {
            kind: add(ref(Key(Kind.PLEDGE, pid, j))
                      for j, p in enumerate(contributions.pledges) if p.kind.value == kind)
            for kind in ("cash", "equity", "debt")
        }
        sums["in_kind"] = add(ref(Key(Kind.IN_KIND, pid, j))
                              for j, item in enumerate(contributions.in_kind)
                              if item.valuation is not None and item.counts_in_financing)
        sums["in_kind_not_counted"] = add(
            ref(Key(Kind.IN_KIND, pid, j)) for j, item in enumerate(contributions.in_kind)
            if item.valuation is not None and not item.counts_in_financing)
        sums[TOTAL] = add(ref(here.at(k)) for k in ("cash", "equity", "debt", "in_kind"))
        sums["share"] = share_of_cost(ref(here.at(TOTAL)))
        for col, (column, _title) in enumerate(columns, start=first):
            sheet.formula(row, col, sums[column], "share" if column == "share" else "eur",
                          here.at(column), ("pledges", pid, column))
    filter_ref = f"A{HEADER_ROW}:{get_column_letter(last)}{row}"
    row += 1
    sheet.text(row, 1, _("Total"))
    ids = [p.id for p in ordered_partners(project)]
    for col, (column, _title) in enumerate(columns, start=first):
        formula = (share_of_cost(ref(Key(Kind.PLEDGES, TOTAL, TOTAL))) if column == "share" else
                   sum_of(Key(Kind.PLEDGES, ids[0], column), Key(Kind.PLEDGES, ids[-1], column)))
        sheet.formula(row, col, formula, "share" if column == "share" else "eur",
                      Key(Kind.PLEDGES, TOTAL, column), ("pledges", TOTAL, column))
    sheet.total_style(row, 1, last)
    sheet.finish({1: 6, 2: 18, 3: 36, 4: 11, 5: 12, 6: 22, 7: 14, 8: 10,
                  **{c: 17 for c in range(first, last + 1)}}, "C5", filter_ref)


def write_financing(book: Book) -> None:
    """Financing sources against the total cost, the gap, and the call's share rules."""
    _ = book._
    sheet = book.sheets["financing"]
    project, table = book.project, book.figures.financing
    sheet.heading(_("Financing"), _(
        "Public contributions are shares of the total cost; partner pledges come from the "
        "Partners sheet and loans from the Assumptions sheet.") + " " + _(ROUNDING_NOTE))
    row = HEADER_ROW
    last = sheet.header(row, [_("Source"), _("Kind"), _("Partner"), _("Lender"),
                              _("Amount"), _("Share of the total cost")])
    sources = list(table.index.drop(TOTAL))
    for source in sources:
        row += 1
        kind, partner = table.at[source, "kind"], table.at[source, "partner"]
        lender = table.at[source, "lender"]
        sheet.text(row, 1, source_name(book, source, kind, partner, lender))
        sheet.text(row, 2, book.label("financing_kind", kind))
        if partner is not None and not _missing(partner):
            sheet.text(row, 3, partner_name(project, partner))
        if lender is not None and not _missing(lender):
            sheet.text(row, 4, book.text(lender))
        if source == "eu":
            amount = "EUShare*TotalCost"
        elif source == "member_state":
            amount = "MemberStateShare*TotalCost"
        elif source.startswith("debt:"):
            amount = ref(Key(Kind.LOAN, int(source.removeprefix("debt:"))))
        else:
            pid, pledge_kind = source.rsplit(":", 1)
            amount = ref(Key(Kind.PLEDGES, pid, pledge_kind))
        sheet.formula(row, 5, amount, "eur", Key(Kind.FINANCING, source, "amount"),
                      ("financing", source, "amount_eur"))
        sheet.formula(row, 6, share_of_cost(ref(Key(Kind.FINANCING, source, "amount"))), "share",
                      None, ("financing", source, "share"))
    filter_ref = f"A{HEADER_ROW}:{get_column_letter(last)}{row}"
    row += 1
    sheet.text(row, 1, _("Total"))
    total, gap = Key(Kind.FINANCING, TOTAL, "amount"), Key(Kind.FINANCING, "gap")
    sheet.formula(row, 5, sum_of(Key(Kind.FINANCING, sources[0], "amount"),
                                 Key(Kind.FINANCING, sources[-1], "amount")),
                  "eur", total, ("financing", TOTAL, "amount_eur"))
    # More decimals than the sources: a plan short or over by 0.02 % is not "100.0%".
    sheet.formula(row, 6, share_of_cost(ref(total)), "rate", None,
                  ("financing", TOTAL, "share"))
    sheet.total_style(row, 1, last)
    book.name("FinancingTotal", total)
    yes, no = string_literal(_("Yes")), string_literal(_("No"))
    words = {side: string_literal(_(text)) for side, text in BALANCE_WORDS.items()}
    balance = (f"IF({ref(gap)}>0,{words['gap']},IF({ref(gap)}<0,{words['surplus']},"
               f"{words['none']}))")
    for key, label, formula, kind in (
        (Key(Kind.FINANCING, "cost"), _("Total cost"), "TotalCost", "eur"),
        (gap, _("Total cost less the sources (a gap when positive, a surplus when negative)"),
         f"TotalCost-{ref(total)}", "eur"),
        (Key(Kind.FINANCING, "balance"), ("=", balance), f"ABS({ref(gap)})", "eur"),
        (Key(Kind.FINANCING, "tolerance"), _("Tolerance of the plan (Assumptions sheet)"),
         "FinancingTolerance", "eur"),
        (Key(Kind.FINANCING, "balanced"), _("Balanced within the tolerance"),
         f"IF(ABS({ref(gap)})<=FinancingTolerance,{yes},{no})", "count"),
    ):
        row += 1
        if isinstance(label, tuple):  # the words that name the balance, as a formula
            sheet.formula(row, 1, label[1], "count")
        else:
            sheet.text(row, 1, label)
        sheet.formula(row, 5, formula, kind, key)
    book.name("FinancingGap", gap)

    # -- the call's share rules
    rules = project.call.share_rules
    if rules:
        row += 2
        sheet.block(row, _("Share rules of the call"))
        row += 1
        sheet.header(row, [_("No."), _("Financing sources"), _("Description"), _("Amount"),
                           _("Share of the total cost"), _("Lowest share"), _("Highest share"),
                           _("Met")])
        for n, rule in enumerate(rules, start=1):
            row += 1
            here = Key(Kind.SHARE_RULES, rule.id)
            sheet.value(row, 1, n, "count")
            sheet.text(row, 2, " + ".join(book.label("financing_kind", k)
                                          for k in rule.financing_sources), wrap=True)
            sheet.text(row, 3, book.text(rule.description), wrap=True)
            terms = [ref(Key(Kind.FINANCING, s, "amount")) for s in sources
                     if table.at[s, "kind"] in rule.financing_sources]
            sheet.formula(row, 4, add(terms), "eur", here.at("amount"),
                          ("share_rules", rule.id, "amount_eur"))
            sheet.formula(row, 5, share_of_cost(ref(here.at("amount"))), "share",
                          here.at("share"), ("share_rules", rule.id, "share"))
            tests = []
            for col, bound, sign in ((6, "min_share", ">="), (7, "max_share", "<=")):
                if getattr(rule, bound) is None:
                    continue
                sheet.formula(row, col, ref(Key(Kind.SHARE_RULE_BOUND, rule.id, bound)), "rate",
                              here.at(bound), ("share_rules", rule.id, bound))
                slack = "-" if sign == ">=" else "+"
                # Shares this close to a bound count as on it, as in the compute stage.
                tests.append(f"{ref(here.at('share'))}{sign}{ref(here.at(bound))}"
                             f"{slack}{SHARE_SLACK:.0E}")
            # Without a cost there is no share to bound: the rule holds, as in compute.
            met = f"OR({ref(here.at('share'))}=\"\",AND({','.join(tests) or 'TRUE'}))"
            sheet.formula(row, 8, f"IF({met},{yes},{no})", "count", None,
                          ("share_rules", rule.id, "ok"))
    sheet.finish({1: 22, 2: 26, 3: 40, 4: 24, 5: 20, 6: 16, 7: 14, 8: 10}, "B5", filter_ref,
                 blocks=1 + bool(rules))


BALANCE_WORDS = {
    "gap": N_("Gap: total cost the sources leave uncovered"),
    "surplus": N_("Surplus: sources beyond the total cost"),
    "none": N_("No gap and no surplus"),
}
"""How the Financing sheet names the balance of the plan, by its sign."""


def share_of_cost(amount: str) -> str:
    """`amount` as a share of the total cost; empty, as compute's NaN, when it is 0."""
    return f'IF(TotalCost=0,"",{amount}/TotalCost)'


def _missing(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)
