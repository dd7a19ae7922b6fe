"""End to end: importing a configured source against a fake upstream on loopback.

Whatever upstream does — a challenge page, 429s, 500s, a cut or empty body, a page without
data, a sharp drop in rows, an oversized body, silence, a redirect inward — the run is
recorded FAILED (the fetch went wrong: try again later) or REJECTED (the data is bad: a person
looks at it), with a reason a person understands, in bounded time, and the published board is
byte-for-byte what it was.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from leaderboard import exports, selectors, tasks
from leaderboard.boards import BoardKey
from leaderboard.models import Entry, ImportRun, Leaderboard, Snapshot, Source
from leaderboard.services import fetching, importing
from leaderboard.services.importing import import_payload
from leaderboard.services.planning import ImportRequest
from tests import fake_upstream
from tests.fake_upstream import FakeUpstream, Reply, Seen
from tests.paths import UPSTREAM

upstream = fake_upstream.upstream
fast_fetch = fake_upstream.fast_fetch

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_fetch")]

DATA = UPSTREAM
SEED = DATA / "markdown-cherry" / "seed_en_2025-11-18.md"
HF_ROWS = DATA / "hf-leaderboard-dataset" / "text_full_sample-rows_ukitako1030-EVAL.json"
SCHEDULE = ImportRun.Trigger.SCHEDULE
Status = ImportRun.Status

CHALLENGE_PAGE = b"""<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<meta name="robots" content="noindex,nofollow">
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>*{box-sizing:border-box;margin:0;padding:0}html{line-height:1.15}</style>
<meta http-equiv="refresh" content="390"></head><body class="no-js">
<div class="main-wrapper" role="main"><div class="main-content">
<noscript><div class="h2"><span id="challenge-error-text">Enable JavaScript and cookies to
continue</span></div></noscript></div></div>
<script>(function(){window._cf_chl_opt={cvId: '3',cZone: "lmarena.ai",cType: 'managed',
cRay: '8f2d1c3a9b7e4d21',cH: 'xQ1xVb1y4u2Gd.3aF',cUPMDTk: "/leaderboard/text?__cf_chl_tk=abc",
cFPWv: 'b',cITimeS: '1731916102'};var cpo = document.createElement('script');
cpo.src = '/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1?ray=8f2d1c3a9b7e4d21';
window._cf_chl_opt.cOgUHash = location.hash === '' && location.href.indexOf('#') !== -1 ?
'#' : location.hash;document.getElementsByTagName('head')[0].appendChild(cpo);}());</script>
</body></html>
"""
CLOUDFLARE_HEADERS = {
    "Content-Type": "text/html; charset=UTF-8",
    "Server": "cloudflare",
    "cf-mitigated": "challenge",
    "CF-RAY": "8f2d1c3a9b7e4d21-FRA",
    "Cache-Control": "private, max-age=0, no-store, no-cache, must-revalidate",
}
HTML_WITHOUT_DATA = b"""<!DOCTYPE html><html><head><title>Leaderboard | LMArena</title></head>
<body><main><h1>Leaderboard</h1><p>We are updating the leaderboard. Check back soon.</p>
</main></body></html>
"""


@dataclass(frozen=True, slots=True)
class Published:
    """What the public sees of a board: its pointer and its JSON export."""

    snapshot_id: int | None
    export: str
    snapshots: int


def published(slug: str = "text/overall") -> Published:
    board = selectors.board_by_slug(slug)
    assert board is not None and board.current_snapshot is not None
    snapshot = board.current_snapshot
    export = exports.render(
        "json",
        board=board,
        snapshot=snapshot,
        rows=exports.export_rows(selectors.board_rows(snapshot)),
    )
    return Published(board.current_snapshot_id, export, Snapshot.objects.count())


@pytest.fixture
def seeded_board() -> Published:
    """text/overall published from the seed page (2025-11-18, 250-odd rows)."""
    outcome = import_payload(
        ImportRequest(
            data=SEED.read_bytes(),
            origin=SEED.name,
            trigger=ImportRun.Trigger.COMMAND,
            hint=BoardKey.parse("text/overall"),
        )
    )
    assert outcome.status == Status.SUCCEEDED, outcome.reason
    return published()


def source_at(url: str, *, format: str = "markdown", **options: Any) -> Source:
    return Source.objects.create(
        slug="fake-upstream",
        format=format,
        url=url,
        options={"arena": "text", "category": "overall", "style_control": True, **options},
    )


def seed_top(rows: int, *, published_on: str) -> bytes:
    """The seed page cut to its first ``rows`` table rows, dated ``published_on``."""
    lines = SEED.read_text(encoding="utf-8").splitlines(keepends=True)
    kept: list[str] = []
    table_rows = 0
    for line in lines:
        is_row = re.match(r"\|\s+\d+ \|", line) is not None
        if is_row:
            table_rows += 1
            if table_rows > rows:
                continue
        kept.append(line)
    return "".join(kept).replace("2025-11-18", published_on).encode()


def import_source(source: Source) -> importing.Outcome:
    return importing.import_origin(
        importing.FromSource(source), importing.ImportOptions(trigger=SCHEDULE)
    )


def run_import(source: Source) -> tuple[ImportRun, float]:
    started = time.monotonic()
    outcome = importing.import_origin(
        importing.FromSource(source), importing.ImportOptions(trigger=SCHEDULE)
    )
    elapsed = time.monotonic() - started
    assert outcome.run is not None
    run = ImportRun.objects.get(pk=outcome.run.pk)
    assert run.finished_at is not None
    return run, elapsed


# --- failures upstream never reach the public board ---------------------------------------


@dataclass(frozen=True, slots=True)
class Scenario:
    id: str
    format: str
    script: tuple[Reply, ...]
    status: str
    reason: str
    """A regular expression the run's reason must contain."""
    seconds: float = 5.0
    """The run must end sooner than this: a bound, not a benchmark, with room for a loaded CI
    machine; what it catches is a run that waits on upstream for minutes or forever."""


