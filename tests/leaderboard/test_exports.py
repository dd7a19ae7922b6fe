"""Exports through the real view: exactly the filtered, sorted rows; hostile upstream strings
stay literal text in Markdown (no cell break, no HTML, no link) and defused in CSV.

Past 400 lines on purpose: it mirrors ``leaderboard/exports.py`` (three formats and their
shared row and number formatting), and ``make mutate`` runs each exports mutant against this
file: one file per mutated module keeps that selection in pyproject.toml one line."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from leaderboard import exports, labels, selectors
from leaderboard.exports import ExportRow
from leaderboard.models import Leaderboard, License, Organization, Snapshot
from tests.leaderboard import factories
from tests.leaderboard.pages import export_json
from tests.paths import REPO

pytestmark = pytest.mark.django_db

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


@pytest.mark.faults
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


@pytest.mark.faults
def test_csv_export_defuses_formulas_from_upstream(
    client: Client, hostile_board: Leaderboard
) -> None:
    body = client.get("/text/overall/export.csv").content.decode()
    rows = list(csv.DictReader(io.StringIO(body)))

    formula = next(row for row in rows if "HYPERLINK" in row["model"])
    assert formula["model"].startswith("'=")
    assert formula["organization"].startswith("'=")
    assert all(not row["model"].startswith(("=", "+", "-", "@")) for row in rows)


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


DATA = REPO / "tests" / "data" / "exports"


UPDATED_AT = dt.datetime(2025, 11, 18, 23, 30, 5, tzinfo=dt.UTC)  # 07:30:05 next day in Beijing
"""Upstream's own update time; ours (the import) comes later."""
IMPORTED_AT = dt.datetime(2025, 11, 19, 1, 2, 3, tzinfo=dt.UTC)


@pytest.fixture
def published() -> tuple[Leaderboard, Snapshot]:
    """Two rows: one fully curated, one that only has upstream's raw strings."""
    board = factories.board(arena="text", category="overall", style_control=True)
    snap = factories.snapshot(
        board,
        published_on=dt.date(2025, 11, 18),
        source="seed",
        row_count=2,
        upstream_updated_at=UPDATED_AT,
    )
    Snapshot.objects.filter(pk=snap.pk).update(imported_at=IMPORTED_AT)
    snap.refresh_from_db()
    curated = factories.ai_model(
        key="gpt-x",
        name="GPT X",
        url="https://example.test/gpt x (beta)",
        organization=Organization.objects.create(name="Acme Labs"),
        license=License.objects.create(name="Acme License", kind=License.Kind.OSI),
    )
    raw = factories.ai_model(key="raw-one", name="Raw|One\\Two", preliminary_override=False)
    factories.entry(
        snap,
        curated,
        rank=1,
        rank_upper=1,
        rank_lower=2,
        score=1483.4,
        rating_lower=1472.4,
        rating_upper=1494.4,
        votes=3298,
        preliminary=True,
        raw_organization="ignored: curated wins",
        raw_license="ignored too",
    )
    factories.entry(
        snap,
        raw,
        rank=2,
        rank_upper=1,
        rank_lower=2,
        score=1465.0,
        rating_lower=None,
        rating_upper=1477.0,
        votes=None,
        preliminary=True,
        raw_organization="=Upstream Org",
        raw_license="Apache 2.0",
    )
    return board, snap


def rows_of(snap: Snapshot) -> list[ExportRow]:
    return exports.export_rows(selectors.board_rows(snap))


