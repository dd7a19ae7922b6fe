"""The public corrections log: each kind of change with upstream's value and ours, the reason
when one was given, never the curator's name; paginated; in both languages."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from leaderboard import corrections
from leaderboard.models import (
    AIModel,
    License,
    LicenseAlias,
    ModelAlias,
    ModelFamily,
    Organization,
)
from tests.leaderboard import factories

pytestmark = pytest.mark.django_db

CURATOR = "jane-the-curator"


def curate(model: AIModel, user: User, reason: str | None, **values: object) -> None:
    """Save ``values`` on ``model`` as the admin does: audited with who and (maybe) why."""
    for name, value in values.items():
        setattr(model, name, value)
    model._history_user = user  # type: ignore[attr-defined]
    model._change_reason = reason  # type: ignore[attr-defined]
    model.save()


@pytest.fixture
def corrected() -> dict[str, AIModel]:
    user = User.objects.create_user(CURATOR, is_staff=True)
    # The seeded curation (migration 0007) maps these spellings already.
    microsoft = Organization.objects.get(name="Microsoft")
    apache = LicenseAlias.objects.get(raw="Apache-2.0").license
    assert apache.name == "Apache 2.0"
    proprietary = License.objects.get(name="Proprietary", kind=License.Kind.PROPRIETARY)
    phi = factories.ai_model(
        key="phi-4", name="phi-4", organization=microsoft, upstream_organization="Azure",
        license=apache, upstream_license="Apache-2.0",
    )  # fmt: skip
    ModelAlias.objects.create(raw="phi-4", model=phi, needs_review=False)
    renamed = factories.ai_model(key="gpt-4o-2024-05-13", name="gpt-4o-2024-05-13")
    ModelAlias.objects.create(raw="gpt-4o-2024-05-13", model=renamed, needs_review=False)
    curate(renamed, user, "OpenAI's own spelling", name="GPT-4o (May 2024)")
    weights = factories.ai_model(key="grok-1", name="grok-1", license=proprietary)
    curate(weights, user, None, open_weights=True)
    family = ModelFamily.objects.create(name="Claude Opus 4.1", slug="claude-opus-4-1")
    member = factories.ai_model(key="claude-opus-4-1-20250805", name="claude-opus-4-1-20250805")
    curate(member, user, "one model, dated snapshot", family=family, family_curated=True)
    untouched = factories.ai_model(key="plain", name="plain")
    ModelAlias.objects.create(raw="plain", model=untouched, needs_review=False)
    return {"phi": phi, "renamed": renamed, "weights": weights, "member": member}


def by_kind() -> dict[str, list[corrections.Correction]]:
    found: dict[str, list[corrections.Correction]] = {}
    for correction in corrections.all_corrections():
        found.setdefault(correction.kind, []).append(correction)
    return found


def test_each_kind_of_correction_is_listed_with_upstreams_value_and_ours(
    corrected: dict[str, AIModel],
) -> None:
    found = by_kind()

    assert [(c.upstream, c.ours) for c in found["organization"]] == [("Azure", "Microsoft")]
    assert [(c.upstream, c.ours) for c in found["license"]] == [("Apache-2.0", "Apache 2.0")]
    assert [(c.upstream, c.ours, c.reason) for c in found["name"]] == [
        ("gpt-4o-2024-05-13", "GPT-4o (May 2024)", "OpenAI's own spelling")
    ]
    assert [(c.upstream, c.ours, c.reason) for c in found["open_weights"]] == [
        ("Proprietary: no", "yes", "")
    ]
    assert [(c.ours, c.reason) for c in found["family"]] == [
        ("Claude Opus 4.1", "one model, dated snapshot")
    ]
    assert all(c.when is not None for cs in found.values() for c in cs)
    listed = {m.key for cs in found.values() for c in cs for m in c.models}
    assert "plain" not in listed  # shown exactly as upstream sent it


def test_the_page_shows_reasons_and_never_the_curators_name(
    client: Client, corrected: dict[str, AIModel]
) -> None:
    page = client.get("/corrections/")
    body = page.content.decode()

    assert page.status_code == 200
    assert "OpenAI&#x27;s own spelling" in body
    assert "no reason given" in body  # the open-weights flag was set without one
    assert "Azure" in body and "Microsoft" in body
    assert f'href="{corrected["renamed"].get_absolute_url()}"' in body
    assert CURATOR not in body
    assert 'href="/corrections/"' in body  # linked from the site's header and footer


def test_the_log_is_paginated_and_a_bad_page_shows_the_first(
    client: Client, corrected: dict[str, AIModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    from leaderboard import views_history

    monkeypatch.setattr(views_history, "CORRECTIONS_PER_PAGE", 2)

    first, third, beyond = (client.get(f"/corrections/?page={n}") for n in ("1", "3", "9"))

    assert 'rel="next"' in first.content.decode()
    assert first.content.decode().count('class="correction ') == 2
    assert third.content.decode().count('class="correction ') == 1
    assert 'rel="prev"' in third.content.decode()
    assert beyond.status_code == 200 and "There is no page 9" in beyond.content.decode()


def test_the_log_is_translated(client: Client, corrected: dict[str, AIModel]) -> None:
    page = client.get("/zh-hans/corrections/")

    assert page.status_code == 200
    assert "更正记录" in page.content.decode()


def test_a_new_correction_shows_at_once_although_the_log_is_cached(
    client: Client, corrected: dict[str, AIModel]
) -> None:
    from leaderboard import cache_keys

    before = client.get("/corrections/").content.decode()
    model = corrected["phi"]
    curator = User.objects.get(username=CURATOR)
    curate(model, curator, "Microsoft's spelling", name="Phi 4 (Microsoft)")
    cache_keys.bump()  # what every curation does once its transaction commits

    after = client.get("/corrections/").content.decode()

    assert "Phi 4 (Microsoft)" not in before
    assert "Phi 4 (Microsoft)" in after and "Microsoft&#x27;s spelling" in after
