"""Input that `check` used to pass and the build then broke on or stalled over: every
case is a located error (or, for undrawable characters, a warning) of `check`, so the
build is never reached with it."""

from __future__ import annotations

import pytest

from proposal.pipeline import check

from .conftest import SampleProject


def problems_of(sample: SampleProject) -> list[str]:
    """The formatted problems `check` reports; asserts the build would not start."""
    result = check(sample.path)
    assert result.ok is False
    return [str(p) for p in result.problems]


# ------------------------------------------------------ values the outputs cannot hold


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("submission_date: 2026-09-30", "submission_date: 1979-12-31",
     "data/consortium.yaml:5:18: error: `submission_date` is 1979-12-31; expected at least "
     "1980-01-01 (the workbook's ZIP format cannot stamp dates before 1980) [out-of-range]"),
    ("submission_date: 2026-09-30", "submission_date: 2108-01-01",
     "data/consortium.yaml:5:18: error: `submission_date` is 2108-01-01; expected at most "
     "2107-12-31 (the workbook's ZIP format cannot stamp dates after 2107) [out-of-range]"),
    # Month 240 of a project starting in year 9999 was past the calendar's end: a
    # traceback of `check` itself.
    ("start_date: 2027-01-01", "start_date: 9999-01-01",
     "data/consortium.yaml:6:13: error: `start_date` is 9999-01-01; expected at most "
     "2107-12-31 (the workbook's ZIP format cannot stamp dates after 2107) [out-of-range]"),
])
def test_dates_the_workbook_cannot_hold(sample: SampleProject, old, new, expected) -> None:
    sample.edit("data/consortium.yaml", old, new)
    assert problems_of(sample) == [expected]


def test_phase_and_call_dates_are_bounded_too(sample: SampleProject) -> None:
    sample.edit("data/call.yaml", "opens: 2026-06-01", "opens: 1970-01-01")
    sample.edit("data/cost_model.yaml", "end: 2027-12-31", "end: 2200-12-31")
    assert problems_of(sample) == [
        "data/call.yaml:3:8: error: `opens` is 1970-01-01; expected at least 1980-01-01 (the "
        "workbook's ZIP format cannot stamp dates before 1980) [out-of-range]",
        "data/cost_model.yaml:21:10: error: `phases[0].end` is 2200-12-31; expected at most "
        "2107-12-31 (the workbook's ZIP format cannot stamp dates after 2107) [out-of-range]",
    ]


def test_amount_too_large_to_print(sample: SampleProject) -> None:
    # 29 digits: Babel's currency formatting raised decimal.InvalidOperation mid-build.
    sample.edit("partners/alpha.yaml", "amount: 100000000", "amount: " + "1" + "0" * 28)
    assert problems_of(sample) == [
        "partners/alpha.yaml:19:15: error: `contributions.pledges[0].amount` is "
        "10000000000000000000000000000; expected at most 1,000,000,000,000,000 (EUR 10^15 is "
        "ten times the world's yearly output) [out-of-range]"
    ]


def test_figures_counts_and_effort_are_bounded(sample: SampleProject) -> None:
    sample.edit("data/cost_model.yaml", "carbon_g_per_kwh: {value: 30",
                "carbon_g_per_kwh: {value: 1.0e300")
    sample.edit("data/cost_model.yaml", "count: {value: 4000",
                "count: {value: 100000000000000000000")  # overflowed pandas' int64
    sample.edit("data/workplan.yaml", "effort: {alpha: 24,", "effort: {alpha: 1.0e20,")
    assert problems_of(sample) == [
        "data/cost_model.yaml:26:24: error: `phases[0].accelerators[0].count.value` is "
        "100000000000000000000; expected at most 1,000,000,000 (a billion units is a thousand "
        "times the largest fleets of accelerators) [out-of-range]",
        "data/cost_model.yaml:31:29: error: `energy.carbon_g_per_kwh.value` is 1e+300; "
        "expected at most 1,000,000,000,000,000 (no figure of a bid comes near 10^15 in its "
        "unit) [out-of-range]",
        "data/workplan.yaml:9:21: error: `work_packages[0].effort.alpha` is 1e+20; expected at "
        "most 1,000,000 (a million person-months is over 4,000 people for the longest "
        "project) [out-of-range]",
    ]


@pytest.mark.parametrize(("pue", "at", "field"), [
    ("0.9", "28:8", "energy.pue"),
    ("{value: 0, assumption: true}", "28:16", "energy.pue.value"),
])
def test_pue_below_one_is_impossible(sample: SampleProject, pue: str, at: str, field) -> None:
    # A PUE of 0 printed that the facility uses 0 GWh.
    sample.edit("data/cost_model.yaml", "pue: {value: 1.2, assumption: true}", f"pue: {pue}")
    shown = pue if pue == "0.9" else "0"
    assert problems_of(sample) == [
        f"data/cost_model.yaml:{at}: error: `{field}` is {shown}; expected at least 1 (a PUE "
        "below 1 is impossible: a facility draws at least the power of its IT) [out-of-range]"
    ]


def test_shares_are_fractions(sample: SampleProject) -> None:
    sample.edit("data/cost_model.yaml", "utilisation: {value: 0.8", "utilisation: {value: 80")
    assert problems_of(sample) == [
        "data/cost_model.yaml:29:24: error: `energy.utilisation.value` is 80; expected at most "
        "1 (a share is a fraction: 1 is 100 %) [out-of-range]"
    ]


def test_bounds_are_in_the_schemas() -> None:
    from proposal.schema import json_schemas

    schemas = json_schemas()
    cost = schemas["cost_model.schema.json"]["$defs"]
    assert cost["PueFigure"]["properties"]["value"]["minimum"] == 1
    assert cost["Amount"]["properties"]["value"]["maximum"] == 10**15
    consortium = schemas["consortium.schema.json"]["properties"]["submission_date"]
    assert (consortium["formatMinimum"], consortium["formatMaximum"]) == ("1980-01-01",
                                                                          "2107-12-31")