SCENARIOS = [
    Scenario(
        "challenge-403",
        "arena-page",
        (Reply(403, CLOUDFLARE_HEADERS, CHALLENGE_PAGE),),
        Status.FAILED,
        r"refused \(HTTP 403\) \(Cloudflare challenge\)",
    ),
    Scenario(
        "challenge-200",
        "arena-page",
        (Reply(200, {"Content-Type": "text/html; charset=UTF-8"}, CHALLENGE_PAGE),),
        Status.FAILED,
        r"Cloudflare challenge",
    ),
    Scenario(
        "challenge-200-for-a-markdown-source",
        "markdown",
        (Reply(200, {"Content-Type": "text/html; charset=UTF-8"}, CHALLENGE_PAGE),),
        Status.FAILED,
        r"Cloudflare challenge",
    ),
    Scenario(
        "429-forever",
        "markdown",
        (Reply(429, {"Retry-After": "1"}, b"Too Many Requests"),),
        Status.FAILED,
        r"rate limited \(HTTP 429\)",
        seconds=6.0,  # waits Retry-After (1 s) twice between three attempts
    ),
    Scenario(
        "500",
        "markdown",
        (Reply(500, {"Content-Type": "text/html"}, b"<h1>Internal Server Error</h1>"),),
        Status.FAILED,
        r"upstream error \(HTTP 500\)",
    ),
    Scenario(
        "cut-off-in-transit",
        "arena-catalog",
        (
            Reply(
                200, {"Content-Type": "application/json"}, b'{"full": {"gpt-4o', content_length=900
            ),
        ),
        Status.FAILED,
        r"body cut off",
    ),
    Scenario(
        "json-truncated-at-the-source",
        "arena-catalog",
        (
            Reply(
                200,
                {"Content-Type": "application/json"},
                (
                    DATA / "json-arena-catalog" / "leaderboard-vision_json_2025-05-24.json"
                ).read_bytes()[:20_000],
            ),
        ),
        Status.REJECTED,
        r"JSON",
    ),
    Scenario(
        "empty-body",
        "markdown",
        (Reply(200, {"Content-Type": "text/markdown"}, b""),),
        Status.FAILED,
        r"empty body",
    ),
    Scenario(
        "html-without-data",
        "arena-page",
        (Reply(200, {"Content-Type": "text/html"}, HTML_WITHOUT_DATA),),
        Status.REJECTED,
        r"no leaderboard data",
    ),
    Scenario(
        "sharp-row-drop",
        "markdown",
        (Reply(200, {"Content-Type": "text/markdown"}, seed_top(20, published_on="2025-11-19")),),
        Status.REJECTED,
        r"20 rows.*fewer",
    ),
    Scenario(
        "sharp-row-drop-on-the-same-date",
        "markdown",
        (Reply(200, {"Content-Type": "text/markdown"}, seed_top(20, published_on="2025-11-18")),),
        Status.REJECTED,
        r"20 rows.*fewer",
    ),
    Scenario(
        "oversized",
        "markdown",
        (Reply(200, {"Content-Type": "text/markdown"}, b"|" * (600 * 1024), send_length=False),),
        Status.FAILED,
        r"body too large",
    ),
    Scenario(
        "never-answers",
        "markdown",
        (Reply(hang=True),),
        Status.FAILED,
        r"timed out",
        seconds=15.0,  # three attempts × 1 s read timeout, plus backoff, with slack
    ),
    Scenario(
        "redirect-to-metadata-service",
        "markdown",
        (Reply(302, {"Location": "http://169.254.169.254/latest/meta-data/"}),),
        Status.FAILED,
        r"refused redirect .*169\.254\.169\.254",
    ),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.id for scenario in SCENARIOS])
