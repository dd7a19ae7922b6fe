"""Property: random curation edits (renames, alias re-mappings, merges, overrides) interleaved
with re-imports of real samples never lose a curated value, never duplicate a model, never
lose an entry, and the public board shows one row per model."""

from __future__ import annotations

import gzip
import json

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leaderboard import exports, selectors
from leaderboard.boards import BoardKey
from leaderboard.models import (
    AIModel,
    Entry,
    ImportRun,
    License,
    LicenseAlias,
    Organization,
    OrganizationAlias,
)
from leaderboard.services import curation
from leaderboard.services.importing import import_payload
from leaderboard.services.planning import ImportRequest
from tests.paths import UPSTREAM

pytestmark = pytest.mark.django_db

SEED = (UPSTREAM / "markdown-cherry" / "seed_en_2025-11-18.md").read_bytes()
SAMPLES: list[tuple[str, bytes, str]] = [
    ("seed", SEED, "text/overall"),
    (
        "dec-20",
        (UPSTREAM / "markdown-cherry" / "lmarena_md_2025-12-20_rank-spread.md").read_bytes(),
        "text/overall",
    ),
    (
        "acarter",
        gzip.decompress(
            (
                UPSTREAM / "json-scraped-snapshot" / "acarter_snapshot_2026-02-19_163450.json.gz"
            ).read_bytes()
        ),
        "text/overall-no-style-control",
    ),
    (
        "hf",
        (
            UPSTREAM
            / "hf-leaderboard-dataset"
            / "text_to_video_full_sample-rows_ukitako1030-EVAL.json"
        ).read_bytes(),
        "text-to-video/overall",
    ),
]
MODEL_KEYS = [
    "grok-4.1-thinking",
    "grok-4.1",
    "gpt-5-high",
    "claude-opus-4-1-20250805",
    "gemini-2.5-pro",
]
ORG_RAWS = ["DeepSeek AI", "xAI", "OpenAI", "Anthropic", "Google", "Zhipu AI", "Z.ai"]
LICENSE_RAWS = [
    "Proprietary",
    "Propretary",
    "MIT",
    "Apache 2.0",
    "Apache-2.0",
    "Llama 3.1 Community",
]

operations = st.one_of(
    st.tuples(st.just("import"), st.integers(0, len(SAMPLES) - 1), st.integers(0, 3)),
    st.tuples(
        st.just("rename_model"),
        st.sampled_from(MODEL_KEYS),
        st.text("abcXYZ -.", min_size=1, max_size=8),
    ),
    st.tuples(
        st.just("rename_org"), st.sampled_from(ORG_RAWS), st.text("abcXYZ ", min_size=1, max_size=8)
    ),
    st.tuples(
        st.just("license_kind"), st.sampled_from(LICENSE_RAWS), st.sampled_from(License.Kind.values)
    ),
    st.tuples(st.just("map_org_alias"), st.sampled_from(ORG_RAWS), st.sampled_from(ORG_RAWS)),
    st.tuples(st.just("merge_orgs"), st.sampled_from(ORG_RAWS), st.sampled_from(ORG_RAWS)),
    st.tuples(
        st.just("merge_licenses"), st.sampled_from(LICENSE_RAWS), st.sampled_from(LICENSE_RAWS)
    ),
    st.tuples(st.just("merge_models"), st.sampled_from(MODEL_KEYS), st.sampled_from(MODEL_KEYS)),
    st.tuples(
        st.just("override"), st.sampled_from(MODEL_KEYS), st.sampled_from([True, False, None])
    ),
)


def import_sample(index: int, day_shift: int) -> None:
    """Re-import sample ``index``; the seed shifted by days is new content (a new snapshot)."""
    name, data, board = SAMPLES[index]
    if name == "seed" and day_shift:
        data = data.replace(b"2025-11-18", f"2025-11-{18 + day_shift}".encode())
    outcome = import_payload(
        ImportRequest(
            data=data, origin=name, trigger=ImportRun.Trigger.COMMAND, hint=BoardKey.parse(board)
        )
    )
    assert outcome.ok, outcome.reason


def model_by_key(key: str) -> AIModel | None:
    return (
        AIModel.objects.filter(aliases__raw__iexact=key).first()
        or AIModel.objects.filter(key=key).first()
    )


