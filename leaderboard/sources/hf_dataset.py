"""LMArena's official Hugging Face dataset ``lmarena-ai/leaderboard-dataset`` (CC BY 4.0).

One config per arena (``text``, ``text_style_control``, ``webdev``, ``agent`` …), each with the
splits ``latest`` and ``full`` (every snapshot since 2023). Rows are flat records keyed by column
name; the adapter reads them either as a plain JSON array of row dicts or as one page of the
datasets-server ``/rows`` envelope, and groups them into one snapshot per
(``category``, ``leaderboard_publish_date``).

Two row schemas exist:

- Bradley-Terry arenas: ``model_name, organization, license, rating, rating_lower,
  rating_upper, variance, vote_count, rank, category, leaderboard_publish_date``;
- Agent Arena configs: ``score, score_ci_lower, score_ci_upper, observation_count,
  session_count`` instead of the rating columns (metric ``score``, see ``_AGENT_VOTES``).

Quirks seen in the real data: whole numbers stored as floats (``rank`` 1.0, ``vote_count``
1905.0), null CIs and votes before 2024, NaN ratings on a few old rows, empty organization or
license strings since 2026-04, and a display name published twice in one webdev snapshot.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from itertools import pairwise
from typing import ClassVar

from leaderboard.boards import BoardKey

from .base import FormatError, Metric, ParseResult, RankKind, RowData, SnapshotData
from .text import slug

CONFIGS: tuple[str, ...] = (
    "text",
    "text_style_control",
    "text_factuality",
    "vision",
    "vision_style_control",
    "search",
    "search_style_control",
    "search_factuality",
    "document",
    "document_style_control",
    "webdev",
    "text_to_image",
    "image_edit",
    "text_to_video",
    "image_to_video",
    "video_edit",
    "agent",
    "agent_bash_recovery_steps",
    "agent_praise_complaint",
    "agent_steerability",
    "agent_task_outcome_explicit",
    "agent_tool_hallucination",
)
"""The configs the dataset held on 2026-10-08 (dataset commit ``ff77a170``)."""

_STYLE_SUFFIX = "_style_control"
_STYLE_TWINS = frozenset(
    config.removesuffix(_STYLE_SUFFIX) for config in CONFIGS if config.endswith(_STYLE_SUFFIX)
)
"""Configs published both raw and style-controlled: the raw one is ``style_control=False``."""

_REQUIRED = ("model_name", "category", "leaderboard_publish_date")
_ELO_COLUMNS = ("rating", "rating_lower", "rating_upper", "vote_count")
_AGENT_COLUMNS = ("score", "score_ci_lower", "score_ci_upper", "session_count")
_AGENT_VOTES = "session_count"
"""Agent rows count ``session_count`` as votes, not ``observation_count``.

