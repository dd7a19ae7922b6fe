"""arena.ai leaderboard pages: the board rows from the Next.js flight data, the table fallback.

No real arena.ai page is among the upstream samples, so the pages here are built in the test:
the WRAPPER is synthetic (flight rows, ``self.__next_f.push`` chunks, the board objects around
the entries, the rendered table), written to the shape public arena.ai scrapers read (see the
adapter's module docstring); the ENTRIES are real, taken unchanged from
``tests/data/upstream/json-rsc-entries/`` (arena-monitor's scrape of
``/leaderboard/text/overall-no-style-control``). Which other board a real entry list is put
under (style control on, webdev, vision) is part of the synthetic wrapper.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaderboard.boards import BoardKey
from leaderboard.sources.arena_page import ArenaPageAdapter
from leaderboard.sources.base import ChallengePage, FormatError
from tests.paths import UPSTREAM

ENTRIES_FEB = json.loads(
    (UPSTREAM / "json-rsc-entries/arena_monitor_last_snapshot_2026-02-15.json").read_bytes()
)
ENTRIES_JUN = json.loads(
    (UPSTREAM / "json-rsc-entries/arena_monitor_last_snapshot_2026-06-25.json").read_bytes()
)
GRADIO_PAGE = UPSTREAM / "html-gradio/lmarena_gradio_page_source_2025-03-28.html"

TEXT_OFF = BoardKey(arena="text", category="overall", style_control=False)
TEXT_ON = BoardKey(arena="text", category="overall", style_control=True)
ADAPTER = ArenaPageAdapter()

# A text row (``T<hex byte length>,``) holding newlines, non-ASCII text and a line that looks
# like a board row: only a reader that honours the byte length skips it correctly.
TRAP_TEXT = (
    "排行榜说明 — style control…\n"
    '7:{"leaderboard":{"arenaSlug":"text","leaderboardSlug":"overall-no-style-control",'
    '"entries":[{"modelDisplayName":"decoy","rating":1}]}}\n'
    "end of text"
)


def board(
    entries: object,
    *,
    arena: str = "text",
    slug: str = "overall-no-style-control",
    category: str = "overall",
    style: bool = False,
    cutoff: str = "2026-02-11T00:00:00.000Z",
) -> dict[str, object]:
    return {
        "arenaSlug": arena,
        "leaderboardSlug": slug,
        "params": {"category": category, "styleControl": style},
        "category": "$44:0:1",
        "id": f"{arena}-{slug}",
        "entries": entries,
        "voteCutoffISOString": cutoff,
        "totalModels": 305,
        "totalVotes": 5271984,
    }


def flight_rows(*, with_requested: bool = True) -> list[str]:
    """A flight stream for an overview-like page that lists several boards."""
    trap = TRAP_TEXT.encode()
    rows = [
        # Next.js sends resource hints first, as rows without an id.
        ':HL["/_next/static/css/app.css","style"]',
        '0:{"P":null,"b":"x1y2z3","p":"","c":["","leaderboard","text"],"i":false}',
        '1:"$Sreact.fragment"',
        '2:I[688172,["static/chunks/1234.js"],"default"]',
        f"3:T{len(trap):x},{TRAP_TEXT}",
        "4a:" + json.dumps(ENTRIES_JUN[:12]),
        '9:["$","$L16",null,'
        + json.dumps(
            {
                "slug": "text",
                "leaderboard": board(
                    ENTRIES_JUN, slug="overall", style=True, cutoff="2026-06-20T00:00:00.000Z"
                ),
            }
        )
        + "]",
        "b:"
        + json.dumps(
            {
                "leaderboards": [
                    board(ENTRIES_FEB[:10], arena="webdev", slug="overall", style=True),
                    board("$4a", arena="vision", slug="overall", style=True),
                ]
            }
        ),
    ]
    if with_requested:
        rows.append('c:["$","$L17",null,' + json.dumps({"leaderboard": board(ENTRIES_FEB)}) + "]")
    return rows


def page(rows: list[str], *, chunk: int = 97) -> bytes:
    """HTML whose flight stream is cut every ``chunk`` characters, often inside JSON strings."""
    stream = "".join(row + "\n" for row in rows)
    pieces = [stream[i : i + chunk] for i in range(0, len(stream), chunk)]
    scripts = "".join(
        f"<script>self.__next_f.push({json.dumps([1, piece])})</script>" for piece in pieces
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><title>Leaderboard | Arena</title>'
        "<script>(self.__next_f=self.__next_f||[]).push([0])</script></head>"
        '<body><div id="root">Loading…</div>'
        f"{scripts}"
        "<script>window.__CF$cv$params={r:'9abc'};a.src='/cdn-cgi/challenge-platform/scripts/jsd/main.js'"
        "</script></body></html>"
    ).encode()


PAGE = page(flight_rows())


# --- flight data ----------------------------------------------------------------------------


def test_page_with_several_boards_returns_the_requested_one() -> None:
    result = ADAPTER.parse(PAGE, hint=TEXT_OFF)

    assert result.format == "arena-page"
    (snapshot,) = result.snapshots
    assert (snapshot.arena, snapshot.category, snapshot.style_control) == ("text", "overall", False)
    assert snapshot.published_on == dt.date(2026, 2, 11)
    assert snapshot.rank_kind == "position"
    assert len(snapshot.rows) == 50
    first = snapshot.rows[0]
    assert (first.model, first.score, first.votes) == ("claude-opus-4-6-thinking", 1503.65, 3922)
    assert (first.rating_lower, first.rating_upper) == (1493.93, 1513.37)
    assert (first.rank, first.rank_upper, first.rank_lower) == (1, 1, 2)
    assert (first.organization, first.license, first.preliminary) == (
        "Anthropic",
        "Proprietary",
        None,
    )
    last = snapshot.rows[-1]
    assert (last.model, last.score, last.rank_upper, last.rank_lower) == (
        "qwen3-max-2025-09-23",
        1414.0,
        25,
        60,
    )


def test_style_control_variants_of_one_board_are_never_mixed() -> None:
    (on,) = ADAPTER.parse(PAGE, hint=TEXT_ON).snapshots
    (off,) = ADAPTER.parse(PAGE, hint=TEXT_OFF).snapshots

    assert on.style_control is True
    assert on.published_on == dt.date(2026, 6, 20)
    assert [r.model for r in on.rows] == [e["modelDisplayName"] for e in ENTRIES_JUN]
    assert [r.model for r in off.rows] == [e["modelDisplayName"] for e in ENTRIES_FEB]


def test_boards_listed_together_are_told_apart_by_their_arena() -> None:
    (webdev,) = ADAPTER.parse(PAGE, hint=BoardKey("webdev", "overall", True)).snapshots

    assert webdev.arena == "webdev"
    assert [r.model for r in webdev.rows] == [e["modelDisplayName"] for e in ENTRIES_FEB[:10]]


def test_entries_given_as_a_reference_to_another_flight_row_are_followed() -> None:
    (vision,) = ADAPTER.parse(PAGE, hint=BoardKey("vision", "overall", True)).snapshots

    assert [r.model for r in vision.rows] == [e["modelDisplayName"] for e in ENTRIES_JUN[:12]]


def test_absent_board_raises_format_error_naming_the_boards_on_the_page() -> None:
    with pytest.raises(FormatError) as raised:
        ADAPTER.parse(PAGE, hint=BoardKey("text", "coding", True))

    message = str(raised.value)
    assert "no board text/coding (style control on)" in message
    for label in (
        "text/overall (style control on)",
        "text/overall (style control off)",
        "webdev/overall (style control on)",
        "vision/overall (style control on)",
    ):
        assert label in message
    assert not isinstance(raised.value, ChallengePage)


def test_board_missing_from_a_page_is_not_replaced_by_another_board() -> None:
    data = page(flight_rows(with_requested=False))

    with pytest.raises(FormatError, match="no board text/overall \\(style control off\\)"):
        ADAPTER.parse(data, hint=TEXT_OFF)


@pytest.mark.parametrize("chunk", [1, 7, 97, 4096, 1_000_000])
def test_chunk_boundaries_anywhere_give_the_same_rows(chunk: int) -> None:
    expected = ADAPTER.parse(PAGE, hint=TEXT_OFF).snapshots[0].rows

    assert (
        ADAPTER.parse(page(flight_rows(), chunk=chunk), hint=TEXT_OFF).snapshots[0].rows == expected
    )


def test_text_rows_are_skipped_by_byte_length_not_by_line() -> None:
    # The decoy row inside the T row would be the only text/overall-no-style-control board if
    # the reader split the text row on its newlines.
    data = page([row for row in flight_rows() if not row.startswith("c:")])

    with pytest.raises(FormatError, match="no board text/overall \\(style control off\\)"):
        ADAPTER.parse(data, hint=TEXT_OFF)


def test_bare_flight_body_parses_like_the_page() -> None:
    body = "".join(row + "\n" for row in flight_rows()).encode()

    assert ADAPTER.sniff(body)
    assert (
        ADAPTER.parse(body, hint=TEXT_OFF).snapshots[0].rows
        == ADAPTER.parse(PAGE, hint=TEXT_OFF).snapshots[0].rows
    )


def test_escaped_unicode_in_entries_is_decoded() -> None:
    entries = [dict(ENTRIES_FEB[0], modelOrganization="智谱 Z.ai")]
    row = 'c:["$","$L17",null,' + json.dumps({"leaderboard": board(entries)}) + "]"

    (snapshot,) = ADAPTER.parse(page([row], chunk=5), hint=TEXT_OFF).snapshots

    assert snapshot.rows[0].organization == "智谱 Z.ai"


def test_entry_flags_and_links_are_read_when_present() -> None:
    entry = dict(
        ENTRIES_FEB[5],
        modelKey="ernie-5.0-0110",
        modelUrl="https://ernie.baidu.com/blog/posts/ernie-5.0-0110-release-on-lmarena/",
        isPreliminary=True,
    )
    unsafe = dict(ENTRIES_FEB[6], modelUrl="javascript:alert(1)")
    row = "c:" + json.dumps({"leaderboard": board([entry, unsafe])})

    rows = ADAPTER.parse(page([row]), hint=TEXT_OFF).snapshots[0].rows

    assert (rows[0].model_key, rows[0].preliminary) == ("ernie-5.0-0110", True)
    assert rows[0].url.startswith("https://ernie.baidu.com/")
    assert (rows[1].url, rows[1].preliminary) == ("", None)


def test_older_board_keys_name_the_category_and_style_variant() -> None:
    old = {
        "categorySlug": "coding",
        "leaderboardType": "remove-style-control",
        "arenaSlug": "text",
        "entries": ENTRIES_FEB[:3],
    }
    data = page(["5:" + json.dumps(old)])

    (snapshot,) = ADAPTER.parse(data, hint=BoardKey("text", "coding", False)).snapshots
    assert (snapshot.category, snapshot.style_control, len(snapshot.rows)) == ("coding", False, 3)


def test_broken_entry_is_rejected_not_skipped() -> None:
    entries = [*ENTRIES_FEB[:2], {"rank": 3, "modelDisplayName": "broken-row", "rating": None}]
    data = page(["c:" + json.dumps({"leaderboard": board(entries)})])

    with pytest.raises(FormatError, match=r"entry 3 \(broken-row\) has no numeric rating"):
        ADAPTER.parse(data, hint=TEXT_OFF)


def test_board_with_no_entries_is_an_error() -> None:
    data = page(["c:" + json.dumps({"leaderboard": board([])})])

    with pytest.raises(FormatError, match="has no entries"):
        ADAPTER.parse(data, hint=TEXT_OFF)


def test_truncated_page_is_rejected() -> None:
    with pytest.raises(FormatError, match=r"self\.__next_f\.push chunk"):
        ADAPTER.parse(PAGE[: len(PAGE) // 2], hint=TEXT_OFF)


# --- rendered table fallback ----------------------------------------------------------------


def table_page(entries: list[dict[str, object]]) -> bytes:
    """An arena.ai-like rendered table: logos as img/svg beside the name, spread in two spans."""
    head = "".join(
        f"<th><button>{h}<svg><title>sort</title></svg></button></th>"
        for h in (
            "Rank",
            "Rank Spread",
            "Model",
            "Score",
            "95% CI (±)",
            "Votes",
            "Organization",
            "License",
        )
    )
    body = []
    for n, e in enumerate(entries):
        score = round(float(str(e["rating"])))
        ci = round(float(str(e["ratingUpper"])) - float(str(e["rating"])))
        badge = '<span class="badge">Preliminary</span>' if n == 5 else ""
        href = (
            "javascript:void(0)"
            if n == 1
            else f"https://example.org/models/{e['modelDisplayName']}"
        )
        org = e["modelOrganization"]
        body.append(
            "<tr>"
            f"<td>{e['rank']}</td>"
            f"<td><span>{e['rankUpper']}</span><span>{e['rankLower']}</span></td>"
            f'<td><div><img alt="{org}" src="/logos/x.svg"><svg><title>{org}</title></svg>'
            f'<a href="{href}" title="x">{e["modelDisplayName"]}</a></div></td>'
            f"<td>{score}{badge}</td><td>±{ci}</td><td>{int(str(e['votes'])):,}</td>"
            f"<td><svg><title>{org}</title></svg>{org}</td><td>{e['license']}</td>"
            "</tr>"
        )
    return (
        "<html><head><title>Text Arena | Leaderboard</title></head><body>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        "</body></html>"
    ).encode()


def test_rendered_table_is_read_by_header_when_there_is_no_flight_data() -> None:
    data = table_page(ENTRIES_FEB[:8])

    assert ADAPTER.sniff(data)
    (snapshot,) = ADAPTER.parse(data, hint=TEXT_OFF).snapshots
    assert (snapshot.arena, snapshot.category, snapshot.style_control) == (None, None, None)
    assert snapshot.rank_kind == "position"
    assert len(snapshot.rows) == 8
    first = snapshot.rows[0]
    assert (first.model, first.score, first.votes) == ("claude-opus-4-6-thinking", 1504.0, 3922)
    assert (first.rating_lower, first.rating_upper) == (1494.0, 1514.0)
    assert (first.rank, first.rank_upper, first.rank_lower) == (1, 1, 2)
    assert (first.organization, first.license) == ("Anthropic", "Proprietary")
    assert first.url == "https://example.org/models/claude-opus-4-6-thinking"
    assert first.raw_model == ""
    assert snapshot.rows[1].url == ""
    assert [r.preliminary for r in snapshot.rows] == [False] * 5 + [True] + [False] * 2
    assert snapshot.rows[5].model == "ernie-5.0-0110"
    assert snapshot.rows[5].score == 1452.0


def test_table_columns_are_found_by_header_not_position() -> None:
    data = table_page(ENTRIES_FEB[:3]).replace(b"<th>", b"<th class='c'>")
    # Swap the Votes and Score headers: values follow the headers, not the positions.
    swapped = (
        data.replace(b">Score<", b">TMP<")
        .replace(b">Votes<", b">Score<")
        .replace(b">TMP<", b">Votes<")
    )

    rows = ADAPTER.parse(swapped, hint=TEXT_OFF).snapshots[0].rows
    assert (rows[0].score, rows[0].votes) == (3922.0, 1504)


# --- challenge pages and other HTML ---------------------------------------------------------

CHALLENGE_MANAGED = b"""<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<meta name="robots" content="noindex,nofollow">
</head><body><div class="main-wrapper" role="main"><div class="main-content"><noscript>
<div class="h2"><span id="challenge-error-text">Enable JavaScript and cookies to continue</span>
</div></noscript>
</div></div><script>(function(){window._cf_chl_opt={cvId: '3',cZone: 'arena.ai',cType: 'managed',
cRay: '8f0e2c1d9a7b3e4f',cH: 'abc',cUPMDTk: "/leaderboard/text?__cf_chl_tk=xyz",
cFPWv: 'b',cITimeS: '1739600000'};var cpo = document.createElement('script');
cpo.src = '/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1?ray=8f0e2c1d9a7b3e4f';
document.getElementsByTagName('head')[0].appendChild(cpo);}());</script></body></html>"""

CHALLENGE_BLOCKED = b"""<!DOCTYPE html>
<!--[if lt IE 7]> <html class="no-js ie6 oldie" lang="en-US"> <![endif]-->
<head><title>Attention Required! | Cloudflare</title><meta charset="UTF-8" />
<link rel="stylesheet" id="cf_styles-css" href="/cdn-cgi/styles/cf.errors.css" /></head>
<body><div id="cf-wrapper"><div id="cf-error-details" class="cf-error-details-wrapper">
<h1 data-translate="block_headline">Sorry, you have been blocked</h1>
<h2 class="cf-subheadline">You are unable to access arena.ai</h2></div></div></body></html>"""


# Served with 200 by an edge that rewrote the status: no telling title, only the markers.
CHALLENGE_200 = (
    b'<html><head><title>arena.ai</title></head><body><div id="cf-chl-widget-a1b2"></div>'
    b'<script src="/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1?ray=1"></script>'
    b"</body></html>"
)


@pytest.mark.parametrize(
    "body",
    [CHALLENGE_MANAGED, CHALLENGE_BLOCKED, CHALLENGE_200],
    ids=["403-just-a-moment", "403-attention-required", "200-markers-only"],
)
def test_cloudflare_challenge_raises_challenge_page(body: bytes) -> None:
    assert ADAPTER.sniff(body)
    with pytest.raises(ChallengePage):
        ADAPTER.parse(body, hint=TEXT_OFF)


def test_cloudflare_bot_detection_script_on_a_real_page_is_not_a_challenge() -> None:
    # The Gradio-era page loads /cdn-cgi/challenge-platform/scripts/jsd/main.js like every
    # Cloudflare-fronted page; it is not this format, but it is not a challenge either.
    with pytest.raises(FormatError) as raised:
        ADAPTER.parse(GRADIO_PAGE.read_bytes(), hint=TEXT_OFF)

    assert not isinstance(raised.value, ChallengePage)
    assert ADAPTER.parse(PAGE, hint=TEXT_OFF).snapshots


def test_html_without_leaderboard_data_raises_format_error() -> None:
    body = b"<html><head><title>Arena</title></head><body><p>Vote now</p></body></html>"

    with pytest.raises(FormatError, match="no leaderboard data") as raised:
        ADAPTER.parse(body, hint=TEXT_OFF)
    assert not isinstance(raised.value, ChallengePage)


def test_flight_data_without_boards_raises_format_error() -> None:
    data = page(['0:{"P":null,"b":"x"}', '2:I[1,[],"default"]'])

    with pytest.raises(FormatError, match="no leaderboard data"):
        ADAPTER.parse(data, hint=TEXT_OFF)


# --- sniffing and robustness --------------------------------------------------------------


def test_sniff_claims_synthetic_pages() -> None:
    assert ADAPTER.sniff(PAGE)


@settings(max_examples=200, deadline=None)
@given(
    text=st.lists(
        st.sampled_from(
            [
                *'<>/"\\[]{}:,0123456789abcdefT \n',
                "<table>",
                "<tr>",
                "<td>",
                "<th>Model</th>",
                "<th>Score</th>",
                "self.__next_f.push(",
                "modelDisplayName",
            ]
        ),
        max_size=300,
    ).map("".join)
)
def test_markup_soup_only_ever_raises_format_error(text: str) -> None:
    try:
        ADAPTER.parse(text.encode(), hint=TEXT_OFF)
    except FormatError:
        return


FULL_ROWS = ADAPTER.parse(PAGE, hint=TEXT_OFF).snapshots[0].rows


@settings(max_examples=200, deadline=None)
@given(cut=st.integers(min_value=0, max_value=len(PAGE)), chunk=st.integers(1, 300))
def test_truncated_pages_give_all_rows_or_format_error(cut: int, chunk: int) -> None:
    data = page(flight_rows(), chunk=chunk)[:cut]
    try:
        result = ADAPTER.parse(data, hint=TEXT_OFF)
    except FormatError:
        return
    # JSON rows parse whole or not at all: never a silently shortened board.
    assert result.snapshots[0].rows == FULL_ROWS


@settings(max_examples=200, deadline=None)
@given(
    flips=st.lists(
        st.tuples(st.integers(0, len(PAGE) - 1), st.integers(0, 255)), min_size=1, max_size=6
    )
)
def test_mutated_pages_only_ever_raise_format_error(flips: list[tuple[int, int]]) -> None:
    mutated = bytearray(PAGE)
    for where, value in flips:
        mutated[where] = value
    assert isinstance(ADAPTER.sniff(bytes(mutated)), bool)
    try:
        ADAPTER.parse(bytes(mutated), hint=TEXT_OFF)
    except FormatError:
        return


def test_entries_carry_upstreams_price_and_context_where_they_have_them() -> None:
    priced = [
        {**ENTRIES_FEB[0], "inputPricePerMillion": 5, "outputPricePerMillion": 25.0,
         "contextLength": 1_000_000},
        {**ENTRIES_FEB[1], "inputPricePerMillion": None, "contextLength": "200K"},
        *ENTRIES_FEB[2:],
    ]  # fmt: skip
    body = page(['c:["$","$L17",null,' + json.dumps({"leaderboard": board(priced)}) + "]"])

    rows = ADAPTER.parse(body, hint=TEXT_OFF).snapshots[0].rows

    first, second, third = rows[:3]
    assert (first.price_input, first.price_output, first.context_tokens) == (
        Decimal("5"),
        Decimal("25"),
        1_000_000,
    )
    assert (second.price_input, second.price_output, second.context_tokens) == (None, None, 200_000)
    assert (third.price_input, third.price_output, third.context_tokens) == (None, None, None)
