"""Template tags and filters of the history pages."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import formats
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop, ngettext

from leaderboard import labels
from leaderboard.charts import JSON_SCRIPT_ESCAPES
from leaderboard.exports import format_score, score_digits
from leaderboard.history import Event, SnapshotChanges, Standing
from leaderboard.templatetags.board import movement

register = template.Library()
TENTH = Decimal("0.1")
LATEST = gettext_noop("The latest %(shown)s of %(total)s snapshots.")


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


@register.simple_tag
def board_history(item: dict[str, Any]) -> SafeString:
    """One board's section of a model page (``views_history.model_detail``'s ``boards``):
    its heading, its charts' data (one script: the dates once) and its score and rank
    charts. Python for the reason ``chart_figure`` is; the test beside this module's tests
    holds the template loop it replaced, as it renders now."""
    board = item["history"].board
    count = item["history"].count
    snapshots = ngettext("%(n)s snapshot", "%(n)s snapshots", count) % {
        "n": conditional_escape(str(formats.localize(count)))
    }
    # Doubled percent signs, as the translate tag looks them up (templates' msgids have them).
    score = gettext("Score, with the 95%% confidence interval as a band").replace("%%", "%")
    rank = gettext("Rank (1 at the top)")
    truncated, data_id = item["truncated"], item["data_id"]
    digits = score_digits(board.metric)
    figures = (
        chart_figure(
            item["score"],
            data_id,
            item["score_table"],
            score,
            truncated,
            count,
            shared=True,
            digits=digits,
        ),
        chart_figure(
            item["rank"], data_id, item["rank_table"], rank, truncated, count, shared=True
        ),
    )
    url = conditional_escape(board.get_absolute_url())
    name = conditional_escape(labels.board_name(board.arena, board.category, board.style_control))
    return mark_safe(
        '\n<section class="board-history">\n'
        f'  <h3><a href="{url}">{name}</a> <small>{snapshots}</small></h3>\n'
        f'  <script id="{escape(data_id)}" type="application/json">{item["data"]}</script>\n'
        '  <div class="chart-pair">\n'
        f"    \n    {figures[0]}\n"  # each caption's line left its indent
        f"    \n    {figures[1]}\n"
        "  </div>\n"
        "</section>\n"
    )


@register.simple_tag
def chart_figure(
    chart: dict[str, Any],
    chart_id: str,
    table: tuple[Sequence[str], Sequence[tuple[str, Sequence[float | int | None]]]],
    caption: str,
    truncated: bool = False,
    total: int | None = None,
    shared: bool = False,
    digits: int = 0,
) -> SafeString:
    """A chart drawn by ``static/js/history.js`` from its JSON, and the same numbers as a
    table (``charts.table``); with ``truncated``, a note that the table shows the newest of
    ``total`` rows and a link to all of them; with ``shared``, the JSON is not written here:
    ``chart_id`` names a board's script holding this chart's kind (``charts.board_data``);
    ``digits``: the table's scores as ``history_rows`` writes them. Python, not an included
    template: a model page has two per board, and the include was a
    third of its render. The test beside this module's tests holds the template this
    replaced and checks both render the same bytes."""
    headers, rows = table
    label = conditional_escape(caption)
    head = "".join(f'<th scope="col" class="num">{conditional_escape(h)}</th>' for h in headers)
    # Outside the f-strings: makemessages does not look inside them.
    numbers, date = conditional_escape(gettext("The numbers")), conditional_escape(gettext("Date"))
    note = ""
    if truncated:
        counts = {
            "shown": conditional_escape(str(formats.localize(len(rows)))),
            "total": conditional_escape(str(formats.localize(total))),
        }
        try:
            latest = gettext(LATEST) % counts
        except (KeyError, ValueError):  # a broken translation: the English, as blocktranslate
            latest = LATEST % counts
        everything = conditional_escape(gettext("All the numbers"))
        note = f'<p class="muted">{latest} <a href="?numbers=all#history">{everything}</a></p>'
    kind = conditional_escape(chart["kind"])
    script = "" if shared else f"  {chart_json(chart, chart_id)}\n"
    return mark_safe(
        '\n<figure class="chart-box">\n'
        f"  <figcaption>{label}</figcaption>\n"
        f"{script}"
        f'  <div class="chart" data-chart="{conditional_escape(chart_id)}" data-kind="{kind}" '
        f'role="img" aria-label="{label}"></div>\n'
        '  <details class="chart-data">\n'
        f"    <summary>{numbers}</summary>\n"
        '    <div class="table-scroll">\n'
        '    <table class="board history-table">\n'
        f'      <thead><tr><th scope="col">{date}</th>{head}</tr></thead>\n'
        f"      <tbody>{history_rows(rows, digits)}</tbody>\n"
        "    </table>\n"
        "    </div>\n"
        f"    {note}\n"
        "  </details>\n"
        "</figure>\n"
    )


@register.filter
def history_rows(
    rows: Iterable[tuple[str, Sequence[float | int | None]]], digits: int = 0
) -> SafeString:
    """The ``<tr>`` rows of a chart's table (``charts.table``) as one string: a Python loop,
    not a template one, whose per-cell cost (``floatformat`` above all) was most of a model
    page's render. Numbers as ``floatformat:"-1"`` writes them (one decimal, half up; none
    for a whole value), scores of a board whose metric keeps decimals with its ``digits``
    (``exports.score_digits``: the agent board's rates); the test beside this module's tests
    holds the template loop this replaced and checks both render the same bytes."""
    separator = _separator()
    out: list[str] = []
    for day, values in rows:
        cells = "".join(
            f'<td class="num">{_score(value, digits, separator)}</td>' for value in values
        )
        out.append(f"<tr><td>{escape(day)}</td>{cells}</tr>")
    return mark_safe("".join(out))


@register.filter
def standing_rows(rows: Iterable[tuple[str, str, Standing]]) -> SafeString:
    """The ``<tr>`` rows of a standings table (``_standings.html``): (label, link, standing)
    each. Python for the reason ``history_rows`` is (an organisation's models on every board
    are hundreds of rows); the test beside this module's tests holds the template loop this
    replaced and checks both render the same bytes."""
    separator = _separator()
    badge = f' <span class="badge">{conditional_escape(gettext("preliminary"))}</span>'
    out: list[str] = []
    for label, url, standing in rows:
        point = standing.point
        digits = score_digits(standing.board.metric)
        if point.rating_lower is not None:
            lower = _score(point.rating_lower, digits, separator)
            upper = (
                "" if point.rating_upper is None else _score(point.rating_upper, digits, separator)
            )
            interval = f"{lower} – {upper}"
        else:
            interval = "–"
        votes = conditional_escape(intcomma("–" if point.votes is None else point.votes))
        moved = movement(standing, standing.has_previous_snapshot)
        out.append(
            "\n    <tr>\n"
            f'      <td><a href="{conditional_escape(url)}">{conditional_escape(label)}</a>'
            f"{badge if point.preliminary else ''}</td>\n"
            f'      <td class="num">{point.rank}</td>\n'
            f'      <td class="num">{point.rank_upper}–{point.rank_lower}</td>\n'
            f'      <td class="num">{_score(point.score, digits, separator)}</td>\n'
            f'      <td class="num">{interval}</td>\n'
            f'      <td class="num">{votes}</td>\n'
            f'      <td class="num">{moved}</td>\n'
            "    </tr>\n  "
        )
    return mark_safe("".join(out))


@register.filter
def table_score(value: float | int | None, digits: int) -> str:
    """A score or bound in a history table, as ``history_rows`` writes it (``_score``)."""
    return "" if value is None else _score(value, digits, _separator())


def _separator() -> str:
    return str(formats.get_format("DECIMAL_SEPARATOR"))


def _score(value: float | int | None, digits: int, separator: str) -> str:
    """A table's number: ``_number``'s, or a float with ``digits`` decimals when its board's
    metric keeps them (``exports.score_digits``), as the board page shows it."""
    if digits and isinstance(value, float):
        return format_score(value, digits).replace(".", separator)
    return _number(value, separator)


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
