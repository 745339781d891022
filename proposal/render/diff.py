"""The `diff` report for its readers: a terminal table, an HTML or PDF document for a
steering committee, in English or French, and JSON for scripts.

`diff_view(report, lang)` turns `proposal.diff.Report` into translated, formatted
strings (figures as the proposal's tables write them, with the project's `Locale`);
the text and HTML renderers only lay that view out. The HTML escapes every text of
the data (Jinja autoescape) and is self-contained: one file, its style inline.

JSON (`report_json`), keys in this order, stable across versions (`schema` goes up
when one changes meaning):
- `schema` (1), `changed` (boolean: the exit code is 1 when true)
- `old`, `new`: {`label` (as given: a folder, a revision, `working tree`),
  `commit` (the commit of a revision, else null), `computed` (boolean: its figures
  could be computed; false leaves `figures` empty)}
- `figures`: list of {`ref` (`${capex.phase-1}`), `name`, `key` (id or null),
  `kind`, `chapter` (outline key), `label`, `old`, `new` (numbers in the registry's
  units, null where the figure does not exist), `difference`, `relative` (share of
  the old value; null from or to nothing, or from 0), `formatted`: {`old`, `new`,
  `difference`, `relative`} as the report's language writes them}, by chapter,
  biggest moves first
- `items`: list of {`kind` (`partner`, `phase`, `work_package`, `task`,
  `deliverable`, `milestone`, `risk`, `source`), `id`, `change` (`added`,
  `removed`), `label`, `file`}
- `texts`: list of {`file`, `partner` (id or null), `field` (dotted, ids for list
  items), `lang`, `old`, `new` (null when the text is new or gone), `words`: list of
  {`op` (`=`, `-`, `+`), `text`}}
- `values`: list of {`file`, `field`, `old`, `new`}: other input values, as text
- `problems`: list of {`change` (`appeared`, `disappeared`), `file`, `line`,
  `column`, `severity`, `code`, `message`}
- `pages`: list of {`lang`, `old`, `new`} (empty unless page counts were asked for)
"""

from __future__ import annotations

import json
import math
from typing import Any

from jinja2 import Environment, FileSystemLoader

from ..diff import CHAPTERS, FIGURE_LABELS, ITEM_KINDS, FigureMove, Report
from ..i18n import MINUS, N_, Locale, translations
from ..outline import OUTLINE
from ..placeholders import format_figure
from ..problems import printable
from ..resources import templates_dir

CONTEXT_WORDS = 8
"""Words of unchanged text kept on each side of a change; the rest is elided."""

LABELS = {
    "added": N_("added"), "removed": N_("removed"),
    "appeared": N_("appeared"), "disappeared": N_("disappeared"),
    "working tree": N_("working tree"),
}
"""The words of the report's changes (English msgids)."""

CHAPTER_TITLES = {key: title for key, level, title in OUTLINE if level == 1}


# ========================================================================== the view


def diff_view(report: Report, lang: str) -> dict[str, Any]:
    """The report as a reader sees it in `lang`: translated labels, formatted figures."""
    loc = Locale(lang)
    _ = loc.gettext
    chapters = []
    for chapter in CHAPTERS:
        rows = [_figure_row(move, loc) for move in report.figures if move.chapter == chapter]
        if rows:
            chapters.append({"title": _(CHAPTER_TITLES[chapter]), "rows": rows})
    return {
        "lang": lang,
        "old": _version(report.old, loc),
        "new": _version(report.new, loc),
        "changed": report.changed,
        "computed": all(report.computed),
        "chapters": chapters,
        "items": [{"kind": _(ITEM_KINDS[item.kind]), "id": item.id,
                   "change": _(LABELS[item.change]), "added": item.change == "added",
                   "label": loc.text(item.label) if not isinstance(item.label, str)
                   else item.label}
                  for item in report.items],
        "texts": [{"where": _where(text.file, text.partner, loc), "field": text.field,
                   "lang": text.lang, "runs": elide(text.words())}
                  for text in report.texts],
        "values": [{"where": _where(value.file, None, loc), "field": value.field,
                    "old": "–" if value.old is None else value.old,
                    "new": "–" if value.new is None else value.new}
                   for value in report.values],
        "problems": [{"change": _(LABELS[change.change]),
                      "appeared": change.change == "appeared",
                      "text": str(change.problem)}
                     for change in report.problems],
        "pages": [{"edition": loc.babel.languages.get(edition, edition),
                   "old": _count(old, loc), "new": _count(new, loc),
                   "difference": _signed_count(old, new, loc)}
                  for edition, (old, new) in report.pages.items()],
    }


