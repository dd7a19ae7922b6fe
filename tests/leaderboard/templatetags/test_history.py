"""The history pages' filters: ``history_rows`` renders exactly what the template loop it
replaced rendered; ``chart_json`` is ``json_script``'s data, compact."""

from __future__ import annotations

import json

import hypothesis
import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.html import json_script
from hypothesis import strategies as st

from leaderboard.templatetags.history import chart_json, history_rows

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
