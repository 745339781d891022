"""Validate stage: loaded YAML to a `Project`, with every problem located at file:line:col.

Each file is validated against its model first; pydantic's errors are mapped back
to the YAML through the loader's location map and reworded to say what was
expected. When every file is valid on its own, the cross-file rules in `CHECKS`
run; each is a small function that returns the problems it finds.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import NoneType, UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from babel import Locale
from pydantic import BaseModel, ValidationError

from .abbreviations import abbreviation_problems
from .confidential import check_confidential
from .editions import check_blocking_codes
from .glyphs import describe, shipped_fonts, undrawable
from .images import MAX_LOGO_BYTES
from .load import Document, RawProject
from .locations import Locations
from .models import (
    ABBREVIATION_PATTERN,
    DATA_FILE_OF,
    DATA_FILES,
    EMAIL_PATTERN,
    MAX_PARTNER_ID,
    PARTNER_ID,
    PHONE_PATTERN,
    Amount,
    InKindKind,
    Original,
    Partner,
    Pledge,
    Project,
    SourceRegistry,
    Text,
    Why,
    is_figure,
    partner_file,
    walk_project,
)
from .outline import OUTLINE
from .placeholders import check_references
from .problems import Problem, errors

# ------------------------------------------------------------------ entry point

Check = Callable[[Project, Locations], list[Problem]]
"""A cross-file rule: the problems it finds in a project."""



@dataclass(frozen=True)
class Validated:
    """What validation found: the project, where its values stand, and every problem."""

    project: Project
    """The validated project. When a data file failed validation on its own, its part
    is None (see `complete`); partners that failed are left out."""
    locations: Locations
    """Where each value of the input stands, to locate later stages' problems."""
    problems: list[Problem]
    """Every problem found, errors and warnings, sorted."""
    complete: bool
    """Every file was valid on its own: the project is whole, and compute may run."""


def validate_project(raw: RawProject) -> Validated:
    """Validate every file, then every cross-file rule whose files are valid.

    A file that fails on its own does not hide the problems of the others: the rules
    that do not read it still run (a rule lists the data files it reads in `needs`),
    and references to a partner whose file failed are not reported as unknown.
    """
    problems: list[Problem] = list(raw.problems)
    parts: dict[str, Any] = {}
    months = _duration(raw)
    for name, model in {**DATA_FILES, "sources": SourceRegistry}.items():
        if name in raw.data:
            parts[name] = _validate_document(model, raw.data[name], problems, months)
    partners = []
    for partner_id, document in raw.partners.items():
        partner = _validate_partner(partner_id, document, raw.root, problems)
        if partner is not None:
            partners.append(partner)
    failed = {name for name in parts if parts[name] is None} | (set(DATA_FILES) - set(parts))
    if "sources" not in parts:
        failed.add("sources")
    if any(problem.file == "partners/" for problem in raw.problems):
        failed.add("partners")  # the folder itself could not be read: no partner is known
    complete = not errors(problems)
    registry = parts.pop("sources", None)
    project = Project.model_construct(
        sources=registry.sources if registry is not None else {},
        partners=tuple(partners),
        **{name: parts.get(name) for name in DATA_FILES},
    )
    at = Locations.of(raw.documents(), partner_ids=raw.partner_ids)
    for check in CHECKS:
        if not failed & getattr(check, "needs", frozenset()):
            problems.extend(check(project, at))
    return Validated(project, at, sorted(problems), complete)


def needs(*files: str) -> Callable[[Check], Check]:
    """Mark a rule with the data files it reads (`call`, `cost_model`, `sources`, ...,
    and `partners` for the folder): it is skipped while one of them is invalid on its
    own, since its findings would only repeat that file's problem."""

    def mark(check: Check) -> Check:
        check.needs = frozenset(files)  # type: ignore[attr-defined]
        return check

    return mark


# ----------------------------------------------------------------- file level


def _duration(raw: RawProject) -> int | None:
    """The project's duration in months as written, for hints on project months."""
    consortium = raw.data.get("consortium")
    months = consortium.data.get("duration_months") if consortium else None
    return months if isinstance(months, int) and not isinstance(months, bool) else None


def _validate_document(model: type[BaseModel], doc: Document, problems: list[Problem],
                       months: int | None = None) -> Any:
    if text_problems := check_texts(doc):
        problems.extend(text_problems)
        return None
    try:
        return model.model_validate(doc.data)
    except ValidationError as error:
        problems.extend(_locate_errors(error, doc, model, months))
        return None


def _validate_partner(
    partner_id: str, doc: Document, root: Path, problems: list[Problem]
) -> Partner | None:
    if not PARTNER_ID.fullmatch(partner_id) or len(partner_id) > MAX_PARTNER_ID:
        problems.append(Problem(doc.file, 1, 1, "error", "partner-id",
                                f"file name `{partner_id}.yaml` is not a valid partner id; "
                                "expected lower-case letters, digits, '-' and '_' "
                                "(the file stem is the partner id)"))
        return None
    if "id" in doc.data:
        line, col = doc.locate(("id",), key=True)
        problems.append(Problem(doc.file, line, col, "error", "partner-id",
                                f"key `id` is not written in partner files; the id is the file "
                                f"name (`{partner_id}`): remove this key"))
        return None
    if text_problems := check_texts(doc):
        problems.extend(text_problems)
        return None
    logo_problems = _check_logo(doc, root)
    problems.extend(logo_problems)
    try:
        partner = Partner.model_validate({**doc.data, "id": partner_id})
    except ValidationError as error:
        problems.extend(_locate_errors(error, doc, Partner))
        return None
    return None if logo_problems else partner


UNPRINTABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # control characters but tab and line breaks
    "\u202a-\u202e\u2066-\u2069"  # direction embeddings, overrides and isolates
    "\ud800-\udfff"  # halves of surrogate pairs, which are not characters
    "\ufdd0-\ufdef\ufffe\uffff]"  # non-characters
)
"""Characters a text may not hold. YAML refuses most of them typed raw, not written as
escapes (`"\\a"`); the workbook refuses control characters with a traceback, and a
direction override prints a name other than the one written (`\\u202E`)."""


