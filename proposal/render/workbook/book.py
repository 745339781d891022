"""The workbook machinery every sheet module uses: cells by key, safe text, styles.

A `Book` holds the workbook being written, its sheets and the cells registered under
typed keys (`keys.Key`); a `Sheet` writes inputs (unlocked, shaded), formulas (locked)
and text (always a string cell). Formulas name their operands with `ref(key)` and
`span(first, last)`, placeholders carrying the keys' texts; `Book.finish` turns them
into absolute A1 addresses once every sheet is laid out, so a sheet may use cells of a
sheet laid out after it. `workbook_bytes` serialises
the workbook with each formula's value stored beside it (see `calculate`) and fixed
dates, so the same input gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import textwrap
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.protection import SheetProtection
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from ...compute import TOTAL, Figures
from ...i18n import Locale
from ...models import Project
from ...placeholders import written
from .calculate import Error, calculate
from .keys import Key

DOMAIN = "workbook"
"""The gettext domain of the workbook's own wording."""

HEADER_ROW = 4
"""Row of each sheet's first header: a title and a note line come above it."""

# ------------------------------------------------------------------------- styles

INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
INPUT_FONT = Font(color="1F3F99")
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
HEADER_FONT = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
BLOCK_FONT = Font(bold=True, size=12)
NOTE_FONT = Font(italic=True, color="595959")
TOTAL_FONT = Font(bold=True)
TOTAL_BORDER = Border(top=Side(style="thin"))
HEADER_BORDER = Border(bottom=Side(style="thin"))
UNLOCKED = Protection(locked=False)
LINE_HEIGHT = 15
"""Height in points of one line of 11 pt text, to size rows with wrapped text."""
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")

FORMATS = {
    "count": "#,##0",
    "number": "#,##0.00",
    "mw": "#,##0.00",
    "factor": "0.000",
    "hours": "#,##0",
    "share": "0.0%",
    "rate": "0.0##%",
    "date": "yyyy-mm-dd",
    "year": "0",
    "month": "0",
}
"""Number formats by kind; money formats come from the edition's locale."""


def money_format(locale: Locale, decimals: int) -> str:
    """An EUR number format shaped like the locale's currency pattern (sign first or last)."""
    pattern = locale.babel.currency_formats["standard"].pattern.split(";")[0]
    number = "#,##0" + ("." + "0" * decimals if decimals else "")
    pattern = re.sub(r"#,##0(\.0+)?", number, pattern)
    return pattern.replace("\xa0", " ").replace("¤", '"€"')


# ------------------------------------------------------------------ cell addresses


def ref(key: Key) -> str:
    """A placeholder for the cell registered under `key`, resolved when laid out."""
    return f"\x00{key}\x00"


def span(first: Key, last: Key) -> str:
    """A placeholder for the range from the cell of `first` to the cell of `last`."""
    return f"\x00{first}\x01{last}\x00"


def sum_of(first: Key, last: Key) -> str:
    """SUM over the range from the cell of `first` to the cell of `last`."""
    return f"SUM({span(first, last)})"


def add(terms: Iterable[str]) -> str:
    """The sum of formula terms, or 0 when there are none."""
    terms = list(terms)
    return "+".join(terms) if terms else "0"


_PLACEHOLDER = re.compile(r"\x00([^\x00\x01]*)(?:\x01([^\x00]*))?\x00")
"""A `ref` or `span` placeholder: the text of one key, or of two for a range."""


def quoted(title: str) -> str:
    """A sheet name as formulas write it, always quoted."""
    return "'" + title.replace("'", "''") + "'"


def string_literal(text: str) -> str:
    """A text as a string constant inside a formula."""
    return '"' + text.replace('"', '""') + '"'


@dataclass(frozen=True)
class Place:
    """Where a registered cell is."""

    sheet: str
    """Worksheet title."""
    row: int
    col: int

    def a1(self) -> str:
        """The absolute A1 reference without the sheet."""
        return f"${get_column_letter(self.col)}${self.row}"

    def address(self) -> str:
        """The absolute reference with the quoted sheet name."""
        return f"{quoted(self.sheet)}!{self.a1()}"


