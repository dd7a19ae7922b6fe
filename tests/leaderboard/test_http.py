"""The HTTP client's guarantees, proven against a real server on loopback (tests/fake_upstream)."""

from __future__ import annotations

import dataclasses
import socket
import time
from typing import Any

import pytest

from leaderboard import http
from leaderboard.http import FetchError, check_url
from tests import fake_upstream
from tests.fake_upstream import FakeUpstream, Reply

upstream = fake_upstream.upstream
fast_fetch = fake_upstream.fast_fetch

pytestmark = pytest.mark.usefixtures("fast_fetch")

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every address a socket in this test tried to connect to (the network guard still runs)."""
    seen: list[Any] = []
    guarded_connect = socket.socket.connect

    def recording_connect(self: socket.socket, address: Any) -> Any:
        seen.append(address)
        return guarded_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", recording_connect)
    return seen


def policy(**overrides: Any) -> http.Policy:
    """The settings' policy with some limits changed."""
    return dataclasses.replace(http.Policy.from_settings(), **overrides)


# --- where the client may go -------------------------------------------------------------


def test_host_outside_the_allow_list_is_refused_before_any_connection(
    connections: list[Any],
) -> None:
    with pytest.raises(http.FetchError, match="not an allowed upstream"):
        http.fetch("http://example.org/leaderboard")
    assert connections == []


@pytest.mark.parametrize(
    ("entries", "url", "allowed"),
    [
        (["localhost"], "http://localhost:6379/", False),  # Redis on an allowed host
        (["localhost"], "https://localhost:8443/x", False),
        (["localhost"], "https://localhost/x", True),
        (["localhost"], "https://localhost:443/x", True),
        (["localhost"], "http://localhost/x", True),  # http's own default port
        (["mirror.example:8443"], "https://mirror.example:8443/x", True),
        (["mirror.example:8443"], "https://mirror.example/x", False),
        (["mirror.example:8443"], "https://cdn.mirror.example:8443/x", True),
        (["127.0.0.1:*"], "http://127.0.0.1:6379/", True),  # only a test server's wildcard
    ],
)
def test_the_allow_list_is_by_host_and_port(
    settings: Any, entries: list[str], url: str, allowed: bool
) -> None:
    settings.ARENA_ALLOWED_UPSTREAM_HOSTS = entries
    if allowed:
        http.check_url(url)
    else:
        with pytest.raises(http.FetchError, match="is not an allowed upstream"):
            http.check_url(url)


def test_an_allowed_host_on_another_port_is_never_connected(
    settings: Any, connections: list[Any]
) -> None:
    settings.ARENA_ALLOWED_UPSTREAM_HOSTS = ["localhost", "127.0.0.1"]
    for url in ("http://localhost:6379/", "http://127.0.0.1:5432/"):
        with pytest.raises(http.FetchError, match="not an allowed upstream"):
            http.fetch(url)
    assert connections == []


@pytest.mark.parametrize(
    "url", ["ftp://127.0.0.1/board.csv", "file:///etc/passwd", "127.0.0.1/board", "http:///x"]
)
def test_non_http_urls_are_refused(url: str, connections: list[Any]) -> None:
    with pytest.raises(http.FetchError, match="not an http"):
        http.fetch(url)
    assert connections == []


def test_allow_listed_host_is_fetched_with_a_browser_like_user_agent(
    upstream: FakeUpstream,
) -> None:
    url = upstream.route("/board.json", Reply(200, JSON, b'{"ok": true}'))

    response = http.fetch(url, accept="application/json")

    assert (response.status, response.body, response.url) == (200, b'{"ok": true}', url)
    assert response.content_type == "application/json"
    (request,) = upstream.seen("/board.json")
    assert request.headers["user-agent"].startswith("Mozilla/5.0 ")
    assert "Chrome/" in request.headers["user-agent"]
    assert request.headers["accept"] == "application/json"