def check_characters(doc: Document) -> list[Problem]:
    """A problem for each text, or key, of a file that holds an unprintable character."""

    def describe(char: str) -> str:
        code = f"U+{ord(char):04X}"
        if "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069":
            return (f"the direction override {code} ({unicodedata.name(char)}), which reorders "
                    "the printed text")
        if "\ud800" <= char <= "\udfff":
            return f"{code}, half of a surrogate pair and no character"
        if char >= "\ufdd0":
            return f"the non-character {code}"
        return f"the control character {code}"

    problems = []
    for path, text, is_key in _texts(doc.data):
        if found := UNPRINTABLE.search(text):
            line, col = doc.locate(path, key=is_key)
            what = "key " if is_key else ""
            problems.append(Problem(doc.file, line, col, "error", "control-character",
                                    f"{what}`{_escaped(_dotted(path))}` contains "
                                    f"{describe(found.group())}; expected printable text: "
                                    "remove it"))
    return problems


MAX_WORD = 40
"""Longest run of characters without a place to break the line (a space, `/` or a
dash). 40 of the widest letters still fit a line of the PDF; a longer run runs into
the margin, and one of thousands makes WeasyPrint's layout crawl."""
UNBREAKABLE = re.compile(f"[^\\s/\\-\u2010-\u2015]{{{MAX_WORD + 1},}}")
URL_KEYS = frozenset({"url", "website"})
"""Keys whose values are URLs: checked as URLs, and they break at `/` and `-`."""


def check_word_lengths(doc: Document) -> list[Problem]:
    """A problem for each text with a word too long to wrap in the PDF."""
    problems = []
    for path, text, is_key in _texts(doc.data):
        if is_key or (path and path[-1] in URL_KEYS):
            continue
        if found := UNBREAKABLE.search(text):
            word = found.group()
            line, col = doc.locate(path)
            problems.append(Problem(doc.file, line, col, "error", "long-word",
                                    f"`{_dotted(path)}` has a word of {len(word):,} characters "
                                    f"(`{word[:20]}...`); expected words of at most {MAX_WORD} "
                                    "characters, which the PDF can wrap: add spaces or "
                                    "shorten it"))
    return problems


def check_texts(doc: Document) -> list[Problem]:
    """The problems of a file's texts that its model does not see: unprintable
    characters, words too long to print."""
    return check_characters(doc) or check_word_lengths(doc)


def _texts(node: Any, path: tuple = ()) -> Iterator[tuple[tuple, str, bool]]:
    """Every key and text of a file's data as (path, text, is it a key)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*path, key), key, True
            yield from _texts(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _texts(value, (*path, index))
    elif isinstance(node, str):
        yield path, node, False


def _escaped(text: str) -> str:
    """`text` with its unprintable characters written as escapes, safe to print."""
    return UNPRINTABLE.sub(lambda found: f"\\u{ord(found.group()):04X}", text)


LOGO_SUFFIXES = (".svg", ".png")


def _check_logo(doc: Document, root: Path) -> list[Problem]:
    """A logo is an SVG or PNG file inside the input folder."""
    logo = doc.data.get("logo")
    if not isinstance(logo, str) or not logo.strip():
        return []
    file, (line, col) = doc.file, doc.locate(("logo",))

    def problem(message: str) -> list[Problem]:
        return [Problem(file, line, col, "error", "logo", message)]

    if Path(logo).is_absolute() or re.match(r"^[A-Za-z]:[\\/]", logo) or "://" in logo:
        return problem(f"logo `{logo}` is not a relative path; expected a path inside the "
                       "input folder, such as `logos/name.svg`")
    base = root.resolve()
    target = (base / logo).resolve()
    if not target.is_relative_to(base):
        return problem(f"logo `{logo}` leaves the input folder; expected a path inside it, "
                       "such as `logos/name.svg`")
    if target.suffix.lower() not in LOGO_SUFFIXES:
        return problem(f"logo `{logo}` is not an SVG or PNG file; expected a `.svg` or `.png` "
                       "file")
    if not target.is_file():
        return problem(f"logo `{logo}` does not exist in the input folder")
    size = target.stat().st_size
    if size > MAX_LOGO_BYTES:
        return problem(f"logo `{logo}` is {size:,} bytes; the limit is {MAX_LOGO_BYTES:,} bytes")
    return []  # what the file holds is read by `proposal.assets.check_logos`


# ----------------------------------------------------------- error rewording

PATTERNS = {
    r"^[0-9]{9}$": "exactly 9 digits, written as a quoted string such as '999999999'",
    r"^[A-Z]{2}$": "a two-letter ISO 3166-1 country code such as FR",
    r"^[A-Z]{3}$": "a three-letter ISO 4217 currency code such as EUR",
    r"^[a-z0-9][a-z0-9_-]*$": "an id of lower-case letters, digits, '-' and '_'",
    r"^[A-Za-z][A-Za-z0-9.-]*$": "an id such as WP1, T1.2, D1.1 or MS3",
    r"^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$": "an acronym of up to 20 letters, digits, '-' or '_'",
    r"^[a-z0-9_-]+$": "a code of lower-case letters, digits, '-' and '_'",
    ABBREVIATION_PATTERN: "an abbreviation as texts write it, such as EU, GPU or CO2e",
    EMAIL_PATTERN: "an e-mail address such as bid-office@example.org",
    PHONE_PATTERN: "a telephone number such as +33 1 23 45 67 89",
}


def _locate_errors(
    error: ValidationError, doc: Document, model: type[BaseModel], months: int | None = None
) -> list[Problem]:
    problems = []
    details = error.errors(include_url=False)
    # A list whose item failed also reports its length; the item's error says it all.
    failed_inside = {d["loc"][:n] for d in details for n in range(len(d["loc"]))}
    for detail in details:
        if detail["type"] in ("too_short", "too_long") and detail["loc"] in failed_inside:
            continue
        loc = tuple(part for part in detail["loc"] if isinstance(part, int | str))
        loc = _data_path(doc.data, loc)
        code, message, at_key, at_parent = _reword(detail, loc, model, months)
        path = loc[:-1] if at_parent else loc
        line, col = doc.locate(path, key=at_key)
        problems.append(Problem(doc.file, line, col, "error", code, message))
    return problems


def _data_path(data: Any, loc: tuple) -> tuple:
    """Keep the part of pydantic's `loc` that walks the data (drops union/validator tags)."""
    path: list[str | int] = []
    node = data
    for part in loc:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            node = node[part]
            path.append(part)
        elif isinstance(node, dict) and isinstance(part, str) and part.isidentifier():
            path.append(part)  # a missing key: kept; its location falls back to the parent
            break
    return tuple(path)


