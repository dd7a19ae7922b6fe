"""What readers call things: arenas, categories and upstream sources in words, in the reader's
language. One place, so the pages, the tabs and the exports name a board and a source alike.

Slugs nobody named here fall back to a readable form of the slug itself: a new arena or
category from upstream shows up at once, only untranslated.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ARENAS: dict[str, Promise] = {
    "text": _("Text"),
    "webdev": _("WebDev"),
    "vision": _("Vision"),
    "search": _("Search"),
    "document": _("Document"),
    "agent": _("Agent"),
    "copilot": _("Copilot"),
    "text-to-image": _("Text-to-image"),
    "image-edit": _("Image edit"),
    "text-to-video": _("Text-to-video"),
    "image-to-video": _("Image-to-video"),
}

CATEGORIES: dict[str, Promise] = {
    "overall": _("Overall"),
    "coding": _("Coding"),
    "math": _("Math"),
    "creative-writing": _("Creative writing"),
    "instruction-following": _("Instruction following"),
    "hard-prompts": _("Hard prompts"),
    "longer-query": _("Longer query"),
    "multi-turn": _("Multi-turn"),
    "english": _("English"),
    "chinese": _("Chinese"),
}


def arena_order(slug: str) -> int:
    """Where an arena's tab goes: the order above (text first, as arena.ai), then the rest."""
    return list(ARENAS).index(slug) if slug in ARENAS else len(ARENAS)


def arena_name(slug: str) -> str:
    return str(ARENAS.get(slug, "")) or _readable(slug)


def category_name(slug: str) -> str:
    return str(CATEGORIES.get(slug, "")) or _readable(slug)


def board_title(arena: str, category: str) -> str:
    """``Text · Overall`` in the reader's language."""
    return f"{arena_name(arena)} · {category_name(category)}"


def board_name(arena: str, category: str, style_control: bool) -> str:
    """``Text · Overall``, or ``Text · Overall · no style control`` for a board's raw view: the
    name that tells boards apart where several are listed (model, organisation pages)."""
    title = board_title(arena, category)
    return title if style_control else f"{title} · {_('no style control')}"


def _readable(slug: str) -> str:
    return slug.replace("-", " ").replace("_", " ").capitalize()


@dataclass(frozen=True, slots=True)
class SourceLabel:
    """A source as a reader sees it: a name in words and, where there is one, its page."""

    name: str
    url: str = ""


HF_DATASET_URL = "https://huggingface.co/datasets/lmarena-ai/leaderboard-dataset"
# Snapshot.source holds the Source's slug when a configured source imported it, else the
# adapter's name (a file import): both kinds of label are named here.
_BY_PREFIX: tuple[tuple[str, Promise, str], ...] = (
    ("hf-", _("LMArena's leaderboard dataset on Hugging Face"), HF_DATASET_URL),
    ("arena-page", _("the arena.ai leaderboard page"), "https://arena.ai/leaderboard"),
    ("arena-catalog", _("LMArena's arena-catalog repository"), "https://github.com/lmarena/arena-catalog"),
    ("arena-", _("the arena.ai leaderboard page"), "https://arena.ai/leaderboard"),
)  # fmt: skip
_BY_FORMAT: dict[str, tuple[Promise, str]] = {
    "hf-dataset": (_("LMArena's leaderboard dataset on Hugging Face"), HF_DATASET_URL),
    "markdown": (
        _("the daily LLM Arena leaderboard page (Cherry Studio docs)"),
        "https://github.com/CherryHQ/cherry-studio-docs",
    ),
    "rsc-entries": (_("an arena.ai page snapshot (arena-monitor)"), ""),
    "scraped-snapshot": (_("an arena.ai page snapshot (LLM-Leaderboard scrape)"), ""),
    "scraped-timeseries": (_("an arena.ai page snapshot (LLM-Leaderboard scrape)"), ""),
    "fboulnois-csv": (
        _("the llm-leaderboard-csv archive"),
        "https://github.com/fboulnois/llm-leaderboard-csv",
    ),
    "hf-leaderboard-table": (_("LMSYS's leaderboard table (Hugging Face space)"), ""),
    "history-long": (_("a community archive of past leaderboards"), ""),
    "history-pivot": (_("a community archive of past leaderboards"), ""),
    "gradio-html": (_("the old lmarena.ai leaderboard page"), "https://lmarena.ai/"),
}


def source_label(label: str) -> SourceLabel:
    """The source behind a snapshot's ``source`` label; never raises, never empty."""
    if label in _BY_FORMAT:
        name, url = _BY_FORMAT[label]
        return SourceLabel(str(name), url)
    for prefix, name, url in _BY_PREFIX:
        if label.startswith(prefix):
            return SourceLabel(str(name), url)
    return SourceLabel(label or str(_("unknown source")))
