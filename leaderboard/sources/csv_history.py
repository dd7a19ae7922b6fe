"""History tables rebuilt by third parties from the HF space's ``elo_results_YYYYMMDD.pkl`` files.

Both repositories read the text arena's ``full`` board (Overall, no style control; the first
two 2023 files only had ``elo_rating_online``), so every snapshot is text / overall /
``style_control=False``. Neither carries intervals, votes or ranks, and the date is the pkl's
file-name date.

- ``HistoryPivotCsvAdapter`` (nakasyou/lmarena-history ``output/result.csv``): a pandas frame
  with one row per date (index column without a name, ``YYYYMMDD``) and one column per model
  key; ``0`` (pandas' fill value) means "not on the board that day".
- ``HistoryLongCsvAdapter`` (jasontrigg0/chatbot-arena-history ``alltime.csv``):
  ``key,Model,rating,License,Organization,date``, one line per model and date. Models merged
  from two metadata tables appear twice on a date with identical values; the repeat is dropped.

Both parse in one linear pass (the long file is 1.1 MB, 13k lines).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import ClassVar

from leaderboard.boards import BoardKey
from leaderboard.sources.base import FormatError, ParseResult, RowData, SnapshotData
from leaderboard.sources.csvread import csv_head, csv_records
from leaderboard.sources.text import calendar_date, parse_float

_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})$")
_LONG_REQUIRED = ("key", "Model", "rating", "date")


def _date(text: str) -> dt.date | None:
    """``20250302`` or ``2025-03-02`` → a date; anything else → None."""
    match = _DATE.match(text.strip())
    return calendar_date(*match.groups()) if match else None


def _snapshot(rows: list[RowData], published_on: dt.date) -> SnapshotData:
    rows.sort(key=lambda row: row.score, reverse=True)
    return SnapshotData(
        rows=rows, arena="text", category="overall", style_control=False, published_on=published_on
    )


class HistoryPivotCsvAdapter:
    """One snapshot per date row of the wide date-by-model-key table."""

    name: ClassVar[str] = "history-pivot"
    description: ClassVar[str] = "wide history CSV, one row per date, one column per model key"

    def sniff(self, data: bytes) -> bool:
        lines = csv_head(data, 2)
        if lines is None or len(lines) < 2 or len(lines[0]) < 2 or not lines[1]:
            return False
        return lines[0][0] == "" and _date(lines[1][0]) is not None

    def parse(self, data: bytes, *, hint: BoardKey) -> ParseResult:
        """Snapshots in file order; dates with no rating are skipped with a warning.

        Raises FormatError on a bad header, a bad or repeated date or a short line.
        """
        records = csv_records(data, "history pivot CSV")
        header = next(records, None)
        if not header or len(header) < 2 or header[0] != "" or not all(header[1:]):
            raise FormatError("not a history pivot: first line must be ',<model key>,…'")
        keys = header[1:]
        result = ParseResult(format=self.name)
        seen: set[dt.date] = set()
        for line, record in enumerate(records, start=2):
            if not record:
                continue
            published_on = _date(record[0])
            if published_on is None or published_on in seen:
                raise FormatError(f"history pivot line {line}: bad or repeated date {record[0]!r}")
            if len(record) != len(header):
                raise FormatError(
                    f"history pivot line {line}: {len(record)} cells, expected {len(header)}"
                )
            seen.add(published_on)
            rows = []
            for key, cell in zip(keys, record[1:], strict=True):
                score = parse_float(cell)
                # pandas filled models absent on that date with 0; no real rating is <= 0
                if score is not None and score > 0:
                    rows.append(RowData(model=key, score=score, model_key=key))
            if rows:
                result.snapshots.append(_snapshot(rows, published_on))
            else:
                result.warnings.append(f"{published_on}: no model rated, date skipped")
        if not result.snapshots:
            raise FormatError("history pivot has no rated model on any date")
        return result


class HistoryLongCsvAdapter:
    """One snapshot per distinct ``date`` of the long ``key,Model,rating,…,date`` table."""

    name: ClassVar[str] = "history-long"
    description: ClassVar[str] = "long history CSV key,Model,rating,License,Organization,date"

    def sniff(self, data: bytes) -> bool:
        lines = csv_head(data, 1)
        if not lines:
            return False
        return set(_LONG_REQUIRED) <= set(lines[0])

    def parse(self, data: bytes, *, hint: BoardKey) -> ParseResult:
        """Snapshots ordered by date; repeated identical lines are dropped with a warning.

        Raises FormatError on missing columns, a bad date or rating, or one model rated twice
        differently on the same date.
        """
        records = csv_records(data, "history long CSV")
        header = next(records, None) or []
        missing = [column for column in _LONG_REQUIRED if column not in header]
        if missing:
            raise FormatError(f"not a long history CSV: header lacks {', '.join(missing)}")
        column = {name: index for index, name in reversed(list(enumerate(header)))}
        width = len(header)
        by_date: dict[dt.date, dict[str, RowData]] = {}
        dates: dict[str, dt.date] = {}
        repeats = 0
        for line, record in enumerate(records, start=2):
            if not record:
                continue
            if len(record) != width:
                raise FormatError(
                    f"history long line {line}: {len(record)} cells, expected {width}"
                )
            raw_date = record[column["date"]]
            published_on = dates.get(raw_date) or _date(raw_date)
            key = record[column["key"]].strip()
            score = parse_float(record[column["rating"]])
            if published_on is None or not key or score is None:
                raise FormatError(f"history long line {line}: no valid key, rating and date")
            dates[raw_date] = published_on
            model = " ".join(record[column["Model"]].split())
            row = RowData(
                model=model or key,
                score=score,
                organization=_optional(record, column, "Organization"),
                license=_optional(record, column, "License"),
                model_key=key,
                name_uncertain=not model,
            )
            board = by_date.setdefault(published_on, {})
            earlier = board.get(key)
            if earlier is None:
                board[key] = row
            elif earlier == row:
                repeats += 1
            else:
                raise FormatError(f"history long line {line}: {key!r} rated twice on {raw_date}")
        if not by_date:
            raise FormatError("long history CSV has a header but no rows")
        result = ParseResult(format=self.name)
        result.snapshots = [_snapshot(list(by_date[day].values()), day) for day in sorted(by_date)]
        if repeats:
            result.warnings.append(f"{repeats} repeated lines (same key, date and values) dropped")
        return result


def _optional(record: list[str], column: dict[str, int], name: str) -> str:
    """The stripped cell of an optional column ("" when the header lacks it)."""
    index = column.get(name)
    return record[index].strip() if index is not None else ""