def test_rows_carry_curated_values_and_fall_back_to_upstreams_strings(
    published: tuple[Leaderboard, Snapshot],
) -> None:
    assert rows_of(published[1]) == [
        ExportRow(
            rank=1,
            rank_upper=1,
            rank_lower=2,
            model="GPT X",
            model_key="gpt-x",
            url="https://example.test/gpt x (beta)",
            organization="Acme Labs",
            license="Acme License",
            license_kind="osi",
            score=1483.4,
            rating_lower=1472.4,
            rating_upper=1494.4,
            votes=3298,
            preliminary=True,
        ),
        ExportRow(
            rank=2,
            rank_upper=1,
            rank_lower=2,
            model="Raw|One\\Two",
            model_key="raw-one",
            url="",
            organization="=Upstream Org",
            license="Apache 2.0",
            license_kind="",
            score=1465.0,
            rating_lower=None,
            rating_upper=1477.0,
            votes=None,
            preliminary=False,  # the curator's override beats upstream's marker
        ),
    ]


def test_json_describes_the_board_the_snapshot_and_every_row_without_links(
    published: tuple[Leaderboard, Snapshot],
) -> None:
    board, snap = published
    text = exports.render("json", board=board, snapshot=snap, rows=rows_of(snap))
    assert text.endswith("}\n")
    document = json.loads(text)
    assert document["board"] == {
        "slug": "text/overall",
        "arena": "text",
        "category": "overall",
        "style_control": True,
        "metric": "elo",
    }
    assert document["snapshot"] == {
        "published_on": "2025-11-18",
        "source": "seed",
        "upstream_updated_at": "2025-11-18T23:30:05+00:00",
        "imported_at": "2025-11-19T01:02:03+00:00",
    }
    assert document["rows"][1] == {
        "rank": 2,
        "rank_upper": 1,
        "rank_lower": 2,
        "model": "Raw|One\\Two",
        "model_key": "raw-one",
        "organization": "=Upstream Org",
        "license": "Apache 2.0",
        "license_kind": "",
        "score": 1465.0,
        "rating_lower": None,
        "rating_upper": 1477.0,
        "votes": None,
        "preliminary": False,
        "price_input": None,
        "price_output": None,
        "context_tokens": None,
        "organization_curated": False,
        "license_curated": False,
        # Movement: only the board's view annotates it (selectors.with_movement).
        "previous_rank": None,
        "rank_change": None,
        "score_change": None,
    }
    assert [row["model"] for row in document["rows"]] == ["GPT X", "Raw|One\\Two"]


def test_json_is_indented_for_people_to_read(published: tuple[Leaderboard, Snapshot]) -> None:
    board, snap = published
    text = exports.to_json(board=board, snapshot=snap, rows=rows_of(snap))
    assert text.startswith('{\n  "board": {\n    "slug": "text/overall",\n')


def test_json_keeps_non_ascii_names_readable(published: tuple[Leaderboard, Snapshot]) -> None:
    board, snap = published
    chinese = dataclasses.replace(rows_of(snap)[0], model="通义千问")
    assert '"model": "通义千问"' in exports.to_json(board=board, snapshot=snap, rows=[chinese])


def test_csv_has_a_header_rfc_line_ends_blank_nulls_and_no_links(
    published: tuple[Leaderboard, Snapshot],
) -> None:
    board, snap = published
    assert exports.render("csv", board=board, snapshot=snap, rows=rows_of(snap)) == (
        "rank,rank_upper,rank_lower,model,model_key,organization,license,license_kind,score,"
        "rating_lower,rating_upper,votes,preliminary,price_input,price_output,context_tokens,"
        "organization_curated,license_curated,previous_rank,rank_change,score_change\r\n"
        "1,1,2,GPT X,gpt-x,Acme Labs,Acme License,osi,1483.4,1472.4,1494.4,3298,True,"
        ",,,False,False,,,\r\n"
        "2,1,2,Raw|One\\Two,raw-one,'=Upstream Org,Apache 2.0,,1465.0,,1477.0,,False,"
        ",,,False,False,,,\r\n"
    )


