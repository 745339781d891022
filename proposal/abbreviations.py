"""Abbreviations: the generator's own, the data's, and the `check` rule that every
all-capitals word of a text has an expansion.

The PDF's list of abbreviations (`proposal.render.pdf.apparatus`) shows the terms an
edition's pages use; `check` warns, at the text, about an all-capitals word that no
abbreviation, partner name or proper name accounts for.
"""

from __future__ import annotations

import re

from .editions import FILLER
from .i18n import ABBREVIATIONS as BUILT_IN
from .i18n import Locale
from .locations import Locations
from .models import DATA_FILE_OF, LANGUAGES, PROPER_NAME, Project, proper_names, walk_project
from .placeholders import PLACEHOLDER, bilingual_texts
from .problems import Problem

ALL_CAPITALS = re.compile(r"(?<![\w])[A-Z]{2,}(?![\w])")
"""A word of capitals only, which `check` expects an abbreviation to expand (`WP1`,
`H100`, `CO2e` are codes, not abbreviations)."""


def built_in(loc: Locale) -> dict[str, str]:
    """The generator's own abbreviations in an edition's language: term -> expansion.
    A term the catalog translates by a word (`WP` is `Lot` as a French column heading,
    `EUR` is `euros`) is no abbreviation of that edition."""
    found = {}
    for term, expansion in BUILT_IN:
        translated = loc.gettext(term)
        if ALL_CAPITALS.fullmatch(translated) or translated == term:
            found[translated] = loc.gettext(expansion)
    return found


def expanded_terms(project: Project) -> set[str]:
    """Every all-capitals word some abbreviation of either edition expands, or that is
    part of a name printed as written (partners' names, `{proper: ...}` names)."""
    known = set(project.consortium.abbreviations) | {project.consortium.acronym}
    for lang in LANGUAGES:
        known |= set(built_in(Locale(lang)))
    names = list(proper_names(project))
    for _file, _path, node in walk_project(project):
        for name, field in getattr(type(node), "model_fields", {}).items():
            if PROPER_NAME in field.metadata or name in ("short_name", "legal_name"):
                value = getattr(node, name)
                if isinstance(value, str):
                    names.append(value)
    for name in names:
        known |= set(ALL_CAPITALS.findall(name))
    return known


def abbreviation_problems(project: Project, at: Locations) -> list[Problem]:
    """A warning for each all-capitals word of a data text that no abbreviation expands,
    once per text, at the text."""
    known = expanded_terms(project)
    problems = []
    for file, path, _lang, text in bilingual_texts(project):
        # Filler (TODO, TBD) is no abbreviation: a submission refuses it (`editions`).
        unknown = dict.fromkeys(word for word in ALL_CAPITALS.findall(PLACEHOLDER.sub(" ", text))
                                if word not in known and not FILLER.fullmatch(word))
        for word in unknown:
            dotted = ".".join(str(part) for part in path)
            problems.append(at.problem(
                file, path, "abbreviation",
                f"`{dotted}` writes `{word}`, which the list of abbreviations cannot expand: "
                f"add `{word}: {{en: ..., fr: ...}}` under `abbreviations:` in "
                f"`{DATA_FILE_OF['consortium']}`", severity="warning"))
    return problems


