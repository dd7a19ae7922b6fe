"""The public board pages through Django's test client: content, dates, bad input, hostile
data, error pages."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any
from urllib.parse import urlencode

import hypothesis
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import strategies as st

from leaderboard.filters import STATE_PARAMS
from tests.leaderboard import factories
from tests.leaderboard.pages import export_json
from tests.paths import SEED, UPSTREAM

pytestmark = pytest.mark.django_db

DEC_20 = UPSTREAM / "markdown-cherry" / "lmarena_md_2025-12-20_rank-spread.md"


def seed_table() -> list[dict[str, object]]:
    """The seed's own rows, read independently of the importer (split on the pipes)."""
    rows = []
    for line in SEED.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 8 or not cells[0].isdigit():
            continue
        rank, spread, model, score, ci, votes = cells[:6]
        upper, lower = spread.split("◄─►")
        rows.append(
            {
                "rank": int(rank), "rank_upper": int(upper), "rank_lower": int(lower),
                "raw_model": model, "score": float(score.removesuffix("Preliminary")),
                "preliminary": score.endswith("Preliminary"), "ci": int(ci.lstrip("±")),
                "votes": int(votes.replace(",", "")),
            }
        )  # fmt: skip
    return rows


def test_seed_parity_every_row_with_the_seeds_numbers_and_clean_names(
    client: Client, seed: None
) -> None:
    expected = seed_table()
    rows = export_json(client)["rows"]

    assert len(expected) == len(rows) == 266
    for want, got in zip(expected, rows, strict=True):
        assert (got["rank"], got["rank_upper"], got["rank_lower"]) == (
            want["rank"], want["rank_upper"], want["rank_lower"],
        )  # fmt: skip
        assert (got["score"], got["votes"], got["preliminary"]) == (
            want["score"], want["votes"], want["preliminary"],
        )  # fmt: skip
        assert got["rating_upper"] - got["score"] == want["ci"]
        assert got["model"]
        assert got["model"] == want["raw_model"] or str(want["raw_model"]).endswith(got["model"])
    names = {row["model"] for row in rows}
    assert {"claude-opus-4-1-20250805", "kimi-k2-thinking", "phi-4", "yi-lightning"} <= names
    assert not any(name.startswith(("Anthropic", "MoonshotAI", "Azure", "01.AI")) for name in names)


def test_the_default_page_shows_every_seed_column(client: Client, seed: None) -> None:
    html = client.get("/").content.decode()

    for header in ("Rank", "Rank spread", "Model", "Score", "95% CI", "Votes", "Organization"):
        assert f">{header}" in html
    assert "1◄─►2" in html
    assert '<span class="badge">Preliminary</span> 1483' in html
    assert "±11" in html and "3,298" in html
    assert "2025-11-18" in html  # upstream publish date
    assert "UTC" in html and "CST (Beijing time)" in html
    assert "266 shown of 266" in html
    assert "CC BY 4.0" in html
    assert "interval of ranks, not a bound on the score" in html


def test_the_board_shows_upstreams_update_time_and_our_import_time_apart(
    client: Client, seed: None
) -> None:
    html = client.get("/").content.decode()
    imported = timezone.now().astimezone(dt.UTC)  # the seed fixture imported it just now

    # The seed's own "Data Update Time", in UTC and Beijing time, not the time we imported it.
    assert re.search(
        r"Data update time</dt>\s*<dd><time datetime=\"2025-11-18T08:08:22\+00:00\">"
        r"2025-11-18 08:08:22 UTC</time> / 2025-11-18 16:08:22 CST \(Beijing time\)",
        html,
    )
    assert re.search(rf"Imported</dt>\s*<dd><time[^>]*>{imported:%Y-%m-%d} \d\d:\d\d UTC", html)
    chinese = client.get("/zh-hans/").content.decode()
    assert "2025-11-18 16:08:22 CST (北京时间)" in chinese and "导入时间" in chinese


def test_a_board_dated_by_its_fetch_says_upstream_stated_no_time(client: Client) -> None:
    board = factories.board()
    snap = factories.snapshot(board, dated_by="fetch", upstream_updated_at=None)
    factories.entry(snap, factories.ai_model())
    board.current_snapshot = snap
    board.save(update_fields=["current_snapshot"])

    html = client.get("/").content.decode()

    assert re.search(r"Data update time</dt>\s*<dd>not stated by upstream</dd>", html)
    assert "dated by the fetch: upstream gives no date" in html


