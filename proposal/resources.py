"""The tool's own files: templates, stylesheet, fonts and catalogs, wherever it runs.

From a checkout, the templates live at the top of the repository (`templates/`),
where the bid team edits them; an installed wheel carries the same files as package
data in `proposal/templates/` (pyproject.toml maps one to the other). Every module
asks here instead of walking up from its own file.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
"""The `proposal` package folder."""


@cache
def templates_dir() -> Path:
    """The folder of the Jinja2 templates, the stylesheet and the fonts."""
    for candidate in (PACKAGE / "templates", PACKAGE.parent / "templates"):
        if (candidate / "proposal.html").is_file():
            return candidate
    raise FileNotFoundError(
        f"the proposal templates are missing: looked in {PACKAGE / 'templates'} and "
        f"{PACKAGE.parent / 'templates'}; reinstall the package")


def locale_dir() -> Path:
    """The folder of the gettext catalogs (`<lang>/LC_MESSAGES/<domain>.po`)."""
    return PACKAGE / "locale"
