"""Small builders for tests: real objects with sensible defaults, nothing hidden."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from leaderboard.models import AIModel, Entry, Leaderboard, Snapshot

_counter = itertools.count(1)


def board(**overrides: Any) -> Leaderboard:
    values: dict[str, Any] = {"arena": "text", "category": "overall", "style_control": True}
    return Leaderboard.objects.create(**(values | overrides))


def ai_model(**overrides: Any) -> AIModel:
    n = next(_counter)
    values: dict[str, Any] = {"key": f"model-{n}", "name": f"model-{n}"}
    return AIModel.objects.create(**(values | overrides))


def snapshot(leaderboard: Leaderboard, **overrides: Any) -> Snapshot:
    n = next(_counter)
    values: dict[str, Any] = {
        "published_on": dt.date(2025, 11, 18),
        "source": "test",
        "rank_kind": Snapshot.RankKind.POSITION,
        "content_hash": f"{n:064x}",
        "row_count": 1,
    }
    return Snapshot.objects.create(leaderboard=leaderboard, **(values | overrides))


def entry(snap: Snapshot, model: AIModel, **overrides: Any) -> Entry:
    values: dict[str, Any] = {
        "rank": 1,
        "rank_upper": 1,
        "rank_lower": 2,
        "score": 1400.0,
        "rating_lower": 1395.0,
        "rating_upper": 1405.0,
        "votes": 1000,
        "raw_model": model.name,
    }
    return Entry.objects.create(snapshot=snap, model=model, **(values | overrides))