def test_boards_have_urls_like_arena_ai_and_a_style_control_twin(client: Client) -> None:
    call_command("load_bundled_data", stdout=io.StringIO())

    raw = client.get("/text/overall-no-style-control/")
    styled = client.get("/text/overall/")

    assert raw.status_code == styled.status_code == 200
    assert "no style control" in raw.content.decode()
    assert 'href="/text/overall/"' in raw.content.decode()
    assert 'href="/text/overall-no-style-control/"' in styled.content.decode()
    assert client.get("/webdev/overall/").status_code == 200
    assert client.get("/text/nonexistent/").status_code == 404
    assert client.get("/text/overall/export.exe").status_code == 404


def test_as_of_shows_a_past_snapshot_and_says_so(client: Client, seed: None) -> None:
    call_command("import_leaderboard", str(DEC_20), stdout=io.StringIO())

    past = client.get("/text/overall/?as_of=2025-11-30").content.decode()
    latest = client.get("/text/overall/").content.decode()

    assert "2025-11-18" in past and "a past snapshot" in past
    assert "2025-12-20" in latest and "a past snapshot" not in latest
    assert client.get("/text/overall/?as_of=2020-01-01").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "?min_votes=abc", "?min_votes=-5", "?rank_min=0&rank_max=x", "?as_of=2025-13-45",
        "?as_of=yesterday", "?organization=Nobody&organization=", "?license_kind=bogus",
        "?sort=nonexistent", "?sort=-__class__", "?sort=model__organization__name;drop",
        "?new_since=soon", "?preliminary=maybe", "?open=perhaps", f"?q={'x' * 500}",
        "?page=999", "?min_votes=1e309", "?%00=%00", "?q=%ff%fe",
    ],
)  # fmt: skip
def test_bad_query_strings_never_break_the_page(client: Client, seed: None, query: str) -> None:
    for path in ("/text/overall/", "/text/overall/export.csv", "/text/overall/export.json"):
        # An empty value is answered by a redirect to the short URL first (one hop at most).
        response = client.get(path + query, follow=True)
        assert response.status_code == 200, (path, query)
        assert len(response.redirect_chain) <= 1, response.redirect_chain


# Values a visitor (or a crawler) might send: real ones, near misses, and junk.
QUERY_VALUES = st.one_of(
    st.sampled_from(["", "0", "-1", "1e309", "nan", "on", "only", "hide", "2025-11-18",
                     "9999-12-31", "2024-01-01", "DeepSeek", "Proprietary", "open_permissive",
                     "-votes", "model", "rank", "\x00", "%", "'; drop table"]),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=30),
)  # fmt: skip
QUERY_PAIRS = st.lists(
    st.tuples(st.sampled_from([*STATE_PARAMS, "page", "utm_source"]), QUERY_VALUES), max_size=6
)


@hypothesis.settings(
    max_examples=40, deadline=None,
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture],
)  # fmt: skip
@hypothesis.given(
    pairs=QUERY_PAIRS,
    path=st.sampled_from(["/", "/text/overall/", "/text/overall/export.csv",
                          "/text/overall/export.json", "/zh-hans/text/overall/export.md",
                          "/status/", "/zh-hans/status/", "/readyz", "/healthz"]),
)  # fmt: skip
def test_no_query_string_makes_a_page_or_an_export_fail(
    client: Client, seed: None, pairs: list[tuple[str, str]], path: str
) -> None:
    response = client.get(f"{path}?{urlencode(pairs)}", follow=True)

    # Empty values are dropped by one redirect; junk is ignored; the only refusal is a real
    # date before the board's first snapshot (on a board: the status and health pages read no
    # query parameter).
    as_of = dict(pairs).get("as_of", "")  # the last value wins, as in the view
    try:
        before_first = dt.date.fromisoformat(as_of.strip()) < dt.date(2025, 11, 18)
    except ValueError:
        before_first = False
    on_a_board = not path.startswith(("/status/", "/zh-hans/status/", "/readyz", "/healthz"))
    assert response.status_code == (404 if before_first and on_a_board else 200), (path, pairs)
    assert len(response.redirect_chain) <= 1, response.redirect_chain


def test_a_bad_date_is_reported_on_the_page(client: Client, seed: None) -> None:
    html = client.get("/text/overall/?as_of=yesterday&min_votes=abc").content.decode()

    assert "is not a date" in html
    assert "Some filters were ignored" in html
    assert "266 shown of 266" in html