def _reword(detail: dict, loc: tuple, model: type[BaseModel],
            months: int | None = None) -> tuple[str, str, bool, bool]:
    """(code, message, point at the key, point at the parent) for one pydantic error.

    `months` is the project's duration, when known, for the range of project months.
    """
    kind = detail["type"]
    name = loc[-1] if loc else ""
    field = _dotted(loc)
    shown = _show(detail.get("input"))
    ctx = detail.get("ctx") or {}
    owner = _owner_model(model, loc, unknown=kind == "extra_forbidden")
    if owner is Text and name in ("en", "fr") and kind in ("missing", "string_too_short"):
        language = {"en": "English", "fr": "French"}[name]
        what = "missing" if kind == "missing" else "empty"
        return ("missing-translation",
                f"`{_dotted(loc[:-1])}` has {what} {language} text (`{name}`); every text "
                "needs both `en` and `fr`", False, True)
    if kind == "missing_translation":
        return _untranslated(field, detail.get("input"), _models_in(_field_type(owner, name)))
    if kind == "missing":
        hint = _describe(owner, name)
        return ("missing-key", f"missing key `{name}`{hint}", False, True)
    if kind == "extra_forbidden":
        allowed = sorted(owner.model_fields) if owner else []
        if owner is Partner:
            allowed.remove("id")
        close = difflib.get_close_matches(str(name), allowed, n=1)
        suggestion = f"; did you mean `{close[0]}`?" if close else ""
        return ("unknown-key",
                f"unknown key `{name}`; expected one of: {', '.join(allowed)}{suggestion}",
                True, False)
    if kind == "finite_number":
        return ("invalid-value", f"`{field}` is {shown}; expected a finite number", False, False)
    if kind in ("greater_than_equal", "greater_than") and ctx.get("ge", ctx.get("gt")) == 0:
        return ("negative",
                f"`{field}` is {shown}; expected a number that is not negative", False, False)
    if str(name).endswith("month") and kind == "greater_than_equal":
        span = f"from 1 to {months}" if months else "counted from 1"
        return ("month-range", f"`{field}` is {shown}; expected a project month {span} (month 1 "
                "starts on the consortium's `start_date`)", False, False)
    if kind == "less_than_equal" and ctx.get("le") == 1 and _is_percentage(detail.get("input")):
        return ("out-of-range", f"`{field}` is {shown}; expected a share between 0 and 1: "
                f"write {detail['input'] / 100:g} for {detail['input']:g} %", False, False)
    if kind in BOUNDS:
        wording, key, side = BOUNDS[kind]
        why = getattr(_why(model, detail["loc"]), side)
        return ("out-of-range", f"`{field}` is {shown}; expected {wording} "
                f"{_show_bound(ctx.get(key))}{f' ({why})' if why else ''}", False, False)
    if kind.startswith(("date_", "datetime_")):
        return ("invalid-date", f"`{field}` is {shown}; expected a date written YYYY-MM-DD, "
                "such as 2027-01-31", False, False)
    if kind in ("literal_error", "enum"):
        return ("invalid-value", f"`{field}` is {shown}; expected {ctx.get('expected')}"
                f"{_nearest(detail.get('input'), ctx.get('expected', ''))}", False, False)
    if kind == "string_pattern_mismatch":
        expected = PATTERNS.get(ctx.get("pattern", ""), f"text matching {ctx.get('pattern')}")
        return ("invalid-value", f"`{field}` is {shown}; expected {expected}", False, False)
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        expected = ("a mapping with `en` and `fr` texts" if owner is Text
                    or _owner_model(model, (*loc, "en")) is Text else "a mapping of keys to values")
        return ("wrong-type", f"`{field}` is {shown}; expected {expected}", False, False)
    if kind in ("tuple_type", "list_type"):
        return ("wrong-type", f"`{field}` is {shown}; expected a list", False, False)
    if kind == "string_type":
        return ("wrong-type", f"`{field}` is {shown}; expected text (quote it)", False, False)
    if kind.startswith("url_"):
        return ("invalid-value", f"`{field}` is {shown}; expected a URL such as "
                "https://www.example.com", False, False)
    if kind == "string_too_short":
        return ("empty", f"`{field}` is empty; expected text", False, False)
    if kind == "too_long":
        return ("too-many", f"`{field}` has {ctx.get('actual_length')} items; expected at most "
                f"{ctx.get('max_length')}", False, False)
    if kind == "too_short":
        return ("too-few", f"`{field}` has {ctx.get('actual_length')} items; expected at least "
                f"{ctx.get('min_length')}", False, False)
    if kind == "value_error":
        message = str(ctx.get("error", detail["msg"]))
        return ("invalid-value", f"`{field}`: {message}" if field else message, False, False)
    message = detail["msg"]
    expected = message.removeprefix("Input should be ").removeprefix("input should be ")
    if expected != message:
        return ("wrong-type", f"`{field}` is {shown}; expected {expected}", False, False)
    return ("invalid-value", f"`{field}` is {shown}: {message[0].lower()}{message[1:]}",
            False, False)


def _untranslated(field: str, value: Any,
                  forms: set[type[BaseModel]]) -> tuple[str, str, bool, bool]:
    """The error of a label given as a plain string (or a number) where both languages,
    or a declaration of what it is, are expected."""
    other, form = (("keep it as published, marked with its language", "{text: ..., lang: en}")
                   if Original in forms else ("declare it as a proper name", "{proper: ...}"))
    if isinstance(value, str):
        return ("missing-translation",
                f"`{field}` is {_show(value)}, in one language only; write it in both "
                f"languages (`{{en: ..., fr: ...}}`) or {other} (`{form}`)", False, False)
    return ("wrong-type", f"`{field}` is {_show(value)}; expected a mapping with `en` and "
            f"`fr` texts, or `{form}`", False, False)


