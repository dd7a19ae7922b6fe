"""The API's interactive docs in a real browser: Swagger UI from our static files renders
every operation under the site's CSP, calls no other host, and "Try it out" works."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.browser.conftest import Visit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 375])
def test_the_docs_page_renders_every_operation_without_csp_violations(
    visit: Callable[..., Visit], width: int
) -> None:
    watched = visit(viewport={"width": width, "height": 900})
    watched.goto("/api/v1/docs")
    watched.page.wait_for_selector(".opblock-summary-path")

    paths = watched.page.locator(".opblock-summary-path").all_inner_texts()
    watched.screenshot(f"api-docs-{width}")

    assert len(paths) == 10
    assert "/api/v1/boards/{arena}/{category}/snapshot" in [p.replace("\u200b", "") for p in paths]
    assert watched.problems == []


def test_try_it_out_calls_the_api_and_shows_the_answer(visit: Callable[..., Visit]) -> None:
    watched = visit(viewport={"width": 1280, "height": 900})
    watched.goto("/api/v1/docs")
    page = watched.page
    page.locator(".opblock-summary-path", has_text="/api/v1/boards").first.click()
    page.get_by_role("button", name="Execute").click()
    answer = page.locator(".live-responses-table tbody .response-col_status").first
    answer.wait_for()
    watched.screenshot("api-docs-try-it-out-1280")

    assert answer.inner_text().strip() == "200"
    assert "text/overall" in page.locator(".live-responses-table").inner_text()
    assert watched.problems == []


def test_the_board_page_offers_the_permalink(visit: Callable[..., Visit]) -> None:
    watched = visit(viewport={"width": 375, "height": 900})
    watched.goto("/text/overall/")
    cite = watched.page.locator(".cite")
    cite.scroll_into_view_if_needed()
    watched.screenshot("board-cite-375")

    assert "Cite this table" in cite.inner_text()
    with watched.page.expect_navigation():
        cite.get_by_role("link", name="permalink of 2025-11-18").click()
    assert '"content_hash"' in watched.page.content()
    # A JSON document has no icon link, so the browser asks for /favicon.ico (a 404).
    assert [p for p in watched.problems if "favicon" not in p and "404" not in p] == []
