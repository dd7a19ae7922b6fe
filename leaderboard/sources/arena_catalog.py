"""LMArena's own JSON exports from the ``lmarena/arena-catalog`` repository.

``leaderboard-<arena>.json`` is ``{category: {model_key: {rating, rating_q975, rating_q025}}}``:
one board per category key, Bradley-Terry ratings with their 95% bounds, no votes, no ranks and
no date. Style control is a separate file (``leaderboard-text-style-control.json``), so it comes
from the caller's hint unless the keys themselves say (``full_style_control``). A third-party
variant (SmallAi-API/LLM-Ranking) refills the same shape by scraping arena.ai: its keys are the
site's display spellings and its ratings are rounded to whole numbers.

``scatterplot-data.json`` is a list of model metadata records (display name, API key,
organization, license, link, prices) and yields ``ModelMetadata`` only.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import ClassVar

from leaderboard.boards import BoardKey

from .base import FormatError, ModelMetadata, ParseResult, RowData, SnapshotData
from .text import safe_url

_STYLE_SUFFIX = "_style_control"
_CATEGORY_SLUGS: dict[str, str] = {
    # Keys from arena-catalog exports and FastChat's ``key_to_category_name``.
    "full": "overall",
    "full_old": "overall-deprecated",
    "dedup": "deduplicated",
    "overall_limit_5_user_vote": "overall-limit-5-user-vote",
    "coding": "coding",
    "math": "math",
    "if": "instruction-following",
    "creative_writing": "creative-writing",
    "hard_6": "hard-prompts",
    "hard_english_6": "hard-prompts-english",
    "long_user": "longer-query",
    "multiturn": "multi-turn",
    "no_tie": "exclude-ties",
    "no_short": "exclude-short-query",
    "no_refusal": "exclude-refusal",
    "english": "english",
    "chinese": "chinese",
    "french": "french",
    "german": "german",
    "spanish": "spanish",
    "russian": "russian",
    "japanese": "japanese",
    "korean": "korean",
    # Image arena: battles on the preset prompts vs. user-written prompts.
    "is_preset_generation": "is-preset-generation",
    "not_preset_generation": "not-preset-generation",
}
_DATE_KEYS = ("leaderboard_publish_date", "last_updated", "last_updated_datetime", "date")
"""Top-level keys that would carry a publish date; the exports seen so far have none."""
_SNIFF_BYTES = 65536


def category_board(key: str) -> tuple[str, bool | None, bool]:
    """Map a category key to ``(category slug, style_control, known)``.

    ``full`` → ("overall", None, True); ``hard_6_style_control`` → ("hard-prompts", True, True);
    an unknown key is slugified (``_`` → ``-``) and reported with ``known=False``.
    """
    base = key.strip().lower()
    style_control: bool | None = None
    if base.endswith(_STYLE_SUFFIX) and base != _STYLE_SUFFIX:
        base, style_control = base.removesuffix(_STYLE_SUFFIX), True
    if base in _CATEGORY_SLUGS:
        return _CATEGORY_SLUGS[base], style_control, True
    return re.sub(r"[^a-z0-9]+", "-", base).strip("-"), style_control, False


class ArenaCatalogAdapter:
    """``leaderboard-*.json`` of arena-catalog (official or scraped): one snapshot per category."""

    name: ClassVar[str] = "arena-catalog"
    description: ClassVar[str] = (
        "LMArena arena-catalog JSON {category: {model_key: {rating, rating_q975, rating_q025}}}, "
        "official or re-scraped; one snapshot per category, arena from --board"
    )

    def sniff(self, data: bytes) -> bool:
        """True for a JSON object whose head holds ``rating_q975`` / ``rating_q025`` bounds."""
        head = data[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
        return head[:1] == b"{" and b'"rating_q975"' in head and b'"rating_q025"' in head

    def parse(self, data: bytes, *, hint: BoardKey) -> ParseResult:
        """One snapshot per category key, rows ordered by rating (highest first).

        The arena comes from ``hint``. ``style_control`` is True for ``*_style_control`` keys,
        False for their plain siblings in the same payload, otherwise None (the service takes
        the hint). Raises ``FormatError`` only.
        """
        payload = _load_json(data)
        if not isinstance(payload, dict) or not payload:
            raise FormatError("not an arena-catalog leaderboard (expected a JSON object)")
        warnings: list[str] = []
        published_on = _published_on(payload)
        boards = {key: value for key, value in payload.items() if isinstance(value, dict)}
        warnings.extend(
            f"ignored top-level key {key!r} (not a category)"
            for key in payload
            if key not in boards and key not in _DATE_KEYS
        )
        if not boards:
            raise FormatError("no category object in the payload")
        has_style_keys = any(key.lower().endswith(_STYLE_SUFFIX) for key in boards)
        snapshots: list[SnapshotData] = []
        seen: set[tuple[str, bool | None]] = set()
        for key, models in boards.items():
            category, style_control, known = category_board(key)
            if not category:
                raise FormatError(f"category key {key[:40]!r} has no letters or digits")
            if not known:
                warnings.append(f"unknown category key {key!r}, imported as {category!r}")
            if style_control is None and has_style_keys:
                style_control = False
            if (category, style_control) in seen:
                raise FormatError(f"two category keys map to the board {category!r}")
            seen.add((category, style_control))
            rows = _board_rows(key, models, warnings)
            if all(row.score.is_integer() for row in rows):
                warnings.append(
                    f"category {key!r}: every rating is a whole number (scraped from the rendered "
                    "page); scores and bounds are rounded"
                )
            snapshots.append(
                SnapshotData(
                    rows=rows,
                    arena=hint.arena,
                    category=category,
                    style_control=style_control,
                    published_on=published_on,
                )
            )
        return ParseResult(
            format=self.name,
            snapshots=snapshots,
            generated_at=_updated_at(payload),
            warnings=warnings,
        )


class ScatterplotMetadataAdapter:
    """arena-catalog ``scatterplot-data.json``: model metadata, no scores."""

    name: ClassVar[str] = "arena-catalog-metadata"
    description: ClassVar[str] = (
        "LMArena arena-catalog scatterplot-data.json: model key, display name, organization, "
        "license and link per model (metadata only)"
    )

    def sniff(self, data: bytes) -> bool:
        """True for a JSON array whose head holds ``model_api_name`` records."""
        head = data[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
        return head[:1] == b"[" and b'"model_api_name"' in head

    def parse(self, data: bytes, *, hint: BoardKey) -> ParseResult:
        """One ``ModelMetadata`` per distinct ``model_api_name``, in file order, no snapshots.

        ``hidden`` records (models the scatterplot no longer draws) are kept: their metadata is
        still right. Raises ``FormatError`` only.
        """
        payload = _load_json(data)
        if not isinstance(payload, list) or not payload:
            raise FormatError("not an arena-catalog scatterplot (expected a non-empty JSON array)")
        warnings: list[str] = []
        metadata: dict[str, ModelMetadata] = {}
        for index, record in enumerate(payload):
            if not isinstance(record, dict):
                raise FormatError(f"record {index} is not an object")
            key = _text(record, "model_api_name", index)
            if not key:
                raise FormatError(f"record {index} has no model_api_name")
            if key in metadata:
                warnings.append(f"record {index}: {key!r} listed again, first record kept")
                continue
            metadata[key] = ModelMetadata(
                model_key=key,
                model=_text(record, "name", index),
                organization=_text(record, "organization", index),
                license=_text(record, "license", index),
                url=safe_url(_text(record, "model_source", index)),
            )
        return ParseResult(format=self.name, metadata=list(metadata.values()), warnings=warnings)


def _load_json(data: bytes) -> object:
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as error:
        # JSONDecodeError and UnicodeDecodeError are ValueErrors; absurd nesting recurses.
        raise FormatError(f"not valid JSON: {str(error)[:120]}") from None


def _published_on(payload: dict[str, object]) -> dt.date | None:
    for key in _DATE_KEYS:
        value = payload.get(key)
        if value is None:
            continue
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip()[:10])
            except ValueError:
                pass
        raise FormatError(f"top-level {key!r} is not a date: {str(value)[:40]!r}")
    return None


def _updated_at(payload: dict[str, object]) -> dt.datetime | None:
    """The moment a top-level date key states, where it gives a time of day (aware UTC;
    naive is taken as UTC); None for a bare date. ``_published_on`` already vetted it."""
    for key in _DATE_KEYS:
        value = payload.get(key)
        if isinstance(value, str) and len(value.strip()) > 10:
            try:
                moment = dt.datetime.fromisoformat(value.strip())
            except ValueError:
                return None
            return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
        if value is not None:
            return None
    return None


def _board_rows(key: str, models: dict[str, object], warnings: list[str]) -> list[RowData]:
    rows: list[RowData] = []
    seen: set[str] = set()
    for model_key, record in models.items():
        if not isinstance(record, dict):
            raise FormatError(f"category {key!r}: {model_key[:60]!r} is not an object")
        if "rating" not in record:
            raise FormatError(f"category {key!r}: {model_key[:60]!r} has no rating")
        score = _number(record, "rating", key, model_key)
        name = model_key.strip()
        if not name:
            raise FormatError(f"category {key!r} has an empty model key")
        if score is None:
            warnings.append(f"category {key!r}: {name!r} has no rating, skipped")
            continue
        if name in seen:
            raise FormatError(f"category {key!r} lists {name[:60]!r} twice")
        seen.add(name)
        rows.append(
            RowData(
                model=name,
                model_key=name,
                score=score,
                rating_lower=_number(record, "rating_q025", key, model_key),
                rating_upper=_number(record, "rating_q975", key, model_key),
            )
        )
    if not rows:
        raise FormatError(f"category {key!r} has no rated model")
    rows.sort(key=lambda row: -row.score)
    return rows


def _number(record: dict[str, object], field: str, key: str, model_key: str) -> float | None:
    """A finite number, or None for null / NaN."""
    value = record.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FormatError(f"category {key!r}: {model_key[:60]!r} {field} is not a number")
    return float(value) if math.isfinite(value) else None


def _text(record: dict[str, object], field: str, index: int) -> str:
    value = record.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FormatError(f"record {index}: {field} is {type(value).__name__}, not text")
    return value.strip()
