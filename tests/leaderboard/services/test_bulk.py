"""The bulk write of entries (``services.bulk``): COPY on PostgreSQL, batched executemany on
SQLite, the same rows as Django's ORM writes, and nothing left when it fails mid-write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from leaderboard.boards import BoardKey
from leaderboard.models import (
    AIModel,
    Entry,
    ImportClaim,
    ImportRun,
    Leaderboard,
    ModelAlias,
    Snapshot,
)
from leaderboard.ranking import assign_ranks
from leaderboard.services import bulk, planning
from leaderboard.services import imports as imports_service
from leaderboard.services.importing import import_payload
from leaderboard.services.planning import ImportRequest
from tests.paths import SEED, UPSTREAM

pytestmark = pytest.mark.django_db

HISTORY = UPSTREAM / "csv-history" / "jasontrigg0_alltime_2025-03-29.csv"
"""104 dated snapshots, 13,434 rows: more than two executemany batches."""
DEC_20 = UPSTREAM / "markdown-cherry" / "lmarena_md_2025-12-20_rank-spread.md"
"""Rank spreads, bounds, votes, preliminary flags and glued raw names."""
FIELDS = [f.attname for f in Entry._meta.concrete_fields if not f.primary_key]
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="COPY is PostgreSQL's (CI runs it there)"
)
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite path")


def request(path: Path, board: str) -> ImportRequest:
    return ImportRequest(
        data=path.read_bytes(),
        origin=str(path),
        trigger=ImportRun.Trigger.COMMAND,
        hint=BoardKey.parse(board),
    )


def orm_entries(path: Path, board: str) -> list[dict[str, Any]]:
    """What the import wrote before the bulk path, rebuilt with the ORM: each parsed snapshot
    ranked, its rows mapped to their models by alias, ``Entry`` objects saved with
    ``bulk_create`` onto a copy of the snapshot; returned field by field, in import order."""
    _, result = planning.parse(request(path, board))
    aliases = {alias.raw.casefold(): alias.model_id for alias in ModelAlias.objects.all()}
    parked = Leaderboard.objects.create(arena="orm", category="reference")
    originals = {(s.published_on, s.content_hash): s for s in Snapshot.objects.all()}
    copies = []
    seen: set[str] = set()
    for plan in planning.plan(result, request(path, board)):
        if (digest := planning.content_hash(plan)) in seen:
            continue  # a date repeating an earlier date's rows exactly: "unchanged"
        seen.add(digest)
        original = originals[(plan.published_on, digest)]
        copy = Snapshot.objects.create(
            leaderboard=parked,
            published_on=original.published_on,
            source=original.source,
            rank_kind=original.rank_kind,
            content_hash=original.content_hash,
            row_count=original.row_count,
        )
        copies.append((original, copy))
        Entry.objects.bulk_create(
            Entry(
                snapshot=copy,
                model_id=aliases[(item.row.model_key or item.row.model).strip().casefold()],
                rank=item.rank,
                upstream_rank=item.row.rank,
                rank_upper=item.rank_upper,
                rank_lower=item.rank_lower,
                score=item.row.score,
                rating_lower=item.row.rating_lower,
                rating_upper=item.row.rating_upper,
                votes=item.row.votes,
                preliminary=item.row.preliminary,
                raw_model=(item.row.raw_model or item.row.model)[:300],
                raw_organization=item.row.organization[:200],
                raw_license=item.row.license[:200],
            )
            for item in assign_ranks(plan.data.rows, rank_kind=plan.data.rank_kind)
        )
    return [
        row | {"snapshot_id": original.pk}
        for original, copy in copies
        for row in Entry.objects.filter(snapshot=copy).order_by("rank").values(*FIELDS)
    ]


@pytest.mark.parametrize(
    ("path", "board"),
    [(HISTORY, "text/overall-no-style-control"), (DEC_20, "text/overall"), (SEED, "text/overall")],
)
def test_the_bulk_path_writes_exactly_the_rows_the_orm_wrote(path: Path, board: str) -> None:
    outcome = import_payload(request(path, board))
    assert outcome.status == ImportRun.Status.SUCCEEDED, outcome.reason

    written = [
        row
        for snapshot in Snapshot.objects.order_by("published_on")
        for row in Entry.objects.filter(snapshot=snapshot).order_by("rank").values(*FIELDS)
    ]
    rows_published = sum(Snapshot.objects.values_list("row_count", flat=True))
    expected = orm_entries(path, board)

    assert len(written) == rows_published
    assert len(written) == len(expected) > 0
    for got, want in zip(written, expected, strict=True):
        # Field by field and type by type (a 1 is not a True, an int score not a float).
        assert [(got[f], type(got[f])) for f in FIELDS] == [
            (want[f], type(want[f])) for f in FIELDS
        ]


@on_postgresql
def test_postgresql_writes_entries_with_copy_not_inserts() -> None:
    with CaptureQueriesContext(connection) as queries:
        outcome = import_payload(request(HISTORY, "text/overall-no-style-control"))

    assert outcome.counts.snapshots_created == Snapshot.objects.count() > 100
    assert Entry.objects.count() == sum(Snapshot.objects.values_list("row_count", flat=True))
    # COPY is not a query Django logs; an INSERT of entries would be.
    assert not [q for q in queries if 'INTO "leaderboard_entry"' in q["sql"]]


@on_sqlite
def test_sqlite_writes_entries_in_batches_of_executemany() -> None:
    with CaptureQueriesContext(connection) as queries:
        outcome = import_payload(request(HISTORY, "text/overall-no-style-control"))

    inserts = [q for q in queries if 'INTO "leaderboard_entry"' in q["sql"]]
    written = Entry.objects.count()
    assert outcome.counts.snapshots_created == Snapshot.objects.count() > 100
    assert written == sum(Snapshot.objects.values_list("row_count", flat=True)) > 10_000
    assert len(inserts) == -(-written // bulk.BATCH_SIZE)  # three, not one per row or snapshot


def test_the_database_still_checks_every_row() -> None:
    model = AIModel.objects.create(key="m", name="M")
    board = Leaderboard.objects.create(arena="text", category="overall")
    snapshot = Snapshot.objects.create(
        leaderboard=board, published_on="2026-01-01", source="t", rank_kind="position",
        content_hash="h", row_count=2,
    )  # fmt: skip
    row = (snapshot.pk, model.pk, 1, None, 1, 1, 1400.0, None, None, None, None, "M", "", "",
           None, None, None)  # fmt: skip

    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert_entries([row, row])  # one model twice in a snapshot

    assert not Entry.objects.exists()


@pytest.mark.faults
@pytest.mark.parametrize("failing_row", [0, 6_000, 13_000])
def test_a_write_failing_mid_copy_leaves_nothing_and_the_board_as_it_was(
    failing_row: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database refuses one row deep in the bulk write (after whole executemany batches,
    or COPY rows, went through): the payload's snapshots, entries, new models and aliases all
    roll back, the run is recorded failed and its lease released."""
    assert import_payload(request(SEED, "text/overall-no-style-control")).ok
    before = {
        "entries": Entry.objects.count(),
        "snapshots": list(Snapshot.all_objects.values_list("pk", flat=True)),
        "models": AIModel.objects.count(),
        "aliases": ModelAlias.objects.count(),
        "current": Leaderboard.objects.get().current_snapshot_id,
    }
    original = imports_service._entry_row
    rows_built = 0

    def one_bad_row(*args: Any) -> tuple[object, ...]:
        nonlocal rows_built
        row = original(*args)
        rows_built += 1
        if rows_built - 1 == failing_row:
            row = (*row[:2], 0, *row[3:])  # rank 0: the entry_rank_positive check refuses it
        return row

    monkeypatch.setattr(imports_service, "_entry_row", one_bad_row)

    with pytest.raises(IntegrityError):
        import_payload(request(HISTORY, "text/overall-no-style-control"))

    assert rows_built > failing_row
    assert Entry.objects.count() == before["entries"]
    assert list(Snapshot.all_objects.values_list("pk", flat=True)) == before["snapshots"]
    assert AIModel.objects.count() == before["models"]
    assert ModelAlias.objects.count() == before["aliases"]
    assert Leaderboard.objects.get().current_snapshot_id == before["current"]
    failed = ImportRun.objects.latest("pk")
    assert failed.status == ImportRun.Status.FAILED
    assert not ImportClaim.objects.exists()
    print(
        f"\nrow {failing_row:,} of 13,144 refused by {connection.vendor} mid-write: "
        f"0 of its entries and 0 of its 104 snapshots kept"
    )