def test_a_bad_upstream_is_recorded_and_leaves_the_published_board_untouched(
    upstream: FakeUpstream, seeded_board: Published, scenario: Scenario
) -> None:
    source = source_at(upstream.route("/leaderboard", *scenario.script), format=scenario.format)

    run, elapsed = run_import(source)

    assert run.status == scenario.status, run.reason
    assert re.search(scenario.reason, run.reason), run.reason
    assert run.source == source
    assert elapsed < scenario.seconds
    assert published() == seeded_board
    assert Leaderboard.objects.get(arena="text", category="overall").current_snapshot_id == (
        seeded_board.snapshot_id
    )


def test_a_good_page_from_the_fake_upstream_is_published(
    upstream: FakeUpstream, seeded_board: Published
) -> None:
    # The control for the scenarios above: the same path, a sound payload, a new board state.
    page = (
        SEED.read_text(encoding="utf-8")
        .replace("2025-11-18", "2025-11-19")
        .replace("| 3,298   |", "| 3,311   |", 1)  # a day later: more votes
        .encode()
    )
    source = source_at(upstream.route("/leaderboard", Reply(200, body=page)))

    run, _ = run_import(source)

    assert run.status == Status.SUCCEEDED, run.reason
    after = published()
    assert after.snapshot_id != seeded_board.snapshot_id
    assert json.loads(after.export)["snapshot"]["published_on"] == "2025-11-19"
    assert run.payload is not None and run.payload.origin == upstream.url("/leaderboard")


def test_an_unexpected_error_is_recorded_as_failed_and_raised(
    monkeypatch: pytest.MonkeyPatch, seeded_board: Published
) -> None:
    def broken_fetch(url: str, **kwargs: Any) -> Any:
        raise RuntimeError("resolver exploded")

    monkeypatch.setattr(fetching.http, "fetch", broken_fetch)
    source = source_at("http://127.0.0.1:9/leaderboard")

    with pytest.raises(RuntimeError, match="resolver exploded"):
        importing.import_origin(
            importing.FromSource(source), importing.ImportOptions(trigger=SCHEDULE)
        )

    run = ImportRun.objects.get(source=source)
    assert run.status == Status.FAILED
    assert "unexpected error" in run.reason and "resolver exploded" in run.reason
    assert published() == seeded_board


# --- the HF datasets-server path ----------------------------------------------------------

HF_DATASET = "lmarena-ai/leaderboard-dataset"


def hf_rows() -> list[dict[str, Any]]:
    rows = json.loads(HF_ROWS.read_bytes())
    assert isinstance(rows, list)
    return rows


def rows_page(rows: list[dict[str, Any]]) -> Any:
    """A datasets-server ``/rows`` responder serving ``rows`` by offset and length."""
    features = [
        {"feature_idx": index, "name": name, "type": {"dtype": "string", "_type": "Value"}}
        for index, name in enumerate(rows[0])
    ]

    def respond(seen: Seen) -> Reply:
        offset, length = int(seen.param("offset") or 0), int(seen.param("length") or 100)
        document = {
            "features": features,
            "rows": [
                {"row_idx": offset + index, "row": row, "truncated_cells": []}
                for index, row in enumerate(rows[offset : offset + length])
            ],
            "num_rows_total": len(rows),
            "num_rows_per_page": 100,
            "partial": False,
        }
        return Reply(200, {"Content-Type": "application/json"}, json.dumps(document).encode())

    return respond