def _version(version: Any, loc: Locale) -> str:
    label = loc.gettext(LABELS[version.label]) if version.label in LABELS else version.label
    return f"{label} ({version.commit[:10]})" if version.commit else label


def _where(file: str, partner: str | None, loc: Locale) -> str:
    return loc.gettext("partner {id}").format(id=partner) if partner else file


def _figure_row(move: FigureMove, loc: Locale) -> dict[str, str]:
    label = loc.gettext(FIGURE_LABELS[move.name])
    formatted = format_move(move, loc)
    return {"label": f"{label} ({move.key})" if move.key else label, **formatted}


def format_move(move: FigureMove, loc: Locale) -> dict[str, str]:
    """Old, new, difference and relative change as the tables of `loc` write them."""

    def value(number: float | None) -> str:
        return "–" if number is None else format_figure(number, move.kind, loc, full=True)

    difference = move.difference
    signed = "–" if difference is None else _sign(difference) + value(abs(difference))
    return {"old": value(move.old), "new": value(move.new), "difference": signed,
            "relative": "–" if move.relative is None else _relative(move.relative, loc)}


def _sign(number: float) -> str:
    return MINUS if number < 0 else "+"


def _relative(share: float, loc: Locale) -> str:
    """A relative change with two significant digits, never rounded to nothing."""
    percent = abs(share) * 100
    decimals = min(4, max(0, 1 - math.floor(math.log10(percent)))) if percent else 0
    decimals = next(d for d in range(decimals + 1)
                    if round(percent, d) == round(percent, decimals))
    return _sign(share) + loc.percent(abs(share), decimals)


def _count(pages: int | None, loc: Locale) -> str:
    return "–" if pages is None else loc.number(pages)


def _signed_count(old: int | None, new: int | None, loc: Locale) -> str:
    if old is None or new is None:
        return "–"
    return "0" if old == new else _sign(new - old) + loc.number(abs(new - old))


def elide(runs: list[tuple[str, str]], context: int = CONTEXT_WORDS) -> list[tuple[str, str]]:
    """The runs with long unchanged stretches cut to `context` words around each change."""
    out = []
    for n, (op, text) in enumerate(runs):
        words = text.split(" ")
        if op != "=" or len(words) <= 2 * context + 1:
            out.append((op, text))
            continue
        head = " ".join(words[:context]) if n > 0 else ""
        tail = " ".join(words[-context:]) if n < len(runs) - 1 else ""
        out.append((op, f"{head}{' ' if head else ''}…{' ' if tail else ''}{tail}"))
    return out


# ========================================================================= the text


def render_text(view: dict[str, Any], color: bool = False) -> str:
    """The view as a terminal report: tables in columns; changed words in red and green
    when `color`, else marked `[-old-]{+new+}`. Control characters of the data are
    escaped, so that a text cannot colour the terminal or forge a line."""
    _ = translations(view["lang"]).gettext
    lines = [_("What changed"), _("From {old} to {new}").format(old=view["old"], new=view["new"])]
    if not view["changed"]:
        lines.append(_("No change."))
    if not view["computed"]:
        lines.append(_("Figures are not compared: a version has errors that stop compute."))
    lines = [_safe(line) for line in lines]
    for chapter in view["chapters"]:
        lines += ["", _safe(f"{_('Figures that moved')} — {chapter['title']}")]
        lines += _columns([[_("figure"), _("before"), _("after"), _("difference"),
                            _("change")]] + [[row[k] for k in ("label", "old", "new",
                                                                "difference", "relative")]
                                             for row in chapter["rows"]])
    if view["items"]:
        lines += ["", _safe(_("Added and removed"))]
        lines += _columns([[i["change"], i["kind"], i["id"], _short(i["label"])]
                           for i in view["items"]])
    if view["texts"]:
        lines += ["", _safe(_("Texts that changed"))]
        for text in view["texts"]:
            lines.append(_safe(f"  {text['where']} · {text['field']} ({text['lang']}): ")
                         + "".join(_marked(op, _safe(part), color)
                                   for op, part in text["runs"]))
    if view["values"]:
        lines += ["", _safe(_("Other values that changed"))]
        lines += _columns([[v["where"], v["field"], v["old"], "→", v["new"]]
                           for v in view["values"]])
    if view["problems"]:
        lines += ["", _safe(_("Problems that appeared or disappeared"))]
        lines += [_safe(f"  {p['change']}: {p['text']}") for p in view["problems"]]
    if view["pages"]:
        lines += ["", _safe(_("Pages"))]
        lines += _columns([[_("edition"), _("before"), _("after"), _("difference")]]
                          + [[p["edition"], p["old"], p["new"], p["difference"]]
                             for p in view["pages"]])
    return "\n".join(lines) + "\n"


