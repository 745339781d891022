"""Context of the financing chapter: sources, share rules, pledges, in-kind contributions.

The sources, pledges and shares print `Figures.printed`, so the sources add up to their
total and the total to the total cost and the gap or surplus, named in words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from ...compute import TOTAL
from ...i18n import N_
from ...models import IN_KIND_UNITS, ShareRule, ordered_partners
from ..charts import Bar, share_bars
from .cells import Cell, grid

if TYPE_CHECKING:
    from .edition import Edition

BALANCE_ROWS = {
    TOTAL: N_("Total of the sources"),
    "cost": N_("Total cost of the bid"),
    "gap": N_("Gap: total cost the sources leave uncovered"),
    "surplus": N_("Surplus: sources beyond the total cost"),
}
"""Labels of the rows below the sources in the printed financing table."""

BALANCE_TEXTS = {
    # (the plan's balance, within the tolerance): the sentence that names it
    ("gap", True): N_("The financing sources add up to %(total)s against a total cost of "
                      "%(cost)s: a gap of %(amount)s, within the plan's tolerance of "
                      "%(tolerance)s."),
    ("gap", False): N_("The financing sources add up to %(total)s against a total cost of "
                       "%(cost)s: a gap of %(amount)s remains to be financed, beyond the "
                       "plan's tolerance of %(tolerance)s."),
    ("surplus", True): N_("The financing sources add up to %(total)s against a total cost "
                          "of %(cost)s: a surplus of %(amount)s, within the plan's tolerance "
                          "of %(tolerance)s."),
    ("surplus", False): N_("The financing sources add up to %(total)s against a total cost "
                           "of %(cost)s: a surplus of %(amount)s, beyond the plan's "
                           "tolerance of %(tolerance)s."),
    ("none", True): N_("The financing sources add up to the total cost, %(cost)s, to the "
                       "euro."),
}
"""How the financing chapter states the balance of the plan."""


class FinancingContext:
    """The financing chapter."""

    def financing(self: Edition) -> dict[str, Any]:
        """Financing sources and chart, share rules, pledges, in kind, viability."""
        _, f, p = self._, self.figures, self.project
        printed, decimals = f.printed, f.printed.shares.decimals
        sources, bars = [], []
        for source_id, row in printed.financing.iterrows():
            if source_id in BALANCE_ROWS:
                sources.append([_(BALANCE_ROWS[source_id]), "", self.amount(row["amount"]),
                                self.percent(row["share"], decimals)])
                continue
            kind = f.financing.at[source_id, "kind"]
            label = self._source_label(f.financing.loc[source_id])
            sources.append([label, self.label("financing_kind", kind),
                            self.amount(row["amount"]), self.percent(row["share"], decimals)])
            if not pd.isna(row["share"]):  # a share the edition masks has no bar
                bars.append(Bar(label, row["share"], self.loc.percent(row["share"], decimals)))
        rule_texts = {rule.id: rule for rule in p.call.share_rules}
        rules = []
        for rule_id, row in f.share_rules.iterrows():
            rule: ShareRule | None = rule_texts.get(rule_id)
            kinds = ", ".join(self.label("financing_kind", k) for k in
                              (rule.financing_sources if rule else ()))
            rules.append([self.text(rule.description) if rule else rule_id, kinds,
                          self.percent(printed.share_rules[rule_id], decimals),
                          self.bounds(row["min_share"], row["max_share"]),
                          _("met") if row["ok"] else _("not met")])
        pledge_rows = [[self.total_label(pid) if pid == TOTAL else f.pledges.at[pid, "short_name"],
                        "" if pid == TOTAL else self.label("status", f.pledges.at[pid, "status"]),
                        *(self.amount(row[c]) for c in ("cash", "equity", "debt", "in_kind",
                                                        TOTAL)),
                        self.percent(row["share"], decimals)]
                       for pid, row in printed.pledges.iterrows()]
        in_kind = []
        items = [(partner, item) for partner in ordered_partners(p)
                 for item in partner.contributions.in_kind]
        for (partner, item), (_i, row) in zip(items, f.in_kind.iterrows(), strict=True):
            in_kind.append([partner.short_name,
                            _("{label}: {text}").format(label=self.label("in_kind", item.kind),
                                                         text=self.text(item.description)),
                            Cell(self.loc.quantity(row["quantity"], IN_KIND_UNITS[item.kind]),
                                 True),
                            self.money(row["valuation_eur"]),
                            _("yes") if row["counts_in_financing"] else _("no")])
        texts = p.consortium.texts
        amount = _("Amount (%(unit)s)") % {"unit": self.money_unit()}
        return {
            "balance": self.balance(),
            "sources": grid([_("Source"), _("Kind"), amount, _("Share of total cost")],
                            sources, [s == TOTAL for s in printed.financing.index]),
            "chart": share_bars(bars, _("Financing sources as shares of the total cost"),
                                lambda v: self.loc.percent(v, 0),
                                width=self.page.chart_width_pt, label_pt=self.page.chart_pt,
                                axis=_("Share of the total cost (%)")),
            "rules": grid([_("Rule"), _("Sources counted"), _("Share"), _("Allowed"),
                           _("Status")], rules) if rules else None,
            "pledges": self.oriented(self.folded(grid(
                [_("Partner"), _("Status"), _("Cash"), _("Equity"), _("Debt"), _("In kind"),
                 _("Total"), _("Share of total cost")], pledge_rows,
                [pid == TOTAL for pid in printed.pledges.index]))),
            "in_kind": self.oriented(grid([_("Partner"), _("Contribution"), _("Quantity"),
                                           _("Valuation"), _("Counted in financing")], in_kind))
            if in_kind else None,
            "viability": self.paras(texts.financial_viability),
            "member_state": self.paras(texts.member_state_commitment),
            "member_state_name": self.country(p.consortium.member_state),
        }

    def balance(self: Edition) -> str:
        """The sentence that names the plan's gap or surplus, its amount and the tolerance."""
        printed = self.figures.printed
        side = ("gap" if printed.financing_gap_eur else
                "surplus" if printed.financing_surplus_eur else "none")
        message = BALANCE_TEXTS[side, side == "none" or self.figures.financing_balanced]
        return self._(message) % {
            "total": self.loc.money(printed.financing_total_eur),
            "cost": self.loc.money(printed.total_cost_eur),
            "amount": self.loc.money(printed.financing_gap_eur or printed.financing_surplus_eur),
            "tolerance": self.loc.money(self.project.financing.tolerance_eur),
        }

    def _source_label(self: Edition, row: pd.Series) -> str:
        kind = row["kind"]
        if kind in ("eu", "member_state"):
            return self.label("financing_kind", kind)
        if kind == "debt":
            return self.text(row["lender"])
        return self.short(str(row["partner"]))
