"""The history pages' tags: ``chart_figure`` and ``history_rows`` render exactly what the
templates they replaced rendered; ``chart_json`` is ``json_script``'s data, compact."""

from __future__ import annotations

import datetime as dt
import json

import hypothesis
import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.html import json_script
from django.utils.safestring import mark_safe
from hypothesis import strategies as st

from leaderboard import charts, history
from leaderboard.models import Leaderboard
from leaderboard.templatetags import history as tags
from leaderboard.templatetags.history import board_history, chart_figure, chart_json, history_rows
from tests.paths import REPLACED

# The rows loop of templates/leaderboard/history/_chart.html before it became ``history_rows``.
TEMPLATE_LOOP = Template(
    '{% for day, values in rows %}<tr><td>{{ day }}</td>{% for value in values %}<td class="num">'
    '{% if value is None %}–{% else %}{{ value|floatformat:"-1" }}{% endif %}</td>{% endfor %}'
    "</tr>{% endfor %}"
)
AWKWARD = [0.25, 0.05, 1.05, 2.675, 1234.45, 1299.95, 1299.96, 1300.0, -0.04, -3.25, 1e-7, 7, 0]


def template_rows(rows: list[tuple[str, list[float | int | None]]]) -> str:
    return TEMPLATE_LOOP.render(Context({"rows": rows}))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_history_rows_render_what_the_template_loop_rendered(language: str) -> None:
    rows: list[tuple[str, list[float | int | None]]] = [
        ("2025-01-01", [value, None, 3]) for value in AWKWARD
    ]
    rows.append(("<b>", [1.0, 2.5, None]))
    with translation.override(language):
        assert history_rows(rows) == template_rows(rows)


@hypothesis.given(
    st.lists(
        st.one_of(
            st.none(),
            st.integers(-5000, 5000),
            # floatformat gives up on tiny magnitudes (writes the repr); no score is one.
            st.floats(-5000, 5000, allow_nan=False).filter(lambda v: v == 0 or abs(v) > 1e-9),
            st.decimals(-5000, 5000, places=3).map(float),
        ),
        max_size=6,
    )
)
def test_history_rows_match_floatformat_on_any_number(values: list[float | int | None]) -> None:
    rows = [("2025-01-01", values)]
    assert history_rows(rows) == template_rows(rows)


def test_chart_json_is_json_script_without_spaces() -> None:
    chart = {"kind": "score", "x": [1, 2], "series": [{"label": "</script><b>&", "values": [1.5]}]}

    compact = chart_json(chart, "score-0")

    assert "</script><b>" not in compact.removesuffix("</script>")
    inner = compact.removeprefix('<script id="score-0" type="application/json">')
    assert json.loads(inner.removesuffix("</script>")) == chart
    assert len(compact) < len(json_script(chart, "score-0"))
    assert compact.replace(",", ", ").replace(":", ": ") == json_script(chart, "score-0")


# templates/leaderboard/history/_chart.html before it became ``chart_figure``, byte for byte.
CHART_TEMPLATE = Template((REPLACED / "_chart.html").read_text(encoding="utf-8"))
# The board loop of templates/leaderboard/history/model.html before it became ``board_history``.
BOARD_TEMPLATE = Template((REPLACED / "model_board_history.html").read_text(encoding="utf-8"))


def series(days: int) -> history.Series:
    points = [
        (100 + day, dt.date(2025, 1, 1) + dt.timedelta(days=day), day + 1,
         day + 1, day + 2, 1300.25 + day, None if day == 1 else 1290.0, 1310.5, 10, None)
        for day in range(days)
    ]  # fmt: skip
    return history.Series.of(points)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("truncated", [False, True])
