"""Browser fixtures: Debian's chromium driven by Playwright against pytest-django's live server.

The live server is a real threaded WSGI server on 127.0.0.1, so the browser sees exactly what a
visitor sees: middleware, CSP header, whitenoise, the page cache. Nothing here downloads a
browser; a missing /usr/bin/chromium is a failure, not a skip.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

from leaderboard.boards import BoardKey
from leaderboard.models import ContentVersion, ImportRun, License
from leaderboard.services.importing import import_payload
from leaderboard.services.planning import ImportRequest
from tests.paths import REPO

SEED = REPO / "tests" / "data" / "upstream" / "markdown-cherry" / "seed_en_2025-11-18.md"
DEC_20 = SEED.with_name("lmarena_md_2025-12-20_rank-spread.md")
SCREENSHOTS = REPO / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000
# Chromium reports a CSP violation as an event, not always as a console message: the init
# script turns each one into a console error so one listener catches both kinds of problem.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One chromium for the module (launching it per test would dominate the run time).

    Playwright's sync API keeps an asyncio loop marked as running on this thread, which makes
    Django refuse ORM calls here (the data fixtures and the database flush after each test).
    Those calls are plain synchronous code that never touches the loop, so the guard is
    lifted while the browser lives, and only then.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def seed_board(transactional_db: None) -> None:
    """The seed page as text/overall, with MIT curated as permissive open weights and
    "Proprietary" as proprietary, so the open-weights filter has rows to keep and to drop."""
    outcome = import_payload(
        ImportRequest(
            data=SEED.read_bytes(),
            origin=str(SEED),
            trigger=ImportRun.Trigger.COMMAND,
            hint=BoardKey.parse("text/overall"),
        )
    )
    assert outcome.ok, outcome.reason
    License.objects.filter(name="MIT").update(kind=License.Kind.OPEN_PERMISSIVE)
    License.objects.filter(name="Proprietary").update(kind=License.Kind.PROPRIETARY)
    # Page caches are keyed by this version; a shared Redis outlives each test database, so a
    # version no earlier run used keeps pages cached by other runs (or other code) unseen.
    ContentVersion.objects.update_or_create(
        pk=1, defaults={"version": time.time_ns(), "changed_at": timezone.now()}
    )


@pytest.fixture
def later_snapshot(seed_board: None) -> None:
    """The 2025-12-20 page published after the seed on text/overall: the board then shows
    movement (risers, fallers, new models) against 2025-11-18."""
    outcome = import_payload(
        ImportRequest(
            data=DEC_20.read_bytes(),
            origin=str(DEC_20),
            trigger=ImportRun.Trigger.COMMAND,
            hint=BoardKey.parse("text/overall"),
        )
    )
    assert outcome.ok, outcome.reason


@pytest.fixture
def site(live_server: Any, seed_board: None) -> str:
    """The live server's base URL, without the trailing slash, serving the seed board."""
    return str(live_server.url).rstrip("/")


@dataclass
class Visit:
    """A page plus everything that went wrong on it: console errors, uncaught exceptions,
    CSP violations, and requests to any host but the live server."""

    page: Page
    origin: str
    problems: list[str] = field(default_factory=list)

    def goto(self, path: str) -> None:
        response = self.page.goto(self.origin + path)
        assert response is not None and response.status == 200, (path, response)

    def screenshot(self, name: str, *, full_page: bool = False) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path


@pytest.fixture
def visit(browser: Browser, site: str) -> Iterator[Callable[..., Visit]]:
    """Open a fresh browser context (keyword arguments go to ``new_context``) and watch it."""
    contexts: list[BrowserContext] = []
    origin_host = urlsplit(site).netloc

    def open_visit(**context_options: Any) -> Visit:
        context = browser.new_context(**context_options)
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        page = context.new_page()
        watched = Visit(page=page, origin=site)

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                watched.problems.append(f"console error on {page.url}: {message.text}")

        def on_request(request: Any) -> None:
            host = urlsplit(request.url).netloc
            if request.url.startswith(("http:", "https:")) and host != origin_host:
                watched.problems.append(f"request to another host: {request.url}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: watched.problems.append(f"page error: {error}"))
        page.on("request", on_request)
        return watched

    yield open_visit
    for context in contexts:
        context.close()
