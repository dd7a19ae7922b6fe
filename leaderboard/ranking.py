"""Rank arithmetic (rank spread and plain positions), pure and O(n log n).

Imports nothing from the project: the service ranks rows with ``assign_ranks``, and an adapter
that must read a rank-spread cell may compare it with ``rank_spread`` (rows are typed by the
``Rankable`` protocol, which ``sources.base.RowData`` satisfies).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class Rankable(Protocol):
    """What ranking reads from a row (``sources.base.RowData`` has it all)."""

    @property
    def score(self) -> float: ...
    @property
    def rating_lower(self) -> float | None: ...
    @property
    def rating_upper(self) -> float | None: ...
    @property
    def rank(self) -> int | None: ...
    @property
    def rank_upper(self) -> int | None: ...
    @property
    def rank_lower(self) -> int | None: ...


def rank_spread(bounds: Sequence[tuple[float, float]]) -> list[tuple[int, int]]:
    """Return ``(best, worst)`` for each ``(lower, upper)`` interval, in input order.

    best(i)  = 1 + #{j : lower_j > upper_i}   (the old "Rank (UB)")
    worst(i) = #{j : upper_j >= lower_i}      (i itself counted)

    Pass unrounded bounds: rounding creates and removes overlaps.
    """
    lowers = sorted(lo for lo, _ in bounds)
    uppers = sorted(up for _, up in bounds)
    n = len(bounds)
    return [(1 + n - bisect_right(lowers, up), n - bisect_left(uppers, lo)) for lo, up in bounds]


def positions(scores: Sequence[float]) -> list[int]:
    """Plain 1-based positions by score, highest first, no ties (stable for equal scores)."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    result = [0] * len(scores)
    for position, index in enumerate(order, start=1):
        result[index] = position
    return result


@dataclass(frozen=True, slots=True)
class RankedRow[R: Rankable]:
    row: R
    rank: int
    rank_upper: int
    rank_lower: int


def assign_ranks[R: Rankable](rows: Sequence[R], *, rank_kind: str | None) -> list[RankedRow[R]]:
    """Order rows by score and give each its plain position and its rank spread.

    The spread is upstream's where the row carries both ends; otherwise the best end is
    upstream's UB rank (when that is what the source printed) or computed, and the worst end
    is computed from the unrounded bounds (rows without bounds count as a point interval).
    """
    keys = [
        (-row.score, row.rank if row.rank is not None else math.inf, i)
        for i, row in enumerate(rows)
    ]
    order = sorted(range(len(rows)), key=keys.__getitem__)
    ordered = [rows[i] for i in order]
    spreads = rank_spread(
        [
            (
                row.rating_lower if row.rating_lower is not None else row.score,
                row.rating_upper if row.rating_upper is not None else row.score,
            )
            for row in ordered
        ]
    )
    ranked: list[RankedRow[R]] = []
    for position, (row, (best, worst)) in enumerate(zip(ordered, spreads, strict=True), start=1):
        if row.rank_upper is not None and row.rank_lower is not None:
            best, worst = row.rank_upper, row.rank_lower
        elif rank_kind == "ub" and row.rank is not None:
            best = row.rank
        ranked.append(RankedRow(row, position, best, max(best, worst)))
    return ranked
