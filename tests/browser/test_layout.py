"""The board's layout and accessibility in a real browser: at 1024, 1280 and 375 px no table
cell lies outside the table's scroll box, on a phone the score is on the first screen, axe-core
finds no serious or critical violation, and live filtering keeps the URL short."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from leaderboard.boards import BoardKey
from leaderboard.management.commands.load_bundled_data import BUNDLED
from leaderboard.models import ImportRun
from leaderboard.services.identity import load_domain_rules
from leaderboard.services.importing import import_payload
from leaderboard.services.planning import ImportRequest
from tests.browser.conftest import Visit
from tests.paths import UPSTREAM

pytestmark = pytest.mark.browser

Open = Callable[..., Visit]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
ROWS = "table.board tbody tr"
PHONE = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}

# Every rendered header and cell of the table, measured against the scroll box around it
# (scrolled to its start): the box may scroll sideways only if it was designed to, and here
# nothing should need to.
CELLS_OUTSIDE_THE_BOX = """() => {
  const box = document.querySelector(".table-scroll");
  box.scrollLeft = 0;
  const edge = box.getBoundingClientRect();
  const outside = [];
  for (const cell of box.querySelectorAll("th, td")) {
    const rect = cell.getBoundingClientRect();
    if (rect.width === 0 && rect.height === 0) continue;  // not rendered at this width
    if (rect.left < edge.left - 1 || rect.right > edge.right + 1) {
      outside.push(`${cell.className}: ${Math.round(rect.left)}–${Math.round(rect.right)}`);
    }
  }
  return {outside, boxRight: edge.right, viewport: window.innerWidth,
          overflow: box.scrollWidth - box.clientWidth,
          page: document.documentElement.scrollWidth};
}"""


@pytest.mark.parametrize("width", [1024, 1280, 375])
def test_no_table_cell_lies_outside_the_tables_box_at_common_widths(
    visit: Open, width: int
) -> None:
    options: dict[str, Any] = (
        PHONE if width == 375 else {"viewport": {"width": width, "height": 800}}
    )
    board = visit(**options)
    board.goto("/")

    measured = board.page.evaluate(CELLS_OUTSIDE_THE_BOX)

    assert measured["outside"] == [], measured["outside"][:5]
    assert measured["overflow"] <= 1, measured
    assert measured["boxRight"] <= width, measured
    assert measured["page"] <= width + 1, measured
    # Every column header of the wide layout is on screen from 1024 px up.
    if width >= 1024:
        headers = board.page.locator("table.board thead th")
        assert headers.count() == 9
        assert all(headers.nth(i).is_visible() for i in range(9))
    board.screenshot(f"board-{width}")
    assert board.problems == []


@pytest.mark.parametrize("width", [1024, 1280, 375])
@pytest.mark.usefixtures("later_snapshot")
def test_the_movement_column_keeps_every_cell_inside_the_box(visit: Open, width: int) -> None:
    options: dict[str, Any] = (
        PHONE if width == 375 else {"viewport": {"width": width, "height": 800}}
    )
    board = visit(**options)
    board.goto("/")
    board.page.evaluate("document.querySelector('#results').scrollIntoView()")
    board.screenshot(f"board-movement-{width}")

    measured = board.page.evaluate(CELLS_OUTSIDE_THE_BOX)

    assert measured["outside"] == [], measured["outside"][:5]
    assert measured["overflow"] <= 1, measured
    assert measured["page"] <= width + 1, measured
    page = board.page
    moves = page.locator("td.col-movement")
    assert moves.count() == 289
    shown = set(
        page.evaluate(
            """() => [...document.querySelectorAll("td.col-movement [aria-hidden=true]")]
                     .map((span) => span.textContent.split(" ")[0])"""
        )
    )
    assert "new" in shown and any(t.startswith("▲") for t in shown)
    assert any(t.startswith("▼") for t in shown)
    first = page.locator(ROWS).first
    if width == 375:
        # On a phone the rank change folds under the rank; the column leaves the table.
        assert not moves.first.is_visible()
        assert first.locator("td.col-rank .rank-meta").is_visible()
    else:
        assert moves.first.is_visible()
        assert not first.locator("td.col-rank .rank-meta").is_visible()
    assert board.problems == []


def test_on_a_phone_the_first_screen_shows_rank_model_and_score(visit: Open) -> None:
    phone = visit(**PHONE)
    phone.goto("/")
    first = phone.page.locator(ROWS).first

    for selector in ("td.col-rank", "td.model", "td.col-score"):
        box = first.locator(selector).bounding_box()
        assert box is not None, selector
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375, (selector, box)
        assert box["y"] >= 0 and box["y"] + box["height"] <= 812, (selector, box)
    assert "1483" in first.locator("td.col-score").inner_text().split()
    assert phone.problems == []


def _serious_violations(visit: Visit, path: str) -> list[str]:
    visit.goto(path)
    visit.page.add_script_tag(path=str(AXE))
    result = visit.page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{item['id']} ({item['impact']}): {item['help']} — "
        f"{[node['target'] for node in item['nodes'][:3]]}"
        for item in result["violations"]
        if item["impact"] in {"serious", "critical"}
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "path",
    ["/", "/about/", "/text/overall/?organization=Anthropic&open=on&sort=-votes", "/zh-hans/",
     "/corrections/", "/text/overall/?best_variant=on"],
)  # fmt: skip
def test_axe_finds_no_serious_or_critical_violations(visit: Open, path: str, scheme: str) -> None:
    # axe is injected as an inline script: only this context lifts the CSP to allow it.
    audit = visit(viewport={"width": 1280, "height": 900}, color_scheme=scheme, bypass_csp=True)

    assert _serious_violations(audit, path) == []


def test_the_phone_layout_passes_axe_too(visit: Open) -> None:
    audit = visit(**PHONE, bypass_csp=True)

    assert _serious_violations(audit, "/") == []
    assert _serious_violations(audit, "/corrections/") == []  # its cards


@pytest.mark.usefixtures("later_snapshot")
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("phone", [False, True])
def test_the_board_with_movement_passes_axe(visit: Open, phone: bool, scheme: str) -> None:
    options: dict[str, Any] = PHONE if phone else {"viewport": {"width": 1280, "height": 900}}
    audit = visit(**options, color_scheme=scheme, bypass_csp=True)

    assert _serious_violations(audit, "/?sort=-movement&compare_to=2025-11-18") == []


def test_axe_is_really_running(visit: Open) -> None:
    """The checks above would pass vacuously if axe saw nothing: break a page and see it."""
    audit = visit(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    audit.goto("/about/")
    audit.page.evaluate(
        """() => { const img = document.createElement("img"); img.src = "data:,";
                   document.querySelector("main").append(img); }"""
    )
    audit.page.add_script_tag(path=str(AXE))

    result = audit.page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")

    assert "image-alt" in {item["id"] for item in result["violations"]}


def test_typing_a_model_name_filters_in_place_with_a_short_url(visit: Open) -> None:
    desktop = visit(viewport={"width": 1280, "height": 900})
    desktop.goto("/")
    page = desktop.page
    page.evaluate("window.notReloaded = true")

    page.get_by_label("Model", exact=True).fill("claude")
    page.wait_for_url(re.compile(r"q=claude"))
    page.wait_for_function(
        "() => [...document.querySelectorAll('table.board tbody td.model')]"
        ".every((td) => td.textContent.toLowerCase().includes('claude'))"
    )

    assert page.evaluate("window.notReloaded") is True
    assert parse_qs(urlsplit(page.url).query) == {"q": ["claude"]}
    shown = page.locator(ROWS).count()
    assert 0 < shown < 266
    assert page.locator(".summary").inner_text().startswith(f"{shown} shown of 266")
    # The language switch follows the live state.
    zh = page.locator("nav.languages a[hreflang='zh-hans']").get_attribute("href")
    assert zh == "/zh-hans/?q=claude"
    assert desktop.problems == []


def test_the_organisation_list_has_a_search_box_and_filters_on_a_tick(visit: Open) -> None:
    desktop = visit(viewport={"width": 1280, "height": 900})
    desktop.goto("/")
    page = desktop.page
    box = page.locator("fieldset.field-organization")
    search = box.locator("input.checklist-search")

    search.fill("anthr")
    visible = [label for label in box.locator(".options label").all() if label.is_visible()]
    assert [label.inner_text().strip() for label in visible] == ["Anthropic"]
    box.get_by_label("Anthropic").check()
    page.wait_for_url(re.compile(r"organization=Anthropic"))
    page.wait_for_function(
        "() => document.querySelector('.summary').textContent.trim().split(' ')[0] !== '266'"
    )

    organizations = page.evaluate(
        "() => [...document.querySelectorAll('table.board tbody td.col-organization')]"
        ".map((td) => td.textContent.trim())"
    )
    assert organizations and set(organizations) == {"Anthropic"}
    assert parse_qs(urlsplit(page.url).query) == {"organization": ["Anthropic"]}
    desktop.screenshot("board-filtered-1280")
    assert desktop.problems == []


def test_apply_with_javascript_sends_no_empty_fields(visit: Open) -> None:
    desktop = visit(viewport={"width": 1280, "height": 900})
    desktop.goto("/?sort=-votes")
    page = desktop.page

    page.get_by_label("Minimum votes").fill("20000")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply").click()

    assert parse_qs(urlsplit(page.url).query) == {"min_votes": ["20000"], "sort": ["-votes"]}
    assert desktop.problems == []


def test_a_date_before_the_first_snapshot_shows_a_page_that_links_the_first(
    visit: Open,
) -> None:
    desktop = visit(viewport={"width": 1280, "height": 900})
    response = desktop.page.goto(desktop.origin + "/text/overall/?as_of=2001-01-01")

    assert response is not None and response.status == 404
    page = desktop.page
    assert page.get_by_role("heading", name="No snapshot yet on that date").is_visible()
    page.get_by_role("link", name="See the first snapshot (2025-11-18)").click()
    page.wait_for_url(re.compile(r"as_of=2025-11-18"))
    assert page.locator(ROWS).count() == 266
    desktop.screenshot("before-first-snapshot")
    # The browser logs the 404 status of the page itself, once; nothing else may go wrong.
    not_found = [p for p in desktop.problems if "status of 404" in p]
    assert len(not_found) == 1 and "as_of=2001-01-01:" in not_found[0], not_found
    assert [p for p in desktop.problems if p not in not_found] == []


def test_ticked_organisations_come_first_in_their_list(visit: Open) -> None:
    desktop = visit(viewport={"width": 1280, "height": 900})
    desktop.goto("/?organization=xAI&organization=Google")

    labels = desktop.page.locator("fieldset.field-organization .options label")

    assert [labels.nth(i).inner_text().strip() for i in range(2)] == ["Google", "xAI"]
    assert labels.nth(0).is_visible() and labels.nth(1).is_visible()
    assert desktop.problems == []


PRICE_CONTEXT = UPSTREAM / "markdown-cherry" / "lmarena_md_2026-03-11_price-context.md"


@pytest.fixture
def priced(site: str) -> None:
    """The 2026-03-11 page (with Price and Context columns) as text/overall's current one."""
    outcome = import_payload(
        ImportRequest(
            data=PRICE_CONTEXT.read_bytes(),
            origin=str(PRICE_CONTEXT),
            trigger=ImportRun.Trigger.COMMAND,
            hint=BoardKey.parse("text/overall"),
        )
    )
    assert outcome.ok, outcome.reason


