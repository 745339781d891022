"""Which characters the proposal's fonts can draw.

The PDF sets every text in the fonts shipped in `templates/fonts/`, under a family
name no machine has; a character none of them holds (an emoji they lack, Chinese or
Japanese) prints as an empty box, without a word from WeasyPrint. The fonts' character
maps tell beforehand; they are read once per process (about 0.1 s).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

from .resources import templates_dir

NOT_DRAWN = frozenset({"Cc", "Cf", "Zl", "Zp"})
"""Unicode categories of characters that are never drawn as glyphs: controls, format
characters (zero-width joiners, soft hyphens), line and paragraph separators."""


@dataclass(frozen=True)
class Fonts:
    """The shipped fonts: their family names and every character one of them draws."""

    families: tuple[str, ...]
    """Family names, such as `Linux Libertine O`."""
    characters: frozenset[str]
    """Every character some font maps to a glyph."""


@cache
def shipped_fonts() -> Fonts:
    """The fonts in `templates/fonts/`, read once per process."""
    from fontTools.ttLib import TTFont

    families: dict[str, None] = {}
    characters: set[str] = set()
    for path in sorted((templates_dir() / "fonts").glob("*.[ot]tf")):
        with TTFont(path, lazy=True) as font:
            families[font["name"].getBestFamilyName()] = None
            characters.update(map(chr, font.getBestCmap()))
    return Fonts(tuple(families), frozenset(characters))


def undrawable(text: str) -> list[str]:
    """The characters of `text` that no shipped font draws, each once, in order;
    white space and characters that are never drawn (joiners, variation selectors)
    are left out."""
    missing = set(text) - shipped_fonts().characters
    return [char for char in dict.fromkeys(text) if char in missing and not char.isspace()
            and unicodedata.category(char) not in NOT_DRAWN and not _variation_selector(char)]


def describe(chars: list[str], most: int = 3) -> str:
    """`U+1F680 ROCKET` for one character; the first `most` and how many more for several."""
    named = [f"U+{ord(char):04X} {unicodedata.name(char, '(unnamed)')}" for char in chars]
    if len(named) > most:
        more = len(named) - most
        return ", ".join(named[:most]) + f" and {more} more character{'s' if more > 1 else ''}"
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]


def _variation_selector(char: str) -> bool:
    # They choose how the character before them looks (text or emoji); no glyph of theirs.
    return "\ufe00" <= char <= "\ufe0f" or "\U000e0100" <= char <= "\U000e01ef"
