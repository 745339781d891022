"""The live preview (`serve`): what it shows, how it follows the files, what it refuses.

Each test starts the server in a thread on a free port, on a copy of a test root, and
talks to it with http.client; the real browser test is tests/test_serve_browser.py.
"""

from __future__ import annotations

import html
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from proposal.cli import main
from proposal.pipeline import check
from proposal.problems import format_problems
from proposal.serve import running
from proposal.serve import server as server_module

from .conftest import REPO, SampleProject

WAIT = 60.0
"""Longest a test waits for the server to notice a save (a loaded machine is slow)."""


@pytest.fixture
def live(sample: SampleProject, tmp_path: Path) -> Iterator[tuple[SampleProject, object]]:
    """The minimal project served, with its output folder in tmp."""
    with running(sample.path, tmp_path / "out") as server:
        yield sample, server


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The minimal project served, for the tests that change nothing (one server)."""
    import shutil

    from .conftest import ROOTS

    tmp = tmp_path_factory.mktemp("served")
    shutil.copytree(ROOTS / "minimal", tmp / "project")
    with running(tmp / "project", tmp / "out") as server:
        yield server


def request(server, path: str, method: str = "GET", headers: dict | None = None,
            host: str | None = None) -> tuple[int, dict[str, str], str]:
    """(status, headers, body) of one request, `path` sent as written."""
    port = server.server_address[1]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        if host != "":
            connection.putheader("Host", host or f"127.0.0.1:{port}")
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return (response.status, {k.lower(): v for k, v in response.getheaders()},
                response.read().decode("utf-8", "replace"))
    finally:
        connection.close()


def wait_for(server, path: str, text: str) -> str:
    """The page at `path` once it contains `text`."""
    deadline = time.monotonic() + WAIT
    while True:
        body = request(server, path)[2]
        if text in body or time.monotonic() > deadline:
            assert text in body, body[:2000]
            return body
        time.sleep(0.05)


def origin(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


# ---------------------------------------------------------------- what it shows

def test_the_edition_is_the_pdf_html_with_served_urls(served) -> None:
    server = served
    status, headers, body = request(server, "/en")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert "<h2 id=\"partner-alpha\">" in body and "Alpha runs data centres." in _text(body)
    assert "file:/" not in body  # the PDF's file URLs are the server's paths here
    assert '<link rel="stylesheet" href="/assets/proposal.css">' in body
    assert 'src="/logo/alpha"' in body
    policy = headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    [style] = re.findall(r"<style>(.*?)</style>", body, re.S)
    import base64
    import hashlib
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy
    assert '<script src="/_serve/client.js" defer></script>' in body


def test_assets_and_logos_are_served(live) -> None:
    sample, server = live
    status, headers, css = request(server, "/assets/proposal.css")
    assert (status, headers["content-type"]) == (200, "text/css")
    assert "@font-face" in css
    fonts = re.findall(r'url\("(fonts/[^"]+)"\)', css)  # the shipped fonts
    assert fonts
    for font in fonts:
        status, headers, _ = request(server, f"/assets/{font}")
        assert (status, headers["content-type"]) == (200, "font/otf"), font
    status, headers, svg = request(server, "/logo/alpha")
    assert (status, headers["content-type"]) == (200, "image/svg+xml")
    assert svg == (sample.path / "logos/alpha.svg").read_text()
    assert "sandbox" in headers["content-security-policy"]
    assert request(server, "/_serve/client.js")[1]["content-type"] == "text/javascript"


def test_language_switch(served) -> None:
    server = served
    english, french = request(server, "/en")[2], request(server, "/fr")[2]
    assert '<html lang="en-IE">' in english and '<html lang="fr-FR">' in french
    assert '<a href="/fr" hreflang="fr">FR</a>' in english
    assert '<a href="/en" hreflang="en">EN</a>' in french
    assert "Live preview" in english and "Aperçu en direct" in french
    assert request(server, "/")[0] == 302


def test_each_partner_names_its_file(live) -> None:
    sample, server = live
    body = request(server, "/en")[2]
    for partner in ("alpha", "beta"):
        assert f"<code>partners/{partner}.yaml</code>" in body
        link = f"vscode://file{(sample.path / 'partners' / f'{partner}.yaml').as_posix()}"
        assert f'href="{link}"' in body


def test_a_save_changes_the_page_and_the_event_stream(live) -> None:
    sample, server = live
    assert "Refreshed profile" not in request(server, "/en")[2]
    port = server.server_address[1]
    stream = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
    stream.request("GET", "/_serve/events")
    events = stream.getresponse()
    assert events.headers["Content-Type"] == "text/event-stream"
    first = _next_event(events)
    sample.edit("partners/alpha.yaml", "Alpha runs data centres.", "Refreshed profile.")
    second = _next_event(events)
    stream.close()
    assert second["preview"] == first["preview"] + 1 and second["build"] == first["build"]
    wait_for(server, "/en", "Refreshed profile.")


def test_a_save_before_the_watcher_starts_is_seen(sample: SampleProject) -> None:
    """The watcher compares with the files as they were before the check read them: a
    save while the server starts is not taken for the state it started from."""
    from proposal.serve.preview import Preview, Versions, Watcher

    preview = Preview(sample.path, Versions())
    sample.edit("partners/alpha.yaml", "Alpha runs data centres.", "Refreshed profile.")
    watcher = Watcher(preview)
    watcher.start()
    try:
        deadline = time.monotonic() + WAIT
        while preview.snapshot.version < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        watcher.stop()
    assert "Refreshed profile." in preview.edition("en")[1]


def test_a_save_lays_out_the_edition_last_viewed_before_the_news(sample: SampleProject,
                                                                   monkeypatch) -> None:
    """The page that reloads on the event finds its edition laid out: the refresh
    lays out the language last asked for before it bumps the version."""
    from proposal.render.pdf import builder
    from proposal.serve.preview import Preview, Versions

    versions = Versions()
    preview = Preview(sample.path, versions)
    assert "Refreshed profile." not in preview.edition("en")[1]
    sample.edit("partners/alpha.yaml", "Alpha runs data centres.", "Refreshed profile.")
    before = versions.current()
    preview.refresh()
    assert versions.current()[0] == before[0] + 1

    def no_layout(*args, **kwargs):
        raise AssertionError("laid out after the reload event")

    monkeypatch.setattr(builder, "render_html", no_layout)
    snapshot, page = preview.edition("en")
    assert snapshot.ok and "Refreshed profile." in page


def _text(html_text: str) -> str:
    """The HTML without its tags: proper names are wrapped in spans that never hyphenate."""
    return re.sub(r"<[^>]+>", "", html_text)


def _next_event(response: http.client.HTTPResponse) -> dict:
    while True:
        line = response.fp.readline().decode()
        if line.startswith("data: "):
            return json.loads(line[6:])


def test_invalid_input_shows_what_check_prints_then_recovers(live) -> None:
    sample, server = live
    sample.edit("partners/beta.yaml", "short_name:", "short_name: [unclosed\nx:")
    body = wait_for(server, "/en", "The input has problems")
    shown = html.unescape(re.search(r'<pre class="serve-problems"[^>]*>(.*?)</pre>', body,
                                    re.S).group(1))
    result = check(sample.path)
    assert shown == f"{format_problems(result.problems)}\n{result.summary()}"
    assert re.match(r"partners/beta\.yaml:\d+:\d+: error: ", shown)
    assert 'class="serve-status serve-bad"' in body
    sample.edit("partners/beta.yaml", "short_name: [unclosed\nx:", "short_name:")
    body = wait_for(server, "/en", '<h2 id="partner-beta">')
    assert "The input has problems" not in body


def test_warnings_show_above_the_edition(live) -> None:
    sample, server = live
    sample.edit("data/cost_model.yaml", "pue: {value: 1.2, assumption: true, note: {en: Test "
                "value., fr: Valeur de test.}}", "pue: 1.2")
    body = wait_for(server, "/en", "1 warning")
    shown = html.unescape(re.search(r'<details class="serve-warnings"><summary>Warnings</summary>'
                                    r'<pre class="serve-problems">(.*?)</pre>', body,
                                    re.S).group(1))
    result = check(sample.path)
    assert shown == f"{format_problems(result.problems)}\n{result.summary()}"
    assert shown.startswith("data/cost_model.yaml:28:8: warning: figure `energy.pue`")
    assert '<h2 id="partner-alpha">' in body


def test_a_changed_catalog_is_read_again(live, monkeypatch, tmp_path) -> None:
    """A translator's save shows: the catalogs are read again (the watcher's call)."""
    import shutil

    from proposal import i18n
    from proposal.serve.preview import forget_catalogs

    _sample, server = live
    assert "Aperçu en direct" in request(server, "/fr")[2]
    shutil.copytree(i18n.LOCALE_DIR, tmp_path / "locale")
    catalog = tmp_path / "locale/fr/LC_MESSAGES/messages.po"
    catalog.write_text(catalog.read_text().replace('msgstr "Aperçu en direct"',
                                                   'msgstr "Aperçu tout neuf"'))
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "locale")
    try:
        server.preview.refresh(catalogs=True)
        assert "Aperçu tout neuf" in request(server, "/fr")[2]
    finally:
        monkeypatch.undo()
        forget_catalogs()


def test_the_server_writes_nothing_into_the_input(live) -> None:
    sample, server = live

    def listing() -> dict[str, tuple[int, int]]:
        return {str(p.relative_to(sample.path)): (p.stat().st_size, p.stat().st_mtime_ns)
                for p in sorted(sample.path.rglob("*"))}

    before = listing()
    for path in ("/en", "/fr", "/en/builds", "/logo/alpha", "/assets/proposal.css"):
        assert request(server, path)[0] == 200
    server.preview.refresh()
    assert listing() == before


# ---------------------------------------------------------------- what it refuses

@pytest.mark.parametrize("path", [
    "/assets/../pyproject.toml",
    "/assets/%2e%2e/%2e%2e/pyproject.toml",
    "/assets/%2E%2E%2F%2E%2E%2Fpyproject.toml",
    "/assets/fonts/..%2f..%2fproposal.html",
    "/assets/./proposal.css",
    "/assets//etc/passwd",
    "//etc/passwd",
    "/assets/%2fetc%2fpasswd",
    "/assets/..%5c..%5cpyproject.toml",
    "/assets/proposal.css%00.ttf",
    "/assets/proposal.html",
    "/assets/proposal/cover.html",
    "/logo/..%2f..%2fetc%2fpasswd",
    "/logo/nobody",
    "/partners/alpha.yaml",
    "/en/../../etc/passwd",
    "/%ff",
    "http://127.0.0.1/../../etc/passwd",
])
def test_paths_outside_what_it_serves_are_refused(served, path) -> None:
    server = served
    status, _headers, body = request(server, path)
    assert 400 <= status < 500, (status, body[:200])
    assert "root:" not in body and "[project]" not in body


def test_a_symbolic_link_out_of_a_served_folder_is_refused(live, tmp_path, monkeypatch) -> None:
    sample, server = live
    secret = tmp_path / "secret.css"
    secret.write_text("body { content: 'secret'; }")
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "proposal.css").write_text("ok")
    (folder / "leak.css").symlink_to(secret)
    monkeypatch.setattr(server_module, "templates_dir", lambda: folder)
    assert request(server, "/assets/proposal.css")[0] == 200
    status, _headers, body = request(server, "/assets/leak.css")
    assert status == 404 and "secret" not in body
    # a logo that is a link to a file outside the input folder
    outside = tmp_path / "outside.svg"
    outside.write_text((sample.path / "logos/alpha.svg").read_text().replace("<svg", "<svg id='x'"))
    (sample.path / "logos/alpha.svg").unlink()
    (sample.path / "logos/alpha.svg").symlink_to(outside)
    server.preview.refresh()
    status, _headers, body = request(server, "/logo/alpha")
    assert status == 404 and "id='x'" not in body


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1:1",
                                  "localhost", "127.0.0.2:{port}", ""])
def test_other_hosts_are_refused(served, host) -> None:
    server = served
    status, _headers, body = request(server, "/en", host=host.format(
        port=server.server_address[1]))
    assert status == 421 and "Alpha" not in body


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}"])
def test_own_hosts_are_served(served, host) -> None:
    server = served
    assert request(server, "/en", host=host.format(port=server.server_address[1]))[0] == 200


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"},
    {"Origin": "http://127.0.0.1:1"},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
])
def test_events_from_other_origins_are_refused(served, headers) -> None:
    server = served
    status, _headers, body = request(server, "/_serve/events", headers=headers)
    assert status == 403 and "data:" not in body


@pytest.mark.parametrize("headers", [
    {},  # no Origin: a build is only started by the server's own page
    {"Origin": "http://evil.example", "X-Serve-Token": "{token}"},
    {"Origin": "{origin}"},  # no token
    {"Origin": "{origin}", "X-Serve-Token": "guess"},
    {"Origin": "{origin}", "X-Serve-Token": "{token}", "Sec-Fetch-Site": "cross-site"},
])
def test_build_requests_from_other_origins_are_refused(served, headers) -> None:
    server = served
    filled = {k: v.format(origin=origin(server), token=server.token) for k, v in headers.items()}
    status, _headers, _body = request(server, "/_serve/build", "POST", filled)
    assert status == 403
    assert server.builds.last is None


def test_other_methods_and_paths_are_refused(served) -> None:
    server = served
    assert request(server, "/en", "DELETE")[0] == 501
    assert request(server, "/en", "POST", {"Origin": origin(server)})[0] == 404


def test_only_loopback_unless_asked(sample, tmp_path, capsys) -> None:
    code = main(["--input", str(sample.path), "serve", "--host", "0.0.0.0", "--port", "0"])
    assert code == 2
    assert capsys.readouterr().err.startswith(
        "consortium-proposal serve: error: refusing to listen on `0.0.0.0`")


def test_with_allow_remote_addresses_are_served_but_names_refused(sample, tmp_path) -> None:
    """Other machines reach the server by its address; a DNS name is still refused (a
    rebinding attack needs one)."""
    with running(sample.path, tmp_path / "out", allow_remote=True) as server:
        port = server.server_address[1]
        assert request(server, "/en", host=f"192.0.2.7:{port}")[0] == 200
        assert request(server, "/en", host=f"[2001:db8::1]:{port}")[0] == 200
        assert request(server, "/en", host=f"evil.example:{port}")[0] == 421
        assert request(server, "/en", host="192.0.2.7:1")[0] == 421
        status = request(server, "/_serve/build", "POST", {
            "Origin": "http://evil.example", "X-Serve-Token": server.token})[0]
        assert status == 403


@pytest.mark.parametrize("port", ["70000", "-1", "http"])
def test_a_bad_port_is_a_usage_error(sample, port, capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--input", str(sample.path), "serve", "--port", port])
    assert stop.value.code == 2
    assert f"{port!r} is not a port number from 0 to 65535" in capsys.readouterr().err


def test_a_port_in_use_is_a_usage_error(live, capsys) -> None:
    sample, server = live
    code = main(["--input", str(sample.path), "serve", "--port", str(server.server_address[1])])
    assert code == 2
    assert "cannot listen on 127.0.0.1:" in capsys.readouterr().err


# ---------------------------------------------------------------- builds and processes

@pytest.mark.slow
def test_a_full_build_from_the_page(live) -> None:
    _sample, server = live
    assert "No full build yet" in request(server, "/en/builds")[2]
    headers = {"Origin": origin(server), "X-Serve-Token": server.token}
    status, _headers, _body = request(server, "/_serve/build", "POST", headers)
    assert status == 202
    assert request(server, "/_serve/build", "POST", headers)[0] in (409, 202)
    deadline = time.monotonic() + 600
    while server.builds.running and time.monotonic() < deadline:
        time.sleep(0.2)
    assert server.builds.last.exit_code == 0, server.builds.last.output
    body = request(server, "/en/builds")[2]
    assert "ended with exit code 0." in body
    out = server.builds.out_dir.resolve()
    for name in ("MINI_proposal_en.pdf", "MINI_budget_fr.xlsx", "MINI_figures.json"):
        assert f"<code>{out / name}</code>" in body
    assert "build done in " in body and "outputs in " in body  # the build's own summary


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


@pytest.mark.slow
def test_ctrl_c_stops_the_server_and_its_build(sample, tmp_path) -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "proposal", "--input", str(sample.path), "--out",
         str(tmp_path / "out"), "serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    try:
        line = server.stdout.readline()
        url = re.search(r"at (http://\S+/) ", line).group(1)
        port = int(url.rsplit(":", 1)[1].strip("/"))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
        page = ""
        connection.request("GET", "/en/builds")
        page = connection.getresponse().read().decode()
        token = re.search(r'name="serve-token" content="([^"]+)"', page).group(1)
        connection.request("POST", "/_serve/build", headers={
            "Origin": f"http://127.0.0.1:{port}", "X-Serve-Token": token})
        assert connection.getresponse().status == 202
        connection.close()
        [build] = _children(server.pid)
        server.send_signal(signal.SIGINT)
        _out, err = server.communicate(timeout=WAIT)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert server.returncode == 130
    assert err == "interrupted: the preview server stopped\n"
    assert not Path(f"/proc/{build}").exists() or _zombie_or_gone(build)


def _zombie_or_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