def _field_type(owner: type[BaseModel] | None, name: Any) -> Any:
    """The annotation of field `name` of `owner` (None when unknown)."""
    field = owner.model_fields.get(name) if owner is not None else None
    return field.annotation if field is not None else None


def _models_in(annotation: Any) -> set[type[BaseModel]]:
    """Every model an annotation names, through unions and `Annotated`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {annotation}
    return {model for arg in get_args(annotation) for model in _models_in(arg)}


def _is_percentage(value: Any) -> bool:
    """A number that reads as a percentage where a share (0 to 1) was expected."""
    return isinstance(value, int | float) and not isinstance(value, bool) and 1 < value <= 100


def _nearest(value: Any, expected: str) -> str:
    """`; did you mean 'x'?` for the allowed value nearest to a mistyped one."""
    options = re.findall(r"'([^']*)'", expected)
    close = difflib.get_close_matches(str(value), options, n=1, cutoff=0.5)
    return f"; did you mean '{close[0]}'?" if close else ""


BOUNDS = {
    "greater_than_equal": ("at least", "ge", "below"),
    "greater_than": ("more than", "gt", "below"),
    "less_than_equal": ("at most", "le", "above"),
    "less_than": ("less than", "lt", "above"),
}
"""Pydantic's bound errors: (the words before the bound, its key in the error's context,
the side of `Why` that explains it)."""


def _show_bound(bound: Any) -> str:
    """A bound as the message prints it: `1,000,000,000,000,000`, `0.5`, `2107-12-31`."""
    if isinstance(bound, float) and bound.is_integer():
        bound = int(bound)
    return f"{bound:,}" if isinstance(bound, int) else str(bound)


def _why(model: type[BaseModel], loc: tuple) -> Why:
    """The `Why` of the value at pydantic's `loc`, or an empty one: read from the
    metadata of the field, or of the list item or mapping value, that holds it."""
    annotation: Any = model
    metadata: list[Any] = []
    for part in loc:
        annotation, metadata = _unwrap(annotation), []
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                break
            annotation, metadata = field.annotation, list(field.metadata)
        elif get_origin(annotation) in (tuple, list, dict) and get_args(annotation):
            annotation = get_args(annotation)[-1 if get_origin(annotation) is dict else 0]
        else:
            continue  # a tag pydantic adds to the location (a union's member, a validator)
        for option in (annotation, *get_args(annotation)):  # `X | None` keeps X's metadata
            if get_origin(option) is Annotated:
                metadata.extend(get_args(option)[1:])
    return next((m for m in metadata if isinstance(m, Why)), Why())


def _dotted(loc: tuple) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _describe(owner: type[BaseModel] | None, name: Any) -> str:
    if owner is None or name not in owner.model_fields:
        return ""
    description = owner.model_fields[name].description
    return f"; expected: {description.rstrip('.')}" if description else ""


def _owner_model(model: type[BaseModel], loc: tuple,
                 unknown: bool = False) -> type[BaseModel] | None:
    """The model class that owns the last element of `loc`; in a label (a union of
    models), the option that has that field, or with `unknown` the one that lacks it."""
    current: Any = model
    for part in loc[:-1]:
        current = _step(current, part)
        if current is None:
            return None
    if get_origin(current) in (Union, UnionType):
        current = next((option for option in _models_in(current)
                        if loc and (loc[-1] in option.model_fields) != unknown), None)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _step(annotation: Any, part: Any) -> Any:
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(part)
        return _unwrap(field.annotation) if field else None
    origin = get_origin(annotation)
    if origin in (Union, UnionType):  # a label: the option that has this field
        return next((_step(option, part) for option in _models_in(annotation)
                     if part in option.model_fields), None)
    args = get_args(annotation)
    if origin in (tuple, list) and args:
        return _unwrap(args[0])
    if origin is dict and len(args) == 2:
        return _unwrap(args[1])
    return None


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, UnionType):
            options = [a for a in get_args(annotation) if a is not NoneType]
            annotation = options[0] if len(options) == 1 else annotation
            if len(options) != 1:
                return annotation
        else:
            return annotation


# ------------------------------------------------------------- cross-file rules


def check_unique_partner_names(project: Project, at: Locations) -> list[Problem]:
    """No two partners share a legal name (ignoring case) or a PIC."""
    problems = []
    for field, label, code in (("legal_name", "legal name", "duplicate-legal-name"),
                               ("pic", "PIC", "duplicate-pic")):
        first: dict[str, str] = {}
        for partner in project.partners:
            value = getattr(partner, field)
            if value is None:
                continue
            key = value.casefold()
            if key in first:
                problems.append(at.problem(
                    partner_file(partner.id), (field,), code,
                    f"{label} `{value}` is already used by partner `{first[key]}`; each partner "
                    f"needs its own {label}"))
            else:
                first[key] = partner.id
    return problems


@needs("call", "cost_model", "workplan")
def check_unique_ids(project: Project, at: Locations) -> list[Problem]:
    """Ids of phases, sites, types, work packages, tasks, deliverables, milestones, risks,
    criteria and share rules are unique within their kind."""
    groups: dict[str, list[tuple[str, tuple, str]]] = {}

    def add(kind: str, file: str, path: tuple, item_id: str) -> None:
        groups.setdefault(kind, []).append((file, path, item_id))

    cost = DATA_FILE_OF["cost_model"]
    for kind, items in (("phase", project.cost_model.phases), ("site", project.cost_model.sites),
                        ("accelerator type", project.cost_model.accelerator_types)):
        attr = {"phase": "phases", "site": "sites"}.get(kind, "accelerator_types")
        for i, item in enumerate(items):
            add(kind, cost, (attr, i, "id"), item.id)
    work = DATA_FILE_OF["workplan"]
    for w, wp in enumerate(project.workplan.work_packages):
        add("work package", work, ("work_packages", w, "id"), wp.id)
        for attr, kind in (("tasks", "task"), ("deliverables", "deliverable"),
                           ("milestones", "milestone")):
            for i, item in enumerate(getattr(wp, attr)):
                add(kind, work, ("work_packages", w, attr, i, "id"), item.id)
    for i, risk in enumerate(project.workplan.risks):
        add("risk", work, ("risks", i, "id"), risk.id)
    call = DATA_FILE_OF["call"]
    for i, criterion in enumerate(project.call.criteria):
        add("criterion", call, ("criteria", i, "id"), criterion.id)
    for i, rule in enumerate(project.call.share_rules):
        add("share rule", call, ("share_rules", i, "id"), rule.id)
    problems = []
    for kind, entries in groups.items():
        seen: set[str] = set()
        for file, path, item_id in entries:
            if item_id in seen:
                problems.append(at.problem(file, path, "duplicate-id",
                                         f"{kind} id `{item_id}` is used twice; ids must be "
                                         "unique"))
            seen.add(item_id)
    return problems


@needs("consortium", "cost_model", "workplan", "partners")
def check_partner_references(project: Project, at: Locations) -> list[Problem]:
    """Every partner reference (coordinator, leads, effort, tasks, hosts, budget lines,
    rates) names an existing partner."""
    known = {p.id for p in project.partners} | at.partner_ids
    refs: list[tuple[str, tuple, str, bool]] = [
        (DATA_FILE_OF["consortium"], ("coordinator",), project.consortium.coordinator, False)
    ]
    cost, work = DATA_FILE_OF["cost_model"], DATA_FILE_OF["workplan"]
    for i, site in enumerate(project.cost_model.sites):
        refs.append((cost, ("sites", i, "host"), site.host, False))
    for attr in ("capex", "opex"):
        for i, line in enumerate(getattr(project.cost_model, attr)):
            refs.append((cost, (attr, i, "beneficiary"), line.beneficiary, False))
    for partner_id in project.workplan.partner_rates:
        refs.append((work, ("partner_rates", partner_id), partner_id, True))
    refs.extend((DATA_FILE_OF["consortium"], ("partner_order", i), pid, False)
                for i, pid in enumerate(project.consortium.partner_order))
    for w, wp in enumerate(project.workplan.work_packages):
        base = ("work_packages", w)
        refs.append((work, (*base, "lead"), wp.lead, False))
        refs.extend((work, (*base, "effort", pid), pid, True) for pid in wp.effort)
        for t, task in enumerate(wp.tasks):
            refs.extend((work, (*base, "tasks", t, "partners", i), pid, False)
                        for i, pid in enumerate(task.partners))
        for d, deliverable in enumerate(wp.deliverables):
            refs.append((work, (*base, "deliverables", d, "lead"), deliverable.lead, False))
    return [
        at.problem(file, path, "unknown-partner",
                 f"`{ref}` is not a partner; expected one of the files in `partners/`"
                 f"{_did_you_mean(ref, known)}", key=key)
        for file, path, ref, key in refs if ref not in known
    ]


def _did_you_mean(value: str, options: set[str]) -> str:
    close = difflib.get_close_matches(value, sorted(options), n=1)
    return f"; did you mean `{close[0]}`?" if close else ""


@needs("cost_model", "workplan")
def check_cost_model_references(project: Project, at: Locations) -> list[Problem]:
    """Phases, in-kind contributions and budget lines name existing sites, accelerator
    types and work packages."""
    cost = DATA_FILE_OF["cost_model"]
    sites = {s.id for s in project.cost_model.sites}
    types = {t.id for t in project.cost_model.accelerator_types}
    packages = {wp.id for wp in project.workplan.work_packages}
    refs: list[tuple[str, tuple, str, set[str], str]] = []
    for p, phase in enumerate(project.cost_model.phases):
        refs.extend((cost, ("phases", p, "sites", i), s, sites, "site")
                    for i, s in enumerate(phase.sites))
        refs.extend((cost, ("phases", p, "accelerators", i, "type"), a.type, types,
                     "accelerator type") for i, a in enumerate(phase.accelerators))
    for attr in ("capex", "opex"):
        for i, line in enumerate(getattr(project.cost_model, attr)):
            refs.append((cost, (attr, i, "work_package"), line.work_package, packages,
                         "work package"))
    for partner in project.partners:
        for i, item in enumerate(partner.contributions.in_kind):
            path = ("contributions", "in_kind", i)
            if item.site is not None:
                refs.append((partner_file(partner.id), (*path, "site"), item.site, sites, "site"))
            if item.accelerator_type is not None:
                refs.append((partner_file(partner.id), (*path, "accelerator_type"),
                             item.accelerator_type, types, "accelerator type"))
    for r, risk in enumerate(project.workplan.risks):
        refs.extend((DATA_FILE_OF["workplan"], ("risks", r, "work_packages", i), wp, packages,
                     "work package") for i, wp in enumerate(risk.work_packages))
    return [
        at.problem(file, path, f"unknown-{kind.replace(' ', '-')}",
                 f"`{ref}` is not a known {kind}; expected one of: {', '.join(sorted(known))}")
        for file, path, ref, known, kind in refs if ref not in known
    ]


@needs("sources")
def check_source_references(project: Project, at: Locations) -> list[Problem]:
    """Every `source` a figure cites and every id in a `sources` list is in
    `data/sources.yaml`."""
    known = set(project.sources)
    problems = []
    for file, path, node in walk_project(project):
        cited: list[tuple[tuple, str]] = []
        if isinstance(node, BaseModel) and getattr(node, "source", None) is not None \
                and isinstance(node.source, str):
            cited.append(((*path, "source"), node.source))
        if isinstance(node, BaseModel) and isinstance(getattr(node, "sources", None), tuple):
            cited.extend(((*path, "sources", i), s) for i, s in enumerate(node.sources))
        problems.extend(
            at.problem(file, where, "unknown-source",
                     f"source `{ref}` is not in `data/sources.yaml`; expected one of: "
                     f"{', '.join(sorted(known))}")
            for where, ref in cited if ref not in known
        )
    return problems


def check_provenance(project: Project, at: Locations) -> list[Problem]:
    """Warn about figures that neither cite a source nor say they are an assumption."""
    return [
        at.problem(file, path, "provenance",
                 f"figure `{_dotted(path)}` has neither `source` nor `assumption: true`; cite a "
                 "source from `data/sources.yaml` or flag it as an assumption",
                 severity="warning")
        for file, path, node in walk_project(project)
        if is_figure(node) and not node.documented
    ]


def check_assumption_notes(project: Project, at: Locations) -> list[Problem]:
    """Warn about figures flagged as assumptions that do not say why (no `note`): the
    assumptions annex prints each one with its reason."""
    return [
        at.problem(file, (*path, "assumption"), "assumption-note",
                 f"figure `{_dotted(path)}` is an assumption without a `note`; add "
                 "`note: {en: ..., fr: ...}` saying why this value is assumed",
                 severity="warning", key=True)
        for file, path, node in walk_project(project)
        if is_figure(node) and node.assumption and node.note is None
    ]


@needs("consortium")
def check_partner_order(project: Project, at: Locations) -> list[Problem]:
    """`partner_order` names each partner at most once."""
    order = project.consortium.partner_order
    return [
        at.problem(DATA_FILE_OF["consortium"], ("partner_order", i), "partner-order",
                 f"`{pid}` is listed twice in `partner_order`; list each partner once")
        for i, pid in enumerate(order) if pid in order[:i]
    ]


@needs("call")
def check_currency(project: Project, at: Locations) -> list[Problem]:
    """Pledges and every amount of the financing plan are in the call's currency."""
    wanted = project.call.currency
    return [
        at.problem(file, (*path, "currency"), "currency",
                 f"amount in {node.currency}; the financing plan is in {wanted}: convert it "
                 f"and write `currency: {wanted}`")
        for file, path, node in walk_project(project)
        if isinstance(node, Amount | Pledge) and node.currency != wanted
    ]