def test_a_model_named_like_a_script_is_shown_as_text(client: Client) -> None:
    board = factories.board()
    snapshot = factories.snapshot(board)
    board.current_snapshot = snapshot
    board.save()
    evil = "<script>alert('x')</script>"
    factories.entry(
        snapshot, factories.ai_model(name=evil, url="javascript:alert(1)"), raw_organization=evil
    )

    html = client.get("/text/overall/").content.decode()

    assert evil not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "javascript:" not in html


def _queries(client: Client, path: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


class RecordingCache:
    """The real cache, with the timeout of every page it stores written down."""

    def __init__(self) -> None:
        self.timeouts: dict[str, int] = {}

    def get(self, key: str) -> Any:
        return cache.get(key)

    def set(self, key: str, value: Any, timeout: int) -> None:
        self.timeouts[key] = timeout
        cache.set(key, value, timeout)


def test_pages_forbid_inline_script_and_foreign_assets(client: Client, seed: None) -> None:
    response = client.get("/text/overall/")
    html = response.content.decode()
    policy = response["Content-Security-Policy"]

    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None  # no inline script
    assert re.search(r"<(script|link|img)[^>]+(src|href)=\"(https?:)?//", html) is None
    assert re.search(r"\son[a-z]+=", html) is None  # no inline event handlers


def test_an_empty_site_says_there_is_no_data_yet(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert b"no leaderboard data yet" in response.content


def test_about_page_explains_the_rank_spread_correctly(client: Client) -> None:
    html = client.get("/about/").content.decode()
    assert "interval of ranks, not a bound on the score" in html
    assert "CC BY 4.0" in html


def test_the_page_knows_today_is_not_the_publish_date(client: Client, seed: None) -> None:
    html = client.get("/text/overall/").content.decode()
    assert timezone.now().date().isoformat() in html  # imported today, UTC (update time) …
    assert "2025-11-18" in html  # … published upstream on the seed's date


# --- the board as a product: short URLs, sorting, totals, dates, error pages --------------


def _sort_links(html: str) -> dict[str, str]:
    """Each header's sort link, keyed by the column it sorts (the sign stripped)."""
    links = re.findall(r'<th scope="col"[^>]*>\s*<a href="\?([^"]*)"', html)
    keyed = {}
    for query in links:
        sort = dict(item.split("=", 1) for item in query.split("&"))["sort"]
        keyed[sort.lstrip("-")] = sort
    return keyed


def test_the_counts_and_the_vote_total_describe_the_rows_shown(client: Client, seed: None) -> None:
    everything = export_json(client)["rows"]
    anthropic = export_json(client, "?organization=Anthropic")["rows"]
    html = client.get("/text/overall/?organization=Anthropic").content.decode()
    plain = client.get("/text/overall/").content.decode()

    shown_votes = sum(row["votes"] for row in anthropic)
    all_votes = sum(row["votes"] for row in everything)
    assert 0 < len(anthropic) < 266 and shown_votes < all_votes
    assert f"{len(anthropic)} shown of 266 · {shown_votes:,} votes" in html
    assert f"{all_votes:,} votes" not in html
    assert f"266 shown of 266 · {all_votes:,} votes" in plain


def test_the_source_is_named_in_words_with_a_link(client: Client, seed: None) -> None:
    html = client.get("/text/overall/").content.decode()

    assert (
        '<a href="https://github.com/CherryHQ/cherry-studio-docs" rel="noopener">'
        "the daily LLM Arena leaderboard page (Cherry Studio docs)</a>"
    ) in html
    assert "<dd>markdown</dd>" not in html


def test_the_board_lists_its_snapshot_dates_with_older_and_newer_links(
    client: Client, seed: None
) -> None:
    from leaderboard import selectors
    from leaderboard.models import Leaderboard

    call_command("import_leaderboard", str(DEC_20), stdout=io.StringIO())
    board = Leaderboard.objects.get(arena="text", category="overall", style_control=True)

    assert selectors.snapshot_dates(board) == [dt.date(2025, 12, 20), dt.date(2025, 11, 18)]
    latest = client.get("/text/overall/?open=on").content.decode()
    past = client.get("/text/overall/?as_of=2025-11-30&open=on").content.decode()

    assert '<option value="" selected>2025-12-20 (latest)</option>' in latest
    assert '<option value="2025-11-18">2025-11-18</option>' in latest
    # Older/newer keep the filters; the newest is the plain board, not an as_of link.
    assert 'rel="prev" href="/text/overall/?open=on&amp;as_of=2025-11-18"' in latest
    assert 'rel="next"' not in latest
    assert 'rel="next" href="/text/overall/?open=on"' in past
    assert 'rel="prev"' not in past
    assert '<option value="2025-11-18" selected>' in past


def test_a_date_before_the_first_snapshot_answers_a_page_that_links_the_first(
    client: Client, seed: None
) -> None:
    response = client.get("/text/overall/?as_of=2020-01-01")
    chinese = client.get("/zh-hans/text/overall/?as_of=2020-01-01")

    assert response.status_code == chinese.status_code == 404
    html = response.content.decode()
    assert "No snapshot yet on that date" in html
    assert 'no snapshot published on or before <time class="nowrap">2020-01-01</time>' in html
    assert 'href="/text/overall/?as_of=2025-11-18"' in html
    assert 'class="site-header"' in html  # the site's look, not a bare error
    assert "该日期还没有快照" in chinese.content.decode()


def test_an_unknown_address_gets_the_sites_404_page_in_both_languages(
    client: Client, seed: None
) -> None:
    english = client.get("/no/such/page/")
    chinese = client.get("/zh-hans/no/such/page/")

    assert english.status_code == chinese.status_code == 404
    assert "Page not found" in english.content.decode()
    assert 'class="site-header"' in english.content.decode()
    assert "页面不存在" in chinese.content.decode()
    assert "Page not found" not in chinese.content.decode()


def test_the_500_page_renders_without_a_request_or_the_database(
    django_assert_num_queries: Any,
) -> None:
    from django.template import loader
    from django.utils import translation

    with django_assert_num_queries(0):
        with translation.override("en"):
            english = loader.get_template("500.html").render()
        with translation.override("zh-hans"):
            chinese = loader.get_template("500.html").render()

    assert "Something went wrong" in english and 'href="/"' in english
    assert "出错了" in chinese and 'href="/zh-hans/"' in chinese


@pytest.fixture
def seeded(client: Client) -> Client:
    cache.clear()
    call_command("import_leaderboard", str(SEED), stdout=io.StringIO())
    return client


def test_the_home_page_links_exports_of_its_board_and_echoes_no_foreign_parameters(
    seeded: Client,
) -> None:
    home = seeded.get("/?utm_source=%22evil%22").content.decode()
    board_page = seeded.get("/text/overall/").content.decode()

    assert 'href="/text/overall/export.csv"' in home
    assert 'href="/text/overall/export.csv"' in board_page
    assert "utm_source" not in home
    assert seeded.get("/text/overall/export.csv").status_code == 200


def test_csv_export_sorts_like_the_table_with_several_sort_keys(seeded: Client) -> None:
    query = "?sort=-votes&sort=rank"
    html = seeded.get(f"/text/overall/{query}").content.decode()
    rows = seeded.get(f"/text/overall/export.csv{query}").content.decode().splitlines()[1:]

    csv_models = [row.split(",")[3] for row in rows]
    page_models = re.findall(r'<td class="sticky model">(?:<a [^>]*>)?([^<]+)<', html)
    assert len(csv_models) == 266
    assert csv_models == page_models
    votes = [int(row.split(",")[11]) for row in rows]
    assert votes == sorted(votes, reverse=True)


def test_every_model_name_links_to_its_history_page(client: Client, seed: None) -> None:
    html = client.get("/text/overall/").content.decode()

    links = re.findall(r'<a href="([^"]+)" class="model-name">([^<]+)</a>', html)
    assert len(links) == 266
    assert ("/models/grok-4.1-thinking/", "grok-4.1-thinking") in links
    assert client.get(links[0][0]).status_code == 200


# --- movement ---------------------------------------------------------------------------------

DAY = dt.date(2025, 3, 1)


@pytest.fixture
def moving_board() -> Any:
    """text/overall on three dates. Day 0: a, b, c. Day 1: b, a, c (b up one, a down one).
    Day 2: c, b, d (c up two, b down one, d new, a left)."""
    from leaderboard.models import Leaderboard

    board = factories.board()
    models = {key: factories.ai_model(key=key, name=f"Model {key}") for key in "abcd"}
    days = [["a", "b", "c"], ["b", "a", "c"], ["c", "b", "d"]]
    for day, order in enumerate(days):
        snap = factories.snapshot(
            board, published_on=DAY + dt.timedelta(days=day), row_count=len(order)
        )
        for rank, key in enumerate(order, start=1):
            score = 1500.0 - 10 * rank + day  # everyone gains a point a day
            factories.entry(
                snap, models[key], rank=rank, rank_upper=rank, rank_lower=rank, score=score,
                rating_lower=score - 5, rating_upper=score + 5,
            )  # fmt: skip
    board.current_snapshot = snap
    board.save()
    return Leaderboard.objects.get(pk=board.pk)


def movement_cells(html: str) -> dict[str, str]:
    """Each row's model name → the visible text of its movement cell."""
    rows = re.findall(
        r'class="model-name">([^<]+)</a>.*?<td class="num col-movement">(.*?)</td>', html
    )
    return {name: re.sub(r"<span class=\"visually-hidden\">.*?</span>|<[^>]+>", "", cell)
            for name, cell in rows}  # fmt: skip


def test_the_board_shows_rank_and_score_movement_against_the_previous_snapshot(
    client: Client, moving_board: Any
) -> None:
    html = client.get("/text/overall/").content.decode()

    assert ">Movement" in html
    assert movement_cells(html) == {"Model c": "▲2 +21", "Model b": "▼1 -9", "Model d": "new"}
    # The same in words for screen readers, the arrows hidden from them.
    assert '<span class="visually-hidden">up 2 places, score +21</span>' in html
    assert '<span class="visually-hidden">new on this board</span>' in html
    assert "movement since 2025-03-02" in html
    chinese = client.get("/zh-hans/text/overall/").content.decode()
    assert '<span class="visually-hidden">上升 2 位，分数 +21</span>' in chinese
    assert ">新</span>" in chinese and "变动对比 2025-03-02" in chinese
    rows = export_json(client)["rows"]
    moves = [(r["model_key"], r["previous_rank"], r["rank_change"], r["score_change"])
             for r in rows]  # fmt: skip
    assert moves == [("c", 3, 2, 21.0), ("b", 1, -1, -9.0), ("d", None, None, None)]


def test_a_past_snapshot_compares_with_the_one_before_it_and_the_first_with_nothing(
    client: Client, moving_board: Any
) -> None:
    second = client.get("/text/overall/?as_of=2025-03-02").content.decode()
    first = client.get("/text/overall/?as_of=2025-03-01").content.decode()

    assert movement_cells(second) == {"Model b": "▲1 +11", "Model a": "▼1 -9", "Model c": "= +1"}
    assert set(movement_cells(first).values()) == {"–"}
    assert "no earlier snapshot to compare with" in first and "movement since" not in first


def test_movement_sorts_numerically_biggest_riser_first_and_new_models_last_both_ways(
    client: Client, moving_board: Any
) -> None:
    from leaderboard.models import Entry

    current = moving_board.current_snapshot
    # A 12-place riser: the sort must be numeric, not by text ("▲12" < "▲2").
    e = factories.ai_model(key="e", name="Model e")
    older = moving_board.snapshots.get(published_on=DAY + dt.timedelta(days=1))
    factories.entry(older, e, rank=15, rank_upper=15, rank_lower=15, score=1300,
                    rating_lower=1290, rating_upper=1310)  # fmt: skip
    Entry.objects.filter(snapshot=current, model__key="d").update(rank=4, rank_upper=4,
                                                                  rank_lower=4)  # fmt: skip
    factories.entry(current, e, rank=3, rank_upper=3, rank_lower=3, score=1450,
                    rating_lower=1440, rating_upper=1460)  # fmt: skip
    html = client.get("/text/overall/").content.decode()

    link = re.search(r'<a href="\?([^"]*sort=-?movement[^"]*)"', html)
    assert link is not None and link.group(1) == "sort=-movement"  # descending on first click
    down = [r["model_key"] for r in export_json(client, "?sort=-movement")["rows"]]
    up = [r["model_key"] for r in export_json(client, "?sort=movement")["rows"]]
    assert down == ["e", "c", "b", "d"]
    assert up == ["b", "c", "e", "d"]
    page = client.get("/text/overall/?sort=-movement").content.decode()
    assert list(movement_cells(page)) == ["Model e", "Model c", "Model b", "Model d"]


def test_compare_to_measures_movement_against_the_snapshot_as_of_that_date(
    client: Client, moving_board: Any
) -> None:
    html = client.get("/text/overall/?compare_to=2025-03-01").content.decode()

    # Against day 0 (a, b, c): c up two, b unchanged, d new.
    assert movement_cells(html) == {"Model c": "▲2 +22", "Model b": "= +2", "Model d": "new"}
    assert "movement since 2025-03-01" in html
    assert 'name="compare_to" value="2025-03-01"' in html
    state = re.search(r'id="filters-state">(.*?)</span>', html, re.S)
    assert state is not None and "active" not in state.group(1)  # not a filter of rows
    # A date between two snapshots means the snapshot as of that date.
    between = client.get("/text/overall/?compare_to=2025-03-01&as_of=2025-03-02")
    assert movement_cells(between.content.decode())["Model b"] == "▲1 +11"
    document = export_json(client, "?compare_to=2025-03-01")
    assert document["movement_since"] == "2025-03-01"
    assert [r["rank_change"] for r in document["rows"]] == [2, 0, None]
    assert export_json(client)["movement_since"] == "2025-03-02"
    assert export_json(client, "?as_of=2025-03-01")["movement_since"] is None
    csv_text = client.get("/text/overall/export.csv?compare_to=2025-03-01").content.decode()
    assert csv_text.splitlines()[1].endswith(",3,2,22.0")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("soon", "Movement since: Enter a valid date."),
        ("2025-02-30", "Movement since: Enter a valid date."),
        ("2020-01-01", "“2020-01-01” is before the board&#x27;s first snapshot"),
        ("2025-03-03", "“2025-03-03” is not before the snapshot shown (2025-03-03)"),
        ("2099-01-01", "“2099-01-01” is not before the snapshot shown (2025-03-03)"),
    ],
)
def test_a_bad_compare_to_is_ignored_with_a_message(
    client: Client, moving_board: Any, value: str, message: str
) -> None:
    response = client.get(f"/text/overall/?compare_to={value}")

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    # Ignored: the movement is against the previous snapshot, as without it.
    assert movement_cells(html) == {"Model c": "▲2 +21", "Model b": "▼1 -9", "Model d": "new"}
    assert '<details class="filters-box" open>' in html
    assert client.get(f"/text/overall/export.json?compare_to={value}").status_code == 200


