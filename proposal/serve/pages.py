"""The pages `serve` shows: an edition with the preview's bar, the problems of an invalid
input, and the outputs of the last full build.

An edition is the exact HTML the PDF is made from, with its file URLs turned into the
server's paths (the stylesheet and fonts under `/assets/`, each logo under
`/logo/<partner>`), the bar and the reload script added, and under each partner's
heading the YAML file it comes from. The pages load no inline script; the edition's
inline `<style>` is allowed by its hash in the Content-Security-Policy, and so are its
`style` attributes (the tables' column widths), each value by its hash under
`style-src-attr 'unsafe-hashes'`: no other inline style applies.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from html import unescape
from pathlib import Path
from urllib.parse import quote

from markupsafe import Markup, escape

from ..assets import partner_logos
from ..i18n import translations
from ..locations import NOWHERE
from ..models import LANGUAGES, partner_file
from ..resources import templates_dir
from .builds import BuildRun, Published
from .preview import Snapshot

PAGE_POLICY = ("default-src 'none'; script-src 'self'; connect-src 'self'; img-src 'self' data:; "
               "font-src 'self'; style-src 'self'{styles}; base-uri 'none'; form-action 'self'; "
               "frame-ancestors 'none'{attributes}")
"""The Content-Security-Policy of every page: only the server's own files; `{styles}`
takes the hashes of the edition's inline stylesheet, `{attributes}` a `style-src-attr`
directive with the hashes of its `style` attributes' values (when it has any)."""
STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", re.S)
STYLE_ATTRIBUTE = re.compile(r"""<[^<>]*?\sstyle=(?:"([^"]*)"|'([^']*)')""")
PARTNER_HEADING = re.compile(r'(<h2 id="partner-([^"]+)">.*?</h2>)', re.S)


class Page:
    """A page as the server sends it: HTML and the hashes of its inline stylesheets."""

    def __init__(self, html: str, styles: tuple[str, ...] = (),
                 attributes: tuple[str, ...] = ()):
        self.html = html
        self.styles = styles
        self.attributes = attributes
        """The hashes of the values of its `style` attributes."""

    @property
    def policy(self) -> str:
        """The page's Content-Security-Policy header."""
        attributes = "".join(f" 'sha256-{h}'" for h in self.attributes)
        return PAGE_POLICY.format(
            styles="".join(f" 'sha256-{h}'" for h in self.styles),
            attributes=f"; style-src-attr 'unsafe-hashes'{attributes}" if attributes else "")


def editor_link(path: Path, line: int = 0, col: int = 0) -> str:
    """A link that opens `path` in Visual Studio Code (at `line:col` when given)."""
    where = f":{line}:{col}" if line else ""
    return "vscode://file" + quote(path.as_posix()) + where


def bar(lang: str, here: str, status: str, ok: bool) -> Markup:
    """The preview's bar: the language switch, the input's status, the builds page."""
    _ = translations(lang).gettext
    suffix = "/builds" if here == "builds" else ""
    langs = Markup(" ").join(
        Markup('<a href="/{l}{s}" hreflang="{l}"{c}>{u}</a>').format(
            l=other, s=suffix, u=other.upper(),
            c=Markup(' aria-current="page"') if other == lang else "")
        for other in LANGUAGES)
    links = Markup('<a href="/{l}">{p}</a> <a href="/{l}/builds">{b}</a>').format(
        l=lang, p=_("Preview"), b=_("Outputs and full build"))
    return Markup(
        '<nav class="serve-bar" aria-label="{label}"><strong>{title}</strong> '
        '<span class="serve-langs">{language}: {langs}</span> '
        '<span class="serve-status {state}" id="serve-status">{status}</span> '
        '<span class="serve-links">{links}</span></nav>').format(
        label=_("Live preview"), title=_("Live preview"), language=_("Language"), langs=langs,
        state="serve-ok" if ok else "serve-bad", status=status, links=links)


def head(version: tuple[int, int], watch: str, token: str) -> Markup:
    """What every page adds to its `<head>`: the bar's stylesheet, the reload script
    and what it compares (the version the page shows, the counter it watches)."""
    return Markup(
        '<link rel="icon" href="data:,">'  # no request for a favicon
        '<link rel="stylesheet" href="/_serve/serve.css">'
        '<script src="/_serve/client.js" defer></script>'
        '<meta name="serve-watch" content="{watch}">'
        '<meta name="serve-version" content="{version}">'
        '<meta name="serve-token" content="{token}">').format(
        watch=watch, version=version[0] if watch == "preview" else version[1], token=token)