@needs("call", "cost_model")
def check_phases(project: Project, at: Locations) -> list[Problem]:
    """Phases are in order, inside the call's window, and power never decreases."""
    cost, call = DATA_FILE_OF["cost_model"], project.call
    problems = []
    previous = None
    for i, phase in enumerate(project.cost_model.phases):
        if phase.start < call.opens:
            problems.append(at.problem(cost, ("phases", i, "start"), "phase-window",
                                     f"phase `{phase.id}` starts on {phase.start}, before the "
                                     f"call's window opens ({call.opens})"))
        if phase.end > call.closes:
            problems.append(at.problem(cost, ("phases", i, "end"), "phase-window",
                                     f"phase `{phase.id}` ends on {phase.end}, after the call's "
                                     f"window closes ({call.closes})"))
        if previous is not None:
            if phase.start < previous.start or phase.end < previous.end:
                problems.append(at.problem(cost, ("phases", i, "start"), "phase-order",
                                         f"phase `{phase.id}` is listed after `{previous.id}` "
                                         "but starts or ends earlier; list phases in order"))
            if phase.power_mw.value < previous.power_mw.value:
                problems.append(at.problem(
                    cost, ("phases", i, "power_mw"), "power-decreasing",
                    f"phase `{phase.id}` has {phase.power_mw.value:g} MW, less than "
                    f"`{previous.id}` ({previous.power_mw.value:g} MW); `power_mw` is the "
                    "cumulative power and cannot decrease"))
        previous = phase
    last = project.cost_model.phases[-1]
    if project.cost_model.ultimate_power_mw.value < last.power_mw.value:
        problems.append(at.problem(cost, ("ultimate_power_mw",), "power-decreasing",
                                 f"ultimate power {project.cost_model.ultimate_power_mw.value:g} MW"
                                 f" is below the last phase's {last.power_mw.value:g} MW"))
    return problems


