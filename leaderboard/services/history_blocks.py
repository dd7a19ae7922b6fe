"""The history read model: each model's points on each board, packed (``HistoryBlock``).

A board's blocks are rebuilt together, in one transaction, from its current timeline, and
its ``HistoryBuild`` keeps that timeline's fingerprint; readers (``history.model_history``)
trust a board's blocks only while the fingerprint is the board's, and read the entries
otherwise. So a block is never wrong, only absent or stale: an import changes the board's
timeline (its fingerprint follows by itself), and the writes that change entries without
changing a timeline — a merge, an entry or snapshot edited in the admin — call ``forget``.

``refresh`` runs after every import and curation change (the page-warming task), and at the
end of the commands that load data; it rebuilds only boards whose timeline changed.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from .. import history
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

    The build row is locked first, so a concurrent ``forget`` (a merge) waits for this
    transaction or this one reads the entries it committed: never a block from the entries
    before a merge stamped as current after it."""
    HistoryBuild.objects.get_or_create(
        leaderboard_id=board_id, defaults={"built_at": timezone.now()}
    )
    with transaction.atomic():
        build = HistoryBuild.objects.select_for_update().get(pk=board_id)
        line = history.timelines([board_id]).get(board_id, [])
        fingerprint = history.fingerprint(sid for sid, _ in line)
        if build.fingerprint == fingerprint:
            return None
        stand = {sid: history.Place(board_id, day, None) for sid, day in line}
        rows = (
            Entry.objects.filter(snapshot__leaderboard_id=board_id)
            .filter(snapshot__superseded_at__isnull=True)
            .order_by()
            .values_list(*history.ENTRY_ROW)
            .iterator(chunk_size=10_000)
        )
        gathered = history.gather(rows, stand)
        HistoryBlock.objects.filter(build=build).delete()
        HistoryBlock.objects.bulk_create(
            (
                HistoryBlock(
                    build=build,
                    model_id=model_id,
                    points=history.pack_points(bucket.sorted_points()),
                    names=sorted(bucket.names),
                    price=bucket.price_fact(),
                )
                for (model_id, _), bucket in gathered.items()
            ),
            batch_size=BATCH,
        )
        build.fingerprint, build.length, build.built_at = fingerprint, len(line), timezone.now()
        build.save(update_fields=["fingerprint", "length", "built_at"])
    logger.info("history blocks of board %s: %d rebuilt", board_id, len(gathered))
    return len(gathered)


def forget() -> None:
    """Every board's blocks stale until rebuilt (readers fall back to the entries): for writes
    that move or edit entries without changing a timeline. Call inside their transaction."""
    HistoryBuild.objects.update(fingerprint="")