@pytest.mark.parametrize(
    "location",
    [
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata service
        "http://10.0.0.1/board.json",
        "http://example.org/board.json",
    ],
)
def test_redirect_to_another_host_is_refused_and_never_followed(
    upstream: FakeUpstream, connections: list[Any], location: str
) -> None:
    url = upstream.route("/board.json", Reply(302, {"Location": location}))

    with pytest.raises(http.FetchError, match="refused redirect to another host or port") as error:
        http.fetch(url)

    assert not error.value.transient  # a redirect policy does not heal by retrying
    assert len(upstream.seen("/board.json")) == 1
    assert {address[0] for address in connections} == {"127.0.0.1"}


def test_redirect_to_localhost_on_another_port_is_refused(upstream: FakeUpstream) -> None:
    with FakeUpstream() as other:
        target = other.route("/secret", Reply(200, body=b"internal"))
        url = upstream.route(
            "/board.json", Reply(307, {"Location": target.replace("127.0.0.1", "localhost")})
        )

        with pytest.raises(http.FetchError, match="refused redirect"):
            http.fetch(url)

        assert other.requests == []


def test_redirect_to_another_port_of_the_same_host_is_refused(upstream: FakeUpstream) -> None:
    with FakeUpstream() as other:
        target = other.route("/secret", Reply(200, body=b"internal"))
        url = upstream.route("/board.json", Reply(301, {"Location": target}))

        with pytest.raises(http.FetchError, match="refused redirect"):
            http.fetch(url)

        assert other.requests == []


def test_same_host_redirect_is_followed(upstream: FakeUpstream) -> None:
    url = upstream.route("/old", Reply(301, {"Location": "/new?page=1"}))
    upstream.route("/new", Reply(200, JSON, b"[1, 2]"))

    response = http.fetch(url)

    assert response.body == b"[1, 2]"
    assert response.url == upstream.url("/new?page=1")
    assert [request.path for request in upstream.requests] == ["/old", "/new"]


def test_a_redirect_loop_ends_with_an_error(upstream: FakeUpstream) -> None:
    url = upstream.route("/loop", Reply(302, {"Location": "/loop"}))

    with pytest.raises(http.FetchError, match="too many redirects"):
        http.fetch(url)

    assert len(upstream.seen("/loop")) == http.MAX_REDIRECTS + 1


# --- retries -----------------------------------------------------------------------------


def test_429_then_200_succeeds_after_waiting_as_long_as_retry_after_says(
    upstream: FakeUpstream,
) -> None:
    url = upstream.route(
        "/rows",
        Reply(429, {"Retry-After": "1"}, b"slow down"),
        Reply(200, JSON, b"[]"),
    )
    started = time.monotonic()

    response = http.fetch(url)

    assert response.body == b"[]"
    first, second = upstream.seen("/rows")
    assert second.at - first.at >= 1.0
    assert time.monotonic() - started >= 1.0


def test_429_forever_gives_up_after_the_configured_attempts(
    upstream: FakeUpstream, settings: Any
) -> None:
    url = upstream.route("/rows", Reply(429, {"Retry-After": "0"}, b"slow down"))

    with pytest.raises(http.FetchError, match=r"rate limited \(HTTP 429\)") as error:
        http.fetch(url)

    assert (error.value.transient, error.value.status) == (True, 429)
    assert len(upstream.seen("/rows")) == settings.ARENA_FETCH_ATTEMPTS


def test_500_is_retried_attempts_times_then_fails_as_transient(
    upstream: FakeUpstream, settings: Any
) -> None:
    url = upstream.route("/board.json", Reply(500, body=b"oops"))

    with pytest.raises(http.FetchError, match=r"upstream error \(HTTP 500\)") as error:
        http.fetch(url)

    assert (error.value.transient, error.value.status) == (True, 500)
    assert len(upstream.seen("/board.json")) == settings.ARENA_FETCH_ATTEMPTS == 3


def test_retries_back_off_between_attempts(upstream: FakeUpstream) -> None:
    url = upstream.route("/board.json", Reply(503, body=b"busy"))

    with pytest.raises(http.FetchError):
        http.fetch(url, policy=policy(attempts=3, backoff=0.2))

    first, second, third = upstream.seen("/board.json")
    assert second.at - first.at >= 0.2
    assert third.at - second.at >= 0.4  # doubled


