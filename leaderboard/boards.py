"""A board's identity: arena × category × style control, and its one URL spelling.

Pure: no Django models, no adapters, so the read path (selectors, forms, views), the adapters
and the import pipeline can all name a board without importing each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NO_STYLE_CONTROL_SUFFIX = "-no-style-control"
"""arena.ai's spelling of a board's raw view (no style control): ``overall-no-style-control``."""

_SLUG_PART = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")


@dataclass(frozen=True, slots=True, order=True)
class BoardKey:
    """One board. Style control is part of its identity: the two views are different numbers.

    The defaults name the board most callers mean (text, overall, style-controlled), which is
    also the guess for a payload that names no board."""

    arena: str = "text"
    category: str = "overall"
    style_control: bool = True

    @property
    def url_category(self) -> str:
        """The category part of arena.ai's URL: ``overall`` or ``overall-no-style-control``."""
        return self.category + ("" if self.style_control else NO_STYLE_CONTROL_SUFFIX)

    @property
    def slug(self) -> str:
        """``text/overall`` or ``text/overall-no-style-control``, as in arena.ai's URLs."""
        return f"{self.arena}/{self.url_category}"

    @classmethod
    def from_url(cls, arena: str, url_category: str) -> BoardKey:
        """The board of a URL's two parts; the inverse of ``(arena, url_category)``."""
        category, style_control = split_url_category(url_category)
        return cls(arena=arena, category=category, style_control=style_control)

    @classmethod
    def parse(cls, slug: str) -> BoardKey:
        """``text/overall`` → style-controlled, ``text/overall-no-style-control`` → raw view.
        Raises ValueError (a message a person can act on) for anything else."""
        arena, sep, url_category = slug.strip().strip("/").partition("/")
        if not sep or not _SLUG_PART.fullmatch(arena) or not _SLUG_PART.fullmatch(url_category):
            raise ValueError(
                f"board must look like ARENA/CATEGORY (e.g. text/overall), got {slug!r}"
            )
        return cls.from_url(arena, url_category)


def split_url_category(url_category: str) -> tuple[str, bool]:
    """``overall-no-style-control`` → (``overall``, False); ``coding`` → (``coding``, True)."""
    if url_category.endswith(NO_STYLE_CONTROL_SUFFIX):
        return url_category.removesuffix(NO_STYLE_CONTROL_SUFFIX), False
    return url_category, True