@needs("consortium", "workplan")
def check_work_plan_months(project: Project, at: Locations) -> list[Problem]:
    """Work packages end within the project's duration; tasks, deliverables and
    milestones fall inside their work package's months."""
    work, duration = DATA_FILE_OF["workplan"], project.consortium.duration_months
    problems = []
    for w, wp in enumerate(project.workplan.work_packages):
        if wp.end_month > duration:
            problems.append(at.problem(work, ("work_packages", w, "end_month"),
                                     "month-range", f"{wp.id} ends in month {wp.end_month}, after "
                                     f"the project's {duration} months"))
        span = f"{wp.id}'s months ({wp.start_month}-{wp.end_month})"
        for t, task in enumerate(wp.tasks):
            for attr in ("start_month", "end_month"):
                month = getattr(task, attr)
                if not wp.start_month <= month <= wp.end_month:
                    problems.append(at.problem(
                        work, ("work_packages", w, "tasks", t, attr), "month-range",
                        f"task {task.id} {attr.split('_')[0]}s in month {month}, outside {span}"))
            if task.end_month < task.start_month:
                problems.append(at.problem(work, ("work_packages", w, "tasks", t),
                                         "month-range", f"task {task.id} ends before it starts"))
        for attr, label in (("deliverables", "deliverable"), ("milestones", "milestone")):
            for i, item in enumerate(getattr(wp, attr)):
                if not wp.start_month <= item.month <= wp.end_month:
                    problems.append(at.problem(
                        work, ("work_packages", w, attr, i, "month"), "month-range",
                        f"{label} {item.id} is due in month {item.month}, outside {span}"))
    return problems


@needs("cost_model")
def check_budget_lines(project: Project, at: Locations) -> list[Problem]:
    """Each capex and opex category is costed by exactly one line."""
    cost = DATA_FILE_OF["cost_model"]
    problems = []
    for attr in ("capex", "opex"):
        seen: set[str] = set()
        for i, line in enumerate(getattr(project.cost_model, attr)):
            if line.category in seen:
                problems.append(at.problem(cost, (attr, i, "category"), "duplicate-category",
                                         f"{attr} category `{line.category}` is costed twice; "
                                         "keep one line per category"))
            seen.add(line.category)
    return problems


def check_in_kind(project: Project, at: Locations) -> list[Problem]:
    """In-kind contributions that count in the financing plan carry a valuation, and
    accelerators name their type."""
    problems = []
    for partner in project.partners:
        for i, item in enumerate(partner.contributions.in_kind):
            path = ("contributions", "in_kind", i)
            if item.counts_in_financing and item.valuation is None:
                problems.append(at.problem(
                    partner_file(partner.id), path, "in-kind-valuation",
                    "in-kind contribution counts in the financing plan but has no `valuation`; "
                    "add a valuation in EUR or set `counts_in_financing: false`"))
            if item.kind == InKindKind.accelerators and item.accelerator_type is None:
                problems.append(at.problem(
                    partner_file(partner.id), path, "in-kind-type",
                    "accelerators contributed in kind need an `accelerator_type`"))
    return problems


