"""The content version that keys every cached page: read, created when missing, bumped."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from leaderboard import cache_keys
from leaderboard.models import ContentVersion

pytestmark = pytest.mark.django_db

LONG_AGO = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def stored() -> tuple[int, dt.datetime]:
    row = ContentVersion.objects.get(pk=1)
    return row.version, row.changed_at


def test_the_version_and_its_time_are_read_as_stored() -> None:
    ContentVersion.objects.filter(pk=1).update(version=7, changed_at=LONG_AGO)
    assert cache_keys.current() == (7, LONG_AGO)


def test_reading_the_version_is_one_query(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        cache_keys.current()


def test_the_first_read_without_a_version_row_creates_it_at_version_one() -> None:
    ContentVersion.objects.all().delete()
    before = timezone.now()

    version, changed_at = cache_keys.current()

    assert version == 1
    assert before <= changed_at <= timezone.now()
    assert stored() == (version, changed_at)
    assert cache_keys.current() == (version, changed_at)  # the next read finds the same row


def test_a_bump_increments_the_version_and_stamps_the_time() -> None:
    ContentVersion.objects.filter(pk=1).update(version=7, changed_at=LONG_AGO)
    before = timezone.now()

    cache_keys.bump()

    version, changed_at = stored()
    assert version == 8
    assert before <= changed_at <= timezone.now()
    assert cache_keys.current() == (8, changed_at)


def test_every_bump_gives_a_new_version() -> None:
    versions = []
    for _ in range(3):
        cache_keys.bump()
        versions.append(cache_keys.current()[0])
    assert versions == [versions[0], versions[0] + 1, versions[0] + 2]


def test_a_bump_without_a_version_row_creates_it() -> None:
    ContentVersion.objects.all().delete()
    before = timezone.now()

    cache_keys.bump()

    version, changed_at = stored()  # created by the bump itself, before any read
    assert version == 1
    assert before <= changed_at <= timezone.now()
    assert ContentVersion.objects.count() == 1
