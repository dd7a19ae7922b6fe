"""Chart data: history points turned into the plain JSON ``static/js/history.js`` draws.

Pure but for a log line (``board_data``). Dates become Unix days (days since 1970-01-01;
the script multiplies them into the Unix seconds uPlot expects: half the digits of every x on
years of daily points); a missing value is None (a gap in the line). The same lists feed the
accessible tables beside each chart.

A model page's board draws its score and rank charts from one JSON (``board_data``: the dates
once). Its number lists are JSON text (``ChartText``) that the history blocks store encoded
(``HistoryBlock.charts``), so the page encodes only the points an import added since: years of
daily floats were the most costly part of its render.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from .history import BoardHistory, Point, Series

logger = logging.getLogger(__name__)
EPOCH = dt.date(1970, 1, 1).toordinal()
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
"""What ``json_script`` escapes, so the data cannot close its ``<script>``."""


def score_chart(series: Series, *, label: str) -> dict[str, Any]:
    """One model's scores on one board, with their interval as a band."""
    return {
        "kind": "score",
        "x": unix_days(series.published_on),
        "series": [
            {
                "label": label,
                "values": series.score,
                "lower": series.rating_lower,
                "upper": series.rating_upper,
            }
        ],
    }


def ranks_chart(series: Series, *, label: str) -> dict[str, Any]:
    """One model's ranks on one board: ``rank_chart`` of a single series, whose dates need
    no aligning."""
    return {
        "kind": "rank",
        "x": unix_days(series.published_on),
        "series": [{"label": label, "values": series.rank}],
    }


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


def table(chart: dict[str, Any]) -> tuple[list[str], list[tuple[str, list[Any]]]]:
    """The chart's numbers as (column headers, [(ISO date, values)]) for the table beside it."""
    headers: list[str] = []
    columns: list[list[Any]] = []
    for series in chart["series"]:
        headers.append(series["label"])
        columns.append(series["values"])
        if "lower" in series:
            headers += ["−", "+"]
            columns += [series["lower"], series["upper"]]
    rows = [
        (dt.date.fromordinal(x + EPOCH).isoformat(), [column[i] for column in columns])
        for i, x in enumerate(chart["x"])
    ]
    return headers, rows


_NUMBERS = re.compile(r"\[[-+0-9.,eEnul]*\]")
"""A JSON list of numbers and nulls, as ``ChartText`` encodes them; nothing that could end a
``<script>`` or break the JSON around it."""


class ChartText(NamedTuple):
    """A series' chart columns, each a JSON list: x (``unix_days``), score, its interval's
    lower and upper bounds, rank."""

    x: str
    score: str
    lower: str
    upper: str
    rank: str

    @classmethod
    def of(cls, series: Series) -> ChartText:
        columns = (
            unix_days(series.published_on),
            series.score,
            series.rating_lower,
            series.rating_upper,
            series.rank,
        )
        return cls(*(json.dumps(column, separators=(",", ":")) for column in columns))

    def stored(self) -> str:
        """As a block stores it: the columns one per line (their JSON has no newline)."""
        return "\n".join(self)

    @classmethod
    def parse(cls, text: str, count: int) -> ChartText | None:
        """What ``stored`` wrote for ``count`` points, or None for anything else (damaged, or
        written for other points: every list is counted)."""
        parts = text.split("\n")
        if len(parts) != len(cls._fields) or not all(map(_NUMBERS.fullmatch, parts)):
            return None
        if any((0 if part == "[]" else part.count(",") + 1) != count for part in parts):
            return None
        return cls(*parts)

    def then(self, newer: ChartText) -> ChartText:
        """These columns followed by ``newer``'s."""
        return ChartText(*(_joined(old, new) for old, new in zip(self, newer, strict=True)))


def _joined(old: str, new: str) -> str:
    if old == "[]":
        return new
    if new == "[]":
        return old
    return f"{old[:-1]},{new[1:]}"


def board_data(history: BoardHistory, *, label: str) -> str:
    """One board's score and rank charts as the JSON ``history.js`` reads,
    ``{"x": [...], "score": [series], "rank": [series]}`` (what ``score_chart`` and
    ``ranks_chart`` hold, the dates once), safe inside a ``<script>`` (escaped as
    ``json_script`` escapes): the block's stored text for the points it covers, only the newer
    ones encoded here."""
    text, covered = history.charted
    stored = ChartText.parse(text, covered) if text else None
    if stored is None:
        if text:
            logger.warning("unreadable chart text on board %s: encoded again", history.board.pk)
        whole = ChartText.of(history.series)
    else:
        whole = stored.then(ChartText.of(history.series.since(covered)))
    name = json.dumps(label).translate(JSON_SCRIPT_ESCAPES)  # numbers need none
    return (
        f'{{"x":{whole.x},"score":[{{"label":{name},"values":{whole.score},'
        f'"lower":{whole.lower},"upper":{whole.upper}}}],'
        f'"rank":[{{"label":{name},"values":{whole.rank}}}]}}'
    )
