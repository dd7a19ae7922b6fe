"""The board page in a real browser: what a visitor does (filter, sort, switch language) on a
desktop, a phone, in dark mode and without JavaScript — with no console error, no CSP
violation and no request to another host on any page."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest

from leaderboard.models import License
from tests.browser.conftest import Visit

pytestmark = pytest.mark.browser

Open = Callable[..., Visit]
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
SEED_ROWS = 266
OPEN_KIND_CLASSES = {f"kind-{kind}" for kind in License.OPEN_WEIGHTS_KINDS}

ROWS = "table.board tbody tr"
# A column found by its sort link, so the helpers work in every language.
COLUMN_TEXTS = """(sortKey) => {
  const headers = [...document.querySelectorAll("table.board thead th")];
  const index = headers.findIndex((th) => {
    const link = th.querySelector("a");
    return link && new URLSearchParams(link.search).get("sort")?.replace(/^-/, "") === sortKey;
  });
  if (index < 0) throw new Error(`no sortable column ${sortKey}`);
  return [...document.querySelectorAll("table.board tbody tr")].map(
    (tr) => tr.children[index].textContent.trim()
  );
}"""
LICENSE_KIND_CLASSES = """() => [...document.querySelectorAll("table.board tbody tr")].map(
  (tr) => [...(tr.querySelector(".kind")?.classList ?? [])]
)"""


def query(visit: Visit) -> dict[str, list[str]]:
    return parse_qs(urlsplit(visit.page.url).query)


def votes(visit: Visit) -> list[int]:
    return [int(text.replace(",", "")) for text in visit.page.evaluate(COLUMN_TEXTS, "votes")]


def test_home_page_shows_the_seed_board_with_every_row(visit: Open) -> None:
    desktop = visit(**DESKTOP)
    desktop.goto("/")

    page = desktop.page
    assert page.locator(ROWS).count() == SEED_ROWS
    first = page.locator(ROWS).first
    assert first.locator("td").nth(2).inner_text() == "grok-4.1-thinking"
    assert "Preliminary" in first.locator("td").nth(3).inner_text()
    # The seed's glued logo text is gone from the rendered names.
    assert "Anthropicclaude" not in page.locator("table.board").inner_text()
    assert f"{SEED_ROWS} shown of {SEED_ROWS}" in page.locator(".summary").inner_text()
    desktop.screenshot("desktop-light")
    assert desktop.problems == []


def test_open_weights_filter_applies_in_place_and_keeps_its_state_in_the_url(
    visit: Open,
) -> None:
    desktop = visit(**DESKTOP)
    desktop.goto("/text/overall/")
    page = desktop.page
    # On a wide screen the script unfolds the filters; a click on the box just ticks it.
    assert page.locator("details.filters-box").get_attribute("open") is not None
    page.evaluate("window.notReloaded = true")

    page.get_by_label("Open weights only").check()
    page.wait_for_url(re.compile(r"open=on"))

    # The table was swapped in place (live filtering), not reloaded; the URL is short.
    assert page.evaluate("window.notReloaded") is True
    assert query(desktop) == {"open": ["on"]}
    kinds = page.evaluate(LICENSE_KIND_CLASSES)
    assert 0 < len(kinds) < SEED_ROWS
    assert all(OPEN_KIND_CLASSES & set(classes) for classes in kinds), kinds
    assert page.get_by_label("Open weights only").is_checked()
    assert f"{len(kinds)} shown of {SEED_ROWS}" in page.locator(".summary").inner_text()
    desktop.screenshot("desktop-filtered")
    assert desktop.problems == []


def test_clicking_the_votes_header_sorts_descending_first_then_ascending(visit: Open) -> None:
    desktop = visit(**DESKTOP)
    desktop.goto("/text/overall/?open=on")
    page = desktop.page
    header = page.locator("table.board thead th", has=page.locator("a[href*='sort=']")).filter(
        has_text="Votes"
    )

    header.get_by_role("link").click()
    page.wait_for_url(re.compile(r"sort=-votes"))
    descending = votes(desktop)
    assert descending == sorted(descending, reverse=True)
    assert descending[0] > descending[-1]
    assert header.get_attribute("aria-sort") == "descending"
    assert query(desktop) == {"open": ["on"], "sort": ["-votes"]}
    header.get_by_role("link").click()
    page.wait_for_url(re.compile(r"sort=votes(&|$)"))

    ascending = votes(desktop)
    assert ascending == sorted(ascending)
    assert sorted(descending) == ascending
    assert header.get_attribute("aria-sort") == "ascending"
    assert query(desktop) == {"open": ["on"], "sort": ["votes"]}
    assert desktop.problems == []


def test_language_link_switches_to_chinese_and_keeps_filters_and_sort(visit: Open) -> None:
    desktop = visit(**DESKTOP)
    desktop.goto("/?open=on&sort=-votes")
    page = desktop.page
    english_rows = page.locator(ROWS).count()

    page.locator("nav.languages a[hreflang='zh-hans']").click()
    page.wait_for_url(re.compile(r"/zh-hans/"))

    assert urlsplit(page.url).path.startswith("/zh-hans/")
    assert query(desktop) == {"open": ["on"], "sort": ["-votes"]}
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator(ROWS).count() == english_rows
    chinese_votes = votes(desktop)
    assert chinese_votes == sorted(chinese_votes, reverse=True)
    assert page.locator("nav.languages a[hreflang='en']").count() == 1
    desktop.screenshot("desktop-chinese")
    assert desktop.problems == []


def test_on_a_phone_rank_model_and_score_fit_with_organisation_and_license_folded_under(
    visit: Open,
) -> None:
    phone = visit(**PHONE)
    phone.goto("/")
    page = phone.page

    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    scroller = page.locator(".table-scroll")
    assert scroller.evaluate("(box) => box.scrollWidth <= box.clientWidth + 1")
    first = page.locator(ROWS).first
    assert first.locator("td.model").inner_text().splitlines() == [
        "grok-4.1-thinking",
        "xAI · Proprietary",
    ]
    assert first.locator("td.col-score .score-meta").inner_text() == "±11 · 3,298 votes"
    assert not first.locator("td.col-organization").is_visible()
    # The model column stays sticky for boards whose names do not fit.
    model_cell = page.locator(f"{ROWS} td.model").first
    assert model_cell.evaluate("(td) => getComputedStyle(td).position") == "sticky"
    # Filters start folded on a narrow screen and unfold from their summary.
    filters = page.locator("details.filters-box")
    assert filters.get_attribute("open") is None
    phone.screenshot("phone")

    filters.locator("summary").click()
    assert filters.get_attribute("open") is not None
    assert page.get_by_label("Open weights only").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    phone.screenshot("phone-filters-open")
    assert phone.problems == []


@pytest.mark.parametrize(("name", "context"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_the_snapshot_bar_shows_upstreams_update_time_and_ours_apart_and_fits(
    visit: Open, name: str, context: dict[str, object]
) -> None:
    view = visit(**context)
    view.goto("/")
    bar = view.page.locator("section.snapshot dl.meta")

    text = bar.inner_text()
    assert "2025-11-18 08:08:22 UTC / 2025-11-18 16:08:22 CST (Beijing time)" in text
    assert "Imported" in text
    width = view.page.evaluate("window.innerWidth")
    assert bar.evaluate("(dl) => dl.getBoundingClientRect().right") <= width + 1
    bar.scroll_into_view_if_needed()
    view.screenshot(f"{name}-snapshot-times")
    assert view.problems == []


def test_dark_mode_changes_the_page_background(visit: Open) -> None:
    light = visit(**DESKTOP, color_scheme="light")
    dark = visit(**DESKTOP, color_scheme="dark")
    light.goto("/")
    dark.goto("/")

    background = "getComputedStyle(document.body).backgroundColor"
    light_bg, dark_bg = light.page.evaluate(background), dark.page.evaluate(background)
    assert light_bg == "rgb(255, 255, 255)"
    assert dark_bg != light_bg
    red, green, blue = (int(part) for part in re.findall(r"\d+", dark_bg)[:3])
    assert max(red, green, blue) < 64, dark_bg
    dark.screenshot("desktop-dark")
    assert light.problems == dark.problems == []


def test_without_javascript_the_filter_form_applies_with_its_button(visit: Open) -> None:
    desktop = visit(**DESKTOP, java_script_enabled=False)
    desktop.goto("/")
    page = desktop.page
    filters = page.locator("details.filters-box")
    assert filters.get_attribute("open") is None  # no script to unfold it

    filters.locator("summary").click()
    page.get_by_label("Open weights only").check()
    assert "open=" not in page.url  # nothing submits on change without the script
    with page.expect_navigation():
        page.get_by_role("button", name="Apply").click()

    # The untouched fields were sent empty; the server redirected to the short URL.
    assert query(desktop) == {"open": ["on"]}
    assert "q=" not in desktop.page.url
    kinds = page.evaluate(LICENSE_KIND_CLASSES)
    assert 0 < len(kinds) < SEED_ROWS
    assert all(OPEN_KIND_CLASSES & set(classes) for classes in kinds)
    # Sorting is a plain link, so it works too, and keeps the filter.
    page.locator("table.board thead a[href*='sort=-votes']").click()
    page.wait_for_url(re.compile(r"sort=-votes"))
    assert query(desktop)["open"] == ["on"]
    assert desktop.problems == []


def test_every_public_page_loads_without_console_errors_or_csp_violations(visit: Open) -> None:
    desktop = visit(**DESKTOP)
    paths = [
        "/",
        "/text/overall/",
        "/text/overall/?open=on&sort=-votes&min_votes=10000",
        "/text/overall/?min_votes=not-a-number&as_of=yesterday",
        "/about/",
        "/zh-hans/",
        "/zh-hans/about/",
    ]
    for path in paths:
        desktop.goto(path)
        assert desktop.page.locator("main").is_visible(), path
    assert desktop.problems == []


def test_the_watcher_reports_a_csp_violation(visit: Open) -> None:
    """The checks above would pass vacuously if violations were never seen: prove one is."""
    desktop = visit(**DESKTOP)
    desktop.goto("/about/")

    desktop.page.evaluate(
        """() => {
          const style = document.createElement("style");
          style.textContent = "body { outline: 1px solid red; }";
          document.head.append(style);
        }"""
    )
    desktop.page.wait_for_timeout(200)

    assert any("CSP violation: style-src" in problem for problem in desktop.problems), (
        desktop.problems
    )


MOVEMENT_SHOWN = """() => [...document.querySelectorAll("table.board tbody td.col-movement")]
  .map((td) => td.querySelector("[aria-hidden=true]").textContent.split(" ")[0])"""


def _rank_change(shown: str) -> int | None:
    """▲3 → 3, ▼2 → -2, = → 0, new / – → None."""
    if shown.startswith("▲"):
        return int(shown[1:])
    if shown.startswith("▼"):
        return -int(shown[1:])
    return 0 if shown == "=" else None


@pytest.mark.usefixtures("later_snapshot")
def test_movement_sorts_biggest_riser_first_and_compare_to_applies_from_the_form(
    visit: Open,
) -> None:
    desktop = visit(**DESKTOP)
    desktop.goto("/text/overall/")
    page = desktop.page
    assert "movement since 2025-11-18" in page.locator(".summary").inner_text()

    header = page.locator("table.board thead th.col-movement")
    header.get_by_role("link").click()
    page.wait_for_url(re.compile(r"sort=-movement"))
    changes = [_rank_change(shown) for shown in page.evaluate(MOVEMENT_SHOWN)]
    known = [change for change in changes if change is not None]
    assert known and known == sorted(known, reverse=True) and known[0] > 0
    # Models without a change to show (new ones) come after every number.
    assert changes == known + [None] * (len(changes) - len(known))
    assert header.get_attribute("aria-sort") == "descending"

    # A date after the snapshot shown: ignored, and the form says so.
    page.get_by_label("Movement since").fill("2026-01-01")
    page.get_by_label("Movement since").dispatch_event("change")
    page.wait_for_url(re.compile(r"compare_to=2026-01-01"))
    page.locator("#filter-errors .error").wait_for()
    assert "is not before the snapshot shown" in page.locator("#filter-errors").inner_text()
    assert query(desktop) == {"sort": ["-movement"], "compare_to": ["2026-01-01"]}
    desktop.screenshot("board-movement-sorted-1280")
    assert desktop.problems == []