A session is one user's agent conversation that the IPS score is estimated from — the agent
counterpart of a battle, and the "sessions" column arena.ai prints beside the agent board (e.g.
Claude Opus 5 (High): 19,732 sessions on 2026-08-12, 19,787 on the page of 2026-08-21).
``observation_count`` counts individual signal observations inside sessions (millions per
model), which no page shows and which is not comparable with battle counts.
"""

_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:$|[T ])")
_SNIFF_BYTES = 65536


def board_for_config(config: str) -> tuple[str, bool | None]:
    """Map an HF config name to ``(arena slug, style_control)``. Pure; raises ValueError on "".

    ``text`` → ("text", False), ``text_style_control`` → ("text", True), ``webdev`` →
    ("webdev", None), ``text_to_image`` → ("text-to-image", None), ``agent_steerability`` →
    ("agent-steerability", None). Unknown configs follow the same rule: a ``_style_control``
    suffix means True, a config with a known style-controlled twin means False, anything else
    None (the dataset does not say), and the arena slug is the name with ``_`` → ``-``.
    """
    name = config.strip().lower()
    if not name:
        raise ValueError("empty HF config name")
    if name.endswith(_STYLE_SUFFIX) and name != _STYLE_SUFFIX:
        return slug(name.removesuffix(_STYLE_SUFFIX)), True
    return slug(name), (False if name in _STYLE_TWINS else None)


def parse_splits(data: bytes) -> list[tuple[str, str]]:
    """Read a datasets-server ``/splits`` response into ``[(config, split), …]`` in its order.

    Raises ``FormatError`` when the body is not that response or lists no split.
    """
    payload = _load_json(data)
    splits = payload.get("splits") if isinstance(payload, dict) else None
    if not isinstance(splits, list):
        raise FormatError('not a datasets-server /splits response (no "splits" list)')
    result: list[tuple[str, str]] = []
    for index, entry in enumerate(splits):
        config = entry.get("config") if isinstance(entry, dict) else None
        split = entry.get("split") if isinstance(entry, dict) else None
        if not (isinstance(config, str) and config and isinstance(split, str) and split):
            raise FormatError(f"/splits entry {index} has no config and split names")
        result.append((config, split))
    if not result:
        raise FormatError("/splits response lists no split")
    return result


def parse_rows_page(data: bytes) -> tuple[list[dict[str, object]], int]:
    """Read one datasets-server ``/rows`` page into ``(row dicts, num_rows_total)``.

    The row dicts are the ``row`` objects, in page order. Raises ``FormatError`` when the body is
    not a ``/rows`` page, a row is malformed or a cell was truncated by the server.
    """
    payload = _load_json(data)
    if not isinstance(payload, dict) or not isinstance(payload.get("rows"), list):
        raise FormatError('not a datasets-server /rows page (no "rows" list)')
    total = payload.get("num_rows_total")
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise FormatError("/rows page has no num_rows_total count")
    return _envelope_rows(payload["rows"]), total


class HFDatasetAdapter:
    """Rows of ``lmarena-ai/leaderboard-dataset``: a JSON array of row dicts or a ``/rows`` page."""

    name: ClassVar[str] = "hf-dataset"
    description: ClassVar[str] = (
        "Hugging Face dataset lmarena-ai/leaderboard-dataset (CC BY 4.0): parquet rows as a JSON "
        "array or a datasets-server /rows page; one snapshot per category and publish date"
    )

    def sniff(self, data: bytes) -> bool:
        """True for JSON whose head names the dataset's ``model_name`` and publish-date columns."""
        head = data[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
        return (
            head[:1] in (b"[", b"{")
            and b'"model_name"' in head
            and b'"leaderboard_publish_date"' in head
        )

    def parse(self, data: bytes, *, hint: BoardKey) -> ParseResult:
        """One snapshot per (category, publish date), ordered by date then category.

        The arena comes from ``hint`` (the caller knows the config; see ``board_for_config``);
        the rows do not say whether they are style-controlled, so ``style_control`` stays None
        for the service to take from the hint. Raises ``FormatError`` only.
        """
        payload = _load_json(data)
        warnings: list[str] = []
        if isinstance(payload, list):
            records = payload
        elif isinstance(payload, dict) and isinstance(payload.get("rows"), list):
            records = _envelope_rows(payload["rows"])
            total = payload.get("num_rows_total")
            if isinstance(total, int) and not isinstance(total, bool) and total > len(records):
                warnings.append(f"this /rows page holds {len(records)} of {total} rows")
        else:
            raise FormatError("not HF leaderboard-dataset rows (neither a JSON array nor /rows)")
        if not records:
            raise FormatError("the payload holds no rows")
        metric = _schema(records)
        groups: dict[tuple[dt.date, str], dict[str, RowData]] = {}
        for index, record in enumerate(records):
            key, row = _row(record, index, metric)
            if row is None:
                warnings.append(f"row {index} ({key[1]} {key[0]}): no score, skipped")
                continue
            rows = groups.setdefault(key, {})
            kept = rows.get(row.model_key)
            if kept is None:
                rows[row.model_key] = row
                continue
            # Upstream publishes a few display names twice in one snapshot (two entries, one
            # name); one model per board is an invariant, so the better-rated entry stays.
            warnings.append(
                f"{key[1]} {key[0]}: {row.model_key!r} appears twice; kept score "
                f"{max(kept.score, row.score)!r}, dropped {min(kept.score, row.score)!r}"
            )
            if row.score > kept.score:
                rows[row.model_key] = row
        if not groups:
            raise FormatError("no row has a score")
        snapshots = [
            SnapshotData(
                rows=list(rows.values()),
                arena=hint.arena,
                category=category,
                style_control=None,
                published_on=published_on,
                rank_kind=_rank_kind(list(rows.values())),
                metric=metric,
            )
            for (published_on, category), rows in sorted(groups.items())
        ]
        return ParseResult(format=self.name, snapshots=snapshots, warnings=warnings)


def _load_json(data: bytes) -> object:
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as error:
        # JSONDecodeError and UnicodeDecodeError are ValueErrors; absurd nesting recurses.
        raise FormatError(f"not valid JSON: {str(error)[:120]}") from None


def _envelope_rows(entries: list[object]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for index, entry in enumerate(entries):
        row = entry.get("row") if isinstance(entry, dict) else None
        if not isinstance(row, dict):
            raise FormatError(f'/rows entry {index} has no "row" object')
        truncated = entry.get("truncated_cells") if isinstance(entry, dict) else None
        if truncated:
            # The server cuts long cells; a cut cell is not the published value.
            raise FormatError(f"/rows entry {index} has truncated cells: {truncated!r}"[:200])
        rows.append(row)
    return rows


def _schema(records: list[object]) -> Metric:
    """``elo`` when rows carry ``rating``, ``score`` when they carry the agent columns."""
    kinds: set[Metric] = set()
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise FormatError(f"row {index} is not an object")
        missing = [column for column in _REQUIRED if column not in record]
        if missing:
            raise FormatError(f"row {index} lacks the column {missing[0]!r}")
        if "rating" in record:
            kinds.add("elo")
        elif "score" in record:
            kinds.add("score")
        else:
            raise FormatError(f"row {index} has neither a rating nor a score column")
    if len(kinds) > 1:
        raise FormatError("rows mix the Elo (rating) and agent (score) schemas")
    return kinds.pop()


def _row(
    record: dict[str, object], index: int, metric: Metric
) -> tuple[tuple[dt.date, str], RowData | None]:
    """The snapshot key of ``record`` and its row (None when upstream published no score)."""
    model = _text(record, "model_name", index)
    category = _text(record, "category", index)
    published = _text(record, "leaderboard_publish_date", index)
    if not model:
        raise FormatError(f"row {index} has an empty model_name")
    key = (_date(published, index), slug(category))
    if not key[1]:
        raise FormatError(f"row {index}: category {category[:40]!r} has no letters or digits")
    score_column, lower_column, upper_column, votes_column = (
        _ELO_COLUMNS if metric == "elo" else _AGENT_COLUMNS
    )
    score = _number(record, score_column, index)
    if score is None:
        return key, None
    votes = _number(record, votes_column, index)
    rank = _number(record, "rank", index)
    return key, RowData(
        model=model,
        model_key=model,
        score=score,
        rating_lower=_number(record, lower_column, index),
        rating_upper=_number(record, upper_column, index),
        votes=None if votes is None else round(votes),
        organization=_text(record, "organization", index),
        license=_text(record, "license", index),
        rank=None if rank is None else round(rank),
    )


def _text(record: dict[str, object], column: str, index: int) -> str:
    value = record.get(column)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FormatError(f"row {index}: {column} is {type(value).__name__}, not text")
    return value.strip()


def _number(record: dict[str, object], column: str, index: int) -> float | None:
    """A finite number, or None for null / NaN (how parquet nulls and NaNs reach JSON)."""
    value = record.get(column)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FormatError(f"row {index}: {column} is {type(value).__name__}, not a number")
    return float(value) if math.isfinite(value) else None


def _date(text: str, index: int) -> dt.date:
    match = _DATE.match(text)
    try:
        if match:
            return dt.date.fromisoformat(match.group(1))
    except ValueError:
        pass
    raise FormatError(f"row {index}: leaderboard_publish_date {text[:40]!r} is not a date")


def _rank_kind(rows: list[RowData]) -> RankKind | None:
    """``position`` when ranks follow the scores with ties only on equal scores, ``ub`` when
    different scores share a rank, None when a rank is missing or ranks contradict the scores.

    Gaps are allowed: a partial page or a sample of a board keeps the full board's ranks.
    """
    ranked = sorted(
        ((row.score, row.rank) for row in rows if row.rank is not None), key=lambda pair: -pair[0]
    )
    if len(ranked) < len(rows):
        return None
    shared_rank = False
    for (better_score, better_rank), (worse_score, worse_rank) in pairwise(ranked):
        if worse_score == better_score:
            continue
        if worse_rank < better_rank:
            return None
        shared_rank = shared_rank or worse_rank == better_rank
    return "ub" if shared_rank else "position"
