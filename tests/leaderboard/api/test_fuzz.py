"""Schemathesis against the API on a real server on loopback: every operation, bounded
examples (from the schema's own examples, then generated), no server error, and every
answer valid against the schema (status, content type, headers, body)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from leaderboard.api import schema_text
from tests.leaderboard.api.conftest import import_two_snapshots

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# The document the server serves at /api/v1/openapi.json (test_schema.py holds them equal).
schema = schemathesis.openapi.from_dict(json.loads(schema_text()))


@pytest.fixture
def site(live_server: Any, transactional_db: None) -> str:
    """The live server with real data behind it (and no rate limit: conftest.py)."""
    import_two_snapshots()
    return str(live_server.url)


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_conforms_to_its_schema(case: Any, site: str) -> None:
    case.call_and_validate(base_url=site, checks=CHECKS)