def dataset_info(sha: str, **more: object) -> Reply:
    body = json.dumps({"id": HF_DATASET, "sha": sha, "private": False, **more}).encode()
    return Reply(200, {"Content-Type": "application/json"}, body)


@pytest.fixture
def hf_source(upstream: FakeUpstream) -> Source:
    upstream.route("/rows", rows_page(hf_rows()))
    return Source.objects.create(
        slug="hf-text-full",
        format="hf-dataset",
        url=upstream.base_url,
        options={
            "dataset": HF_DATASET,
            "config": "text",
            "split": "full",
            "api": upstream.base_url,
            "arena": "text",
            "category": "overall",
            "style_control": False,
        },
    )


def test_hf_dataset_is_paged_through_and_every_row_imported(
    upstream: FakeUpstream, hf_source: Source
) -> None:
    upstream.route(f"/api/datasets/{HF_DATASET}", dataset_info("abc"))
    rows = hf_rows()

    run, _ = run_import(hf_source)

    assert run.status == Status.SUCCEEDED, run.reason
    assert [seen.param("offset") for seen in upstream.seen("/rows")] == ["0", "100", "200"]
    first = upstream.seen("/rows")[0]
    assert (first.param("dataset"), first.param("config"), first.param("split")) == (
        HF_DATASET,
        "text",
        "full",
    )
    assert run.counts["rows_parsed"] == len(rows) == 206
    boards_and_dates = {(row["category"], row["leaderboard_publish_date"]) for row in rows}
    assert run.counts["snapshots_created"] == len(boards_and_dates)
    assert Snapshot.objects.filter(import_run=run).count() == len(boards_and_dates)
    assert Entry.objects.filter(snapshot__import_run=run).count() == len(rows)
    hf_source.refresh_from_db()
    assert hf_source.last_revision == "abc"


def test_hf_dataset_revision_time_is_kept_as_upstreams_time_of_the_newest_snapshot(
    upstream: FakeUpstream, hf_source: Source
) -> None:
    # The Hub's dataset info names when the revision was committed.
    info = dataset_info("abc", lastModified="2026-10-08T07:31:05.000Z")
    upstream.route(f"/api/datasets/{HF_DATASET}", info)

    run, _ = run_import(hf_source)

    assert run.status == Status.SUCCEEDED, run.reason
    committed = dt.datetime(2026, 10, 8, 7, 31, 5, tzinfo=dt.UTC)
    assert run.upstream_updated_at == committed
    snapshots = list(Snapshot.objects.filter(import_run=run).order_by("published_on"))
    newest = snapshots[-1].published_on
    # A commit in 2026 says nothing of when the 2023 snapshots of the full split were made.
    assert {s.upstream_updated_at for s in snapshots if s.published_on == newest} == {committed}
    assert {s.upstream_updated_at for s in snapshots if s.published_on < newest} == {None}
    assert {s.dated_by for s in snapshots} == {Snapshot.DatedBy.PAYLOAD}


def test_a_live_fetch_of_a_dateless_source_is_dated_by_the_fetch_and_says_so(
    upstream: FakeUpstream,
) -> None:
    # arena-monitor's entries carry no date, and neither does the URL.
    entries = (
        DATA / "json-rsc-entries" / "arena_monitor_last_snapshot_2026-02-15.json"
    ).read_bytes()
    source = source_at(
        upstream.route("/last_snapshot.json", Reply(200, body=entries)), format="rsc-entries"
    )
    before = timezone.now()

    run, _ = run_import(source)

    assert run.status == Status.SUCCEEDED, run.reason
    assert run.fetched_at is not None and before <= run.fetched_at <= timezone.now()
    snapshot = Snapshot.objects.get(import_run=run)
    fetched_on = run.fetched_at.astimezone(dt.UTC).date()
    assert (snapshot.published_on, snapshot.dated_by) == (fetched_on, Snapshot.DatedBy.FETCH)
    assert run.counts["dating"] == [
        f"text/overall {fetched_on}: dated by the fetch date: the payload carries no date"
    ]
    assert snapshot.upstream_updated_at is None  # the fetch is our time, not upstream's


