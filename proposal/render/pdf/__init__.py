"""The PDF builder: a validated project and its figures to one edition of the proposal.

`render_html` lays the proposal out as HTML with the Jinja2 templates of
`templates/`; `render_pdf` hands that HTML to WeasyPrint and checks the page count
against the call's limit (`builder.py`). The context the templates get is already
translated and formatted for the edition: `Edition` (`edition.py`) builds it, one
module per chapter named like its `proposal.compute` twin (`financing.py`,
`workplan.py`, ...); the templates only place it and hold the fixed wording
(`{% trans %}`, `_()`), so both editions share one layout. Nothing here adds anything
up: every number comes from `Figures` or the input.
"""

from .builder import PdfResult, check_page_limit, render_html, render_pdf
from .cells import paragraphs
from .edition import TEMPLATES, Edition
from .page import DESIGN, css_content, page_style

__all__ = ["DESIGN", "TEMPLATES", "Edition", "PdfResult", "check_page_limit", "css_content",
           "page_style", "paragraphs", "render_html", "render_pdf"]
