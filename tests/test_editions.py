"""Draft and submission editions: the draft's mark and notes, the submission's gate."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from proposal.cli import main
from proposal.confidential import Audience, edition_view
from proposal.editions import EditionChoice, collect_notes, input_version, make_marks
from proposal.pipeline import check
from proposal.render.pdf.builder import render_pdf

ROOT = Path(__file__).parent / "roots" / "editions"
TODO = ("partners/alpha.yaml:15:7: error: to-do note on `description` left: 'Add the 2025 "
        "revenue once the board has approved it'; do it and remove the note (or set "
        "`todo: false`) before a submission build [todo-note]")


@pytest.fixture
def root(tmp_path) -> Path:
    copy = tmp_path / "root"
    shutil.copytree(ROOT, copy)
    return copy


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_notes_are_collected_with_their_place():
    result = check(ROOT)
    notes = collect_notes(result.project, result.locations)
    assert [(n.where, n.subject, n.note.todo) for n in notes] == [
        ("data/workplan.yaml:11:9", "work_packages.0", False),
        ("partners/alpha.yaml:15:7", "description", True),
        ("partners/alpha.yaml:16:7", "description", False),
        ("partners/beta.yaml:19:5", "(partner)", False),
    ]


def test_a_draft_passes_check_and_a_submission_does_not(capsys):
    assert main(["--input", str(ROOT), "check"]) == 0
    assert main(["--input", str(ROOT), "check", "--submission"]) == 1
    assert capsys.readouterr().out.splitlines()[-2:] == [TODO, "1 error, 0 warnings in 1 file"]


def test_build_submission_refuses_what_check_submission_finds(capsys, tmp_path):
    assert main(["--input", str(ROOT), "check", "--submission"]) == 1
    checked = capsys.readouterr().out.splitlines()[:-1]
    assert main(["--input", str(ROOT), "--out", str(tmp_path / "out"), "--submission"]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == checked
    assert "build failed: nothing was written" in captured.err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").glob("*.pdf"))


def test_a_blocking_warning_refuses_a_submission(root, capsys):
    edit(root / "data" / "financing.yaml", "tolerance_eur: 20000000", "tolerance_eur: 1000")
    edit(root / "partners" / "alpha.yaml", "todo: true", "todo: false")
    assert main(["--input", str(root), "check"]) == 0
    assert "[financing-balance]" in capsys.readouterr().out
    assert main(["--input", str(root), "check", "--submission"]) == 1
    out = capsys.readouterr().out
    assert "data/financing.yaml:1:1: error: the financing sources add up to" in out
    assert out.rstrip().endswith("1 error, 0 warnings in 1 file")
    assert "the call blocks a submission on this warning (`call.blocking_warnings`) " \
           "[blocking-warning]" in out


def test_filler_text_refuses_a_submission(root, capsys):
    edit(root / "partners" / "alpha.yaml", "todo: true", "todo: false")
    edit(root / "partners" / "beta.yaml", "fr: Beta vend de l'électricité.",
         "fr: Beta vend de l'électricité (à compléter).")
    edit(root / "partners" / "alpha.yaml", "role: {en: Coordinator,", "role: {en: TBD,")
    assert main(["--input", str(root), "check", "--submission"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "partners/alpha.yaml:10:12: error: `role.en` holds filler text 'TBD'; write the final "
        "text before a submission build [filler-text]",
        "partners/beta.yaml:7:42: error: `description.fr` holds filler text 'à compléter'; "
        "write the final text before a submission build [filler-text]",
        "2 errors, 0 warnings in 2 files",
    ]


def test_an_unknown_blocking_code_is_warned(root, capsys):
    edit(root / "data" / "call.yaml", "[financing-balance, page-limit]", "[finance-gap]")
    assert main(["--input", str(root), "check"]) == 0
    out = capsys.readouterr().out
    assert "data/call.yaml:" in out and "`finance-gap` is not a warning code" in out


def test_notes_are_validated_and_located(root, capsys):
    edit(root / "data" / "workplan.yaml", "author: PMO}", "author: PMO, todo: maybe}")
    assert main(["--input", str(root), "check"]) == 1
    assert ("data/workplan.yaml:11:81: error: `work_packages[0].notes[0].todo` is 'maybe'"
            in capsys.readouterr().out)


def _pdf_pages(edition: str) -> list[str]:
    result = check(ROOT)
    marks = make_marks(result.project, result.locations, ROOT, EditionChoice(edition))
    project, figures = edition_view(result.project, result.figures, marks)
    rendered = render_pdf(project, figures, "fr", ROOT, result.locations)
    return [" ".join(page.extract_text().split())  # table cells wrap
            for page in PdfReader(io.BytesIO(rendered.pdf)).pages]


def test_a_draft_marks_every_page_and_lists_the_notes():
    pages = _pdf_pages("draft")
    version = input_version(ROOT).label.rstrip("+")
    assert all(f"BROUILLON · version {version}" in page for page in pages)  # cover too
    text = " ".join(pages)
    assert "Notes éditoriales (brouillon seulement)" in text
    assert "Add the 2025 revenue once the board has approved it" in text
    assert "partners/alpha.yaml:15:7" in text


def test_a_submission_has_no_mark_and_no_notes():
    text = " ".join(_pdf_pages("submission"))
    assert "BROUILLON" not in text and "DRAFT" not in text
    assert "Add the 2025 revenue" not in text


def test_the_version_is_the_git_revision_and_says_when_dirty(root):
    assert input_version(root).label.startswith("sha256:")  # not a repository
    def git(*args):
        return subprocess.run(["git", "-C", str(root), *args], check=True,
                              capture_output=True, text=True).stdout.strip()
    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@t", "add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "v1")
    head = git("rev-parse", "--short=7", "HEAD")
    assert input_version(root).label == head
    edit(root / "partners" / "beta.yaml", "Beta sells power.", "Beta sells power and heat.")
    version = input_version(root)
    assert (version.label, version.dirty) == (head + "+", True)


def test_audiences_parse_and_name_files():
    assert Audience.parse("public").suffix == "_public"
    assert Audience.parse("partner:beta").suffix == "_partner-beta"
    assert Audience.parse("full").suffix == ""
    with pytest.raises(ValueError, match="expected `full`, `public` or `partner:<id>`"):
        Audience.parse("partner:")


def test_a_bad_audience_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--input", str(ROOT), "--audience", "everyone", "check"])
    assert stop.value.code == 2
    assert "'everyone' is not an audience" in capsys.readouterr().err


def test_the_example_is_ready_for_submission(capsys):
    example = Path(__file__).parent / "roots" / "example"
    assert main(["--input", str(example), "check", "--submission"]) == 0
    assert capsys.readouterr().out.startswith("ok: 20 partners")


def test_the_schemas_document_notes_and_markers():
    from proposal.models import CallRules, Partner

    partner = Partner.model_json_schema()
    assert "todo" in partner["$defs"]["Note"]["properties"]
    assert "confidential" in partner["$defs"]["Pledge"]["properties"]
    assert "blocking_warnings" in CallRules.model_json_schema()["properties"]


def test_a_blocking_page_limit_refuses_the_submission_after_rendering(root, tmp_path, capsys):
    """Only the laid-out PDF knows its pages: `check --submission` passes, the build
    refuses and writes nothing."""
    edit(root / "partners" / "alpha.yaml", "todo: true", "todo: false")
    edit(root / "data" / "call.yaml", "page_limit: 70", "page_limit: 2")
    assert main(["--input", str(root), "check", "--submission"]) == 0
    out = tmp_path / "out"
    assert main(["--input", str(root), "--out", str(out), "--submission", "--lang", "en"]) == 1
    printed = capsys.readouterr().out
    assert "error: the English proposal has" in printed
    assert "the call blocks a submission on this warning" in printed
    assert not list(out.glob("*.pdf"))
