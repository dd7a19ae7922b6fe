"""The admin as a curator sees it at 1280 px: the model list's row buttons (Decide) and the
action bar inside the viewport, every changelist without sideways scrolling; screenshots of
the changelists, a model page with its family and the corrections log at 1280 and 375 px."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User

from leaderboard.models import AIModel
from leaderboard.services import families
from tests.browser.conftest import Visit
from tests.paths import REPO

pytestmark = pytest.mark.django_db(transaction=True)

Open = Callable[..., Visit]
MIGRATIONS = REPO / "leaderboard" / "migrations"
PASSWORD = "a-long-curator-passphrase"
WIDE = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
CHANGELISTS = [
    "aimodel", "modelalias", "organizationalias", "licensealias", "organization", "license",
    "modelfamily", "familyrule", "importrun", "source",
]  # fmt: skip


@pytest.fixture
def curator(seed_board: None) -> User:
    importlib.import_module("leaderboard.migrations.0008_curators_group").create_curators_group(
        apps
    )
    # Found by name: the integrator may renumber the migration.
    (families_migration,) = sorted(MIGRATIONS.glob("*_families.py"))
    importlib.import_module(
        f"leaderboard.migrations.{families_migration.stem}"
    ).let_curators_edit_families(apps, None)
    user = User.objects.create_user("curator", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Curators"))
    families.load_starter_rules()
    families.apply_family_rules()
    # A review queue with both kinds of rows: a disagreement and an uncertain name.
    AIModel.objects.filter(pk__in=AIModel.objects.order_by("pk").values("pk")[:30]).update(
        needs_review=True, upstream_organization="Some Other Lab With A Long Name"
    )
    return user


def logged_in(visit: Open, **options: Any) -> Visit:
    page = visit(**options)
    page.goto("/admin/login/?next=/admin/")
    page.page.fill("#id_username", "curator")
    page.page.fill("#id_password", PASSWORD)
    page.page.click("input[type=submit]")
    page.page.wait_for_url("**/admin/")
    return page


def test_at_1280_px_the_decide_buttons_and_actions_are_on_screen(
    visit: Open, curator: User
) -> None:
    admin = logged_in(visit, **WIDE)
    admin.goto("/admin/leaderboard/aimodel/?needs_review__exact=1")

    admin.screenshot("admin-aimodel-review-1280")
    results = admin.page.locator("#changelist-form .results").bounding_box()
    table = admin.page.locator("#result_list").bounding_box()
    assert table is not None and results is not None
    visible_right = min(1280, results["x"] + results["width"])  # .results clips what overflows
    buttons = admin.page.locator("td.field-decide button")
    assert buttons.count() >= 2
    for index in range(min(buttons.count(), 10)):
        box = buttons.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= visible_right, box
    go = admin.page.locator("#changelist-form button[name=index]").bounding_box()
    assert go is not None and go["x"] + go["width"] <= 1280
    assert table["width"] <= results["width"] + 1  # the table fits its area: no sideways scroll
    assert admin.page.locator(".review-badge.waiting").count() >= 2
    admin.screenshot("admin-aimodel-review-1280")


def test_every_changelist_fits_1280_px_and_screenshots_at_both_widths(
    visit: Open, curator: User
) -> None:
    for options, width in ((WIDE, 1280), (PHONE, 375)):
        admin = logged_in(visit, **options)
        for name in CHANGELISTS:
            admin.goto(f"/admin/leaderboard/{name}/")
            if width == 1280:
                overflow = admin.page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 0, (name, overflow)
                # No column hidden in the list's own scroll area, the action bar on screen.
                hidden = admin.page.evaluate(
                    "(() => { const r = document.querySelector('#changelist-form .results');"
                    " return r ? r.scrollWidth - r.clientWidth : 0; })()"
                )
                assert hidden <= 1, (name, hidden)
                run = admin.page.locator("#changelist-form button[name=index]")
                if run.count():
                    box = run.bounding_box()
                    assert box is not None and box["x"] + box["width"] <= 1280, name
            admin.screenshot(f"admin-{name}-{width}")


def test_model_page_with_its_family_and_the_corrections_log_at_both_widths(
    visit: Open, curator: User
) -> None:
    member = AIModel.objects.filter(family__isnull=False).order_by("name").first()
    assert member is not None
    for options, width in ((WIDE, 1280), (PHONE, 375)):
        reader = visit(**options)
        reader.goto(member.get_absolute_url())
        family = reader.page.locator("dd.family")
        assert member.family is not None and member.family.name in family.inner_text()
        assert family.locator("a").count() >= 1  # its other members, linked
        reader.screenshot(f"model-family-{width}", full_page=True)
        reader.goto("/corrections/")
        assert reader.page.locator("tr.correction").count() >= 1
        sideways = reader.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert sideways <= 0, (width, sideways)  # a card per correction on a phone
        assert "curator" not in reader.page.locator("main, body").first.inner_text()
        reader.screenshot(f"corrections-{width}", full_page=True)
        reader.screenshot(f"corrections-{width}-first-screen")
        assert not reader.problems, reader.problems
