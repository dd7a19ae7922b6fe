"""History pages: model, organisation, changes (with Atom feeds) and head-to-head. Glue only:
``history`` reads, ``charts`` shapes chart data, ``headtohead`` does the arithmetic."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

from . import charts, corrections, exports, headtohead, history, labels, page_cache, selectors
from .models import AIModel, Leaderboard
from .sources.names import reader_names
from .views import navigation

CHANGES_PER_PAGE = 20
TABLE_RECENT = 10
"""Rows of a model or organisation page's accessible tables: the newest ones, with a link to
all of them (``?numbers=all``). Years of daily snapshots made every table thousands of rows:
most of an uncached render and of the page's bytes, which the charts already carry."""
CORRECTIONS_PER_PAGE = 50
COMPARE_MAX = 4


@page_cache.cacheable
@require_safe
def model_detail(request: HttpRequest, key: str) -> HttpResponse:
    """A model's curated facts, its standing on every board and its history there."""
    # No key holds a NUL, and PostgreSQL refuses one in a query parameter (a 500).
    found = None if "\x00" in key else history.model_history(key, charts=True)
    if found is None:
        raise Http404("no such model")
    organization_slug = (
        history.organization_slug(found.model.organization) if found.model.organization else None
    )
    last = _table_rows(request)
    boards = []
    name = found.model.name
    for index, board_history in enumerate(found.boards):
        # The tables' rows only: the charts draw from ``data``.
        shown = board_history.series if last is None else board_history.series.since(-last)
        score = charts.score_chart(shown, label=name)
        rank = charts.ranks_chart(shown, label=name)
        boards.append(
            {
                "history": board_history,
                "data": charts.board_data(board_history, label=name),
                "data_id": f"board-{index}",
                "score": score,
                "score_table": charts.table(score),
                "rank": rank,
                "rank_table": charts.table(rank),
                "truncated": last is not None and board_history.count > last,
            }
        )
    standing_rows = [
        (_board_name(h.board), h.board.get_absolute_url(), h.standing)
        for h in found.boards
        if h.standing
    ]
    model = found.model
    context = {
        "found": found,
        "model": model,
        "upstream_names": reader_names(
            found.raw_names,
            model.organization.name if model.organization else model.upstream_organization,
        ),
        "organization_slug": organization_slug,
        "boards": boards,
        "all_numbers": last is None,
        "table_recent": TABLE_RECENT,
        "standing_rows": standing_rows,
        "departed": [h for h in found.boards if h.standing is None],
        "fact_sources": selectors.applied_fact_sources(found.model),
        **navigation(request),
    }
    return render(request, "leaderboard/history/model.html", context)


@page_cache.cacheable
@require_safe
def organization_list(request: HttpRequest) -> HttpResponse:
    context = {"organizations": history.organization_index(), **navigation(request)}
    context["section"] = "organizations"
    return render(request, "leaderboard/history/organizations.html", context)


@page_cache.cacheable
@require_safe
def organization_detail(request: HttpRequest, slug: str) -> HttpResponse:
    found = history.organization_history(slug)
    if found is None:
        raise Http404("no such organisation")
    last = _table_rows(request)
    name = found.organization.name
    best = []
    for index, (board, series) in enumerate(found.best_ranks):
        chart = charts.rank_chart({name: series})
        shown = chart if last is None else charts.rank_chart({name: series[-last:]})
        best.append(
            {
                "board": board,
                "chart_id": f"best-{index}",
                "chart": chart,
                "table": charts.table(shown),
                "truncated": last is not None and len(series) > last,
                "total": len(series),
            }
        )
    rows = [
        (f"{model.name} · {_board_name(standing.board)}", model.get_absolute_url(), standing)
        for model, standings in found.standings
        for standing in standings
    ]
    context = {
        "found": found,
        "best": best,
        "rows": rows,
        "others": found.others,
        **navigation(request),
    }
    context["section"] = "organizations"
    return render(request, "leaderboard/history/organization.html", context)


def _table_rows(request: HttpRequest) -> int | None:
    """Rows a history table shows: ``TABLE_RECENT``, or all (None) with ``?numbers=all``
    (any other value: ignored)."""
    return None if request.GET.get("numbers") == "all" else TABLE_RECENT


def _board_name(board: Leaderboard) -> str:
    return labels.board_name(board.arena, board.category, board.style_control)


