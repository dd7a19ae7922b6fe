"""The committed OpenAPI document is the one the code generates: an API change is a diff."""

from __future__ import annotations

import json

from leaderboard.api import schema_text
from tests.paths import REPO

COMMITTED = REPO / "docs" / "openapi.json"


def test_the_committed_schema_is_the_generated_one() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == schema_text(), (
        "the API changed: run `make api-schema` and commit docs/openapi.json"
    )


def test_every_operation_documents_its_problems_and_304() -> None:
    schema = json.loads(schema_text())
    operations = [op for path in schema["paths"].values() for op in path.values()]

    assert len(operations) == 10
    for operation in operations:
        responses = operation["responses"]
        assert {"200", "304", "400", "404", "429"} <= responses.keys()
        assert list(responses["404"]["content"]) == ["application/problem+json"]
