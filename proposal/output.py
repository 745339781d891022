"""Writing files durably: each one whole on disk before anything refers to it.

`write_atomic` serves single files (schemas, a partner skeleton); a build's set of
outputs is published as a whole by `proposal.publish`, on top of `write_new` and
`sync_folder`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_new(path: Path, data: bytes) -> Path:
    """Create `path` (which must not exist), write `data`, and flush it to the disk.

    Written with `os.write` so that every byte of an output goes through one call a
    test can make fail (a full disk).
    """
    try:
        _write_and_close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, 0o644),
                         data)
    except OSError as error:
        error.filename = error.filename or str(path)  # os.write does not say which file
        raise
    return path


_BINARY = getattr(os, "O_BINARY", 0)
"""Windows translates line ends unless a file is opened in binary mode."""


def _write_and_close(fd: int, data: bytes) -> None:
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_folder(path: Path) -> None:
    """Flush a folder's entries (names created, renamed, removed) to the disk.

    Without it a power cut may forget a rename although the file's bytes were saved.
    Windows cannot open a folder for this; there NTFS journals its metadata itself.
    """
    if os.name == "nt":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, content: bytes | str) -> Path:
    """Write `content` to `path` through a temporary file renamed into place.

    A reader (or a crash) never sees a half-written file, and a failed write leaves
    the previous file untouched.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        _write_and_close(fd, data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    sync_folder(path.parent)
    return path
