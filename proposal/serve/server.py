"""The preview's HTTP server: what it answers, and what it refuses.

It answers only:

    GET  /                         redirect to the first language's edition
    GET  /<lang>                   the edition (or the problems of an invalid input)
    GET  /<lang>/builds            the outputs of the last full build
    GET  /assets/<file>            a stylesheet or font under templates/
    GET  /logo/<partner>           a partner's logo, when it lies inside the input folder
    GET  /_serve/client.js, /_serve/serve.css    the preview's script and stylesheet
    GET  /_serve/events            Server-Sent Events: the versions the pages compare
    POST /_serve/build             start a full build

and refuses with a 4xx: a `Host` other than the server's own loopback name and port
(DNS rebinding), a path with `..`, `.`, backslashes, NUL or empty segments, however
encoded, a file that resolves (through symbolic links) outside its folder, and on
the event stream and the build, a request from another origin (`Origin`,
`Sec-Fetch-Site`); the build also needs the page's token in `X-Serve-Token`, which a
cross-origin request cannot send without a preflight the server never grants.
"""

from __future__ import annotations

import ipaddress
import json
import secrets
import socket
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..models import LANGUAGES
from ..resources import templates_dir
from .builds import Builds
from .pages import Page, builds_page, edition_page, problems_page
from .preview import KEEPALIVE_SECONDS, Preview

HERE = Path(__file__).resolve().parent
OWN_FILES = {"client.js": "text/javascript", "serve.css": "text/css"}
"""The preview's own files under /_serve/."""
ASSET_TYPES = {".css": "text/css", ".otf": "font/otf", ".ttf": "font/ttf",
               ".woff": "font/woff", ".woff2": "font/woff2"}
"""What /assets/ serves from templates/: the stylesheet and the fonts, not the templates,
with their content types (set here, not guessed from the system's MIME table: a browser
under `nosniff` refuses a font or stylesheet sent with another type)."""
LOGO_SUFFIXES = {".png": "image/png", ".svg": "image/svg+xml"}
"""The logos' kinds (`proposal.images` accepts these two)."""
COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
"""Sent with every answer."""
FILE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox"
"""The policy of a served file: an SVG opened on its own runs nothing."""


def is_loopback(host: str) -> bool:
    """`host` names this machine only: localhost, 127.0.0.0/8, ::1."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class PreviewServer(ThreadingHTTPServer):
    """A threading HTTP server holding the preview, the builds and what it accepts."""

    daemon_threads = True  # the event streams wait; they must not hold the exit

    def __init__(self, address: tuple[str, int], preview: Preview, builds: Builds,
                 remote: bool = False):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)
        self.preview, self.builds, self.versions = preview, builds, preview.versions
        self.token = secrets.token_urlsafe(24)
        """What the pages send with a build request (`X-Serve-Token`)."""
        host, port = address[0], self.server_address[1]
        names = {"127.0.0.1", "localhost", "[::1]"} if is_loopback(host) else set()
        names.add(f"[{host}]" if ":" in host else host)
        self.hosts = frozenset(f"{name}:{port}" for name in names)
        """The `Host` headers accepted: the server's own names, with its port."""
        self.remote = remote
        """Other machines may connect (`--allow-remote`): a `Host` that is an IP address
        with the server's port is accepted too (a DNS rebinding attack needs a name)."""
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{port}/"
        """Where a browser opens the preview."""