@pytest.mark.parametrize("kind", ["score", "rank"])
# The pages pass captions from {% translate … as caption %}: safe strings, not escaped again.
@pytest.mark.parametrize("caption", ["Score & <rank>", mark_safe("Score &amp; rank")])
def test_chart_figure_renders_what_the_chart_template_rendered(
    language: str, truncated: bool, kind: str, caption: str
) -> None:
    label = 'Model <b>"A"</b> & co'
    made = charts.score_chart if kind == "score" else charts.ranks_chart
    chart = made(series(12), label=label)
    table = charts.table(made(series(12).since(-3), label=label) if truncated else chart)
    values = {"chart": chart, "chart_id": "score-0", "table": table, "caption": caption}
    extra = {"truncated": True, "total": 1234} if truncated else {}
    with translation.override(language):
        expected = CHART_TEMPLATE.render(Context(values | extra))
        assert chart_figure(**values, **extra) == expected  # type: ignore[arg-type]
    assert ("?numbers=all" in expected) is truncated


def test_a_broken_translation_of_the_note_falls_back_to_english(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As ``blocktranslate`` does: a catalogue entry with a wrong placeholder is no 500."""
    monkeypatch.setattr(tags, "gettext", lambda message: message.replace("shown", "shwn"))
    chart = charts.ranks_chart(series(5), label="A")

    short = charts.table(charts.ranks_chart(series(5).since(-2), label="A"))

    html = chart_figure(chart, "rank-0", short, "Rank", True, 5)

    assert "The latest 2 of 5 snapshots." in html


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(("days", "last"), [(1, 10), (12, 10), (12, None)])
def test_board_history_renders_what_the_board_loop_rendered(
    language: str, days: int, last: int | None
) -> None:
    board = Leaderboard(arena="text", category="overall", style_control=False)
    line = history.BoardHistory(board=board, series=series(days), standing=None)
    shown = line.series if last is None else line.series.since(-last)
    score = charts.score_chart(shown, label="Model <b>")
    rank = charts.ranks_chart(shown, label="Model <b>")
    item = {
        "history": line, "data": charts.board_data(line, label="Model <b>"),
        "data_id": "board-3", "score": score, "score_table": charts.table(score),
        "rank": rank, "rank_table": charts.table(rank),
        "truncated": last is not None and line.count > last,
    }  # fmt: skip
    with translation.override(language):
        assert board_history(item) == BOARD_TEMPLATE.render(Context({"boards": [item]}))


# The rows loop of templates/leaderboard/history/_standings.html before it became
# ``standing_rows``.
STANDINGS_TEMPLATE = Template((REPLACED / "_standings_rows.html").read_text(encoding="utf-8"))


def point(day: int, **fields: object) -> history.Point:
    values = {"snapshot_id": 100 + day, "published_on": dt.date(2025, 1, 1),
              "rank": 3, "rank_upper": 2, "rank_lower": 5, "score": 1300.25, "rating_lower": 1290.0,
              "rating_upper": 1310.5, "votes": 12345, "preliminary": None} | fields  # fmt: skip
    return history.Point(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_standing_rows_render_what_the_template_loop_rendered(language: str) -> None:
    board = Leaderboard(arena="text", category="overall", style_control=False)
    standings = [
        history.Standing(board, point(1), point(0, rank=5, score=1290.0), True),
        history.Standing(board, point(1, preliminary=True, votes=None, rank=1234), None, True),
        history.Standing(board, point(1, rating_lower=None, rating_upper=None, score=1300.0),
                         None, False),
        history.Standing(board, point(1, rating_upper=None, preliminary=False, score=-0.04),
                         point(0, rank=1), True),
    ]  # fmt: skip
    labels = ['Model <b>"A"</b> & co · Text', mark_safe("Safe &amp; sound"), "B", "C"]
    rows = [
        (label, f"/models/m{i}/?a=1&b=2", s)
        for i, (label, s) in enumerate(zip(labels, standings, strict=True))
    ]
    with translation.override(language):
        expected = STANDINGS_TEMPLATE.render(Context({"rows": rows}))
        assert tags.standing_rows(rows) == expected
    assert "badge" in expected and "1,234" not in expected  # a rank is not grouped
