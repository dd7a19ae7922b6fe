"""The page cache middleware: a hit costs no query and answers what a render would; nothing
stale is ever served; languages and encodings are their own variants; Redis failing costs
only speed."""

from __future__ import annotations

import contextlib
import gzip
import io
import logging
import os
import time
from collections.abc import Iterator
from typing import Any

import brotli
import pytest
from django.contrib.auth import get_user_model
from django.core import signals
from django.core.cache import caches
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils.csp import LazyNonce

from arenasite import cache as fail_open
from leaderboard import cache_keys, page_cache, tasks
from leaderboard.models import AIModel, Organization
from leaderboard.services import curation
from tests.fake_servers import SilentServer, closed_port
from tests.leaderboard.test_tasks import broker_at
from tests.paths import UPSTREAM

pytestmark = pytest.mark.django_db

DEC_20 = UPSTREAM / "markdown-cherry" / "lmarena_md_2025-12-20_rank-spread.md"
PUBLIC_PAGES = [
    "/", "/text/overall/", "/zh-hans/text/overall/", "/text/overall/?sort=-votes",
    "/text/overall/export.csv", "/text/overall/export.json", "/text/overall/export.md",
    "/about/", "/changes/", "/organizations/", "/text/overall/changes/", "/corrections/",
]  # fmt: skip
LOCAL_MEMORY = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SECURITY_HEADERS = (
    "Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy",
    "Cross-Origin-Opener-Policy", "Content-Language", "Content-Type", "Vary", "Cache-Control",
)  # fmt: skip


def model_page() -> str:
    return AIModel.objects.order_by("pk").first().get_absolute_url()  # type: ignore[union-attr]


def headers_of(response: Any) -> dict[str, str | None]:
    return {name: response.get(name) for name in SECURITY_HEADERS}


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_a_cached_hit_runs_no_query_and_answers_what_the_render_did(
    client: Client, seed: None, path: str, django_assert_num_queries: Any
) -> None:
    rendered = client.get(path, HTTP_ACCEPT_ENCODING="gzip")
    assert rendered.status_code == 200

    with django_assert_num_queries(0):
        hit = client.get(path, HTTP_ACCEPT_ENCODING="gzip")

    assert hit.status_code == 200
    assert hit["Content-Encoding"] == "gzip"
    assert gzip.decompress(hit.content) == gzip.decompress(rendered.content)
    assert headers_of(hit) == headers_of(rendered)
    assert hit["ETag"] == rendered["ETag"]
    assert "Accept-Encoding" in hit["Vary"]
    assert hit["Content-Security-Policy"].startswith("default-src 'self'")


def test_the_model_page_is_cached_too(
    client: Client, seed: None, django_assert_num_queries: Any
) -> None:
    path = model_page()
    assert client.get(path).status_code == 200
    with django_assert_num_queries(0):
        assert client.get(path).status_code == 200


