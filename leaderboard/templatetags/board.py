"""Filters for the board table's rows (rendered by a plain template loop: see tables.py)."""

from __future__ import annotations

from django import template

from ..exports import format_interval
from ..filters import page_state_query
from ..models import Entry

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


@register.simple_tag(takes_context=True)
def sort_url(context: template.Context, alias: str) -> str:
    """The link that sorts by ``alias``, keeping the page's filters (and nothing else)."""
    return "?" + page_state_query(context["request"], sort=alias)
