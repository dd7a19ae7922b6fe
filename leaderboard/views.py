"""Public pages. Views are glue: selectors read, filters and tables shape, exports render."""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import cached_property
from itertools import groupby
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, translate_url
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from . import cache_keys, exports, freshness, health, labels, page_cache, selectors
from .filters import (
    BoardFilter,
    board_entries,
    page_sort,
    page_state,
    page_state_query,
    short_url,
)
from .models import Entry, Leaderboard, Snapshot
from .tables import BoardTable

EXPORT_TYPES = {
    "csv": ("csv", "text/csv; charset=utf-8"),
    "json": ("json", "application/json"),
    "md": ("markdown", "text/markdown; charset=utf-8"),
}


# Pages are ~120 KB of table markup that compresses ~10×; the page cache stores them
# compressed. They carry no secret (no CSRF token, no session data), so compression cannot
# leak one (BREACH).
class BoardView(SingleTableMixin, FilterView):
    """A board (its current snapshot or the one "as of" a date), filtered and sorted by the
    query string, as HTML or as an export. Stored by the page cache (``page_cache``); its
    validators follow snapshot, data version, language and state, so a visitor the cache
    does not serve (a signed-in one) still gets 304 to a matching ETag or If-Modified-Since."""

    table_class = BoardTable
    filterset_class = BoardFilter
    template_name = "leaderboard/board.html"
    table_pagination = False
    strict = False  # an invalid filter value is ignored (and shown), not an empty table

    board: Leaderboard
    snapshot: Snapshot
    rows_shown: int
    baseline: Snapshot | None
    compare_error: str

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Empty parameters come from untouched fields of a form sent without JavaScript.
        short = short_url(request)
        if short is not None:
            return redirect(short)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        slug = f"{kwargs.get('arena', 'text')}/{kwargs.get('category', 'overall')}"
        board = selectors.board_by_slug(slug)
        if board is None:
            raise Http404("no such board")
        self.board = board
        self.as_of, self.as_of_error = _parse_as_of(request.GET.get("as_of", ""))
        snapshot = selectors.snapshot_as_of(board, self.as_of)
        if snapshot is None:
            return self._before_first_snapshot()
        self.snapshot = snapshot
        export = kwargs.get("export")
        if export is not None and export not in EXPORT_TYPES:
            raise Http404("no such export format")

        version, changed_at = cache_keys.current()
        state = page_state(request)
        # Timestamps too: ids and the counter can repeat after a database reset while a shared
        # cache (Redis) keeps its keys.
        key_material = repr(
            (board.pk, snapshot.pk, snapshot.imported_at, version, changed_at, get_language(),
             request.path, export, state)
        )  # fmt: skip
        digest = hashlib.sha256(key_material.encode()).hexdigest()[:32]
        etag = f'"{digest}"'
        # Whole seconds: HTTP dates have no fractions, and If-Modified-Since must match.
        last_modified = int(max(changed_at, snapshot.imported_at).timestamp())
        not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if not_modified is not None:
            return _with_validators(not_modified, etag, last_modified)

        response = self._export(export) if export else super().get(request, *args, **kwargs)
        if hasattr(response, "render"):
            response.render()
        if response.status_code == 200 and self._snapshot_vanished():
            return _retry_soon()
        if response.status_code == 200:
            page_cache.mark(response, seconds=_cache_seconds(state))
        return _with_validators(response, etag, last_modified)

    def get_queryset(self) -> Any:
        return board_entries(self.snapshot)

    def _snapshot_vanished(self) -> bool:
        """True when the rendered view is empty because its snapshot's rows are gone (deleted
        while this request ran), not because the filter matched nothing. Such a page is never
        served or cached. Costs a query only when the view is empty."""
        return (
            self.rows_shown == 0
            and self.snapshot.row_count > 0
            and not Entry.objects.filter(snapshot_id=self.snapshot.pk).exists()
        )

    def get_filterset_kwargs(self, filterset_class: Any) -> dict[str, Any]:
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs.update(
            board=self.board, snapshot=self.snapshot, optional_columns=self._optional_columns
        )
        return kwargs

    @cached_property
    def _optional_columns(self) -> frozenset[str]:
        """Price and context, where this snapshot has them (read on a cache miss only)."""
        return selectors.optional_columns(self.snapshot)

    def _rows(self) -> list[exports.ExportRow]:
        """Exactly the rows the page shows: filtered, then sorted as the table is."""
        # The API's snapshot endpoint reads through the same function.
        view = selectors.view_rows(
            self.request.GET,
            board=self.board,
            snapshot=self.snapshot,
            optional=self._optional_columns,
        )
        self.filterset, self.baseline, self.compare_error = (
            view.filterset, view.baseline, view.compare_error,
        )  # fmt: skip
        rows = exports.export_rows(view.entries)
        self.rows_shown = len(rows)
        return rows

    def get_table(self, **kwargs: Any) -> BoardTable:
        return self._table(self.get_table_data(), **kwargs)

    def _table(self, data: Any, **kwargs: Any) -> BoardTable:
        """The table of the filtered rows with their movement. Needs the validated filterset
        (``compare_to`` is one of its fields)."""
        self._resolve_baseline()
        # No ``request=`` and no RequestConfig: both hand the raw ``sort`` values to the table.
        table = self.get_table_class()(
            selectors.with_movement(data, self.baseline),
            optional_columns=self._optional_columns,
            **kwargs,
        )
        table.request = self.request
        table.baseline = self.baseline
        table.metric = self.board.metric
        table.order_by = page_sort(self.request) or table.order_by
        return table

    def _resolve_baseline(self) -> None:
        form = self.filterset.form  # unbound (no cleaned data) when the query string is empty
        wanted: dt.date | None = form.cleaned_data.get("compare_to") if form.is_bound else None
        self.baseline, self.compare_error = selectors.movement_baseline(
            self.board, self.snapshot, wanted
        )

    def _export(self, export: str) -> HttpResponse:
        fmt, content_type = EXPORT_TYPES[export]
        rows = self._rows()
        body = exports.render(
            fmt,
            board=self.board,
            snapshot=self.snapshot,
            rows=rows,
            movement_since=self.baseline.published_on if self.baseline else None,
        )
        response = HttpResponse(body, content_type=content_type)
        name = f"arena-{self.board.slug.replace('/', '-')}-{self.snapshot.published_on}.{export}"
        disposition = "attachment" if export == "csv" else "inline"
        response["Content-Disposition"] = f'{disposition}; filename="{name}"'
        return response

    def _before_first_snapshot(self) -> HttpResponse:
        """A date before the board's first snapshot: a page that says so and links the first."""
        dates = selectors.snapshot_dates(self.board)
        context = {
            "board": self.board,
            "as_of": self.as_of,
            "first_date": dates[-1] if dates else None,
            "section": "boards",
            **navigation(self.request, current=self.board),
        }
        return render(self.request, "leaderboard/before_first.html", context, status=404)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        request = self.request
        query = page_state_query(request)
        shown = list(context["table"].data)
        self.rows_shown = len(shown)
        dates = selectors.snapshot_dates(self.board)
        context.update(
            board=self.board,
            snapshot=self.snapshot,
            is_current=self.snapshot.pk == self.board.current_snapshot_id,
            as_of=self.as_of,
            as_of_error=self.as_of_error,
            shown_count=len(shown),
            # The rows shown, not the snapshot: the total follows the filters.
            shown_votes=sum(entry.votes or 0 for entry in shown),
            sort=page_sort(request),
            query=query,
            # Which snapshot, sort and movement baseline are not filters: all rows still show.
            filtered=any(
                key not in {"sort", "as_of", "compare_to"} for key, _values in page_state(request)
            ),
            baseline=self.baseline,
            compare_error=self.compare_error,
            **snapshot_neighbours(request, dates, self.snapshot.published_on),
            export_links=[
                (
                    label,
                    reverse(
                        "leaderboard:board-export",
                        args=[self.board.arena, self.board.url_category, ext],
                    )
                    + (f"?{query}" if query else ""),
                )
                for ext, label in (("csv", "CSV"), ("json", "JSON"), ("md", "Markdown"))
            ],
            section="boards",
            **navigation(request, current=self.board),
        )
        return context


