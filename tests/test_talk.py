"""Builds that talk: progress on a terminal, quiet otherwise, a summary at the end;
HTML-only previews, of everything or of one partner."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest

from proposal.cli import main
from proposal.i18n import Locale
from proposal.pipeline import check
from proposal.talk import describe_balance

from .conftest import REPO, SampleProject

STEM = "MINI"


def run_cli(args: list[str], terminal: bool) -> tuple[int, str, str]:
    """Run the command in a fresh process: (exit code, stdout, stderr); standard error
    is a pseudo-terminal when `terminal`, else a pipe."""
    command = [sys.executable, "-m", "proposal", *args]
    if not terminal:
        done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=600)
        return done.returncode, done.stdout, done.stderr
    leader, follower = pty.openpty()
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=follower, cwd=REPO,
                          text=True) as process:
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the process closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        stdout = process.stdout.read()
        process.wait(600)
    os.close(leader)
    return process.returncode, stdout, seen.decode().replace("\r\n", "\n")


def test_a_build_on_a_terminal_shows_each_stage_and_ends_with_a_summary(
        sample: SampleProject, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, stdout, stderr = run_cli(["--input", str(sample.path), "--out", str(out)], True)
    assert code == 0, stderr
    stages = [line.split("] ", 1)[1] for line in stderr.splitlines() if line.startswith("[")]
    assert stages == [
        "check: load, validate and compute the input",
        "pdf: lay out the English and French PDFs in the background",
        "workbooks: write the budget workbooks",
        "pdf: wait for the PDF layouts",
        "publish: stamp the build id, attach the data, publish",
    ]
    figures = check(sample.path).figures
    money = Locale("en").money
    balance = describe_balance(figures.financing_gap_eur, figures.financing_balanced,
                               money(abs(figures.financing_gap_eur)))
    lines = stdout.splitlines()
    assert lines[0].startswith("build done in ") and lines[0].endswith(" s, 0 warnings")
    pages = {lang: len(pypdf.PdfReader(out / f"{STEM}_proposal_{lang}.pdf").pages)
             for lang in ("en", "fr")}
    assert lines[1:] == [
        f"pages: English {pages['en']}, French {pages['fr']}",
        f"total cost: {money(figures.total_cost_eur)}; financing: {balance}",
        "reused: nothing",
        f"outputs in {out}: {STEM}_figures.json, {STEM}_budget_en.xlsx, {STEM}_budget_fr.xlsx, "
        f"{STEM}_proposal_en.pdf, {STEM}_proposal_fr.pdf, manifest.json",
    ]


def test_the_balance_is_named_from_the_figures() -> None:
    assert describe_balance(0.0, True, "€0") == "balanced"
    assert describe_balance(12.0, True, "€12") == "balanced (within tolerance, gap of €12)"
    assert describe_balance(-3e6, False, "€3,000,000") == "surplus of €3,000,000"
    assert describe_balance(5.0, False, "€5") == "gap of €5"


def test_piped_output_shows_no_progress_and_quiet_no_summary(sample: SampleProject,
                                                            tmp_path: Path) -> None:
    code, stdout, stderr = run_cli(["--input", str(sample.path), "--out", str(tmp_path / "a"),
                                    "--html-only"], False)
    assert code == 0
    assert stderr == ""
    assert stdout.startswith("preview done in ")
    code, stdout, stderr = run_cli(["--input", str(sample.path), "--out", str(tmp_path / "b"),
                                    "--html-only", "--quiet"], True)
    assert code == 0
    assert (stdout, stderr) == ("", "")
    assert (tmp_path / "b" / "preview" / f"{STEM}_proposal_fr.html").is_file()


def test_html_only_writes_the_html_and_no_pdf_nor_workbook(sample: SampleProject,
                                                           tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert main(["--input", str(sample.path), "--out", str(out), "--html-only"]) == 0
    written = sorted(path.relative_to(out).as_posix() for path in out.rglob("*")
                     if path.is_file() and not path.name.startswith("."))
    assert written == [f"preview/{STEM}_proposal_en.html", f"preview/{STEM}_proposal_fr.html"]
    html = (out / "preview" / f"{STEM}_proposal_fr.html").read_text()
    assert '<html lang="fr' in html and "Alpha exploite des centres de données." in _text(html)
    lines = capsys.readouterr().out.splitlines()
    assert lines[1:] == [
        lines[1],  # total cost and balance, as in a build
        "reused: nothing",
        f"outputs in {out / 'preview'}: {STEM}_proposal_en.html, {STEM}_proposal_fr.html",
    ]
    assert lines[1].startswith("total cost: ")


def test_html_only_leaves_the_published_build_alone(sample: SampleProject, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["--input", str(sample.path), "--out", str(out), "--lang", "en", "--quiet"]) == 0
    before = (out / "manifest.json").read_bytes(), (out / f"{STEM}_proposal_en.pdf").read_bytes()
    sample.edit("partners/beta.yaml", "Beta sells power.", "Beta sells green power.")
    assert main(["--input", str(sample.path), "--out", str(out), "--html-only", "--quiet"]) == 0
    assert ((out / "manifest.json").read_bytes(),
            (out / f"{STEM}_proposal_en.pdf").read_bytes()) == before
    assert "Beta sells green power." in _text(
        (out / "preview" / f"{STEM}_proposal_en.html").read_text())


def test_a_partner_preview_shows_that_partner_only(sample: SampleProject, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["--input", str(sample.path), "--out", str(out), "--partner", "beta",
                 "--lang", "en", "--quiet"]) == 0
    assert sorted(path.name for path in (out / "preview").iterdir()) == [
        f"{STEM}_proposal_beta_en.html"]
    html = (out / "preview" / f"{STEM}_proposal_beta_en.html").read_text()
    assert 'id="partner-beta"' in html and "Beta sells power." in _text(html)
    assert 'id="partner-alpha"' not in html and "Alpha runs data centres." not in _text(html)
    assert not list(out.glob("*.pdf"))


@pytest.mark.parametrize(("given", "message"), [
    ("betta", "--partner `betta` is not a partner of the input; expected one of: alpha, "
              "beta; did you mean `beta`?"),
    ("zzz", "--partner `zzz` is not a partner of the input; expected one of: alpha, beta"),
])
def test_an_unknown_partner_is_a_usage_error(sample: SampleProject, tmp_path: Path, capsys,
                                             given: str, message: str) -> None:
    assert main(["--input", str(sample.path), "--out", str(tmp_path / "out"),
                 "--partner", given]) == 2
    assert capsys.readouterr().err == f"consortium-proposal: error: {message}\n"


def _text(html: str) -> str:
    """The HTML without its tags: proper names are wrapped in spans that never hyphenate."""
    return re.sub(r"<[^>]+>", "", html)
