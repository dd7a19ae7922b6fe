"""The database itself refuses what the domain forbids — not only forms or services."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from leaderboard.models import (
    ImportRun,
    LicenseAlias,
    Organization,
    OrganizationAlias,
)
from tests.leaderboard import factories

pytestmark = pytest.mark.django_db


def test_a_board_exists_once_per_arena_category_and_style_control() -> None:
    factories.board()
    factories.board(style_control=False)  # the raw view is another board
    with transaction.atomic(), pytest.raises(IntegrityError):
        factories.board()


def test_board_slug_follows_arena_urls() -> None:
    assert factories.board().slug == "text/overall"
    assert factories.board(category="coding", style_control=False).slug == (
        "text/coding-no-style-control"
    )


def test_aliases_are_unique_ignoring_case() -> None:
    lab = Organization.objects.create(name="Example Lab")
    OrganizationAlias.objects.create(raw="Example Lab AI", organization=lab)
    with transaction.atomic(), pytest.raises(IntegrityError):
        OrganizationAlias.objects.create(raw="example lab ai", organization=lab)


def test_organization_names_are_unique() -> None:
    Organization.objects.create(name="Example Lab")
    with transaction.atomic(), pytest.raises(IntegrityError):
        Organization.objects.create(name="Example Lab")


@pytest.mark.django_db(transaction=True)  # foreign keys are checked at commit
def test_license_alias_cannot_point_at_nothing() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        LicenseAlias.objects.create(raw="Propretary", license_id=999_999)


def test_a_model_appears_once_per_snapshot() -> None:
    snap = factories.snapshot(factories.board())
    model = factories.ai_model()
    factories.entry(snap, model)
    with transaction.atomic(), pytest.raises(IntegrityError):
        factories.entry(snap, model, rank=2)


def test_two_entries_cannot_share_a_position() -> None:
    snap = factories.snapshot(factories.board())
    factories.entry(snap, factories.ai_model(), rank=1)
    with transaction.atomic(), pytest.raises(IntegrityError):
        factories.entry(snap, factories.ai_model(), rank=1)


@pytest.mark.parametrize(
    "fields",
    [
        {"rank": 0},
        {"rank_upper": 5, "rank_lower": 2},
        {"rank_upper": 0},
        {"rating_lower": 1401.0},
        {"rating_upper": 1399.0},
    ],
    ids=["rank-zero", "spread-inverted", "spread-zero", "lower-above-score", "upper-below"],
)
def test_impossible_entry_numbers_are_refused(fields: dict[str, object]) -> None:
    snap = factories.snapshot(factories.board())
    with transaction.atomic(), pytest.raises(IntegrityError):
        factories.entry(snap, factories.ai_model(), **fields)


def test_an_entry_without_bounds_is_allowed() -> None:
    snap = factories.snapshot(factories.board())
    entry = factories.entry(snap, factories.ai_model(), rating_lower=None, rating_upper=None)
    assert entry.pk is not None


def test_the_same_content_is_one_snapshot_per_board() -> None:
    board = factories.board()
    factories.snapshot(board, content_hash="a" * 64)
    with transaction.atomic(), pytest.raises(IntegrityError):
        factories.snapshot(board, content_hash="a" * 64, source="other")


def test_one_snapshot_per_board_date_and_source() -> None:
    board = factories.board()
    factories.snapshot(board, source="hf-dataset")
    with transaction.atomic(), pytest.raises(IntegrityError):
        factories.snapshot(board, source="hf-dataset")


def test_an_empty_snapshot_is_refused() -> None:
    with transaction.atomic(), pytest.raises(IntegrityError):
        factories.snapshot(factories.board(), row_count=0)


def test_a_forced_import_must_say_why() -> None:
    user = get_user_model().objects.create_user("curator")
    with transaction.atomic(), pytest.raises(IntegrityError):
        ImportRun.objects.create(trigger=ImportRun.Trigger.ADMIN, forced_by=user)
    run = ImportRun.objects.create(
        trigger=ImportRun.Trigger.ADMIN, forced_by=user, force_reason="upstream dropped a board"
    )
    assert run.pk is not None