def snapshot_neighbours(
    request: HttpRequest, dates: list[dt.date], shown: dt.date
) -> dict[str, Any]:
    """The board's snapshot dates as links (keeping the filters), and the previous and next
    one around the date shown; the newest links to the plain board, not to an ``as_of``."""

    def link(day: dt.date) -> str:
        query = page_state_query(request, as_of=None if day == dates[0] else day.isoformat())
        return request.path + (f"?{query}" if query else "")

    index = dates.index(shown) if shown in dates else 0
    return {
        "snapshot_dates": [(day, link(day), day == shown) for day in dates],
        "older_snapshot": (dates[index + 1], link(dates[index + 1]))
        if index + 1 < len(dates)
        else None,
        "newer_snapshot": (dates[index - 1], link(dates[index - 1])) if index > 0 else None,
    }


def _cache_seconds(state: list[tuple[str, list[str]]]) -> int:
    """Filtered views expire sooner: their keys are as many as visitors can type."""
    if state:
        return int(settings.ARENA_FILTERED_PAGE_CACHE_SECONDS)
    return int(settings.ARENA_PAGE_CACHE_SECONDS)


def _retry_soon() -> HttpResponse:
    """503 for a view whose data vanished mid-request: the next try reads the new snapshot."""
    response = HttpResponse(
        "The leaderboard is being updated; try again in a few seconds.\n",
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = "5"
    patch_cache_control(response, no_store=True)
    return response


def _with_validators(response: HttpResponse, etag: str, last_modified: int) -> HttpResponse:
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    patch_cache_control(response, public=True, max_age=60)
    return response


def _parse_as_of(value: str) -> tuple[dt.date | None, str]:
    """A bad date is ignored with a message, never an error page."""
    value = value.strip()
    if not value:
        return None, ""
    try:
        return dt.date.fromisoformat(value), ""
    except ValueError:
        return None, value


def navigation(request: HttpRequest, *, current: Leaderboard | None = None) -> dict[str, Any]:
    """Boards with data as two rows of tabs (arenas, then the current arena's categories),
    the style-control twin, and language links."""
    # Stable: within an arena the boards keep their display order.
    boards = sorted(
        selectors.boards_with_data(),
        key=lambda board: (labels.arena_order(board.arena), board.arena),
    )
    arenas = [
        (arena, list(group)) for arena, group in groupby(boards, key=lambda board: board.arena)
    ]
    twin = None
    category_tabs: list[tuple[str, str, bool]] = []
    if current is not None:
        twin = next(
            (
                board
                for board in boards
                if (board.arena, board.category) == (current.arena, current.category)
                and board.style_control != current.style_control
            ),
            None,
        )
        siblings = dict(arenas).get(current.arena, [])
        for category, group in groupby(siblings, key=lambda board: board.category):
            variants = list(group)
            # The tab keeps the reader's style-control choice where the category has it.
            tab = next((b for b in variants if b.style_control == current.style_control), None)
            tab = tab or variants[0]
            category_tabs.append(
                (
                    labels.category_name(category),
                    tab.get_absolute_url(),
                    category == current.category,
                )
            )
    arena_tabs = [
        (
            labels.arena_name(arena),
            group[0].get_absolute_url(),
            current is not None and arena == current.arena,
        )
        for arena, group in arenas
    ]
    query = page_state_query(request)  # only what shapes the page: no echo of arbitrary input
    suffix = f"?{query}" if query else ""
    languages = [
        (code, name, translate_url(request.path, code) + suffix)
        for code, name in (("en", "English"), ("zh-hans", "简体中文"))
    ]
    return {
        "arenas": arenas,
        "arena_tabs": arena_tabs,
        "category_tabs": category_tabs,
        "style_twin": twin,
        "language_links": languages,
    }


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The default board (text, overall, style control) — or, without data, what there is."""
    default = selectors.board_by_slug("text/overall")
    if default is not None and default.current_snapshot_id is not None:
        return BoardView.as_view()(request, arena="text", category="overall")
    return render(request, "leaderboard/home.html", {"section": "boards", **navigation(request)})


@page_cache.cacheable
@require_safe
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "leaderboard/about.html", {"section": "about", **navigation(request)})


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and the smoke test: database reachable, beat heartbeat age.
    A JSON 503 (never Django's HTML 500) when the database is not."""
    database = health.check_database()
    if not database.ok:
        return JsonResponse({"database": "unavailable", **database.detail}, status=503)
    return JsonResponse({"database": "ok", **database.detail})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 when the database, the cache and the broker answer, else 503 naming the
    one that did not. Freshness is reported, never a reason for 503."""
    ready, report = health.readiness()
    return JsonResponse(report, status=200 if ready else 503)


@gzip_page
@require_safe
def status(request: HttpRequest) -> HttpResponse:
    """Public freshness page: per board and source, the last import, its upstream date, its
    age and the last failure's reason. Never in the page cache (it is about now); browsers
    and CDNs may keep it a minute."""
    response = render(
        request,
        "leaderboard/status.html",
        {
            "boards": freshness.boards(),
            "sources": freshness.sources(),
            "stale_after_hours": settings.ARENA_STALE_AFTER_HOURS,
            "failing_after_runs": settings.ARENA_FAILING_AFTER_RUNS,
            **navigation(request),
        },
    )
    patch_cache_control(response, public=True, max_age=60)
    return response
