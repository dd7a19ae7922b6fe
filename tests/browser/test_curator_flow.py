"""A new curator clears the review queue of text/overall's top 50 in a real browser at 1280 px.

From a fresh site (``load_bundled_data``, as ``make run`` does) nothing about the top 50 waits:
the bundled data arrives reviewed. What a curator really meets is the next upstream page, so
the day after the newest bundled page arrives with what upstream changes from one day to the
next: a new model name, an organisation respelled, a license renamed, a name glued to a new
organisation string. The curator signs in (Curators group, not a superuser), opens the queue
from the admin index and decides every item that concerns the top 50 by clicking, as a person
would: merge the respelled organisation (with a reason), set the new license's kind on its
change page, keep the curated values where upstream disagrees, accept the new names. Clicks
and seconds are counted and printed (``-s``); the public corrections log must then show each
change, with the reason and without the curator's name.
"""

from __future__ import annotations

import importlib
import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db.models import Q
from playwright.sync_api import Page

from leaderboard.boards import BoardKey
from leaderboard.models import (
    AIModel,
    Entry,
    ImportRun,
    Leaderboard,
    License,
    LicenseAlias,
    ModelAlias,
    Organization,
    OrganizationAlias,
)
from leaderboard.services.importing import import_payload
from leaderboard.services.planning import ImportRequest
from tests.browser.conftest import Visit
from tests.paths import REPO

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Open = Callable[..., Visit]
MIGRATIONS = REPO / "leaderboard" / "migrations"
NEWEST_BUNDLED = REPO / "leaderboard" / "bundled" / "lmarena_md_2026-03-11_price-context.md"
PASSWORD = "a-long-curator-passphrase"
WIDE = {"viewport": {"width": 1280, "height": 900}}
TOP = 50
REASON = "Z.ai is Zhipu AI's brand; one organisation"
# Upstream's next day, as it changes things: each pair must occur once in the newest page.
NEXT_DAY = [
    (
        "2026-03-11 08:14:58 UTC / 2026-03-11 16:14:58",
        "2026-03-12 08:14:58 UTC / 2026-03-12 16:14:58",
    ),
    ("grok-4.20-beta1xAI · Proprietary", "grok-4.20-beta2xAI · Proprietary"),
    ("qwen3.5-397b-a17bAlibaba · Apache 2.0", "qwen3.5-397b-a17bAlibaba · Qwen Open License"),
    ("glm-5Z.ai · MIT", "glm-5Zhipu Z.ai Lab · MIT"),
    ("ernie-5.0-0110Baidu · Proprietary", "ernie-5.0-0110Baidu Inc · Proprietary"),
]


def top_model_ids() -> set[int]:
    board = next(b for b in Leaderboard.objects.all() if b.slug == "text/overall")
    rows = Entry.objects.filter(snapshot=board.current_snapshot).order_by("rank", "pk")
    return set(rows.values_list("model_id", flat=True)[:TOP])


def waiting_for_top(ids: set[int]) -> dict[str, list[str]]:
    """Every queue item that concerns the top models: the models, their names, and the
    organisations and licenses they link to or upstream names for them (with their spellings)."""
    top = AIModel.objects.filter(pk__in=ids)
    orgs = {
        n for pair in top.values_list("upstream_organization", "organization__name") for n in pair
    }
    licenses = {n for pair in top.values_list("upstream_license", "license__name") for n in pair}
    org_q = Q(models__in=ids) | Q(name__in=orgs - {None, ""})
    license_q = Q(models__in=ids) | Q(name__in=licenses - {None, ""})
    return {
        "models": list(top.filter(needs_review=True).values_list("name", flat=True)),
        "model names": list(
            ModelAlias.objects.filter(needs_review=True, model__in=ids).values_list(
                "raw", flat=True
            )
        ),
        "organisations": list(
            Organization.objects.filter(org_q, needs_review=True)
            .distinct()
            .values_list("name", flat=True)
        ),
        "organisation spellings": list(
            OrganizationAlias.objects.filter(needs_review=True)
            .filter(Q(organization__models__in=ids) | Q(raw__in=orgs - {None, ""}))
            .distinct()
            .values_list("raw", flat=True)
        ),
        "licenses": list(
            License.objects.filter(license_q, needs_review=True)
            .distinct()
            .values_list("name", flat=True)
        ),
        "license spellings": list(
            LicenseAlias.objects.filter(needs_review=True)
            .filter(Q(license__models__in=ids) | Q(raw__in=licenses - {None, ""}))
            .distinct()
            .values_list("raw", flat=True)
        ),
    }


