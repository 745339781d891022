"""The figures file: schema, plain JSON values, and the shipped example's key numbers."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from proposal.compute import compute_figures
from proposal.load import load_project
from proposal.render.figures import KEY_FIGURES, figures_json, render_figures_json
from proposal.validate import validate_project

from .conftest import EXAMPLE, ROOTS


def figures_of(root: Path):
    project = validate_project(load_project(root)).project
    return compute_figures(project)


@pytest.fixture(scope="module")
def small():
    return figures_of(ROOTS / "compute-small")


@pytest.fixture(scope="module")
def small_json(small):
    return json.loads(render_figures_json(small))


def test_schema_keys_in_order(small_json):
    assert list(small_json) == [*KEY_FIGURES, "phases", "capex_by_category",
                                "opex_by_category", "years", "partners", "financing",
                                "share_rules", "reconciliation", "sensitivity", "requested",
                                "consortium", "funding_by_year", "risks", "kpis"]
    assert list(small_json["phases"][0]) == [
        "id", "start", "end", "power_mw", "power_added_mw", "facility_power_mw", "gpus",
        "gpus_added", "h100_equivalents", "h100_equivalents_added", "capex_eur"]
    assert list(small_json["partners"][0]) == [
        "id", "name", "short_name", "status", "pledge_eur", "equity_eur", "debt_eur",
        "in_kind_eur"]
    assert list(small_json["financing"][0]) == ["source", "kind", "partner", "amount_eur",
                                                "share"]


def test_values_copied_from_the_figures(small, small_json):
    assert small_json["acronym"] == "SMALL"
    assert small_json["currency"] == "EUR"
    assert small_json["total_cost_eur"] == 135_397_500
    assert small_json["capex_eur"] == 124_425_000
    assert small_json["opex_eur"] == 10_972_500
    assert small_json["horizon_years"] == 3
    assert small_json["ultimate_power_mw"] == 10
    assert small_json["person_months_total"] == 48
    assert small_json["phases"][1] == {
        "id": "p2", "start": "2027-01-01", "end": "2028-01-01", "power_mw": 5.0,
        "power_added_mw": 3.0, "facility_power_mw": 6.25, "gpus": 2500, "gpus_added": 1500,
        "h100_equivalents": 3500.0, "h100_equivalents_added": 2500.0,
        "capex_eur": 87_150_000.0}
    assert small_json["partners"][1] == {
        "id": "beta", "name": "Beta Datacentres", "short_name": "Beta", "status": "member",
        "pledge_eur": 30_000_000.0, "equity_eur": 5_000_000.0, "debt_eur": 0.0,
        "in_kind_eur": 2_000_000.0}
    assert small_json["financing"][0] == {"source": "eu", "kind": "eu", "partner": None,
                                          "amount_eur": 33_849_375.0, "share": 0.25}
    assert [s["source"] for s in small_json["financing"]][-1] == "debt:1"
    assert small_json["share_rules"][0]["ok"] is False
    assert small_json["share_rules"][0]["min_share"] is None
    assert small_json["capex_by_category"]["integration"] == 5_925_000
    assert [y["year"] for y in small_json["years"]] == [2026, 2027, 2028]
    assert small_json["sensitivity"][0]["driver"] == "base"
    assert small_json["financing_gap_eur"] == small.financing_gap_eur


def test_types_are_plain_json(small):
    data = figures_json(small)

    def walk(value):
        if isinstance(value, dict):
            assert all(isinstance(k, str) for k in value)
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        else:
            assert value is None or type(value) in (str, int, float, bool), repr(value)
            assert not (isinstance(value, float) and math.isnan(value))

    walk(data)
    assert type(data["accelerators"]) is int
    assert type(data["horizon_years"]) is int


def test_missing_values_are_null(small_project_without_hours):
    data = figures_json(small_project_without_hours)
    assert data["cost_per_gpu_hour_eur"] is None
    json.loads(render_figures_json(small_project_without_hours))


@pytest.fixture
def small_project_without_hours():
    project = validate_project(load_project(ROOTS / "compute-small")).project
    # One year of horizon: nothing is in service yet, so no hour is delivered; and no
    # sensitivity either.
    cost_model = project.cost_model.model_copy(update={"horizon_years": 1,
                                                       "sensitivity_step": 0.0})
    return compute_figures(project.model_copy(update={"cost_model": cost_model}))


def test_a_sensitivity_step_of_0_moves_by_plain_zeros(small_project_without_hours):
    # The rows of a step of 0 move by 0.0: -0.0 would print as "-0.0".
    text = render_figures_json(small_project_without_hours)
    changes = [row["change"] for row in json.loads(text)["sensitivity"]]
    assert changes == [0.0] * 9
    assert "-0.0" not in text


def test_edge_cases_of_valid_input():
    data = json.loads(render_figures_json(figures_of(ROOTS / "compute-edge")))
    assert data["cost_per_gpu_hour_eur"] is None  # utilisation 0: no hour delivered
    assert data["cost_per_h100_hour_eur"] is None
    assert {row["cost_per_gpu_hour_eur"] for row in data["sensitivity"]} == {None}
    assert data["water_m3_per_year"] is None
    assert data["share_rules"] == []
    assert [f["source"] for f in data["financing"]] == ["eu", "member_state", "alpha:cash"]
    assert data["partners"][1]["pledge_eur"] == 0
    assert data["person_months_total"] == 16.5


def test_rendering_is_stable(small):
    text = render_figures_json(small)
    assert text == render_figures_json(small)
    assert text.endswith("}\n")


def test_example_figures_file():
    data = json.loads(render_figures_json(figures_of(EXAMPLE)))
    assert data["currency"] == "EUR"
    assert data["phases"][0]["power_mw"] == 100
    assert data["ultimate_power_mw"] == 1000
    assert data["total_cost_eur"] == pytest.approx(10e9, rel=0.05)
    iliad = next(p for p in data["partners"] if p["id"] == "iliad")
    assert iliad["pledge_eur"] == 4e9
