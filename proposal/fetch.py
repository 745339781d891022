"""What WeasyPrint may read: files inside the templates and input folders, data: URIs.

WeasyPrint fetches stylesheets, fonts and images through a URL fetcher. The one used
for the proposal serves a `file:` URL only when the file it names, once symbolic
links and `..` are resolved, lies inside one of the allowed folders; it passes
`data:` URIs through and refuses everything else (`http:`, `ftp:`, a file elsewhere
on the machine) by raising `RefusedURL`, which stops the render: a proposal is
never printed with a silently missing logo.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from .assets import Origin
from .problems import Problem


class RefusedURL(FatalURLFetchingError):
    """A URL the proposal may not load; stops the render."""

    def __init__(self, url: str, reason: str, origin: Origin | None = None):
        self.url = url
        self.reason = reason
        self.origin = origin
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """What was refused and why, naming the YAML value when the URL came from one."""
        if self.origin is None:
            return f"refused to load `{self.url}`: {self.reason}"
        value = self.origin[3]
        return (f"logo `{value}` is refused: {self.reason}; expected a file inside the "
                "input folder, such as `logos/name.svg`")

    def problem(self) -> Problem | None:
        """The refusal as an input error at the offending value, when it came from YAML."""
        if self.origin is None:
            return None
        file, line, col, _ = self.origin
        return Problem(file, line, col, "error", "refused-url", self.message)


class ProjectFetcher(URLFetcher):
    """Serves files inside `folders` and data: URIs; refuses any other URL.

    `origins` maps URLs built from YAML values (partner logos) to where the value is
    written, so a refusal can name the file, line and column to fix.
    """

    def __init__(self, folders: Iterable[Path], origins: Mapping[str, Origin] | None = None):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False,
                         fail_on_errors=True)
        self.folders = tuple(Path(folder).resolve() for folder in folders)
        self.origins = dict(origins or {})
        self.refused: list[RefusedURL] = []
        """Every URL refused so far: WeasyPrint swallows a refusal met while drawing an
        SVG image, logging only that the image failed."""

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        """The resource at `url`, or `RefusedURL` when it is not allowed."""
        scheme = url.partition(":")[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            self._refuse(url, "only files inside the project are loaded, never the network")
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            self._refuse(url, f"`{parts.netloc}` is another machine")
        path = Path(url2pathname(parts.path)).resolve()
        if not any(path.is_relative_to(folder) for folder in self.folders):
            self._refuse(url, f"`{path}` is outside the allowed folders ("
                         + ", ".join(f"`{folder}`" for folder in self.folders) + ")")
        if not path.is_file():
            self._refuse(url, f"`{path}` does not exist")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes(),
                                  headers={"Content-Type": content_type})

    def _refuse(self, url: str, reason: str) -> NoReturn:
        refused = RefusedURL(url, reason, self.origins.get(url))
        self.refused.append(refused)
        raise refused
