"""Ctrl-C, SIGTERM and SIGHUP stop a build once, cleanly, with one line and no traceback.

The command line turns each of these signals into `Interrupted` in the main thread
(`stop_signals_raise`); the stages then unwind through their `finally` blocks (the PDF
workers are stopped, a half-written build folder is removed). A second signal while
unwinding is ignored, so the clean-up itself is never interrupted; SIGKILL still ends
everything, and the output folder is made to survive that too.

A signal that arrives while Python runs a finaliser (`__del__`, where an exception
would only be printed and dropped) or a `held` block is kept, and raised by the next
`checkpoint` or when the block ends; the build calls `checkpoint` between its steps
and while it waits for the PDF workers.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from .errors import Interrupted

STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                     if hasattr(signal, name))
"""The signals that ask a build to stop (SIGHUP: the terminal was closed)."""


class _State:
    received: int | None = None
    """The first stop signal received; later ones are ignored."""
    holding = 0
    """Depth of `held()` blocks."""


def _on_signal(signum: int, frame: FrameType | None) -> None:
    if _State.received is not None:
        return  # already stopping: let the clean-up run
    _State.received = signum
    if not _State.holding and not _in_finaliser(frame):
        raise Interrupted(signum)


def _in_finaliser(frame: FrameType | None) -> bool:
    while frame is not None:
        if frame.f_code.co_name == "__del__":
            return True
        frame = frame.f_back
    return False


def checkpoint() -> None:
    """Raise `Interrupted` if a stop signal came that no exception has carried out yet.

    Called only in the normal flow of a build, never while it unwinds: a signal seen
    there was kept back, or raised inside code that dropped the exception.
    """
    if _State.received is not None and not _State.holding:
        raise Interrupted(_State.received)


@contextmanager
def stop_signals_raise() -> Iterator[None]:
    """Within the block, a stop signal raises `Interrupted` (once); handlers restored after.

    Outside the main thread (where Python cannot set handlers) this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
    _State.received, _State.holding = None, 0
    for signum in STOP_SIGNALS:
        signal.signal(signum, _on_signal)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def held() -> Iterator[None]:
    """Let the block finish before a stop signal takes effect (a publication under way).

    A signal received meanwhile raises `Interrupted` when the block ends.
    """
    _State.holding += 1
    try:
        yield
    finally:
        _State.holding -= 1
    checkpoint()


@contextmanager
def blocked() -> Iterator[None]:
    """Block the stop signals at the system level, for starting a worker process.

    A forked worker inherits the parent's Python handlers; with the signals blocked
    until it has set its own (`unblock` in the worker), none of them can raise the
    parent's `Interrupted` inside a worker. Where threads cannot mask signals
    (Windows) this does nothing.
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def unblock() -> None:
    """In a worker, after setting its own handlers: receive the stop signals again."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
