"""Publishing a build's outputs: the output folder shows one whole set, old or new.

Layout of an output folder where symbolic links work (Linux, macOS, BSD):

    out/.lock                      held by the build writing the folder (`proposal.lock`)
    out/.builds/<id>.<random>/     every file of one build, manifest.json included
    out/current -> .builds/<...>   the published build
    out/AION_proposal_en.pdf -> current/AION_proposal_en.pdf    one link per output

A build writes its whole set into a fresh folder under `.builds/` and flushes it to the
disk; then one atomic rename points `current` at it. The names users open are links
through `current`, made once, so they all switch at that same instant: a reader, a kill
or a power cut finds either every old file or every new one. A name that only one of
the two sets has shows as a broken link until the next build removes it.

Where links cannot be made (Windows, FAT and exFAT drives, some network shares), or
with `PROPOSAL_PUBLISH=files`, the outputs are plain files moved into place under a
journal: `.publishing.json` lists the new set before the first move and is removed
after the last, and the next build first finishes a publication a kill interrupted.
There the set is whole again once the next build has started; the journal and the
manifest's hashes show a half-done publication meanwhile.

Every build starts, under the lock, with `recover`: it finishes an interrupted
publication and removes what killed builds left (build folders other than the
published one, temporary files named `.*.tmp`, broken links of ours).
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path, PurePath

from .errors import Interrupted, UsageError, WriteFailed, quoted
from .faults import pause_point
from .interrupts import held
from .lock import folder_lock
from .output import sync_folder, write_atomic, write_new
from .stamp import tool_version

BUILDS = ".builds"
"""Folder, inside the output folder, of the builds' file sets."""
CURRENT = "current"
"""The link to the published build's folder."""
MANIFEST = "manifest.json"
"""The file of every set that lists its outputs, their SHA-256 and the build id."""
JOURNAL = ".publishing.json"
"""The plain-files publication's journal: present only while a publication is under way."""
PUBLISH_VARIABLE = "PROPOSAL_PUBLISH"
"""Environment variable choosing the layout: `links` (default where they work) or `files`."""
PUBLISH_MODES = ("links", "files")
"""The layouts `PROPOSAL_PUBLISH` may name (see the module docstring)."""
PSEUDO_FILESYSTEMS = frozenset({
    "proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "debugfs", "tracefs",
    "securityfs", "pstore", "bpf", "configfs", "fusectl", "mqueue", "binfmt_misc",
    "efivarfs", "autofs", "nsfs", "selinuxfs", "hugetlbfs", "rpc_pipefs",
})
"""Filesystem types that show the kernel's state, never a place for documents."""


# ================================================================ before a build


def check_out_dir(out_dir: Path) -> None:
    """Raise UsageError when `out_dir` cannot hold outputs; reads and writes nothing else.

    Called before the input is read, so a bad `--out` costs no render. Refused: an
    existing file or broken link, a path below a file, a pseudo filesystem (/proc,
    /sys, /dev), a folder (or, when it does not exist yet, the folder that would hold
    it) where a file cannot be created: tried for real, since permission bits do not
    stop root and a read-only mount shows only when written.
    """
    shown = f"output folder {quoted(out_dir)}"
    path = Path(os.path.abspath(out_dir))
    if os.path.lexists(path) and not path.is_dir():
        what = "a broken link" if path.is_symlink() and not path.exists() else "a file"
        raise UsageError(f"{shown} is {what}: expected a folder, or a path where one can "
                         f"be made")
    existing = path
    while not os.path.lexists(existing):
        existing = existing.parent
    if not existing.is_dir():
        raise UsageError(f"{shown} cannot be made: {quoted(existing)} is a file; expected a "
                         f"path whose existing parts are folders")
    kind, mounted_on = filesystem_type(existing)
    if kind in PSEUDO_FILESYSTEMS or mounted_on == "/dev":
        raise UsageError(f"{shown} is on the `{kind}` pseudo filesystem of {mounted_on}: "
                         f"expected a folder on a disk")
    try:
        fd, probe = tempfile.mkstemp(dir=existing, prefix=".probe.", suffix=".tmp")
    except OSError as error:
        reason = {errno.EROFS: "is on a read-only filesystem",
                  errno.EACCES: "is not writable (permission denied)",
                  errno.EPERM: "is not writable (permission denied)"}.get(
                      error.errno, f"cannot be written ({error.strerror})")
        where = "" if existing == path else f" (in {quoted(existing)}, where it would be made)"
        raise UsageError(f"{shown} {reason}{where}: expected a folder this user can "
                         f"write") from None
    os.close(fd)
    os.unlink(probe)


