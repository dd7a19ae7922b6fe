"""The shared cell helpers: one confidence-interval parser with each upstream's dialect."""

from __future__ import annotations

import pytest

from leaderboard.sources.text import IntervalDialect, interval_bounds, slug


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
