"""Each output carries its build's identity, so a file from another build is recognised.

The build id is the SHA-256 of the tool's name and version and of every output's name
and content as rendered. Two builds of the same input by the same tool get the same id
and byte-identical outputs (the outputs stay reproducible, and identical sets cannot
"mix"); any difference in any output gives another id. The id is deliberately not
derived from the clock: the manifest records when the build ran.

The id goes where each format's readers look for metadata:

- PDF: the document information's `BuildId` entry (`pdfinfo -custom`), added by an
  incremental update appended to the rendered file, as a signature would be: the
  rendered bytes are kept as they are;
- workbook: the document property `identifier` (`dc:identifier` in `docProps/core.xml`);
- figures JSON: the `build_id` key, first in the file;
- HTML preview: `<meta name="build-id">` (WeasyPrint ignores it).

The manifest (`proposal.publish`) lists every output with its SHA-256 and the build id.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
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


def stamp_outputs(files: dict[str, bytes], build_id: str) -> dict[str, bytes]:
    """Every output with the build id written into it (see the module docstring)."""
    return {name: STAMPS[PurePath(name).suffix](data, build_id) for name, data in files.items()}


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
    end = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*\Z", data[-1024:])
    if end is None:
        raise ValueError("the PDF does not end with startxref and %%EOF")
    previous = int(end.group(1))
    table = data.startswith(b"xref", previous)
    trailer = (data[data.index(b"trailer", previous):data.rindex(b"startxref")] if table
               else data[previous:data.index(b"stream", previous)])
    size = int(_entry(trailer, rb"/Size\s+(\d+)"))
    root = _entry(trailer, rb"/Root\s+(\d+\s+\d+\s+R)")
    info_ref = re.search(rb"/Info\s+(\d+)\s+0\s+R", trailer)
    info = _pdf_object(data, int(info_ref.group(1))) if info_ref else b"<<>>"
    if not (info.startswith(b"<<") and info.endswith(b">>")):
        raise ValueError("the PDF's document information is not a dictionary")
    file_id = re.search(rb"/ID\s*\[[^\]]*\]", trailer)

    info_number = size
    body = b"\n%d 0 obj\n%s/BuildId (%s)>>\nendobj\n" % (info_number, info[:-2],
                                                         build_id.encode())
    info_at, xref_at = len(data) + 1, len(data) + len(body)
    fields = b"/Size %d /Root %s /Info %d 0 R /Prev %d%s" % (
        size + (1 if table else 2), root, info_number, previous,
        b" " + file_id.group(0) if file_id else b"")
    if table:  # the subsection `0 1` first, as readers expect of any table
        xref = (b"xref\n0 1\n0000000000 65535 f\r\n%d 1\n%010d 00000 n\r\ntrailer\n<<%s>>\n"
                % (info_number, info_at, fields))
    else:  # a cross-reference stream that also lists itself
        rows = struct.pack(">BIH", 1, info_at, 0) + struct.pack(">BIH", 1, xref_at, 0)
        xref = (b"%d 0 obj\n<</Type /XRef /Index [%d 2] /W [1 4 2] %s /Length %d>>\nstream\n"
                % (info_number + 1, info_number, fields, len(rows))
                + rows + b"\nendstream\nendobj\n")
    return data + body + xref + b"startxref\n%d\n%%%%EOF\n" % xref_at


def _entry(dictionary: bytes, pattern: bytes) -> bytes:
    found = re.search(pattern, dictionary)
    if found is None:
        raise ValueError(f"the PDF's trailer has no {pattern!r}")
    return found.group(1)


def _pdf_object(data: bytes, number: int) -> bytes:
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
