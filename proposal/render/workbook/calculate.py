"""The value of every formula cell, as a spreadsheet calculates it: what the file stores
beside each formula.

openpyxl writes a formula without its result, so a reader that does not calculate (a
file previewer, a portal's viewer, `pandas.read_excel`) would show every computed cell
empty. `calculate(workbook)` evaluates the workbook's own formulas, as written, over its
input cells, and `workbook_bytes` stores each result in the formula's cell. The values
are therefore the ones Excel or LibreOffice show after recalculating; the tests check
that they equal the compute stage's figures to the cent.

Only the formula forms the sheets write are understood: numbers, strings, `TRUE` and
`FALSE`, A1 cells and ranges (on the same or a quoted sheet), defined names, the
operators `+ - * /` and comparisons, and the functions of `FUNCTIONS`. Anything else is
a bug of the workbook code and stops the build with a `ValueError` naming the cell.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import column_index_from_string
from openpyxl.utils.datetime import from_excel, to_excel

Place = tuple[str, int, int]
"""A cell: sheet title, row, column."""


class Error(str):
    """A spreadsheet error value such as `#DIV/0!`, stored as such (`t="e"`)."""


class _Failure(Exception):
    """Carries an error value out of a formula being evaluated."""

    def __init__(self, error: str):
        super().__init__(error)
        self.error = Error(error)


@dataclass(frozen=True)
class Span:
    """A rectangle of cells, as a formula's range argument."""

    sheet: str
    rows: range
    cols: range

    def places(self) -> Iterator[Place]:
        for row in self.rows:
            for col in self.cols:
                yield self.sheet, row, col


Lookup = Callable[[Place], Any]
"""A cell's value: a number, text, bool, `Error` or None when the cell is blank."""
Node = Callable[[Lookup], Any]
"""A compiled formula part: its value given the cells' values."""

# ----------------------------------------------------------------------- values


def _number(value: Any) -> float | int:
    """A value in arithmetic: blank is 0, TRUE is 1, text that is no number an error."""
    if isinstance(value, Error):
        raise _Failure(value)
    if value is None:
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    try:
        return float(value)
    except ValueError:
        raise _Failure("#VALUE!") from None


def _truth(value: Any) -> bool:
    """A value as a condition."""
    if isinstance(value, str) and not isinstance(value, Error):
        raise _Failure("#VALUE!")
    return bool(_number(value))


def _rank(value: Any) -> int:
    """Excel orders numbers before texts before booleans."""
    return 2 if isinstance(value, bool) else 1 if isinstance(value, str) else 0


BLANK = {0: 0, 1: "", 2: False}
"""What a blank cell counts as, compared with a value of each rank."""


def _compare(left: Any, right: Any) -> int:
    """-1, 0 or 1 as a spreadsheet compares two values (a blank takes the other's type)."""
    for value in (left, right):
        if isinstance(value, Error):
            raise _Failure(value)
    if left is None and right is None:
        return 0
    left = BLANK[_rank(right)] if left is None else left
    right = BLANK[_rank(left)] if right is None else right
    if _rank(left) != _rank(right):
        return -1 if _rank(left) < _rank(right) else 1
    if isinstance(left, str):
        left, right = left.casefold(), right.casefold()
    return (left > right) - (left < right)


COMPARISONS = {"=": lambda c: c == 0, "<>": lambda c: c != 0, "<": lambda c: c < 0,
               ">": lambda c: c > 0, "<=": lambda c: c <= 0, ">=": lambda c: c >= 0}


def _divide(left: float, right: float) -> float:
    if right == 0:
        raise _Failure("#DIV/0!")
    return left / right


ARITHMETIC = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
              "/": _divide}


# -------------------------------------------------------------------- functions


def _numbers(args: list[Any]) -> list[float | int]:
    """The numbers of SUM, MIN and MAX: ranges give their numbers only (texts, blanks
    and booleans in them are left out), single values count as numbers."""
    numbers = []
    for arg in args:
        if isinstance(arg, list):
            for value in arg:
                if isinstance(value, Error):
                    raise _Failure(value)
                if isinstance(value, int | float) and not isinstance(value, bool):
                    numbers.append(value)
        else:
            numbers.append(_number(arg))
    return numbers


def _truths(args: list[Any]) -> list[bool]:
    """The conditions of AND and OR: ranges give their numbers and booleans only."""
    truths = []
    for arg in args:
        if isinstance(arg, list):
            truths += [_truth(v) for v in arg if v is not None and not
                       (isinstance(v, str) and not isinstance(v, Error))]
        else:
            truths.append(_truth(arg))
    if not truths:
        raise _Failure("#VALUE!")
    return truths