class Handler(BaseHTTPRequestHandler):
    """Answers one request (see the module's docstring)."""

    server: PreviewServer
    server_version = "consortium-proposal-serve"
    sys_version = ""

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the terminal shows the URL and problems, not every request."""

    def do_GET(self) -> None:
        """Route a GET request."""
        parts = self._checked_path()
        if parts is None:
            return
        if parts == []:
            self._redirect(f"/{LANGUAGES[0]}")
        elif len(parts) == 1 and parts[0] in LANGUAGES:
            self._send_page(self._edition(parts[0]))
        elif len(parts) == 2 and parts[0] in LANGUAGES and parts[1] == "builds":
            self._send_page(self._builds(parts[0]))
        elif len(parts) == 2 and parts[0] == "_serve" and parts[1] in OWN_FILES:
            self._send_file(HERE / parts[1], OWN_FILES[parts[1]])
        elif parts == ["_serve", "events"]:
            self._events()
        elif parts[0] == "assets" and len(parts) > 1:
            self._asset(parts[1:])
        elif parts[0] == "logo" and len(parts) == 2:
            self._logo(parts[1])
        else:
            self._refuse(HTTPStatus.NOT_FOUND, "not found")

    def do_POST(self) -> None:
        """Start a full build (the only POST)."""
        parts = self._checked_path()
        if parts is None:
            return
        if parts != ["_serve", "build"]:
            self._refuse(HTTPStatus.NOT_FOUND, "not found")
        elif not self._same_origin(required=True):
            self._refuse(HTTPStatus.FORBIDDEN, "cross-origin request refused")
        elif not secrets.compare_digest(self.headers.get("X-Serve-Token", ""),
                                        self.server.token):
            self._refuse(HTTPStatus.FORBIDDEN, "missing or wrong X-Serve-Token")
        elif not self.server.builds.start():
            self._refuse(HTTPStatus.CONFLICT, "a build is already running")
        else:
            self._send(HTTPStatus.ACCEPTED, b"build started\n", "text/plain; charset=utf-8")

    # ------------------------------------------------------------------ checks

    def _checked_path(self) -> list[str] | None:
        """The path's segments, decoded; None (after refusing) for a foreign Host or a
        path that tries to leave its folder."""
        if not self._own_host(self.headers.get("Host", "").lower()):
            self._refuse(HTTPStatus.MISDIRECTED_REQUEST, "unknown Host")
            return None
        path = urlsplit(self.path).path
        if not path.startswith("/"):
            self._refuse(HTTPStatus.BAD_REQUEST, "bad path")
            return None
        try:
            parts = [unquote(part, errors="strict") for part in path[1:].split("/")] \
                if path != "/" else []
        except UnicodeDecodeError:
            parts = [""]
        if any(part in ("", ".", "..") or "\\" in part or "\x00" in part or "/" in part
               for part in parts):
            self._refuse(HTTPStatus.BAD_REQUEST, "bad path")
            return None
        return parts

    def _own_host(self, host: str) -> bool:
        """`host` (a `Host` header) names this server."""
        if host in self.server.hosts:
            return True
        name, _, port = host.rpartition(":")
        if not self.server.remote or port != str(self.server.server_address[1]):
            return False
        try:
            ipaddress.ip_address(name.removeprefix("[").removesuffix("]"))
        except ValueError:
            return False
        return True

    def _same_origin(self, required: bool) -> bool:
        """The request comes from the server's own pages: its `Origin` (when sent, or
        always when `required`) names this server and `Sec-Fetch-Site` (when sent) says so."""
        origin = self.headers.get("Origin")
        if origin is None:
            if required:
                return False
        elif not (origin.startswith("http://") and self._own_host(origin[7:].lower())):
            return False
        return self.headers.get("Sec-Fetch-Site", "same-origin") == "same-origin"

    # ------------------------------------------------------------------ answers

    def _edition(self, lang: str) -> Page:
        preview = self.server.preview
        version = self.server.versions.current()
        snapshot, html = preview.edition(lang)
        if not html:
            return problems_page(snapshot, lang, preview.root, version, self.server.token)
        return edition_page(html, snapshot, lang, preview.root, version, self.server.token)

    def _builds(self, lang: str) -> Page:
        builds, snapshot = self.server.builds, self.server.preview.snapshot
        summary = snapshot.report.splitlines()[-1] if snapshot.checked else "failed"
        return builds_page(builds.published(), builds.last, builds.out_dir, lang, summary,
                           snapshot.ok, self.server.versions.current(), self.server.token)

    def _asset(self, parts: list[str]) -> None:
        folder = templates_dir().resolve()
        path = folder.joinpath(*parts).resolve()
        if (not path.is_relative_to(folder) or path.suffix.lower() not in ASSET_TYPES
                or not path.is_file()):
            self._refuse(HTTPStatus.NOT_FOUND, "not found")
            return
        self._send_file(path, ASSET_TYPES[path.suffix.lower()])

    def _logo(self, partner_id: str) -> None:
        preview = self.server.preview
        checked = preview.snapshot.checked
        partner = next((p for p in checked.project.partners if p.id == partner_id),
                       None) if checked else None
        path = (preview.root / partner.logo).resolve() if partner and partner.logo else None
        if (path is None or not path.is_relative_to(preview.root)
                or path.suffix.lower() not in LOGO_SUFFIXES or not path.is_file()):
            self._refuse(HTTPStatus.NOT_FOUND, "not found")
            return
        self._send_file(path, LOGO_SUFFIXES[path.suffix.lower()])

    def _events(self) -> None:
        if not self._same_origin(required=False):
            self._refuse(HTTPStatus.FORBIDDEN, "cross-origin request refused")
            return
        versions = self.server.versions
        self.send_response(HTTPStatus.OK)
        self._headers("text/event-stream", FILE_POLICY)
        self.end_headers()
        seen = (-1, -1)
        try:
            self.wfile.write(b"retry: 500\n\n")
            while not versions.closed:
                now = versions.wait(seen, KEEPALIVE_SECONDS)
                if now != seen:
                    data = json.dumps({"preview": now[0], "build": now[1]})
                    self.wfile.write(f"data: {data}\n\n".encode())
                    seen = now
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
        except OSError:  # the page went away
            pass
        self.close_connection = True

    def _send_page(self, page: Page) -> None:
        self._send(HTTPStatus.OK, page.html.encode(), "text/html; charset=utf-8", page.policy)

    def _send_file(self, path: Path, content_type: str) -> None:
        try:
            data = path.read_bytes()
        except OSError:
            self._refuse(HTTPStatus.NOT_FOUND, "not found")
            return
        self._send(HTTPStatus.OK, data, content_type)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", location)
        self._headers("text/plain; charset=utf-8", FILE_POLICY, 0)
        self.end_headers()

    def _refuse(self, status: HTTPStatus, reason: str) -> None:
        self._send(status, f"{status.value} {status.phrase}: {reason}\n".encode(),
                   "text/plain; charset=utf-8")

    def _send(self, status: HTTPStatus, body: bytes, content_type: str,
              policy: str = FILE_POLICY) -> None:
        self.send_response(status)
        self._headers(content_type, policy, len(body))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _headers(self, content_type: str, policy: str, length: int | None = None) -> None:
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Security-Policy", policy)
        for name, value in COMMON_HEADERS.items():
            self.send_header(name, value)
        if length is not None:
            self.send_header("Content-Length", str(length))
