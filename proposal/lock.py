"""One build at a time per output folder: an advisory lock on `<out>/.lock`.

The lock is the operating system's (`flock` on POSIX, `msvcrt.locking` on Windows),
so it is released when its holder ends, however it ends: a killed build never leaves
a folder locked. The lock file itself stays (removing it would let two builds lock two
different files); it holds the holder's process id, for the message a waiting build
shows.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import FolderBusy, quoted

LOCK_NAME = ".lock"
"""The lock file's name inside the output folder."""
POLL_SECONDS = 0.1
"""How often a waiting build tries the lock again."""

if os.name == "nt":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        # Explicit, not left to close(): a worker forked meanwhile shares the open file.
        fcntl.flock(fd, fcntl.LOCK_UN)


@contextmanager
def folder_lock(folder: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold `folder`'s lock for the block; wait up to `wait` seconds for another holder.

    Raises FolderBusy, naming the holder's process id when known, after `wait`.
    """
    path = folder / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                holder = _holder(path)
                raise FolderBusy(
                    f"another build{f' (process {holder})' if holder else ''} is writing "
                    f"output folder {quoted(folder)}; try again when it ends, or pass "
                    f"--wait SECONDS") from None
            time.sleep(POLL_SECONDS)
        _write_holder(fd)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


def _write_holder(fd: int) -> None:
    """Leave this process's id in the lock file; only informative, so a full disk is no error."""
    try:
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()}\n".encode())
    except OSError:
        pass


def _holder(path: Path) -> str:
    """The process id the lock's holder wrote, or '' when unreadable."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return text if text.isdigit() else ""
