"""Invariants a review broke on purpose: each test reproduces one way they failed."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from leaderboard import cache_keys
from leaderboard.boards import BoardKey
from leaderboard.http import FetchError, check_url
from leaderboard.models import AIModel, ImportRun, Snapshot
from leaderboard.services import claims
from leaderboard.services import imports as imports_service
from leaderboard.services.importing import force_publish, import_payload
from leaderboard.services.planning import ImportRequest

pytestmark = pytest.mark.django_db

UPSTREAM = Path(__file__).resolve().parents[1] / "data" / "upstream"
SEED = UPSTREAM / "markdown-cherry" / "seed_en_2025-11-18.md"
CATALOG = UPSTREAM / "json-arena-catalog" / "leaderboard-vision_json_2025-05-24.json"
Status = ImportRun.Status


def history_csv(days: dict[str, list[tuple[str, str, float]]]) -> bytes:
    """A history-long CSV (the jasontrigg0 layout) of (key, display name, rating) per date."""
    header = (UPSTREAM / "csv-history" / "jasontrigg0_alltime_2025-03-29.csv").read_text()
    columns = header.splitlines()[0]
    lines = [columns]
    for date, rows in days.items():
        for key, name, rating in rows:
            values = {"key": key, "Model": name, "rating": str(rating), "License": "MIT",
                      "Organization": "Example", "date": date}  # fmt: skip
            lines.append(",".join(values.get(column, "") for column in columns.split(",")))
    return ("\n".join(lines) + "\n").encode()


def run(data: bytes, slug: str = "text/overall", **fields: object) -> imports_service.Outcome:
    return import_payload(
        ImportRequest(data=data, origin="test", trigger=ImportRun.Trigger.COMMAND,
                      hint=BoardKey.parse(slug), **fields)  # type: ignore[arg-type]
    )  # fmt: skip


def test_a_payload_rejected_while_writing_a_later_date_publishes_nothing() -> None:
    good = [(f"m-{i}", f"Model {i}", 1400.0 - i) for i in range(5)]
    payload = history_csv({
        "2026-06-01": good,
        # Two keys, one display name: both resolve to one curated model while writing.
        "2026-06-02": [*good, ("x-a", "Shared Name", 1300.0), ("x-b", "Shared Name", 1290.0)],
    })  # fmt: skip

    outcome = run(payload)

    assert outcome.status == Status.REJECTED
    assert "both map to the curated model" in outcome.reason
    assert Snapshot.objects.count() == 0
    assert not AIModel.objects.filter(key="m-0").exists()  # the whole payload rolled back


def test_an_unexpected_error_ends_the_run_as_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(imports_service, "_write_snapshot", explode)

    with pytest.raises(RuntimeError, match="disk on fire"):
        run(SEED.read_bytes())

    recorded = ImportRun.objects.get()
    assert recorded.status == Status.FAILED
    assert "disk on fire" in recorded.reason
    assert recorded.finished_at is not None
    assert Snapshot.objects.count() == 0


def test_names_too_long_for_the_database_are_rejected_not_crashed() -> None:
    rows = [(f"m-{i}", f"Model {i}", 1400.0 - i) for i in range(4)]
    outcome = run(history_csv({"2026-07-01": [*rows, ("long", "x" * 250, 1200.0)]}))

    assert outcome.status == Status.REJECTED
    assert "names longer than the database holds" in outcome.reason


def test_force_publish_keeps_the_date_the_upload_was_given() -> None:
    catalog = json.loads(CATALOG.read_text())
    two_models = dict(list(catalog["full"].items())[:2])  # real rows; "only 2 rows" is soft
    payload = json.dumps({"full": two_models}).encode()
    rejected = run(payload, "vision/overall", published_on=dt.date(2024, 1, 15)).run
    assert rejected is not None
    assert rejected.status == Status.REJECTED, rejected.reason
    user = get_user_model().objects.create_user("boss", is_staff=True)

    outcome = force_publish(run=rejected, user=user, reason="a tiny board, known and fine")

    assert outcome.status == Status.SUCCEEDED, outcome.reason
    assert Snapshot.objects.get().published_on == dt.date(2024, 1, 15)


def test_the_same_dateless_data_imported_on_another_day_is_unchanged() -> None:
    first = run(CATALOG.read_bytes(), "vision/overall", published_on=dt.date(2026, 9, 1))
    second = run(CATALOG.read_bytes(), "vision/overall", published_on=dt.date(2026, 9, 2))

    assert first.status == Status.SUCCEEDED
    assert second.status == Status.UNCHANGED
    assert Snapshot.objects.count() == first.counts.snapshots_created


def test_a_metadata_only_import_that_changes_models_succeeds_and_refreshes_pages(
    django_capture_on_commit_callbacks: Any,
) -> None:
    run(SEED.read_bytes())
    AIModel.objects.filter(key="grok-4.1-thinking").update(url="")
    before = cache_keys.current()[0]
    payload = (
        b'[{"model_api_name": "grok-4.1-thinking", "name": "Grok 4.1 Thinking", '
        b'"organization": "xAI", "license": "Proprietary", '
        b'"model_source": "https://x.ai/news/grok-4-1"}]'
    )

    with django_capture_on_commit_callbacks(execute=True):
        outcome = run(payload, format_name="arena-catalog-metadata")

    assert outcome.status == Status.SUCCEEDED, outcome.reason
    assert AIModel.objects.get(key="grok-4.1-thinking").url == "https://x.ai/news/grok-4-1"
    assert cache_keys.current()[0] > before


def test_the_lease_covers_the_board_written_whatever_the_hint() -> None:
    rows = [(f"m-{i}", f"Model {i}", 1400.0 - i) for i in range(5)]
    claims.acquire(key="board:text/overall-no-style-control", ttl=dt.timedelta(minutes=5))

    # history-long always writes text/overall-no-style-control, whatever the hint says
    outcome = run(history_csv({"2026-06-01": rows}), "vision/overall")

    assert outcome.status == Status.SKIPPED
    assert Snapshot.objects.count() == 0


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


@pytest.fixture
def seeded(client: Client) -> Client:
    cache.clear()
    call_command("import_leaderboard", str(SEED), stdout=io.StringIO())
    return client


def test_repeated_parameters_in_another_order_are_another_page(seeded: Client) -> None:
    few = seeded.get("/text/overall/?min_votes=0&min_votes=100000").content.decode()
    all_rows = seeded.get("/text/overall/?min_votes=100000&min_votes=0").content.decode()

    assert "266 shown of 266" in all_rows
    assert "266 shown of 266" not in few


def test_the_home_page_links_exports_of_its_board_and_echoes_no_foreign_parameters(
    seeded: Client,
) -> None:
    home = seeded.get("/?utm_source=%22evil%22").content.decode()
    board_page = seeded.get("/text/overall/").content.decode()

    assert 'href="/text/overall/export.csv"' in home
    assert 'href="/text/overall/export.csv"' in board_page
    assert "utm_source" not in home
    assert seeded.get("/text/overall/export.csv").status_code == 200


def test_csv_export_sorts_like_the_table_with_several_sort_keys(seeded: Client) -> None:
    query = "?sort=-votes&sort=rank"
    html = seeded.get(f"/text/overall/{query}").content.decode()
    rows = seeded.get(f"/text/overall/export.csv{query}").content.decode().splitlines()[1:]

    csv_models = [row.split(",")[3] for row in rows]
    page_models = re.findall(r'<td class="sticky model">(?:<a [^>]*>)?([^<]+)<', html)
    assert len(csv_models) == 266
    assert csv_models == page_models
    votes = [int(row.split(",")[11]) for row in rows]
    assert votes == sorted(votes, reverse=True)