def filesystem_type(path: Path) -> tuple[str | None, str | None]:
    """The type of the filesystem `path` is on and its mount point, from the kernel's
    mount table; (None, None) where there is none (not Linux)."""
    try:
        table = Path("/proc/self/mountinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None, None
    real, found = os.path.realpath(path), (None, None)
    longest = -1
    for line in table.splitlines():
        before, _, after = line.partition(" - ")
        fields = before.split()
        if len(fields) < 5 or not after:
            continue
        mount_point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4])
        inside = real == mount_point or real.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= longest:  # the last of stacked mounts wins
            longest, found = len(mount_point), (after.split()[0], mount_point)
    return found


def publication_mode() -> str | None:
    """The layout `PROPOSAL_PUBLISH` asks for, None to choose; UsageError when unknown."""
    wanted = os.environ.get(PUBLISH_VARIABLE) or None
    if wanted is not None and wanted not in PUBLISH_MODES:
        raise UsageError(f"{PUBLISH_VARIABLE}={wanted!r}: expected one of "
                         f"{', '.join(PUBLISH_MODES)}")
    return wanted


@contextmanager
def output_folder(out_dir: Path, wait: float = 0.0) -> Iterator[None]:
    """Make `out_dir` if needed, hold its lock for the block, and first `recover` it."""
    with ExitStack() as stack:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            stack.enter_context(folder_lock(out_dir, wait))
            recover(out_dir)
        except OSError as error:
            raise WriteFailed(f"{_describe(error)}; nothing was published") from None
        yield


def recover(out_dir: Path) -> None:
    """Finish a publication a kill interrupted; remove what killed builds left behind."""
    if (out_dir / JOURNAL).exists():
        _finish_journal(out_dir)
    current = _current_folder(out_dir)
    if (out_dir / CURRENT).is_symlink() and (current is None or not current.is_dir()):
        (out_dir / CURRENT).unlink()
        current = None
    builds = out_dir / BUILDS
    if builds.is_dir():
        for entry in builds.iterdir():
            if current is None or entry.name != current.name:
                _remove(entry)
    for entry in out_dir.iterdir():
        if entry.name.startswith(".") and entry.name.endswith(".tmp"):
            _remove(entry)
    _remove_broken_links(out_dir)
    sync_folder(out_dir)


# ==================================================================== publishing


def publish(out_dir: Path, files: dict[str, bytes], build_id: str) -> list[Path]:
    """Make `files` and their manifest the folder's set of outputs, all at once.

    Returns the paths users open, in the order given, the manifest last. Raises
    WriteFailed (the previous set still published) when the disk refuses a write.
    """
    files = {**files, MANIFEST: manifest(files, build_id)}
    names = list(files)
    staging = None
    try:
        staging = _new_build_folder(out_dir, build_id[:16])
        for i, (name, data) in enumerate(files.items()):
            write_new(_plain(staging, name), data)
            if i == 0:
                pause_point("publish:staging")
        sync_folder(staging)
        sync_folder(staging.parent)
        pause_point("publish:staged")
        with held():  # once begun, a publication ends before a signal stops the build
            if _links_work(out_dir):
                _publish_links(out_dir, staging, names)
            else:
                _publish_files(out_dir, staging, names)
    except BaseException as error:
        published = staging is not None and _is_published(out_dir, staging)
        if staging is not None and not published:
            shutil.rmtree(staging, ignore_errors=True)
        if isinstance(error, Interrupted) and published:
            error.outcome = "the new outputs were published before it stopped"
        if isinstance(error, OSError):
            outcome = ("the next build finishes the publication" if published
                       else "nothing was published, the previous outputs are unchanged")
            raise WriteFailed(f"{_describe(error)}; {outcome}") from None
        raise
    return [out_dir / name for name in names]


