"""The whole build through the command line: outputs, languages, atomicity, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from proposal.cli import main
from proposal.compute import compute_figures
from proposal.pipeline import check

from .conftest import SampleProject


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[SampleProject, Path, str]:
    """The minimal sample built once, with HTML previews; and what build printed."""
    import shutil

    from .conftest import ROOTS

    base = tmp_path_factory.mktemp("built")
    shutil.copytree(ROOTS / "minimal", base / "project")
    sample, out = SampleProject(base / "project"), base / "out"
    assert main(["--input", str(sample.path), "--out", str(out), "--html"]) == 0
    return sample, out, "MINI"


def test_build_writes_every_output(built) -> None:
    _, out, stem = built
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([
        f"{stem}_figures.json",
        f"{stem}_proposal_en.pdf", f"{stem}_proposal_fr.pdf",
        f"{stem}_proposal_en.html", f"{stem}_proposal_fr.html",
        f"{stem}_budget_en.xlsx", f"{stem}_budget_fr.xlsx",
    ])
    assert (out / f"{stem}_proposal_en.pdf").read_bytes().startswith(b"%PDF-")
    assert (out / f"{stem}_budget_fr.xlsx").read_bytes().startswith(b"PK")


def test_figures_file_matches_the_compute_stage(built) -> None:
    sample, out, stem = built
    data = json.loads((out / f"{stem}_figures.json").read_text())
    figures = compute_figures(check(sample.path).project)
    assert data["acronym"] == stem and data["currency"] == "EUR"
    assert data["total_cost_eur"] == figures.total_cost_eur
    assert data["capex_eur"] + data["opex_eur"] == pytest.approx(data["total_cost_eur"])
    assert [p["id"] for p in data["phases"]] == ["p1"]
    assert {p["id"] for p in data["partners"]} == {"alpha", "beta"}
    assert sum(f["amount_eur"] for f in data["financing"]) == pytest.approx(
        data["financing_total_eur"])
    assert data["person_months_total"] == 36


def test_one_language_only(sample: SampleProject, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["--input", str(sample.path), "--out", str(out), "--lang", "fr"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "MINI_budget_fr.xlsx", "MINI_figures.json", "MINI_proposal_fr.pdf"]


def test_invalid_input_writes_nothing(sample: SampleProject, tmp_path: Path, capsys) -> None:
    sample.edit("partners/beta.yaml", "country: DE", "country: Germany")
    out = tmp_path / "out"
    assert main(["--input", str(sample.path), "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert "partners/beta.yaml:3:10: error: `country` is 'Germany'" in captured.out
    assert "build failed: nothing was written" in captured.err
    assert not out.exists()


def test_failed_build_keeps_previous_outputs(sample: SampleProject, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["--input", str(sample.path), "--out", str(out), "--lang", "en"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    sample.edit("data/financing.yaml", "share: {value: 0.2, assumption: true}\n  description: "
                "{en: EU procurement", "share: {value: 0.45, assumption: true}\n  description: "
                "{en: EU procurement")
    assert main(["--input", str(sample.path), "--out", str(out), "--lang", "en"]) == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_share_rule_violation_is_reported_by_check(sample: SampleProject, capsys) -> None:
    sample.edit("data/financing.yaml", "share: {value: 0.2, assumption: true}\n  description: "
                "{en: EU procurement", "share: {value: 0.45, assumption: true}\n  description: "
                "{en: EU procurement")
    assert main(["check", "--input", str(sample.path)]) == 1
    out = capsys.readouterr().out
    assert "data/call.yaml:" in out and "[share-rule]" in out
