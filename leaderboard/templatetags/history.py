"""Template filters of the history pages."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from leaderboard.history import Event, SnapshotChanges

register = template.Library()
TENTH = Decimal("0.1")
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
"""What ``json_script`` escapes, so the data cannot close its ``<script>``."""


@register.filter
def event_tag(snapshot: SnapshotChanges, event: Event) -> str:
    """The event's stable id (the Atom entry id), so a page entry and a feed entry match."""
    return snapshot.tag(event)


@register.filter
def chart_json(value: Any, element_id: str) -> SafeString:
    """``json_script`` without the spaces after separators: a chart of years of daily points
    is thousands of numbers, and every byte is rendered, compressed and sent."""
    data = json.dumps(value, cls=DjangoJSONEncoder, separators=(",", ":"))
    return mark_safe(
        f'<script id="{escape(element_id)}" type="application/json">'
        f"{data.translate(JSON_SCRIPT_ESCAPES)}</script>"
    )


@register.filter
def history_rows(rows: Iterable[tuple[str, Sequence[float | int | None]]]) -> SafeString:
    """The ``<tr>`` rows of a chart's table (``charts.table``) as one string: a Python loop,
    not a template one, whose per-cell cost (``floatformat`` above all) was most of a model
    page's render. Numbers as ``floatformat:"-1"`` writes them (one decimal, half up; none
    for a whole value); the test beside this module's tests holds the template loop this
    replaced and checks both render the same bytes."""
    separator = str(formats.get_format("DECIMAL_SEPARATOR"))
    out: list[str] = []
    for day, values in rows:
        cells = "".join(f'<td class="num">{_number(value, separator)}</td>' for value in values)
        out.append(f"<tr><td>{escape(day)}</td>{cells}</tr>")
    return mark_safe("".join(out))


def _number(value: float | int | None, separator: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, int):
        return str(value)
    exact = Decimal(repr(value))
    if exact == exact.to_integral_value():  # as floatformat: whole values lose the decimal
        return str(int(exact))
    rounded = exact.quantize(TENTH, rounding=ROUND_HALF_UP)
    if not rounded:
        rounded = abs(rounded)  # floatformat writes no "-0.0"
    return str(rounded).replace(".", separator)
