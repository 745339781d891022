"""Accessible and archivable PDFs: tagged, PDF/A-3b, carrying their own data.

Every edition is a tagged PDF (a structure tree of headings, paragraphs, lists,
tables and figures, with the document's language), which screen readers and
accessibility checkers read. The archival variant (the default) is also PDF/A-3b:
WeasyPrint writes the XMP identification and the sRGB output intent, and the build
then embeds the figures JSON and the workbooks as associated files (`/AF`,
relationship `Data`), so that one file carries its own data.

The files are embedded by an incremental update appended after the build id is known
(`proposal.stamp`), not by WeasyPrint: the attached workbooks and figures file are
then byte for byte the published ones, stamps included, and an edition whose HTML did
not change keeps its laid-out PDF (`proposal.cache`) whatever the other outputs became.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zlib
from dataclasses import dataclass
from pathlib import PurePath
from typing import Literal

from .stamp import append_update, last_trailer, pdf_object

PdfVariant = Literal["pdf/a-3b", "tagged"]
"""`pdf/a-3b`: tagged PDF/A-3b with the data files attached; `tagged`: tagged PDF only."""
PDF_VARIANTS: tuple[PdfVariant, ...] = ("pdf/a-3b", "tagged")
"""The variants `--pdf-variant` accepts, the default first."""
DEFAULT_VARIANT: PdfVariant = "pdf/a-3b"
"""The variant a build writes unless told otherwise (see README, "Accessible and
archivable PDF")."""

MIME_TYPES = {
    ".json": "application/json",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
"""Media type of each kind of attached file, by suffix (PDF/A-3 requires one)."""


def weasyprint_options(variant: PdfVariant) -> dict[str, object]:
    """The options `write_pdf` takes for a variant: tags always, PDF/A when archival."""
    options: dict[str, object] = {"pdf_tags": True}
    if variant == "pdf/a-3b":
        options["pdf_variant"] = "pdf/a-3b"
    return options


def attaches_data(variant: PdfVariant) -> bool:
    """Whether an edition of this variant carries the figures file and the workbooks."""
    return variant == "pdf/a-3b"


@dataclass(frozen=True)
class Attachment:
    """A file to embed as an associated file of the whole document."""

    name: str
    """File name shown by PDF readers (the published output's name)."""
    data: bytes
    """The file's content, as published."""
    description: str
    """One line a reader's attachment panel shows."""


def attach_files(pdf: bytes, attachments: list[Attachment], modified: dt.date) -> bytes:
    """The PDF with `attachments` embedded as associated files, by an incremental update.

    Each file becomes an embedded file stream (media type, size, MD5 checksum, date)
    and a file specification with `/AFRelationship /Data`, listed in the catalog's
    `/AF` array and in its `EmbeddedFiles` name tree. The original bytes stay as
    they are. ValueError when the PDF already has attachments or an unexpected catalog.
    """
    if not attachments:
        return pdf
    trailer = last_trailer(pdf)
    catalog = pdf_object(pdf, trailer.root)
    if not (catalog.startswith(b"<<") and catalog.endswith(b">>")):
        raise ValueError("the PDF's catalog is not a dictionary")
    if re.search(rb"/AF\s*\[|/EmbeddedFiles", catalog):
        raise ValueError("the PDF already has attached files")
    date = b"D:%04d%02d%02d000000Z" % (modified.year, modified.month, modified.day)
    number = trailer.size
    objects: dict[int, bytes] = {}
    specs: list[tuple[bytes, int]] = []
    for attachment in sorted(attachments, key=lambda a: a.name):
        stream, spec = number, number + 1
        number += 2
        packed = zlib.compress(attachment.data, 9)
        mime = MIME_TYPES.get(PurePath(attachment.name).suffix, "application/octet-stream")
        objects[stream] = (
            b"<</Type /EmbeddedFile /Subtype /%s /Params <</Size %d /CheckSum <%s> "
            b"/CreationDate (%s) /ModDate (%s)>> /Filter /FlateDecode /Length %d>>\nstream\n"
            % (mime.replace("/", "#2F").encode(), len(attachment.data),
               hashlib.md5(attachment.data, usedforsecurity=False).hexdigest().encode(),
               date, date, len(packed))) + packed + b"\nendstream"
        objects[spec] = (
            b"<</Type /Filespec /F %s /UF %s /Desc %s /AFRelationship /Data "
            b"/EF <</F %d 0 R /UF %d 0 R>>>>" % (
                _ascii_string(attachment.name), _text_string(attachment.name),
                _text_string(attachment.description), stream, stream))
        specs.append((_ascii_string(attachment.name), spec))
    tree = number
    objects[tree] = b"<</Names [%s]>>" % b" ".join(b"%s %d 0 R" % spec for spec in specs)
    references = b" ".join(b"%d 0 R" % spec for _, spec in specs)
    body = catalog[:-2] + b" /AF [%s]>>" % references
    names = re.search(rb"/Names\s*(<<|(\d+)\s+0\s+R)", body)
    if names is None:
        body = body[:-2] + b" /Names <</EmbeddedFiles %d 0 R>>>>" % tree
    elif names.group(2) is None:  # an inline dictionary: the tree goes first in it
        body = body[:names.end()] + b"/EmbeddedFiles %d 0 R " % tree + body[names.end():]
    else:  # a dictionary of its own, redefined with the tree
        held = int(names.group(2))
        dictionary = pdf_object(pdf, held)
        objects[held] = dictionary[:2] + b"/EmbeddedFiles %d 0 R " % tree + dictionary[2:]
    objects[trailer.root] = body
    return append_update(pdf, trailer, objects)


def _ascii_string(text: str) -> bytes:
    """A PDF literal string of the text's ASCII letters (others as `_`)."""
    escaped = text.encode("ascii", "replace").replace(b"?", b"_")
    return b"(%s)" % re.sub(rb"([()\\])", rb"\\\1", escaped)


def _text_string(text: str) -> bytes:
    """A PDF text string: UTF-16BE with its byte order mark, in hexadecimal."""
    return b"<FEFF%s>" % text.encode("utf-16-be").hex().upper().encode()
