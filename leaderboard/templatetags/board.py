"""Filters for the board table's rows (rendered by a plain template loop: see tables.py)."""

from __future__ import annotations

from typing import Any

from django import template

from .. import labels
from ..exports import format_context, format_interval, format_price_pair
from ..filters import page_state_query
from ..history import PriceFact
from ..models import Entry, Leaderboard
from ..tables import DESCENDING_FIRST

register = template.Library()


@register.filter
def interval(entry: Entry) -> str:
    """``±11`` or ``+12/-9``; empty without bounds."""
    return format_interval(entry.score, entry.rating_lower, entry.rating_upper)


@register.filter
def price(row: Entry | PriceFact) -> str:
    """``$1.25 / $10`` ($ per million input / output tokens); empty without a price."""
    return format_price_pair(row.price_input, row.price_output)


@register.filter
def context(tokens: int | None) -> str:
    """``128K``, ``1.1M``; empty without a context window."""
    return format_context(tokens)


@register.filter
def http_url(url: str) -> str:
    """The URL if it is http(s), else empty: a curated link can never become ``javascript:``."""
    return url if url.startswith(("https://", "http://")) else ""


@register.filter
def grouped(number: int | None) -> str:
    """3298 → ``3,298`` in every language, as the seed page and the exports write it."""
    return "" if number is None else f"{number:,}"


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
def source_label(label: str) -> labels.SourceLabel:
    return labels.source_label(label)