def test_404_is_not_retried(upstream: FakeUpstream) -> None:
    url = upstream.route("/gone", Reply(404, body=b"not found"))

    with pytest.raises(http.FetchError, match=r"refused \(HTTP 404\)") as error:
        http.fetch(url)

    assert (error.value.transient, error.value.status) == (False, 404)
    assert len(upstream.seen("/gone")) == 1


def test_cloudflare_challenge_is_named_and_not_retried(upstream: FakeUpstream) -> None:
    url = upstream.route(
        "/leaderboard",
        Reply(403, {"cf-mitigated": "challenge", "Server": "cloudflare"}, b"Just a moment..."),
    )

    with pytest.raises(http.FetchError, match="Cloudflare challenge") as error:
        http.fetch(url)

    assert not error.value.transient
    assert len(upstream.seen("/leaderboard")) == 1


def test_connection_refused_is_transient_and_retried(connections: list[Any]) -> None:
    port = fake_upstream.unused_port()

    with pytest.raises(http.FetchError, match="connection failed") as error:
        http.fetch(f"http://127.0.0.1:{port}/board.json")

    assert error.value.transient
    assert connections.count(("127.0.0.1", port)) == 3


# --- size and time -----------------------------------------------------------------------


def test_body_declared_larger_than_the_cap_is_refused_without_reading_it(
    upstream: FakeUpstream, settings: Any
) -> None:
    url = upstream.route(
        "/big.json", Reply(200, JSON, b"[]", content_length=settings.ARENA_FETCH_MAX_BYTES + 1)
    )

    with pytest.raises(http.FetchError, match="body too large") as error:
        http.fetch(url)

    assert not error.value.transient
    assert len(upstream.seen("/big.json")) == 1


def test_body_streamed_past_the_cap_without_a_length_is_refused(
    upstream: FakeUpstream, settings: Any
) -> None:
    body = b"x" * (settings.ARENA_FETCH_MAX_BYTES * 3)
    url = upstream.route("/big.csv", Reply(200, body=body, send_length=False))

    with pytest.raises(http.FetchError, match="body too large") as error:
        http.fetch(url)

    assert not error.value.transient
    assert len(upstream.seen("/big.csv")) == 1


def test_body_exactly_at_the_cap_is_accepted(upstream: FakeUpstream, settings: Any) -> None:
    body = b"y" * settings.ARENA_FETCH_MAX_BYTES
    url = upstream.route("/edge.csv", Reply(200, body=body, send_length=False))

    assert http.fetch(url).body == body


def test_body_cut_short_is_a_transient_error(upstream: FakeUpstream) -> None:
    url = upstream.route("/cut.json", Reply(200, JSON, b'{"rows": [1, 2', content_length=5000))

    with pytest.raises(http.FetchError, match="body cut off") as error:
        http.fetch(url)

    assert error.value.transient
    assert len(upstream.seen("/cut.json")) == 3


def test_a_short_wait_before_the_headers_is_tolerated(upstream: FakeUpstream) -> None:
    url = upstream.route("/slow", Reply(200, body=b"ok", delay=0.3))

    assert http.fetch(url).body == b"ok"


def test_a_server_that_never_answers_ends_in_bounded_time(
    upstream: FakeUpstream, settings: Any
) -> None:
    url = upstream.route("/hang", Reply(hang=True))
    started = time.monotonic()

    with pytest.raises(http.FetchError, match="timed out") as error:
        http.fetch(url)

    elapsed = time.monotonic() - started
    assert error.value.transient
    assert len(upstream.seen("/hang")) == settings.ARENA_FETCH_ATTEMPTS
    # attempts × read timeout plus the backoffs; generous slack for a loaded machine
    assert elapsed < 3 * settings.ARENA_FETCH_ATTEMPTS * settings.ARENA_FETCH_READ_TIMEOUT


