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
