"""The history read model (leaderboard/services/history_blocks.py and its reader in
history.model_history): blocks give the model page exactly what the entries give, and a
board whose blocks no longer match its timeline is read from the entries until rebuilt."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.forms.models import model_to_dict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leaderboard import cache_keys, charts, history, packing, tasks
from leaderboard.api import endpoints
from leaderboard.api import schemas as out
from leaderboard.api.responses import dumps
from leaderboard.models import AIModel, Entry, HistoryBlock, HistoryBuild, Leaderboard, Snapshot
from leaderboard.services import history_blocks
from leaderboard.services.curation import merge_models
from tests.leaderboard import factories
from tests.leaderboard.test_history import START, build_history

pytestmark = pytest.mark.django_db
ENTRIES = Entry._meta.db_table


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


def add_snapshot(
    board: Leaderboard, models: list[AIModel], on: dt.date, source: str = "test", **extra: object
) -> Snapshot:
    """One snapshot of ``models`` in this order, made current (an import's outcome)."""
    snap = factories.snapshot(board, published_on=on, row_count=len(models), source=source)
    for rank, model in enumerate(models, start=1):
        factories.entry(snap, model, rank=rank, rank_upper=rank, rank_lower=rank + 1,
                        score=1500.0 - rank, rating_lower=1490.0 - rank,
                        rating_upper=1510.0 - rank, **extra)  # fmt: skip
    board.current_snapshot = snap
    board.save(update_fields=["current_snapshot"])
    return snap


def supersede(board: Leaderboard, on: dt.date) -> None:
    """A newer version of that date arrived: the old snapshot leaves the timeline."""
    Snapshot.objects.filter(leaderboard=board, published_on=on).update(superseded_at=timezone.now())


@pytest.fixture
def models() -> list[AIModel]:
    return [factories.ai_model(key=f"m{n}", name=f"Model {n}") for n in range(5)]


@pytest.fixture
def boards(models: list[AIModel]) -> list[Leaderboard]:
    """Two boards with what the read model must keep: a superseded snapshot, a date published
    twice (the later import stands), prices on some entries, another raw name on one."""
    text = factories.board()
    build_history(text, models, 6)
    supersede(text, day(1))
    add_snapshot(text, models[::-1], day(5), "other")  # day 5 again, imported later: stands
    vision = factories.board(arena="vision")
    add_snapshot(vision, models[:3], day(0), price_input=Decimal("1.2500"), context_tokens=8192)
    add_snapshot(vision, models[:2], day(3), price_output=Decimal("10"))
    Entry.objects.filter(snapshot__leaderboard=vision, model=models[0]).update(raw_model="m-zero")
    AIModel.objects.filter(pk=models[1].pk).update(preliminary_override=False)
    return [text, vision]


def read(key: str) -> tuple[history.ModelHistory | None, list[str]]:
    history.places.forget()  # as a fresh process: nothing held from an earlier read
    with CaptureQueriesContext(connection) as captured:
        found = history.model_history(key, charts=True)
    return found, [q["sql"] for q in captured.captured_queries]


def chart_data(found: history.ModelHistory | None) -> list[str]:
    """The model page's chart JSON of each board, as ``charts.board_data`` writes it."""
    assert found is not None
    return [charts.board_data(line, label=found.model.name) for line in found.boards]


def read_entries(sql: list[str]) -> bool:
    return any(ENTRIES in statement for statement in sql)


def test_blocks_give_every_model_the_history_its_entries_give(
    models: list[AIModel], boards: list[Leaderboard]
) -> None:
    from_entries = {m.key: read(m.key) for m in models}
    assert all(read_entries(sql) for _, sql in from_entries.values())

    assert history_blocks.refresh() == {boards[0].pk: 5, boards[1].pk: 3}

    for model in models:
        found, sql = read(model.key)
        assert found == from_entries[model.key][0], model.key
        assert not read_entries(sql), model.key
        assert chart_data(found) == chart_data(from_entries[model.key][0]), model.key
        assert found is not None and all(b.charted[0] for b in found.boards)  # stored text
        lean = history.model_history(model.key)  # the API's read: no chart text
        assert lean is not None and lean == found
        assert all(b.charted == ("", 0) for b in lean.boards)
    found, _ = read("m0")
    assert found is not None
    # What the equality covers, spelled out once: prices exact, names, the override.
    assert [(f.price_input, f.price_output, f.context_tokens) for f in found.prices] == [
        (None, Decimal("10.0000"), None)
    ]
    assert "m-zero" in found.raw_names and "Model 0 (raw)" in found.raw_names
    text = next(b for b in found.boards if b.board == boards[0])
    assert [p.published_on for p in text.points] == [day(n) for n in (0, 2, 3, 4, 5)]
    assert text.points[-1].rank == 5  # day 5's later import
    one, _ = read("m1")
    assert one is not None and {p.preliminary for b in one.boards for p in b.points} == {False}


def test_a_board_changed_since_its_build_is_read_from_its_entries_until_rebuilt(
    models: list[AIModel], boards: list[Leaderboard]
) -> None:
    history_blocks.refresh()
    text, vision = boards
    add_snapshot(text, models[1:], day(6))  # m0 left the board, the others moved
    cache_keys.bump()

    found, sql = read("m1")
    assert found is not None
    text_points = next(b for b in found.boards if b.board == text).points
    assert text_points[-1].published_on == day(6) and text_points[-1].rank == 1
    # Only the changed board's snapshots are read from the entries.
    (statement,) = [s for s in sql if ENTRIES in s]
    assert str(Snapshot.objects.get(leaderboard=text, published_on=day(6)).pk) in statement
    assert str(vision.current_snapshot_id) not in statement

    assert history_blocks.refresh() == {text.pk: 5}
    rebuilt, sql = read("m1")
    assert rebuilt == found and not read_entries(sql)
    assert history_blocks.refresh() == {}


def truth(key: str) -> history.ModelHistory | None:
    """The history from the entries alone (every build blanked for the read, then put back)."""
    saved = list(HistoryBuild.objects.values_list("pk", "fingerprint"))
    HistoryBuild.objects.update(fingerprint="")
    found, sql = read(key)
    assert read_entries(sql)
    for pk, fingerprint in saved:
        HistoryBuild.objects.filter(pk=pk).update(fingerprint=fingerprint)
    return found


@pytest.mark.parametrize("in_list_limit", [history.IN_LIST_LIMIT, 1])
def test_snapshots_appended_since_the_build_come_from_the_entries_with_their_prices(
    models: list[AIModel],
    boards: list[Leaderboard],
    in_list_limit: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An import appended two snapshots to the vision board (a newer price on one): the
    blocks still cover the rest. With a limit of one id the model's entries are read whole
    and the blocks' part is not taken twice."""
    monkeypatch.setattr(history, "IN_LIST_LIMIT", in_list_limit)
    history_blocks.refresh()
    vision = boards[1]
    add_snapshot(vision, models[:2], day(4), price_input=Decimal("2.5"))
    add_snapshot(vision, models[1:3], day(5))
    cache_keys.bump()

    for model in models[:3]:
        found, _ = read(model.key)
        assert found == truth(model.key), model.key
        # The blocks' chart text for the points they cover, the newer ones encoded after it.
        assert chart_data(found) == chart_data(truth(model.key)), model.key
    found, sql = read("m0")
    assert found is not None
    assert [(f.published_on, f.price_input) for f in found.prices] == [(day(4), Decimal("2.5"))]
    assert [p.published_on for p in found.boards[-1].points] == [day(0), day(3), day(4)]
    (statement,) = [s for s in sql if ENTRIES in s]
    assert (" IN (" in statement) is (in_list_limit > 1)


def test_a_snapshot_replaced_inside_the_timeline_makes_its_board_read_whole(
    models: list[AIModel], boards: list[Leaderboard]
) -> None:
    history_blocks.refresh()
    text = boards[0]
    supersede(text, day(2))
    # Longer than the built timeline, so only the fingerprint of its start tells it changed.
    add_snapshot(text, models, day(6))
    add_snapshot(text, models, day(7))
    cache_keys.bump()

    found, sql = read("m2")

    assert found == truth("m2")
    text_points = next(b for b in found.boards if b.board == text).points  # type: ignore[union-attr]
    assert day(2) not in [p.published_on for p in text_points]
    (statement,) = [s for s in sql if ENTRIES in s]
    assert str(text.current_snapshot_id) in statement
    assert str(boards[1].current_snapshot_id) not in statement


def test_a_model_leaves_the_blocks_of_a_board_it_is_no_longer_on(
    models: list[AIModel], boards: list[Leaderboard]
) -> None:
    history_blocks.refresh()
    vision = boards[1]
    supersede(vision, day(0))
    cache_keys.bump()

    history_blocks.refresh()

    assert set(
        HistoryBlock.objects.filter(build_id=vision.pk).values_list("model__key", flat=True)
    ) == {"m0", "m1"}
    found, sql = read("m2")
    assert found is not None and [b.board for b in found.boards] == [boards[0]]
    assert not read_entries(sql)


def test_a_merge_moves_points_between_models_at_once(
    models: list[AIModel], boards: list[Leaderboard]
) -> None:
    vision = boards[1]
    renamed = factories.ai_model(key="renamed", name="Renamed")
    add_snapshot(vision, [renamed, models[1]], day(4))
    # m2 was on the vision board until day 3; upstream calls it "renamed" from day 4.
    history_blocks.refresh()

    merge_models(source=models[2], target=renamed, user=User.objects.create(username="c"))

    # Only the boards the source was on: both here (m2 is on the text board too).
    assert set(HistoryBuild.objects.values_list("fingerprint", flat=True)) == {""}
    found, sql = read("renamed")
    assert found is not None and read_entries(sql)  # the merge left the blocks stale
    days = [p.published_on for b in found.boards if b.board == vision for p in b.points]
    assert days == [day(0), day(4)]
    history_blocks.refresh()
    rebuilt, sql = read("renamed")
    assert rebuilt == found and not read_entries(sql)


def test_an_entry_edited_in_the_admin_is_shown_at_once(
    admin_client: Client, models: list[AIModel], boards: list[Leaderboard]
) -> None:
    history_blocks.refresh()
    entry = Entry.objects.get(snapshot=boards[1].current_snapshot, model=models[0])
    form = {k: ("" if v is None else v) for k, v in model_to_dict(entry).items()}

    response = admin_client.post(
        f"/admin/leaderboard/entry/{entry.pk}/change/", form | {"votes": "4321"}
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    found, sql = read("m0")
    assert found is not None and read_entries(sql)
    vision = next(b for b in found.boards if b.board == boards[1])
    assert vision.points[-1].votes == 4321


def test_an_unreadable_block_is_logged_and_read_from_the_entries(
    models: list[AIModel], boards: list[Leaderboard], caplog: pytest.LogCaptureFixture
) -> None:
    from_entries, _ = read("m3")
    history_blocks.refresh()
    HistoryBlock.objects.filter(model=models[3], build_id=boards[0].pk).update(points=b"\x07")

    found, sql = read("m3")

    assert found == from_entries and read_entries(sql)
    assert "history block of model" in caplog.text


def test_refresh_reads_nothing_more_when_no_timeline_changed(
    boards: list[Leaderboard],
) -> None:
    history_blocks.refresh()

    with CaptureQueriesContext(connection) as captured:
        assert history_blocks.refresh() == {}
    assert len(captured) == 3  # the boards, their timelines, the builds


def test_the_hourly_task_builds_what_is_missing(boards: list[Leaderboard]) -> None:
    """After a deploy the blocks are empty; beat's hourly task builds them without an import."""
    tasks.refresh_history_blocks()

    assert set(HistoryBuild.objects.values_list("pk", flat=True)) == {b.pk for b in boards}
    assert settings.CELERY_BEAT_SCHEDULE["hourly-refresh-history-blocks"]["task"] == (
        "leaderboard.tasks.refresh_history_blocks"
    )


def test_the_task_a_change_queues_rebuilds_the_boards_it_moved(
    models: list[AIModel], boards: list[Leaderboard]
) -> None:
    history_blocks.refresh()
    add_snapshot(boards[1], models, day(5))
    cache_keys.bump()

    tasks.refresh_history_blocks()

    build = HistoryBuild.objects.get(pk=boards[1].pk)
    line = history.timelines([boards[1].pk])[boards[1].pk]
    assert build.fingerprint == history.fingerprint(sid for sid, _ in line)
    assert HistoryBlock.objects.filter(build=build).count() == 5


def test_a_merge_leaves_the_blocks_of_boards_the_source_was_not_on(
    models: list[AIModel], boards: list[Leaderboard]
) -> None:
    vision = factories.board(arena="vision", category="coding")
    newcomer, other = factories.ai_model(key="new"), factories.ai_model(key="other")
    add_snapshot(vision, [newcomer, other], day(2))
    history_blocks.refresh()
    kept = dict(HistoryBuild.objects.values_list("pk", "fingerprint"))

    merge_models(source=newcomer, target=models[0], user=User.objects.create(username="c"))

    after = dict(HistoryBuild.objects.values_list("pk", "fingerprint"))
    assert after == kept | {vision.pk: ""}
    found, _ = read("m0")
    assert found == truth("m0")


@pytest.mark.parametrize(
    "change",
    ["a back-filled date inside the timeline", "the newest date again, from another source",
     "every snapshot of a board superseded"],
)  # fmt: skip
def test_timelines_changed_in_place_are_read_from_the_entries(
    models: list[AIModel], boards: list[Leaderboard], change: str
) -> None:
    history_blocks.refresh()
    text, vision = boards
    if change.startswith("a back-filled"):
        add_snapshot(text, models[::-1], day(1), "backfill")  # day 1's first one is superseded
        add_snapshot(text, models, day(9))  # longer than the built timeline, too
    elif change.startswith("the newest"):
        add_snapshot(text, models[1:], day(5), "third")  # same length, another last snapshot
    else:
        Snapshot.objects.filter(leaderboard=vision).update(superseded_at=timezone.now())
    cache_keys.bump()

    for model in models:
        assert read(model.key)[0] == truth(model.key), model.key
    history_blocks.refresh()
    for model in models:
        found, sql = read(model.key)
        assert found == truth(model.key) and not read_entries(sql), model.key


def test_a_block_damaged_past_its_header_is_read_from_the_entries(
    models: list[AIModel], boards: list[Leaderboard], caplog: pytest.LogCaptureFixture
) -> None:
    history_blocks.refresh()
    block = HistoryBlock.objects.get(model=models[3], build_id=boards[0].pk)
    HistoryBlock.objects.filter(pk=block.pk).update(points=bytes(block.points)[:-3])

    found, sql = read("m3")

    assert found == truth("m3") and read_entries(sql)
    assert "cut short" in caplog.text or "left after" in caplog.text


def test_a_block_naming_no_date_is_read_from_the_entries(
    models: list[AIModel], boards: list[Leaderboard], caplog: pytest.LogCaptureFixture
) -> None:
    """Well-formed bytes whose dates are no date (ordinal 0): logged, not a 500."""
    history_blocks.refresh()
    block = HistoryBlock.objects.get(model=models[3], build_id=boards[0].pk)
    columns = packing.unpack(bytes(block.points), history.PACKED_KINDS)
    columns[1] = [0] * len(columns[1])
    HistoryBlock.objects.filter(pk=block.pk).update(
        points=packing.pack(columns, history.PACKED_KINDS)
    )

    found, sql = read("m3")

    assert found == truth("m3") and read_entries(sql)
    assert "no date has the ordinal 0" in caplog.text


@pytest.mark.parametrize("built", [False, True])
def test_the_model_api_gives_the_bytes_its_schema_gives(
    client: Client, models: list[AIModel], boards: list[Leaderboard], built: bool
) -> None:
    """The API writes a history from the series' columns (``endpoints._history``): byte for
    byte what validating every point through the schema gave, from blocks or entries."""
    if built:
        history_blocks.refresh()
    AIModel.objects.filter(pk=models[2].pk).update(preliminary_override=True)
    for model in models:
        found, _ = read(model.key)
        assert found is not None
        org = (
            history.organization_slug(found.model.organization)
            if found.model.organization
            else None
        )
        summary = endpoints._model_summary(
            found.model, org_slug=org, raw_names=found.raw_names,
            open_weights=endpoints._effective_open_weights(found.model),
        )  # fmt: skip
        expected = out.ModelDetail(
            **summary,
            release_date=found.model.release_date,
            parameters_billions=None,
            first_seen=found.first_seen,
            last_seen=found.last_seen,
            boards=[
                out.ModelBoardHistory(
                    board=endpoints._board_ref(line.board),
                    current=endpoints._standing(line.standing) if line.standing else None,
                    history=[endpoints._point(point) for point in line.points],
                )
                for line in found.boards
            ],
        )
        cache.clear()
        assert client.get(f"/api/v1/models/{model.key}").content == dumps(expected), model.key


def test_snapshot_edits_and_deletions_in_the_admin_leave_the_blocks_stale(
    admin_client: Client, models: list[AIModel], boards: list[Leaderboard]
) -> None:
    history_blocks.refresh()
    snapshot = Snapshot.objects.get(leaderboard=boards[1], published_on=day(3))
    form = {k: ("" if v is None else v) for k, v in model_to_dict(snapshot).items()}
    form["upstream_updated_at"] = ""
    response = admin_client.post(f"/admin/leaderboard/snapshot/{snapshot.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert set(HistoryBuild.objects.values_list("fingerprint", flat=True)) == {""}

    history_blocks.refresh()
    doomed = Entry.objects.get(snapshot=boards[1].current_snapshot, model=models[1])
    response = admin_client.post(
        "/admin/leaderboard/entry/",
        {"action": "delete_selected", "_selected_action": [doomed.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Entry.objects.filter(pk=doomed.pk).exists()
    found, sql = read("m1")
    assert found is not None and read_entries(sql) and found == truth("m1")
    vision = next(b for b in found.boards if b.board == boards[1])
    assert day(3) not in [p.published_on for p in vision.points]  # the entry deleted


@pytest.mark.django_db(transaction=True)
def test_a_merge_during_a_rebuild_waits_for_it_and_leaves_the_board_stale(
    models: list[AIModel], boards: list[Leaderboard], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rebuild has read the entries when a merge moves some: the merge waits for the
    board's lock, then blanks the build, so the blocks read before it are never trusted."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: SQLite serialises every write transaction anyway")
    text = boards[0]
    history_blocks.refresh()
    history_blocks.forget([text.pk])  # the rebuild below has work to do
    read_the_entries, go_on = threading.Event(), threading.Event()
    gather = history.gather

    def slow_gather(*args: object) -> object:
        found = gather(*args)  # type: ignore[arg-type]
        read_the_entries.set()
        go_on.wait(10)
        return found

    monkeypatch.setattr(history, "gather", slow_gather)
    curator = User.objects.create(username="c")
    renamed = factories.ai_model(key="renamed", name="Renamed")

    def in_thread(work: Callable[[], object]) -> threading.Thread:
        def run() -> None:
            try:
                work()
            finally:
                connection.close()

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    rebuilding = in_thread(lambda: history_blocks.rebuild(text.pk))
    assert read_the_entries.wait(10)
    merging = in_thread(lambda: merge_models(source=models[2], target=renamed, user=curator))
    merging.join(timeout=1)
    assert merging.is_alive()  # waiting for the board the rebuild holds
    go_on.set()
    rebuilding.join(10)
    merging.join(10)

    assert HistoryBuild.objects.get(pk=text.pk).fingerprint == ""
    monkeypatch.setattr(history, "gather", gather)
    assert read("renamed")[0] == truth("renamed")
