"""Exports through the real view: exactly the filtered, sorted rows; hostile upstream strings
stay literal text in Markdown (no cell break, no HTML, no link) and defused in CSV."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from leaderboard.models import Leaderboard, Organization
from tests.leaderboard import factories
from tests.paths import UPSTREAM

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


SEED = UPSTREAM / "markdown-cherry" / "seed_en_2025-11-18.md"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


@pytest.fixture
def seed() -> None:
    call_command("import_leaderboard", str(SEED), stdout=io.StringIO())


def export_json(client: Client, query: str = "", path: str = "/text/overall/") -> dict:
    response = client.get(f"{path}export.json{query}")
    assert response.status_code == 200
    return json.loads(response.content)


def test_exports_are_exactly_the_filtered_sorted_view(client: Client, seed: None) -> None:
    query = "?organization=OpenAI&sort=-votes"
    as_json = export_json(client, query)["rows"]
    as_csv = list(
        csv.DictReader(io.StringIO(client.get(f"/text/overall/export.csv{query}").content.decode()))
    )
    markdown = client.get(f"/text/overall/export.md{query}").content.decode()

    assert [row["model"] for row in as_csv] == [row["model"] for row in as_json]
    assert len(as_json) == markdown.count("| OpenAI |")
    assert [row["votes"] for row in as_json] == sorted((r["votes"] for r in as_json), reverse=True)
    response = client.get(f"/text/overall/export.csv{query}")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="arena-text-overall-2025-11-18.csv"'
    )


@pytest.mark.parametrize(
    "name",
    ["=cmd|' /C calc'!A0", "+1+cmd", "-2+3", "@SUM(1+1)", "\t=x", "\r=x", "  =x", "＝x"],
)
def test_csv_export_defuses_every_spelling_of_a_formula_prefix(client: Client, name: str) -> None:
    board = factories.board()
    snapshot = factories.snapshot(board)
    board.current_snapshot = snapshot
    board.save()
    org = Organization.objects.create(name=name)
    factories.entry(snapshot, factories.ai_model(name=name, organization=org))

    body = client.get("/text/overall/export.csv").content.decode()
    rows = list(csv.reader(io.StringIO(body, newline="")))

    assert rows[1][3] == "'" + name
    assert rows[1][5] == "'" + name