def _date(year: Any, month: Any, day: Any) -> int:
    """DATE: months and days past the end roll over, as in a spreadsheet."""
    year, month, day = int(_number(year)), int(_number(month)), int(_number(day))
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return to_excel(dt.date(year, month, 1) + dt.timedelta(days=day - 1))


def _day(serial: Any) -> dt.datetime:
    return from_excel(_number(serial))


FUNCTIONS: dict[str, Callable[[list[Any]], Any]] = {
    "SUM": lambda args: sum(_numbers(args)),
    "MIN": lambda args: min(_numbers(args), default=0),
    "MAX": lambda args: max(_numbers(args), default=0),
    "ABS": lambda args: abs(_number(args[0])),
    "AND": lambda args: all(_truths(args)),
    "OR": lambda args: any(_truths(args)),
    "DATE": lambda args: _date(*args),
    "YEAR": lambda args: _day(args[0]).year,
    "MONTH": lambda args: _day(args[0]).month,
}
"""Functions taking their arguments evaluated (ranges as lists); `IF` is lazy, apart."""


# ---------------------------------------------------------------------- parsing

_TOKENS = re.compile(r"""\s*(?:
    (?P<text>"(?:[^"]|"")*")
  | (?:'(?P<sheet>(?:[^']|'')+)'!)?
    (?P<ref>\$?[A-Z]{1,3}\$?[0-9]+(?::\$?[A-Z]{1,3}\$?[0-9]+)?)(?![A-Za-z0-9_.(])
  | (?P<number>[0-9]+(?:\.[0-9]+)?(?:[Ee][+-]?[0-9]+)?)
  | (?P<function>[A-Z][A-Z0-9.]*)\(
  | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
  | (?P<op><=|>=|<>|[-+*/=<>(),])
)""", re.VERBOSE)

_CELL = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]+)")


def _span(sheet: str, ref: str) -> Span:
    """A reference (`$B$5`, `B5:D9`) on `sheet` as a rectangle."""
    corners = [_CELL.fullmatch(part) for part in ref.split(":")]
    rows = [int(corner[2]) for corner in corners]
    cols = [column_index_from_string(corner[1]) for corner in corners]
    return Span(sheet, range(min(rows), max(rows) + 1), range(min(cols), max(cols) + 1))


def _unquote(sheet: str) -> str:
    return sheet.replace("''", "'")


class _Parser:
    """Turns one formula into a `Node`, noting the cells it reads."""

    def __init__(self, formula: str, sheet: str, names: dict[str, Span]):
        self.sheet, self.names = sheet, names
        self.tokens: list[tuple[str, str, str | None]] = []
        position = 0
        while position < len(formula):
            match = _TOKENS.match(formula, position)
            if match is None or match.end() == position:
                raise ValueError(f"cannot read {formula[position:]!r}")
            kind = next(k for k in ("text", "ref", "number", "function", "name", "op")
                        if match[k] is not None)
            self.tokens.append((kind, match[kind], match["sheet"]))
            position = match.end()
        self.at = 0
        self.reads: list[Span] = []

    def parse(self) -> Node:
        node = self.comparison()
        if self.at != len(self.tokens):
            raise ValueError(f"unexpected {self.tokens[self.at][1]!r}")
        return node

    def at_operator(self, operators: Iterable[str]) -> bool:
        """True when the next token is one of `operators`."""
        return (self.at < len(self.tokens) and self.tokens[self.at][0] == "op"
                and self.tokens[self.at][1] in operators)

    def take(self, expected: str | None = None) -> tuple[str, str, str | None]:
        if self.at == len(self.tokens):
            raise ValueError("the formula ends too early")
        token = self.tokens[self.at]
        if expected is not None and token[1] != expected:
            raise ValueError(f"expected {expected!r}, found {token[1]!r}")
        self.at += 1
        return token

    def comparison(self) -> Node:
        left = self.additive()
        while self.at_operator(COMPARISONS):
            test, right = COMPARISONS[self.take()[1]], self.additive()
            left = (lambda a, b, t: lambda get: t(_compare(a(get), b(get))))(left, right, test)
        return left

    def additive(self) -> Node:
        return self.binary(self.term, ("+", "-"))

    def term(self) -> Node:
        return self.binary(self.unary, ("*", "/"))

    def binary(self, operand: Callable[[], Node], operators: tuple[str, ...]) -> Node:
        """Operands joined by operators of one precedence, from left to right."""
        left = operand()
        while self.at_operator(operators):
            op, right = ARITHMETIC[self.take()[1]], operand()
            left = (lambda a, b, f: lambda get: f(_number(a(get)), _number(b(get))))(
                left, right, op)
        return left

    def unary(self) -> Node:
        if self.at_operator(("-", "+")):
            sign, operand = self.take()[1], self.unary()
            return operand if sign == "+" else (lambda get: -_number(operand(get)))
        return self.primary()

    def primary(self) -> Node:
        kind, value, sheet = self.take()
        if kind == "number":
            number = float(value) if re.search(r"[.Ee]", value) else int(value)
            return lambda get: number
        if kind == "text":
            text = value[1:-1].replace('""', '"')
            return lambda get: text
        if kind == "ref":
            return self.reference(_span(self.sheet if sheet is None else _unquote(sheet),
                                        value))
        if kind == "name":
            if value.upper() in ("TRUE", "FALSE"):
                truth = value.upper() == "TRUE"
                return lambda get: truth
            if value not in self.names:
                raise ValueError(f"unknown name {value!r}")
            return self.reference(self.names[value])
        if kind == "function":
            return self.function(value)
        if value == "(":
            node = self.comparison()
            self.take(")")
            return node
        raise ValueError(f"unexpected {value!r}")

    def reference(self, span: Span) -> Node:
        self.reads.append(span)
        if len(span.rows) == len(span.cols) == 1:
            place = next(span.places())
            return lambda get: get(place)
        places = list(span.places())
        return lambda get: [get(place) for place in places]

    def function(self, name: str) -> Node:
        args: list[Node] = []
        if not self.at_operator(")"):
            args.append(self.comparison())
            while self.at_operator(","):
                self.take(",")
                args.append(self.comparison())
        self.take(")")
        if name == "IF":
            condition, yes, no = (*args, lambda get: False)[:3]
            return lambda get: yes(get) if _truth(condition(get)) else no(get)
        if name in ("TRUE", "FALSE"):
            return lambda get: name == "TRUE"
        if name not in FUNCTIONS:
            raise ValueError(f"unknown function {name}")
        function = FUNCTIONS[name]
        return lambda get: function([arg(get) for arg in args])