def _board_or_404(arena: str | None, category: str | None) -> Leaderboard | None:
    if arena is None or category is None:
        return None
    board = selectors.board_by_slug(f"{arena}/{category}")
    if board is None:
        raise Http404("no such board")
    return board


def _page(request: HttpRequest) -> tuple[int, str]:
    """A bad ``page`` is page 1 with a message, never an error."""
    raw = request.GET.get("page", "").strip()
    if not raw:
        return 1, ""
    if raw.isdigit() and 0 < int(raw) <= 10_000:
        return int(raw), ""
    return 1, _("“%(value)s” is not a page number; showing the first page.") % {"value": raw[:40]}


@page_cache.cacheable
@require_safe
def changes(
    request: HttpRequest, arena: str | None = None, category: str | None = None
) -> HttpResponse:
    """What changed on each new snapshot, newest first, all boards or one."""
    board = _board_or_404(arena, category)
    page, page_error = _page(request)
    found, more = history.recent_changes(
        board=board, limit=CHANGES_PER_PAGE, offset=(page - 1) * CHANGES_PER_PAGE
    )
    feed_url = (
        reverse("leaderboard:board-changes-feed", args=[board.arena, board.url_category])
        if board
        else reverse("leaderboard:changes-feed")
    )
    context = {
        "changes": found,
        "change_board": board,
        "page": page,
        "page_error": page_error,
        "next_page": page + 1 if more else None,
        "previous_page": page - 1 if page > 1 else None,
        "feed_url": feed_url,
        **navigation(request, current=board),
    }
    context["section"] = "changes"
    return render(request, "leaderboard/history/changes.html", context)