@needs("call", "consortium", "cost_model")
def check_consortium_rules(project: Project, at: Locations) -> list[Problem]:
    """The consortium agreement lasts as long as the call requires; title and abstract
    fit the call's length limits; countries are real ISO codes."""
    file = DATA_FILE_OF["consortium"]
    rules, texts = project.call, project.consortium.texts
    problems = []
    years = project.consortium.agreement_years
    if years < rules.min_agreement_years:
        problems.append(at.problem(file, ("agreement_years",), "agreement-years",
                                 f"the consortium agreement lasts {years} years; the call "
                                 f"requires at least {rules.min_agreement_years}"))
    for attr, limit in (("title", rules.format.title_max_chars),
                        ("abstract", rules.format.abstract_max_chars)):
        for lang in ("en", "fr"):
            length = len(getattr(texts, attr)[lang])
            if length > limit:
                problems.append(at.problem(file, ("texts", attr, lang), "text-length",
                                         f"the {lang} {attr} has {length} characters; the call "
                                         f"allows at most {limit}"))
    territories = Locale("en").territories
    countries = [(file, ("member_state",), project.consortium.member_state)]
    countries += [(partner_file(p.id), ("country",), p.country) for p in project.partners]
    countries += [(DATA_FILE_OF["cost_model"], ("sites", i, "country"), s.country)
                  for i, s in enumerate(project.cost_model.sites)]
    problems.extend(
        at.problem(f, path, "country", f"`{code}` is not an ISO 3166-1 country code")
        for f, path, code in countries if code not in territories or code.isdigit()
    )
    return problems


@needs("call")
def check_call_sections(project: Project, at: Locations) -> list[Problem]:
    """Every criterion is answered in sections the call's rules list."""
    sections = set(project.call.required_sections)
    return [
        at.problem(DATA_FILE_OF["call"], ("criteria", c, "answered_in", i),
                 "unknown-section", f"section `{key}` is not in `required_sections`; expected "
                 f"one of: {', '.join(sorted(sections))}")
        for c, criterion in enumerate(project.call.criteria)
        for i, key in enumerate(criterion.answered_in) if key not in sections
    ]


@needs("cost_model")
def check_energy_mix(project: Project, at: Locations) -> list[Problem]:
    """The shares of the electricity mix add up to 100 %."""
    mix = project.cost_model.energy.mix
    total = sum(item.share.value for item in mix)
    if not mix or abs(total - 1) < 1e-6:
        return []
    return [at.problem(DATA_FILE_OF["cost_model"], ("energy", "mix"), "energy-mix",
                     f"the energy mix adds up to {total:.1%}; expected 100%")]


@needs("call")
def check_required_sections(project: Project, at: Locations) -> list[Problem]:
    """A warning for each section the call requires that the proposal has no place for."""
    known = {key for key, _, _ in OUTLINE}
    return [
        at.problem(DATA_FILE_OF["call"], ("required_sections", key), "unanswered-section",
                   f"required section `{key}` has no section in the proposal; the compliance "
                   f"table shows it as not answered (sections: {', '.join(sorted(known))})",
                   severity="warning", key=True)
        for key in project.call.required_sections if key not in known
    ]


MAX_MARGIN_MM = 30.0
"""Widest page margin the proposal's layout honours: the text block left on A4 (150 mm)
still holds its widest tables and charts."""
MAX_BODY_PT = 12.0
"""Largest body and table text the layout honours: the tables of amounts still fit."""
MAX_SMALL_PT = 10.0
"""Largest small text (headers, captions, chart labels) the layout honours: the charts'
labels and legends still fit on one line."""


@needs("call")
def check_format_rules(project: Project, at: Locations) -> list[Problem]:
    """The call's format rules are ones the PDF can honour: the renderer raises its
    margins and type sizes to the call's minimums, up to what its tables and charts
    fit (tested at these limits)."""
    rules, call = project.call.format, DATA_FILE_OF["call"]
    limits = (
        ("min_margin_mm", "margins", "mm", MAX_MARGIN_MM, "tables and charts fit A4 pages"),
        ("min_body_pt", "body and table text", "pt", MAX_BODY_PT, "tables fit the page"),
        ("min_small_pt", "small text", "pt", MAX_SMALL_PT, "chart labels fit the charts"),
    )
    return [
        at.problem(call, ("format", attr), "format-rule",
                   f"{what} of at least {getattr(rules, attr):g} {unit} cannot be honoured: "
                   f"the proposal's {fit} with {what} of at most {limit:g} {unit}")
        for attr, what, unit, limit, fit in limits if getattr(rules, attr) > limit
    ]


NAMES = ("legal_name", "short_name")
"""The partner fields that name it: what prints must be exactly what is written."""
CONSORTIUM_NAMES = ("name", "acronym")
"""The consortium's fields that name it."""


def check_drawable_characters(project: Project, at: Locations) -> list[Problem]:
    """A warning for each text holding characters none of the proposal's fonts draws
    (they print as empty boxes); an error when the text is a partner's or the
    consortium's name, which must print as written."""
    names = {(partner_file(p.id), (field,)) for p in project.partners for field in NAMES}
    names |= {(DATA_FILE_OF["consortium"], (field,)) for field in CONSORTIUM_NAMES}
    fonts = " and ".join(shipped_fonts().families)
    problems = []
    for file, path, node in walk_project(project):
        if not isinstance(node, str) or not (missing := undrawable(node)):
            continue
        found = (f"`{_dotted(path)}` contains {describe(missing)}, which the proposal's fonts "
                 f"({fonts}) cannot draw")
        if (file, path[:1]) in names:  # a name, or a language of a bilingual name
            problems.append(at.problem(file, path, "undrawable-character", (
                f"{found}; a name must print as written: write it in characters the fonts "
                "have, such as its Latin transcription")))
        else:
            problems.append(at.problem(file, path, "undrawable-character", (
                f"{found}: the PDF prints an empty box instead; write it otherwise or leave "
                "it out"), severity="warning"))
    return problems