@dataclass
class Layout:
    """Where the workbook put each figure of `Figures`: what tests recalculate and compare."""

    figures: dict[str, str] = field(default_factory=dict)
    """Key figure (a `Figures` field name) -> absolute cell address."""
    tables: dict[str, dict[tuple[Any, str], str]] = field(default_factory=dict)
    """`Figures` table name -> (row label, column name) -> absolute cell address."""
    inputs: dict[str, str] = field(default_factory=dict)
    """Text of an input's key (`in/energy/price`...) -> absolute address of its cell."""
    names: dict[str, str] = field(default_factory=dict)
    """Defined name -> the absolute address it names."""


# ============================================================================ book


class Wording:
    """The workbook's words for one project in one language: its catalog, the shared
    vocabulary and the data's texts. The PDF's assumptions annex names the inputs with
    them too (`assumptions.assumption_inputs`), so both outputs call a figure alike."""

    def __init__(self, project: Project, figures: Figures, lang: str):
        self.project = project
        self.figures = figures
        self.locale = Locale(lang)

    def _(self, message: str) -> str:
        """The workbook wording in the edition's language."""
        return self.locale.gettext(message, DOMAIN)

    def label(self, group: str, key: str) -> str:
        """A shared vocabulary label (category, status...)."""
        return self.locale.label(group, key)

    def text(self, value: Any) -> str:
        """A text or name of the data in the edition's language, its `${...}` figures
        written out, typeset for it."""
        return written(value, self.project, self.figures, self.locale)


class Book(Wording):
    """The workbook being written: sheets, registered cells, pending formulas, names."""

    def __init__(self, project: Project, figures: Figures, lang: str, sheets: dict[str, str]):
        super().__init__(project, figures, lang)
        self.wb = Workbook()
        self.wb.remove(self.wb.active)
        self.sheets = {key: Sheet(self, self.wb.create_sheet(self._(title)))
                       for key, title in sheets.items()}
        self.places: dict[str, Place] = {}
        """Where each registered cell is, by its key's text: what placeholders carry."""
        self.pending: list[tuple[Cell, str]] = []
        self.names: dict[str, Key] = {}
        self.layout = Layout()
        self.eur = money_format(self.locale, 0)
        self.eur2 = money_format(self.locale, 2)

    def fmt(self, kind: str) -> str:
        """The number format of a kind of value."""
        return {"eur": self.eur, "eur2": self.eur2}.get(kind) or FORMATS[kind]

    def register(self, key: Key, place: Place) -> None:
        """Remember where the cell of `key` is; keys (and their texts) are unique."""
        if str(key) in self.places:
            raise ValueError(f"cell key registered twice: {key}")
        self.places[str(key)] = place

    def name(self, name: str, key: Key) -> None:
        """Define a workbook name for the cell of `key` (created once laid out); a name
        names one cell."""
        if name in self.names:
            raise ValueError(f"workbook name defined twice: {name}")
        self.names[name] = key

    def resolve(self, formula: str, sheet: str) -> str:
        """The formula with every placeholder replaced by its cell or range address."""
        def address(match: re.Match) -> str:
            first = self.places[match.group(1)]
            prefix = "" if first.sheet == sheet else quoted(first.sheet) + "!"
            if match.group(2) is None:
                return prefix + first.a1()
            return f"{prefix}{first.a1()}:{self.places[match.group(2)].a1()}"

        return _PLACEHOLDER.sub(address, formula)

    def finish(self) -> None:
        """Resolve every formula and define the names."""
        for cell, formula in self.pending:
            cell.value = "=" + self.resolve(formula, cell.parent.title)
        for name, key in sorted(self.names.items()):
            address = self.places[str(key)].address()
            self.wb.defined_names[name] = DefinedName(name, attr_text=address)
            self.layout.names[name] = address


