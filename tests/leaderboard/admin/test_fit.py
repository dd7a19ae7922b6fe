"""The admin that fits: the site's name, review state said the right way round, real run
durations, and unchanged runs kept out of the way."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from leaderboard.admin.imports import run_duration
from leaderboard.models import ImportRun, ModelAlias, Source
from leaderboard.services import importing
from tests import fake_upstream
from tests.fake_upstream import FakeUpstream, Reply
from tests.leaderboard import factories

pytestmark = pytest.mark.django_db

upstream = fake_upstream.upstream
fast_fetch = fake_upstream.fast_fetch
RUNS_URL = reverse("admin:leaderboard_importrun_changelist")


def test_the_admin_carries_the_sites_name_translatably(admin_client: Client) -> None:
    english = admin_client.get("/admin/").content.decode()

    assert "Arena Leaderboard administration" in english
    assert "Django administration" not in english
    assert "Curation and imports" in english
    with translation.override("zh-hans"):
        assert str(admin.site.site_header) == "Arena 排行榜管理"


def test_review_state_is_said_in_words_not_a_red_cross_on_rows_that_are_fine(
    admin_client: Client,
) -> None:
    model = factories.ai_model(key="m-ok", name="m-ok")
    ModelAlias.objects.create(raw="fine-one", model=model, needs_review=False)
    ModelAlias.objects.create(raw="waiting-one", model=model, needs_review=True)

    aliases = admin_client.get(reverse("admin:leaderboard_modelalias_changelist")).content.decode()
    models = admin_client.get(reverse("admin:leaderboard_aimodel_changelist")).content.decode()

    assert '<span class="review-badge reviewed">reviewed</span>' in aliases
    assert '<span class="review-badge waiting">needs review</span>' in aliases
    assert "icon-no.svg" not in aliases  # Django's red ✖ for "needs review: no"
    assert '<span class="review-badge reviewed">reviewed</span>' in models
    assert "css/admin.css" in models


@pytest.mark.usefixtures("fast_fetch")
def test_a_failed_import_now_reports_the_seconds_it_really_ran(upstream: FakeUpstream) -> None:
    url = upstream.route("/board", Reply(500, body=b"down", delay=0.4))
    source = Source.objects.create(slug="slow", format="markdown", url=url)

    outcome = importing.import_origin(
        importing.FromSource(source=source),
        importing.ImportOptions(trigger=ImportRun.Trigger.ADMIN, force_fetch=True),
    )

    run = outcome.run
    assert run is not None and run.status == ImportRun.Status.FAILED
    assert run.finished_at is not None
    ran = (run.finished_at - run.started_at).total_seconds()
    attempts = len(upstream.seen("/board"))
    assert ran >= 0.4 * attempts > 0  # every attempt's wait, not the 0.0 s of old
    assert run_duration(run) == f"{ran:.1f} s"


@pytest.mark.parametrize(
    ("seconds", "shown"), [(0.04, "0.0 s"), (6.2, "6.2 s"), (59.9, "59.9 s"), (185, "3 min 05 s")]
)
def test_durations_read_in_seconds_then_minutes(seconds: float, shown: str) -> None:
    start = timezone.now()
    run = ImportRun(started_at=start, finished_at=start + dt.timedelta(seconds=seconds))
    assert run_duration(run) == shown
    assert run_duration(ImportRun(started_at=start)) == "—"


def make_run(status: str, **values: Any) -> ImportRun:
    now = timezone.now()
    return ImportRun.objects.create(
        trigger=ImportRun.Trigger.COMMAND, status=status, started_at=now, finished_at=now, **values
    )


def test_unchanged_runs_are_hidden_by_default_and_one_click_away(admin_client: Client) -> None:
    make_run(ImportRun.Status.SUCCEEDED, origin="bundled/changed.md")
    for n in range(3):
        make_run(ImportRun.Status.UNCHANGED, origin=f"bundled/same-{n}.md")

    default = admin_client.get(RUNS_URL).content.decode()
    everything = admin_client.get(RUNS_URL + "?status=all").content.decode()
    only = admin_client.get(RUNS_URL + "?status=unchanged").content.decode()

    assert "changed.md" in default and "same-0.md" not in default
    assert "3 unchanged runs (nothing new upstream) are hidden." in default
    assert 'href="?status=all"' in default
    assert all(f"same-{n}.md" in everything for n in range(3)) and "changed.md" in everything
    assert "same-1.md" in only and "changed.md" not in only
    assert "are hidden" not in everything


def form_data(response: Any) -> dict[str, Any]:
    """What the admin's change form would post back untouched (main form and inlines)."""
    form = response.context["adminform"].form
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if value not in (None, False):
            data[name] = value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        for sub in formset.forms:
            for name in sub.fields:
                value = sub[name].value()
                if value not in (None, False):
                    data[sub.add_prefix(name)] = value
    return data


