"""Load stage: YAML files to plain data plus where each value stands (file, line, column).

Loading is defensive: only regular files inside the input folder are read (a link
leading out of it is not followed; a folder, pipe, socket or device named like a YAML
file is refused, never opened in a way that could block), files are
size-bounded, must be UTF-8 text, may not use
aliases (which also refuses merge keys and "billion laughs" files before anything
expands), may not nest deeper than a bound, and may not repeat a key. Only plain
YAML types are built; a tag asking for an object is refused.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    MappingEndEvent,
    NodeEvent,
    ScalarEvent,
    SequenceEndEvent,
)
from ruamel.yaml.reader import ReaderError

from .models import DATA_FILES
from .problems import InputError, Problem

MAX_FILE_BYTES = 1024 * 1024
"""Largest YAML file accepted: far above any real partner file, far below harm."""
MAX_DEPTH = 32
"""Deepest nesting of mappings and sequences accepted."""

PARSED_KEPT = 256
"""Parsed files kept by content, for a process that loads the same folder again (`serve`)."""

YAML_SUFFIXES = (".yaml", ".yml")
"""Endings of YAML files, in any case; only `.yaml` is read, the others are pointed out."""

Path_ = tuple[str | int, ...]
"""A path into a document: mapping keys and sequence indexes."""
Location = tuple[int, int]
"""A (line, column) pair, both counted from 1."""


@dataclass
class Document:
    """One loaded YAML file: its plain data and where each value and key stands."""

    file: str
    """Path relative to the input folder, with forward slashes."""
    data: dict[str, Any]
    """The content as plain dicts, lists, strings, numbers, booleans and dates."""
    values: dict[Path_, Location] = field(default_factory=dict)
    """Location of the value at each path (for a mapping or list: where it starts)."""
    keys: dict[Path_, Location] = field(default_factory=dict)
    """Location of the key of each mapping entry, by the entry's path."""

    def locate(self, path: Path_, *, key: bool = False) -> Location:
        """Where the value at `path` stands, or the key when `key` is set.

        A path that does not exist (a missing key, a value a validator added)
        resolves to its nearest existing parent: the mapping that lacks the key.
        """
        path = tuple(path)
        if key and path in self.keys:
            return self.keys[path]
        while path not in self.values:
            path = path[:-1]
        return self.values[path]


@dataclass
class RawProject:
    """Every file of an input folder, loaded but not yet validated."""

    root: Path
    """The input folder."""
    data: dict[str, Document]
    """The files of `data/`, by name without `.yaml` (`call`, `cost_model`, ...)."""
    partners: dict[str, Document]
    """The files of `partners/`, by partner id (the file stem)."""
    problems: list[Problem] = field(default_factory=list)
    """Files that could not be loaded; validation reports them with its own findings."""
    partner_ids: frozenset[str] = frozenset()
    """The stem of every `.yaml` file of `partners/`, loaded or not."""

    def documents(self) -> Iterator[Document]:
        """Every loaded document."""
        yield from self.data.values()
        yield from self.partners.values()


def load_project(root: Path) -> RawProject:
    """Load every YAML file of an input folder; files that fail are listed in `problems`."""
    problems: list[Problem] = []
    data: dict[str, Document] = {}
    partners: dict[str, Document] = {}
    missing = [name for name in ("data", "partners") if not (root / name).is_dir()]
    if missing:
        return RawProject(root=root, data=data, partners=partners, problems=[
            Problem(f"{name}/", 1, 1, "error", "missing-folder",
                    f"folder `{name}/` is missing; the input folder must hold "
                    "`data/` and `partners/`")
            for name in missing
        ])
    for name in [*DATA_FILES, "sources"]:
        rel = f"data/{name}.yaml"
        if not os.path.lexists(root / rel):
            others = sorted(path.name for path in (root / "data").glob(f"{name}.*")
                            if path.suffix.lower() in YAML_SUFFIXES)
            hint = f" (`data/{others[0]}` is there: rename it)" if others else ""
            problems.append(Problem(rel, 1, 1, "error", "missing-file",
                                    f"file is missing; expected `{rel}` in the input folder"
                                    f"{hint}"))
            continue
        _collect(problems, data, name, root, rel)
    try:
        entries = sorted((root / "partners").iterdir())
    except OSError as error:
        entries = []
        problems.append(Problem("partners/", 1, 1, "error", "unreadable",
                                f"folder `partners/` cannot be read ({error.strerror}); "
                                "expected a folder the build may read"))
    for path in entries:
        rel = f"partners/{path.name}"
        if path.suffix != ".yaml" and path.suffix.lower() in YAML_SUFFIXES:
            problems.append(Problem(rel, 1, 1, "error", "file-name",
                                    f"file name ends in `{path.suffix}`; expected `.yaml`: "
                                    f"rename it to `{path.stem}.yaml`"))
        elif path.suffix == ".yaml":
            _collect(problems, partners, path.stem, root, rel)
    if not partners and not any(p.file.startswith("partners/") for p in problems):
        problems.append(Problem("partners/", 1, 1, "error", "no-partners",
                                "no partner files; expected `partners/<id>.yaml` files"))
    ids = frozenset(path.stem for path in entries if path.suffix.lower() in YAML_SUFFIXES)
    return RawProject(root=root, data=data, partners=partners, problems=problems,
                      partner_ids=ids)


