"""History pages in a real browser: charts drawn by our uPlot module under the CSP, one point
per snapshot; head-to-head; following a changes entry; desktop and phone screenshots."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Count, Min

from leaderboard.boards import BoardKey
from leaderboard.models import AIModel, ImportRun
from leaderboard.services.importing import import_payload
from leaderboard.services.planning import ImportRequest
from tests.browser.conftest import Visit
from tests.paths import UPSTREAM

pytestmark = pytest.mark.browser

Open = Callable[..., Visit]
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
CHERRY = UPSTREAM / "markdown-cherry"
LATER = ["lmarena_md_2025-12-20_rank-spread.md", "lmarena_md_2026-03-11_price-context.md"]


@pytest.fixture
def history_site(site: str) -> tuple[str, AIModel, AIModel]:
    """The seed board plus two later dates of it; two models present on all three."""
    for name in LATER:
        outcome = import_payload(
            ImportRequest(
                data=(CHERRY / name).read_bytes(),
                origin=name,
                trigger=ImportRun.Trigger.COMMAND,
                hint=BoardKey.parse("text/overall"),
            )
        )
        assert outcome.ok, outcome.reason
    on_all = list(
        AIModel.objects.annotate(n=Count("entries"), best=Min("entries__rank"))
        .filter(n=3)
        .order_by("best")[:2]
    )
    assert len(on_all) == 2
    return site, on_all[0], on_all[1]


def charts_drawn(visit: Visit) -> list[dict[str, Any]]:
    visit.page.wait_for_selector(".chart[data-drawn='true']")
    return visit.page.evaluate(
        """() => [...document.querySelectorAll('.chart')].map((el) => ({
             kind: el.dataset.kind, points: Number(el.dataset.points || 0),
             canvas: el.querySelectorAll('canvas').length }))"""
    )


def test_model_page_draws_score_and_rank_charts_with_one_point_per_snapshot(
    visit: Open, history_site: tuple[str, AIModel, AIModel]
) -> None:
    _site, model, _other = history_site
    desktop = visit(**DESKTOP)
    desktop.goto(model.get_absolute_url())

    drawn = charts_drawn(desktop)

    assert [c["kind"] for c in drawn] == ["score", "rank"]
    assert all(c["canvas"] >= 1 and c["points"] == 3 for c in drawn), drawn
    # Without JavaScript the numbers are in the table: one row per snapshot.
    assert desktop.page.locator("details.chart-data").first.locator("tbody tr").count() == 3
    desktop.screenshot("history-model-desktop", full_page=True)
    assert desktop.problems == []


def test_model_page_on_a_phone_in_dark_mode_fits_the_screen(
    visit: Open, history_site: tuple[str, AIModel, AIModel]
) -> None:
    _site, model, _other = history_site
    # A long link and an upstream name with no break in it must wrap, not widen the page.
    model.url = "https://" + "x" * 70 + ".example.com/"
    model.save(update_fields=["url"])
    model.aliases.create(raw="a-very-long-upstream-name-" * 4)
    phone = visit(**PHONE, color_scheme="dark")
    phone.goto(model.get_absolute_url())

    charts_drawn(phone)

    widths = phone.page.evaluate(
        "() => [...document.querySelectorAll('.chart canvas')]"
        ".map((c) => c.getBoundingClientRect().right)"
    )
    assert widths and max(widths) <= 375, widths
    assert phone.page.evaluate("() => document.documentElement.scrollWidth") <= 375
    phone.screenshot("history-model-phone-dark", full_page=True)
    assert phone.problems == []


def test_compare_two_models_from_the_form(
    visit: Open, history_site: tuple[str, AIModel, AIModel]
) -> None:
    _site, first, second = history_site
    desktop = visit(**DESKTOP)
    desktop.goto("/compare/")
    page = desktop.page

    page.get_by_label("Models (2–4 keys, comma-separated)").fill(f"{first.key},{second.key}")
    with page.expect_navigation():
        page.get_by_role("button", name="Compare").click()

    assert page.locator("tr.compared-model").count() == 2
    probability = page.locator("td.probability").first.inner_text()
    assert probability.endswith("%") and 50 <= int(probability[:-1]) <= 100
    drawn = charts_drawn(desktop)
    assert drawn[0]["points"] == 3
    desktop.screenshot("history-compare-desktop", full_page=True)
    phone = visit(**PHONE)
    phone.goto(page.url.removeprefix(desktop.origin))
    charts_drawn(phone)
    assert phone.page.evaluate("() => document.documentElement.scrollWidth") <= 375
    phone.screenshot("history-compare-phone", full_page=True)
    assert desktop.problems == [] and phone.problems == []


def test_following_a_changes_entry_opens_that_model(
    visit: Open, history_site: tuple[str, AIModel, AIModel]
) -> None:
    desktop = visit(**DESKTOP)
    desktop.goto("/changes/")
    page = desktop.page
    link = page.locator("li.event a").first
    name = link.inner_text().rsplit(": ", 1)[1]

    with page.expect_navigation():
        link.click()

    assert page.locator("h1").inner_text().startswith(name)
    charts_drawn(desktop)
    desktop.goto("/changes/")
    desktop.screenshot("history-changes-desktop")
    assert desktop.problems == []


def test_the_organisation_link_opens_its_page_with_the_best_rank_chart(
    visit: Open, history_site: tuple[str, AIModel, AIModel]
) -> None:
    _site, model, _other = history_site
    desktop = visit(**DESKTOP)
    desktop.goto(model.get_absolute_url())
    page = desktop.page

    with page.expect_navigation():
        page.locator("dl.model-facts a").first.click()

    assert model.organization is not None
    assert page.locator("h1").inner_text() == model.organization.name
    drawn = charts_drawn(desktop)
    assert drawn and drawn[0]["kind"] == "rank" and drawn[0]["points"] == 3
    desktop.screenshot("history-organization-desktop", full_page=True)
    assert desktop.problems == []
