"""Fixtures of the API tests: two real snapshots of text/overall, and a JSON GET helper."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from tests.paths import SEED, UPSTREAM

DEC_20 = UPSTREAM / "markdown-cherry" / "lmarena_md_2025-12-20_rank-spread.md"
"""text/overall on 2025-12-20: the seed's next snapshot."""


def import_two_snapshots() -> None:
    for path in (SEED, DEC_20):
        call_command(
            "import_leaderboard", str(path), "--board", "text/overall", stdout=io.StringIO()
        )


@pytest.fixture(autouse=True)
def _no_rate_limit(settings: Any) -> None:
    """No limit unless a test sets one: a shared cache (Redis) counts every test's requests
    from 127.0.0.1 together."""
    settings.ARENA_API_RATE_LIMIT = ""


@pytest.fixture
def two_snapshots(db: None) -> None:
    """text/overall on 2025-11-18 (the seed, 266 rows) and on 2025-12-20 (current)."""
    import_two_snapshots()


def get_json(client: Client, path: str, status: int = 200, **headers: str) -> Any:
    response = client.get(path, headers=headers)
    assert response.status_code == status, response.content[:500]
    return json.loads(response.content)
