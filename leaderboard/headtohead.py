"""Head-to-head arithmetic on Bradley–Terry (Elo-scale) ratings. Pure: no Django, no I/O."""

from __future__ import annotations

from dataclasses import dataclass

ELO_SCALE = 400.0


def win_probability(rating_a: float, rating_b: float) -> float:
    """P(A beats B) = 1 / (1 + 10^((R_B − R_A)/400)): 0.5 at equal ratings, symmetric."""
    return 1.0 / (1.0 + 10.0 ** ((rating_b - rating_a) / ELO_SCALE))


@dataclass(frozen=True)
class Matchup:
    """A's chance against B, and its range over both confidence intervals."""

    probability: float
    worst: float  # A at its lower bound, B at its upper
    best: float  # A at its upper bound, B at its lower
    separable: bool  # the rank spreads do not overlap


def matchup(
    *,
    score_a: float,
    lower_a: float | None,
    upper_a: float | None,
    spread_a: tuple[int, int],
    score_b: float,
    lower_b: float | None,
    upper_b: float | None,
    spread_b: tuple[int, int],
) -> Matchup:
    """A missing bound counts as the score itself (no interval known on that side).

    ``spread_*`` is (best rank, worst rank); two models are separable when no rank lies in
    both spreads."""
    return Matchup(
        probability=win_probability(score_a, score_b),
        worst=win_probability(
            score_a if lower_a is None else lower_a, score_b if upper_b is None else upper_b
        ),
        best=win_probability(
            score_a if upper_a is None else upper_a, score_b if lower_b is None else lower_b
        ),
        separable=not spreads_overlap(spread_a, spread_b),
    )


def spreads_overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """True when the rank ranges [best, worst] share a rank."""
    return a[0] <= b[1] and b[0] <= a[1]
