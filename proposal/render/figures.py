"""The figures file: the key numbers of the bid as JSON, for other tools and reviewers.

`render_figures_json(figures)` returns the text of `out/<ACRONYM>_figures.json`; the
pipeline writes it atomically. Nothing is computed here: every value is copied from
`proposal.compute.Figures`.

Schema (keys in this order; amounts in EUR as plain numbers, never rounded or
formatted; dates as ISO `YYYY-MM-DD`; a value that does not exist, such as a cost per
GPU-hour with no hours delivered, is `null`):

- `acronym` (string), `currency` ("EUR")
- `horizon_years`, `first_year`, `last_year` (integers): the costed calendar years
- `total_cost_eur`, `capex_eur`, `opex_eur`: total cost = capex + opex over the horizon
- `power_mw`, `facility_power_mw`: IT and facility power once the last phase is done
- `ultimate_power_mw`, `ultimate_target_year` (integer or null)
- `accelerators` (integer), `h100_equivalents`: installed once the last phase is done
- `pue`, `utilisation`
- `energy_gwh_per_year`, `emissions_t_per_year`, `water_m3_per_year` (null when
  not given): facility energy, t CO2e and water in the last costed year
- `cost_per_gpu_hour_eur`, `cost_per_h100_hour_eur`: steady-state yearly cost
  (capex / amortisation years + opex of the last year) per delivered hour
- `financing_total_eur`, `financing_gap_eur` (positive gap, negative surplus),
  `financing_balanced` (boolean: the gap or surplus within `tolerance_eur`)
- `indirect_costs_eur` (E, the flat rate of the call's rules on the direct costs
  outside `indirect_excludes`; not part of the total cost), `eligible_costs_eur`
  (costs eligible under the call's rules: total cost + E)
- `person_months_total`, `personnel_cost_eur`
- `phases`: list of {`id`, `start`, `end`, `power_mw` (cumulative IT power),
  `power_added_mw`, `facility_power_mw`, `gpus` (accelerators installed once the
  phase is done, cumulative), `gpus_added`, `h100_equivalents` (cumulative),
  `h100_equivalents_added`, `capex_eur` (capex of the phase)}
- `capex_by_category`, `opex_by_category`: {category: amount} over the bid
- `years`: list of {`year`, `power_in_service_mw`, `gpus_in_service` (year averages),
  `capex_eur` (cash view), `opex_eur`, `energy_gwh`, `emissions_t`}
- `partners`: list of {`id`, `name` (legal name), `short_name`, `status`,
  `pledge_eur` (cash), `equity_eur`, `debt_eur`, `in_kind_eur` (valued in-kind
  contributions that count in the financing)}
- `financing`: list of {`source` (`eu`, `member_state`, `<partner>:cash`, ...,
  `debt:<n>`), `kind`, `partner` (id or null), `amount_eur`, `share` (of the total
  cost)}
- `share_rules`: list of {`id`, `sources` ("eu + member_state"), `share`,
  `min_share`, `max_share` (null when unbounded), `ok` (boolean)}
- `reconciliation`: list of {`step`, `amount_eur`} from the total cost to the
  eligible costs and the public contributions requested: `total_cost` (the direct
  costs A to D), `outside_base` (direct costs outside the flat rate's base),
  `indirect_base`, `indirect` (E), `eligible`, `eu`, `member_state`, `public`
- `sensitivity`: list of {`driver`, `change` (the step asked: -0.2, 0, 0.2),
  `change_applied` (the change made: -0.167 when PUE 1.2 stops at 1), `total_cost_eur`,
  `financing_gap_eur`, `cost_per_gpu_hour_eur`}
- `requested`: {`eu_eur`, `member_state_eur`, `public_share`}: the public contributions
  the financing plan requests and their share of the total cost
- `consortium`: list of {`id`, `number`, `short_name`, `country`, `organisation_type`,
  `status`, `person_months`, `cost_eur` (the partner's direct costs),
  `requested_eur` (its part of the public contributions)}, coordinator first
- `funding_by_year`: list of {`year`, `eu_eur`, `member_state_eur`, `private_eur`,
  `debt_eur`, `total_eur`}: each source funds the same share of every year's cash need
- `risks`: list of {`id`, `owner` (partner id or null), `likelihood`, `impact`, `score`
  (1 to 9), `residual_likelihood`, `residual_impact`, `residual_score` (null when not
  given)}, highest score first
- `kpis`: list of {`id`, `work_package`, `baseline` (null when none), `target`,
  `target_month`, `target_date`, `source` (id or null), `assumption`}
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import pandas as pd

from ..compute import TOTAL, Figures

KEY_FIGURES = (
    "acronym", "currency", "horizon_years", "first_year", "last_year",
    "total_cost_eur", "capex_eur", "opex_eur",
    "power_mw", "facility_power_mw", "ultimate_power_mw", "ultimate_target_year",
    "accelerators", "h100_equivalents", "pue", "utilisation",
    "energy_gwh_per_year", "emissions_t_per_year", "water_m3_per_year",
    "cost_per_gpu_hour_eur", "cost_per_h100_hour_eur",
    "financing_total_eur", "financing_gap_eur", "financing_balanced",
    "indirect_costs_eur", "eligible_costs_eur",
    "person_months_total", "personnel_cost_eur",
)
"""The plain figures copied to the top level of the file, in this order."""


def figures_json(figures: Figures) -> dict[str, Any]:
    """The figures file as a JSON-ready dict (see the module docstring for the schema)."""
    data: dict[str, Any] = {key: _plain(getattr(figures, key)) for key in KEY_FIGURES}
    data["phases"] = _records(figures.phases, {
        "id": None, "start": "start", "end": "end", "power_mw": "power_mw",
        "power_added_mw": "power_added_mw", "facility_power_mw": "facility_power_mw",
        "gpus": "accelerators", "gpus_added": "accelerators_added",
        "h100_equivalents": "h100_equivalents",
        "h100_equivalents_added": "h100_equivalents_added", "capex_eur": "capex_eur",
    })
    data["capex_by_category"] = _column_totals(figures.capex)
    data["opex_by_category"] = _column_totals(figures.opex)
    years = figures.capacity_by_year.join(
        figures.cost_by_year.drop(TOTAL)[["capex", "opex"]], how="left")
    data["years"] = _records(years, {
        "year": None, "power_in_service_mw": "power_in_service_mw",
        "gpus_in_service": "accelerators_in_service", "capex_eur": "capex",
        "opex_eur": "opex", "energy_gwh": "energy_gwh", "emissions_t": "emissions_t",
    })
    data["partners"] = _records(figures.pledges.drop(TOTAL), {
        "id": None, "name": "name", "short_name": "short_name", "status": "status",
        "pledge_eur": "cash", "equity_eur": "equity", "debt_eur": "debt",
        "in_kind_eur": "in_kind",
    })
    data["financing"] = _records(figures.financing.drop(TOTAL), {
        "source": None, "kind": "kind", "partner": "partner", "amount_eur": "amount_eur",
        "share": "share",
    })
    data["share_rules"] = _records(figures.share_rules, {
        "id": None, "sources": "sources", "share": "share", "min_share": "min_share",
        "max_share": "max_share", "ok": "ok",
    })
    data["reconciliation"] = _records(figures.reconciliation, {
        "step": None, "amount_eur": "amount"})
    data["sensitivity"] = _records(figures.sensitivity.set_index("driver"), {
        "driver": None, "change": "change", "change_applied": "change_applied",
        "total_cost_eur": "total_cost_eur",
        "financing_gap_eur": "financing_gap_eur",
        "cost_per_gpu_hour_eur": "cost_per_gpu_hour_eur",
    })
    content = figures.content
    data["requested"] = {"eu_eur": content.eu_requested_eur,
                         "member_state_eur": content.member_state_requested_eur,
                         "public_share": _plain(content.public_share)}
    data["consortium"] = _records(content.consortium.drop(TOTAL), {
        "id": None, "number": "number", "short_name": "short_name", "country": "country",
        "organisation_type": "organisation_type", "status": "status",
        "person_months": "person_months", "cost_eur": "cost_eur",
        "requested_eur": "requested_eur",
    })
    data["funding_by_year"] = _records(content.funding_by_year.drop(TOTAL), {
        "year": None, "eu_eur": "eu", "member_state_eur": "member_state",
        "private_eur": "private", "debt_eur": "debt", "total_eur": TOTAL,
    })
    data["risks"] = _records(content.risks.set_index("risk"), {
        "id": None, "owner": "owner", "likelihood": "likelihood", "impact": "impact",
        "score": "score", "residual_likelihood": "residual_likelihood",
        "residual_impact": "residual_impact", "residual_score": "residual_score",
    })
    data["kpis"] = _records(content.kpis, {
        "id": None, "work_package": "work_package", "baseline": "baseline",
        "target": "target", "target_month": "target_month", "target_date": "target_date",
        "source": "source", "assumption": "assumption",
    })
    return data


def render_figures_json(figures: Figures) -> str:
    """The text of the figures file: indented UTF-8 JSON ending with a newline."""
    return json.dumps(figures_json(figures), indent=2, ensure_ascii=False,
                      allow_nan=False) + "\n"


def _records(table: pd.DataFrame, keys: dict[str, str | None]) -> list[dict[str, Any]]:
    """One dict per row: each output key takes a column, or the index when None."""
    return [
        {key: _plain(label if column is None else row[column]) for key, column in keys.items()}
        for label, row in table.iterrows()
    ]


def _column_totals(table: pd.DataFrame) -> dict[str, Any]:
    return {str(column): _plain(value) for column, value in table.loc[TOTAL].items()
            if column != TOTAL}


def _plain(value: Any) -> Any:
    """A JSON value: numpy scalars to Python, dates to ISO text, NaN and NA to null."""
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