def edition_page(html: str, snapshot: Snapshot, lang: str, root: Path,
                 version: tuple[int, int], token: str) -> Page:
    """The edition's HTML as the browser gets it (see the module's docstring)."""
    _ = translations(lang).gettext
    html = html.replace(templates_dir().as_uri() + "/", "/assets/")
    for logo in partner_logos(snapshot.checked.project, root, NOWHERE):
        html = html.replace(str(escape(logo.url)), f"/logo/{quote(logo.partner.id)}")

    def source(match: re.Match[str]) -> str:
        rel = partner_file(match.group(2))
        return match.group(1) + str(Markup(
            '<p class="serve-source">{label} <code>{rel}</code> '
            '<a href="{link}">{open}</a></p>').format(
            label=_("Edit:"), rel=rel, link=editor_link(root / rel), open=_("open in VS Code")))

    html = PARTNER_HEADING.sub(source, html)
    styles = tuple(_hash(block) for block in STYLE_BLOCK.findall(html))
    attributes = tuple(sorted({_hash(unescape(double or single))
                               for double, single in STYLE_ATTRIBUTE.findall(html)}))
    # Markup + str would escape the str: the added tags are made plain strings first.
    html = html.replace("</head>", str(head(version, "preview", token)) + "</head>", 1)
    top = str(bar(lang, "preview", snapshot.report.splitlines()[-1], True))
    if snapshot.problems:  # warnings, as `check` prints them
        top += str(Markup('<details class="serve-warnings"><summary>{title}</summary>'
                          '<pre class="serve-problems">{report}</pre></details>').format(
            title=_("Warnings"), report=snapshot.report))
    html = re.sub(r"<body[^>]*>", lambda m: m.group(0) + top, html, count=1)
    return Page(html, styles, attributes)


def problems_page(snapshot: Snapshot, lang: str, root: Path, version: tuple[int, int],
                  token: str) -> Page:
    """The located problems of an invalid input, as `check` prints them; or, when the
    tool itself failed, its traceback."""
    _ = translations(lang).gettext
    if snapshot.checked is None:
        heading, report = _("The tool failed on this input (a bug: please report it)"), \
            snapshot.failure
        summary = _("The tool failed")
    else:
        heading, report = _("The input has problems"), snapshot.report
        summary = report.splitlines()[-1]
    files = Markup("").join(
        Markup('<li><code>{file}:{line}:{col}</code> <a href="{link}">{open}</a></li>').format(
            file=p.file, line=p.line, col=p.col, link=editor_link(root / p.file, p.line, p.col),
            open=_("open in VS Code"))
        for p in snapshot.problems if p.severity == "error")
    body = Markup(
        '<main class="serve-page"><h1>{heading}</h1><p>{hint}</p>'
        '<pre class="serve-problems" id="serve-problems">{report}</pre>'
        '<ul class="serve-files">{files}</ul></main>').format(
        heading=heading, hint=_("Fix the file and save: this page reloads by itself."),
        report=report, files=files)
    return _page(lang, _("Problems"), bar(lang, "preview", summary, False), body,
                 head(version, "preview", token))


def builds_page(published: Published | None, run: BuildRun | None, out_dir: Path, lang: str,
                summary: str, ok: bool, version: tuple[int, int], token: str) -> Page:
    """The outputs of the last full build and a button that starts one."""
    _ = translations(lang).gettext
    if published is None:
        outputs = Markup("<p>{}</p>").format(Markup(_("No full build yet in {folder}.")).format(
            folder=Markup("<code>{}</code>").format(out_dir)))
    else:
        rows = Markup("").join(
            Markup("<tr><td><code>{path}</code></td><td>{size:,}</td>"
                   "<td><code>{sha}</code></td></tr>").format(path=path, size=size,
                                                             sha=sha[:16])
            for path, size, sha in published.outputs)
        outputs = Markup(
            "<p>{built}</p><table class=\"serve-outputs\"><thead><tr>"
            "<th>{file}</th><th>{bytes}</th><th>SHA-256</th></tr></thead><tbody>{rows}"
            "</tbody></table>").format(
            built=_("Built at {time} (build {id})").format(time=published.built_at,
                                                        id=published.build_id),
            file=_("File"), bytes=_("Bytes"), rows=rows)
    if run is None:
        state = Markup("")
    elif run.exit_code is None:
        state = Markup("<p class=\"serve-running\">{running}</p>").format(
            running=_("A full build is running…"))
    else:
        state = Markup("<p>{ended}</p><pre class=\"serve-log\">{out}</pre>").format(
            ended=_("The last build, started at {time}, ended with exit code {code}.").format(
                time=dt.datetime.fromtimestamp(run.started).strftime("%H:%M:%S"),
                code=run.exit_code), out=run.output)
    body = Markup(
        '<main class="serve-page"><h1>{title}</h1>{outputs}'
        '<p><button type="button" id="serve-build"{disabled}>{build}</button></p>'
        '<div id="serve-build-state">{state}</div></main>').format(
        title=_("Outputs of the last full build"), outputs=outputs,
        disabled=Markup(" disabled") if run is not None and run.exit_code is None else "",
        build=_("Run a full build"), state=state)
    return _page(lang, _("Outputs and full build"), bar(lang, "builds", summary, ok), body,
                 head(version, "build", token))


def _page(lang: str, title: str, top: Markup, body: Markup, extra: Markup) -> Page:
    html = Markup(
        '<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        "<title>{title}</title>{extra}</head><body>{top}{body}</body></html>\n").format(
        lang=lang, title=title, extra=extra, top=top, body=body)
    return Page(str(html))


def _hash(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

