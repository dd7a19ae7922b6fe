"""The API's HTTP: validators and 304, caching headers, gzip, CORS, problem JSON, the limit."""

from __future__ import annotations

import gzip
import json
import socket

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from leaderboard import cache_keys
from tests.leaderboard.api.conftest import get_json

pytestmark = pytest.mark.django_db

SNAPSHOT = "/api/v1/boards/text/overall/snapshot"
PERMALINK = "/api/v1/boards/text/overall/snapshots/2025-11-18"


def test_a_matching_etag_or_date_answers_304_until_the_data_changes(
    client: Client, seed: None
) -> None:
    first = client.get(SNAPSHOT)
    etag, modified = first["ETag"], first["Last-Modified"]

    assert client.get(SNAPSHOT, headers={"if-none-match": etag}).status_code == 304
    assert client.get(SNAPSHOT, headers={"if-modified-since": modified}).status_code == 304
    assert first["Cache-Control"] == "public, max-age=60"

    cache_keys.bump()  # a curation or an import
    again = client.get(SNAPSHOT, headers={"if-none-match": etag})
    assert again.status_code == 200 and again["ETag"] != etag


def test_each_view_has_its_own_etag(client: Client, seed: None) -> None:
    assert client.get(SNAPSHOT)["ETag"] != client.get(SNAPSHOT + "?sort=-votes")["ETag"]


def test_the_permalink_etag_is_its_content_hash_and_it_is_kept_long(
    client: Client, seed: None
) -> None:
    response = client.get(PERMALINK)
    content_hash = json.loads(response.content)["content_hash"]

    assert response["ETag"] == f'"{content_hash}"'
    assert response["Cache-Control"] == "public, max-age=86400"
    cache_keys.bump()  # curation does not change a permalink
    assert client.get(PERMALINK, headers={"if-none-match": f'"{content_hash}"'}).status_code == 304


def test_answers_are_gzipped_for_clients_that_accept_it(client: Client, seed: None) -> None:
    plain = client.get(SNAPSHOT)
    zipped = client.get(SNAPSHOT, headers={"accept-encoding": "gzip"})

    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert len(zipped.content) < len(plain.content) / 4
    # The weak ETag of the compressed body still validates.
    assert client.get(SNAPSHOT, headers={"if-none-match": zipped["ETag"]}).status_code == 304


def test_head_answers_the_headers_of_get_without_a_body(client: Client, seed: None) -> None:
    response = client.head(SNAPSHOT)

    assert response.status_code == 200
    assert response.content == b""
    assert response["ETag"] == client.get(SNAPSHOT)["ETag"]


def test_cors_is_open_for_get_on_the_api_only(client: Client, seed: None) -> None:
    origin = {"origin": "https://elsewhere.example"}
    api = client.get("/api/v1/boards", headers=origin)
    page = client.get("/text/overall/", headers=origin)
    preflight = client.options(
        "/api/v1/boards",
        headers={**origin, "access-control-request-method": "GET"},
    )

    assert api["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in api["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Origin" not in page
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "if-none-match" in preflight["Access-Control-Allow-Headers"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/boards/nope/nope/snapshot", 404),
        ("/api/v1/boards/text/overall/snapshots/2001-01-01", 404),
        ("/api/v1/boards/text/overall/snapshots/not-a-date", 400),
        ("/api/v1/boards/text/overall/snapshot?as_of=1999-01-01", 404),
        ("/api/v1/boards/text/overall/snapshot?rank_min=0", 400),
        ("/api/v1/boards/text/overall/snapshot?sort=cost", 400),
        ("/api/v1/models/no-such-model", 404),
        ("/api/v1/models?limit=100000", 400),
        ("/api/v1/changes?since=yesterday", 400),
        ("/api/v1/changes?board=nope/nope", 400),
    ],
)
def test_errors_are_problem_json(client: Client, seed: None, path: str, status: int) -> None:
    response = client.get(path)

    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert body["status"] == status and body["title"] and body["type"] == "about:blank"
    assert response["Cache-Control"] == "no-store"


def test_a_write_method_is_a_405_problem(client: Client, seed: None) -> None:
    response = client.post("/api/v1/boards", data={})

    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert response["Allow"] == "GET, HEAD"


def test_the_api_answers_in_english_whatever_the_browser_asks(client: Client, seed: None) -> None:
    english = client.get("/api/v1/boards").content
    chinese = client.get("/api/v1/boards", headers={"accept-language": "zh-hans"}).content

    assert chinese == english


@override_settings(ARENA_API_RATE_LIMIT="3/m")
def test_a_client_over_its_limit_gets_429_with_retry_after(client: Client, seed: None) -> None:
    statuses = [client.get("/api/v1/boards").status_code for _ in range(4)]
    other = client.get("/api/v1/boards", REMOTE_ADDR="10.0.0.2")
    limited = client.get("/api/v1/boards")

    assert statuses == [200, 200, 200, 429]
    assert other.status_code == 200  # counted per client
    assert limited["Content-Type"] == "application/problem+json"
    assert 1 <= int(limited["Retry-After"]) <= 60


@override_settings(ARENA_API_RATE_LIMIT="3/m")
def test_a_forwarded_for_header_does_not_reset_the_limit(client: Client, seed: None) -> None:
    for n in range(3):
        client.get("/api/v1/boards", headers={"x-forwarded-for": f"10.9.9.{n}"})

    assert client.get("/api/v1/boards", headers={"x-forwarded-for": "10.9.9.9"}).status_code == 429


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_limit_fails_open_when_the_cache_is_down(client: Client, seed: None) -> None:
    dead = {
        "default": {
            "BACKEND": "arenasite.cache.FailOpenRedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with override_settings(CACHES=dead, ARENA_API_RATE_LIMIT="2/m"):
        cache.close()
        statuses = [client.get("/api/v1/boards").status_code for _ in range(4)]
    cache.close()

    assert statuses == [200, 200, 200, 200]


def test_the_docs_page_uses_our_static_swagger_ui_and_the_schema(client: Client) -> None:
    page = client.get("/api/v1/docs").content.decode()

    assert "vendor/swagger-ui/swagger-ui-bundle.js" in page
    assert 'data-openapi-url="/api/v1/openapi.json"' in page
    assert "<script>" not in page and "cdn" not in page.lower()
    assert get_json(client, "/api/v1/openapi.json")["info"]["title"] == "Arena Leaderboard API"


@pytest.mark.parametrize(
    "path", ["/api/v1/", "/api/v1/nothing", "/api/v1/models/a%0Ab", "/api/v1/boards/text"]
)
def test_an_unknown_path_under_the_api_is_a_problem_404(client: Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/models?q=a%00b", "q"),
        ("/api/v1/models/a%00b", "key"),
        ("/api/v1/boards/text/overall/head-to-head?models=a%00,b", "models"),
        ("/api/v1/boards/text/overall/snapshot?organization=%00", "organization"),
        ("/api/v1/changes?limit=0", "limit"),
    ],
)
def test_a_nul_or_out_of_range_value_is_a_400_naming_its_parameter(
    client: Client, seed: None, path: str, parameter: str
) -> None:
    # PostgreSQL refuses a NUL in a string: it must never reach a query.
    body = get_json(client, path, status=400)

    assert [error["parameter"] for error in body["errors"]] == [parameter]
