"""Price and context on the board, its filters, sorts, exports and the model page; the
curated organisation shown (and marked) where upstream's row leaves it empty."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from leaderboard.management.commands.load_bundled_data import BUNDLED
from leaderboard.services.identity import load_domain_rules
from tests.leaderboard.pages import export_json
from tests.paths import UPSTREAM

pytestmark = pytest.mark.django_db

SAMPLES = UPSTREAM / "markdown-cherry"
PRICE_CONTEXT = SAMPLES / "lmarena_md_2026-03-11_price-context.md"
NO_ORGANIZATIONS = {
    "agent/overall": SAMPLES / "agent_md_2026-08-21_arena-ai-multiboard.md",
    "text-to-image/overall": SAMPLES / "text-to-image_md_2026-08-21_arena-ai-multiboard.md",
    "webdev/overall": SAMPLES / "code-webdev_md_2026-08-21_arena-ai-multiboard.md",
}
CELL = re.compile(r'<td class="(?:num )?col-{name}">(.*?)</td>', re.DOTALL)
TAG = re.compile(r"<[^>]+>")


def import_file(path: object, board: str | None = None) -> None:
    options = ["--board", board] if board else []
    call_command("import_leaderboard", str(path), *options, stdout=io.StringIO())


def cells(html: str, name: str) -> list[str]:
    return [TAG.sub("", cell).strip() for cell in re.findall(CELL.pattern.format(name=name), html)]


def load_bundled_rules(capture: Any) -> None:
    """The bundled domain rules, loaded as ``load_bundled_data`` does (its commit refreshes
    the cached pages)."""
    rules = json.loads((BUNDLED / "organization_domains.json").read_text())["domains"]
    with capture(execute=True):
        load_domain_rules(rules)


@pytest.fixture
def priced(client: Client) -> str:
    """The 2026-03-11 page (323 rows, 238 priced) on text/overall; its board page's HTML."""
    import_file(PRICE_CONTEXT)
    return client.get("/text/overall/").content.decode()


# --- the board ------------------------------------------------------------------------------


def test_a_board_with_prices_shows_price_and_context_columns(priced: str) -> None:
    assert ">Price $/M in / out</a>" in priced and ">Context</a>" in priced
    prices, contexts = cells(priced, "price"), cells(priced, "context")
    assert len(prices) == len(contexts) == 323
    assert sum(bool(price) for price in prices) == 238
    assert sum(bool(context) for context in contexts) == 209
    row = re.search(r"gpt-5\.1-high</a>.*?</tr>", priced, re.DOTALL)
    assert row is not None
    assert '<td class="num col-price">$1.25 / $10</td>' in row.group()
    assert '<td class="num col-context">400K</td>' in row.group()


def test_a_board_without_prices_has_no_blank_price_or_context_column(
    client: Client, seed: None
) -> None:
    html = client.get("/text/overall/").content.decode()

    assert "col-price" not in html and "col-context" not in html
    assert "Max input price" not in html and "Min context" not in html


def test_price_and_context_sort_highest_first_on_the_first_click(
    client: Client, priced: str
) -> None:
    assert re.search(r'href="\?sort=-price"[^>]*>Price \$/M', priced)
    assert re.search(r'href="\?sort=-context"[^>]*>Context', priced)

    by_price = export_json(client, "?sort=-price")["rows"]
    prices = [row["price_input"] for row in by_price]
    known = [price for price in prices if price is not None]
    assert known == sorted(known, reverse=True) and known[0] == 75.0
    assert prices[len(known) :] == [None] * (323 - len(known))  # unknown last

    cheapest = [row["price_input"] for row in export_json(client, "?sort=price")["rows"]]
    assert cheapest[: len(known)] == sorted(known) and cheapest[-1] is None

    by_context = [row["context_tokens"] for row in export_json(client, "?sort=-context")["rows"]]
    assert by_context[0] == max(c for c in by_context if c is not None)
    assert by_context[-1] is None


def test_max_input_price_and_min_context_filter_the_rows(client: Client, priced: str) -> None:
    cheap = export_json(client, "?max_price=1")["rows"]
    long_context = export_json(client, "?min_context=1000000")["rows"]

    assert cheap and all(row["price_input"] <= 1 for row in cheap)
    assert len(cheap) < 238
    assert long_context and all(row["context_tokens"] >= 1_000_000 for row in long_context)
    assert 'name="max_price"' in priced and 'name="min_context"' in priced


def test_price_filters_on_a_board_without_prices_are_ignored(client: Client, seed: None) -> None:
    assert len(export_json(client, "?max_price=1&min_context=1000000")["rows"]) == 266


@pytest.mark.parametrize("query", ["?max_price=abc", "?max_price=-1", "?min_context=7"])
def test_bad_price_filters_are_ignored_not_errors(client: Client, priced: str, query: str) -> None:
    response = client.get(f"/text/overall/{query}")

    assert response.status_code == 200
    assert "323 shown of 323" in response.content.decode()


