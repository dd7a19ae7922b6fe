"""Filters for the board table's rows (rendered by a plain template loop: see tables.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import labels
from ..exports import format_interval
from ..filters import page_state_query
from ..models import Entry, Leaderboard
from ..tables import DESCENDING_FIRST

register = template.Library()


@register.filter
def interval(entry: Entry) -> str:
    """``±11`` or ``+12/-9``; empty without bounds."""
    return format_interval(entry.score, entry.rating_lower, entry.rating_upper)


@register.filter
def http_url(url: str) -> str:
    """The URL if it is http(s), else empty: a curated link can never become ``javascript:``."""
    return url if url.startswith(("https://", "http://")) else ""


@register.filter
def grouped(number: int | None) -> str:
    """3298 → ``3,298`` in every language, as the seed page and the exports write it."""
    return "" if number is None else f"{number:,}"


def _rank_move(entry: Any, baseline: object) -> tuple[str, str, str]:
    """(css modifier, what is shown, what a screen reader says) for a row's rank change.
    ``entry`` is a board row annotated by ``selectors.with_movement`` or a
    ``history.Standing``: both have ``previous_rank``, ``rank_change``, ``score_change``."""
    if not baseline:
        return "", "–", _("no earlier snapshot to compare with")
    change = entry.rank_change
    if entry.previous_rank is None or change is None:
        return "new", _("new"), _("new on this board")
    if change > 0:
        return (
            "up",
            f"▲{change}",
            ngettext("up %(n)d place", "up %(n)d places", change) % {"n": change},
        )
    if change < 0:
        return (
            "down",
            f"▼{-change}",
            ngettext("down %(n)d place", "down %(n)d places", -change) % {"n": -change},
        )
    return "same", "=", _("same rank")


def signed_score(change: float) -> str:
    """+12, -3.5, ±0: one decimal at most, no ``-0``."""
    rounded = round(change, 1)
    if rounded == 0:
        return "±0"
    return f"{rounded:+.1f}".removesuffix(".0")


@register.filter
def movement(entry: Any, baseline: object) -> SafeString:
    """The movement cell: ▲3 / ▼2 / = / new, then the score change, with the same in words
    for screen readers. ``baseline``: the snapshot compared with, falsy when there is none."""
    score_change = getattr(entry, "score_change", None)
    if score_change is None:
        return rank_move(entry, baseline)
    kind, shown, spoken = _rank_move(entry, baseline)
    score = signed_score(score_change)
    return format_html(
        '<span class="move move-{}"><span aria-hidden="true">{} <small class="score-change">{}'
        '</small></span><span class="visually-hidden">{}</span></span>',
        kind,
        shown,
        score,
        _("%(rank)s, score %(score)s") % {"rank": spoken, "score": score},
    )


@register.filter
def rank_move(entry: Any, baseline: object) -> SafeString:
    """The rank change alone (▲3, new), folded under the rank on narrow screens."""
    kind, shown, spoken = _rank_move(entry, baseline)
    return format_html(
        '<span class="move move-{}"><span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{}</span></span>',
        kind or "none",
        shown,
        spoken,
    )


@register.simple_tag(takes_context=True)
def sort_url(context: template.Context, column: Any) -> str:
    """The link that sorts by ``column``, keeping the page's filters (and nothing else).

    A click on a column not yet sorted sorts it the way a reader looks first: scores and
    votes highest first, ranks and names from the top; a second click reverses it."""
    alias = column.order_by_alias
    if column.is_ordered:
        key = alias.next
    else:
        key = f"-{column.name}" if column.name in DESCENDING_FIRST else column.name
    return "?" + page_state_query(context["request"], sort=key)


@register.filter
def board_title(board: Leaderboard) -> str:
    return labels.board_title(board.arena, board.category)


@register.filter
def board_name(board: Leaderboard) -> str:
    return labels.board_name(board.arena, board.category, board.style_control)


@register.filter
def source_label(label: str) -> labels.SourceLabel:
    return labels.source_label(label)