def _collect(
    problems: list[Problem], into: dict[str, Document], name: str, root: Path, rel: str
) -> None:
    try:
        into[name] = load_document(root, rel)
    except InputError as error:
        problems.extend(error.problems)


def load_document(root: Path, rel: str) -> Document:
    """Load one YAML file whose top level must be a mapping; raise InputError if it cannot."""
    return parse_document(rel, read_file(root, rel))


@lru_cache(maxsize=PARSED_KEPT)
def parse_document(rel: str, raw: bytes) -> Document:
    """Parse the bytes of the file at `rel`; raise InputError if they are no YAML mapping.

    Kept by content (`PARSED_KEPT` documents): `serve` re-parses only the files that
    changed since the last save. The document returned is shared: read it, never change it.
    """
    if b"\x00" in raw:
        raise _fail(rel, 1, 1, "binary", "file is binary; expected UTF-8 YAML text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        col = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise _fail(rel, line, col, "encoding",
                    f"byte 0x{raw[error.start]:02x} is not UTF-8; save the file as UTF-8") from None
    text = text.removeprefix("\ufeff")
    _refuse_other_yaml_versions(rel, text)
    _refuse_unsafe_events(rel, text)
    try:
        tree = YAML(typ="rt", pure=True).load(text)
    except MarkedYAMLError as error:
        raise _from_yaml_error(rel, error) from None
    except ReaderError as error:  # a character YAML does not allow, at an offset in `text`
        line = text.count("\n", 0, error.position) + 1
        col = error.position - (text.rfind("\n", 0, error.position) + 1) + 1
        raise _fail(rel, line, col, "control-character",
                    f"character U+{error.character:04X} is not allowed in YAML text; "
                    "remove it") from None
    except YAMLError as error:  # errors without a position
        raise _fail(rel, 1, 1, "syntax", f"YAML error: {error}") from None
    if tree is None:
        raise _fail(rel, 1, 1, "empty", "file is empty; expected a mapping of keys to values")
    if not isinstance(tree, CommentedMap):
        line, col = _start(tree)
        kind = "a list" if isinstance(tree, CommentedSeq) else f"a {type(tree).__name__}"
        raise _fail(rel, line, col, "not-a-mapping",
                    f"the file holds {kind}; expected a mapping of keys to values")
    document = Document(file=rel, data={})
    document.values[()] = _start(tree)
    problems: list[Problem] = []
    document.data = _plain(tree, (), document, problems)
    if problems:
        raise InputError(problems)
    return document


FILE_KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
}
"""What to call a path that is not a regular file."""


