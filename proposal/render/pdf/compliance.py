"""Context of the compliance chapter: where the proposal answers each criterion."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .edition import Edition


class ComplianceContext:
    """The compliance chapter."""

    def compliance(self: Edition) -> dict[str, Any]:
        """Each criterion and required section with the sections that answer it."""
        call = self.project.call
        criteria = [{
            "id": c.id, "title": self.text(c.title),
            "weight": self.loc.percent(c.weight, 0) if c.weight is not None else "\u2013",
            "threshold": self.plain(c.threshold) if c.threshold is not None else "\u2013",
            "sections": [self.sections[key] for key in c.answered_in if key in self.sections],
        } for c in call.criteria]
        required = [{"title": self.text(title), "section": self.sections.get(key)}
                    for key, title in call.required_sections.items()]
        return {"criteria": criteria, "required": required}
