"""Work a build need not redo: found by content hashes, never by timestamps.

The cache lives in the output folder, `out/.cache/` (publication, the manifest and
the clean-up of killed builds leave it alone), and holds two kinds of entry:

- `pdf/<key>`: one edition's laid-out PDF (before the build's data files are attached
  and its id stamped, see `proposal.archive`), with its page counts. The key hashes the
  edition's HTML, the PDF variant, the bytes of every file WeasyPrint may read (the
  templates folder with the stylesheet and fonts, the logos the HTML names) and the
  tool's fingerprint. When only the French texts changed, the English HTML is byte for
  byte the same and its PDF is taken from here: only the French edition is laid out.
- `build/<key>`: what a whole build published (each output's SHA-256) and its summary.
  The key hashes every input file's bytes, the tool's fingerprint and the build's
  options. When it matches and the published outputs still have those hashes, nothing
  is loaded nor rendered: the outputs are kept as they are.

The tool's fingerprint hashes its version, the versions of the libraries that shape
the outputs and the bytes of its own code, templates, fonts and catalogs, so a changed
template or a new release invalidates everything.

Each entry is one file written atomically (a temporary file renamed into place) and
starts with the SHA-256 of its content: a torn, truncated or edited entry is ignored
and removed, never used; a kill leaves either the whole entry or none.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from .output import write_atomic
from .problems import Problem
from .resources import PACKAGE, locale_dir, templates_dir
from .stamp import tool_version
from .talk import Summary

CACHE = ".cache"
"""Folder of the cache inside the output folder."""
FORMAT = b"proposal-cache 1\n"
"""First line of every entry; another first line is not an entry of this tool."""
KEEP = 8
"""Entries of each kind kept; older ones are removed after each build."""
LIBRARIES = ("weasyprint", "pydyf", "openpyxl", "babel", "jinja2", "pandas", "pydantic")
"""Libraries whose version enters the tool's fingerprint: each shapes an output."""
INPUT_FOLDERS = ("partners", "data")
"""Folders of the input read whole; images are found anywhere in the input."""
IMAGE_SUFFIXES = (".svg", ".png")
"""Files a logo may be (see `proposal.assets`)."""


@dataclass(frozen=True)
class Cache:
    """The cache of one output folder."""

    folder: Path
    """`<out>/.cache`."""

    @classmethod
    def of(cls, out_dir: Path) -> Cache:
        """The cache inside `out_dir`."""
        return cls(Path(out_dir) / CACHE)

    def get(self, kind: str, key: str) -> bytes | None:
        """The entry's content, or None when there is none or it is damaged (then removed)."""
        path = self.folder / kind / key
        try:
            data = path.read_bytes()
        except OSError:
            return None
        head = len(FORMAT) + 65
        content = data[head:]
        if (data[:len(FORMAT)] != FORMAT
                or data[len(FORMAT):head - 1] != hashlib.sha256(content).hexdigest().encode()):
            path.unlink(missing_ok=True)  # damaged: never used, and rebuilt next time
            return None
        os.utime(path)  # recently used: kept by `prune`
        return content

    def put(self, kind: str, key: str, content: bytes) -> None:
        """Store an entry, atomically; a cache that cannot be written is only slower."""
        with contextlib.suppress(OSError):
            write_atomic(self.folder / kind / key,
                         FORMAT + hashlib.sha256(content).hexdigest().encode() + b"\n" + content)

    def prune(self, kind: str, keep: int = KEEP) -> None:
        """Remove all but the `keep` most recently used entries of a kind, and the
        temporary files of writes a kill interrupted (called under the folder's lock)."""
        try:
            found = list((self.folder / kind).iterdir())
            entries = sorted((entry for entry in found if not entry.name.startswith(".")),
                             key=lambda entry: entry.stat().st_mtime, reverse=True)
        except OSError:
            return
        for entry in entries[keep:] + [entry for entry in found if entry.name.endswith(".tmp")]:
            entry.unlink(missing_ok=True)


def hash_files(paths: Iterable[Path], root: Path, digest: hashlib._Hash) -> None:
    """Feed each file's path (relative to `root`) and bytes to `digest`, in order."""
    for path in sorted(paths):
        digest.update(b"\0" + path.relative_to(root).as_posix().encode() + b"\0")
        try:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError:
            digest.update(b"unreadable")


