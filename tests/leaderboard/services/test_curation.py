"""Curation services on real samples: merges (and the merge they refuse), the review queue's
accept / map / dismiss, the seeded canonical entities, the Curators group, the audit trail and
cache invalidation."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.db import IntegrityError, transaction

from leaderboard import cache_keys, exports, selectors
from leaderboard.boards import BoardKey
from leaderboard.models import (
    AIModel,
    Entry,
    ImportRun,
    License,
    LicenseAlias,
    ModelAlias,
    Organization,
    OrganizationAlias,
)
from leaderboard.services import curation
from leaderboard.services.importing import import_payload
from leaderboard.services.imports import Outcome
from leaderboard.services.planning import ImportRequest
from tests.paths import SEED, UPSTREAM

pytestmark = pytest.mark.django_db

DEC_20 = UPSTREAM / "markdown-cherry" / "lmarena_md_2025-12-20_rank-spread.md"
SEED_MIGRATION = importlib.import_module("leaderboard.migrations.0007_seed_curation")
GROUP_MIGRATION = importlib.import_module("leaderboard.migrations.0008_curators_group")


def run_import(path: Path, board: str = "text/overall", data: bytes | None = None) -> Outcome:
    return import_payload(
        ImportRequest(
            data=data if data is not None else path.read_bytes(),
            origin=str(path),
            trigger=ImportRun.Trigger.COMMAND,
            hint=BoardKey.parse(board),
        )
    )


def board_document(slug: str = "text/overall") -> dict[str, Any]:
    board = selectors.board_by_slug(slug)
    assert board is not None and board.current_snapshot is not None
    rows = exports.export_rows(selectors.board_rows(board.current_snapshot))
    return json.loads(exports.to_json(board=board, snapshot=board.current_snapshot, rows=rows))


@pytest.fixture(autouse=True)
def bare() -> None:
    """No curation at all: the worst case a curator faces (the migration's seed removed)."""
    OrganizationAlias.objects.all().delete()
    LicenseAlias.objects.all().delete()
    Organization.objects.all().delete()
    License.objects.all().delete()


@pytest.fixture
def seeded(bare: None) -> None:
    """The canonical entities the data migration seeds (idempotent, so safe to re-apply)."""
    SEED_MIGRATION.seed_curation(apps)


@pytest.fixture
def curator() -> User:
    return User.objects.create_user("curator", is_staff=True)


def history_of(obj: object) -> list[tuple[str, str | None, str | None]]:
    return [
        (
            record.history_type,
            record.history_change_reason,
            getattr(record.history_user, "username", None),
        )
        # simple-history adds ``history`` at class creation, out of the type checker's sight.
        for record in obj.history.order_by("history_date", "history_id")  # type: ignore[attr-defined]
    ]


# --- the seed ------------------------------------------------------------------------------


def test_seeded_spellings_map_the_seed_page_to_canonical_entities(seeded: None) -> None:
    run_import(SEED)

    rows = board_document()["rows"]
    assert isinstance(rows, list)
    organizations = {row["organization"] for row in rows}
    licenses = {row["license"]: row["license_kind"] for row in rows}
    assert "DeepSeek" in organizations and "DeepSeek AI" not in organizations
    assert "Zhipu AI" in organizations and not {"Zhipu", "Z.ai"} & organizations
    assert "Microsoft" in organizations and "Azure" not in organizations
    assert "Propretary" not in licenses and licenses["Proprietary"] == License.Kind.PROPRIETARY
    assert licenses["Llama 3.1 Community"] == License.Kind.OPEN_RESTRICTED
    assert licenses["Apache 2.0"] == License.Kind.OSI and "Apache-2.0" not in licenses


def test_seeding_again_changes_nothing_and_never_moves_a_curated_alias(seeded: None) -> None:
    staff_choice = Organization.objects.create(name="DeepSeek (curated)")
    OrganizationAlias.objects.filter(raw="DeepSeek AI").update(organization=staff_choice)
    counts = (
        Organization.objects.count(),
        OrganizationAlias.objects.count(),
        LicenseAlias.objects.count(),
    )

    SEED_MIGRATION.seed_curation(apps)

    assert (
        Organization.objects.count(),
        OrganizationAlias.objects.count(),
        LicenseAlias.objects.count(),
    ) == counts
    assert OrganizationAlias.objects.get(raw="DeepSeek AI").organization == staff_choice


def test_curators_group_has_exactly_the_curation_permissions() -> None:
    GROUP_MIGRATION.create_curators_group(apps)  # what the migration ran; idempotent
    group = Group.objects.get(name=GROUP_MIGRATION.GROUP_NAME)

    codenames = set(group.permissions.values_list("codename", flat=True))

    assert "change_organization" in codenames and "delete_license" in codenames
    assert "change_aimodel" in codenames and "add_aimodel" not in codenames
    assert "add_importrun" in codenames and "force_publish_importrun" not in codenames
    assert "change_entry" not in codenames and "change_snapshot" not in codenames
    expected = {f"{a}_{m}" for m, actions in GROUP_MIGRATION.PERMISSIONS.items() for a in actions}
    assert codenames == expected


# --- merges --------------------------------------------------------------------------------


def test_merging_organisations_moves_aliases_and_models_and_is_audited(
    curator: User, django_capture_on_commit_callbacks: Any
) -> None:
    run_import(SEED)
    deepseek = Organization.objects.get(aliases__raw="DeepSeek AI")
    duplicate = Organization.objects.create(name="DeepSeek Inc")
    OrganizationAlias.objects.create(raw="DeepSeek-Inc", organization=duplicate)
    moved = AIModel.objects.filter(organization=deepseek).first()
    assert moved is not None
    AIModel.objects.filter(pk=moved.pk).update(organization=duplicate)
    version_before = cache_keys.current()[0]
    duplicate_pk = duplicate.pk

    with django_capture_on_commit_callbacks(execute=True):
        result = curation.merge_organizations(
            source=duplicate, target=deepseek, user=curator, reason="one company"
        )

    assert (result.moved_aliases, result.moved_models) == (1, 1)
    assert not Organization.objects.filter(pk=duplicate.pk).exists()
    assert OrganizationAlias.objects.get(raw="DeepSeek-Inc").organization == deepseek
    assert OrganizationAlias.objects.get(raw="DeepSeek Inc").organization == deepseek
    assert AIModel.objects.get(pk=moved.pk).organization == deepseek
    deleted = Organization.history.filter(id=duplicate_pk).latest("history_date")
    assert (deleted.history_type, deleted.history_change_reason) == ("-", "one company")
    assert deleted.history_user == curator
    assert history_of(deepseek)[-1] == ("~", "one company", "curator")
    assert cache_keys.current()[0] == version_before + 1  # bumped on commit


def test_merging_a_typo_license_into_the_real_one_fixes_every_row(curator: User) -> None:
    run_import(SEED)
    typo = License.objects.get(aliases__raw="Propretary")
    proprietary = License.objects.get(aliases__raw="Proprietary")
    assert typo != proprietary  # without the seed, the typo became its own license

    curation.merge_licenses(source=typo, target=proprietary, user=curator)

    licenses = {row["license"] for row in board_document()["rows"]}
    assert "Propretary" not in licenses and "Proprietary" in licenses
    assert LicenseAlias.objects.get(raw="Propretary").license == proprietary


def test_merging_models_moves_every_entry_and_the_board_shows_one_row_each(curator: User) -> None:
    run_import(SEED)
    run_import(DEC_20)
    # A rename upstream: the same model under a second identity, on different snapshots.
    original = AIModel.objects.get(key="gpt-5-high")
    renamed = AIModel.objects.create(key="gpt-5-high-renamed", name="GPT-5 (high)")
    board = selectors.board_by_slug("text/overall")
    assert board is not None
    dec_snapshot = board.current_snapshot
    Entry.objects.filter(model=original, snapshot=dec_snapshot).update(model=renamed)
    entries_before = Entry.objects.count()

    result = curation.merge_models(source=original, target=renamed, user=curator)

    assert Entry.objects.count() == entries_before
    assert result.moved_entries == 1
    assert Entry.objects.filter(model=renamed).count() == 2
    assert ModelAlias.objects.get(raw="gpt-5-high").model == renamed
    model_keys = [row["model_key"] for row in board_document()["rows"]]
    assert len(model_keys) == len(set(model_keys))
    assert "GPT-5 (high)" in {row["model"] for row in board_document()["rows"]}
    # Later imports map upstream's old name to the surviving model.
    assert run_import(SEED, data=SEED.read_bytes().replace(b"2025-11-18", b"2025-11-19")).ok
    assert not AIModel.objects.filter(key="gpt-5-high").exists()


def test_merging_two_models_ranked_in_one_snapshot_is_refused_and_changes_nothing(
    curator: User,
) -> None:
    run_import(SEED)
    first, second = (
        AIModel.objects.get(key="grok-4.1-thinking"),
        AIModel.objects.get(key="grok-4.1"),
    )
    state = (Entry.objects.count(), ModelAlias.objects.count(), AIModel.objects.count())

    with pytest.raises(curation.CurationRefused, match=r"same snapshot.*text/overall 2025-11-18"):
        curation.merge_models(source=second, target=first, user=curator)

    assert (Entry.objects.count(), ModelAlias.objects.count(), AIModel.objects.count()) == state
    assert Entry.objects.filter(model=second).exists()


def test_a_model_cannot_be_merged_into_itself(curator: User) -> None:
    run_import(SEED)
    model = AIModel.objects.get(key="grok-4.1")

    with pytest.raises(curation.CurationRefused):
        curation.merge_models(source=model, target=model, user=curator)


# --- the review queue ----------------------------------------------------------------------


def test_mapping_a_misspelt_organisation_moves_its_models_and_drops_the_guess(
    curator: User,
) -> None:
    alibaba = Organization.objects.create(name="Alibaba")
    OrganizationAlias.objects.create(raw="Alibaba", organization=alibaba, needs_review=False)
    guess = Organization.objects.create(name="Aliaba", needs_review=True)
    alias = OrganizationAlias.objects.create(raw="Aliaba", organization=guess)
    qwen = AIModel.objects.create(
        key="qwen-x", name="qwen-x", organization=guess, upstream_organization="Aliaba"
    )

    message = curation.map_alias(alias=alias, target=alibaba, user=curator, reason="typo")

    alias.refresh_from_db()
    qwen.refresh_from_db()
    assert (alias.organization, alias.needs_review) == (alibaba, False)
    assert qwen.organization == alibaba
    assert not Organization.objects.filter(pk=guess.pk).exists()
    assert "1 models follow it" in message
    assert history_of(alias)[-1] == ("~", "typo", "curator")


def test_mapping_keeps_an_organisation_someone_reviewed(curator: User) -> None:
    kept = Organization.objects.create(name="Kept", needs_review=False)
    other = Organization.objects.create(name="Other")
    alias = OrganizationAlias.objects.create(raw="Kept Inc", organization=kept)

    curation.map_alias(alias=alias, target=other, user=curator)

    assert Organization.objects.filter(pk=kept.pk).exists()


def test_accepting_a_disagreement_takes_upstreams_value_and_dismissing_keeps_the_curated(
    curator: User,
) -> None:
    run_import(SEED)
    xai = Organization.objects.get(aliases__raw="xAI")
    curated = Organization.objects.create(name="xAI Holdings")
    # Staff curated xAI Holdings while upstream said "X.AI Corp"; now upstream says "xAI".
    AIModel.objects.filter(key__in=["grok-4.1", "grok-4.1-thinking"]).update(
        organization=curated, upstream_organization="X.AI Corp"
    )
    run_import(DEC_20)  # upstream changed its statement and disagrees: flagged, not applied
    flagged = selectors.models_with_review_reasons(AIModel.objects.filter(needs_review=True))
    assert set(flagged.filter(org_disagrees=True).values_list("key", flat=True)) >= {
        "grok-4.1",
        "grok-4.1-thinking",
    }
    assert selectors.review_counts()["model_disagreements"] >= 2

    curation.accept_upstream(AIModel.objects.filter(key="grok-4.1"), user=curator)
    curation.dismiss_model_reviews(AIModel.objects.filter(key="grok-4.1-thinking"), user=curator)

    accepted, dismissed = (
        AIModel.objects.get(key="grok-4.1"),
        AIModel.objects.get(key="grok-4.1-thinking"),
    )
    assert (accepted.organization, accepted.needs_review) == (xai, False)
    assert (dismissed.organization, dismissed.needs_review) == (curated, False)


def test_accepting_and_dismissing_aliases_empties_their_queue(curator: User) -> None:
    run_import(SEED)
    pending = ModelAlias.objects.filter(needs_review=True)
    total = pending.count()
    half = list(pending.values_list("pk", flat=True)[: total // 2])

    accepted = curation.accept_aliases(ModelAlias.objects.filter(pk__in=half), user=curator)
    dismissed = curation.dismiss_aliases(ModelAlias.objects.all(), user=curator)

    assert (accepted, accepted + dismissed) == (len(half), total)
    assert selectors.review_counts()["model_aliases"] == 0
    some = ModelAlias.objects.get(pk=half[0])
    assert history_of(some)[-1] == ("~", "accepted", "curator")


def test_alias_uniqueness_still_holds_after_a_merge(curator: User) -> None:
    run_import(SEED)
    anthropic = Organization.objects.get(aliases__raw="Anthropic")
    twin = Organization.objects.create(name="Anthropic PBC")
    curation.merge_organizations(source=twin, target=anthropic, user=curator)

    with transaction.atomic(), pytest.raises(IntegrityError):
        OrganizationAlias.objects.create(raw="anthropic pbc", organization=anthropic)


# --- bulk edits ------------------------------------------------------------------------------


def test_setting_a_license_kind_is_one_audited_write_per_license_and_bumps_on_commit(
    curator: User, django_capture_on_commit_callbacks: Any
) -> None:
    llama = License.objects.create(name="Llama 3.1 Community")
    other = License.objects.create(name="Gemma", kind=License.Kind.OPEN_PERMISSIVE)
    version_before = cache_keys.current()[0]
    stamped = llama.updated_at

    with django_capture_on_commit_callbacks(execute=True):
        count = curation.set_license_kind(
            License.objects.filter(pk__in=[llama.pk, other.pk]),
            kind=License.Kind.OPEN_RESTRICTED,
            user=curator,
        )

    assert count == 2
    llama.refresh_from_db()
    assert llama.kind == License.Kind.OPEN_RESTRICTED and llama.updated_at > stamped
    assert License.objects.get(pk=other.pk).kind == License.Kind.OPEN_RESTRICTED
    reason = f"kind set to {License.Kind.OPEN_RESTRICTED.label}"
    assert history_of(llama)[-1] == ("~", reason, "curator")
    assert cache_keys.current()[0] == version_before + 1


def test_marking_models_deprecated_leaves_those_already_deprecated_alone(
    curator: User, django_capture_on_commit_callbacks: Any
) -> None:
    fresh = AIModel.objects.create(name="Fresh", key="fresh")
    old = AIModel.objects.create(name="Old", key="old", deprecated=True)
    old_history = len(history_of(old))
    version_before = cache_keys.current()[0]

    with django_capture_on_commit_callbacks(execute=True):
        count = curation.mark_deprecated(AIModel.objects.all(), user=curator)

    assert count == 1
    assert AIModel.objects.get(pk=fresh.pk).deprecated
    assert history_of(fresh)[-1] == ("~", "marked deprecated", "curator")
    assert len(history_of(old)) == old_history
    assert cache_keys.current()[0] == version_before + 1


def test_a_merge_decides_the_merged_models_aliases_once(curator: User) -> None:
    keep = AIModel.objects.create(key="zeta-1", name="Zeta 1")
    duplicate = AIModel.objects.create(key="Zeta One", name="Zeta One")
    for raw, model in (("zeta-1", keep), ("Zeta One", duplicate), ("ZetaLabsZeta One", duplicate)):
        ModelAlias.objects.create(raw=raw, model=model, needs_review=True)

    curation.merge_models(source=duplicate, target=keep, user=curator)

    moved = ModelAlias.objects.filter(raw__in=["Zeta One", "ZetaLabsZeta One"])
    assert {alias.model_id for alias in moved} == {keep.pk}
    assert not any(alias.needs_review for alias in moved)
    assert ModelAlias.objects.get(raw="zeta-1").needs_review  # the kept name is its own decision
    assert selectors.review_counts()["model_aliases"] == 1


def test_a_merge_settles_the_disagreements_it_resolves_and_only_those(curator: User) -> None:
    run_import(SEED)
    xai = Organization.objects.get(aliases__raw="xAI")
    respelled = Organization.objects.create(name="X.AI Corp", needs_review=True)
    OrganizationAlias.objects.create(raw="X.AI Corp", organization=respelled)
    # Upstream now says "X.AI Corp" for a model curated as xAI: it disagrees and waits.
    AIModel.objects.filter(key="grok-4.1").update(
        organization=xai, upstream_organization="X.AI Corp", needs_review=True
    )
    # Waiting for another reason (an uncertain name): the merge does not decide it.
    AIModel.objects.filter(key="grok-4.1-thinking").update(organization=xai, needs_review=True)
    assert selectors.review_counts()["model_disagreements"] == 1

    curation.merge_organizations(source=respelled, target=xai, user=curator, reason="same lab")

    settled, other = (
        AIModel.objects.get(key="grok-4.1"),
        AIModel.objects.get(key="grok-4.1-thinking"),
    )
    assert not settled.needs_review  # decided once, by the merge: not again as "uncertain"
    assert settled.history.latest("history_date").history_change_reason == "same lab"
    assert other.needs_review
    counts = selectors.review_counts()
    assert (counts["model_disagreements"], counts["models_uncertain"]) == (0, 1)
