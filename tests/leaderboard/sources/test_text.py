"""The shared cell helpers: one confidence-interval parser with each upstream's dialect."""

from __future__ import annotations

from decimal import Decimal

import pytest

from leaderboard.sources.text import (
    IntervalDialect,
    interval_bounds,
    parse_price,
    parse_price_pair,
    parse_token_count,
    slug,
)


@pytest.mark.parametrize(
    ("dialect", "text", "bounds"),
    [
        ("cell", "+4/-5", (1495.0, 1504.0)),
        ("cell", " ±7 ", (1493.0, 1507.0)),
        ("cell", "(±7)", (None, None)),  # CSV cells are never decorated
        ("cell", "7", (None, None)),
        ("cell", "", (None, None)),
        ("table", "+4/\u22125", (1495.0, 1504.0)),  # a real minus sign
        ("table", "CI +4 / -5", (1495.0, 1504.0)),
        ("table", "±7", (1493.0, 1507.0)),
        ("table", "7", (1493.0, 1507.0)),  # a bare width is symmetric
        ("table", "-7", (1493.0, 1507.0)),
        ("table", "n/a", (None, None)),
        ("markdown", "(++9/--9)", (1491.0, 1509.0)),
        ("markdown", "+4/-5", (1495.0, 1504.0)),
        ("markdown", "(±1,000)", (500.0, 2500.0)),
        ("markdown", "±7% Preliminary", (1493.0, 1507.0)),
        ("markdown", "7", (None, None)),
    ],
)
def test_each_dialect_reads_its_own_spellings(
    dialect: IntervalDialect, text: str, bounds: tuple[float | None, float | None]
) -> None:
    assert interval_bounds(1500.0, text, dialect=dialect) == bounds


def test_the_cell_dialect_is_the_default() -> None:
    assert interval_bounds(10.0, "+1/-2") == (8.0, 11.0)
    assert interval_bounds(10.0, "(±1)") == (None, None)


def test_a_markdown_width_too_large_for_a_float_is_refused() -> None:
    with pytest.raises(ValueError, match="not a finite number"):
        interval_bounds(1500.0, "±" + "9" * 400, dialect="markdown")
    # The other dialects are total: no interval, no error.
    assert interval_bounds(1500.0, "±" + "9" * 400, dialect="table") == (None, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("💬 Language", "language"),
        ("Hard Prompts", "hard-prompts"),
        ("hard_prompts", "hard-prompts"),
        ("  text_to_image  ", "text-to-image"),
        ("overall-no-style-control", "overall-no-style-control"),
        ("Coding (Python)", "coding-python"),
        ("—", ""),
    ],
)
def test_slugs_are_lower_case_ascii_words_joined_by_hyphens(text: str, expected: str) -> None:
    assert slug(text) == expected


@pytest.mark.parametrize(
    ("value", "price"),
    [
        ("$5", Decimal("5")),
        (" $1.25 ", Decimal("1.25")),
        ("2.5", Decimal("2.5")),  # arena-catalog writes numbers as strings
        (0.075, Decimal("0.075")),
        (10, Decimal("10")),
        ("$1,000", Decimal("1000")),
        ("US$0.30", Decimal("0.30")),
        ("N/A", None),
        ("—", None),
        ("-", None),
        ("", None),
        (None, None),
        ("-1", None),
        ("¥5", None),
        (float("nan"), None),
        (True, None),
        ("$1e9", None),
        (10**9, None),  # beyond any real price: junk, not a number to store
    ],
)
def test_a_price_is_dollars_per_million_tokens_or_none(
    value: object, price: Decimal | None
) -> None:
    assert parse_price(value) == price


@pytest.mark.parametrize(
    ("cell", "pair"),
    [
        ("$5/$25", (Decimal("5"), Decimal("25"))),
        ("$1.25 / $10", (Decimal("1.25"), Decimal("10"))),
        ("$0.50/$3", (Decimal("0.5"), Decimal("3"))),
        ("$3 / —", (Decimal("3"), None)),
        ("N/A", (None, None)),  # its slash separates no prices
        ("—", (None, None)),
        ("$5", (None, None)),  # one price: input or output? neither is claimed
        ("", (None, None)),
    ],
)
def test_a_price_cell_holds_input_then_output(
    cell: str, pair: tuple[Decimal | None, Decimal | None]
) -> None:
    assert parse_price_pair(cell) == pair


@pytest.mark.parametrize(
    ("value", "tokens"),
    [
        ("1M", 1_000_000),
        ("1.1M", 1_100_000),
        ("128K", 128_000),
        ("202.8K", 202_800),
        ("8.2k", 8_200),
        ("131,072", 131_072),
        ("200000 tokens", 200_000),
        (131072, 131_072),
        (2e6, 2_000_000),
        ("N/A", None),
        ("—", None),
        ("", None),
        (None, None),
        (0, None),
        ("1M tokens or more", None),
        ("9B", None),  # beyond any real context window
        (False, None),
    ],
)
def test_a_context_window_is_read_in_tokens(value: object, tokens: int | None) -> None:
    assert parse_token_count(value) == tokens
