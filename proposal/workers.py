"""PDF editions rendered in worker processes that never outlive the build, nor hang it.

A process per edition returns WeasyPrint's memory when it ends and gives the
editions parallelism on several cores. The workers are processes the build owns,
not a pool: each one ignores Ctrl-C (the build handles it once and stops them);
each ends when the build ends, however the build ends (a watcher thread reads EOF
from a lifeline only the build holds open; on Linux the kernel also sends SIGKILL);
and each is stopped when the build leaves `render_pdfs_in_background`. On Linux each
is named `proposal-pdf-<lang>` (`ps`, `/proc/<pid>/comm`).

Each render is bounded: a worker's address space by `PROPOSAL_WORKER_MEMORY_MIB`
(default 2048 MiB; RLIMIT_AS, on Linux and the BSDs), the wait for all editions by
`PROPOSAL_RENDER_TIMEOUT` (default 300 s). Going over a bound stops the build with
`RenderFailed`, naming the edition, instead of a hang or the system's OOM killer.

The start method is `fork` where it exists (the workers then share the imported
WeasyPrint) and `spawn` elsewhere; `PROPOSAL_START_METHOD` forces one.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from .archive import DEFAULT_VARIANT, PdfVariant
from .cache import Cache
from .compute import Figures
from .errors import RenderFailed, UsageError
from .interrupts import STOP_SIGNALS, blocked, checkpoint, unblock
from .locations import Locations
from .models import Project

START_METHOD_VARIABLE = "PROPOSAL_START_METHOD"
"""Environment variable that forces the workers' start method (`fork`, `spawn`, ...)."""
WAIT_SLICE_SECONDS = 0.2
"""How often the build, waiting for a worker, looks for a stop signal kept back."""
TIMEOUT_VARIABLE = "PROPOSAL_RENDER_TIMEOUT"
"""Environment variable: seconds the build waits for every PDF edition (default 300)."""
MEMORY_VARIABLE = "PROPOSAL_WORKER_MEMORY_MIB"
"""Environment variable: address space of each PDF worker in MiB (default 2048)."""


@dataclass(frozen=True)
class RenderLimits:
    """The bounds of the PDF renders."""

    seconds: float = 300.0
    """Time from the workers' start until every edition must have arrived."""
    memory_mib: int = 2048
    """Address space of each worker (fork shares the parent's, some 300 MiB of it)."""


def render_limits() -> RenderLimits:
    """The bounds the environment sets, else the defaults; UsageError for a bad value."""
    values = {}
    for variable, key, kind in ((TIMEOUT_VARIABLE, "seconds", float),
                                (MEMORY_VARIABLE, "memory_mib", int)):
        text = os.environ.get(variable)
        if not text:
            continue
        try:
            value = kind(text)
        except ValueError:
            value = 0
        if not 0 < value < float("inf"):
            raise UsageError(f"{variable}={text!r}: expected a positive "
                             f"{'number of seconds' if kind is float else 'whole number of MiB'}")
        values[key] = value
    return RenderLimits(**values)


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
    lang: str
    process: Any
    connection: Connection


class PendingPdfs:
    """The editions being rendered, in the order asked."""

    def __init__(self, workers: list[_Worker], limits: RenderLimits, started: float):
        self._workers = workers
        self._limits = limits
        self._deadline = started + limits.seconds

    def results(self) -> Iterator[Any]:
        """Each edition's `PdfResult`, in order; re-raises a render's error here.

        Raises RenderFailed when an edition is not back before the time bound, or its
        process ended without sending one.
        """
        for worker in self._workers:
            try:
                self._wait_for(worker)
                ok, value = worker.connection.recv()
            except EOFError:
                worker.process.join()
                raise RenderFailed(
                    f"{edition(worker.lang)}'s process ended without a result "
                    f"({_ending(worker.process.exitcode)}); it may have gone over its memory "
                    f"bound of {self._limits.memory_mib} MiB ({MEMORY_VARIABLE}); nothing was "
                    f"written") from None
            finally:
                worker.connection.close()
            if not ok:
                raise value
            yield value

    def _wait_for(self, worker: _Worker) -> None:
        """Until the worker's result (or end) is there; RenderFailed past the deadline."""
        while not worker.connection.poll(
                min(WAIT_SLICE_SECONDS, max(0.0, self._deadline - time.monotonic()))):
            checkpoint()  # a Ctrl-C kept back (see proposal.interrupts) stops the wait
            if time.monotonic() >= self._deadline:
                raise RenderFailed(
                    f"{edition(worker.lang)} took longer than {self._limits.seconds:g} s "
                    f"({TIMEOUT_VARIABLE}); nothing was written")


