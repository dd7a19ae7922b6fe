"""The import pipeline end to end on real upstream samples: gate, atomic write, idempotence,
curation that survives, and the records it leaves."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from leaderboard import cache_keys, exports, selectors
from leaderboard.boards import BoardKey
from leaderboard.models import (
    AIModel,
    Entry,
    ImportRun,
    License,
    ModelAlias,
    Organization,
    OrganizationAlias,
    Snapshot,
)
from leaderboard.services import claims, planning
from leaderboard.services import imports as imports_service
from leaderboard.services.importing import force_publish, import_payload
from leaderboard.services.imports import Outcome, payload_bytes
from leaderboard.services.planning import ImportRequest
from tests.paths import SEED, UPSTREAM

pytestmark = pytest.mark.django_db

DEC_20 = UPSTREAM / "markdown-cherry" / "lmarena_md_2025-12-20_rank-spread.md"
Status = ImportRun.Status


def run_import(data: bytes | Path, board: str = "text/overall", **overrides: object) -> Outcome:
    payload = data.read_bytes() if isinstance(data, Path) else data
    request = ImportRequest(
        data=payload,
        origin=str(data) if isinstance(data, Path) else "test",
        trigger=ImportRun.Trigger.COMMAND,
        hint=BoardKey.parse(board),
        **overrides,  # type: ignore[arg-type]
    )
    return import_payload(request)


def board_json(slug: str = "text/overall") -> str:
    board = selectors.board_by_slug(slug)
    assert board is not None and board.current_snapshot is not None
    snapshot = board.current_snapshot
    rows = exports.export_rows(selectors.board_rows(snapshot))
    return exports.to_json(board=board, snapshot=snapshot, rows=rows)


def seed_top(n: int) -> bytes:
    """The seed page cut to its first n table rows: a real payload with a sharp row drop."""
    lines = SEED.read_text().splitlines()
    first_row = next(i for i, line in enumerate(lines) if line.startswith("|      1 |"))
    return "\n".join(lines[: first_row + n]).encode()


def test_seed_import_publishes_266_rows_as_the_current_snapshot() -> None:
    outcome = run_import(SEED)

    assert outcome.status == Status.SUCCEEDED
    board = selectors.board_by_slug("text/overall")
    assert board is not None and board.current_snapshot is not None
    snapshot = board.current_snapshot
    assert (snapshot.published_on, snapshot.row_count) == (dt.date(2025, 11, 18), 266)
    top = Entry.objects.select_related("model__organization").get(snapshot=snapshot, rank=4)
    assert top.model.name == "claude-sonnet-4-5-20250929-thinking-32k"
    assert top.raw_model == "Anthropicclaude-sonnet-4-5-20250929-thinking-32k"
    assert top.model.organization is not None and top.model.organization.name == "Anthropic"
    first = Entry.objects.get(snapshot=snapshot, rank=1)
    assert (first.score, first.rating_lower, first.rating_upper) == (1483, 1472, 1494)
    assert (first.rank_upper, first.rank_lower, first.votes, first.preliminary) == (
        1,
        2,
        3298,
        True,
    )


def test_reimport_of_same_payload_changes_nothing() -> None:
    run_import(SEED)
    counts_before = [m.objects.count() for m in (Snapshot, Entry, AIModel, ModelAlias)]
    exported_before = board_json()

    outcome = run_import(SEED)

    assert outcome.status == Status.UNCHANGED
    assert [m.objects.count() for m in (Snapshot, Entry, AIModel, ModelAlias)] == counts_before
    assert board_json() == exported_before


def test_the_raw_payload_is_kept_exactly_with_its_sha256() -> None:
    outcome = run_import(SEED)

    assert outcome.run is not None and outcome.run.payload is not None
    assert payload_bytes(outcome.run.payload) == SEED.read_bytes()
    assert outcome.run.payload.size == SEED.stat().st_size


def test_an_unrecognised_payload_is_rejected_naming_what_was_tried() -> None:
    outcome = run_import(b"\x00\x01 definitely not a leaderboard")

    assert outcome.status == Status.REJECTED
    assert "unrecognised payload: tried" in outcome.reason
    assert "markdown" in outcome.reason and "hf-dataset" in outcome.reason
    assert Snapshot.objects.count() == 0
    assert outcome.run is not None and outcome.run.payload is not None  # kept for re-parsing


def test_a_sharp_row_drop_is_rejected_and_the_published_board_stays_byte_for_byte() -> None:
    run_import(SEED)
    before = board_json()

    outcome = run_import(seed_top(20), published_on=dt.date(2025, 11, 19))

    assert outcome.status == Status.REJECTED
    assert "row count fell sharply: 20 rows after 266" in outcome.reason
    assert board_json() == before
    assert Snapshot.objects.count() == 1


def test_the_row_drop_threshold_is_the_setting(settings: object) -> None:
    run_import(SEED)
    settings.ARENA_MAX_ROW_DROP = 0.2  # type: ignore[attr-defined]

    assert run_import(seed_top(200)).status == Status.REJECTED  # 25% fewer: too many
    settings.ARENA_MAX_ROW_DROP = 0.5  # type: ignore[attr-defined]
    assert run_import(seed_top(200)).status == Status.SUCCEEDED  # 25% fewer: fine


def test_a_published_import_refreshes_cached_pages_and_a_rejected_one_does_not(
    django_capture_on_commit_callbacks: Any,
) -> None:
    start = cache_keys.current()[0]
    with django_capture_on_commit_callbacks(execute=True):
        run_import(SEED)
    published = cache_keys.current()[0]
    with django_capture_on_commit_callbacks(execute=True):
        run_import(seed_top(20), published_on=dt.date(2025, 11, 19))  # rejected
        run_import(SEED)  # unchanged

    assert published == start + 1
    assert cache_keys.current()[0] == published


def test_staff_can_force_publish_a_rejected_run_with_a_reason() -> None:
    run_import(SEED)
    rejected = run_import(seed_top(20), published_on=dt.date(2025, 11, 19)).run
    assert rejected is not None
    curator = get_user_model().objects.create_user("curator", is_staff=True)

    with pytest.raises(ValueError, match="reason"):
        force_publish(run=rejected, user=curator, reason="  ")
    outcome = force_publish(run=rejected, user=curator, reason="upstream cut the board to 20")

    assert outcome.status == Status.SUCCEEDED
    assert outcome.run is not None
    assert outcome.run.forced_by == curator
    assert outcome.run.force_reason == "upstream cut the board to 20"
    board = selectors.board_by_slug("text/overall")
    assert board is not None and board.current_snapshot is not None
    assert board.current_snapshot.row_count == 20


def test_hard_problems_cannot_be_forced() -> None:
    text = SEED.read_text()
    # Two different rows for one model: no reason makes that publishable.
    broken = text.replace("| grok-4.1                 ", "| grok-4.1-thinking        ", 1)
    assert broken != text

    outcome = run_import(broken.encode(), force_reason="I insist")

    assert outcome.status == Status.REJECTED
    assert "duplicate models: 'grok-4.1-thinking'" in outcome.reason
    assert Snapshot.objects.count() == 0


def test_a_dry_run_writes_nothing() -> None:
    request = ImportRequest(
        data=SEED.read_bytes(), origin="seed", trigger=ImportRun.Trigger.COMMAND
    )

    outcome = import_payload(request, dry_run=True)

    assert outcome.status == Status.SUCCEEDED
    assert outcome.counts.rows_parsed == 266
    assert outcome.run is None
    assert (ImportRun.objects.count(), Snapshot.objects.count(), AIModel.objects.count()) == (
        0,
        0,
        0,
    )


def test_spellings_of_one_organisation_become_aliases_not_duplicates() -> None:
    run_import(SEED)  # the seed says both "DeepSeek AI" and "DeepSeek"

    deepseek = {alias.organization_id for alias in OrganizationAlias.objects.filter(
        raw__in=["DeepSeek", "DeepSeek AI"]
    )}  # fmt: skip
    assert len(deepseek) == 1
    assert Organization.objects.filter(name__istartswith="deepseek").count() == 1


def test_curated_names_survive_every_later_import() -> None:
    run_import(SEED)
    model = AIModel.objects.get(key="grok-4.1-thinking")
    model.name = "Grok 4.1 Thinking"
    model.save()
    org = Organization.objects.get(aliases__raw="DeepSeek AI")
    org.name = "DeepSeek (curated)"
    org.save()
    proprietary = License.objects.get(aliases__raw="Proprietary")
    proprietary.kind = License.Kind.PROPRIETARY
    proprietary.save()

    assert run_import(DEC_20).status == Status.SUCCEEDED
    assert run_import(SEED).status == Status.UNCHANGED  # nothing new: curation untouched too

    model.refresh_from_db()
    assert model.name == "Grok 4.1 Thinking"
    exported = board_json()
    assert "Grok 4.1 Thinking" in exported
    assert "DeepSeek (curated)" in exported
    assert '"DeepSeek AI"' not in exported
    assert License.objects.get(pk=proprietary.pk).kind == License.Kind.PROPRIETARY


def test_upstream_disagreeing_with_a_curated_organisation_is_flagged_not_applied() -> None:
    run_import(SEED)
    model = AIModel.objects.select_related("organization").get(key="grok-4.1-thinking")
    curated = Organization.objects.create(name="xAI Holdings")
    model.organization = curated
    model.upstream_organization = "X.AI Corp"  # what upstream said before: now it changes
    model.save()

    outcome = run_import(DEC_20)

    model.refresh_from_db()
    assert model.organization == curated
    assert model.needs_review
    assert model.upstream_organization == "xAI"
    disagreements = outcome.changes["disagreements"]
    assert isinstance(disagreements, list)
    assert any("grok-4.1-thinking" in line for line in disagreements)


def test_a_reviewed_disagreement_does_not_come_back_while_upstream_says_the_same() -> None:
    run_import(SEED)
    model = AIModel.objects.get(key="grok-4.1-thinking")
    model.organization = Organization.objects.create(name="xAI Holdings")
    model.save()  # staff decided; upstream still says "xAI", as it did when we imported

    run_import(DEC_20)

    model.refresh_from_db()
    assert not model.needs_review
    assert model.organization.name == "xAI Holdings"


def test_a_new_model_lands_in_the_review_queue_once_with_its_raw_strings_mapped() -> None:
    run_import(SEED)

    glued = ModelAlias.objects.get(raw="Anthropicclaude-opus-4-1-20250805")
    own = ModelAlias.objects.get(raw="claude-opus-4-1-20250805")
    assert glued.model == own.model
    assert own.needs_review and not glued.needs_review  # one decision: the new model
    assert own.model.name == "claude-opus-4-1-20250805"
    assert AIModel.objects.filter(name="claude-opus-4-1-20250805").count() == 1


def test_a_backfilled_older_snapshot_adds_history_without_moving_the_board_back() -> None:
    run_import(DEC_20)
    current = selectors.board_by_slug("text/overall").current_snapshot  # type: ignore[union-attr]

    run_import(SEED)

    board = selectors.board_by_slug("text/overall")
    assert board is not None
    assert board.current_snapshot == current
    assert board.snapshots.count() == 2
    as_of = selectors.snapshot_as_of(board, dt.date(2025, 11, 30))
    assert as_of is not None and as_of.published_on == dt.date(2025, 11, 18)


def test_upstream_revising_a_published_date_replaces_that_snapshot() -> None:
    run_import(SEED)
    revised = SEED.read_text().replace("| 3,298   |", "| 3,300   |", 1)

    outcome = run_import(revised.encode())

    assert outcome.status == Status.SUCCEEDED
    assert outcome.counts.snapshots_replaced == 1
    board = selectors.board_by_slug("text/overall")
    assert board is not None and board.current_snapshot is not None
    assert board.snapshots.count() == 1
    assert Entry.objects.get(snapshot=board.current_snapshot, rank=1).votes == 3300
    # The replaced version stays whole for readers still on it, out of the history.
    (old,) = Snapshot.all_objects.exclude(pk=board.current_snapshot.pk)
    assert old.superseded_at is not None and old.entries.count() == old.row_count == 266
    assert selectors.snapshot_as_of(board, dt.date(2025, 11, 18)) == board.current_snapshot


def test_a_replaced_snapshot_is_deleted_by_the_next_import_after_its_grace_period(
    settings: Any,
) -> None:
    run_import(SEED)
    run_import(SEED.read_text().replace("| 3,298   |", "| 3,300   |", 1).encode())
    run_import(DEC_20)  # within the grace period: kept
    assert Snapshot.all_objects.filter(superseded_at__isnull=False).count() == 1

    settings.ARENA_SUPERSEDED_GRACE_SECONDS = 0
    run_import(SEED.read_text().replace("| 3,298   |", "| 3,301   |", 1).encode())

    (replaced,) = Snapshot.all_objects.filter(superseded_at__isnull=False)  # only the newest
    assert Entry.objects.get(snapshot=replaced, rank=1).votes == 3300
    assert Entry.objects.filter(snapshot__superseded_at__isnull=False).count() == 266


def test_two_rows_mapped_to_one_curated_model_are_rejected_with_the_fix_to_make() -> None:
    run_import(SEED)
    grok = AIModel.objects.get(key="grok-4.1-thinking")
    ModelAlias.objects.filter(raw__iexact="grok-4.1").update(model=grok)
    before = board_json()

    outcome = run_import(DEC_20)

    assert outcome.status == Status.REJECTED
    assert "both map to the curated model 'grok-4.1-thinking'" in outcome.reason
    assert board_json() == before


def test_an_import_of_a_board_already_being_imported_is_skipped() -> None:
    token = claims.acquire(key="board:text/overall", ttl=dt.timedelta(minutes=5))

    outcome = run_import(SEED)

    assert outcome.status == Status.SKIPPED
    assert "another import of board:text/overall is running" in outcome.reason
    assert Snapshot.objects.count() == 0
    claims.release(key="board:text/overall", token=token)
    assert run_import(SEED).status == Status.SUCCEEDED


def test_an_expired_claim_is_taken_over() -> None:
    claims.acquire(key="board:text/overall", ttl=dt.timedelta(seconds=-1))

    assert run_import(SEED).status == Status.SUCCEEDED


def test_runs_left_running_past_their_lease_are_marked_abandoned(settings: object) -> None:
    stale = ImportRun.objects.create(trigger=ImportRun.Trigger.SCHEDULE)
    ImportRun.objects.filter(pk=stale.pk).update(started_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))

    run_import(SEED)

    stale.refresh_from_db()
    assert stale.status == Status.FAILED
    assert "abandoned" in stale.reason


def test_verbatim_repeated_upstream_rows_are_collapsed_with_a_warning() -> None:
    path = UPSTREAM / "csv-fboulnois" / "lmarena_text_csv_2025-08-04.csv"

    outcome = run_import(path, board="text/overall-no-style-control")

    assert outcome.status == Status.SUCCEEDED, outcome.reason
    assert any("1 verbatim repeated rows" in w for w in outcome.counts.warnings)
    assert Entry.objects.filter(model__name="Yi-34B-Chat").count() == 1


@pytest.mark.parametrize(
    ("sample", "board", "snapshots"),
    [
        ("markdown-cherry/lmarena_md_2026-03-11_price-context.md", "text/overall", 1),
        ("json-scraped-snapshot/acarter_snapshot_2026-02-19_163450.json.gz",
         "text/overall-no-style-control", 1),
        ("json-rsc-entries/arena_monitor_last_snapshot_2026-06-25.json",
         "text/overall-no-style-control", 1),
        ("hf-leaderboard-dataset/text_to_video_full_sample-rows_ukitako1030-EVAL.json",
         "text-to-video/overall", 5),
        ("json-arena-catalog/leaderboard-vision_json_2025-05-24.json", "vision/overall", 3),
        # 105 dates, but 2025-01-22 repeats 2025-01-21's ratings exactly: one snapshot for both.
        ("csv-history/jasontrigg0_alltime_2025-03-29.csv", "text/overall-no-style-control", 104),
        ("html-gradio/lmarena_gradio_page_source_2025-03-28.html", "text/overall", 4),
        ("csv-fboulnois/lmsys_csv_2025-07-18.csv", "text/overall-no-style-control", 1),
    ],
)  # fmt: skip
def test_real_samples_of_each_family_publish(sample: str, board: str, snapshots: int) -> None:
    outcome = run_import(UPSTREAM / sample, board=board, published_on=dt.date(2025, 8, 1))

    assert outcome.status == Status.SUCCEEDED, outcome.reason
    assert outcome.counts.snapshots_created == snapshots
    assert Snapshot.objects.count() == snapshots
    unchanged = outcome.counts.snapshots_unchanged
    assert Entry.objects.count() <= outcome.counts.rows_parsed
    assert (Entry.objects.count() == outcome.counts.rows_parsed) == (unchanged == 0)


CATALOG = UPSTREAM / "json-arena-catalog" / "leaderboard-vision_json_2025-05-24.json"


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


def test_names_too_long_for_the_database_are_rejected_not_crashed() -> None:
    rows = [(f"m-{i}", f"Model {i}", 1400.0 - i) for i in range(4)]
    outcome = run(history_csv({"2026-07-01": [*rows, ("long", "x" * 250, 1200.0)]}))

    assert outcome.status == Status.REJECTED
    assert "names longer than the database holds" in outcome.reason


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


# --- price and context ----------------------------------------------------------------------

PRICE_CONTEXT = UPSTREAM / "markdown-cherry" / "lmarena_md_2026-03-11_price-context.md"


def _hash_of(path: Path, board: str = "text/overall") -> str:
    request = ImportRequest(
        data=path.read_bytes(), origin=str(path), trigger="command", hint=BoardKey.parse(board)
    )
    _, result = planning.parse(request)
    return planning.content_hash(planning.plan(result, request)[0])


def test_price_and_context_are_stored_on_each_entry() -> None:
    outcome = run_import(PRICE_CONTEXT)

    assert outcome.status == Status.SUCCEEDED
    entry = Entry.objects.get(snapshot__leaderboard__arena="text", model__name="gpt-5.1-high")
    assert (entry.price_input, entry.price_output, entry.context_tokens) == (
        Decimal("1.25"),
        Decimal("10"),
        400_000,
    )
    unpriced = Entry.objects.get(model__name="grok-4.20-beta1")
    assert (unpriced.price_input, unpriced.price_output, unpriced.context_tokens) == (
        None,
        None,
        None,
    )
    assert Entry.objects.filter(price_input__isnull=False).count() == 238


def test_a_changed_price_is_a_changed_table() -> None:
    run_import(PRICE_CONTEXT)
    repriced = PRICE_CONTEXT.read_text().replace("| $1.25/$10    |", "| $1.10/$10    |", 1)

    outcome = run_import(repriced.encode())

    assert outcome.status == Status.SUCCEEDED
    assert outcome.counts.snapshots_replaced == 1
    assert run_import(repriced.encode()).status == Status.UNCHANGED


def test_payloads_without_price_or_context_hash_as_before_they_were_read() -> None:
    """Snapshots imported before price and context existed keep matching their payloads, so
    a re-import of such a file is still "unchanged", not a replacement. The digests are the
    ones the previous code computed for these real files."""
    assert _hash_of(SEED) == "0a58b18b334fbac3771883ac765afbdb772f2644b5456038c51fd5dc11e9be61"
    text_to_image = (
        UPSTREAM / "markdown-cherry" / "text-to-image_md_2026-08-21_arena-ai-multiboard.md"
    )
    assert _hash_of(text_to_image) == (
        "9ed8b0c9bbe0a233d8a3b429b814beaaaff678fbdc1541e4ee4ba368e09a796e"
    )
    # A payload that carries prices hashes them: its old snapshot (stored without them) is
    # replaced once by a re-import, which is how the prices reach the database.
    assert _hash_of(PRICE_CONTEXT) != (
        "84a30a0bd6fbfd5812e8f44031faad7d9fb989a97025fa1f93b16a3681bb839a"
    )
