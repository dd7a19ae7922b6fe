"""The HF leaderboard space's ``leaderboard_table_YYYYMMDD.csv`` model metadata table.

Headers seen (read by name, never by position):

- 2023: ``Model,MT-bench (win rate %),MT-bench (score),Arena Elo rating,MMLU,License,Link``
  (no ``key``, no ``Organization``);
- 2024 on: ``key,Model,MT-bench (score),MMLU,[Knowledge cutoff date,]License,Organization,Link``.

Every row becomes ``ModelMetadata`` ("-" means blank). Files with an Elo column also yield one
snapshot of the Chatbot Arena of that time: text, Overall, no style control (neither categories
nor style control existed while the table carried Elo). Rows whose Elo is "-" are left out
with a warning; the file has no ranks, intervals, votes or date (the date is in the file name).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from leaderboard.boards import BoardKey
from leaderboard.sources.base import (
    FormatError,
    ModelMetadata,
    ParseResult,
    RowData,
    SnapshotData,
)
from leaderboard.sources.csvread import csv_dicts, csv_header
from leaderboard.sources.text import parse_float, safe_url

_REQUIRED = ("Model", "License", "Link")
_BENCHMARKS = ("MT-bench (score)", "MMLU")


def _elo_column(fieldnames: list[str]) -> str | None:
    return next((name for name in fieldnames if "elo" in name.lower()), None)


def _cell(record: Mapping[str, object], column: str) -> str:
    """The stripped cell text; upstream's "-" placeholder and missing cells become ""."""
    value = record.get(column)
    text = " ".join(value.split()) if isinstance(value, str) else ""
    return "" if text == "-" else text


class LeaderboardTableCsvAdapter:
    """Metadata for every row, plus the Elo snapshot where the table still carries Elo."""

    name: ClassVar[str] = "hf-leaderboard-table"
    description: ClassVar[str] = (
        "HF space leaderboard_table_YYYYMMDD.csv (model metadata; Arena Elo in 2023 files)"
    )

    def sniff(self, data: bytes) -> bool:
        header = csv_header(data)
        if header is None:
            return False
        return set(_REQUIRED) <= set(header) and (
            any(name in header for name in _BENCHMARKS) or _elo_column(header) is not None
        )

    def parse(self, data: bytes, *, hint: BoardKey) -> ParseResult:
        """Raises FormatError on undecodable text, missing columns or a table without rows."""
        fieldnames, records = csv_dicts(data, "leaderboard table CSV")
        missing = [column for column in _REQUIRED if column not in fieldnames]
        if missing:
            raise FormatError(f"not a leaderboard table: header lacks {', '.join(missing)}")

        result = ParseResult(format=self.name)
        if "key" not in fieldnames:
            result.warnings.append("no key column: metadata rows carry display names only")
        elo_column = _elo_column(fieldnames)
        rows: list[RowData] = []
        skipped = duplicates = 0
        by_key: dict[str, ModelMetadata] = {}
        for line, record in enumerate(records, start=2):
            if None in record or None in record.values():
                # a short or long line is a cut or corrupt download, never a real row
                raise FormatError(f"leaderboard table line {line}: cell count differs from header")
            model = _cell(record, "Model")
            if not model:
                raise FormatError(f"leaderboard table line {line}: no model name")
            metadata = ModelMetadata(
                model_key=_cell(record, "key"),
                model=model,
                organization=_cell(record, "Organization"),
                license=_cell(record, "License"),
                url=safe_url(_cell(record, "Link")),
            )
            earlier = by_key.get(metadata.model_key or metadata.model)
            if earlier is not None:
                # the 2025 tables list yi-34b-chat twice; a second, different entry is dropped
                duplicates += 1
                if earlier != metadata:
                    result.warnings.append(
                        f"line {line}: second entry for {metadata.model_key!r} "
                        "differs from the first; the first is kept"
                    )
                continue
            by_key[metadata.model_key or metadata.model] = metadata
            result.metadata.append(metadata)
            if elo_column is None:
                continue
            score = parse_float(_cell(record, elo_column) or None)
            if score is None:
                skipped += 1
                continue
            rows.append(
                RowData(
                    model=model,
                    score=score,
                    organization=metadata.organization,
                    license=metadata.license,
                    model_key=metadata.model_key,
                    url=metadata.url,
                )
            )
        if not result.metadata:
            raise FormatError("leaderboard table has a header but no rows")
        if duplicates:
            result.warnings.append(f"{duplicates} repeated model rows dropped")
        if elo_column is not None:
            if not rows:
                raise FormatError(f"leaderboard table has a {elo_column!r} column but no value")
            rows.sort(key=lambda row: row.score, reverse=True)
            result.snapshots.append(
                SnapshotData(rows=rows, arena="text", category="overall", style_control=False)
            )
            if skipped:
                result.warnings.append(
                    f"{skipped} rows without {elo_column!r} left out of the board"
                )
        return result