class Sheet:
    """One worksheet with helpers that write inputs, formulas and safe text."""

    def __init__(self, book: Book, ws: Worksheet):
        self.book = book
        self.ws = ws
        self.wrapped: dict[int, list[tuple[int, str]]] = {}
        """Texts that wrap, by row: their rows get a height that shows every line."""

    @property
    def title(self) -> str:
        return self.ws.title

    def place(self, row: int, col: int) -> Place:
        return Place(self.ws.title, row, col)

    def _record(self, row: int, col: int, key: Key | None, mirror: Any) -> None:
        place = self.place(row, col)
        if key is not None:
            self.book.register(key, place)
        if isinstance(mirror, str):
            self.book.layout.figures[mirror] = place.address()
        elif mirror is not None:
            table, label, column = mirror
            self.book.layout.tables.setdefault(table, {})[(label, column)] = place.address()

    def text(self, row: int, col: int, value: Any, font: Font | None = None,
             wrap: bool = False) -> Cell:
        """A text cell: always a string, even when it starts with `=`, `+`, `-` or `@`."""
        cell = self.ws.cell(row, col)
        if value is None:
            return cell
        text = str(value)
        cell.value = text
        cell.data_type = "s"
        if text[:1] in "=+-@":
            cell.quotePrefix = True  # Excel keeps it text when the cell is edited
        if font is not None:
            cell.font = font
        if wrap:
            cell.alignment = WRAP
            self.wrapped.setdefault(row, []).append((col, text))
        return cell

    def value(self, row: int, col: int, value: Any, kind: str, key: Key | None = None,
              mirror: Any = None) -> Cell:
        """A structural value (locked, not an input): a count the layout depends on."""
        cell = self.ws.cell(row, col, _plain(value))
        cell.number_format = self.book.fmt(kind)
        self._record(row, col, key, mirror)
        return cell

    def input(self, row: int, col: int, value: Any, kind: str, key: Key) -> Cell:
        """An input cell: unlocked and visibly distinct (shares with every decimal given)."""
        cell = self.ws.cell(row, col, _plain(value))
        cell.number_format = self.book.fmt("rate" if kind == "share" else kind)
        cell.fill = INPUT_FILL
        cell.font = INPUT_FONT
        cell.protection = UNLOCKED
        self._record(row, col, key, None)
        self.book.layout.inputs[str(key)] = self.place(row, col).address()
        return cell

    def formula(self, row: int, col: int, formula: str, kind: str, key: Key | None = None,
                mirror: Any = None) -> Cell:
        """A formula cell (locked); placeholders are resolved when the book is finished."""
        cell = self.ws.cell(row, col)
        cell.number_format = self.book.fmt(kind)
        self.book.pending.append((cell, formula))
        self._record(row, col, key, mirror)
        return cell

    def heading(self, title: str, note: str) -> None:
        """The sheet title (with the acronym) and a note line above the first header."""
        self.text(1, 1, f"{self.book.figures.acronym} – {title}", TITLE_FONT)
        self.text(2, 1, note, NOTE_FONT)

    def block(self, row: int, title: str) -> None:
        """The title of a block of rows."""
        self.text(row, 1, title, BLOCK_FONT)

    def header(self, row: int, labels: Iterable[Any], col: int = 1) -> int:
        """A header row of text labels (or formulas given as `("=", formula, kind)`)."""
        last = col - 1
        for offset, label in enumerate(labels):
            last = col + offset
            if isinstance(label, tuple):
                cell = self.formula(row, last, label[1], label[2])
            else:
                cell = self.text(row, last, label)
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.border = HEADER_BORDER
            cell.alignment = WRAP
            if not isinstance(label, tuple):
                self.wrapped.setdefault(row, []).append((last, label))
        return last

    def total_style(self, row: int, first: int, last: int) -> None:
        """Bold with a rule above: a total row."""
        for col in range(first, last + 1):
            cell = self.ws.cell(row, col)
            cell.font = TOTAL_FONT
            cell.border = TOTAL_BORDER

    def total_of_row(self, row: int, col: int, here: Key, columns: Sequence[Any], kind: str,
                  mirror: Any = None) -> Cell:
        """A row's total at `col`: the cells `here.at(column)` from the first of `columns`
        to the last, summed, registered as `here.at(TOTAL)`."""
        return self.formula(row, col, sum_of(here.at(columns[0]), here.at(columns[-1])), kind,
                            here.at(TOTAL), mirror)

    def total_line(self, row: int, col: int, first: Key, last: Key, columns: Sequence[Any],
                  kind: str, table: str | None = None) -> None:
        """A table's total line: each column from `col` on summed from the row of `first`
        to the row of `last`, registered in the kind's `TOTAL` row (mirroring `table`'s)."""
        self.text(row, 1, self.book._("Total"))
        total = Key(first.kind, TOTAL)
        for offset, column in enumerate(columns):
            self.formula(row, col + offset, sum_of(first.at(column), last.at(column)), kind,
                         total.at(column), None if table is None else (table, TOTAL, column))
        self.total_style(row, 1, col + len(columns) - 1)

    def finish(self, widths: dict[int, float], freeze: str, filter_ref: str | None = None,
               blocks: int = 1) -> None:
        """Column widths, frozen header, filter, A4 print set-up, protection; the
        orientation and print scale follow the widths once the values are known
        (`fit_print`).

        Printed pages repeat the title and the header of a single-block sheet, and only
        the title on a sheet of several blocks (whose first header would mislead).
        """
        ws = self.ws
        for col, width in widths.items():
            ws.column_dimensions[get_column_letter(col)].width = width
        # Neither openpyxl nor every spreadsheet sizes rows to wrapped text on opening.
        for row, texts in self.wrapped.items():
            lines = max(len(textwrap.wrap(text, max(int(widths.get(col, 10) * 0.95), 1)))
                        for col, text in texts)
            if lines > 1:
                ws.row_dimensions[row].height = LINE_HEIGHT * lines
                for cell in ws[row]:  # align the row's other cells with the wrapped text
                    if not cell.alignment.wrap_text:
                        cell.alignment = TOP
        ws.freeze_panes = freeze
        if filter_ref:
            ws.auto_filter.ref = filter_ref
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = f"1:{HEADER_ROW if blocks == 1 else 2}"
        ws.print_options.gridLines = False
        # Without a password: the protection guards against slips, users may lift it.
        ws.protection = SheetProtection(
            sheet=True, formatColumns=False, formatRows=False, autoFilter=False,
            sort=False, selectLockedCells=False, selectUnlockedCells=False)