def manifest(files: dict[str, bytes], build_id: str) -> bytes:
    """The manifest: build id, tool, time of the build, and each output's SHA-256."""
    return (json.dumps({
        "build_id": build_id,
        "tool": tool_version(),
        "built_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "outputs": [{"name": name, "sha256": hashlib.sha256(data).hexdigest(),
                     "bytes": len(data)} for name, data in files.items()],
    }, indent=2) + "\n").encode()


def _publish_links(out_dir: Path, staging: Path, names: list[str]) -> None:
    """Links layout: make the new names' links, then switch `current` in one rename."""
    _adopt_plain_files(out_dir, names)
    for name in names:
        if not os.path.lexists(out_dir / name):
            os.symlink(f"{CURRENT}/{name}", _plain(out_dir, name))  # broken until the switch
    sync_folder(out_dir)
    pause_point("publish:linked")
    previous = _point_current(out_dir, staging)
    pause_point("publish:switched")
    _remove_broken_links(out_dir)
    sync_folder(out_dir)
    pause_point("publish:unlinked")
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)


def _adopt_plain_files(out_dir: Path, names: list[str]) -> None:
    """Turn plain files at output names (an older layout) into links, showing the same.

    They are linked, with the published set, into a build folder that becomes
    `current`; only then is each replaced by its link, so what a reader sees never
    changes. Raises WriteFailed when an output name is taken by a folder.
    """
    strays = [name for name in names
              if os.path.lexists(out_dir / name) and not _is_our_link(out_dir / name)]
    if not strays:
        return
    for name in strays:
        if (out_dir / name).is_dir():
            raise WriteFailed(f"{quoted(out_dir / name)} is a folder, where the build writes "
                              f"a file: expected a file or nothing; move the folder away")
    adopted = _new_build_folder(out_dir, "adopted")
    published = _current_folder(out_dir)
    shown = {entry.name: entry for entry in published.iterdir()} if published else {}
    shown.update({name: out_dir / name for name in strays})
    for name, source in shown.items():
        try:
            os.link(source.resolve(), adopted / name)
        except OSError:  # no hard links here: a copy shows the same
            shutil.copy2(source, adopted / name)
    sync_folder(adopted)
    previous = _point_current(out_dir, adopted)
    pause_point("publish:adopted")
    for name in strays:
        link = out_dir / f".{name}.{os.getpid()}.tmp"
        os.symlink(f"{CURRENT}/{name}", link)
        os.replace(link, out_dir / name)
    sync_folder(out_dir)
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)


def _publish_files(out_dir: Path, staging: Path, names: list[str]) -> None:
    """Plain-files layout: write the journal, then move each file into place."""
    before = set(_manifest_names(out_dir))
    ordered = [name for name in names if name != MANIFEST] + [MANIFEST]  # the manifest last
    write_atomic(out_dir / JOURNAL, json.dumps({
        "folder": staging.name, "names": ordered, "stale": sorted(before - set(names))}))
    pause_point("publish:journal")
    _finish_journal(out_dir)


