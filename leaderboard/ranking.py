"""Rank arithmetic from BRIEF §2, pure and O(n log n)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence


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