# --- exports --------------------------------------------------------------------------------


def test_every_export_carries_price_and_context(client: Client, priced: str) -> None:
    rows = {row["model"]: row for row in export_json(client)["rows"]}
    assert (rows["gpt-5.1-high"]["price_input"], rows["gpt-5.1-high"]["price_output"]) == (
        1.25,
        10.0,
    )
    assert rows["gpt-5.1-high"]["context_tokens"] == 400_000
    assert rows["grok-4.20-beta1"]["price_input"] is None

    table = list(csv.DictReader(io.StringIO(client.get("/text/overall/export.csv").text)))
    glm = next(row for row in table if row["model"] == "glm-5")
    assert (glm["price_input"], glm["price_output"], glm["context_tokens"]) == (
        "0.72",
        "2.3",
        "202800",
    )

    markdown = client.get("/text/overall/export.md").text
    assert "| Organization | License | Price $/M | Context |" in markdown
    assert re.search(r"\| gpt-5\.1-high\]?.*\| \$1\.25/\$10 \| 400K \|", markdown)
    assert "per million input / output tokens" in markdown


def test_the_markdown_export_of_a_board_without_prices_has_no_price_columns(
    client: Client, seed: None
) -> None:
    markdown = client.get("/text/overall/export.md").text

    assert "| Organization | License |\n" in markdown and "Price" not in markdown


# --- the model page -------------------------------------------------------------------------


def test_the_model_page_shows_price_and_context_from_its_latest_entry_per_board(
    client: Client, priced: str
) -> None:
    html = client.get("/models/gpt-5.1-high/").content.decode()

    assert "Price and context" in html
    section = html.split("Price and context", 1)[1].split("</table>", 1)[0]
    assert "$1.25 / $10" in section and "400K" in section and "2026-03-11" in section


def test_a_model_without_prices_has_no_price_section(client: Client, seed: None) -> None:
    html = client.get("/models/gemini-2.5-pro/").content.decode()

    assert "Price and context" not in html


# --- curated organisation and license where upstream gives none ------------------------------


def blank_organizations(client: Client, board: str) -> tuple[int, int]:
    html = client.get(f"/{board}/").content.decode()
    organizations = cells(html, "organization")
    return sum(not text for text in organizations), len(organizations)


def test_boards_without_organisations_are_filled_from_curated_domains(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    for board, path in NO_ORGANIZATIONS.items():
        import_file(path, board)
    before = {board: blank_organizations(client, board) for board in NO_ORGANIZATIONS}

    load_bundled_rules(django_capture_on_commit_callbacks)
    after = {board: blank_organizations(client, board) for board in NO_ORGANIZATIONS}

    # Before: only two agent models are known with an organisation (curated seed data).
    assert before == {"agent/overall": (28, 30), "text-to-image/overall": (30, 30),
                      "webdev/overall": (30, 30)}  # fmt: skip
    assert after == {board: (0, 30) for board in NO_ORGANIZATIONS}


def test_a_filled_organisation_is_marked_as_curated_with_a_tooltip(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    import_file(NO_ORGANIZATIONS["agent/overall"], "agent/overall")
    load_bundled_rules(django_capture_on_commit_callbacks)

    html = client.get("/agent/overall/").content.decode()

    first = cells(html, "organization")[0]
    assert first == "Anthropic†"
    assert '<abbr class="curated" title="Curated: upstream\'s row gives none">†</abbr>' in html


def test_organisations_upstream_gives_are_shown_unmarked_and_unchanged(
    client: Client, seed: None, django_capture_on_commit_callbacks: Any
) -> None:
    before = cells(client.get("/text/overall/").content.decode(), "organization")

    load_bundled_rules(django_capture_on_commit_callbacks)
    after = cells(client.get("/text/overall/").content.decode(), "organization")

    assert after == before and all(before)
    assert not any(text.endswith("†") for text in after)


def test_the_curated_mark_is_translated(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    import_file(NO_ORGANIZATIONS["agent/overall"], "agent/overall")
    load_bundled_rules(django_capture_on_commit_callbacks)

    html = client.get("/zh-hans/agent/overall/").content.decode()

    assert 'class="curated" title="人工整理：上游此行未给出"' in html


def test_the_agent_board_shows_its_rates_with_their_decimals(client: Client) -> None:
    # Upstream: "Claude Opus 5 (High) … 12.47%±1.54%" — a rate, not an Elo rating.
    import_file(NO_ORGANIZATIONS["agent/overall"], "agent/overall")

    html = client.get("/agent/overall/").content.decode()
    markdown = client.get("/agent/overall/export.md").content.decode()

    assert ">12.47<" in html and "±1.54" in html
    assert "| 12.47 | ±1.54 |" in markdown