def _plain(value: Any) -> Any:
    """A value openpyxl writes: numpy scalars to Python, NaN to an empty cell."""
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def partner_name(project: Project, partner_id: str) -> str:
    """A partner's short name, or its id when the project does not know it."""
    try:
        return project.partner(partner_id).short_name
    except KeyError:
        return partner_id


def workbook_bytes(workbook: Workbook, when: dt.datetime) -> bytes:
    """The XLSX bytes, each formula stored with its value, document dates and zip entry
    times set to `when`."""
    workbook.properties.created = when
    workbook.properties.modified = when
    values = calculate(workbook)
    for sheet in workbook:
        shown = {(cell.row, cell.column): values.get((sheet.title, cell.row, cell.column),
                                                     cell.value)
                 for row in sheet.iter_rows() for cell in row if cell.value is not None}
        whole_numbers(sheet, shown)
        fit_columns(sheet, shown)
        wrap_note(sheet)
        fit_print(sheet)
    raw = io.BytesIO()
    ExcelWriter(workbook, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()
    by_part: dict[str, dict[str, Any]] = {}
    for (title, row, col), value in values.items():
        part = workbook[title].path.lstrip("/")  # set by the writer: xl/worksheets/sheetN.xml
        by_part.setdefault(part, {})[f"{get_column_letter(col)}{row}"] = value
    stamped = io.BytesIO()
    with (zipfile.ZipFile(raw) as source,
          zipfile.ZipFile(stamped, "w", zipfile.ZIP_DEFLATED) as target):
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=when.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(entry.filename)
            if entry.filename in by_part:
                content = with_values(content, by_part[entry.filename], entry.filename)
            target.writestr(info, content)
    return stamped.getvalue()


# ---------------------------------------------------------------- reading and print

DECIMAL_FORMATS = (FORMATS["number"], FORMATS["mw"])
"""Formats with two decimals that a whole value shows without."""
MAX_WIDTH = 60
"""Widest column, in characters: longer texts wrap or overflow into empty neighbours."""
MIN_SCALE = 60
"""Smallest print scale, in percent, at which 11 pt cells stay legible (about 6.6 pt)."""
PRINTABLE_PT = {"portrait": 493, "landscape": 740}
"""Printable width of A4 with the default margins (0.7 inch each side), in points."""


def whole_numbers(sheet: Worksheet, shown: dict[tuple[int, int], Any]) -> None:
    """Figures that are whole in the built workbook show without decimals: counts,
    person-months and MW read `24`, not `24.00`. An input keeps the General format, so
    a fraction typed in later still shows its decimals."""
    for (row, col), value in shown.items():
        cell = sheet.cell(row, col)
        if (cell.number_format in DECIMAL_FORMATS and isinstance(value, int | float)
                and not isinstance(value, bool) and float(value).is_integer()):
            cell.number_format = "General" if cell.protection.locked is False else "#,##0"


def shown_width(value: Any, number_format: str) -> int:
    """About how many characters a cell shows for a value in a number format."""
    if isinstance(value, bool):
        return 5
    if isinstance(value, dt.date | dt.datetime):
        return 10
    if not isinstance(value, int | float):
        return len(str(value))
    if number_format == "General":
        return len(f"{value:g}")
    decimals = len(number_format.partition(".")[2].rstrip('%"€ ').replace("#", "0"))
    if "%" in number_format:
        return len(f"{value * 100:,.{decimals}f}") + 2
    text = f"{value:,.{decimals}f}"
    return len(text) + (2 if "€" in number_format else 0)


def fit_columns(sheet: Worksheet, shown: dict[tuple[int, int], Any]) -> None:
    """Widen each column to its longest figure, its longest label that meets a filled
    neighbour, and the longest word of its wrapped headers, so nothing is cut off or
    shown as `###`; titles and notes that run into empty cells are left as they are."""
    needed: dict[int, int] = {}
    for (row, col), value in shown.items():
        cell = sheet.cell(row, col)
        if isinstance(value, str) and not (cell.data_type == "f" or str(cell.value)[:1] == "="):
            if cell.alignment.wrap_text:
                width = max((len(word) for word in value.split()), default=0)
            elif (row, col + 1) in shown:
                width = len(value)
            else:
                continue
        else:
            width = shown_width(value, cell.number_format)
        needed[col] = max(needed.get(col, 0), min(width + 2, MAX_WIDTH))
    for col, width in needed.items():
        dimension = sheet.column_dimensions[get_column_letter(col)]
        if (dimension.width or 0) < width:
            dimension.width = width


def wrap_note(sheet: Worksheet) -> None:
    """The note under the sheet title wraps across the printed columns instead of
    running past the last one."""
    note = sheet.cell(2, 1)
    if not isinstance(note.value, str) or sheet.max_column < 2:
        return
    chars = sum(sheet.column_dimensions[get_column_letter(col)].width or 8.43
                for col in range(1, sheet.max_column + 1))
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=sheet.max_column)
    note.alignment = WRAP
    sheet.row_dimensions[2].height = LINE_HEIGHT * len(textwrap.wrap(note.value,
                                                                    int(chars * 0.95)))


