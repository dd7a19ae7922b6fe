"""The gate every parsed snapshot passes before anything is written. Pure: no database.

Problems come in two kinds. *Hard* ones make the data unstorable or meaningless (duplicate
models, a bound on the wrong side of the score): nothing can publish them. *Soft* ones are
suspicious (a sharp drop in rows, ranks that disagree with scores): staff can force-publish
past them with a written reason.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import pairwise
from operator import itemgetter

from .sources.base import RowData, SnapshotData

MIN_ROWS = 3
ELO_RANGE = (100.0, 3000.0)
MAX_CI_WIDTH = 1000.0
RANK_SCORE_TOLERANCE = 1.0
"""Points of score two rows may be out of order by (upstream rounds before it ranks)."""
MAX_LISTED = 5
MAX_NAME = 200  # AIModel.key / name
MAX_RAW = 300  # aliases and Entry.raw_model
MAX_ENTITY_NAME = 120  # Organization.name / License.name


@dataclass(slots=True)
class Verdict:
    hard: list[str] = field(default_factory=list)
    soft: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.hard and not self.soft

    def publishable(self, *, force: bool) -> bool:
        return not self.hard and (force or not self.soft)

    def reasons(self) -> list[str]:
        return self.hard + self.soft


def model_identity(row: RowData) -> str:
    """What makes two rows "the same model" inside one snapshot."""
    return (row.model_key or row.model).strip().casefold()


def check_snapshot(
    snapshot: SnapshotData, *, previous_row_count: int | None, max_row_drop: float
) -> Verdict:
    """Check one snapshot; ``previous_row_count`` is the board's last earlier snapshot's size."""
    verdict = Verdict()
    rows = snapshot.rows
    _check_rows(rows, verdict, elo=snapshot.metric == "elo")
    if len(rows) < MIN_ROWS:
        verdict.soft.append(f"only {len(rows)} rows (at least {MIN_ROWS} expected)")
    if previous_row_count and len(rows) < previous_row_count * (1 - max_row_drop):
        verdict.soft.append(
            f"row count fell sharply: {len(rows)} rows after {previous_row_count} "
            f"(more than {max_row_drop:.0%} fewer)"
        )
    if not verdict.hard:
        _check_ranks(snapshot, verdict)
    return verdict


def _listed(names: list[str]) -> str:
    more = f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else ""
    return ", ".join(repr(name) for name in names[:MAX_LISTED]) + more


def _check_rows(rows: list[RowData], verdict: Verdict, *, elo: bool) -> None:
    seen: set[str] = set()
    duplicates: list[str] = []
    unnamed = 0
    for row in rows:
        identity = model_identity(row)
        if not identity:
            unnamed += 1
        elif identity in seen:
            duplicates.append(row.model)
        seen.add(identity)
    if unnamed:
        verdict.hard.append(f"{unnamed} rows without a model name")
    if duplicates:
        verdict.hard.append(f"duplicate models: {_listed(duplicates)}")

    too_long = [row.model[:60] for row in rows if not _fits(row)]
    if too_long:
        verdict.hard.append(f"names longer than the database holds: {_listed(too_long)}")
    bad_numbers = [row.model for row in rows if not _numbers_possible(row)]
    if bad_numbers:
        verdict.hard.append(f"impossible numbers (bounds, votes or ranks): {_listed(bad_numbers)}")
    if elo:
        low, high = ELO_RANGE
        implausible = [row.model for row in rows if not low <= row.score <= high]
        if implausible:
            verdict.soft.append(f"scores outside {low:g}–{high:g}: {_listed(implausible)}")
    wide = [
        row.model
        for row in rows
        if row.rating_lower is not None
        and row.rating_upper is not None
        and row.rating_upper - row.rating_lower > MAX_CI_WIDTH
    ]
    if wide:
        verdict.soft.append(f"confidence intervals wider than {MAX_CI_WIDTH:g}: {_listed(wide)}")


def _fits(row: RowData) -> bool:
    """Within the column sizes of AIModel, Organization, License and the aliases."""
    return (
        len(row.model) <= MAX_NAME
        and len(row.model_key) <= MAX_NAME
        and len(row.raw_model) <= MAX_RAW
        and len(row.organization) <= MAX_ENTITY_NAME
        and len(row.license) <= MAX_ENTITY_NAME
    )


def _numbers_possible(row: RowData) -> bool:
    if not math.isfinite(row.score):
        return False
    if row.rating_lower is not None and not row.rating_lower <= row.score:
        return False
    if row.rating_upper is not None and not row.score <= row.rating_upper:
        return False
    if row.votes is not None and row.votes < 0:
        return False
    if row.rank is not None and row.rank < 1:
        return False
    if row.rank_upper is not None and row.rank_lower is not None:
        return 1 <= row.rank_upper <= row.rank_lower
    return True


def _check_ranks(snapshot: SnapshotData, verdict: Verdict) -> None:
    """Upstream's ranks must agree with its scores (within rounding)."""
    ranked = [(row, row.rank) for row in snapshot.rows if row.rank is not None]
    if not ranked:
        return
    out_of_order: list[str] = []
    if snapshot.rank_kind == "ub":
        # A UB rank is "1 + models certainly better"; a better score can never mean a rank
        # more than the number of models scoring higher.
        # Slack: upstream computed some UB ranks before dropping rows it had no metadata for
        # (fboulnois 2025-08-04 vision: rank 87 of 86 rows).
        slack = max(2, round(len(snapshot.rows) * 0.02))
        scores = sorted(row.score for row in snapshot.rows)
        for row, rank in ranked:
            higher = len(scores) - bisect_right(scores, row.score + RANK_SCORE_TOLERANCE)
            if rank > higher + 1 + slack:
                out_of_order.append(row.model)
    else:
        by_rank = sorted(ranked, key=itemgetter(1))
        for (above, _), (below, _) in pairwise(by_rank):
            if below.score > above.score + RANK_SCORE_TOLERANCE:
                out_of_order.append(below.model)
    if out_of_order:
        verdict.soft.append(f"ranks disagree with scores for {_listed(out_of_order)}")
    if snapshot.rank_kind != "position":
        return  # a UB rank is the spread's best end, not a position inside it
    spread_outside = [
        row.model
        for row, rank in ranked
        if row.rank_upper is not None
        and row.rank_lower is not None
        and not row.rank_upper <= rank <= row.rank_lower
    ]
    if spread_outside:
        verdict.soft.append(f"rank outside its own spread for {_listed(spread_outside)}")
