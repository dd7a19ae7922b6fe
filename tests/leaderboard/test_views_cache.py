"""The board page's cache: keys, lifetimes, invalidation, conditional requests, query counts."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from leaderboard import cache_keys, page_cache
from leaderboard.models import License, Organization
from leaderboard.services import curation
from tests.leaderboard import factories
from tests.paths import SEED, UPSTREAM

pytestmark = pytest.mark.django_db


DEC_20 = UPSTREAM / "markdown-cherry" / "lmarena_md_2025-12-20_rank-spread.md"


def _queries(client: Client, path: str) -> int:
    cache.clear()
    cache_keys.token()  # published once per change, not per request
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


class RecordingCache:
    """The real cache, with the timeout of every page it stores written down."""

    def __init__(self) -> None:
        self.timeouts: dict[str, int] = {}

    def set(self, key: str, value: Any, timeout: int) -> None:
        self.timeouts[key.rpartition(":")[0]] = timeout
        cache.set(key, value, timeout)


@pytest.fixture
def seeded(client: Client) -> Client:
    cache.clear()
    call_command("import_leaderboard", str(SEED), stdout=io.StringIO())
    return client


@pytest.mark.parametrize("path", ["/text/overall/", "/text/overall/export.json"])
def test_query_count_is_the_same_for_10_and_300_rows(client: Client, path: str) -> None:
    def build(rows: int) -> None:
        board = factories.board(category=f"c{rows}")
        snapshot = factories.snapshot(board, row_count=rows)
        org = Organization.objects.create(name=f"Org {rows}")
        lic = License.objects.create(name=f"License {rows}", kind=License.Kind.OSI)
        for rank in range(1, rows + 1):
            model = factories.ai_model(organization=org, license=lic)
            score = 2000.0 - rank
            factories.entry(
                snapshot, model, rank=rank, score=score, rating_lower=score - 5,
                rating_upper=score + 5,
            )  # fmt: skip
        board.current_snapshot = snapshot
        board.save()

    build(10)
    small = _queries(client, path.replace("overall", "c10"))
    build(300)
    large = _queries(client, path.replace("overall", "c300"))

    assert small == large
    assert large <= 12


def test_a_new_import_shows_at_once_despite_the_cache(
    client: Client, seed: None, django_capture_on_commit_callbacks: Any
) -> None:
    assert "2025-11-18" in client.get("/text/overall/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_leaderboard", str(DEC_20), stdout=io.StringIO())

    assert "2025-12-20" in client.get("/text/overall/").content.decode()


def test_a_curation_merge_shows_at_once_despite_the_cache(
    client: Client, seed: None, django_capture_on_commit_callbacks: Any
) -> None:
    assert "| DeepSeek AI" not in client.get("/text/overall/export.md").content.decode()
    user = get_user_model().objects.create_user("curator", is_staff=True)
    xai = Organization.objects.get(aliases__raw="xAI")
    target = Organization.objects.create(name="xAI Holdings")

    with django_capture_on_commit_callbacks(execute=True):
        curation.merge_organizations(source=xai, target=target, user=user)

    assert "| xAI Holdings |" in client.get("/text/overall/export.md").content.decode()


def test_conditional_requests_get_304(client: Client, seed: None) -> None:
    first = client.get("/text/overall/?sort=-votes")
    etag, modified = first["ETag"], first["Last-Modified"]

    assert client.get("/text/overall/?sort=-votes", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert (
        client.get("/text/overall/?sort=-votes", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    )
    assert client.get("/text/overall/?sort=votes", HTTP_IF_NONE_MATCH=etag).status_code == 200
    cache_keys.bump()
    assert client.get("/text/overall/?sort=-votes", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_filtered_views_leave_the_cache_sooner_than_plain_boards(
    client: Client, seed: None, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.ARENA_PAGE_CACHE_SECONDS = 1000
    settings.ARENA_FILTERED_PAGE_CACHE_SECONDS = 7
    recording = RecordingCache()
    monkeypatch.setattr(page_cache, "cache", recording)

    for path in ("/text/overall/", "/text/overall/export.md", "/text/overall/?q=claude",
                 "/text/overall/export.csv?open=on", "/text/overall/?sort=-votes"):  # fmt: skip
        assert client.get(path).status_code == 200
    # Any query string: unknown parameters are as many as visitors can type, too.
    assert client.get("/text/overall/?utm_source=x").status_code == 200

    assert sorted(recording.timeouts.values()) == [7, 7, 7, 7, 1000, 1000]


def test_unknown_parameters_do_not_split_the_cache(client: Client, seed: None) -> None:
    plain = client.get("/text/overall/")["ETag"]

    assert client.get("/text/overall/?utm_source=x")["ETag"] == plain
    # What "Apply" on an untouched form sends: empty fields are no filter (and a redirect).
    untouched = client.get("/text/overall/?as_of=&q=&min_votes=&organization=", follow=True)
    assert untouched.redirect_chain == [("/text/overall/", 302)]
    assert untouched["ETag"] == plain
    assert client.get("/text/overall/?q=&q=claude", follow=True)["ETag"] != plain


def test_repeated_parameters_in_another_order_are_another_page(seeded: Client) -> None:
    few = seeded.get("/text/overall/?min_votes=0&min_votes=100000").content.decode()
    all_rows = seeded.get("/text/overall/?min_votes=100000&min_votes=0").content.decode()

    assert "266 shown of 266" in all_rows
    assert "266 shown of 266" not in few