def fit_print(sheet: Worksheet) -> None:
    """A4 pages that stay legible: portrait when the columns fit at 75 % or more, else
    landscape, one page wide down to `MIN_SCALE`; a wider sheet spreads over several
    pages wide, each repeating the first column."""
    total = sum(((sheet.column_dimensions[get_column_letter(col)].width or 8.43) * 7 + 5)
                * 0.75 for col in range(1, sheet.max_column + 1))
    setup = sheet.page_setup
    if total * 0.75 <= PRINTABLE_PT["portrait"]:
        setup.orientation, pages = "portrait", 1
    else:
        setup.orientation = "landscape"
        pages = math.ceil(total * MIN_SCALE / 100 / PRINTABLE_PT["landscape"])
    setup.fitToWidth = pages
    setup.fitToHeight = 0
    # The print area ends at the last column: without it, the note above the header
    # (text running into empty cells) widens the page and shrinks the print.
    sheet.print_area = f"A1:{get_column_letter(sheet.max_column)}{sheet.max_row}"
    if pages > 1:
        sheet.print_title_cols = "A:A"


_FORMULA_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*)>(<f>[^<]*</f>)<v ?/>(</c>)')
"""A formula cell as openpyxl writes it: no type, an empty value."""
_EMPTY_VALUE = re.compile(rb"</f><v ?/>")


def with_values(sheet_xml: bytes, values: dict[str, Any], part: str) -> bytes:
    """The sheet's XML with each formula cell's value (by coordinate) stored beside its
    formula, typed as a spreadsheet types a formula's result."""
    def stored(match: re.Match) -> bytes:
        value = values[match[1].decode()]
        if isinstance(value, Error):
            kind, text = ' t="e"', str(value)
        elif isinstance(value, bool):
            kind, text = ' t="b"', str(int(value))
        elif isinstance(value, str):
            kind, text = ' t="str"', escape(value)
        else:
            kind, text = "", number_text(value)
        return (b'<c r="%s"%s%s>%s<v>%s</v>%s' % (match[1], match[2], kind.encode(), match[3],
                                                  text.encode(), match[4]))

    content, count = _FORMULA_CELL.subn(stored, sheet_xml)
    if count != len(values) or _EMPTY_VALUE.search(content):
        raise ValueError(f"{part}: {len(values)} formula values, {count} formula cells found")
    return content


def number_text(value: float | int) -> str:
    """A number as the XML stores it: the shortest text that reads back the same."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value)
