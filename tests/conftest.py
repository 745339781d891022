"""Shared fixtures: sample projects under tests/roots/, copied so tests may change them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOTS = Path(__file__).parent / "roots"
REPO = Path(__file__).parent.parent
EXAMPLE = ROOTS / "example"
"""A frozen copy of the shipped example: its public figures are asserted on it, so a
consortium editing the live `partners/` and `data/` keeps the tool's tests green."""


class SampleProject:
    """A writable copy of a test root, with helpers to break it on purpose."""

    def __init__(self, path: Path):
        self.path = path

    def edit(self, rel: str, old: str, new: str) -> None:
        """Replace `old` (which must occur once) by `new` in a file of the copy."""
        file = self.path / rel
        text = file.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {rel}"
        file.write_text(text.replace(old, new), encoding="utf-8")

    def write(self, rel: str, content: str | bytes) -> None:
        """Create or overwrite a file of the copy."""
        file = self.path / rel
        file.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            file.write_bytes(content)
        else:
            file.write_text(content, encoding="utf-8")


@pytest.fixture
def sample(tmp_path: Path) -> SampleProject:
    """A copy of tests/roots/minimal, a small valid project."""
    target = tmp_path / "project"
    shutil.copytree(ROOTS / "minimal", target)
    return SampleProject(target)


def check_in_child(path: Path) -> tuple[list[str], int]:
    """Run `check` on `path` in a fresh interpreter: (its output lines, `ok` first and
    then the problems; the process's peak resident memory in KiB). VmHWM, not
    ru_maxrss, which would include the test runner's, inherited through exec."""
    code = (
        "from pathlib import Path;"
        "from proposal.pipeline import check\n"
        f"result = check(Path({str(path)!r}))\n"
        "print(result.ok, *result.problems, sep='\\n')\n"
        "print([line.split()[1] for line in open('/proc/self/status')\n"
        "       if line.startswith('VmHWM:')][0])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, timeout=120, check=True).stdout.splitlines()
    return out[:-1], int(out[-1])
