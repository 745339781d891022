"""Compute stage: hand-computed figures of tests/roots/compute-small, properties that
hold for any cost model, and the public figures of the shipped example.

The expected values below are worked out by hand in the comments of the YAML files
of tests/roots/compute-small/.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proposal.compute import (
    TOTAL,
    compute_cost_by_year,
    compute_cost_lines,
    compute_costs,
    compute_figures,
    compute_financing,
    in_service_shares,
    monthly_rate,
    move_driver,
)
from proposal.compute import costs as costs_module
from proposal.compute import sensitivity as sensitivity_module
from proposal.compute.costs import COSTS_KEPT, costs_key
from proposal.compute.sensitivity import moved_runs, sensitivity_key
from proposal.load import load_project
from proposal.locations import Locations
from proposal.models import Project
from proposal.problems import errors
from proposal.validate import validate_project

from .conftest import EXAMPLE, ROOTS


def load(root: Path) -> Project:
    return validate_project(load_project(root)).project


def located(root: Path) -> tuple[Project, Locations]:
    """The project of `root` and where its values stand, for located problems."""
    validated = validate_project(load_project(root))
    return validated.project, validated.locations


@pytest.fixture(scope="module")
def small_project() -> Project:
    return load(ROOTS / "compute-small")


@pytest.fixture(scope="module")
def small():
    return compute_figures(*located(ROOTS / "compute-small"))


@pytest.fixture
def small_copy(tmp_path: Path) -> Path:
    """A writable copy of compute-small, for tests that break it on purpose."""
    target = tmp_path / "compute-small"
    shutil.copytree(ROOTS / "compute-small", target)
    return target


def edit(root: Path, rel: str, old: str, new: str) -> None:
    file = root / rel
    text = file.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {rel}"
    file.write_text(text.replace(old, new), encoding="utf-8")


def line_of(root: Path, rel: str, text: str) -> int:
    """The line (from 1) of the only line of a file that contains `text`."""
    lines = (root / rel).read_text(encoding="utf-8").splitlines()
    [number] = [n for n, line in enumerate(lines, start=1) if text in line]
    return number


def approx(value):
    return pytest.approx(value, rel=1e-12, abs=1e-6)


# ----------------------------------------------------------------------- capacity


def test_phases_capacity(small):
    phases = small.phases
    assert list(phases.index) == ["p1", "p2"]
    assert list(phases["power_mw"]) == [2, 5]
    assert list(phases["power_added_mw"]) == [2, 3]
    assert list(phases["facility_power_mw"]) == [2.5, 6.25]
    assert list(phases["accelerators_added"]) == [1000, 1500]
    assert list(phases["accelerators"]) == [1000, 2500]
    assert list(phases["h100_equivalents_added"]) == [1000, 2500]
    assert list(phases["h100_equivalents"]) == [1000, 3500]
    assert list(phases["accelerator_power_mw"]) == [1.0, 3.0]
    assert list(phases["sites_added"]) == [1, 1]
    assert list(phases["start"]) == [dt.date(2026, 1, 1), dt.date(2027, 1, 1)]


def test_key_capacity_figures(small):
    assert (small.power_mw, small.facility_power_mw, small.ultimate_power_mw) == (5, 6.25, 10)
    assert (small.accelerators, small.h100_equivalents) == (2500, 3500)
    assert small.accelerator_power_mw == approx(3.0)
    assert (small.first_year, small.last_year, small.horizon_years) == (2026, 2028, 3)


def test_phase_accelerators(small):
    table = small.phase_accelerators
    assert list(zip(table["phase"], table["type"], table["count"], strict=True)) == [
        ("p1", "gpu-a", 1000), ("p2", "gpu-a", 500), ("p2", "gpu-b", 1000)]
    assert list(table["purchase_eur"]) == [20_000_000, 10_000_000, 50_000_000]
    assert list(table["h100_equivalents"]) == [1000, 500, 2000]
    assert list(table["power_mw"]) == [1.0, 0.5, 1.5]


def test_accelerator_types(small):
    table = small.accelerator_types
    assert list(table.index) == ["gpu-a", "gpu-b", TOTAL]
    assert list(table["units"]) == [1500, 1000, 2500]
    assert list(table["h100_equivalents"]) == [1500, 2000, 3500]
    assert list(table["purchase_eur"]) == [30_000_000, 50_000_000, 80_000_000]
    assert list(table["power_mw"]) == approx([1.5, 1.5, 3.0])


def test_capacity_by_year(small):
    years = small.capacity_by_year
    assert list(years.index) == [2026, 2027, 2028]
    assert list(years["power_in_service_mw"]) == [0, 2, 5]
    assert list(years["accelerators_in_service"]) == [0, 1000, 2500]
    assert list(years["capex_in_service_eur"]) == [0, 37_275_000, 124_425_000]
    assert list(years["energy_gwh"]) == approx([0, 17.52, 43.8])
    assert list(years["emissions_t"]) == approx([0, 876, 2190])
    assert list(years["gpu_hours"]) == approx([0, 7_008_000, 17_520_000])


def test_in_service_share_is_pro_rata_of_days():
    ends = pd.Series([dt.date(2027, 7, 2), dt.date(2028, 1, 1), dt.date(2026, 6, 1)],
                     index=["mid", "new-year", "before"])
    shares = in_service_shares(ends, pd.Index([2027, 2028]))
    # 2 July to 31 December 2027: 183 of 365 days; 2028 is a leap year, in service whole.
    assert shares.loc["mid", 2027] == approx(183 / 365)
    assert shares.loc["mid", 2028] == 1
    assert shares.loc["new-year", 2027] == 0
    assert shares.loc["new-year", 2028] == 1
    assert shares.loc["before", 2027] == 1


# -------------------------------------------------------------------------- costs


def test_capex_per_phase_and_category(small):
    capex = small.capex
    assert list(capex.index) == ["p1", "p2", TOTAL]
    assert list(capex.columns) == ["accelerators", "servers_network", "storage",
                                   "datacentre_power", "cooling", "site_works", "integration",
                                   TOTAL]
    assert list(capex.loc["p1"]) == approx([20_000_000, 5_000_000, 2_000_000, 6_000_000,
                                            2_000_000, 500_000, 1_775_000, 37_275_000])
    assert list(capex.loc["p2"]) == approx([60_000_000, 7_500_000, 3_000_000, 9_000_000,
                                            3_000_000, 500_000, 4_150_000, 87_150_000])
    assert capex.loc[TOTAL, TOTAL] == approx(124_425_000)
    assert list(small.phases["capex_eur"]) == approx([37_275_000, 87_150_000])


def test_opex_per_year_and_category(small):
    opex = small.opex
    assert list(opex.index) == [2026, 2027, 2028, TOTAL]
    assert list(opex.columns) == ["energy", "maintenance", "staff", "software_support",
                                  "insurance", "site_costs", TOTAL]
    assert list(opex.loc[2026]) == approx([0, 0, 264_000, 0, 0, 0, 264_000])
    assert list(opex.loc[2027]) == approx([1_752_000, 745_500, 264_000, 20_000, 186_375,
                                           100_000, 3_067_875])
    assert list(opex.loc[2028]) == approx([4_380_000, 2_488_500, 0, 50_000, 622_125,
                                           100_000, 7_640_625])
    assert list(opex.loc[TOTAL]) == approx([6_132_000, 3_234_000, 528_000, 70_000, 808_500,
                                            200_000, 10_972_500])


def test_total_cost_and_steady_state(small):
    assert small.capex_eur == approx(124_425_000)
    assert small.opex_eur == approx(10_972_500)
    assert small.total_cost_eur == approx(135_397_500)
    assert small.steady_state_cost_per_year_eur == approx(32_525_625)
    assert small.gpu_hours_per_year == approx(17_520_000)
    assert small.cost_per_gpu_hour_eur == approx(32_525_625 / 17_520_000)
    assert small.cost_per_h100_hour_eur == approx(32_525_625 / 24_528_000)
    assert small.energy_gwh_per_year == approx(43.8)
    assert small.emissions_t_per_year == approx(2190)
    assert small.water_m3_per_year == approx(17_520)


def test_cost_by_year_spreads_capex_over_construction(small):
    table = small.cost_by_year
    assert list(table.index) == [2026, 2027, 2028, TOTAL]
    assert list(table["capex"]) == approx([37_275_000, 87_150_000, 0, 124_425_000])
    assert list(table["cumulative"]) == approx([37_539_000, 127_756_875, 135_397_500,
                                                135_397_500])


def test_staff_cost_lines_split_per_partner_and_work_package(small):
    staff = small.cost_lines[small.cost_lines["category"] == "staff"]
    assert list(zip(staff["beneficiary"], staff["work_package"], staff["amount_eur"],
                    strict=True)) == [("alpha", "WP1", 288_000), ("beta", "WP1", 120_000),
                                      ("beta", "WP2", 120_000)]


# ---------------------------------------------------------------------- financing


def test_financing_sources_and_gap(small):
    fin = small.financing
    assert list(fin.index) == ["eu", "member_state", "alpha:cash", "beta:cash", "beta:equity",
                               "beta:in_kind", "gamma:equity", "debt:1", TOTAL]
    assert list(fin["amount_eur"]) == approx([33_849_375, 20_309_625, 10_000_000, 30_000_000,
                                              5_000_000, 2_000_000, 10_000_000, 20_000_000,
                                              131_159_000])
    assert list(fin["kind"]) == ["eu", "member_state", "partner_cash", "partner_cash",
                                 "partner_equity", "in_kind", "partner_equity", "debt", TOTAL]
    assert fin.loc["debt:1", "lender"]["en"] == "EIB"
    assert fin.loc["eu", "share"] == approx(0.25)
    assert small.financing_total_eur == approx(131_159_000)
    assert small.financing_gap_eur == approx(4_238_500)
    assert small.financing_balanced is False


def test_pledges_per_partner(small):
    pledges = small.pledges
    assert list(pledges.index) == ["alpha", "beta", "gamma", TOTAL]
    assert list(pledges.loc["beta", ["cash", "equity", "debt", "in_kind"]]) == [
        30_000_000, 5_000_000, 0, 2_000_000]
    assert pledges.loc["gamma", "in_kind_not_counted"] == 1_000_000
    assert pledges.loc["gamma", "in_kind"] == 0
    assert pledges.loc[TOTAL, "total"] == 57_000_000
    assert pledges.loc["alpha", "status"] == "member"


def test_share_rule_violation_is_an_error_at_the_rule(small):
    rules = small.share_rules
    assert list(rules.index) == ["public-max", "partners-min"]
    assert list(rules["ok"]) == [False, True]
    assert rules.loc["public-max", "share"] == approx(0.40)
    assert rules.loc["partners-min", "share"] == approx(57_000_000 / 135_397_500)
    [error] = errors(small.problems)
    line = line_of(ROOTS / "compute-small", "data/call.yaml", "max_share: 0.35")
    assert (error.file, error.line, error.col, error.code) == ("data/call.yaml", line, 16,
                                                               "share-rule")
    assert error.message == (
        "financing share rule `public-max` violated: eu + member_state carry 40.0 % of the "
        "total cost; expected at most 35.0 %")


def test_share_rule_minimum(small_copy):
    edit(small_copy, "data/call.yaml", "min_share: 0.2", "min_share: 0.5")
    figures = compute_figures(*located(small_copy))
    line = line_of(small_copy, "data/call.yaml", "min_share: 0.5")
    messages = [p.message for p in errors(figures.problems) if p.line == line]
    assert messages == [
        "financing share rule `partners-min` violated: partner_cash + partner_equity + in_kind "
        "carry 42.1 % of the total cost; expected at least 50.0 %"]


def test_financing_gap_is_a_warning(small):
    [warning] = [p for p in small.problems if p.code == "financing-balance"]
    assert warning.severity == "warning"
    assert warning.file == "data/financing.yaml"
    assert warning.message == (
        "the financing sources add up to EUR 131,159,000 against a total cost of EUR "
        "135,397,500: a gap of EUR 4,238,500; expected a balance within EUR 1 "
        "(`tolerance_eur`)")


def test_balanced_plan_has_no_financing_problem(small_copy):
    # 4,238,500 more of debt closes the gap; 15 % public share satisfies the rule.
    edit(small_copy, "data/financing.yaml", "value: 20000000", "value: 24238500")
    edit(small_copy, "data/call.yaml", "max_share: 0.35", "max_share: 0.45")
    figures = compute_figures(*located(small_copy))
    assert figures.financing_gap_eur == approx(0)
    assert figures.financing_balanced is True
    assert figures.problems == []


# ---------------------------------------------------------------------- work plan


def test_effort_and_personnel_cost(small):
    assert list(small.effort.index) == ["alpha", "beta", TOTAL]
    assert list(small.effort.columns) == ["WP1", "WP2", TOTAL]
    assert list(small.effort.loc["beta"]) == [12, 12, 24]
    assert list(small.effort.loc[TOTAL]) == [36, 12, 48]
    assert list(small.personnel_cost.loc["alpha"]) == [288_000, 0, 288_000]
    assert list(small.personnel_cost.loc[TOTAL]) == [408_000, 120_000, 528_000]
    assert small.person_months_total == 48
    assert small.personnel_cost_eur == 528_000


def test_effort_by_month(small):
    months = small.effort_by_month
    assert list(months.index) == list(range(1, 25))
    assert months.loc[6, "total"] == 1.5
    assert months.loc[7, "total"] == 2.5
    assert months.loc[19, "total"] == 1.5
    assert months.loc[13, "date"] == dt.date(2027, 1, 1)
    assert months["total"].sum() == approx(48)


def test_work_packages_dated(small):
    wps = small.work_packages
    assert list(wps.index) == ["WP1", "WP2"]
    assert wps.loc["WP2", "start_date"] == dt.date(2026, 7, 1)
    assert wps.loc["WP2", "end_date"] == dt.date(2027, 6, 30)
    assert list(wps["share_of_effort"]) == [0.75, 0.25]


def test_deliverables_and_milestones_sorted_by_month(small):
    assert list(small.deliverables["deliverable"]) == ["D1.1", "D2.2", "D2.10", "D1.2"]
    assert list(small.deliverables["date"]) == [dt.date(2026, 3, 31), dt.date(2026, 12, 31),
                                                dt.date(2026, 12, 31), dt.date(2027, 12, 31)]
    assert list(small.milestones["milestone"]) == ["MS1", "MS2"]
    assert list(small.tasks["lead"]) == ["alpha", "beta"]


# -------------------------------------------------------------------- sensitivity


def test_sensitivity_table(small):
    table = small.sensitivity.set_index(["driver", "change"])
    assert list(small.sensitivity["driver"]) == [
        "base", "accelerator_price", "accelerator_price", "energy_price", "energy_price",
        "pue", "pue", "utilisation", "utilisation"]
    # +20 % on unit prices: accelerators +16M, integration +0.8M (5 %), then 2.5 % a year
    # (maintenance + insurance) on the extra capex in service: 4.2M in 2027, 16.8M in 2028.
    assert table.loc[("accelerator_price", 0.2), "total_cost_delta_eur"] == approx(17_325_000)
    assert table.loc[("accelerator_price", -0.2), "total_cost_delta_eur"] == approx(-17_325_000)
    # EU and Member State move with the total cost: the gap moves by 60 % of it.
    assert table.loc[("accelerator_price", 0.2), "financing_gap_eur"] == approx(14_633_500)
    # Energy opex is 6,132,000: 20 % of it is 1,226,400 for price, PUE and utilisation.
    for driver in ("energy_price", "pue", "utilisation"):
        assert table.loc[(driver, 0.2), "total_cost_delta_eur"] == approx(1_226_400)
        assert table.loc[(driver, -0.2), "total_cost_delta_eur"] == approx(-1_226_400)
    assert table.loc[("base", 0.0), "total_cost_eur"] == approx(135_397_500)
    # More utilisation: same hardware, more hours delivered.
    assert table.loc[("utilisation", 0.2), "cost_per_gpu_hour_eur"] == approx(
        (24_885_000 + 7_640_625 + 0.2 * 4_380_000) / (2500 * 8760 * 0.96))


def test_sensitivity_keeps_pue_and_utilisation_physical(small_project):
    moved, factor = move_driver(small_project, "utilisation", 1.5)
    assert moved.cost_model.energy.utilisation.value == 1.0
    assert factor == approx(1 / 0.8)
    moved, factor = move_driver(small_project, "pue", 0.5)
    assert moved.cost_model.energy.pue.value == 1.0
    assert factor == approx(1 / 1.25)
    assert small_project.cost_model.energy.pue.value == 1.25


@pytest.mark.parametrize("pue", [0.0, 0.9])
def test_sensitivity_never_moves_pue_against_the_change(small_project, pue):
    # A PUE below 1 passes validation; lowering it must not raise it to 1 (a PUE of 0
    # became 1 on both rows, adding energy that the base has none of).
    energy = small_project.cost_model.energy
    energy = energy.model_copy(update={"pue": _valued(energy.pue, pue)})
    project = small_project.model_copy(update={"cost_model": small_project.cost_model.model_copy(
        update={"energy": energy})})
    lowered, factor = move_driver(project, "pue", 0.8)
    assert lowered.cost_model.energy.pue.value == pue
    assert factor == (0.8 if pue == 0 else 1.0)
    raised, _ = move_driver(project, "pue", 1.2)
    assert raised.cost_model.energy.pue.value == approx(pue * 1.2)
    figures = compute_figures(project)
    rows = figures.sensitivity[figures.sensitivity["driver"] == "pue"]
    assert list(rows["total_cost_delta_eur"] <= 0) == [True, pue == 0]


# --------------------------------------------------------------- kept costs


COST_TABLES = ("phases", "phase_accelerators", "capacity_by_year", "capex", "opex",
               "capex_items", "opex_items", "monthly_effort")


def _assert_same_costs(got, expected) -> None:
    for name in COST_TABLES:
        pd.testing.assert_frame_equal(getattr(got, name), getattr(expected, name))
    assert (got.total_cost_eur, got.cost_per_gpu_hour_eur) == (
        expected.total_cost_eur, expected.cost_per_gpu_hour_eur)


def test_kept_costs_equal_a_fresh_computation(small_project):
    costs_module._kept.clear()
    fresh = compute_costs(small_project)
    again = compute_costs(load(ROOTS / "compute-small"))  # equal content, other objects
    _assert_same_costs(again, fresh)
    assert again.capex is not fresh.capex  # each call has tables of its own


def test_changing_kept_costs_changes_no_other_call(small_project):
    costs_module._kept.clear()
    first = compute_costs(small_project)
    expected = first.capex.copy()
    first.capex.iloc[0, 0] = -1.0
    first.monthly_effort.loc[:, "cost_eur"] = 0.0
    second = compute_costs(small_project)
    pd.testing.assert_frame_equal(second.capex, expected)
    assert second.monthly_effort["cost_eur"].sum() > 0
    second.opex.iloc[0, 0] = -1.0
    assert compute_costs(small_project).opex.iloc[0, 0] != -1.0


def test_kept_costs_follow_every_input_they_read(small_project):
    base = compute_costs(small_project)
    moved, _ = move_driver(small_project, "energy_price", 1.2)
    assert compute_costs(moved).opex_eur > base.opex_eur
    later = small_project.model_copy(update={"consortium": small_project.consortium.model_copy(
        update={"start_date": small_project.consortium.start_date + dt.timedelta(days=400)})})
    assert costs_key(later) != costs_key(small_project)
    effort = base.monthly_effort.copy()
    effort["cost_eur"] *= 2
    assert costs_key(small_project, effort) != costs_key(small_project, base.monthly_effort)
    doubled = compute_costs(small_project, effort)
    assert doubled.opex_eur > base.opex_eur
    pd.testing.assert_frame_equal(doubled.monthly_effort, effort)
    # The same table in another object (the sensitivity passes a copy) is the same key.
    assert costs_key(small_project, base.monthly_effort.copy()) == costs_key(
        small_project, base.monthly_effort)


def test_kept_costs_are_bounded(small_project):
    costs_module._kept.clear()
    for step in range(COSTS_KEPT + 5):
        compute_costs(move_driver(small_project, "energy_price", 1 + step / 100)[0])
    assert len(costs_module._kept) == COSTS_KEPT


def test_kept_sensitivity_equals_a_fresh_computation(small_project):
    costs_module._kept.clear()
    sensitivity_module._kept.clear()
    fresh = compute_figures(small_project).sensitivity
    again = compute_figures(load(ROOTS / "compute-small")).sensitivity
    pd.testing.assert_frame_equal(again, fresh)


def test_kept_sensitivity_follows_the_financing_and_the_pledges(small_project):
    costs = compute_costs(small_project)
    funding = compute_financing(small_project, costs.total_cost_eur)
    runs = moved_runs(small_project, costs, funding)
    runs[0]["financing_gap_eur"] = 0.0  # the caller's own rows
    assert moved_runs(small_project, costs, funding)[0]["financing_gap_eur"] != 0.0
    financing = small_project.financing
    richer = small_project.model_copy(update={"financing": financing.model_copy(update={
        "eu": financing.eu.model_copy(update={"share": _valued(
            financing.eu.share, financing.eu.share.value / 2)})})})
    assert sensitivity_key(richer, costs, funding) != sensitivity_key(small_project, costs,
                                                                      funding)
    gaps = [run["financing_gap_eur"] for run in moved_runs(small_project, costs, funding)]
    wider = [run["financing_gap_eur"] for run in moved_runs(richer, costs, funding)]
    assert all(w > g for w, g in zip(wider, gaps, strict=True))
    pledged = dataclasses.replace(funding, pledges=funding.pledges.assign(
        cash=funding.pledges["cash"] + 1.0))
    assert sensitivity_key(small_project, costs, pledged) != sensitivity_key(
        small_project, costs, funding)


# ------------------------------------------------------------------------ EU view


def test_eu_budget_by_partner(small):
    table = small.eu_budget_by_partner
    assert list(table.columns) == ["A", "B", "C.1", "C.2", "C.3", "D", "direct", "E", TOTAL]
    assert list(table.index) == ["alpha", "beta", TOTAL]
    assert list(table.loc["alpha"]) == approx([288_000, 0, 0, 97_500_000, 0, 6_803_500,
                                               104_591_500, 26_147_875, 130_739_375])
    # E leaves out B (subcontracting): 25 % of 10,806,000.
    assert list(table.loc["beta"]) == approx([240_000, 20_000_000, 0, 0, 10_566_000, 0,
                                              30_806_000, 2_701_500, 33_507_500])
    assert table.loc[TOTAL, "direct"] == approx(small.total_cost_eur)
    assert table.loc[TOTAL, "E"] == approx(28_849_375)


def test_eu_budget_by_work_package(small):
    table = small.eu_budget_by_work_package
    assert list(table.index) == ["WP1", "WP2", TOTAL]
    assert list(table.loc["WP1"]) == approx([408_000, 0, 0, 0, 9_566_000, 878_500,
                                             10_852_500, 2_713_125, 13_565_625])
    assert list(table.loc["WP2"]) == approx([120_000, 20_000_000, 0, 97_500_000, 1_000_000,
                                             5_925_000, 124_545_000, 26_136_250,
                                             150_681_250])


# --------------------------------------------------------------- data problems


def test_accelerators_drawing_more_than_the_phase(small_copy):
    edit(small_copy, "data/cost_model.yaml", "power_kw: {value: 1.5, assumption: true, "
                                             "note: {en: Test value., fr: Valeur de test.}}",
         "power_kw: {value: 4.5, assumption: true, note: {en: Test value., fr: Valeur de test.}}")
    figures = compute_figures(*located(small_copy))
    [problem] = [p for p in figures.problems if p.code == "accelerator-power"]
    assert (problem.file, problem.line, problem.severity) == (
        "data/cost_model.yaml", line_of(small_copy, "data/cost_model.yaml", "value: 5,"),
        "warning")
    assert problem.message == (
        "phase `p2`: the accelerators installed draw 6 MW at full load, more than the "
        "phase's 5 MW of IT power; raise `power_mw` or check the accelerator types' "
        "`power_kw`")


def test_sites_that_cannot_power_the_phase(small_copy):
    edit(small_copy, "data/cost_model.yaml", "power_mw: {value: 5, assumption: true, "
                                             "note: {en: Test value., fr: Valeur de test.}}",
         "power_mw: {value: 7, assumption: true, note: {en: Test value., fr: Valeur de test.}}")
    figures = compute_figures(*located(small_copy))
    [problem] = [p for p in figures.problems if p.code == "site-power"]
    assert problem.message == (
        "phase `p2` needs 8.75 MW of facility power (IT power x PUE) but its sites (s1, s2) "
        "connect at most 8 MW; add a site or raise `max_power_mw`")


def test_horizon_too_short(small_copy):
    edit(small_copy, "data/cost_model.yaml", "horizon_years: 3", "horizon_years: 1")
    figures = compute_figures(*located(small_copy))
    codes = sorted(p.code for p in figures.problems if p.severity == "warning")
    assert codes == ["effort-outside-horizon", "financing-balance", "phase-after-horizon",
                     "phase-after-horizon"]
    [effort] = [p for p in figures.problems if p.code == "effort-outside-horizon"]
    assert effort.message == (
        "24 person-months of the work plan fall outside the costed years 2026-2026 and are "
        "not in the opex; align the work plan's months with the phases or change "
        "`horizon_years`")
    # Capex still counts every phase; the cash view runs until the last phase is built.
    assert figures.capex_eur == approx(124_425_000)
    assert list(figures.cost_by_year.index) == [2026, 2027, TOTAL]
    assert figures.cost_by_year.loc[TOTAL, "total"] == approx(figures.total_cost_eur)


# ------------------------------------------------------ edge cases of valid input


@pytest.fixture(scope="module")
def edge_project() -> Project:
    return load(ROOTS / "compute-edge")


@pytest.fixture(scope="module")
def edge(edge_project):
    return compute_figures(edge_project)


def test_a_phase_serving_from_the_last_days_of_the_horizon(edge):
    years = edge.capacity_by_year
    assert list(years.index) == [2027, 2028, 2029]
    assert list(years["power_mw"]) == [0, 0, 10]
    assert years.loc[2029, "first_phase_in_service"] == approx(2 / 365)
    assert years.loc[2029, "accelerators_in_service"] == approx(4000 * 2 / 365)
    assert edge.problems == []


def test_utilisation_0_delivers_no_hour_and_draws_no_energy(edge):
    assert edge.gpu_hours_per_year == 0
    assert math.isnan(edge.cost_per_gpu_hour_eur)
    assert math.isnan(edge.cost_per_h100_hour_eur)
    assert edge.sensitivity["cost_per_gpu_hour_eur"].isna().all()
    assert edge.energy_gwh_per_year == 0
    assert edge.opex.loc[TOTAL, "energy"] == 0


def test_an_accelerator_type_with_no_units(edge):
    types = edge.accelerator_types
    assert list(types.index) == ["h100", "b200", TOTAL]
    assert list(types.loc["b200", ["units", "h100_equivalents", "purchase_eur"]]) == [0, 0, 0]
    assert edge.phases.loc["p1", "accelerators_added"] == 4000


def test_no_loans_no_rules_and_a_partner_without_contributions(edge):
    assert list(edge.financing.index) == ["eu", "member_state", "alpha:cash", TOTAL]
    assert list(edge.pledges.loc["beta", ["cash", "equity", "debt", "in_kind", "total"]]) == [
        0, 0, 0, 0, 0]
    assert edge.in_kind.empty
    assert edge.share_rules.empty
    assert list(edge.share_rules.columns) == ["sources", "amount_eur", "share", "min_share",
                                              "max_share", "ok"]


def test_fractions_of_person_months_at_every_partner_rate(edge):
    assert list(edge.effort.index) == ["alpha", "beta", TOTAL]
    assert list(edge.effort.loc["beta"]) == [3.25, 0, 3.25]
    assert list(edge.effort.loc[TOTAL]) == [13.75, 2.75, 16.5]
    # alpha at 12,500 a person-month, beta at 8,333.33.
    assert list(edge.personnel_cost.loc["alpha"]) == approx([131_250, 34_375, 165_625])
    assert edge.personnel_cost.loc["beta", "WP1"] == approx(3.25 * 8333.33)
    assert edge.personnel_cost_eur == approx(165_625 + 3.25 * 8333.33)
    assert edge.opex.loc[TOTAL, "staff"] == approx(edge.personnel_cost_eur)


def test_a_sensitivity_step_of_0_repeats_the_base(edge):
    table = edge.sensitivity
    assert len(table) == 9
    assert (table["change"] == 0).all() and (table["factor"] == 1).all()
    assert (table["total_cost_delta_eur"] == 0).all()
    assert (table["total_cost_eur"] == edge.total_cost_eur).all()


def test_a_phase_in_service_after_the_horizon(edge_project):
    cm = edge_project.cost_model
    phase = cm.phases[0].model_copy(update={"end": dt.date(2030, 6, 1)})
    project = edge_project.model_copy(update={"cost_model": cm.model_copy(
        update={"phases": (phase,)})})
    figures = compute_figures(project)
    assert (figures.capacity_by_year[["power_mw", "accelerators", "capex_in_service_eur"]]
            == 0).all().all()
    assert figures.power_mw == 10 and figures.accelerators == 4000
    assert figures.capex_eur == approx(180_000_000)
    # The cash view runs until the phase is built; its total is still the total cost.
    assert list(figures.cost_by_year.index) == [2027, 2028, 2029, 2030, TOTAL]
    assert figures.cost_by_year.loc[TOTAL, "total"] == approx(figures.total_cost_eur)
    assert [p.code for p in figures.problems] == ["phase-after-horizon"]


# ----------------------------------------------------------- property tests


def _valued(figure, value: float):
    return figure.model_copy(update={"value": value})


def _scaled(model, field: str, factor: float):
    figure = getattr(model, field)
    return model.model_copy(update={field: _valued(figure, figure.value * factor)})


@st.composite
def cost_models(draw, base: Project) -> Project:
    """The compute-small project with every number of its cost model redrawn."""
    cm = base.cost_model
    day = st.integers(min_value=1, max_value=800)
    start = dt.date(2026, 1, 1) + dt.timedelta(days=draw(st.integers(0, 300)))
    p1_end = start + dt.timedelta(days=draw(day))
    p2_start = p1_end - dt.timedelta(days=draw(st.integers(0, 200)))
    p2_end = max(p1_end, p2_start) + dt.timedelta(days=draw(day))
    p1_mw = draw(st.floats(0.5, 50))
    powers = [p1_mw, p1_mw + draw(st.floats(0, 50))]
    dates = [(start, p1_end), (max(p2_start, start), p2_end)]
    counts = st.integers(0, 5000)
    phases = tuple(
        phase.model_copy(update={
            "start": dates[i][0], "end": dates[i][1],
            "power_mw": _valued(phase.power_mw, powers[i]),
            "accelerators": tuple(item.model_copy(update={"count": _valued(item.count,
                                                                           draw(counts))})
                                  for item in phase.accelerators),
        })
        for i, phase in enumerate(cm.phases)
    )
    types = tuple(_scaled(t, "unit_price", draw(st.floats(0.01, 5)))
                  for t in cm.accelerator_types)
    factor = st.floats(0, 3)
    capex = tuple(line if line.rate is None else _scaled(line, "rate", draw(factor))
                  for line in cm.capex)
    opex = tuple(line if line.rate is None else _scaled(line, "rate", draw(factor))
                 for line in cm.opex)
    energy = cm.energy.model_copy(update={
        "pue": _valued(cm.energy.pue, draw(st.floats(1, 2))),
        "utilisation": _valued(cm.energy.utilisation, draw(st.floats(0.05, 1))),
        "price_eur_per_mwh": _valued(cm.energy.price_eur_per_mwh, draw(st.floats(0, 300))),
        "carbon_g_per_kwh": _valued(cm.energy.carbon_g_per_kwh, draw(st.floats(0, 500))),
    })
    cost_model = cm.model_copy(update={
        "phases": phases, "accelerator_types": types, "capex": capex, "opex": opex,
        "energy": energy, "horizon_years": draw(st.integers(1, 6)),
    })
    return base.model_copy(update={"cost_model": cost_model})


SMALL = load(ROOTS / "compute-small")
PROPERTIES = settings(max_examples=40, deadline=None,
                      suppress_health_check=[HealthCheck.too_slow])


@PROPERTIES
@given(cost_models(SMALL))
def test_totals_equal_the_sum_of_their_parts(project):
    costs = compute_costs(project)
    for table in (costs.capex, costs.opex):
        body = table.drop(TOTAL)
        assert list(table.loc[TOTAL]) == pytest.approx(list(body.sum()), rel=1e-9, abs=1e-6)
        assert list(body[TOTAL]) == pytest.approx(list(body.drop(columns=TOTAL).sum(axis=1)),
                                                  rel=1e-9, abs=1e-6)
    assert costs.total_cost_eur == pytest.approx(costs.capex_eur + costs.opex_eur)
    assert costs.capex_eur == pytest.approx(costs.phases["capex_eur"].sum(), abs=1e-6)
    cash = compute_cost_by_year(project, costs.phases, costs.opex)
    assert cash.loc[TOTAL, "total"] == pytest.approx(costs.total_cost_eur)
    assert cash.loc[TOTAL, "capex"] == pytest.approx(costs.capex_eur, abs=1e-6)
    lines = compute_cost_lines(costs.capex_items, costs.opex_items)
    assert lines["amount_eur"].sum() == pytest.approx(costs.total_cost_eur)
    funding = compute_financing(project, costs.total_cost_eur)
    body = funding.sources.drop(TOTAL)
    assert funding.total_eur == pytest.approx(body["amount_eur"].sum())
    assert funding.gap_eur == pytest.approx(costs.total_cost_eur - funding.total_eur)


@PROPERTIES
@given(cost_models(SMALL), st.sampled_from(["gpu-a", "gpu-b"]))
def test_doubling_a_unit_price_moves_exactly_the_lines_it_should(project, type_id):
    cm = project.cost_model
    doubled = project.model_copy(update={"cost_model": cm.model_copy(update={
        "accelerator_types": tuple(_scaled(t, "unit_price", 2) if t.id == type_id else t
                                   for t in cm.accelerator_types)})})
    before, after = compute_costs(project), compute_costs(doubled)
    # The accelerators line rises by what that type's units cost, per phase.
    items = before.phase_accelerators
    extra = (items[items["type"] == type_id].groupby("phase")["purchase_eur"].sum()
             .reindex(before.capex.index.drop(TOTAL), fill_value=0.0))
    delta = (after.capex - before.capex).drop(TOTAL)
    assert list(delta["accelerators"]) == pytest.approx(list(extra), rel=1e-9, abs=1e-3)
    # Integration is a share of the phase's other capex; nothing else in capex moves.
    rate = next(line.rate.value for line in cm.capex if line.category == "integration")
    assert list(delta["integration"]) == pytest.approx(list(extra * rate), rel=1e-9, abs=1e-3)
    unmoved = ["servers_network", "storage", "datacentre_power", "cooling", "site_works"]
    assert (delta[unmoved].abs() < 1e-6).all().all()
    # In opex only the lines costed as a share of capex in service move.
    opex_delta = (after.opex - before.opex).drop(TOTAL)
    assert (opex_delta[["energy", "staff", "software_support", "site_costs"]].abs()
            < 1e-6).all().all()
    capex_delta = (after.capacity_by_year["capex_in_service_eur"]
                   - before.capacity_by_year["capex_in_service_eur"])
    for category in ("maintenance", "insurance"):
        line_rate = next(line.rate.value for line in cm.opex if line.category == category)
        assert list(opex_delta[category]) == pytest.approx(list(capex_delta * line_rate),
                                                           rel=1e-9, abs=1e-3)


@PROPERTIES
@given(cost_models(SMALL))
def test_doubling_the_energy_price_doubles_energy_only(project):
    doubled, _ = move_driver(project, "energy_price", 2)
    before, after = compute_costs(project), compute_costs(doubled)
    assert list(after.opex["energy"]) == pytest.approx(list(2 * before.opex["energy"]))
    others = [c for c in before.opex.columns if c not in ("energy", TOTAL)]
    assert after.opex[others].equals(before.opex[others])
    assert after.capex.equals(before.capex)


# --------------------------------------------------------------- shipped example


@pytest.fixture(scope="module")
def example():
    project = load(EXAMPLE)
    return project, compute_figures(project)


def test_example_reproduces_the_public_figures(example):
    _project, figures = example
    assert errors(figures.problems) == []
    first = figures.phases.iloc[0]
    assert first["power_mw"] == 100
    reaching = figures.phases[figures.phases["h100_equivalents"] >= 288_000].iloc[0]
    assert reaching["h100_equivalents"] == approx(288_000)
    assert reaching["power_mw"] == 200
    assert figures.ultimate_power_mw == 1000
    assert figures.total_cost_eur == pytest.approx(10e9, rel=0.05)
    assert figures.pledges.loc["iliad", "cash"] == 4e9


def test_example_assumptions_are_flagged(example):
    project, _ = example
    cm = project.cost_model
    figures = [t.unit_price for t in cm.accelerator_types]
    figures += [cm.energy.pue, cm.energy.price_eur_per_mwh, cm.energy.utilisation]
    figures += [line.rate for line in (*cm.capex, *cm.opex) if line.rate is not None]
    assert all(f.documented for f in figures)


def test_effort_is_the_work_plan_s_person_months_exactly(example):
    # Not the sum of their monthly spread: 24 over 12 months adds up to 23.999999999999993.
    project, figures = example
    for wp in project.workplan.work_packages:
        for partner, months in wp.effort.items():
            assert figures.effort.loc[partner, wp.id] == months
            assert figures.personnel_cost.loc[partner, wp.id] == months * monthly_rate(
                project, partner)
    assert figures.person_months_total == sum(
        sum(wp.effort.values()) for wp in project.workplan.work_packages)