@needs("call", "cost_model", "financing", "workplan", "partners")
def check_placeholders(project: Project, at: Locations) -> list[Problem]:
    """Every `${...}` placeholder of a text is well formed and names a figure of the
    registry in `proposal/placeholders.py` (and an existing phase, partner, ...)."""
    return check_references(project, at)


@needs("call")
def check_blocking_warnings(project: Project, at: Locations) -> list[Problem]:
    """Every code `call.blocking_warnings` lists is a warning code some rule reports."""
    return check_blocking_codes(project, at)


@needs("partners")
def check_confidential_totals(project: Project, at: Locations) -> list[Problem]:
    """A warning when the public edition's totals would give one partner's confidential
    contributions away (see `proposal.confidential.check_confidential`)."""
    return check_confidential(project, at)


@needs("consortium", "partners")
def check_governance(project: Project, at: Locations) -> list[Problem]:
    """Governance bodies have unique ids, name existing partners as chair and members,
    report to an existing body, and no body reports to itself, even through others."""
    governance = project.consortium.governance
    if governance is None:
        return []
    file, bodies = DATA_FILE_OF["consortium"], governance.bodies
    partners = {p.id for p in project.partners} | at.partner_ids
    ids = {body.id for body in bodies}
    problems = []
    seen: set[str] = set()
    for b, body in enumerate(bodies):
        path = ("governance", "bodies", b)
        if body.id in seen:
            problems.append(at.problem(file, (*path, "id"), "duplicate-id",
                                       f"governance body id `{body.id}` is used twice; ids "
                                       "must be unique"))
        seen.add(body.id)
        refs = [((*path, "chair"), body.chair)] if body.chair is not None else []
        refs += [((*path, "members", i), member) for i, member in enumerate(body.members)]
        problems.extend(
            at.problem(file, where, "unknown-partner",
                       f"`{ref}` is not a partner; expected one of the files in `partners/`"
                       f"{_did_you_mean(ref, partners)}")
            for where, ref in refs if ref not in partners)
        if body.reports_to is not None and body.reports_to not in ids:
            problems.append(at.problem(
                file, (*path, "reports_to"), "unknown-body",
                f"`{body.reports_to}` is not a governance body; expected one of: "
                f"{', '.join(sorted(ids))}{_did_you_mean(body.reports_to, ids)}"))
    parent = {body.id: body.reports_to for body in bodies}
    for b, body in enumerate(bodies):
        chain, current = [body.id], parent.get(body.id)
        while current is not None and current in parent and current not in chain:
            chain.append(current)
            current = parent[current]
        if current == body.id:
            problems.append(at.problem(
                file, ("governance", "bodies", b, "reports_to"), "governance-loop",
                f"body `{body.id}` reports to itself through "
                f"{' -> '.join([*chain, body.id])}; expected a top body that reports to none"))
    return problems


@needs("workplan", "partners")
def check_risk_owners(project: Project, at: Locations) -> list[Problem]:
    """Every risk owner is an existing partner."""
    known = {p.id for p in project.partners} | at.partner_ids
    return [
        at.problem(DATA_FILE_OF["workplan"], ("risks", r, "owner"), "unknown-partner",
                   f"`{risk.owner}` is not a partner; expected one of the files in `partners/`"
                   f"{_did_you_mean(risk.owner, known)}")
        for r, risk in enumerate(project.workplan.risks)
        if risk.owner is not None and risk.owner not in known
    ]


@needs("consortium", "workplan")
def check_kpis(project: Project, at: Locations) -> list[Problem]:
    """KPIs have unique ids, belong to an existing work package, fall within the
    project's months and say where their figures come from."""
    work, duration = DATA_FILE_OF["workplan"], project.consortium.duration_months
    packages = {wp.id for wp in project.workplan.work_packages}
    problems = []
    seen: set[str] = set()
    for k, kpi in enumerate(project.workplan.kpis):
        path = ("kpis", k)
        if kpi.id in seen:
            problems.append(at.problem(work, (*path, "id"), "duplicate-id",
                                       f"KPI id `{kpi.id}` is used twice; ids must be unique"))
        seen.add(kpi.id)
        if kpi.work_package not in packages:
            problems.append(at.problem(
                work, (*path, "work_package"), "unknown-work-package",
                f"`{kpi.work_package}` is not a known work package; expected one of: "
                f"{', '.join(sorted(packages))}{_did_you_mean(kpi.work_package, packages)}"))
        if kpi.target_month > duration:
            problems.append(at.problem(
                work, (*path, "target_month"), "month-range",
                f"KPI {kpi.id} is due in month {kpi.target_month}, after the project's "
                f"{duration} months"))
        if not kpi.documented:
            problems.append(at.problem(
                work, path, "provenance",
                f"KPI {kpi.id} has neither `source` nor `assumption: true`; cite a source "
                "from `data/sources.yaml` or flag its baseline and target as an assumption",
                severity="warning"))
    return problems
@needs("consortium")
def check_abbreviations(project: Project, at: Locations) -> list[Problem]:
    """Warn about an all-capitals word of a text that no abbreviation expands (the
    data's `abbreviations`, the generator's own, partners' and proper names)."""
    return abbreviation_problems(project, at)


CHECKS: list[Check] = [
    check_unique_partner_names,
    check_unique_ids,
    check_partner_references,
    check_cost_model_references,
    check_source_references,
    check_provenance,
    check_assumption_notes,
    check_partner_order,
    check_currency,
    check_phases,
    check_work_plan_months,
    check_budget_lines,
    check_in_kind,
    check_consortium_rules,
    check_call_sections,
    check_energy_mix,
    check_required_sections,
    check_format_rules,
    check_drawable_characters,
    check_placeholders,
    check_blocking_warnings,
    check_confidential_totals,
    check_governance,
    check_risk_owners,
    check_kpis,
    check_abbreviations,
]
"""The cross-file rules, in the order they run; each is skipped while a file it
`needs` is invalid on its own."""