def test_force_publishing_a_fetched_dateless_run_keeps_its_fetch_date(
    upstream: FakeUpstream, django_user_model: Any
) -> None:
    top = (DATA / "json-rsc-entries" / "arena_monitor_last_snapshot_2026-02-15.json").read_bytes()
    two_rows = json.dumps(json.loads(top)[:2]).encode()  # too few rows: a soft problem
    source = source_at(upstream.route("/top.json", Reply(200, body=two_rows)), format="rsc-entries")
    rejected, _ = run_import(source)
    assert rejected.status == Status.REJECTED, rejected.reason
    assert rejected.fetched_at is not None
    a_week_before = rejected.fetched_at - dt.timedelta(days=7)
    ImportRun.objects.filter(pk=rejected.pk).update(fetched_at=a_week_before)
    rejected.refresh_from_db()
    staff = django_user_model.objects.create_user("staff")

    outcome = importing.force_publish(run=rejected, user=staff, reason="two rows are all there is")

    assert outcome.status == Status.SUCCEEDED, outcome.reason
    snapshot = Snapshot.objects.get()
    assert snapshot.published_on == a_week_before.astimezone(dt.UTC).date()
    assert snapshot.dated_by == Snapshot.DatedBy.FETCH


def test_hf_dataset_with_the_same_sha_is_unchanged_without_fetching_rows_again(
    upstream: FakeUpstream, hf_source: Source
) -> None:
    upstream.route(f"/api/datasets/{HF_DATASET}", dataset_info("abc"))
    first, _ = run_import(hf_source)
    rows_requests = len(upstream.seen("/rows"))

    second, _ = run_import(hf_source)  # the same instance: it must know the sha it imported

    assert first.status == Status.SUCCEEDED, first.reason
    assert second.status == Status.UNCHANGED
    assert "abc" in second.reason
    assert len(upstream.seen("/rows")) == rows_requests == 3
    assert len(upstream.seen(f"/api/datasets/{HF_DATASET}")) == 2


def test_hf_dataset_with_a_new_sha_is_fetched_again(
    upstream: FakeUpstream, hf_source: Source
) -> None:
    upstream.route(f"/api/datasets/{HF_DATASET}", dataset_info("abc"), dataset_info("def"))
    first, _ = run_import(hf_source)

    second, _ = run_import(Source.objects.get(pk=hf_source.pk))

    assert first.status == Status.SUCCEEDED, first.reason
    # Same rows under a new revision: fetched and compared, and nothing new to publish.
    assert second.status == Status.UNCHANGED, second.reason
    assert second.payload is not None
    assert [seen.param("offset") for seen in upstream.seen("/rows")] == ["0", "100", "200"] * 2
    assert Source.objects.get(pk=hf_source.pk).last_revision == "def"


def test_hf_dataset_info_failure_is_a_failed_run_without_fetching_rows(
    upstream: FakeUpstream, hf_source: Source
) -> None:
    upstream.route(f"/api/datasets/{HF_DATASET}", Reply(503, body=b"maintenance"))

    run, _ = run_import(hf_source)

    assert run.status == Status.FAILED
    assert "HTTP 503" in run.reason
    assert upstream.seen("/rows") == []


def test_hf_source_without_a_config_fails_without_any_request(upstream: FakeUpstream) -> None:
    source = Source.objects.create(
        slug="hf-misconfigured", format="hf-dataset", url=upstream.base_url, options={}
    )

    run, _ = run_import(source)

    assert run.status == Status.FAILED
    assert "no dataset config" in run.reason
    assert upstream.requests == []


# --- the Celery entry point ---------------------------------------------------------------


def test_celery_task_imports_the_source_and_records_the_run(
    upstream: FakeUpstream, seeded_board: Published
) -> None:
    source = source_at(upstream.route("/leaderboard", Reply(500, body=b"down")))

    result = tasks.import_source.apply(args=[source.pk])

    assert result.successful()
    run = ImportRun.objects.get(source=source)
    assert (run.status, run.trigger) == (Status.FAILED, ImportRun.Trigger.SCHEDULE)
    assert len(upstream.seen("/leaderboard")) == 3
    assert published() == seeded_board
