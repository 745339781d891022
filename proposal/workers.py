"""PDF editions rendered in worker processes that never outlive the build.

A process per edition returns WeasyPrint's memory when it ends and gives the
editions parallelism on several cores. The workers are processes the build owns,
not a pool: each one ignores Ctrl-C (the build handles it once and stops them);
each ends when the build ends, however the build ends (a watcher thread reads EOF
from a lifeline only the build holds open; on Linux the kernel also sends SIGKILL);
and each is stopped when the build leaves `render_pdfs_in_background`.

The start method is `fork` where it exists (the workers then share the imported
WeasyPrint) and `spawn` elsewhere; `PROPOSAL_START_METHOD` forces one.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from .compute import Figures
from .locations import Locations
from .models import Project

START_METHOD_VARIABLE = "PROPOSAL_START_METHOD"
"""Environment variable that forces the workers' start method (`fork`, `spawn`, ...)."""


def start_method() -> str:
    """The start method for workers: the environment's choice, else fork where it exists."""
    wanted = os.environ.get(START_METHOD_VARIABLE)
    methods = multiprocessing.get_all_start_methods()
    if wanted:
        if wanted not in methods:
            raise ValueError(f"{START_METHOD_VARIABLE}={wanted!r}: expected one of "
                             f"{', '.join(methods)}")
        return wanted
    return "fork" if "fork" in methods else "spawn"


@dataclass
class _Worker:
    process: Any
    connection: Connection


class PendingPdfs:
    """The editions being rendered, in the order asked."""

    def __init__(self, workers: list[_Worker]):
        self._workers = workers

    def results(self) -> Iterator[Any]:
        """Each edition's `PdfResult`, in order; re-raises a render's error here."""
        for worker in self._workers:
            try:
                ok, value = worker.connection.recv()
            except EOFError:
                worker.process.join()
                code = worker.process.exitcode
                raise RuntimeError(
                    f"the PDF worker ended without a result (exit code {code})") from None
            finally:
                worker.connection.close()
            if not ok:
                raise value
            yield value


@contextmanager
def render_pdfs_in_background(project: Project, figures: Figures, langs: tuple[str, ...],
                              input_dir: Path, at: Locations) -> Iterator[PendingPdfs]:
    """Render each edition's PDF in its own process; stop them all on the way out."""
    if start_method() == "fork":
        import weasyprint  # noqa: F401  imported once, before forking, for every worker

    context = multiprocessing.get_context(start_method())
    workers: list[_Worker] = []
    # Only the build holds the lifeline's writing end: a worker reading EOF from it
    # knows the build is gone, whatever the start method made the worker's parent.
    lifeline, alive = context.Pipe(duplex=False)
    try:
        for lang in langs:
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(
                target=_work, name=f"proposal-pdf-{lang}", daemon=True,
                args=(sender, (lifeline, alive, os.getpid()), project, figures, lang,
                      input_dir.resolve(), at))
            process.start()
            sender.close()  # the worker holds the only writing end: EOF means it ended
            workers.append(_Worker(process, receiver))
        yield PendingPdfs(workers)
    finally:
        for worker in workers:
            if worker.process.is_alive():
                worker.process.terminate()
        for worker in workers:
            worker.process.join(5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.connection.close()
        lifeline.close()
        alive.close()


def _work(sender: Connection, lifeline: tuple[Connection, Connection, int], project: Project,
          figures: Figures, lang: str, root: Path, at: Locations) -> None:
    """A worker's body: render one edition and send back (ok, result or error)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the build handles Ctrl-C, once
    _die_with_parent(*lifeline)
    from .render.pdf import render_pdf

    try:
        outcome: tuple[bool, Any] = (True, render_pdf(project, figures, lang, root, at))
    except Exception as error:  # sent to the build, which raises it
        outcome = (False, error)
    sender.send(outcome)
    sender.close()


def _die_with_parent(lifeline: Connection, alive: Connection, parent: int) -> None:
    """End this process as soon as the build is gone, however it ended.

    The build keeps the lifeline's writing end (`alive`); this process drops its own
    copy, so reading the lifeline ends in EOF exactly when the build has ended. Where
    the build is the direct parent (fork, spawn), Linux also sends SIGKILL at once.
    """
    alive.close()
    if sys.platform.startswith("linux") and os.getppid() == parent:
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)

    def watch() -> None:
        with contextlib.suppress(EOFError, OSError):
            lifeline.recv()
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