def size(queue: dict[str, list[str]]) -> int:
    return sum(len(items) for items in queue.values())


@pytest.fixture
def site(live_server: Any, transactional_db: None) -> str:
    """Replaces the browser fixtures' seeded site: the bundled data only, as after `make run`.
    What the migrations seed first (curated organisations and licenses, enrichment rules), as
    an earlier transactional test's flush removed it."""
    importlib.import_module("leaderboard.migrations.0007_seed_curation").seed_curation(apps)
    (facts,) = sorted(MIGRATIONS.glob("*_model_facts.py"))
    importlib.import_module(f"leaderboard.migrations.{facts.stem}").seed_rules(apps, None)
    call_command("load_bundled_data", stdout=io.StringIO())
    return str(live_server.url).rstrip("/")


@pytest.fixture
def curator(site: str) -> User:
    importlib.import_module("leaderboard.migrations.0008_curators_group").create_curators_group(
        apps
    )
    # Found by name: the integrator may renumber the migrations.
    for stem, grant in (
        ("families", "let_curators_edit_families"),
        ("model_facts", "grant_curators"),
    ):
        (migration,) = sorted(MIGRATIONS.glob(f"*_{stem}.py"))
        getattr(importlib.import_module(f"leaderboard.migrations.{migration.stem}"), grant)(
            apps, None
        )
    user = User.objects.create_user("new-curator", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Curators"))
    return user


@dataclass
class Curator:
    """The browser page, with every click counted."""

    page: Page
    clicks: int = 0

    def click(self, selector: str) -> None:
        self.page.locator(selector).click()
        self.clicks += 1

    def choose(self, selector: str, value: str) -> None:
        self.page.select_option(selector, value)
        self.clicks += 1  # a select is one click (open and pick count as one)

    def type(self, selector: str, text: str) -> None:
        self.page.fill(selector, text)  # typing, not a click

    def reason(self, selector: str, text: str) -> None:
        """Type a reason and check the box shows all of it (it was cut to its last words)."""
        self.type(selector, text)
        hidden = self.page.locator(selector).evaluate("(box) => box.scrollWidth - box.clientWidth")
        assert hidden <= 0, (selector, hidden)

    def tick_row(self, text: str) -> None:
        self.page.locator("#result_list tr", has_text=text).locator("input.action-select").check()
        self.clicks += 1

    def row_button(self, row_text: str, label: str) -> None:
        row = self.page.locator("#result_list tbody tr", has_text=row_text)
        button = row.get_by_role("button", name=label)
        box = button.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 1280, (row_text, label, box)
        button.click()
        self.clicks += 1
        self.page.wait_for_load_state()

    def back_to_queue(self) -> None:
        self.click(".breadcrumbs a:has-text('Home')")
        self.click("#review-queue-module caption a")


def test_a_new_curator_clears_the_top_50_queue_by_clicking(visit: Open, curator: User) -> None:
    ids = top_model_ids()
    assert len(ids) == TOP
    fresh = waiting_for_top(ids)
    assert size(fresh) == 0, fresh  # the bundled data arrives reviewed

    text = NEWEST_BUNDLED.read_text()
    for old, new in NEXT_DAY:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    outcome = import_payload(
        ImportRequest(
            data=text.encode(),
            origin="upstream next day",
            trigger=ImportRun.Trigger.COMMAND,
            hint=BoardKey.parse("text/overall"),
        )
    )
    assert outcome.ok, outcome.reason
    ids = top_model_ids()
    before = waiting_for_top(ids)
    assert size(before) >= 5, before

    admin = visit(**WIDE)
    you = Curator(admin.page)
    started = time.perf_counter()
    admin.goto("/admin/login/?next=/admin/")
    you.type("#id_username", "new-curator")
    you.type("#id_password", PASSWORD)
    you.click("input[type=submit]")
    admin.page.wait_for_url("**/admin/")
    you.click("#review-queue-module caption a")
    assert admin.page.locator("#review-queue").is_visible()
    admin.screenshot("curator-queue-before-1280", full_page=True)

    # The respelled organisation an import created: the same lab, merged with a reason.
    you.click("#review-queue tr:has-text('Organisations an import created') a")
    you.tick_row("Zhipu Z.ai Lab")
    you.choose("select[name=action]", "merge_into")
    you.click("#changelist-form button[name=index]")
    you.click(".select2-selection")
    admin.page.locator(".select2-search__field").fill("Zhipu")
    you.click(".select2-results__option:has-text('Zhipu AI')")
    you.reason("input[name=reason]", REASON)
    admin.screenshot("curator-decision-merge-1280", full_page=True)
    you.click("input[type=submit][value=Apply]")
    assert "Merged" in admin.page.locator("ul.messagelist").inner_text()
    you.back_to_queue()

    # A license an import created: its kind set on its change page.
    you.click("#review-queue tr:has-text('Licenses an import created') a")
    you.click("#result_list a:has-text('Qwen Open License')")
    you.choose("select[name=kind]", License.Kind.OPEN_RESTRICTED)
    you.click("input[name=needs_review]")
    you.reason("input[name=change_reason]", "Qwen's own license: open weights, with terms")
    admin.screenshot("curator-decision-license-1280", full_page=True)
    you.click("input[name=_save]")
    assert "changed successfully" in admin.page.locator("ul.messagelist").inner_text()
    you.back_to_queue()

    # Models where upstream disagrees: the curated organisation and license stand.
    you.click("#review-queue tr:has-text('Models where upstream disagrees') a")
    admin.screenshot("curator-disagreements-1280", full_page=True)
    for name in list(
        AIModel.objects.filter(pk__in=ids, needs_review=True).values_list("name", flat=True)
    ):
        you.row_button(name, "Keep curated")
    you.back_to_queue()

    # New model names: the mappings the importer made are right.
    you.click("#review-queue tr:has-text('New model names') a")
    admin.screenshot("curator-model-names-1280", full_page=True)
    for raw in ModelAlias.objects.filter(needs_review=True, model__in=ids).values_list(
        "raw", flat=True
    ):
        you.row_button(raw, "Accept")
    you.back_to_queue()
    seconds = time.perf_counter() - started
    admin.screenshot("curator-queue-after-1280", full_page=True)

    after = waiting_for_top(top_model_ids())
    assert size(after) == 0, after
    print(
        f"\ncurator cleared the top {TOP} of text/overall: {size(before)} items "
        f"(fresh site: {size(fresh)}; after: {size(after)}) in {you.clicks} clicks, "
        f"{seconds:.1f} s ({seconds / 60:.2f} min) — {before}"
    )

    reader = visit(**WIDE)
    reader.goto("/corrections/")
    log = reader.page.locator("main").inner_text()
    reader.screenshot("curator-corrections-1280", full_page=True)
    rows = reader.page.locator("tr.correction")
    merged = rows.filter(has_text="Zhipu Z.ai Lab")
    assert merged.count() == 1 and "Zhipu AI" in merged.inner_text()
    assert REASON in merged.inner_text()
    kept = rows.filter(has_text="Qwen Open License")
    assert kept.count() == 1 and "Apache 2.0" in kept.inner_text()
    assert "new-curator" not in log
    assert not admin.problems, admin.problems
    assert not reader.problems, reader.problems