class Curation:
    """Applies one operation and remembers what staff decided, to check it survives."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.model_names: dict[int, str] = {}
        self.org_names: dict[int, str] = {}
        self.license_kinds: dict[int, str] = {}
        self.overrides: dict[int, bool | None] = {}

    def apply(self, operation: tuple[object, ...]) -> None:
        kind, first, second = operation
        if kind == "import":
            entries = Entry.objects.count()
            models = AIModel.objects.count()
            import_sample(int(first), int(second))  # type: ignore[call-overload]
            if Entry.objects.count() == entries:  # unchanged content: nothing new at all
                assert AIModel.objects.count() == models
            return
        if kind in ("rename_model", "override", "merge_models"):
            model = model_by_key(str(first))
            if model is None:
                return
            if kind == "rename_model":
                model.name = f"{model.key} {second}"
                model.save()
                self.model_names[model.pk] = model.name
            elif kind == "override":
                model.preliminary_override = second  # type: ignore[assignment]
                model.save()
                self.overrides[model.pk] = second  # type: ignore[assignment]
            else:
                target = model_by_key(str(second))
                if target is None or target.pk == model.pk:
                    return
                entries = Entry.objects.count()
                source_pk = model.pk
                try:
                    curation.merge_models(source=model, target=target, user=self.user)
                except curation.CurationRefused:
                    assert AIModel.objects.filter(pk=model.pk).exists()
                else:
                    self.model_names.pop(source_pk, None)
                    self.overrides.pop(source_pk, None)
                assert Entry.objects.count() == entries  # merging keeps every entry
            return
        if kind in ("rename_org", "map_org_alias", "merge_orgs"):
            alias = OrganizationAlias.objects.filter(raw__iexact=str(first)).first()
            if alias is None:
                return
            organization = alias.organization
            if kind == "rename_org":
                name = f"{organization.name[:40]} {second}".strip()
                if Organization.objects.filter(name=name).exclude(pk=organization.pk).exists():
                    return
                organization.name = name
                organization.save()
                self.org_names[organization.pk] = name
                return
            other = OrganizationAlias.objects.filter(raw__iexact=str(second)).first()
            if other is None:
                return
            if kind == "map_org_alias":
                curation.map_alias(alias=alias, target=other.organization, user=self.user)
            elif organization.pk != other.organization_id:
                source_pk = organization.pk
                curation.merge_organizations(
                    source=organization, target=other.organization, user=self.user
                )
                self.org_names.pop(source_pk, None)
            return
        license_alias = LicenseAlias.objects.filter(raw__iexact=str(first)).first()
        if license_alias is None:
            return
        license_ = license_alias.license
        if kind == "license_kind":
            license_.kind = str(second)
            license_.save()
            self.license_kinds[license_.pk] = str(second)
        else:
            other_license = LicenseAlias.objects.filter(raw__iexact=str(second)).first()
            if other_license is not None and other_license.license_id != license_.pk:
                source_pk = license_.pk
                curation.merge_licenses(
                    source=license_, target=other_license.license, user=self.user
                )
                self.license_kinds.pop(source_pk, None)

    def check(self) -> None:
        for pk, name in self.model_names.items():
            assert AIModel.objects.get(pk=pk).name == name
        for pk, override in self.overrides.items():
            assert AIModel.objects.get(pk=pk).preliminary_override == override
        for pk, name in self.org_names.items():
            if Organization.objects.filter(pk=pk).exists():  # a later map may drop a guess
                assert Organization.objects.get(pk=pk).name == name
        for pk, kind in self.license_kinds.items():
            assert License.objects.get(pk=pk).kind == kind
        keys = [key.casefold() for key in AIModel.objects.values_list("key", flat=True)]
        assert len(keys) == len(set(keys))  # never a duplicate model
        for board in selectors.boards_with_data():
            rows = exports.export_rows(selectors.board_rows(board.current_snapshot))  # type: ignore[arg-type]
            document = json.loads(
                exports.to_json(board=board, snapshot=board.current_snapshot, rows=rows)  # type: ignore[arg-type]
            )
            model_keys = [row["model_key"] for row in document["rows"]]
            assert len(model_keys) == len(set(model_keys))  # one row per model


def test_random_curation_interleaved_with_reimports_never_loses_a_decision() -> None:
    curator = User.objects.create_user("property-curator", is_staff=True)
    for index in range(len(SAMPLES)):
        import_sample(index, 0)

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )
    @given(st.lists(operations, min_size=1, max_size=6))
    def run(ops: list[tuple[object, ...]]) -> None:
        savepoint = transaction.savepoint()
        try:
            state = Curation(curator)
            for operation in ops:
                state.apply(operation)
            state.check()
        finally:
            transaction.savepoint_rollback(savepoint)

    run()
