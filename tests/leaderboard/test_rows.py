"""``rows.read``: a board's rows as plain values, one query, in the queryset's order."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leaderboard import rows, selectors
from leaderboard.filters import board_entries
from leaderboard.models import License, Organization
from tests.leaderboard import factories

pytestmark = pytest.mark.django_db


def test_every_field_read_is_a_field_of_the_row() -> None:
    assert len(rows.FIELDS) == len(rows.BoardRow._fields)


def test_rows_carry_the_curated_names_the_effective_flag_and_the_movement() -> None:
    board = factories.board()
    earlier = factories.snapshot(board, published_on=dt.date(2025, 11, 1))
    snapshot = factories.snapshot(board)
    org = Organization.objects.create(name="Curated Org")
    mit = License.objects.create(name="Test OSI License", kind=License.Kind.OSI)
    curated = factories.ai_model(name="Curated", organization=org, license=mit)
    curated.preliminary_override = False
    curated.save()
    raw = factories.ai_model(name="Raw")
    factories.entry(snapshot, curated, rank=1, score=1500.0, rating_lower=None,
                    rating_upper=None, preliminary=True, price_input=Decimal("1.25"))  # fmt: skip
    factories.entry(snapshot, raw, rank=2, rank_upper=1, rank_lower=2, score=1400.0,
                    raw_organization="Upstream Org", raw_license="Upstream License")  # fmt: skip
    factories.entry(earlier, raw, rank=1, score=1390.5, rating_lower=None, rating_upper=None)

    with CaptureQueriesContext(connection) as queries:
        first, second = selectors.board_rows(snapshot, earlier)

    assert len(queries) == 1
    assert (first.model_name, first.organization, first.license) == (
        "Curated",
        "Curated Org",
        "Test OSI License",
    )
    assert first.license_is_open_weights and first.has_price
    assert first.is_preliminary is False  # the curator's override wins over upstream's True
    assert first.rank_change is None and first.previous_rank is None  # new since ``earlier``
    assert (second.organization, second.raw_organization) == (None, "Upstream Org")
    assert not second.license_is_open_weights and not second.has_price
    assert (second.previous_rank, second.rank_change) == (1, -1)
    assert second.score_change == pytest.approx(9.5)


def test_rows_keep_the_querysets_order() -> None:
    board = factories.board()
    snapshot = factories.snapshot(board)
    for rank, score in ((1, 1500.0), (2, 1450.0), (3, 1400.0)):
        factories.entry(snapshot, factories.ai_model(), rank=rank, rank_upper=1, rank_lower=3,
                        score=score, rating_lower=None, rating_upper=None)  # fmt: skip
    entries = selectors.with_movement(board_entries(snapshot), None).order_by("-rank")
    assert [row.rank for row in rows.read(entries)] == [3, 2, 1]