@pytest.mark.parametrize(
    ("name", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("＝1", "'＝1"),
        ("＋1", "'＋1"),
        ("－1", "'－1"),
        ("＠x", "'＠x"),
        ("  =1", "'  =1"),
        ("\t1", "'\t1"),
        ("a-b", "a-b"),
        ("", ""),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(name: str, cell: str) -> None:
    row = ExportRow(1, 1, 1, name, "", "", "", "", "", 1.0, None, None, None, None)
    line = exports.to_csv([row]).split("\r\n")[1]
    assert line == f"1,1,1,{cell},,,,,1.0,,,,,,,,False,False,,,"


def test_csv_cells_starting_with_a_line_break_are_quoted_inside_one_field() -> None:
    row = ExportRow(1, 1, 1, "\r1", "\n2", "", "", "", "", 1.0, None, None, None, None)
    assert exports.to_csv([row]).split("\r\n", 1)[1] == (
        '1,1,1,"\'\r1","\'\n2",,,,1.0,,,,,,,,False,False,,,\r\n'
    )


@pytest.mark.parametrize(
    ("score", "lower", "upper", "shown"),
    [
        (1483.0, 1472.0, 1494.0, "±11"),
        (1465.0, 1455.0, 1477.0, "+12/-10"),
        (1400.4, 1389.0, 1411.3, "±11"),  # symmetric once rounded
        (1400.0, 1388.4, 1411.0, "+11/-12"),
        (1400.0, None, 1411.0, ""),
        (1400.0, 1389.0, None, ""),
        (1400.0, None, None, ""),
    ],
)
def test_the_interval_is_shown_as_plus_minus_or_as_its_two_sides(
    score: float, lower: float | None, upper: float | None, shown: str
) -> None:
    assert exports.format_interval(score, lower, upper) == shown


def test_markdown_has_the_seed_pages_header_table_and_sections(
    published: tuple[Leaderboard, Snapshot],
) -> None:
    board, snap = published
    text = exports.render("markdown", board=board, snapshot=snap, rows=rows_of(snap))
    lines = text.split("\n")
    assert lines[:13] == [
        "# LLM Arena Leaderboard — Text · Overall (`text/overall`)",
        "",
        "> **Data Update Time**: 2025-11-18 23:30:05 UTC / "
        "2025-11-19 07:30:05 CST (Beijing Time)  ",
        "> **Imported**: 2025-11-19 01:02 UTC  ",
        "> **Upstream publish date**: 2025-11-18",
        "",
        "## Leaderboard",
        "",
        "| Rank | Rank Spread (Upper◄─►Lower) | Model | Score | 95% Confidence Interval | "
        "Votes | Organization | License |",
        "|---:|:---:|:---|---:|:---:|---:|:---|:---|",
        "| 1 | 1◄─►2 | [GPT X](https://example.test/gpt%20x%20%28beta%29) | 1483 Preliminary | ±11 "
        "| 3,298 | Acme Labs | Acme License |",
        "| 2 | 1◄─►2 | Raw\\|One\\\\Two | 1465 |  |  | =Upstream Org | Apache 2.0 |",
        "",
    ]
    assert text.endswith("\n")
    assert "Source of this snapshot: seed." in text
    for heading in ("## Explanations", "## Data Source", "## Disclaimer"):
        assert heading in lines


def test_markdown_is_exactly_the_seed_pages_document(
    published: tuple[Leaderboard, Snapshot],
) -> None:
    # The whole document, prose included: the explanations are part of what users read.
    board, snap = published
    text = exports.to_markdown(board=board, snapshot=snap, rows=rows_of(snap))
    assert text == (DATA / "board.md").read_text(encoding="utf-8")


def test_markdown_times_are_utc_and_beijing_whatever_the_servers_zone(
    published: tuple[Leaderboard, Snapshot], settings: Any
) -> None:
    settings.TIME_ZONE = "America/New_York"  # also the process's local zone, as Django sets it
    board, snap = published
    text = exports.to_markdown(board=board, snapshot=snap, rows=rows_of(snap))
    assert "2025-11-18 23:30:05 UTC / 2025-11-19 07:30:05 CST (Beijing Time)" in text


def test_markdown_without_an_upstream_time_says_so_and_never_passes_ours_off_as_it(
    published: tuple[Leaderboard, Snapshot], settings: Any
) -> None:
    settings.TIME_ZONE = "America/New_York"  # our time is written in UTC all the same
    board, snap = published
    Snapshot.objects.filter(pk=snap.pk).update(upstream_updated_at=None)
    snap.refresh_from_db()

    text = exports.to_markdown(board=board, snapshot=snap, rows=rows_of(snap))

    assert "Data Update Time" not in text
    assert "> **Imported**: 2025-11-19 01:02 UTC (upstream states no update time)  " in text.split(
        "\n"
    )
    document = json.loads(exports.to_json(board=board, snapshot=snap, rows=rows_of(snap)))
    assert document["snapshot"]["upstream_updated_at"] is None


def test_the_seeds_update_time_is_written_back_by_the_markdown_export(
    client: Client, seed: None
) -> None:
    # The seed says "> **Data Update Time**: 2025-11-18 08:08:22 UTC / 2025-11-18 16:08:22 CST
    # (Beijing Time)"; imported today, the export must still say upstream's time, not ours.
    response = client.get("/text/overall/export.md")

    assert response.status_code == 200
    text = response.content.decode()
    assert (
        "> **Data Update Time**: 2025-11-18 08:08:22 UTC / 2025-11-18 16:08:22 CST (Beijing Time)"
        in text
    )
    imported = Snapshot.objects.get().imported_at.astimezone(dt.UTC)
    assert f"> **Imported**: {imported:%Y-%m-%d %H:%M} UTC  " in text

    chinese = client.get("/zh-hans/text/overall/export.md").content.decode()
    assert (
        "> **数据更新时间**: 2025-11-18 08:08:22 UTC / 2025-11-18 16:08:22 CST (北京时间)"
        in chinese
    )
    assert f"> **导入时间**: {imported:%Y-%m-%d %H:%M} UTC  " in chinese


def test_markdown_cells_stay_on_one_line_and_keep_their_pipes_and_backslashes(
    published: tuple[Leaderboard, Snapshot],
) -> None:
    board, snap = published
    row = dataclasses.replace(
        rows_of(snap)[1], model="a\nb|c\\", organization="x|y", license="l\nm"
    )
    text = exports.to_markdown(board=board, snapshot=snap, rows=[row])
    assert "| 2 | 1◄─►2 | a b\\|c\\\\ | 1465 |  |  | x\\|y | l m |" in text.split("\n")


def test_an_unknown_format_is_refused_naming_the_known_ones(
    published: tuple[Leaderboard, Snapshot],
) -> None:
    board, snap = published
    with pytest.raises(ValueError, match="unknown export format 'xml'; use one of json, csv, mark"):
        exports.render("xml", board=board, snapshot=snap, rows=[])


def test_a_rate_board_keeps_its_decimals_where_an_elo_board_rounds() -> None:
    # The agent board's score is a rate (12.47 %±1.54 %): whole numbers would show 12 ±2.
    from leaderboard.exports import format_interval, format_score, score_digits
    from leaderboard.models import Leaderboard

    rate, elo = score_digits(Leaderboard.Metric.SCORE), score_digits(Leaderboard.Metric.ELO)
    assert (format_score(12.47, rate), format_interval(12.47, 10.93, 14.01, rate)) == (
        "12.47", "±1.54",
    )  # fmt: skip
    assert (format_score(1490.4, elo), format_interval(1490.4, 1484.2, 1496.3, elo)) == (
        "1490", "±6",
    )  # fmt: skip
    assert format_interval(12.47, 10.0, 14.01, rate) == "+1.54/-2.47"


# --- price and context, as the page and the Markdown export write them ------------------------


@pytest.mark.parametrize(
    ("price", "text"),
    [
        (None, ""),
        (5, "$5"),
        (Decimal("5.00"), "$5"),
        (0, "$0"),
        (2.5, "$2.50"),
        (Decimal("1.25"), "$1.25"),
        (Decimal("0.075"), "$0.075"),
        (Decimal("0.0125"), "$0.0125"),
        (Decimal("12.3"), "$12.30"),
    ],
)
def test_a_price_is_written_in_dollars_as_upstream_writes_it(
    price: Decimal | float | None, text: str
) -> None:
    assert exports.format_price(price) == text


@pytest.mark.parametrize(
    ("price_input", "price_output", "text"),
    [
        (None, None, ""),
        (Decimal("1.25"), 10, "$1.25 / $10"),
        (None, 10, "— / $10"),
        (Decimal("0.5"), None, "$0.50 / —"),
    ],
)
def test_a_price_pair_marks_a_missing_side(
    price_input: Decimal | None, price_output: int | None, text: str
) -> None:
    assert exports.format_price_pair(price_input, price_output) == text


@pytest.mark.parametrize(
    ("tokens", "text"),
    [
        (None, ""),
        (0, "0"),
        (999, "999"),
        (1_000, "1K"),
        (128_000, "128K"),
        (131_072, "131.1K"),
        (1_000_000, "1M"),
        (1_100_000, "1.1M"),
        (2_000_000, "2M"),
    ],
)
def test_a_context_window_is_written_in_thousands_or_millions(
    tokens: int | None, text: str
) -> None:
    assert exports.format_context(tokens) == text


@pytest.mark.parametrize(
    ("prices", "cells"),
    [
        ({"price_input": Decimal("1.25"), "price_output": 10}, " $1.25/$10 |  |"),
        ({"price_input": Decimal("0.5")}, " $0.50/— |  |"),
        ({"price_output": 10}, " —/$10 |  |"),
        ({"context_tokens": 128_000}, "  | 128K |"),
    ],
)
def test_markdown_adds_price_and_context_columns_when_any_row_has_one(
    published: tuple[Leaderboard, Snapshot], prices: dict[str, Any], cells: str
) -> None:
    board, snap = published
    first, second = rows_of(snap)
    text = exports.to_markdown(
        board=board, snapshot=snap, rows=[dataclasses.replace(first, **prices), second]
    )
    lines = text.split("\n")

    header = next(line for line in lines if line.startswith("| Rank |"))
    assert header.endswith("| License | Price $/M | Context |")
    assert "|---:|:---:|:---|---:|:---:|---:|:---|:---|---:|---:|" in lines
    assert table_rows(text)[0].endswith(f"| Acme License |{cells}")
    assert table_rows(text)[1].endswith("| Apache 2.0 |  |  |")  # the other row: blank cells


def test_markdown_without_prices_has_no_price_columns(
    published: tuple[Leaderboard, Snapshot],
) -> None:
    board, snap = published
    text = exports.to_markdown(board=board, snapshot=snap, rows=rows_of(snap))
    assert "Price $/M" not in text
    assert "|---:|:---:|:---|---:|:---:|---:|:---|:---|" in text.split("\n")
    assert table_rows(text)[1].endswith("| Apache 2.0 |")


def test_markdown_of_a_rate_board_keeps_two_decimals(
    published: tuple[Leaderboard, Snapshot],
) -> None:
    board, snap = published
    board.metric = Leaderboard.Metric.SCORE
    text = exports.to_markdown(board=board, snapshot=snap, rows=rows_of(snap))
    assert "| 1483.40 Preliminary | ±11.00 |" in table_rows(text)[0]


def test_markdown_links_http_and_https_models_alike(
    published: tuple[Leaderboard, Snapshot],
) -> None:
    board, snap = published
    first, second = rows_of(snap)
    rows = [
        dataclasses.replace(first, url="HTTP://Example.test/a"),
        dataclasses.replace(second, url="https://example.test/b"),
    ]
    text = exports.to_markdown(board=board, snapshot=snap, rows=rows)
    assert "[GPT X](HTTP://Example.test/a)" in table_rows(text)[0]
    assert "(https://example.test/b)" in table_rows(text)[1]


def test_json_says_what_the_movement_is_measured_against(
    published: tuple[Leaderboard, Snapshot],
) -> None:
    board, snap = published
    since = json.loads(
        exports.to_json(
            board=board, snapshot=snap, rows=rows_of(snap), movement_since=dt.date(2025, 11, 1)
        )
    )
    plain = json.loads(exports.to_json(board=board, snapshot=snap, rows=rows_of(snap)))
    assert since["movement_since"] == "2025-11-01"
    assert plain["movement_since"] is None


def test_json_times_are_utc_whatever_the_servers_zone(
    published: tuple[Leaderboard, Snapshot], settings: Any
) -> None:
    settings.TIME_ZONE = "America/New_York"
    board, snap = published
    document = json.loads(exports.to_json(board=board, snapshot=snap, rows=rows_of(snap)))
    assert document["snapshot"]["upstream_updated_at"].endswith("+00:00")


def test_export_rows_carry_prices_movement_and_which_names_are_curated(
    published: tuple[Leaderboard, Snapshot],
) -> None:
    first, second = selectors.board_rows(published[1])
    moved = first._replace(
        price_input=Decimal("1.25"),
        price_output=Decimal("10"),
        context_tokens=128_000,
        raw_organization="",  # curated names that upstream's strings did not override
        raw_license="",
        previous_rank=3,
        rank_change=2,
        score_change=0.12345678,
    )

    curated, raw = exports.export_rows([moved, second])

    assert (curated.price_input, curated.price_output, curated.context_tokens) == (
        1.25,
        10,
        128_000,
    )
    assert type(curated.price_input) is float and type(curated.price_output) is float
    assert (curated.organization_curated, curated.license_curated) == (True, True)
    assert (curated.previous_rank, curated.rank_change, curated.score_change) == (3, 2, 0.123457)
    assert (raw.price_input, raw.price_output, raw.context_tokens) == (None, None, None)
    assert (raw.organization_curated, raw.license_curated) == (False, False)
    assert (raw.previous_rank, raw.rank_change, raw.score_change) == (None, None, None)


def test_render_passes_the_movement_baseline_to_the_json(
    published: tuple[Leaderboard, Snapshot],
) -> None:
    board, snap = published
    text = exports.render(
        "json", board=board, snapshot=snap, rows=rows_of(snap), movement_since=dt.date(2025, 11, 1)
    )
    assert json.loads(text)["movement_since"] == "2025-11-01"


def test_markdown_explains_the_price_columns_only_when_it_has_them(
    published: tuple[Leaderboard, Snapshot],
) -> None:
    board, snap = published
    first, second = rows_of(snap)
    explanation = (
        "- **Price $/M / Context**: upstream's price in US$ per million input / output tokens,"
        " and the context window in tokens."
    )
    priced = exports.to_markdown(
        board=board, snapshot=snap, rows=[dataclasses.replace(first, context_tokens=8_000), second]
    )
    plain = exports.to_markdown(board=board, snapshot=snap, rows=[first, second])
    assert explanation in priced.split("\n")
    assert "Price $/M" not in plain


def test_a_score_is_whole_unless_told_otherwise() -> None:
    assert exports.format_score(1490.4) == "1490"
    assert exports.format_score(12.467, 2) == "12.47"


def test_markdown_links_the_snapshots_source_when_it_has_an_address(
    published: tuple[Leaderboard, Snapshot],
) -> None:
    board, snap = published
    Snapshot.objects.filter(pk=snap.pk).update(source="hf-dataset")
    snap.refresh_from_db()
    text = exports.to_markdown(board=board, snapshot=snap, rows=rows_of(snap))
    label = labels.source_label("hf-dataset")
    assert label.url
    assert f"Source of this snapshot: [{label.name}]({label.url})." in text
