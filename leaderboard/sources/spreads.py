"""Rank-spread cells (best ◄─► worst rank) as upstreams print them.

arena.ai's rendered table and the scrapes of it print two numbers (``1◄─►4``, ``1 4``); the
markdown page lost the separator in 2026 (``1121`` = 11◄─►21), which only the rank and the
spread the confidence intervals imply can split.
"""

from __future__ import annotations

import re

_NUMBERS = re.compile(r"\d+")
_GLUED = re.compile(r"[0-9]{2,12}")  # two ranks of at most six digits each


def two_ranks(text: str) -> tuple[int, int] | None:
    """``(best, worst)`` when ``text`` holds exactly two numbers, in either order; else None
    (a glued ``1634`` cannot be split without more knowledge)."""
    ranks = [int(n) for n in _NUMBERS.findall(text)]
    return (min(ranks), max(ranks)) if len(ranks) == 2 else None


def split_glued_spread(
    digits: str, *, rank: int | None, implied: tuple[int, int] | None
) -> tuple[int, int] | None:
    """Split separator-less digits into ``(upper, lower)`` with upper ≤ rank ≤ lower, choosing
    the split closest to the ``implied`` spread (the narrowest when there is none); None when
    no split is plausible."""
    if _GLUED.fullmatch(digits) is None:
        return None
    candidates = _candidates(digits, rank)
    if not candidates:
        return None
    return min(candidates, key=lambda c: _distance(c, implied))


def _candidates(digits: str, rank: int | None) -> list[tuple[int, int]]:
    """Every split of ``digits`` into upper ≤ lower without leading zeros, containing ``rank``."""
    candidates = []
    for cut in range(1, len(digits)):
        left, right = digits[:cut], digits[cut:]
        if (left.startswith("0") and left != "0") or right.startswith("0"):
            continue
        upper, lower = int(left), int(right)
        if upper < 1 or upper > lower:
            continue
        if rank is not None and not upper <= rank <= lower:
            continue
        candidates.append((upper, lower))
    return candidates


def _distance(candidate: tuple[int, int], target: tuple[int, int] | None) -> tuple[int, int]:
    if target is None:
        # Nothing to compare with: prefer the narrowest plausible spread.
        return (candidate[1] - candidate[0], 0)
    return (abs(candidate[0] - target[0]) + abs(candidate[1] - target[1]), candidate[1])
