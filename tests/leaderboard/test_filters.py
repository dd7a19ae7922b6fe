"""The board's filters and sort through the page: what each keeps, short URLs, sort links."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

from leaderboard import cache_keys
from leaderboard.models import AIModel, License
from tests.leaderboard.pages import export_json
from tests.paths import UPSTREAM

pytestmark = pytest.mark.django_db


DEC_20 = UPSTREAM / "markdown-cherry" / "lmarena_md_2025-12-20_rank-spread.md"


def _sort_links(html: str) -> dict[str, str]:
    """Each header's sort link, keyed by the column it sorts (the sign stripped)."""
    links = re.findall(r'<th scope="col"[^>]*>\s*<a href="\?([^"]*)"', html)
    keyed = {}
    for query in links:
        sort = dict(item.split("=", 1) for item in query.split("&"))["sort"]
        keyed[sort.lstrip("-")] = sort
    return keyed


def test_open_weights_filter_keeps_only_open_licenses(client: Client, seed: None) -> None:
    License.objects.update(kind=License.Kind.PROPRIETARY)
    License.objects.filter(name="MIT").update(kind=License.Kind.OSI)
    AIModel.objects.filter(key="gpt-5-high").update(open_weights=True)  # curator override

    rows = export_json(client, "?open=on")["rows"]

    assert rows
    assert {row["license"] for row in rows if row["model"] != "gpt-5-high"} == {"MIT"}
    assert "gpt-5-high" in {row["model"] for row in rows}


def test_filters_combine_and_live_in_the_query_string(client: Client, seed: None) -> None:
    query = (
        "?q=claude&organization=Anthropic&min_votes=20000&rank_min=1&rank_max=60"
        "&preliminary=hide&sort=-votes"
    )
    rows = export_json(client, query)["rows"]

    assert rows
    assert all("claude" in row["model"] for row in rows)
    assert all(row["organization"] == "Anthropic" for row in rows)
    assert all(row["votes"] >= 20000 and 1 <= row["rank"] <= 60 for row in rows)
    assert not any(row["preliminary"] for row in rows)
    votes = [row["votes"] for row in rows]
    assert votes == sorted(votes, reverse=True)
    page = client.get(f"/text/overall/{query}").content.decode()
    assert f"{len(rows)} shown of 266" in page
    assert "export.csv?min_votes=20000" in page  # exports carry the same state


def test_preliminary_only_and_the_curators_override(client: Client, seed: None) -> None:
    AIModel.objects.filter(key="gpt-5-high").update(preliminary_override=True)

    rows = export_json(client, "?preliminary=only")["rows"]

    assert {row["model"] for row in rows} >= {"grok-4.1-thinking", "grok-4.1", "gpt-5-high"}
    assert all(row["preliminary"] for row in rows)


def test_new_since_lists_models_first_seen_on_or_after_a_date(client: Client, seed: None) -> None:
    call_command("import_leaderboard", str(DEC_20), stdout=io.StringIO())

    new = {row["model"] for row in export_json(client, "?new_since=2025-12-01")["rows"]}
    december = {row["model"] for row in export_json(client)["rows"]}
    november = {row["model"] for row in export_json(client, "?as_of=2025-11-30")["rows"]}

    assert new == december - november
    assert new


def test_unknown_sort_keys_are_dropped_before_the_table_the_cache_and_the_links(
    client: Client, seed: None
) -> None:
    clean = client.get("/text/overall/?sort=-votes")
    junk = client.get("/text/overall/?sort=.&sort=-votes&sort=model__license__kind")

    assert junk["ETag"] == clean["ETag"]
    html = junk.content.decode()
    assert '<input type="hidden" name="sort" value="-votes">' in html
    assert "model__license__kind" not in html and "sort=." not in html
    assert client.get("/text/overall/?sort=.")["ETag"] == client.get("/text/overall/")["ETag"]


def test_a_repeated_sort_is_not_echoed_into_every_link(client: Client, seed: None) -> None:
    query = "?sort=-votes&sort=rank&sort=-votes&sort=model"
    html = client.get(f"/text/overall/{query}").content.decode()

    links = re.findall(r'href="([^"]*sort=[^"]*)"', html)
    assert links  # the column links, the exports and the language links
    assert all(link.count("sort=") == 1 for link in links), links
    assert 'aria-sort="descending"' in html  # sorted by the first valid key, -votes
    assert (
        client.get("/text/overall/?sort=-votes&sort=rank")["ETag"]
        == client.get("/text/overall/?sort=-votes")["ETag"]
    )