def _finish_journal(out_dir: Path) -> None:
    """Move what the journal lists into place (again, if a kill came), then drop it."""
    try:
        journal = _read_journal(out_dir)
        staging = _plain(out_dir / BUILDS, journal["folder"])
        moves = [(_plain(staging, name), _plain(out_dir, name)) for name in journal["names"]]
        stale = [_plain(out_dir, name) for name in journal["stale"]]
    except (ValueError, KeyError, TypeError) as error:
        raise WriteFailed(f"the journal {quoted(out_dir / JOURNAL)} of an interrupted "
                          f"publication is unreadable ({error}); remove it, then build "
                          f"again") from None
    for i, (source, target) in enumerate(moves, 1):
        if source.exists():  # not moved before the kill
            os.replace(source, target)
            pause_point(f"publish:moved:{i}")
    for path in stale:
        path.unlink(missing_ok=True)
    if (out_dir / CURRENT).is_symlink():  # a links layout, replaced by plain files
        (out_dir / CURRENT).unlink()
    sync_folder(out_dir)
    (out_dir / JOURNAL).unlink()
    sync_folder(out_dir)
    shutil.rmtree(staging, ignore_errors=True)


# ======================================================================= helpers


def _links_work(out_dir: Path) -> bool:
    """Whether this folder takes the links layout: asked for, in use, or possible."""
    mode = publication_mode()
    if mode is not None:
        return mode == "links"
    if os.name == "nt":  # links need a privilege there, and a reader may not follow them
        return False
    if (out_dir / CURRENT).is_symlink():
        return True
    probe = out_dir / f".link-probe.{os.getpid()}.tmp"
    try:
        os.symlink(".", probe)
    except (OSError, NotImplementedError):
        return False
    probe.unlink()
    return True


def _new_build_folder(out_dir: Path, prefix: str) -> Path:
    """A fresh, empty folder under `.builds/`."""
    builds = out_dir / BUILDS
    if not builds.is_dir():
        builds.mkdir()
        sync_folder(out_dir)
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix}.", dir=builds))
    folder.chmod(0o755)
    return folder


def _point_current(out_dir: Path, folder: Path) -> Path | None:
    """Point `current` at `folder` by one atomic rename; return the folder it left."""
    previous = _current_folder(out_dir)
    link = out_dir / f".{CURRENT}.{os.getpid()}.tmp"
    link.unlink(missing_ok=True)
    os.symlink(f"{BUILDS}/{folder.name}", link)
    os.replace(link, out_dir / CURRENT)
    sync_folder(out_dir)
    return previous


def _current_folder(out_dir: Path) -> Path | None:
    """The build folder `current` points to (which may be gone), or None."""
    try:
        target = os.readlink(out_dir / CURRENT)
    except OSError:
        return None
    parent, _, name = target.partition("/")
    return out_dir / BUILDS / name if parent == BUILDS and name and "/" not in name else None


def _is_published(out_dir: Path, staging: Path) -> bool:
    """Whether `staging` became the published set, or is being moved into place."""
    current = _current_folder(out_dir)
    if current is not None and current.name == staging.name:
        return True
    try:
        return _read_journal(out_dir)["folder"] == staging.name
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _read_journal(out_dir: Path) -> dict:
    return json.loads((out_dir / JOURNAL).read_text(encoding="utf-8"))


def _is_our_link(path: Path) -> bool:
    """Whether `path` is a link this module made: `<name> -> current/<name>`."""
    try:
        return os.readlink(path) == f"{CURRENT}/{path.name}"
    except OSError:
        return False


def _remove_broken_links(out_dir: Path) -> None:
    """Remove our links whose name the published set does not have."""
    for entry in out_dir.iterdir():
        if _is_our_link(entry) and not entry.exists():
            entry.unlink()


def _manifest_names(out_dir: Path) -> list[str]:
    """The outputs the published manifest lists; [] when there is none to read."""
    try:
        listed = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))["outputs"]
        return [str(output["name"]) for output in listed] + [MANIFEST]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def _plain(folder: Path, name: str) -> Path:
    """`folder / name`, refusing a name that would lead elsewhere (from a journal)."""
    if not name or name in (".", "..") or PurePath(name).name != name or "\\" in name:
        raise ValueError(f"not a plain file name: {name!r}")
    return folder / name


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _describe(error: OSError) -> str:
    """`cannot write `out/x.pdf`: No space left on device`."""
    where = f" {quoted(error.filename)}" if error.filename else ""
    return f"cannot write{where}: {error.strerror or error}"
