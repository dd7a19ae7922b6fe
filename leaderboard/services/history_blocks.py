"""The history read model: each model's points on each board, packed (``HistoryBlock``).

A board's blocks are rebuilt together, in one transaction, from its current timeline, and
its ``HistoryBuild`` keeps that timeline's fingerprint; readers (``history.model_history``)
trust a board's blocks only while the fingerprint is the board's, and read the entries
otherwise. So a block is never wrong, only absent or stale: an import changes the board's
timeline (its fingerprint follows by itself), and the writes that change entries without
changing a timeline — a merge, an entry or snapshot edited in the admin — call ``forget``.

``refresh`` runs after every import and curation change (``cache_keys.bump`` queues it),
hourly, and at the end of the commands that load data; it rebuilds only boards whose
timeline changed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .. import charts, history
from ..models import Entry, HistoryBlock, HistoryBuild, Leaderboard

logger = logging.getLogger(__name__)

BATCH = 500


def refresh(board_ids: list[int] | None = None) -> dict[int, int]:
    """Rebuild the blocks of every board (or of these) whose timeline changed since they were
    built; returns ``{board id: blocks written}`` for the boards rebuilt. Idempotent."""
    boards = Leaderboard.objects.order_by("pk")
    if board_ids is not None:
        boards = boards.filter(pk__in=board_ids)
    ids = list(boards.values_list("pk", flat=True))
    # Two queries say which boards changed; only those are locked and read.
    lines = history.timelines(ids)
    builds = dict(HistoryBuild.objects.values_list("leaderboard_id", "fingerprint"))
    written: dict[int, int] = {}
    for board_id in ids:
        line = lines.get(board_id, [])
        if not line and board_id not in builds:
            continue  # nothing to build from, nothing built
        if builds.get(board_id) == history.fingerprint(sid for sid, _ in line):
            continue
        count = rebuild(board_id)
        if count is not None:
            written[board_id] = count
    return written


def rebuild(board_id: int) -> int | None:
    """One board's blocks from its current timeline; ``None`` when they already are.

    The board's row is locked first, as ``forget`` locks it: a concurrent merge waits for
    this transaction, or this one reads the entries it committed — never blocks read before a
    merge stamped as current after it (the build row itself may not exist yet to lock)."""
    with transaction.atomic():
        if not _lock([board_id]):
            return None  # the board was deleted
        build, _ = HistoryBuild.objects.get_or_create(
            leaderboard_id=board_id, defaults={"built_at": timezone.now()}
        )
        line = history.timelines([board_id]).get(board_id, [])
        fingerprint = history.fingerprint(sid for sid, _ in line)
        if build.fingerprint == fingerprint:
            return None
        stand = {sid: history.Place(board_id, day, None) for sid, day in line}
        # Superseded snapshots' entries too: ``gather`` keeps the timeline's (a filter on
        # superseded_at here would drop a date an import replaced after the timeline was read).
        rows = (
            Entry.objects.filter(snapshot__leaderboard_id=board_id)
            .order_by()
            .values_list(*history.ENTRY_ROW)
            .iterator(chunk_size=10_000)
        )
        gathered = history.gather(rows, stand)
        HistoryBlock.objects.filter(build=build).delete()
        HistoryBlock.objects.bulk_create(
            (_block(build, model_id, bucket) for (model_id, _), bucket in gathered.items()),
            batch_size=BATCH,
        )
        build.fingerprint, build.length, build.built_at = fingerprint, len(line), timezone.now()
        build.save(update_fields=["fingerprint", "length", "built_at"])
    logger.info("history blocks of board %s: %d rebuilt", board_id, len(gathered))
    return len(gathered)


def _block(build: HistoryBuild, model_id: int, bucket: history.Gathered) -> HistoryBlock:
    points = bucket.sorted_points()
    return HistoryBlock(
        build=build,
        model_id=model_id,
        points=history.pack_points(points),
        names=sorted(bucket.names),
        price=bucket.price_fact(),
        charts=charts.ChartText.of(history.Series.of(points)).stored(),
    )


def forget(board_ids: Iterable[int] | None = None) -> None:
    """These boards' blocks (or every board's) stale until rebuilt: readers take those boards
    from the entries. For writes that move or edit entries without changing a timeline; call
    inside their transaction. Locks the boards' rows, as ``rebuild`` does."""
    with transaction.atomic():  # the caller's, or its own when called alone
        ids = _lock(board_ids)
        HistoryBuild.objects.filter(pk__in=ids).update(fingerprint="")


def _lock(board_ids: Iterable[int] | None) -> list[int]:
    """Lock these boards' rows (or every board's) for the transaction; the ids found."""
    boards = Leaderboard.objects.select_for_update().order_by("pk")  # one order: no deadlock
    if board_ids is not None:
        boards = boards.filter(pk__in=list(board_ids))
    return list(boards.values_list("pk", flat=True))
