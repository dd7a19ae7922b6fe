"""Filters and tags of the board table (its rows are rendered by ``board_rows``: see
tables.py)."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from html import escape  # Django's adds a lazy-string check per call, ~40 % of it here
from typing import Any
from urllib.parse import quote

from django import template
from django.conf import settings
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext as _

from .. import labels
from ..exports import format_context, format_interval, format_price_pair, format_score, score_digits
from ..filters import page_state_query
from ..history import PriceFact
from ..models import Entry, Leaderboard, License
from ..rows import BoardRow
from ..tables import DESCENDING_FIRST

register = template.Library()


@register.filter
def interval(entry: Entry | BoardRow, digits: int = 0) -> str:
    """``±11`` or ``+12/-9``; empty without bounds."""
    return format_interval(entry.score, entry.rating_lower, entry.rating_upper, digits)


@register.filter
def price_pair(row: Entry | BoardRow | PriceFact) -> str:
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


@register.filter
def price(value: Decimal | None) -> str:
    """Dollars as written on a price list: ``0.8``, ``4``, ``0.075``, ``100`` (never ``1E+2``)."""
    return "" if value is None else f"{value.normalize():f}"


def _rank_move(entry: Any, baseline: object) -> tuple[str, str, str]:
    """(css modifier, what is shown, what a screen reader says — HTML-escaped) for a row's
    rank change. ``entry`` is a board row annotated by ``selectors.with_movement`` or a
    ``history.Standing``: both have ``previous_rank``, ``rank_change``, ``score_change``."""
    return _rank_move_words(get_language(), _change(entry, baseline))


def _change(entry: Any, baseline: object) -> int | str | None:
    """The rank change, ``"new"`` for a model not on the baseline, None without one."""
    if not baseline:
        return None
    if entry.previous_rank is None or entry.rank_change is None:
        return "new"
    return int(entry.rank_change)


@functools.lru_cache(maxsize=512)
def _rank_move_words(language: str | None, change: int | str | None) -> tuple[str, str, str]:
    """Memoised per language: a 300-row board asks for the same few dozen phrasings, and
    translating and escaping them for every row was most of the column's render time."""
    if change is None:
        return "none", "–", escape(_("no earlier snapshot to compare with"))
    if change == "new":
        return "new", escape(_("new")), escape(_("new on this board"))
    assert isinstance(change, int)
    if change > 0:
        words = ngettext("up %(n)d place", "up %(n)d places", change) % {"n": change}
        return "up", f"▲{change}", escape(words)
    if change < 0:
        words = ngettext("down %(n)d place", "down %(n)d places", -change) % {"n": -change}
        return "down", f"▼{-change}", escape(words)
    return "same", "=", escape(_("same rank"))


def signed_score(change: float) -> str:
    """+12, -3.5, ±0: one decimal at most, no ``-0``."""
    rounded = round(change, 1)
    if rounded == 0:
        return "±0"
    return f"{rounded:+.1f}".removesuffix(".0")


# Both filters build their markup from our own strings (arrows, numbers, escaped words):
# plain f-strings, as format_html's per-argument checks cost more than the rest of the row.
def _move_cells(
    move: tuple[str, str, str], score_change: float | None, score_words: str
) -> tuple[str, str]:
    """(the rank change alone, the movement cell) from ``_rank_move_words``' triple;
    ``score_words``: the escaped "%(rank)s, score %(score)s" phrasing."""
    kind, shown, spoken = move
    rank_cell = (
        f'<span class="move move-{kind}"><span aria-hidden="true">{shown}</span>'
        f'<span class="visually-hidden">{spoken}</span></span>'
    )
    if score_change is None:
        return rank_cell, rank_cell
    score = signed_score(score_change)
    # The phrasing is escaped before the (escaped) words and the (digits-only) score go in.
    words = score_words % {"rank": spoken, "score": score}
    return rank_cell, (
        f'<span class="move move-{kind}"><span aria-hidden="true">{shown} '
        f'<small class="score-change">{score}</small></span>'
        f'<span class="visually-hidden">{words}</span></span>'
    )


@register.filter
def movement(entry: Any, baseline: object) -> SafeString:
    """The movement cell: ▲3 / ▼2 / = / new, then the score change, with the same in words
    for screen readers. ``baseline``: the snapshot compared with, falsy when there is none."""
    score_change = getattr(entry, "score_change", None)
    words = escape(_("%(rank)s, score %(score)s"))
    return mark_safe(_move_cells(_rank_move(entry, baseline), score_change, words)[1])


@register.filter
def rank_move(entry: Any, baseline: object) -> SafeString:
    """The rank change alone (▲3, new), folded under the rank on narrow screens."""
    return mark_safe(_move_cells(_rank_move(entry, baseline), None, "")[0])


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


def whole(number: float) -> str:
    """``number|floatformat:"0"`` (half away from zero, no ``-0``) without the localization
    machinery, which writes a whole number as is unless grouping is on."""
    if settings.USE_THOUSAND_SEPARATOR or not math.isfinite(number):
        return str(floatformat(number, "0"))
    return str(int(Decimal(repr(number)).quantize(ONE, ROUND_HALF_UP)))


def _license_cells(row: BoardRow, curated: str) -> tuple[str, str]:
    """(the license as the model line shows it, the license column's cell) of a row."""
    if row.license is None:
        raw = escape(row.raw_license)
        return raw, raw
    name = escape(row.license) + (curated if not row.raw_license else "")
    if not row.license_is_open_weights:
        return name, name
    kind = row.license_kind or ""
    label = escape(str(KIND_LABELS.get(kind, kind)))
    return name, f'{name} <span class="kind kind-{escape(kind)}">{label}</span>'


