"""The whole build through the command line: outputs, languages, identity, exit codes.

`visible` and `whole_set` read an output folder as a user does (links followed) and are
the yardstick of tests/test_faults.py too.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
from pathlib import Path

import openpyxl
import pypdf
import pytest

from proposal.cli import main
from proposal.compute import compute_figures
from proposal.pipeline import check

from .conftest import ROOTS, SampleProject


def visible(out: Path) -> dict[str, bytes]:
    """Every file a user sees in `out` (links followed; hidden names and folders left out)."""
    return {path.name: path.read_bytes() for path in sorted(out.iterdir())
            if not path.name.startswith(".") and path.is_file()}


def carried_id(name: str, data: bytes) -> str:
    """The build id written inside an output."""
    suffix = Path(name).suffix
    if suffix == ".json":
        return json.loads(data)["build_id"]
    if suffix == ".html":
        return re.search(rb'<meta name="build-id" content="([0-9a-f]+)">', data)[1].decode()
    if suffix == ".xlsx":
        return openpyxl.load_workbook(io.BytesIO(data)).properties.identifier
    return pypdf.PdfReader(io.BytesIO(data), strict=True).metadata["/BuildId"]


def whole_set(out: Path) -> str:
    """The build id of the set `out` shows; fails unless it is exactly one whole set:
    the files its manifest lists, nothing else, each with the listed SHA-256 and the id."""
    seen = visible(out)
    manifest = json.loads(seen["manifest.json"])
    listed = {output["name"]: output["sha256"] for output in manifest["outputs"]}
    assert set(seen) == {*listed, "manifest.json"}
    for name, sha256 in listed.items():
        assert hashlib.sha256(seen[name]).hexdigest() == sha256, f"{name} is from another set"
        assert carried_id(name, seen[name]) == manifest["build_id"], name
    return manifest["build_id"]


def leftovers(out: Path) -> list[str]:
    """What a killed build may leave behind and the next build must clear."""
    found = [path.name for path in out.iterdir()
             if path.name.endswith(".tmp") or path.name == ".publishing.json"
             or (path.is_symlink() and not path.exists())]
    current = (out / "current").resolve() if (out / "current").is_symlink() else None
    if (out / ".builds").is_dir():
        found += [f".builds/{path.name}" for path in (out / ".builds").iterdir()
                  if path.resolve() != current]
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[SampleProject, Path, str]:
    """The minimal sample built once, with HTML previews; and what build printed."""
    base = tmp_path_factory.mktemp("built")
    shutil.copytree(ROOTS / "minimal", base / "project")
    sample, out = SampleProject(base / "project"), base / "out"
    assert main(["--input", str(sample.path), "--out", str(out), "--html"]) == 0
    return sample, out, "MINI"


def test_build_writes_every_output(built) -> None:
    _, out, stem = built
    assert sorted(visible(out)) == sorted([
        f"{stem}_figures.json",
        f"{stem}_proposal_en.pdf", f"{stem}_proposal_fr.pdf",
        f"{stem}_proposal_en.html", f"{stem}_proposal_fr.html",
        f"{stem}_budget_en.xlsx", f"{stem}_budget_fr.xlsx",
        "manifest.json",
    ])
    assert (out / f"{stem}_proposal_en.pdf").read_bytes().startswith(b"%PDF-")
    assert (out / f"{stem}_budget_fr.xlsx").read_bytes().startswith(b"PK")


def test_every_output_carries_the_build_id_its_manifest_lists(built) -> None:
    _, out, _ = built
    build_id = whole_set(out)
    manifest = json.loads((out / "manifest.json").read_text())
    assert re.fullmatch("[0-9a-f]{64}", build_id)
    assert manifest["tool"].startswith("consortium-proposal ")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", manifest["built_at"])


def test_the_outputs_are_links_into_the_published_build(built) -> None:
    _, out, stem = built
    assert os.readlink(out / f"{stem}_proposal_en.pdf") == f"current/{stem}_proposal_en.pdf"
    assert os.readlink(out / "current").startswith(".builds/")
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [
        ".builds", ".cache", ".lock"]
    assert leftovers(out) == []


def test_the_same_input_gives_the_same_bytes(built, tmp_path: Path) -> None:
    sample, out, _ = built
    again = tmp_path / "again"
    assert main(["--input", str(sample.path), "--out", str(again), "--html"]) == 0
    first, second = visible(out), visible(again)
    assert whole_set(again) == whole_set(out)
    assert {name: data for name, data in second.items() if name != "manifest.json"} == {
        name: data for name, data in first.items() if name != "manifest.json"}


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
    assert sorted(visible(out)) == [
        "MINI_budget_fr.xlsx", "MINI_figures.json", "MINI_proposal_fr.pdf", "manifest.json"]


def test_plain_files_where_links_are_not_wanted(sample: SampleProject, tmp_path: Path,
                                                monkeypatch) -> None:
    monkeypatch.setenv("PROPOSAL_PUBLISH", "files")
    out = tmp_path / "out"
    assert main(["--input", str(sample.path), "--out", str(out), "--lang", "en"]) == 0
    whole_set(out)
    assert not any(path.is_symlink() for path in out.iterdir())
    assert leftovers(out) == []


def test_a_folder_an_older_version_wrote_is_taken_over(sample: SampleProject,
                                                       tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name in ("MINI_figures.json", "MINI_proposal_en.pdf", "notes.txt"):
        (out / name).write_text("from an older version, or the user's")
    (out / ".MINI_figures.json.x1y2.tmp").write_text("what a killed older version left")
    assert main(["--input", str(sample.path), "--out", str(out), "--lang", "en"]) == 0
    assert (out / "notes.txt").read_text() == "from an older version, or the user's"
    (out / "notes.txt").unlink()  # not an output: whole_set admits the manifest's files only
    whole_set(out)
    assert leftovers(out) == []


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
    before = visible(out)
    sample.edit("data/financing.yaml", "share: {value: 0.2, assumption: true, "
                                       "note: {en: Test value., fr: Valeur de test.}}"
                "\n  description: {en: EU procurement", "share: {value: 0.45, assumption: true, "
                                       "note: {en: Test value., fr: Valeur de test.}}"
                "\n  description: {en: EU procurement")
    assert main(["--input", str(sample.path), "--out", str(out), "--lang", "en"]) == 1
    assert visible(out) == before


def test_share_rule_violation_is_reported_by_check(sample: SampleProject, capsys) -> None:
    sample.edit("data/financing.yaml", "share: {value: 0.2, assumption: true, "
                                       "note: {en: Test value., fr: Valeur de test.}}"
                "\n  description: {en: EU procurement", "share: {value: 0.45, assumption: true, "
                                       "note: {en: Test value., fr: Valeur de test.}}"
                "\n  description: {en: EU procurement")
    assert main(["check", "--input", str(sample.path)]) == 1
    out = capsys.readouterr().out
    assert "data/call.yaml:" in out and "[share-rule]" in out