def test_a_304_from_the_cache_runs_no_query(
    client: Client, seed: None, django_assert_num_queries: Any
) -> None:
    first = client.get("/text/overall/", HTTP_ACCEPT_ENCODING="br")
    with django_assert_num_queries(0):
        by_etag = client.get("/text/overall/", HTTP_IF_NONE_MATCH=first["ETag"])
        by_date = client.get("/text/overall/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert by_etag.status_code == by_date.status_code == 304
    assert by_etag["ETag"] == first["ETag"].removeprefix("W/")
    assert by_etag.content == b""
    assert "Accept-Encoding" in by_etag["Vary"]


@pytest.mark.parametrize(
    ("accept", "encoding"),
    [
        ("gzip, deflate, br", "br"),
        ("gzip", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("*", "br"),
        ("gzip;q=0, br;q=0", None),
        ("identity", None),
        ("", None),
    ],
)
def test_each_accept_encoding_gets_its_variant_of_the_same_page(
    client: Client, seed: None, accept: str, encoding: str | None
) -> None:
    plain = client.get("/text/overall/").content  # renders and stores
    assert plain.startswith(b"<!DOCTYPE html>") or b"<html" in plain[:500]

    for _ in range(2):  # the render, then the hit
        response = client.get("/text/overall/", HTTP_ACCEPT_ENCODING=accept)
        assert response.get("Content-Encoding") == encoding
        body = response.content
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            body = brotli.decompress(body)
        assert body == plain
        assert int(response["Content-Length"]) == len(response.content)


def test_the_languages_are_distinct_entries(client: Client, seed: None) -> None:
    for _ in range(2):
        english = client.get("/text/overall/")
        chinese = client.get("/zh-hans/text/overall/")
        assert english["Content-Language"] == "en"
        assert chinese["Content-Language"] == "zh-hans"
        assert 'lang="en"' in english.content.decode()
        assert 'lang="zh-hans"' in chinese.content.decode()


def test_a_new_import_is_never_hidden_by_a_cached_page(
    client: Client, seed: None, django_capture_on_commit_callbacks: Any
) -> None:
    pages = ["/text/overall/", "/zh-hans/text/overall/", "/text/overall/export.md", "/changes/"]
    for path in pages:
        assert "2025-12-20" not in client.get(path).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_leaderboard", str(DEC_20), stdout=io.StringIO())

    for path in pages:
        assert "2025-12-20" in client.get(path).content.decode(), path


def test_a_curation_change_is_never_hidden_by_a_cached_page(
    client: Client, seed: None, django_capture_on_commit_callbacks: Any
) -> None:
    model = model_page()
    pages = ["/text/overall/", "/text/overall/export.md", "/organizations/", model]
    for path in pages:
        assert "xAI Holdings" not in client.get(path).content.decode()
    user = get_user_model().objects.create_user("curator", is_staff=True)
    xai = Organization.objects.get(aliases__raw="xAI")
    target = Organization.objects.create(name="xAI Holdings")

    with django_capture_on_commit_callbacks(execute=True):
        curation.merge_organizations(source=xai, target=target, user=user)

    for path in pages[:3]:
        assert "xAI Holdings" in client.get(path).content.decode(), path


def test_another_process_bump_stales_this_process_entries(
    client: Client, seed: None, settings: Any
) -> None:
    """With the local-memory cache each process has its own entries; the token lives in a
    file they all read, so a bump in the worker stales the web processes' pages."""
    settings.CACHES = LOCAL_MEMORY  # also when the suite runs on Redis (it keeps the token)
    key = page_cache._key(RequestFactory().get("/text/overall/")) + ":gzip"
    client.get("/text/overall/")
    assert caches["default"].get(key)[0] == cache_keys.token()

    cache_keys._stamp.replace("another-process-bumped")  # what the worker's bump writes

    assert client.get("/text/overall/").status_code == 200
    entry = caches["default"].get(key)  # rendered again under the new token
    assert entry is not None and entry[0] == "another-process-bumped"


def test_a_signed_in_visitor_bypasses_the_cache_and_is_not_stored(
    client: Client, seed: None
) -> None:
    user = get_user_model().objects.create_user("staff", is_staff=True)
    client.force_login(user)
    response = client.get("/text/overall/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"  # still compressed
    assert not stored("/text/overall/")
    client.logout()
    client.get("/text/overall/")
    assert stored("/text/overall/")


def stored(path: str) -> bool:
    request = RequestFactory().get(path)
    return caches["default"].get(page_cache._key(request) + ":gzip") is not None


def closed(response: Any) -> None:
    """What the WSGI server does once the body is sent (the test client's way)."""
    signals.request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        signals.request_finished.connect(close_old_connections)


def test_a_miss_stores_the_asked_encoding_at_once_and_the_other_once_sent(
    seed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The visitor waits for one compression; the other is stored when the server closes
    the response (after sending its body), once, and a hit then serves it."""
    gzipped: list[int] = []
    real = page_cache.COMPRESSORS["gzip"]

    def counted(content: bytes) -> bytes:
        gzipped.append(1)
        return real(content)

    monkeypatch.setitem(page_cache.COMPRESSORS, "gzip", counted)
    request = RequestFactory().get("/text/overall/", HTTP_ACCEPT_ENCODING="br")
    key = page_cache._key(request)
    response = WSGIHandler().get_response(request)
    assert response["Content-Encoding"] == "br"
    assert caches["default"].get(key + ":br") is not None
    assert caches["default"].get(key + ":gzip") is None and not gzipped  # not yet: sending

    closed(response)

    entry = caches["default"].get(key + ":gzip")
    assert entry is not None and gzipped == [1]
    assert isinstance(response, HttpResponse)
    assert gzip.decompress(entry[2]) == brotli.decompress(response.content)
    page_cache.finish(response)
    assert gzipped == [1]  # once only


def test_a_failure_storing_the_other_encoding_is_logged_and_costs_nothing_else(
    seed: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(content: bytes) -> bytes:
        raise MemoryError("no room")  # anything: the page is already sent

    monkeypatch.setitem(page_cache.COMPRESSORS, "br", broken)
    request = RequestFactory().get("/text/overall/", HTTP_ACCEPT_ENCODING="gzip")
    response = WSGIHandler().get_response(request)
    body = response.content  # type: ignore[attr-defined]

    closed(response)  # no exception reaches the server

    assert gzip.decompress(body).startswith(b"<!doctype html>")
    assert "storing the other encodings of a page failed" in caplog.text
    key = page_cache._key(request)
    assert caches["default"].get(key + ":br") is None
    assert caches["default"].get(key + ":gzip") is not None


def test_redirects_errors_and_unknown_pages_are_not_stored(client: Client, seed: None) -> None:
    assert client.get("/text/overall").status_code == 301  # APPEND_SLASH
    assert client.get("/nope/nothing/").status_code == 404
    assert client.get("/text/overall/?q=").status_code == 302
    assert not any(stored(p) for p in ("/text/overall", "/nope/nothing/", "/text/overall/?q="))


def test_the_warm_up_renders_every_board_view_so_the_first_visitor_runs_no_query(
    client: Client, seed: None, django_assert_num_queries: Any
) -> None:
    tasks.warm_pages(token=cache_keys.token())

    paths = page_cache.board_paths()
    assert "/zh-hans/text/overall/export.csv" in paths
    for path in paths:
        with django_assert_num_queries(0):
            for encoding in page_cache.ENCODINGS:  # each stored, though no server sent them
                response = client.get(path, HTTP_ACCEPT_ENCODING=encoding)
                assert response.status_code == 200, path
                assert response["Content-Encoding"] == encoding, path


def test_a_warm_up_of_a_superseded_change_does_nothing(seed: None) -> None:
    old = cache_keys.token()
    cache_keys.bump()
    assert page_cache.warm_boards(token=old) == {}
    assert set(page_cache.warm_boards(token=cache_keys.token()).values()) == {200}


def test_with_a_shared_cache_a_bump_queues_the_warm_up_with_its_token(
    seed: None, settings: Any, monkeypatch: pytest.MonkeyPatch, real_redis: Any
) -> None:
    settings.ARENA_WARM_PAGES = True
    sent: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(
        cache_keys.current_app, "send_task", lambda name, kwargs: sent.append((name, kwargs))
    )
    cache_keys.bump()
    assert sent == [
        ("leaderboard.tasks.warm_pages", {"token": cache_keys.token()}),
        ("leaderboard.tasks.refresh_history_blocks", {}),
    ]
    assert tasks.warm_pages.name == cache_keys.WARM_TASK
    assert tasks.refresh_history_blocks.name == cache_keys.REFRESH_TASK


def test_with_local_memory_a_bump_queues_no_warm_up_only_the_blocks_rebuild(
    seed: None, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker's local memory is not the web processes': warming it would help no one."""
    settings.CACHES = LOCAL_MEMORY  # also when the suite runs on Redis
    settings.ARENA_WARM_PAGES = True
    sent: list[str] = []
    monkeypatch.setattr(cache_keys.current_app, "send_task", lambda name, kwargs: sent.append(name))
    cache_keys.bump()
    assert sent == ["leaderboard.tasks.refresh_history_blocks"]


def test_a_host_outside_allowed_hosts_is_refused_even_when_cached(
    client: Client, seed: None
) -> None:
    assert client.get("/text/overall/").status_code == 200
    assert client.get("/text/overall/", HTTP_HOST="evil.example").status_code == 400


@contextlib.contextmanager
def redis_cache_at(url: str) -> Iterator[Any]:
    config = {
        "default": {
            "BACKEND": "arenasite.cache.FailOpenRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "arena-test-page-cache",
            "BREAKER_SECONDS": 600,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with override_settings(CACHES=config):
        yield caches["default"]
        caches["default"].close()


@pytest.fixture
def real_redis(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setattr(fail_open, "_breakers", {})
    url = f"redis://127.0.0.1:6379/{settings.REDIS_SPARE_DB}"
    with redis_cache_at(url) as cache:
        if cache.get("probe", "down") == "down" and cache.breaker.errors:
            # CI configures Redis (REDIS_URL): there a missing server is a failure, not a skip;
            # the embedded default (`make test` with no servers) skips these three tests.
            if os.environ.get("REDIS_URL"):
                pytest.fail("REDIS_URL is set but no Redis answers on 127.0.0.1:6379")
            pytest.skip("no Redis on 127.0.0.1:6379 (set REDIS_URL to require it)")
        cache.clear()
        yield cache
        cache.clear()


def test_with_redis_a_hit_runs_no_query_and_a_bump_stales_it(
    client: Client,
    seed: None,
    real_redis: Any,
    django_assert_num_queries: Any,
) -> None:
    first = client.get("/text/overall/", HTTP_ACCEPT_ENCODING="gzip")
    with django_assert_num_queries(0):
        hit = client.get("/text/overall/", HTTP_ACCEPT_ENCODING="gzip")
    assert hit.content == first.content
    assert real_redis.get(cache_keys.TOKEN_KEY) == cache_keys.token()

    cache_keys.bump()
    assert real_redis.get(cache_keys.TOKEN_KEY) == cache_keys.token()
    with CaptureQueriesContext(connection) as queries:
        client.get("/text/overall/", HTTP_ACCEPT_ENCODING="gzip")
    assert len(queries) > 0  # rendered again


def test_with_redis_a_hit_reads_the_token_alone_while_its_held_copy_is_current(
    client: Client, seed: None, real_redis: Any, django_assert_num_queries: Any
) -> None:
    """A process keeps the entries it read; Redis then gives only the token. Another process's
    bump (a new token in Redis) stales the copies at once."""
    first = client.get("/text/overall/", HTTP_ACCEPT_ENCODING="gzip")  # renders, stores
    client.get("/text/overall/", HTTP_ACCEPT_ENCODING="gzip")  # a Redis hit: now held
    real_redis.delete(page_cache._key(RequestFactory().get("/text/overall/")) + ":gzip")
    with django_assert_num_queries(0):
        held = client.get("/text/overall/", HTTP_ACCEPT_ENCODING="gzip")
    assert held.content == first.content and held["ETag"] == first["ETag"]

    real_redis.set(cache_keys.TOKEN_KEY, "another-process-bumped")
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/text/overall/", HTTP_ACCEPT_ENCODING="gzip")
    assert again.status_code == 200 and len(queries) > 0  # rendered, not the held copy


def test_a_held_copy_is_not_served_without_the_shared_token(
    client: Client, seed: None, real_redis: Any
) -> None:
    """Redis without the token (flushed, or down: the cache answers None): the page renders."""
    client.get("/text/overall/", HTTP_ACCEPT_ENCODING="gzip")
    client.get("/text/overall/", HTTP_ACCEPT_ENCODING="gzip")  # held
    real_redis.delete(cache_keys.TOKEN_KEY)

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/text/overall/", HTTP_ACCEPT_ENCODING="gzip").status_code == 200
    assert len(queries) > 0


def test_held_copies_are_bounded_the_least_recently_used_dropped_first(
    real_redis: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(page_cache, "HELD_ENTRIES", 3)
    token = cache_keys.token()
    for n in range(3):
        real_redis.set(f"k{n}", (token, (), b"", '"e"', 0))
        page_cache._lookup(f"k{n}")  # read from Redis: held
    assert page_cache._lookup("k0")[0] == token  # a hit on the held copy: used just now
    page_cache._hold("k3", (token, (), b"", '"e"', 0))
    assert list(page_cache._held) == ["k2", "k0", "k3"]  # k1 went: the least recently used


def test_a_held_copy_is_used_only_for_a_while(
    client: Client, seed: None, real_redis: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After ``HELD_SECONDS`` Redis is read again: an entry flushed there is rendered anew."""
    monkeypatch.setattr(page_cache, "HELD_SECONDS", 0)
    client.get("/text/overall/", HTTP_ACCEPT_ENCODING="gzip")
    client.get("/text/overall/", HTTP_ACCEPT_ENCODING="gzip")  # held, and at once too old
    real_redis.delete(page_cache._key(RequestFactory().get("/text/overall/")) + ":gzip")

    with CaptureQueriesContext(connection) as queries:
        client.get("/text/overall/", HTTP_ACCEPT_ENCODING="gzip")
    assert len(queries) > 0


def test_the_warm_up_reads_redis_not_the_copies_this_process_holds(
    client: Client, seed: None, real_redis: Any
) -> None:
    key = page_cache._key(RequestFactory().get("/text/overall/"))
    client.get("/text/overall/", HTTP_ACCEPT_ENCODING="br")
    client.get("/text/overall/", HTTP_ACCEPT_ENCODING="br")  # held
    real_redis.delete(key + ":br", key + ":gzip")  # evicted from Redis

    page_cache.warm(["/text/overall/"])

    assert real_redis.get(key + ":br") is not None and real_redis.get(key + ":gzip") is not None


def test_a_page_that_used_the_requests_nonce_is_not_stored(seed: None) -> None:
    def view(request: Any) -> HttpResponse:
        response = HttpResponse(f'<script nonce="{request._csp_nonce}"></script>')
        page_cache.mark(response, seconds=60)
        return response

    request = RequestFactory().get("/with-a-nonce/")
    request._csp_nonce = LazyNonce()  # type: ignore[attr-defined]  # the CSP middleware's
    page_cache.PageCacheMiddleware(view)(request)

    assert caches["default"].get(page_cache._key(request) + ":gzip") is None


@pytest.mark.faults
@pytest.mark.parametrize("broken", ["refusing", "hanging"])
def test_pages_cached_in_redis_are_served_when_redis_goes_down(
    client: Client, seed: None, broken: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fail_open, "_breakers", {})
    with contextlib.ExitStack() as stack:
        port = closed_port()
        if broken == "hanging":
            port = stack.enter_context(SilentServer()).port
        cache = stack.enter_context(redis_cache_at(f"redis://127.0.0.1:{port}/0"))
        for path in PUBLIC_PAGES:
            for accept in ("br", ""):
                response = client.get(path, HTTP_ACCEPT_ENCODING=accept)
                assert response.status_code == 200, path
                assert response.get("Content-Encoding") == (accept or None)
        assert cache.breaker.errors >= 1


@pytest.mark.faults
@pytest.mark.parametrize("broken", ["refusing", "hanging"])
def test_a_curation_change_with_the_broker_down_commits_and_logs(
    seed: None,
    broken: str,
    settings: Any,
    real_redis: Any,
    caplog: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.ARENA_WARM_PAGES = True
    user = get_user_model().objects.create_user("curator", is_staff=True)
    xai = Organization.objects.get(aliases__raw="xAI")
    target = Organization.objects.create(name="xAI Holdings")
    before = cache_keys.token()
    with contextlib.ExitStack() as stack:
        port = closed_port()
        if broken == "hanging":
            port = stack.enter_context(SilentServer()).port
        stack.enter_context(broker_at(f"redis://127.0.0.1:{port}/0", timeout=0.3))
        started = time.perf_counter()
        with (
            caplog.at_level(logging.ERROR, logger="leaderboard.cache_keys"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            curation.merge_organizations(source=xai, target=target, user=user)
        elapsed = time.perf_counter() - started

    assert not Organization.objects.filter(pk=xai.pk).exists()
    assert cache_keys.token() != before
    assert any("could not queue the work after a change" in r.getMessage() for r in caplog.records)
    assert elapsed < 5.0
    print(f"\ncuration with the broker {broken}: committed, went on after {elapsed * 1000:.0f} ms")
