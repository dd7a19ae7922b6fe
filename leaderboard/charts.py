"""Chart data: history points turned into the plain JSON ``static/js/history.js`` draws.

Pure. Dates become Unix days (days since 1970-01-01; the script multiplies them into the Unix
seconds uPlot expects: half the digits of every x on years of daily points); a missing value
is None (a gap in the line). The same lists feed the accessible tables beside each chart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from .history import Point, Series

EPOCH = dt.date(1970, 1, 1).toordinal()


def score_chart(series: Series, *, label: str, x: list[int] | None = None) -> dict[str, Any]:

    return {
        "kind": "score",
        "x": unix_days(series.published_on) if x is None else x,
        "series": [
            {
                "label": label,
                "values": series.score,
                "lower": series.rating_lower,
                "upper": series.rating_upper,
            }
        ],
    }


def ranks_chart(series: Series, *, label: str, x: list[int] | None = None) -> dict[str, Any]:
    """One model's ranks on one board: ``rank_chart`` of a single series, whose dates need
    no aligning."""
    x = unix_days(series.published_on) if x is None else x
    return {"kind": "rank", "x": x, "series": [{"label": label, "values": series.rank}]}


def unix_days(dates: Iterable[dt.date]) -> list[int]:
    """Dates as Unix days, what the charts' x values are."""
    return [day.toordinal() - EPOCH for day in dates]


def rank_chart(series: dict[str, Sequence[tuple[dt.date, int]]]) -> dict[str, Any]:
    """Ranks (1 at the top: the axis is inverted), one series per label, aligned on dates."""
    return _aligned("rank", {label: list(values) for label, values in series.items()})


def compare_chart(series: dict[str, Sequence[Point]]) -> dict[str, Any]:
    """Several models' scores on one board, aligned on the union of their dates."""
    return _aligned(
        "score",
        {label: [(p.published_on, p.score) for p in points] for label, points in series.items()},
    )


def _aligned(kind: str, series: dict[str, list[tuple[dt.date, Any]]]) -> dict[str, Any]:
    days = sorted({day for values in series.values() for day, _ in values})
    by_day = {label: dict(values) for label, values in series.items()}  # once, not per day
    return {
        "kind": kind,
        "x": unix_days(days),
        "series": [
            {"label": label, "values": [lookup.get(day) for day in days]}
            for label, lookup in by_day.items()
        ],
    }


def table(
    chart: dict[str, Any], *, last: int | None = None
) -> tuple[list[str], list[tuple[str, list[Any]]]]:
    """The chart's numbers as (column headers, [(ISO date, values)]) for the table beside it;
    with ``last``, only the newest ``last`` rows (oldest first, as the chart)."""
    headers: list[str] = []
    columns: list[list[Any]] = []
    for series in chart["series"]:
        headers.append(series["label"])
        columns.append(series["values"])
        if "lower" in series:
            headers += ["−", "+"]
            columns += [series["lower"], series["upper"]]
    xs = chart["x"]
    start = 0 if last is None else max(0, len(xs) - last)
    rows = [
        (
            dt.date.fromordinal(xs[i] + EPOCH).isoformat(),
            [column[i] for column in columns],
        )
        for i in range(start, len(xs))
    ]
    return headers, rows