@cache
def tool_fingerprint() -> str:
    """Hash of the tool's version, its libraries' versions and its own files."""
    digest = hashlib.sha256(tool_version().encode())
    for library in LIBRARIES:
        try:
            digest.update(f"\0{library} {metadata.version(library)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"\0{library} -".encode())
    for folder in dict.fromkeys((PACKAGE, templates_dir(), locale_dir())):
        hash_files((path for path in folder.rglob("*") if path.is_file()
                    and "__pycache__" not in path.parts and path.suffix != ".pyc"),
                   folder, digest)
    return digest.hexdigest()


def input_files(input_dir: Path, out_dir: Path) -> list[Path]:
    """Every file a build may read from the input: `partners/`, `data/` and the images.

    Images are looked for in the whole input folder but hidden folders (`.git`,
    `.venv`) and the output folder, since a logo may sit anywhere inside the input.
    """
    found = [path for folder in INPUT_FOLDERS for path in (input_dir / folder).rglob("*")
             if path.is_file()]
    skip = Path(os.path.abspath(out_dir))
    for folder, subfolders, files in os.walk(input_dir):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")
                         and Path(os.path.abspath(Path(folder) / name)) != skip
                         and name not in INPUT_FOLDERS]
        found.extend(Path(folder) / name for name in files if name.endswith(IMAGE_SUFFIXES))
    return found


def build_key(input_dir: Path, out_dir: Path, options: dict[str, object]) -> str:
    """The key of a whole build: its input files, the tool, its options."""
    digest = hashlib.sha256(tool_fingerprint().encode())
    digest.update(json.dumps(options, sort_keys=True).encode())
    hash_files(input_files(input_dir, out_dir), input_dir, digest)
    return digest.hexdigest()


def pdf_key(html: str, variant: str, files: Iterable[Path]) -> str:
    """The key of one edition's PDF: its HTML, variant and the files it reads."""
    digest = hashlib.sha256(tool_fingerprint().encode())
    digest.update(f"\0{variant}\0".encode() + html.encode())
    templates = templates_dir()
    hash_files((path for path in templates.rglob("*") if path.is_file()), templates, digest)
    for path in sorted(set(files)):
        digest.update(b"\0" + str(path).encode() + b"\0")
        try:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError:
            digest.update(b"unreadable")
    return digest.hexdigest()


PREVIEW = "preview"
"""Folder, inside the output folder, of the HTML previews (`--html-only`)."""


@dataclass
class Reused:
    """A build kept as published: what its summary and messages need."""

    summary: Summary
    """The published build's summary, marked as reused."""
    warnings: list[Problem]
    """The published build's warnings."""
    outputs: list[Path]
    """The published outputs, as users open them, the manifest last."""


def reuse_build(cache: Cache, key: str, out_dir: Path, wait: float) -> Reused | None:
    """The published build, when `key` is its record's and its outputs are untouched.

    Checked again under the folder's lock: another build may have published since.
    """
    from .publish import output_folder

    if _published_record(cache, key, out_dir) is None:
        return None
    with output_folder(out_dir, wait):
        record = _published_record(cache, key, out_dir)
        if record is None:
            return None
        summary = Summary(**record["summary"])
        summary.reused = ["everything (no input changed)"]
        return Reused(summary, [Problem(**problem) for problem in record["warnings"]],
                      [Path(out_dir) / name for name in record["outputs"]])


def remember_build(cache: Cache, key: str, out_dir: Path, summary: Summary,
                   warnings: list[Problem]) -> None:
    """Record the build just published under `key`: its outputs' hashes and summary."""
    hashes = {}
    for name in summary.outputs:
        try:
            hashes[name] = hashlib.sha256((Path(out_dir) / name).read_bytes()).hexdigest()
        except OSError:
            return  # not readable as published: nothing to reuse next time
    record = {"outputs": hashes, "summary": summary.as_json(),
              "warnings": [dataclasses.asdict(problem) for problem in warnings]}
    cache.put("build", key, json.dumps(record).encode())
    cache.prune("build")


def _published_record(cache: Cache, key: str, out_dir: Path) -> dict | None:
    """The record under `key` when every output it lists is published with its hash."""
    content = cache.get("build", key)
    if content is None:
        return None
    try:
        record = json.loads(content)
        for name, digest in record["outputs"].items():
            if hashlib.sha256((Path(out_dir) / name).read_bytes()).hexdigest() != digest:
                return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return record
