"""Exports of hostile upstream strings, through the real view: Markdown cells stay literal
text (no cell break, no HTML, no link), CSV cells stay defused against formulas."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.cache import cache
from django.test import Client

from leaderboard.models import Leaderboard

from . import factories

pytestmark = [pytest.mark.django_db, pytest.mark.faults]

HOSTILE = [
    "a|b||c",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "[click](javascript:alert(1))",
    "](javascript:alert(1))",
    "**bold** _it_ `code` ~~x~~ \\| back\\slash",
    "line\nbreak\rreturn",
    '=HYPERLINK("http://evil")',
]
URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    'https://example.org/x) "onmouseover=alert(1)"<b>',
    "data:text/html,<script>alert(1)</script>",
    "https://example.org/ok",
]


@pytest.fixture
def hostile_board() -> Leaderboard:
    cache.clear()
    board = factories.board()
    snap = factories.snapshot(board, row_count=len(HOSTILE))
    for rank, text in enumerate(HOSTILE, start=1):
        model = factories.ai_model(name=text, url=URLS[rank % len(URLS)])
        factories.entry(
            snap, model, rank=rank, rank_upper=rank, rank_lower=rank, score=1500.0 - rank,
            rating_lower=1490.0 - rank, rating_upper=1510.0 - rank,
            raw_model=text, raw_organization=text, raw_license=text,
        )  # fmt: skip
    Leaderboard.objects.filter(pk=board.pk).update(current_snapshot=snap)
    return board


def table_rows(markdown: str) -> list[str]:
    lines = markdown.splitlines()
    start = lines.index("## Leaderboard") + 4  # heading, blank, header row, alignment row
    return lines[start : start + len(HOSTILE)]


def test_markdown_export_keeps_hostile_strings_as_literal_text(
    client: Client, hostile_board: Leaderboard
) -> None:
    response = client.get("/text/overall/export.md")
    assert response.status_code == 200
    markdown = response.content.decode()
    rows = table_rows(markdown)

    assert len(rows) == len(HOSTILE)
    for row in rows:
        assert row.startswith("| ") and row.endswith(" |")
        assert len(re.findall(r"(?<!\\)\|", row)) == 9, row  # 8 cells: no pipe broke one
        assert "<" not in row and ">" not in row.replace("◄─►", ""), row  # no HTML at all
        assert re.search(r"(?<!\\)\]\((javascript|data):", row, re.I) is None, row
        # An unescaped bracket only opens our own http(s) link.
        assert len(re.findall(r"(?<!\\)\[", row)) == row.count("](https://"), row
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markdown
    assert '"&gt;&lt;img src=x onerror=alert(1)&gt;' in markdown
    # The only links are the http(s) ones, with their target percent-encoded.
    targets = re.findall(r"(?<!\\)\]\(([^)]*)\)", "\n".join(rows))
    assert targets and all(t.startswith("https://example.org/") for t in targets), targets
    assert "https://example.org/x%29%20%22onmouseover=alert%281%29%22%3Cb%3E" in targets
    print(f"\nMarkdown export: 0 cells broken, 0 HTML tags, 0 unsafe links in {len(rows)} rows")


def test_csv_export_defuses_formulas_from_upstream(
    client: Client, hostile_board: Leaderboard
) -> None:
    body = client.get("/text/overall/export.csv").content.decode()
    rows = list(csv.DictReader(io.StringIO(body)))

    formula = next(row for row in rows if "HYPERLINK" in row["model"])
    assert formula["model"].startswith("'=")
    assert formula["organization"].startswith("'=")
    assert all(not row["model"].startswith(("=", "+", "-", "@")) for row in rows)