@page_cache.cacheable
@require_safe
def corrections_log(request: HttpRequest) -> HttpResponse:
    """Everywhere the site differs from upstream, newest first, paginated."""
    page, page_error = _page(request)
    found = corrections.cached_corrections()
    pages = max(1, -(-len(found) // CORRECTIONS_PER_PAGE))
    if page > pages:
        page, page_error = 1, _("There is no page %(page)d; showing the first.") % {"page": page}
    start = (page - 1) * CORRECTIONS_PER_PAGE
    context = {
        "corrections": found[start : start + CORRECTIONS_PER_PAGE],
        "total": len(found),
        "kinds": corrections.Kind,
        "page": page,
        "pages": pages,
        "page_error": page_error,
        "next_page": page + 1 if page < pages else None,
        "previous_page": page - 1 if page > 1 else None,
        **navigation(request),
    }
    context["section"] = "corrections"
    return render(request, "leaderboard/history/corrections.html", context)


class ChangesFeed(Feed):  # type: ignore[type-arg]  # (generic only in the stubs)
    """Atom feed of the events on the changes page's first page, all boards. Entry ids are
    tag URIs from board, date, kind and model key: a re-imported date keeps them."""

    feed_type = Atom1Feed
    board: Leaderboard | None = None

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.board = _board_or_404(kwargs.get("arena"), kwargs.get("category"))

    def title(self) -> str:
        where = self.board.slug if self.board else _("all boards")
        return _("Arena Leaderboard changes: %(where)s") % {"where": where}

    def link(self) -> str:
        if self.board:
            return reverse(
                "leaderboard:board-changes", args=[self.board.arena, self.board.url_category]
            )
        return reverse("leaderboard:changes")

    def subtitle(self) -> str:
        return _("New #1, entrants, departures, top-10 moves and the biggest movers per snapshot.")

    def items(self) -> list[tuple[history.SnapshotChanges, history.Event]]:
        found, _more = history.recent_changes(board=self.board, limit=CHANGES_PER_PAGE)
        return [(snapshot, event) for snapshot in found for event in snapshot.events]

    def item_title(self, item: tuple[history.SnapshotChanges, history.Event]) -> str:
        snapshot, event = item
        return f"{snapshot.board.slug} {snapshot.published_on}: {event.title}"

    def item_description(self, item: tuple[history.SnapshotChanges, history.Event]) -> str:
        snapshot = item[0]
        return _("%(board)s, snapshot of %(date)s compared with %(previous)s.") % {
            "board": snapshot.board.slug,
            "date": snapshot.published_on,
            "previous": snapshot.previous_on,
        }

    def item_link(self, item: tuple[history.SnapshotChanges, history.Event]) -> str:
        return reverse("leaderboard:model", args=[item[1].model.key])

    def item_guid(self, item: tuple[history.SnapshotChanges, history.Event]) -> str:
        return item[0].tag(item[1])

    item_guid_is_permalink = False

    def item_updateddate(self, item: tuple[history.SnapshotChanges, history.Event]) -> Any:
        return dt.datetime.combine(item[0].published_on, dt.time(), tzinfo=dt.UTC)

    item_pubdate = item_updateddate


changes_feed = gzip_page(ChangesFeed())


def _model_keys(raw: str) -> tuple[list[str], list[str]]:
    """Comma-separated keys, deduplicated in order; messages for what was dropped."""
    keys: list[str] = []
    for part in raw.split(","):
        part = part.strip()[:200]
        if part and "\x00" not in part and part not in keys:  # see model_detail
            keys.append(part)
    messages = []
    if len(keys) > COMPARE_MAX:
        messages.append(
            _("At most %(n)d models can be compared; the others were ignored.") % {"n": COMPARE_MAX}
        )
        keys = keys[:COMPARE_MAX]
    return keys, messages


@page_cache.cacheable
@require_safe
def compare(request: HttpRequest) -> HttpResponse:
    """2–4 models on one board: win probabilities with their range, separability, histories."""
    raw = ",".join(request.GET.getlist("models"))
    keys, messages = _model_keys(raw)
    found = history.models_by_keys(keys)
    unknown = [key for key in keys if key not in found]
    if unknown:
        messages.append(_("Unknown models ignored: %(keys)s") % {"keys": ", ".join(unknown)})
    models: list[AIModel] = [found[key] for key in keys if key in found]
    boards = list(selectors.boards_with_data())
    board = None
    pairs: list[dict[str, Any]] = []
    chart = None
    chart_table = None
    rows: list[dict[str, Any]] = []
    if len(models) >= 2:
        wanted = request.GET.get("board", "").strip()
        board = next((b for b in boards if b.slug == wanted), None)
        if wanted and board is None:
            messages.append(_("Unknown board “%(board)s” ignored.") % {"board": wanted[:60]})
        points = None
        if board is not None:
            points = history.board_points(board, models)
        else:
            # The first board (display order) on which every chosen model has a point.
            for candidate in boards:
                candidate_points = history.board_points(candidate, models)
                if all(candidate_points.values()):
                    board, points = candidate, candidate_points
                    break
        if board is not None and points is not None:
            pairs, rows = _matchups(board, models, points)
            chart = charts.compare_chart({m.name: points[m.pk] for m in models if points[m.pk]})
            chart_table = charts.table(chart)
        else:
            messages.append(_("These models share no board."))
    elif keys or raw:
        messages.append(_("Pick at least two models."))
    context = {
        "messages_": messages,
        "models": models,
        "keys_value": ",".join(m.key for m in models),
        "choices": history.model_choices(),
        "boards": boards,
        "board": board,
        "pairs": pairs,
        "rows": rows,
        "chart": chart,
        "chart_table": chart_table,
        "score_digits": exports.score_digits(board.metric) if board else 0,
        **navigation(request),
    }
    context["section"] = "compare"
    return render(request, "leaderboard/history/compare.html", context)


def _matchups(
    board: Leaderboard, models: list[AIModel], points: dict[int, list[history.Point]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Each model's latest point on the board, and every pair's matchup (Elo boards only)."""
    latest = {m.pk: points[m.pk][-1] for m in models if points[m.pk]}
    rows = [{"model": m, "point": latest.get(m.pk)} for m in models]
    pairs = []
    for i, a in enumerate(models):
        for b in models[i + 1 :]:
            pa, pb = latest.get(a.pk), latest.get(b.pk)
            if pa is None or pb is None:
                continue
            result = headtohead.matchup(
                score_a=pa.score,
                lower_a=pa.rating_lower,
                upper_a=pa.rating_upper,
                spread_a=(pa.rank_upper, pa.rank_lower),
                score_b=pb.score,
                lower_b=pb.rating_lower,
                upper_b=pb.rating_upper,
                spread_b=(pb.rank_upper, pb.rank_lower),
            )
            pairs.append(
                {
                    "a": a,
                    "b": b,
                    "result": result,
                    "elo": board.metric == Leaderboard.Metric.ELO,
                    "same_date": pa.published_on == pb.published_on,
                }
            )
    return pairs, rows
