"""Where each value of the input stands: what turns a rule's finding into `file:line:col`.

The load stage records every value's line and column; validation hands them on as a
`Locations` beside the validated `Project`, and every later stage that reports a
problem (the cross-file rules, compute, the renderers' page checks) takes it
explicitly. The project itself stays plain data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .problems import Problem, Severity

if TYPE_CHECKING:
    from .load import Document


@dataclass(frozen=True)
class Locations:
    """The loaded documents by file, to locate a path of the validated project."""

    documents: Mapping[str, Document] = field(default_factory=dict)
    """Each loaded file by its path relative to the input folder."""
    partner_ids: frozenset[str] = frozenset()
    """The id of every partner file found, valid or not: a reference to a partner
    whose file failed is that file's problem, not an unknown partner."""

    @classmethod
    def of(cls, documents: Iterable[Document], partner_ids: Iterable[str] = ()) -> Locations:
        """The locations of these documents."""
        return cls({doc.file: doc for doc in documents}, frozenset(partner_ids))

    def where(self, file: str, *path: str | int, key: bool = False) -> tuple[str, int, int]:
        """`(file, line, col)` of the value at `path` in `file` (the key when `key` is set).

        A path missing from the file resolves to its parent; a file that was not
        loaded (a project built in code, as tests do) resolves to its first line.
        """
        document = self.documents.get(file)
        if document is None:
            return (file, 1, 1)
        return (file, *document.locate(tuple(path), key=key))

    def problem(self, file: str, path: tuple, code: str, message: str,
                severity: Severity = "error", key: bool = False) -> Problem:
        """A problem located at `path` in `file`."""
        file, line, col = self.where(file, *path, key=key)
        return Problem(file, line, col, severity, code, message)


NOWHERE = Locations()
"""No locations: problems point at each file's first line."""