@pytest.mark.parametrize(
    ("path", "short"),
    [
        (
            "/text/overall/?as_of=&q=&open=on&preliminary=&min_votes=&rank_min=&rank_max=&new_since=",
            "/text/overall/?open=on",
        ),
        ("/text/overall/?q=&q=claude&sort=-votes", "/text/overall/?q=claude&sort=-votes"),
        ("/zh-hans/text/overall/?organization=", "/zh-hans/text/overall/"),
        ("/text/overall/export.csv?open=on&min_votes=", "/text/overall/export.csv?open=on"),
        ("/?q=", "/"),
    ],
)
def test_a_get_with_empty_parameters_redirects_to_the_short_url(
    client: Client, seed: None, path: str, short: str
) -> None:
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == short
    assert client.get(short).status_code == 200  # the short URL is final: no redirect loop


def test_a_url_without_empty_parameters_is_answered_directly(client: Client, seed: None) -> None:
    assert client.get("/text/overall/?open=on&sort=-votes&utm_source=x").status_code == 200


def test_numeric_columns_sort_descending_on_the_first_click_and_reverse_on_the_second(
    client: Client, seed: None
) -> None:
    first = _sort_links(client.get("/text/overall/").content.decode())

    assert first["votes"] == "-votes" and first["score"] == "-score"
    assert first["interval"] == "-interval"
    assert first["model"] == "model"  # names from A
    assert first["rank"] == "-rank"  # already sorted by rank (ascending): the click reverses it
    second = _sort_links(client.get("/text/overall/?sort=-votes").content.decode())
    assert second["votes"] == "votes"
    assert second["rank"] == "rank"
    rows = export_json(client, "?sort=-votes")["rows"]
    assert [r["votes"] for r in rows] == sorted((r["votes"] for r in rows), reverse=True)


def test_organisations_and_licenses_are_plain_checkbox_lists(client: Client, seed: None) -> None:
    html = client.get("/text/overall/?organization=Anthropic").content.decode()

    assert re.search(
        r'<input type="checkbox" name="organization" value="Anthropic"[^>]*checked', html
    )
    assert re.search(r'<input type="checkbox" name="license" value="MIT"', html)
    assert '<select name="organization"' not in html and "multiple" not in html


def test_hide_deprecated_drops_the_models_and_keeps_upstreams_ranks(
    client: Client, seed: None
) -> None:
    AIModel.objects.filter(key__in=["gemini-2.5-pro", "o3-2025-04-16"]).update(deprecated=True)
    cache_keys.bump()

    rows = export_json(client, "?hide_deprecated=on")["rows"]
    html = client.get("/text/overall/?hide_deprecated=on").content.decode()

    assert {"gemini-2.5-pro", "o3-2025-04-16"}.isdisjoint(row["model"] for row in rows)
    assert len(rows) == 264
    assert [row["rank"] for row in rows[:4]] == [1, 2, 4, 5]  # rank 3 hidden, not renumbered
    assert "264 shown of 266" in html
    assert "Hiding models keeps upstream's ranks" in html


def test_best_variant_per_family_keeps_each_familys_best_ranked_row_and_upstreams_ranks(
    client: Client, seed: None
) -> None:
    from leaderboard.models import ModelFamily
    from leaderboard.services import families

    families.load_starter_rules()
    families.apply_family_rules()
    everything = export_json(client)["rows"]
    by_family: dict[int | None, list[int]] = {}
    for model in AIModel.objects.filter(entries__snapshot__leaderboard__arena="text").distinct():
        by_family.setdefault(model.family_id, []).append(model.pk)
    assert ModelFamily.objects.filter(members__isnull=False).exists()

    best = export_json(client, "?best_variant=on")["rows"]
    page = client.get("/text/overall/?best_variant=on").content.decode()

    family_of = dict(AIModel.objects.values_list("name", "family_id"))
    kept_families = [family_of[row["model"]] for row in best if family_of[row["model"]]]
    assert len(kept_families) == len(set(kept_families))  # one row per family
    alone = [row for row in everything if family_of[row["model"]] is None]
    assert [row for row in best if family_of[row["model"]] is None] == alone
    seen: set[int] = set()
    expected = []
    for row in everything:  # rank order: the first of each family is its best
        family = family_of[row["model"]]
        if family is None or family not in seen:
            expected.append(row)
            seen.add(family) if family else None
    assert best == expected  # the same rows, ranks untouched
    assert len(best) < len(everything)
    assert "best variant of each family; ranks are upstream's" in page
    # Off, it is dropped from the URL like every other untouched field.
    assert client.get("/text/overall/?best_variant=&q=")["Location"] == "/text/overall/"
