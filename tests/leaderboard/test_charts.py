"""A model page's board data (``charts.board_data``): the JSON of its score and rank charts,
the same from a block's stored text plus newer points as from the whole series, and never
anything but numbers from what is stored."""

from __future__ import annotations

import datetime as dt
import json
import logging

import hypothesis
import pytest
from hypothesis import strategies as st

from leaderboard import charts, history
from leaderboard.models import Leaderboard

BOARD = Leaderboard(pk=7, arena="text", category="overall", style_control=False)
LABEL = 'Model </script><b>"A"</b> & co'


def series(scores: list[tuple[float, float | None, int]]) -> history.Series:
    return history.Series.of(
        [
            (100 + i, dt.date(2025, 1, 1) + dt.timedelta(days=i), rank, rank, rank + 1,
             score, lower, None if lower is None else score + 9.5, None, None)
            for i, (score, lower, rank) in enumerate(scores)
        ]
    )  # fmt: skip


def expected(line: history.Series) -> dict[str, object]:
    """What the two charts the page drew from before held: the dates once."""
    score = charts.score_chart(line, label=LABEL)
    return {"x": score["x"], "score": score["series"],
            "rank": charts.ranks_chart(line, label=LABEL)["series"]}  # fmt: skip


POINTS = st.lists(
    st.tuples(
        st.floats(-5000, 5000, allow_nan=False),
        st.none() | st.floats(-6000, -5000),
        st.integers(1, 400),
    ),
    max_size=8,
)


@hypothesis.given(POINTS, st.integers(0, 8))
def test_stored_text_and_newer_points_write_what_the_whole_series_writes(
    points: list[tuple[float, float | None, int]], covered: int
) -> None:
    line = series(points)
    covered = min(covered, len(points))
    first = history.Series.of(line.points()[:covered])  # what a block covered
    stored = charts.ChartText.of(first).stored()
    whole = history.BoardHistory(BOARD, line, None)
    from_block = history.BoardHistory(BOARD, line, None, (stored, covered))

    data = charts.board_data(from_block, label=LABEL)

    assert data == charts.board_data(whole, label=LABEL)
    assert json.loads(data) == expected(line)
    assert "</script>" not in data and "<b>" not in data  # escaped as json_script does


@pytest.mark.parametrize(
    "stored",
    [
        "[1]\n[2]\n[3]\n[4]",  # a column short
        "[1]\n[2]\n[3]\n[4]\n[5]\n[6]",
        "[1]\n[2]</script><script>alert(1)</script>\n[3]\n[4]\n[5]",
        '[1]\n["a"]\n[3]\n[4]\n[5]',
        "[1,2]\n[2,3]\n[3,4]\n[4,5]\n[5,6]",  # two points, where the block covers one
        "[1]\n[2]\n[3,4]\n[4]\n[5]",  # a damaged column
    ],
)
def test_stored_text_that_is_not_number_lists_is_encoded_again_and_logged(
    stored: str, caplog: pytest.LogCaptureFixture
) -> None:
    line = series([(1300.5, 1290.0, 2)])

    with caplog.at_level(logging.WARNING, logger="leaderboard.charts"):
        data = charts.board_data(history.BoardHistory(BOARD, line, None, (stored, 1)), label="A")

    assert data == charts.board_data(history.BoardHistory(BOARD, line, None), label="A")
    assert "board 7" in caplog.text


def test_stored_text_reads_back_as_written() -> None:
    text = charts.ChartText.of(series([(1300.25, None, 3), (1301.0, 1290.5, 2)]))

    assert charts.ChartText.parse(text.stored(), 2) == text
    assert charts.ChartText.parse(text.stored(), 3) is None  # written for other points
    assert text.lower == "[null,1290.5]" and text.rank == "[3,2]"
    assert charts.ChartText.of(series([])).stored() == "[]\n[]\n[]\n[]\n[]"