def _safe(text: str) -> str:
    """A text for a terminal: no-break spaces as plain ones, control characters escaped."""
    return printable(text.replace("\u00a0", " ").replace("\u202f", " "))


def _columns(rows: list[list[str]]) -> list[str]:
    rows = [[_safe(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(cell.ljust(width) if i == 0 or not _numeric(cell) else
                             cell.rjust(width) for i, (cell, width) in
                             enumerate(zip(row, widths, strict=True))).rstrip()
            for row in rows]


def _numeric(cell: str) -> bool:
    return any(ch.isdigit() for ch in cell[:3]) or cell[:1] in ("+", MINUS, "€", "–")


def _short(text: str, most: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= most else text[:most - 1] + "…"


def _marked(op: str, text: str, color: bool) -> str:
    if op == "=":
        return text
    if color:
        return f"\x1b[{'31;9' if op == '-' else '32'}m{text}\x1b[0m"
    return f"[-{text}-]" if op == "-" else f"{{+{text}+}}"


# ========================================================================= the HTML


def render_html(view: dict[str, Any], fonts: bool = False) -> str:
    """The view as a self-contained HTML document (every text escaped); `fonts` adds
    the shipped fonts, by URLs relative to the templates folder, for `render_pdf`."""
    env = Environment(loader=FileSystemLoader(templates_dir()), autoescape=True,
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(translations(view["lang"]), newstyle=True)
    return env.get_template("diff.html").render(view=view, tag=Locale(view["lang"]).tag,
                                                fonts=fonts)


def render_pdf(html: str) -> bytes:
    """The HTML document as a PDF (WeasyPrint), with the shipped fonts."""
    from weasyprint import HTML

    return HTML(string=html, base_url=str(templates_dir())).write_pdf()


# ========================================================================= the JSON


def report_json(report: Report, lang: str = "en") -> str:
    """The report as JSON for scripts (see the module docstring for the keys)."""
    loc = Locale(lang)

    def version(version: Any, computed: bool) -> dict[str, Any]:
        return {"label": version.label, "commit": version.commit, "computed": computed}

    data = {
        "schema": 1,
        "changed": report.changed,
        "old": version(report.old, report.computed[0]),
        "new": version(report.new, report.computed[1]),
        "figures": [{"ref": m.ref, "name": m.name, "key": m.key, "kind": m.kind,
                     "chapter": m.chapter, "label": loc.gettext(FIGURE_LABELS[m.name]),
                     "old": m.old, "new": m.new, "difference": m.difference,
                     "relative": m.relative, "formatted": format_move(m, loc)}
                    for m in report.figures],
        "items": [{"kind": i.kind, "id": i.id, "change": i.change,
                   "label": i.label if isinstance(i.label, str) else loc.text(i.label),
                   "file": i.file} for i in report.items],
        "texts": [{"file": t.file, "partner": t.partner, "field": t.field, "lang": t.lang,
                   "old": t.old, "new": t.new,
                   "words": [{"op": op, "text": text} for op, text in t.words()]}
                  for t in report.texts],
        "values": [{"file": v.file, "field": v.field, "old": v.old, "new": v.new}
                   for v in report.values],
        "problems": [{"change": c.change, **c.problem.as_json()} for c in report.problems],
        "pages": [{"lang": edition, "old": old, "new": new}
                  for edition, (old, new) in report.pages.items()],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
