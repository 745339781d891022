"""Live preview: `consortium-proposal serve` shows the proposal as HTML in a browser and
reloads it on every save.

- `preview`: the warm pipeline (check and lay out again, re-using what did not change)
  and the thread that watches the files;
- `pages`: the edition with the preview's bar, the problems page, the builds page;
- `server`: the HTTP server, loopback only, and everything it refuses;
- `builds`: the full build started from the page, in a child process.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import Interrupted
from .builds import Builds
from .preview import Preview, Versions, Watcher
from .server import PreviewServer, is_loopback

DEFAULT_PORT = 8000
"""The port `serve` listens on unless told (0: any free port)."""


class ServeError(Exception):
    """The server cannot start: a host it may not bind, a port in use."""


@contextmanager
def started(input_dir: Path, out_dir: Path, host: str = "127.0.0.1", port: int = 0,
            allow_remote: bool = False) -> Iterator[PreviewServer]:
    """A preview server bound and watching, not yet answering (`serve_forever`);
    stopped, its watcher and any build it started ended, when the block ends."""
    if not is_loopback(host) and not allow_remote:
        raise ServeError(f"refusing to listen on `{host}`: the preview is for this machine "
                         "(127.0.0.1, localhost, ::1); pass --allow-remote to listen there "
                         "anyway, where anyone who reaches it can see the proposal")
    versions = Versions()
    preview = Preview(input_dir, versions)
    builds = Builds(input_dir, out_dir, versions)
    try:
        server = PreviewServer((host, port), preview, builds, remote=allow_remote)
    except OSError as error:
        raise ServeError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    watcher = Watcher(preview)
    watcher.start()
    try:
        yield server
    finally:
        versions.close()  # the event streams end
        watcher.stop()
        builds.stop()
        server.server_close()


@contextmanager
def running(input_dir: Path, out_dir: Path, **options) -> Iterator[PreviewServer]:
    """A preview server answering in a background thread (for tests and the benchmark)."""
    with started(input_dir, out_dir, **options) as server:
        thread = threading.Thread(target=server.serve_forever, args=(0.1,), daemon=True)
        thread.start()
        try:
            yield server
        finally:
            server.shutdown()
            thread.join()


def serve(input_dir: Path, out_dir: Path, host: str, port: int, allow_remote: bool) -> None:
    """Serve the preview until a stop signal (`Interrupted`, which the command line
    turns into exit code 130); raise ServeError when the server cannot start."""
    try:
        with started(input_dir, out_dir, host, port, allow_remote) as server:
            print(f"serving a live preview of {input_dir} at {server.url} "
                  f"(Ctrl-C to stop)", flush=True)
            if not is_loopback(host):
                print(f"warning: listening on {host}: anyone who reaches it sees the proposal",
                      file=sys.stderr, flush=True)
            server.serve_forever(poll_interval=0.5)
    except Interrupted as stop:
        stop.outcome = "the preview server stopped"
        raise