# ------------------------------------------------------------------ calculation


def _constant(value: Any, workbook: Workbook) -> Any:
    """A written cell's value as formulas see it: dates as serial numbers."""
    if isinstance(value, dt.date):
        return to_excel(value, workbook.epoch)
    return value


def calculate(workbook: Workbook) -> dict[Place, Any]:
    """The value of every formula cell of `workbook`, by (sheet title, row, column).

    Each value is a number, a text, a bool or an `Error`; a formula reading a blank cell
    alone gives 0, as in a spreadsheet."""
    names = {}
    for name, defined in workbook.defined_names.items():
        sheet, ref = defined.attr_text.rsplit("!", 1)
        names[name] = _span(_unquote(sheet.strip("'")), ref)
    # openpyxl's own store of the written cells: iterating rows would create blank ones.
    written = {(ws.title, row, col): cell for ws in workbook.worksheets
               for (row, col), cell in ws._cells.items()}
    formulas: dict[Place, tuple[Node, list[Place]]] = {}
    for place, cell in written.items():
        if cell.data_type != "f":
            continue
        parser = _Parser(cell.value[1:], place[0], names)
        try:
            node = parser.parse()
        except ValueError as error:
            raise ValueError(f"{place[0]}!{cell.coordinate}: {cell.value}: {error}") from None
        reads = [p for span in parser.reads for p in span.places() if p in written]
        formulas[place] = node, reads

    values: dict[Place, Any] = {}

    def get(place: Place) -> Any:
        if place in formulas:
            return values[place]
        cell = written.get(place)
        return None if cell is None else _constant(cell.value, workbook)

    for place in _dependency_order(formulas):
        node, _reads = formulas[place]
        try:
            value = node(get)
        except _Failure as failure:
            value = failure.error
        if isinstance(value, list):
            raise ValueError(f"{place}: a range where one value is expected")
        values[place] = 0 if value is None else value
    return values


def _dependency_order(formulas: dict[Place, tuple[Node, list[Place]]]) -> list[Place]:
    """Formula cells, each after the formula cells it reads (depth first, no recursion:
    chains of running totals may be long)."""
    order: list[Place] = []
    state: dict[Place, bool] = {}  # False while being visited, True once placed
    for start in formulas:
        if start in state:
            continue
        stack = [(start, iter(formulas[start][1]))]
        state[start] = False
        while stack:
            place, reads = stack[-1]
            for read in reads:
                if read not in formulas or state.get(read):
                    continue
                if read in state:
                    raise ValueError(f"circular reference through {read}")
                state[read] = False
                stack.append((read, iter(formulas[read][1])))
                break
            else:
                stack.pop()
                state[place] = True
                order.append(place)
    return order