ONE = Decimal(1)
KIND_LABELS = dict(License.Kind.choices)
"""``get_kind_display`` of a kind, without a License instance."""
MODEL_KEY_PLACEHOLDER = "model-key-placeholder"
# What ``reverse`` leaves unquoted in a path (django.urls.resolvers, RFC 3986 sub-delims).
URL_SAFE = "!$&'()*+,;=/~:@"


@register.simple_tag
def board_rows(
    entries: Iterable[BoardRow],
    baseline: object = None,
    price_shown: bool = False,
    context_shown: bool = False,
    metric: str = "elo",
) -> SafeString:
    """The table's ``<tr>`` rows as one string, from the rows (``rows.BoardRow``) of
    ``filters.board_entries`` annotated by ``selectors.with_movement`` against ``baseline``
    (what ``BoardTable``'s data yields); the price and context
    cells only when the table shows those columns (``BoardTable.shows_price``/``_context``);
    scores with the decimals of the board's ``metric`` (``exports.score_digits``).

    A Python loop, not a template one: the template engine's per-variable and per-tag cost
    made 300 rows ~20 ms of a render. Each value is escaped as autoescaping would; the
    translated words are looked up once per page; a model's URL is one ``reverse`` per page
    with the key quoted as ``reverse`` quotes it. The test beside this module's tests holds
    the template loop this replaced and checks both render the same bytes."""
    preliminary = escape(gettext("Preliminary"))
    upstream_title = escape(gettext("upstream page"))
    # A curated value shown where upstream's row gives none is marked.
    # As ``{% translate … as %}`` gave it, unescaped: our own words, with no quote or markup.
    curated_title = gettext("Curated: upstream's row gives none")
    curated = f'<abbr class="curated" title="{curated_title}">†</abbr>'
    votes_text = gettext("%(votes)s votes")
    model_url = reverse("leaderboard:model", args=[MODEL_KEY_PLACEHOLDER])
    url_head, _placeholder, url_tail = model_url.partition(MODEL_KEY_PLACEHOLDER)
    digits = score_digits(metric)
    language = get_language()
    score_words = escape(_("%(rank)s, score %(score)s"))
    # Of 300 rows, a few dozen organisations and licenses: each cell is built once.
    organizations: dict[tuple[str | None, str], str] = {}
    licenses: dict[tuple[str | None, str | None, str], tuple[str, str]] = {}
    out: list[str] = []
    for e in entries:
        name = escape(e.model_name)
        href = escape(url_head + quote(e.model_key, safe=URL_SAFE) + url_tail)
        org_name = organizations.get((e.organization, e.raw_organization))
        if org_name is None:
            org_name = organizations[(e.organization, e.raw_organization)] = (
                escape(e.organization) + (curated if not e.raw_organization else "")
                if e.organization is not None
                else escape(e.raw_organization)
            )
        license_key = (e.license, e.license_kind, e.raw_license)
        license_cells = licenses.get(license_key)
        if license_cells is None:
            license_cells = licenses[license_key] = _license_cells(e, curated)
        lic_name, license_cell = license_cells
        meta = org_name + (" · " + lic_name if e.license is not None or e.raw_license else "")
        extra_cells = ""
        if price_shown:
            prices = escape(price_pair(e))
            if e.has_price:
                meta += f' · <span class="nowrap">{prices}</span>'
            extra_cells += f'<td class="num col-price">{prices}</td>'
        if context_shown:
            window = escape(format_context(e.context_tokens))
            if e.context_tokens:
                meta += f' · <span class="nowrap">{window}</span>'
            extra_cells += f'<td class="num col-context">{window}</td>'
        link = http_url(e.model_url)
        upstream = (
            f' <a href="{escape(link)}" rel="nofollow noopener" class="upstream-link" '
            f'title="{upstream_title}" aria-label="{upstream_title}: {name}">↗</a>'
            if link
            else ""
        )
        badge = f'<span class="badge">{preliminary}</span> ' if e.is_preliminary else ""
        score = format_score(e.score, digits) if digits else whole(e.score)
        ci = escape(interval(e, digits))
        votes = grouped(e.votes)
        votes_meta = (
            ' · <span class="nowrap">' + votes_text % {"votes": votes} + "</span>"
            if e.votes is not None
            else ""
        )
        rank_cell, movement_cell = _move_cells(
            _rank_move_words(language, _change(e, baseline)), e.score_change, score_words
        )
        out.append(
            f'\n<tr><td class="num col-rank">{e.rank}'
            f'<span class="rank-meta">{rank_cell}</span></td>'
            f'<td class="num spread col-spread">{e.rank_upper}◄─►{e.rank_lower}</td>'
            f'<td class="sticky model"><a href="{href}" class="model-name">{name}</a>{upstream}'
            f'<span class="model-meta">{meta}</span></td>'
            f'<td class="num col-score">{badge}{score}'
            f'<span class="score-meta"><span class="nowrap">{ci}</span>{votes_meta}</span></td>'
            f'<td class="num col-movement">{movement_cell}</td>'
            f'<td class="num col-interval">{ci}</td><td class="num col-votes">{votes}</td>'
            f"{extra_cells}"
            f'<td class="col-organization">{org_name}</td>'
            f'<td class="col-license">{license_cell}</td></tr>'
        )
    return mark_safe("".join(out))  # every value above is escaped