def test_a_dripping_body_is_stopped_by_the_deadline(upstream: FakeUpstream) -> None:
    # Each byte arrives well within the read timeout, so only the deadline can stop it.
    url = upstream.route("/drip", Reply(200, body=b"z" * 1000, drip=0.05))
    started = time.monotonic()

    with pytest.raises(http.FetchError, match=r"took longer than 1\.5s") as error:
        http.fetch(url, policy=policy(attempts=1, deadline=1.5))

    elapsed = time.monotonic() - started
    assert error.value.transient
    assert 1.5 <= elapsed < 15  # the deadline, not the 50 s the drip would take


def test_a_dripping_body_without_a_length_is_not_mistaken_for_a_complete_one(
    upstream: FakeUpstream,
) -> None:
    # Cutting a close-delimited body looks like its clean end; the deadline must still win.
    url = upstream.route("/drip.csv", Reply(200, body=b"z" * 1000, drip=0.05, send_length=False))

    with pytest.raises(http.FetchError, match="took longer than"):
        http.fetch(url, policy=policy(attempts=1, deadline=1.0))


def test_headers_dripped_slowly_are_stopped_by_the_deadline(upstream: FakeUpstream) -> None:
    # A long header arriving a byte at a time: no read ever stalls long enough to time out.
    url = upstream.route(
        "/drip-headers",
        Reply(200, {"X-Padding": "p" * 2000}, b"ok", drip=0.02, drip_size=1, drip_headers=True),
    )
    started = time.monotonic()

    with pytest.raises(http.FetchError, match="took longer than"):
        http.fetch(url, policy=policy(attempts=1, deadline=1.0))

    assert time.monotonic() - started < 15  # not the ~40 s the dripped headers would take


def test_a_wait_before_the_headers_counts_against_the_deadline(upstream: FakeUpstream) -> None:
    url = upstream.route("/slow", Reply(200, body=b"ok", delay=8.0))
    started = time.monotonic()

    with pytest.raises(http.FetchError, match="took longer than"):
        http.fetch(url, policy=policy(attempts=1, deadline=0.5, read_timeout=10.0))

    assert time.monotonic() - started < 6  # would be ≥ 8 s if the wait were not cut


def test_a_slow_but_complete_reply_within_the_deadline_is_returned_whole(
    upstream: FakeUpstream,
) -> None:
    body = b"0123456789" * 10
    url = upstream.route("/steady", Reply(200, body=body, drip=0.01, drip_size=10))

    assert http.fetch(url, policy=policy(attempts=1, deadline=1.5)).body == body


@pytest.mark.parametrize(
    ("origin", "target", "allowed"),
    [
        ("https://arena.ai/leaderboard", "https://arena.ai/leaderboard/text", True),
        ("https://arena.ai/leaderboard", "https://ARENA.ai:443/x", True),
        ("http://arena.ai/leaderboard", "https://arena.ai/leaderboard", True),  # upgrade
        ("https://arena.ai/leaderboard", "http://arena.ai/leaderboard", False),  # downgrade
        ("https://arena.ai/leaderboard", "https://arena.ai:8443/x", False),
        ("https://arena.ai/leaderboard", "https://www.arena.ai/x", False),
        ("https://arena.ai/leaderboard", "https://arena.ai:notaport/x", False),
    ],
)
def test_redirect_rule_keeps_scheme_host_and_port_except_an_https_upgrade(
    origin: str, target: str, allowed: bool
) -> None:
    assert http._may_redirect(http._origin(origin), target) is allowed


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example\\@huggingface.co/",
        "http://127.0.0.1:8099\\@huggingface.co/secret.txt",
        "https://user:pw@huggingface.co/",
        "https://huggingface.co/a b",
        "https://huggingface.co/\r\nHost: evil",
    ],
)
def test_urls_that_parsers_read_differently_are_refused(url: str) -> None:
    with pytest.raises(FetchError):
        check_url(url)


def test_an_allow_listed_url_passes() -> None:
    check_url("https://datasets-server.huggingface.co/rows?dataset=a%2Fb&offset=0")