@pytest.mark.parametrize("width", [1024, 1280, 375])
def test_the_price_and_context_columns_fit_the_layout_too(
    visit: Open, priced: None, width: int
) -> None:
    options: dict[str, Any] = (
        PHONE if width == 375 else {"viewport": {"width": width, "height": 800}}
    )
    board = visit(**options)
    board.goto("/")

    measured = board.page.evaluate(CELLS_OUTSIDE_THE_BOX)

    assert measured["outside"] == [], measured["outside"][:5]
    assert measured["overflow"] <= 1, measured
    assert measured["page"] <= width + 1, measured
    first = board.page.locator(ROWS).first
    if width >= 1024:
        headers = board.page.locator("table.board thead th")
        assert headers.count() == 11  # with the movement column
        assert all(headers.nth(i).is_visible() for i in range(11))
        assert first.locator("td.col-price").inner_text() == "$5 / $25"
        assert first.locator("td.col-context").inner_text() == "1M"
    else:
        # The phone keeps rank, model and score on screen; price and context fold under the name.
        for selector in ("td.col-rank", "td.model", "td.col-score"):
            box = first.locator(selector).bounding_box()
            assert box is not None and box["x"] + box["width"] <= 375, (selector, box)
            assert box["y"] + box["height"] <= 812, (selector, box)
        assert not first.locator("td.col-price").is_visible()
        assert "$5 / $25" in first.locator("td.model .model-meta").inner_text()
    board.screenshot(f"board-price-{width}")
    board.page.locator("table.board").scroll_into_view_if_needed()
    board.screenshot(f"board-price-{width}-table")
    assert board.problems == []


def test_a_curated_organisation_is_marked_and_explained_on_hover(visit: Open, site: str) -> None:
    agent = UPSTREAM / "markdown-cherry" / "agent_md_2026-08-21_arena-ai-multiboard.md"
    outcome = import_payload(
        ImportRequest(
            data=agent.read_bytes(), origin=str(agent), trigger=ImportRun.Trigger.COMMAND,
            hint=BoardKey.parse("agent/overall"),
        )
    )  # fmt: skip
    assert outcome.ok, outcome.reason
    load_domain_rules(json.loads((BUNDLED / "organization_domains.json").read_text())["domains"])
    desktop = visit(viewport={"width": 1280, "height": 900})
    desktop.goto("/agent/overall/")

    first = desktop.page.locator(ROWS).first.locator("td.col-organization")
    mark = first.locator("abbr.curated")

    assert first.inner_text().strip() == "Anthropic†"
    assert mark.is_visible() and mark.get_attribute("title") == "Curated: upstream's row gives none"
    desktop.page.locator("table.board").scroll_into_view_if_needed()
    desktop.screenshot("board-agent-curated-1280")
    assert desktop.problems == []