def read_file(root: Path, rel: str) -> bytes:
    """The bytes of a regular file inside `root`, refusing anything else with a located error.

    A symbolic link is followed only when it leads to a file inside the input folder:
    a partner's link to `/etc/passwd` or to a file elsewhere is never read. A folder,
    named pipe, socket or device named like a YAML file is refused before it is opened
    (a pipe would block the build forever, a device never ends); the file is opened
    without blocking and checked again once open, and at most one byte more than
    `MAX_FILE_BYTES` is read whatever its size claims.
    """
    def refuse(code: str, what: str, expected: str) -> InputError:
        return _fail(rel, 1, 1, code, f"`{rel}` {what}; expected {expected}")

    try:
        path = (root / rel).resolve()
    except (OSError, RuntimeError):  # Python 3.11 raises RuntimeError on a loop
        raise refuse("not-a-file", "is a symbolic link that leads back to itself",
                     "a YAML file") from None
    if not path.is_relative_to(root.resolve()):
        raise refuse("outside-input", f"leads to `{path}` through a symbolic link, outside "
                     "the input folder", "a file inside the input folder")
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise refuse("not-a-file", "is a symbolic link to a file that does not exist",
                     "a YAML file") from None
    except OSError as error:
        raise refuse("unreadable", f"cannot be read ({error.strerror})",
                     "a file the build may read") from None
    if not stat.S_ISREG(mode):
        kind = FILE_KINDS.get(stat.S_IFMT(mode), "not a regular file")
        raise refuse("not-a-file", f"is {kind}, not a file", "a YAML file")
    try:
        # O_NOFOLLOW: the path is resolved; a link put in its place since is not followed.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError as error:
        raise refuse("unreadable", f"cannot be read ({error.strerror})",
                     "a file the build may read") from None
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):  # swapped since the check above
            raise refuse("not-a-file", "is not a regular file", "a YAML file")
        raw = handle.read(MAX_FILE_BYTES + 1)
        size = max(len(raw), os.fstat(descriptor).st_size)
    if len(raw) > MAX_FILE_BYTES:
        raise _fail(rel, 1, 1, "too-large",
                    f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes")
    return raw


VERSION_DIRECTIVE = re.compile(r"^%YAML[ \t]+(\S*)", re.MULTILINE)
"""A `%YAML` directive: only at the start of a line, before the document."""


def _refuse_other_yaml_versions(rel: str, text: str) -> None:
    """Refuse `%YAML 1.1` (it changes what values mean) and versions the parser lacks."""
    for match in VERSION_DIRECTIVE.finditer(text):
        if match.group(1) != "1.2":
            line = text.count("\n", 0, match.start()) + 1
            raise _fail(rel, line, 1, "yaml-version",
                        f"directive `%YAML {match.group(1)}` asks for another YAML version, "
                        "which reads values differently (`NO` as false, `010` as 8); expected "
                        "YAML 1.2: remove this line")


def _refuse_unsafe_events(rel: str, text: str) -> None:
    """Scan parse events: refuse aliases and excessive nesting before building anything."""
    depth = 0
    try:  # libyaml's C parser (ruamel.yaml.clib) scans ~15x faster than the pure one
        for event in YAML(typ="safe", pure=False).parse(text):
            if isinstance(event, AliasEvent):
                mark = event.start_mark
                raise _fail(rel, mark.line + 1, mark.column + 1, "alias",
                            f"alias `*{event.anchor}` is not allowed; write the value out "
                            "(aliases and merge keys are refused)")
            tag = getattr(event, "tag", None) if isinstance(event, NodeEvent) else None
            if tag and not _plain_tag(tag):
                mark = event.start_mark
                raise _fail(rel, mark.line + 1, mark.column + 1, "tag",
                            f"tag `{getattr(tag, 'value', tag)}` is not allowed; write plain "
                            "YAML values")
            if isinstance(event, ScalarEvent) and event.implicit[0] and not event.style:
                _refuse_long_number(rel, event)
                _refuse_impossible_date(rel, event)
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    raise _fail(rel, mark.line + 1, mark.column + 1, "too-deep",
                                f"nesting deeper than {MAX_DEPTH} levels; flatten the data")
            elif isinstance(event, MappingEndEvent | SequenceEndEvent):
                depth -= 1
    except YAMLError:
        return  # a syntax error: the round-trip loader reports it, with its wording


MAX_DIGITS = 30
"""Most digits a number may have: more is a typing accident, and Python refuses to
convert integers of thousands of digits (a crash, not an error, in pydantic)."""
INTEGER = re.compile(r"[-+]?(?:0x(?P<hex>[0-9a-fA-F_]+)|0o(?P<oct>[0-7_]+)|(?P<dec>[0-9_]+))")
"""An integer as YAML 1.2 reads a plain scalar."""


def _refuse_long_number(rel: str, event: ScalarEvent) -> None:
    match = INTEGER.fullmatch(event.value)
    if match is None:
        return
    digits = len(next(group for group in match.groups() if group).replace("_", ""))
    if digits > MAX_DIGITS:
        mark = event.start_mark
        raise _fail(rel, mark.line + 1, mark.column + 1, "too-many-digits",
                    f"number `{event.value[:12]}...` has {digits:,} digits; expected at most "
                    f"{MAX_DIGITS} (quote it to keep it as text)")


DATE = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})")
"""A date as YAML reads a plain scalar (a timestamp's date part)."""


def _refuse_impossible_date(rel: str, event: ScalarEvent) -> None:
    """A plain scalar YAML reads as a date must be one (`2027-13-01` crashes the loader)."""
    match = DATE.match(event.value)
    if match is None:
        return
    try:
        dt.date(*(int(part) for part in match.group("year", "month", "day")))
    except ValueError as error:
        mark = event.start_mark
        raise _fail(rel, mark.line + 1, mark.column + 1, "invalid-date",
                    f"`{event.value}` is not a date ({error}); expected a date written "
                    "YYYY-MM-DD, such as 2027-01-31") from None


PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "map", "seq")
)
"""Explicit tags accepted (`!!str 0123` keeps a number as text); others are refused."""


def _plain_tag(tag: Any) -> bool:
    value = getattr(tag, "value", tag)
    return value is None or value == "!" or value in PLAIN_TAGS


def _plain(node: Any, path: Path_, doc: Document, problems: list[Problem]) -> Any:
    """Turn ruamel's round-trip nodes into plain values, recording locations."""
    if isinstance(node, CommentedMap):
        result = {}
        for key, value in node.items():
            key_line, key_col = node.lc.key(key)
            if not isinstance(key, str | int) or isinstance(key, bool):
                problems.append(Problem(doc.file, key_line + 1, key_col + 1, "error", "key-type",
                                        _key_type_message(key)))
                continue
            child = (*path, str(key))
            doc.keys[child] = (key_line + 1, key_col + 1)
            value_line, value_col = node.lc.value(key)
            doc.values[child] = (value_line + 1, value_col + 1)
            result[str(key)] = _plain(value, child, doc, problems)
        return result
    if isinstance(node, CommentedSeq):
        items = []
        for index, value in enumerate(node):
            line, col = node.lc.item(index)
            doc.values[(*path, index)] = (line + 1, col + 1)
            items.append(_plain(value, (*path, index), doc, problems))
        return items
    if isinstance(node, TaggedScalar):  # `!!str 0123`: the only tagged scalar let through
        return str(node.value)
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, dt.datetime):
        return dt.datetime.fromisoformat(node.isoformat())
    if isinstance(node, dt.date):
        return dt.date(node.year, node.month, node.day)
    return node


def _key_type_message(key: Any) -> str:
    """Why a key that YAML read as something other than text or a whole number is refused."""
    if key is None:
        return "a key is null (written `~`, `null` or left out); expected a text key"
    if isinstance(key, tuple | list):
        return "a key is a list; expected a text key"
    if isinstance(key, Mapping):
        return "a key is a mapping; expected a text key"
    if isinstance(key, bool):
        written, kind = str(key).lower(), "a boolean"
    elif isinstance(key, dt.date):
        written, kind = key.isoformat(), "a date"
    else:
        written, kind = str(key), "a number"
    return f"key `{written}` is {kind}; expected a text key (quote it: '{written}')"


def _start(node: Any) -> Location:
    lc = getattr(node, "lc", None)
    if lc is None or lc.line is None:
        return (1, 1)
    return (lc.line + 1, lc.col + 1)


def _from_yaml_error(rel: str, error: MarkedYAMLError) -> InputError:
    mark = error.problem_mark or error.context_mark
    if "end of stream" in (error.problem or "") and error.context_mark:
        mark = error.context_mark  # where the unclosed quote or bracket opened
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = (error.problem or "").strip()
    if "duplicate key" in problem:
        key = problem.split('"')[1] if '"' in problem else "?"
        return _fail(rel, line, col, "duplicate-key",
                     f"key `{key}` appears twice in this mapping; keep one")
    context = (error.context or "").strip()
    detail = f"{context}: {problem}" if context else problem
    hint = next((words for clue, words in SYNTAX_HINTS if clue in detail), None)
    return _fail(rel, line, col, "syntax",
                 f"YAML syntax error: {detail}" + (f"; {hint}" if hint else ""))


SYNTAX_HINTS = (
    ("expected ',' or ']'", "a list opened with `[` is not closed: add `]`, or quote a text "
     "that holds `[`"),
    ("expected ',' or '}'", "a mapping opened with `{` is not closed: add `}`, or quote a text "
     "that holds `{`"),
    ("mapping values are not allowed here", "a `: ` inside a value, or a key indented under "
     "a value: quote the text (\"...\") or fix the indentation"),
    ("scanning a quoted scalar", "a quotation mark is not closed: add the closing quote"),
    ("'\\t' that cannot start any token", "a tab character: YAML indents with spaces only"),
    ("could not find expected ':'", "a line that is neither `key: value` nor a list item: add "
     "`: ` after the key, or quote the text"),
    ("expected <block end>", "this line is indented differently from the lines around it: "
     "align it with the other keys of its mapping"),
    ("did not find expected key", "this line is indented differently from the lines around "
     "it: align it with the other keys of its mapping"),
    ("did not find expected '-' indicator", "a list item lacks its `- ` or is indented "
     "differently from the other items"),
)
"""What a YAML syntax error means in plain words, by a clue in the parser's message."""


def _fail(rel: str, line: int, col: int, code: str, message: str) -> InputError:
    return InputError([Problem(rel, line, col, "error", code, message)])
