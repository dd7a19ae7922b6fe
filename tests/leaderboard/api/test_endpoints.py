"""The API's contracts: it says what the pages and exports say, from the same reads."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext

from leaderboard import history
from leaderboard.api import endpoints
from leaderboard.api import schemas as out
from leaderboard.models import (
    AIModel,
    Entry,
    ImportRun,
    Leaderboard,
    License,
    Organization,
    RawPayload,
    Snapshot,
)
from tests.leaderboard import factories
from tests.leaderboard.api.conftest import get_json, import_two_snapshots
from tests.leaderboard.pages import export_json
from tests.paths import REPO
from tests.processes import database_url

pytestmark = pytest.mark.django_db

SNAPSHOT = "/api/v1/boards/text/overall/snapshot"
PERMALINK = "/api/v1/boards/text/overall/snapshots/2025-11-18"
API_ONLY = {"url", "raw_model", "raw_organization", "raw_license"}


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?sort=-votes",
        "?sort=model&open=true",
        "?q=gemini&preliminary=hide",
        "?license_kind=proprietary&rank_max=40&sort=-interval",
        "?as_of=2025-11-30&min_votes=10000",
        "?hide_deprecated=true&new_since=2025-12-01",
    ],
)
def test_the_snapshot_is_the_json_export_of_the_same_view(
    client: Client, two_snapshots: None, query: str
) -> None:
    License.objects.filter(name="MIT").update(kind=License.Kind.OPEN_PERMISSIVE)
    exported = export_json(client, query)
    answered = get_json(client, SNAPSHOT + query)

    assert [{k: v for k, v in row.items() if k not in API_ONLY} for row in answered["rows"]] == (
        exported["rows"]
    )
    assert answered["shown_count"] == len(exported["rows"])
    assert answered["snapshot"]["published_on"] == exported["snapshot"]["published_on"]
    assert answered["board"]["slug"] == exported["board"]["slug"] == "text/overall"


def test_the_snapshot_carries_raw_upstream_strings_beside_curated_names(
    client: Client, two_snapshots: None
) -> None:
    entry = Entry.objects.filter(snapshot__published_on=dt.date(2025, 12, 20)).first()
    assert entry is not None
    AIModel.objects.filter(pk=entry.model_id).update(name="A curated name")

    row = next(r for r in get_json(client, SNAPSHOT)["rows"] if r["rank"] == entry.rank)

    assert row["model"] == "A curated name"
    assert row["raw_model"] == entry.raw_model != "A curated name"


def test_a_filter_value_the_page_would_ignore_is_a_400_naming_it(
    client: Client, two_snapshots: None
) -> None:
    body = get_json(client, SNAPSHOT + "?organization=Nobody", status=400)

    assert body["status"] == 400
    assert [e["parameter"] for e in body["errors"]] == ["organization"]


def test_a_models_history_equals_its_entries(client: Client, two_snapshots: None) -> None:
    model = AIModel.objects.filter(entries__snapshot__published_on=dt.date(2025, 11, 18)).filter(
        entries__snapshot__published_on=dt.date(2025, 12, 20)
    )[0]
    entries = Entry.objects.filter(model=model).order_by("snapshot__published_on")
    expected: list[dict[str, Any]] = [
        {
            "published_on": e.snapshot.published_on.isoformat(),
            "rank": e.rank,
            "rank_upper": e.rank_upper,
            "rank_lower": e.rank_lower,
            "score": e.score,
            "rating_lower": e.rating_lower,
            "rating_upper": e.rating_upper,
            "votes": e.votes,
            "preliminary": e.preliminary,
        }
        for e in entries
    ]

    body = get_json(client, f"/api/v1/models/{model.key}")

    (board,) = body["boards"]
    assert board["board"]["slug"] == "text/overall"
    assert board["history"] == expected
    assert board["current"]["point"] == expected[-1]
    assert board["current"]["rank_change"] == expected[0]["rank"] - expected[-1]["rank"]
    assert body["key"] == model.key
    assert set(body["raw_names"]) >= {e.raw_model for e in entries}


def _permalink_body(client: Client) -> bytes:
    cache.clear()
    response = client.get(PERMALINK)
    assert response.status_code == 200
    return response.content


def test_the_permalink_body_is_canonical_and_hashed(client: Client, two_snapshots: None) -> None:
    response = client.get(PERMALINK)
    body = json.loads(response.content)
    snapshot = Snapshot.objects.get(published_on=dt.date(2025, 11, 18))

    assert response["ETag"] == f'"{snapshot.content_hash}"' == f'"{body["content_hash"]}"'
    assert (
        response.content
        == json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    )
    rows = json.dumps(body["rows"], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert body["rows_sha256"] == hashlib.sha256(rows.encode()).hexdigest()
    assert len(body["rows"]) == body["row_count"] == 266
    assert "imported_at" not in response.content.decode()


def test_the_permalink_ignores_curation(client: Client, two_snapshots: None) -> None:
    before = _permalink_body(client)
    AIModel.objects.update(name="renamed")
    Organization.objects.update(url="https://example.org/")

    assert _permalink_body(client) == before


def test_the_permalink_body_is_byte_identical_after_a_reimport(
    client: Client, two_snapshots: None
) -> None:
    before = _permalink_body(client)
    # Everything imported goes: a fresh database would be the same.
    Leaderboard.objects.update(current_snapshot=None)
    Entry.objects.all().delete()
    Snapshot.all_objects.all().delete()
    AIModel.objects.all().delete()
    Organization.objects.all().delete()
    License.objects.all().delete()
    ImportRun.objects.all().delete()
    RawPayload.objects.all().delete()

    import_two_snapshots()

    assert _permalink_body(client) == before


@pytest.mark.django_db(transaction=True)
def test_the_permalink_body_is_byte_identical_in_a_new_process(client: Client) -> None:
    import_two_snapshots()
    before = _permalink_body(client)
    script = (
        "import django; django.setup();"
        "from django.test import Client; import sys;"
        f"sys.stdout.buffer.write(Client().get({PERMALINK!r}).content)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(),
        "PYTHONHASHSEED": "12345",  # another hash seed: no set or dict order leaks in
        "ALLOWED_HOSTS": "testserver",
    }
    env.pop("REDIS_URL", None)  # its own empty cache: the body is rendered anew
    after = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, check=True
    ).stdout

    assert after == before


def test_snapshots_list_each_with_its_permalink(client: Client, two_snapshots: None) -> None:
    body = get_json(client, "/api/v1/boards/text/overall/snapshots")

    assert [s["published_on"] for s in body["snapshots"]] == ["2025-12-20", "2025-11-18"]
    assert body["snapshots"][1]["permalink"] == PERMALINK
    assert all(len(s["payload_sha256"]) == 64 for s in body["snapshots"])


def test_boards_say_their_dates_and_counts(client: Client, two_snapshots: None) -> None:
    (board,) = get_json(client, "/api/v1/boards")["boards"]

    assert board["slug"] == "text/overall"
    assert (board["first_snapshot_on"], board["last_snapshot_on"]) == ("2025-11-18", "2025-12-20")
    assert board["snapshot_count"] == 2
    assert board["url"] == "/text/overall/"


def test_changes_are_the_changes_pages_events_with_a_cursor(
    client: Client, two_snapshots: None
) -> None:
    other = factories.board(category="coding")
    for day in (dt.date(2025, 12, 1), dt.date(2025, 12, 2)):
        snap = factories.snapshot(other, published_on=day)
        factories.entry(snap, factories.ai_model())
    first = get_json(client, "/api/v1/changes?limit=2")
    second = get_json(client, f"/api/v1/changes?limit=2&cursor={first['next_cursor']}")

    seen = [(c["board"]["slug"], c["published_on"]) for c in first["changes"] + second["changes"]]
    assert seen == [
        ("text/overall", "2025-12-20"),
        ("text/coding", "2025-12-02"),
        ("text/coding", "2025-12-01"),
        ("text/overall", "2025-11-18"),
    ]
    assert second["next_cursor"] is None
    latest = first["changes"][0]
    assert latest["previous_on"] == "2025-11-18"
    assert {e["kind"] for e in latest["events"]} >= {"entered"}
    page = client.get("/changes/").content.decode()
    assert all(event["model"]["name"] in page for event in latest["events"])
    since = get_json(client, "/api/v1/changes?since=2025-12-02")
    assert [c["published_on"] for c in since["changes"]] == ["2025-12-20", "2025-12-02"]


def test_a_bad_cursor_is_a_400(client: Client, two_snapshots: None) -> None:
    body = get_json(client, "/api/v1/changes?cursor=not-a-cursor", status=400)

    assert body["errors"][0]["parameter"] == "cursor"


def test_head_to_head_gives_bradley_terry_odds(client: Client, two_snapshots: None) -> None:
    top = Entry.objects.filter(snapshot__published_on=dt.date(2025, 12, 20)).order_by("rank")[:2]
    a, b = top
    body = get_json(
        client, f"/api/v1/boards/text/overall/head-to-head?models={a.model.key},{b.model.key}"
    )

    (matchup,) = body["matchups"]
    assert matchup["probability"] == pytest.approx(1 / (1 + 10 ** ((b.score - a.score) / 400)))
    assert matchup["worst"] <= matchup["probability"] <= matchup["best"]
    assert [m["point"]["rank"] for m in body["models"]] == [a.rank, b.rank]


def test_head_to_head_needs_two_to_four_known_models(client: Client, two_snapshots: None) -> None:
    path = "/api/v1/boards/text/overall/head-to-head?models="
    key = AIModel.objects.first().key  # type: ignore[union-attr]

    assert get_json(client, path + key, status=400)["errors"][0]["parameter"] == "models"
    assert get_json(client, path + ",".join("abcde"), status=400)["status"] == 400
    assert "nope" in get_json(client, f"{path}{key},nope", status=404)["detail"]


def test_models_filter_by_organisation_kind_and_open_weights(
    client: Client, two_snapshots: None
) -> None:
    License.objects.filter(name="MIT").update(kind=License.Kind.OPEN_PERMISSIVE)
    open_models = get_json(client, "/api/v1/models?open_weights=true&limit=500")["models"]
    google = get_json(client, "/api/v1/models?organization=google&limit=500")["models"]

    assert open_models and all(m["open_weights"] for m in open_models)
    by_license = Q(license__kind__in=License.OPEN_WEIGHTS_KINDS, open_weights=None)
    expected = AIModel.objects.filter(by_license | Q(open_weights=True))
    assert {m["key"] for m in open_models} == set(expected.values_list("key", flat=True))
    assert google and {m["organization"]["name"] for m in google} == {"Google"}


def test_models_page_with_a_cursor_through_all_of_them(client: Client, two_snapshots: None) -> None:
    keys: list[str] = []
    cursor = ""
    while True:
        body = get_json(client, f"/api/v1/models?limit=100{cursor}")
        keys += [m["key"] for m in body["models"]]
        if body["next_cursor"] is None:
            break
        cursor = f"&cursor={body['next_cursor']}"

    assert keys == sorted(AIModel.objects.values_list("key", flat=True))


def test_organisations_and_one_organisation(client: Client, two_snapshots: None) -> None:
    listed = get_json(client, "/api/v1/organizations")["organizations"]
    google = next(o for o in listed if o["name"] == "Google")
    detail = get_json(client, f"/api/v1/organizations/{google['slug']}")

    assert detail["model_count"] == google["model_count"]
    assert detail["models"] and detail["best_ranks"][0]["board"]["slug"] == "text/overall"
    assert get_json(client, "/api/v1/organizations/nobody", status=404)["status"] == 404


def _build(rows: int) -> Leaderboard:
    board = factories.board(category=f"c{rows}")
    org = Organization.objects.create(name=f"Org {rows}")
    license_ = License.objects.create(name=f"License {rows}", kind=License.Kind.OSI)
    older = factories.snapshot(board, published_on=dt.date(2025, 1, 1), row_count=rows)
    current = factories.snapshot(board, published_on=dt.date(2025, 2, 1), row_count=rows)
    for n in range(rows):
        model = factories.ai_model(organization=org, license=license_)
        for snap in (older, current):
            factories.entry(snap, model, rank=n + 1, rank_upper=n + 1, rank_lower=n + 2)
    board.current_snapshot = current
    board.save()
    return board


def _queries(client: Client, path: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    return len(queries)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/boards",
        "/api/v1/boards/text/{c}/snapshots",
        "/api/v1/boards/text/{c}/snapshot",
        "/api/v1/boards/text/{c}/snapshot?sort=-score&organization=Org+{n}&new_since=2025-01-02",
        "/api/v1/boards/text/{c}/snapshots/2025-02-01",
        "/api/v1/boards/text/{c}/head-to-head?models={m1},{m2}",
        "/api/v1/models?limit=500",
        "/api/v1/models/{m1}",
        "/api/v1/organizations",
        "/api/v1/organizations/org-{n}",
        "/api/v1/changes",
    ],
)
def test_queries_per_endpoint_do_not_grow_with_rows(client: Client, path: str) -> None:
    counts = []
    for rows in (3, 40):
        board = _build(rows)
        keys = list(
            AIModel.objects.filter(entries__snapshot=board.current_snapshot)
            .order_by("pk")
            .values_list("key", flat=True)[:2]
        )
        url = path.format(c=board.category, n=rows, m1=keys[0], m2=keys[1])
        counts.append(_queries(client, url))

    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    ("query", "day"), [("", "2025-12-20"), ("?as_of=2025-12-01", "2025-11-18")]
)
def test_the_board_page_links_the_permalink_of_the_snapshot_it_shows(
    client: Client, two_snapshots: None, query: str, day: str
) -> None:
    page = client.get(f"/text/overall/{query}").content.decode()
    link = f"/api/v1/boards/text/overall/snapshots/{day}"

    assert f'href="{link}"' in page and "Cite this table" in page
    assert client.get(link).status_code == 200
    assert 'href="/api/v1/docs"' in page  # the footer


def test_a_history_built_from_columns_is_what_the_point_schema_dumps() -> None:
    """The model answer writes its points straight from the series (``_history``): the same
    fields in the same order and the same JSON values as ``out.Point`` gives."""
    assert tuple(out.Point.model_fields) == endpoints.POINT_FIELDS
    day = dt.date(2025, 1, 1)
    points = [
        history.Point(7, day, 1, 1, 2, 1300.25, 1290.0, 1310.5, 1234, True),
        history.Point(9, day + dt.timedelta(days=1), 3, 2, 4, 1299.0, None, None, None, None),
    ]

    assert endpoints._history(history.Series.of(points)) == [
        endpoints._point(point).model_dump(mode="json") for point in points
    ]
