"""Each output carries its build's identity, so a file from another build is recognised.

The build id is the SHA-256 of the tool's name and version and of every output's name
and content as rendered. Two builds of the same input by the same tool get the same id
and byte-identical outputs (the outputs stay reproducible, and identical sets cannot
"mix"); any difference in any output gives another id. The id is deliberately not
derived from the clock: the manifest records when the build ran.

The id goes where each format's readers look for metadata:

- PDF: the document information's `BuildId` entry (`pdfinfo -custom`), added by an
  incremental update appended to the rendered file, as a signature would be: the
  rendered bytes are kept as they are; an archival PDF first gets the stamped figures
  file and workbooks attached the same way (`proposal.archive`), so the id is computed
  from the PDFs as laid out, before either update;
- workbook: the document property `identifier` (`dc:identifier` in `docProps/core.xml`);
- figures JSON: the `build_id` key, first in the file;
- HTML preview: `<meta name="build-id">` (WeasyPrint ignores it).

The manifest (`proposal.publish`) lists every output with its SHA-256 and the build id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import PurePath

DISTRIBUTION = "consortium-proposal"
"""The installed distribution whose version enters the build id."""


def tool_version() -> str:
    """`consortium-proposal 0.1.0` (the installed version; `unknown` when not installed)."""
    try:
        version = metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        version = "unknown"
    return f"{DISTRIBUTION} {version}"


def compute_build_id(files: dict[str, bytes]) -> str:
    """The build id of a set of rendered outputs: 64 hex digits."""
    digest = hashlib.sha256(tool_version().encode())
    for name in sorted(files):
        digest.update(b"\0" + name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


def stamp_outputs(files: dict[str, bytes], build_id: str, attach_to_pdfs: bool = False,
                  modified: dt.date | None = None) -> dict[str, bytes]:
    """Every output with the build id written into it (see the module docstring).

    With `attach_to_pdfs`, each PDF also carries the stamped figures file and
    workbooks as attachments (`proposal.archive`, dated `modified`): the same bytes
    as published.
    """
    from .archive import Attachment, attach_files

    stamped = {name: STAMPS[PurePath(name).suffix](data, build_id)
               for name, data in files.items() if PurePath(name).suffix != ".pdf"}
    attachments = [Attachment(name, data, ATTACHED[PurePath(name).suffix])
                   for name, data in stamped.items() if PurePath(name).suffix in ATTACHED]
    for name, data in files.items():
        if PurePath(name).suffix == ".pdf":
            if attach_to_pdfs:
                data = attach_files(data, attachments, modified or dt.date(2000, 1, 1))
            stamped[name] = stamp_pdf(data, build_id)
    return {name: stamped[name] for name in files}


ATTACHED = {".json": "The key figures of the proposal (JSON)",
            ".xlsx": "The budget workbook, with live formulas (XLSX)"}
"""Outputs an archival PDF carries, by suffix, with the description readers show."""


def stamp_json(data: bytes, build_id: str) -> bytes:
    """A JSON object with `build_id` as its first key (same layout as the figures file)."""
    stamped = {"build_id": build_id, **json.loads(data)}
    return (json.dumps(stamped, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode()


def stamp_html(data: bytes, build_id: str) -> bytes:
    """The HTML with `<meta name="build-id">` first in its head."""
    head = b"<head>"
    if head not in data:
        raise ValueError("the HTML has no <head>")
    return data.replace(head, b'%s\n<meta name="build-id" content="%s">' % (
        head, build_id.encode()), 1)


def stamp_workbook(data: bytes, build_id: str) -> bytes:
    """The XLSX with the document property `identifier` set; entries and dates kept."""
    closing = b"</cp:coreProperties>"
    stamped = io.BytesIO()
    with (zipfile.ZipFile(io.BytesIO(data)) as source,
          zipfile.ZipFile(stamped, "w") as target):
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename == "docProps/core.xml":
                if closing not in content or b"<dc:identifier>" in content:
                    raise ValueError("unexpected docProps/core.xml in the workbook")
                content = content.replace(closing, b"<dc:identifier>%s</dc:identifier>%s" % (
                    build_id.encode(), closing))
            target.writestr(entry, content)  # the entry's own date and compression
    return stamped.getvalue()


def stamp_pdf(data: bytes, build_id: str) -> bytes:
    """The PDF with `BuildId` in its document information, by an incremental update.

    The update holds a copy of the information dictionary with the new entry and a
    cross-reference section (a stream or a table, like the file's own) that points
    back to the original one, which stays untouched.
    """
    trailer = last_trailer(data)
    info = pdf_object(data, trailer.info) if trailer.info is not None else b"<<>>"
    if not (info.startswith(b"<<") and info.endswith(b">>")):
        raise ValueError("the PDF's document information is not a dictionary")
    info_number = trailer.size
    return append_update(data, trailer, {info_number: b"%s/BuildId (%s)>>" % (
        info[:-2], build_id.encode())}, info=info_number)


@dataclass(frozen=True)
class Trailer:
    """What an incremental update needs from a PDF's last cross-reference section."""

    offset: int
    """Where the last cross-reference section starts (`startxref`)."""
    table: bool
    """A cross-reference table (True) or stream (False)."""
    size: int
    """`/Size`: one more than the highest object number."""
    root: int
    """The catalog's object number."""
    info: int | None
    """The document information's object number, if any."""
    file_id: bytes
    """The `/ID [...]` entry as written, or b''."""


def last_trailer(data: bytes) -> Trailer:
    """The last trailer of a PDF; ValueError when the file does not end like a PDF."""
    end = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*\Z", data[-1024:])
    if end is None:
        raise ValueError("the PDF does not end with startxref and %%EOF")
    previous = int(end.group(1))
    table = data.startswith(b"xref", previous)
    trailer = (data[data.index(b"trailer", previous):data.rindex(b"startxref")] if table
               else data[previous:data.index(b"stream", previous)])
    info = re.search(rb"/Info\s+(\d+)\s+0\s+R", trailer)
    file_id = re.search(rb"/ID\s*\[[^\]]*\]", trailer)
    return Trailer(previous, table, int(_entry(trailer, rb"/Size\s+(\d+)")),
                   int(_entry(trailer, rb"/Root\s+(\d+)\s+\d+\s+R")),
                   int(info.group(1)) if info else None, file_id.group(0) if file_id else b"")


def append_update(data: bytes, trailer: Trailer, objects: dict[int, bytes],
                  info: int | None = None) -> bytes:
    """`data` followed by an incremental update that writes `objects` (number: text).

    A number below `trailer.size` redefines that object; the update's cross-reference
    section (a table or a stream, like the file's own) points back to the previous one.
    """
    body, offsets = b"", {}
    for number in sorted(objects):
        offsets[number] = len(data) + len(body) + 1
        body += b"\n%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    xref_at = len(data) + len(body)
    info = trailer.info if info is None else info
    stream_number = max(trailer.size, max(objects) + 1)
    size = stream_number + (0 if trailer.table else 1)
    fields = b"/Size %d /Root %d 0 R%s /Prev %d%s" % (
        size, trailer.root, b" /Info %d 0 R" % info if info is not None else b"",
        trailer.offset, b" " + trailer.file_id if trailer.file_id else b"")
    if trailer.table:  # the subsection `0 1` first, as readers expect of any table
        xref = b"xref\n0 1\n0000000000 65535 f\r\n" + b"".join(
            b"%d 1\n%010d 00000 n\r\n" % (number, at) for number, at in offsets.items())
        xref += b"trailer\n<<%s>>\n" % fields
    else:  # a cross-reference stream that also lists itself
        offsets[stream_number] = xref_at
        rows = b"".join(struct.pack(">BIH", 1, at, 0) for at in offsets.values())
        index = b" ".join(b"%d 1" % number for number in offsets)
        xref = (b"%d 0 obj\n<</Type /XRef /Index [%s] /W [1 4 2] %s /Length %d>>\nstream\n"
                % (stream_number, index, fields, len(rows))
                + rows + b"\nendstream\nendobj\n")
    return data + body + xref + b"startxref\n%d\n%%%%EOF\n" % xref_at


def _entry(dictionary: bytes, pattern: bytes) -> bytes:
    found = re.search(pattern, dictionary)
    if found is None:
        raise ValueError(f"the PDF's trailer has no {pattern!r}")
    return found.group(1)


def pdf_object(data: bytes, number: int) -> bytes:
    """The text of object `number`, whether written directly or in an object stream."""
    direct = re.search(rb"(?:^|[\r\n])%d 0 obj(.*?)endobj" % number, data, re.S)
    if direct:
        return direct.group(1).strip()
    for found in re.finditer(rb"/Type\s*/ObjStm", data):
        keyword = data.index(b"stream", found.end())
        head = data[data.rindex(b"obj", 0, found.start()):keyword]
        start = keyword + len(b"stream") + (2 if data.startswith(b"\r\n", keyword + 6) else 1)
        content = data[start:start + int(_entry(head, rb"/Length\s+(\d+)\s*[/>]"))]
        if b"/FlateDecode" in head:
            content = zlib.decompress(content)
        first = int(_entry(head, rb"/First\s+(\d+)"))
        header = [int(n) for n in content[:first].split()]
        numbers, offsets = header[0::2], [*header[1::2], len(content) - first]
        if number in numbers:
            i = numbers.index(number)
            return content[first + offsets[i]:first + offsets[i + 1]].strip()
    raise ValueError(f"the PDF has no object {number}")


STAMPS: dict[str, Callable[[bytes, str], bytes]] = {
    ".pdf": stamp_pdf, ".xlsx": stamp_workbook, ".json": stamp_json, ".html": stamp_html,
}
"""How each kind of output, by file suffix, takes the build id."""
