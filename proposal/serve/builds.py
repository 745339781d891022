"""Full builds started from the preview: the normal command in a child process, one at a
time, its output kept for the page; the published outputs read from the manifest.

The child is `python -m proposal --input IN --out OUT`, exactly what a user runs: the
output folder's lock (`proposal.lock`) keeps it from clashing with a build started
elsewhere, which it reports with exit code 3. The server kills a running child when it
stops, so no build outlives it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ..publish import MANIFEST
from .preview import Versions

OUTPUT_KEPT = 64 * 1024
"""Characters of a build's output the page shows (the end of it)."""
STOP_SECONDS = 10.0
"""How long a stopping server lets a build clean up after SIGTERM before killing it."""


@dataclass(frozen=True)
class BuildRun:
    """One build started from the preview."""

    started: float
    """When it started (seconds since the epoch)."""
    exit_code: int | None = None
    """The command's exit code; None while it runs."""
    output: str = ""
    """What it printed (standard output and error), its last `OUTPUT_KEPT` characters."""


@dataclass(frozen=True)
class Published:
    """The outputs of the last full build, as its manifest lists them."""

    build_id: str
    """The build's id."""
    built_at: str
    """When it was built (UTC, ISO 8601)."""
    outputs: list[tuple[Path, int, str]]
    """Each output: its path, size in bytes and SHA-256."""


class Builds:
    """Starts the full build in a child process, one at a time, and keeps its outcome."""

    def __init__(self, input_dir: Path, out_dir: Path, versions: Versions):
        self.input_dir, self.out_dir, self.versions = input_dir, out_dir, versions
        self.last: BuildRun | None = None
        """The running or last build; None before the first."""
        self._lock = threading.Lock()
        self._child: subprocess.Popen[str] | None = None
        self._stopping = False

    @property
    def running(self) -> bool:
        """A build is under way."""
        return self.last is not None and self.last.exit_code is None

    def start(self) -> bool:
        """Start a build; False when one is already running (or the server stops)."""
        with self._lock:
            if self.running or self._stopping:
                return False
            command = [sys.executable, "-m", "proposal", "--input", str(self.input_dir),
                       "--out", str(self.out_dir)]
            self._child = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                           text=True, encoding="utf-8", errors="replace")
            self.last = BuildRun(time.time())
        threading.Thread(target=self._finish, args=(self._child, self.last.started),
                         name="serve-build", daemon=True).start()
        self.versions.bump("build")
        return True

    def _finish(self, child: subprocess.Popen[str], started: float) -> None:
        output, _ = child.communicate()
        with self._lock:
            self.last = BuildRun(started, child.returncode, output[-OUTPUT_KEPT:])
            self._child = None
        self.versions.bump("build")

    def stop(self) -> None:
        """Stop a running build (SIGTERM, then SIGKILL) and wait for it to end."""
        with self._lock:
            self._stopping = True
            child = self._child
        if child is None or child.poll() is not None:
            return
        child.terminate()  # the build removes its half-written folder, exit 143
        try:
            child.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()

    def published(self) -> Published | None:
        """The outputs of the last full build in the output folder; None when there is
        none (or its manifest cannot be read)."""
        try:
            manifest = json.loads((self.out_dir / MANIFEST).read_text(encoding="utf-8"))
            outputs = [(self.out_dir.resolve() / str(item["name"]), int(item["bytes"]),
                        str(item["sha256"])) for item in manifest["outputs"]]
            return Published(str(manifest["build_id"]), str(manifest["built_at"]), outputs)
        except (OSError, ValueError, KeyError, TypeError):
            return None