def edition(lang: str) -> str:
    """`the English PDF`: an edition, named for messages."""
    from babel import Locale

    return f"the {Locale.parse(lang).get_language_name('en')} PDF"


def _ending(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            pass
    return f"exit code {exitcode}"


@contextmanager
def render_pdfs_in_background(project: Project, figures: Figures, langs: tuple[str, ...],
                              input_dir: Path, at: Locations,
                              limits: RenderLimits = RenderLimits(),
                              variant: PdfVariant = DEFAULT_VARIANT,
                              cache: Cache | None = None) -> Iterator[PendingPdfs]:
    """Render each edition's PDF in its own process; stop them all on the way out.

    `variant` and `cache` are `render_pdf`'s: an edition found in the cache costs its
    worker only the HTML.
    """
    if start_method() == "fork":
        import weasyprint  # noqa: F401  imported once, before forking, for every worker

    context = multiprocessing.get_context(start_method())
    workers: list[_Worker] = []
    # Only the build holds the lifeline's writing end: a worker reading EOF from it
    # knows the build is gone, whatever the start method made the worker's parent.
    lifeline, alive = context.Pipe(duplex=False)
    try:
        started = time.monotonic()
        for lang in langs:
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(
                target=_work, name=f"proposal-pdf-{lang}", daemon=True,
                args=(sender, (lifeline, alive, os.getpid()), project, figures, lang,
                      input_dir.resolve(), at, limits.memory_mib, variant, cache))
            with blocked():  # until the worker has its own handlers (see interrupts.blocked)
                process.start()
                sender.close()  # the worker holds the only writing end: EOF means it ended
                workers.append(_Worker(lang, process, receiver))
        yield PendingPdfs(workers, limits, started)
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
          figures: Figures, lang: str, root: Path, at: Locations, memory_mib: int,
          variant: PdfVariant, cache: Cache | None) -> None:
    """A worker's body: render one edition and send back (ok, result or error)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the build handles Ctrl-C, once
    for signum in STOP_SIGNALS:
        if signum != signal.SIGINT:
            signal.signal(signum, signal.SIG_DFL)  # not the parent's handler, if forked
    unblock()
    _die_with_parent(*lifeline, f"proposal-pdf-{lang}")
    _bound_memory(memory_mib)
    over = (False, RenderFailed(f"{edition(lang)} needs more memory than its bound of "
                                f"{memory_mib} MiB ({MEMORY_VARIABLE}); nothing was written"))
    try:
        from .render.pdf import render_pdf

        outcome: tuple[bool, Any] = (True, render_pdf(project, figures, lang, root, at,
                                                    variant, cache))
    except MemoryError:
        outcome = over
    except Exception as error:  # sent to the build, which raises it
        outcome = over if _reached(memory_mib) else (False, error)
    try:
        sender.send(outcome)
    except MemoryError:
        sender.send(over)
    sender.close()


def _bound_memory(memory_mib: int) -> None:
    """Limit this process's address space, where the system enforces it."""
    try:
        import resource
    except ImportError:  # Windows
        return
    if not hasattr(resource, "RLIMIT_AS"):
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = memory_mib * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    with contextlib.suppress(ValueError, OSError):  # macOS refuses: the time bound remains
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


def _reached(memory_mib: int) -> bool:
    """Whether this process's address space came within 10 % of its bound.

    Then an error is most likely an allocation that failed, whatever shape the failure
    took on its way through C code (not always a MemoryError). Linux only.
    """
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return False
    peak = re.search(r"VmPeak:\s+(\d+) kB", status)
    return peak is not None and int(peak[1]) >= 0.9 * memory_mib * 1024


def _die_with_parent(lifeline: Connection, alive: Connection, parent: int, name: str) -> None:
    """End this process as soon as the build is gone, however it ended; name it `name`.

    The build keeps the lifeline's writing end (`alive`); this process drops its own
    copy, so reading the lifeline ends in EOF exactly when the build has ended. Where
    the build is the direct parent (fork, spawn), Linux also sends SIGKILL at once.
    """
    alive.close()
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig, pr_set_name = 1, 15
        if os.getppid() == parent:
            libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
        libc.prctl(pr_set_name, name.encode()[:15])

    def watch() -> None:
        with contextlib.suppress(EOFError, OSError):
            lifeline.recv()
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