def test_a_compare_to_after_the_past_snapshot_shown_is_refused_too(
    client: Client, moving_board: Any
) -> None:
    html = client.get("/text/overall/?as_of=2025-03-02&compare_to=2025-03-02").content.decode()

    assert "“2025-03-02” is not before the snapshot shown (2025-03-02)" in html
    assert movement_cells(html)["Model b"] == "▲1 +11"


def test_an_empty_compare_to_is_dropped_from_the_url(client: Client, moving_board: Any) -> None:
    response = client.get("/text/overall/?compare_to=&sort=-movement")

    assert response.status_code == 302
    assert response["Location"] == "/text/overall/?sort=-movement"


def test_board_movement_follows_a_curated_merge(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    """Upstream renamed a model between two snapshots: until staff merge the two curated
    models the board calls it new; after the merge (which invalidates the cached page) it
    shows the move."""
    from django.contrib.auth.models import User

    from leaderboard.services.curation import merge_models

    board = factories.board()
    old, renamed, other = (factories.ai_model(key=k, name=k) for k in ("old", "renamed", "x"))
    first = factories.snapshot(board, published_on=DAY, row_count=2)
    factories.entry(first, other, rank=1, score=1500, rating_lower=1490, rating_upper=1510)
    factories.entry(first, old, rank=2, score=1400, rating_lower=1390, rating_upper=1410)
    second = factories.snapshot(board, published_on=DAY + dt.timedelta(days=1), row_count=2)
    factories.entry(second, renamed, rank=1, score=1550, rating_lower=1540, rating_upper=1560)
    factories.entry(second, other, rank=2, score=1500, rating_lower=1490, rating_upper=1510)
    board.current_snapshot = second
    board.save()
    assert movement_cells(client.get("/text/overall/").content.decode())["renamed"] == "new"

    with django_capture_on_commit_callbacks(execute=True):
        merge_models(source=old, target=renamed, user=User.objects.create(username="curator"))

    html = client.get("/text/overall/").content.decode()
    assert movement_cells(html) == {"renamed": "▲1 +150", "x": "▼1 ±0"}