def test_a_family_set_by_hand_is_curated_and_the_rules_leave_it(admin_client: Client) -> None:
    from leaderboard.models import AIModel, ModelFamily
    from leaderboard.services import families

    families.load_starter_rules()
    base = factories.ai_model(key="gpt-5", name="gpt-5")
    variant = factories.ai_model(key="gpt-5-high", name="gpt-5-high")
    families.apply_family_rules()
    variant.refresh_from_db()
    assert variant.family is not None and not variant.family_curated
    chosen = ModelFamily.objects.create(name="GPT reasoning", slug="gpt-reasoning")
    url = reverse("admin:leaderboard_aimodel_change", args=[variant.pk])

    data = form_data(admin_client.get(url)) | {
        "family": chosen.pk,
        "change_reason": "effort levels are their own line",
    }
    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    variant.refresh_from_db()
    assert (variant.family, variant.family_curated, variant.family_rule) == (chosen, True, None)
    families.apply_family_rules()
    variant.refresh_from_db()
    base.refresh_from_db()
    assert variant.family == chosen
    assert base.family is None  # its only variant left: no family of one
    latest = AIModel.history.filter(id=variant.pk).first()
    assert latest is not None
    assert latest.history_change_reason == "effort levels are their own line"


def test_the_reapply_action_runs_the_rules_from_the_family_rule_list(
    admin_client: Client,
) -> None:
    from leaderboard.models import AIModel, FamilyRule
    from leaderboard.services import families

    families.load_starter_rules()
    factories.ai_model(key="o3-mini", name="o3-mini")
    factories.ai_model(key="o3-mini-high", name="o3-mini-high")
    rule = FamilyRule.objects.first()
    assert rule is not None

    response = admin_client.post(
        reverse("admin:leaderboard_familyrule_changelist"),
        {"action": "reapply_rules", "_selected_action": [rule.pk]},
        follow=True,
    )

    assert "Family rules re-applied: 2 models placed" in response.content.decode()
    assert AIModel.objects.get(key="o3-mini-high").family is not None
    # The same from the list's own button, no row ticked; nothing left to place.
    listing = admin_client.get(reverse("admin:leaderboard_familyrule_changelist"))
    reapply = reverse("admin:leaderboard_familyrule_reapply")
    assert f'action="{reapply}"' in listing.content.decode()
    again = admin_client.post(reapply, follow=True)
    assert "Family rules re-applied: 0 models placed" in again.content.decode()
    assert admin_client.get(reapply).status_code == 405


@pytest.mark.usefixtures("fast_fetch")
def test_a_run_that_fetched_slowly_counts_the_fetch_in_its_duration(
    upstream: FakeUpstream,
) -> None:
    from tests.paths import SEED

    url = upstream.route(
        "/board", Reply(200, {"Content-Type": "text/markdown"}, SEED.read_bytes(), delay=0.5)
    )
    source = Source.objects.create(
        slug="slow-ok",
        format="markdown",
        url=url,
        options={"arena": "text", "category": "overall", "style_control": True},
    )

    asked = timezone.now()
    outcome = importing.import_origin(
        importing.FromSource(source=source),
        importing.ImportOptions(trigger=ImportRun.Trigger.ADMIN, force_fetch=True),
    )

    run = outcome.run
    assert outcome.ok and run is not None and run.finished_at is not None
    # Started when asked, not once the bytes were in (half a second later).
    assert (run.started_at - asked).total_seconds() < 0.4
    assert (run.finished_at - run.started_at).total_seconds() >= 0.5
