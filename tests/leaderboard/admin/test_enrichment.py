"""The enrichment admin as a curator: writing match rules (checked before saving) and
deciding a fact the catalogue disagrees with."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from leaderboard.models import AIModel, EnrichmentRule, ModelFact
from leaderboard.services import enrichment

pytestmark = pytest.mark.django_db

GROUP_MIGRATION = importlib.import_module("leaderboard.migrations.0008_curators_group")
FACTS_MIGRATION = importlib.import_module("leaderboard.migrations.0016_model_facts")


@pytest.fixture
def curator_client(client: Client) -> Client:
    """A Curators member (the group as the migrations leave it), not a superuser."""
    GROUP_MIGRATION.create_curators_group(apps)
    FACTS_MIGRATION.grant_curators(apps, None)
    user = User.objects.create_user("curator", is_staff=True)
    user.groups.add(Group.objects.get(name="Curators"))
    client.force_login(user)
    return client


def add_rule(client: Client, **fields: str) -> str:
    data = {"pattern": "", "target": "", "fields": "", "priority": "100", "enabled": "on"}
    response = client.post(reverse("admin:leaderboard_enrichmentrule_add"), data | fields)
    return response.content.decode() if response.status_code == 200 else ""


def test_a_curator_writes_a_rule_and_its_history_names_them(curator_client: Client) -> None:
    errors = add_rule(
        curator_client,
        pattern=r"(?P<base>.+)-preview",
        target=r"\g<base>",
        fields="context_tokens",
        change_reason="previews share limits",
    )

    assert errors == ""
    rule = EnrichmentRule.objects.get(pattern=r"(?P<base>.+)-preview")
    assert rule.history.latest().history_user.username == "curator"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"pattern": "(unclosed", "target": "x"}, "not a regular expression"),
        ({"pattern": r"(?P<base>.+)-x", "target": r"\g<name>"}, "the pattern has no group"),
        ({"pattern": r"(.+)-x", "target": r"\2"}, "the pattern has no group"),
        ({"pattern": "a", "target": "b", "fields": "context_tokens,colour"}, "unknown facts"),
    ],
)
def test_a_rule_that_cannot_work_is_refused_with_the_reason(
    curator_client: Client, fields: dict[str, str], message: str
) -> None:
    before = EnrichmentRule.objects.count()

    errors = add_rule(curator_client, **fields)

    assert message in errors
    assert EnrichmentRule.objects.count() == before


def test_a_curator_keeps_their_value_against_the_catalogue(curator_client: Client) -> None:
    model = AIModel.objects.create(key="claude-3-5-haiku-20241022", name="Haiku", context_tokens=1)
    enrichment.enrich_models()
    conflict = ModelFact.objects.get(model=model, status=ModelFact.Status.CONFLICT)

    response = curator_client.post(
        reverse("admin:leaderboard_modelfact_changelist"),
        {"action": "keep_curated", "_selected_action": [conflict.pk]},
    )

    assert response.status_code == 302
    conflict.refresh_from_db()
    model.refresh_from_db()
    assert conflict.status == ModelFact.Status.KEPT and "kept by curator" in conflict.reason
    assert model.context_tokens == 1
    assert curator_client.get(reverse("admin:leaderboard_modelfact_add")).status_code == 403
