"""Unchanged work is not redone: what the cache gives, what invalidates it, and that a
damaged entry is never used."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pypdf

import proposal.cache
from proposal.cache import Cache, pdf_key, tool_fingerprint
from proposal.cli import main
from proposal.pipeline import build

from .conftest import SampleProject
from .test_build import whole_set

STEM = "MINI"


def build_and_tell(sample: SampleProject, out: Path, capsys, *options: str) -> str:
    """Build through the command line; the summary's `reused:` line."""
    capsys.readouterr()
    assert main(["--input", str(sample.path), "--out", str(out), *options]) == 0
    (line,) = [line for line in capsys.readouterr().out.splitlines()
               if line.startswith("reused: ")]
    return line


def attached(out: Path, lang: str) -> dict[str, bytes]:
    pdf = pypdf.PdfReader(io.BytesIO((out / f"{STEM}_proposal_{lang}.pdf").read_bytes()))
    return {name: content for name, (content,) in pdf.attachments.items()}


def test_a_second_build_keeps_everything(sample: SampleProject, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert build_and_tell(sample, out, capsys) == "reused: nothing"
    published = {path.name: path.read_bytes() for path in out.iterdir() if path.is_file()}
    build_id = whole_set(out)
    assert build_and_tell(sample, out, capsys) == "reused: everything (no input changed)"
    assert {path.name: path.read_bytes() for path in out.iterdir()
            if path.is_file()} == published
    assert whole_set(out) == build_id
    capsys.readouterr()
    assert main(["--input", str(sample.path), "--out", str(out), "--no-cache"]) == 0
    assert "reused: nothing" in capsys.readouterr().out.splitlines()
    assert whole_set(out) == build_id  # rendered again: the same bytes


def test_one_french_text_lays_out_only_the_french_pdf(sample: SampleProject, tmp_path: Path,
                                                      capsys) -> None:
    # A submission: a draft's mark names the input's version, which an edit changes
    # outside git (see the next test for a draft in git).
    out = tmp_path / "out"
    build_and_tell(sample, out, capsys, "--submission")
    english_before = attached(out, "en")
    sample.edit("partners/beta.yaml", "fr: Beta vend de l'électricité.",
                "fr: Beta vend de l'électricité verte.")
    assert build_and_tell(sample, out, capsys, "--submission") == "reused: the English PDF"
    whole_set(out)  # every output, the reused PDF included, carries the new build id
    french = pypdf.PdfReader(out / f"{STEM}_proposal_fr.pdf")
    assert "électricité verte" in "".join(page.extract_text() for page in french.pages)
    for lang in ("en", "fr"):  # both carry this build's data files, not the previous ones
        files = attached(out, lang)
        assert files == {name: (out / name).read_bytes() for name in files}
    assert attached(out, "en") != english_before


def test_a_draft_in_git_relays_out_only_the_edited_language(sample: SampleProject,
                                                            tmp_path: Path, capsys) -> None:
    """While the bid team edits a committed input, a draft's mark stays `<commit> +
    uncommitted changes`: the edition whose texts did not change is reused."""
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(sample.path), *args], check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "--allow-empty",
        "-m", "empty")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "bid")
    out = tmp_path / "out"
    sample.edit("partners/beta.yaml", "en: Beta sells power.", "en: Beta sells clean power.")
    assert build_and_tell(sample, out, capsys) == "reused: nothing"
    sample.edit("partners/beta.yaml", "fr: Beta vend de l'électricité.",
                "fr: Beta vend de l'électricité verte.")
    assert build_and_tell(sample, out, capsys) == "reused: the English PDF"


def test_a_changed_logo_lays_out_both_editions(sample: SampleProject, tmp_path: Path,
                                               capsys) -> None:
    out = tmp_path / "out"
    build_and_tell(sample, out, capsys)
    logo = sample.path / "logos" / "alpha.svg"
    text = logo.read_text()
    logo.write_text(text.replace("</svg>", "<!-- redrawn --></svg>"))
    assert build_and_tell(sample, out, capsys) == "reused: nothing"


def test_another_tool_version_reuses_nothing(sample: SampleProject, tmp_path: Path,
                                             monkeypatch) -> None:
    out = tmp_path / "out"
    assert build(sample.path, out, ("en",)).summary.reused == []
    assert build(sample.path, out, ("en",)).summary.reused == ["everything (no input changed)"]
    monkeypatch.setattr(proposal.cache, "tool_fingerprint", lambda: "another version")
    assert build(sample.path, out, ("en",)).summary.reused == []
    whole_set(out)


def test_a_changed_template_changes_the_fingerprint(tmp_path: Path, monkeypatch) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(proposal.cache.templates_dir(), templates)
    monkeypatch.setattr(proposal.cache, "templates_dir", lambda: templates)
    tool_fingerprint.cache_clear()
    try:
        before = tool_fingerprint(), pdf_key("<html></html>", "pdf/a-3b", [])
        css = templates / "proposal.css"
        css.write_text(css.read_text() + "\n/* tighter */\n")
        tool_fingerprint.cache_clear()
        after = tool_fingerprint(), pdf_key("<html></html>", "pdf/a-3b", [])
    finally:
        tool_fingerprint.cache_clear()
    assert before[0] != after[0] and before[1] != after[1]
    assert pdf_key("<html></html>", "pdf/a-3b", []) != pdf_key("<html></html>", "tagged", [])


def test_a_damaged_entry_is_ignored_and_rebuilt(sample: SampleProject, tmp_path: Path,
                                                capsys) -> None:
    out = tmp_path / "out"
    build_and_tell(sample, out, capsys)
    entries = sorted(path for path in (out / ".cache").rglob("*") if path.is_file())
    assert len(entries) == 3  # the build and two editions
    for path, damage in zip(entries, ("flipped", "truncated", "empty"), strict=True):
        data = path.read_bytes()
        path.write_bytes({"flipped": data[:-1] + bytes([data[-1] ^ 1]),
                          "truncated": data[:len(data) // 2], "empty": b""}[damage])
    (out / ".cache" / "pdf" / ".abc.tmp").write_bytes(b"half a write")  # a kill's leftover
    sample.edit("partners/beta.yaml", "fr: Beta vend de l'électricité.",
                "fr: Beta vend de l'électricité verte.")
    assert build_and_tell(sample, out, capsys) == "reused: nothing"
    whole_set(out)
    assert build_and_tell(sample, out, capsys) == "reused: everything (no input changed)"
    for lang in ("en", "fr"):
        assert len(pypdf.PdfReader(out / f"{STEM}_proposal_{lang}.pdf", strict=True).pages) > 3
    cache = Cache.of(out)
    valid = [path for path in (out / ".cache" / "pdf").iterdir() if cache.get("pdf", path.name)]
    assert len(valid) == 2  # this build's editions; the previous French one is unreadable
    assert not list((out / ".cache").rglob("*.tmp"))
