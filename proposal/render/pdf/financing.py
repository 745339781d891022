"""Context of the financing chapter: sources, share rules, pledges, in-kind contributions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from ...compute import TOTAL
from ...models import IN_KIND_UNITS, ShareRule
from ..charts import Bar, share_bars
from .cells import Cell, grid

if TYPE_CHECKING:
    from .edition import Edition


class FinancingContext:
    """The financing chapter."""

    def financing(self: Edition) -> dict[str, Any]:
        """Financing sources and chart, share rules, pledges, in kind, viability."""
        _, f, p = self._, self.figures, self.project
        sources, bars = [], []
        for source_id, row in f.financing.iterrows():
            label = self._source_label(source_id, row)
            sources.append([label, self.label("financing_kind", row["kind"]),
                            self.money(row["amount_eur"]), self.percent(row["share"])])
            if source_id != TOTAL:
                bars.append(Bar(label, row["share"], self.loc.percent(row["share"])))
        rule_texts = {rule.id: rule for rule in p.call.share_rules}
        rules = []
        for rule_id, row in f.share_rules.iterrows():
            rule: ShareRule | None = rule_texts.get(rule_id)
            kinds = ", ".join(self.label("financing_kind", k) for k in
                              (rule.financing_sources if rule else ()))
            rules.append([self.text(rule.description) if rule else rule_id, kinds,
                          self.percent(row["share"]), self.bounds(row["min_share"],
                                                                  row["max_share"]),
                          _("met") if row["ok"] else _("not met")])
        pledges = f.pledges
        pledge_rows = [[self.total_label(pid) if pid == TOTAL else row["short_name"],
                        "" if pid == TOTAL else self.label("status", row["status"]),
                        self.money(row["cash"]), self.money(row["equity"]),
                        self.money(row["debt"]), self.money(row["in_kind"]),
                        self.money(row["total"]), self.percent(row["share"])]
                       for pid, row in pledges.iterrows()]
        in_kind = []
        items = [(partner, item) for partner in p.partners
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
        return {
            "sources": grid([_("Source"), _("Kind"), _("Amount"), _("Share of total cost")],
                            sources, [s == TOTAL for s in f.financing.index]),
            "chart": share_bars(bars, _("Financing sources as shares of the total cost"),
                                lambda v: self.loc.percent(v, 0),
                                width=self.page.chart_width_pt, label_pt=self.page.chart_pt),
            "rules": grid([_("Rule"), _("Sources counted"), _("Share"), _("Allowed"),
                           _("Status")], rules) if rules else None,
            "pledges": grid([_("Partner"), _("Status"), _("Cash"), _("Equity"), _("Debt"),
                             _("In kind"), _("Total"), _("Share of total cost")], pledge_rows,
                            [pid == TOTAL for pid in pledges.index]),
            "in_kind": grid([_("Partner"), _("Contribution"), _("Quantity"), _("Valuation"),
                             _("Counted in financing")], in_kind) if in_kind else None,
            "viability": self.paras(texts.financial_viability),
            "member_state": self.paras(texts.member_state_commitment),
            "member_state_name": self.country(p.consortium.member_state),
        }

    def _source_label(self: Edition, source_id: str, row: pd.Series) -> str:
        kind = row["kind"]
        if source_id == TOTAL:
            return self._("Total")
        if kind in ("eu", "member_state"):
            return self.label("financing_kind", kind)
        if kind == "debt":
            return self.text(row["lender"])
        return self.short(str(row["partner"]))
