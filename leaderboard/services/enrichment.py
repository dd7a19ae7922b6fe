"""Model facts (release date, open weights, limits, knowledge cutoff, prices) from the offline
catalogue, each with its provenance, never over a curated value.

Matching, in order, never fuzzy: the model's key or a reviewed alias equal to a catalogue id
(case ignored), then equal once normalised (``sources.names.normalised_key``), then the first
curator-written ``EnrichmentRule`` whose pattern matches the key. A model nothing matches is
left alone.

Per field, a ``ModelFact`` row says what the catalogue said, where and when:
- the field is empty, or still holds what we applied last time → the catalogue's value is
  applied (``applied``), with a history row naming the source and version;
- the field holds another value (a curator's) → it stays: ``agrees`` when equal, else
  ``conflict`` with the reason, for review. A conflict a curator dismissed (``kept``) is not
  raised again until the catalogue says something new;
- an empty open-weights flag of a model whose license has a kind is filled only when the
  kind agrees (the public filter follows the kind): "open" against a closed license is a
  conflict; "closed" against an open license is kept by rule (``_against_license``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from .. import cache_keys, catalogue
from ..models import AIModel, EnrichmentRule, License, ModelAlias, ModelFact

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

Status = ModelFact.Status


@dataclass(slots=True)
class EnrichmentReport:
    source_version: str
    matched: int = 0
    unmatched: int = 0
    applied: int = 0
    conflicts: list[str] = field(default_factory=list)
    reviewed_by_rule: int = 0

    def summary(self) -> str:
        return (
            f"{catalogue.SOURCE} {self.source_version}: {self.matched} models matched, "
            f"{self.unmatched} not; {self.applied} values applied, "
            f"{len(self.conflicts)} new conflicts, {self.reviewed_by_rule} names reviewed by rule"
        )


@dataclass(frozen=True, slots=True)
class Match:
    entry: catalogue.Entry
    how: str
    fields: frozenset[str] | None = None
    """The facts the match may fill (a rule may limit them); None: all."""


def as_text(name: str, value: Any) -> str | None:
    """A model field's value as a fact stores it (None: empty)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.0001")))
    return str(value)


def from_text(name: str, text: str) -> Any:
    """A fact's text as the model field holds it."""
    if name == "release_date":
        return dt.date.fromisoformat(text)
    if name == "open_weights":
        return text == "true"
    if name in ("context_tokens", "output_tokens"):
        return int(text)
    if name in ("input_price", "output_price"):
        return Decimal(text)
    return text


def _rule_fields(rule: EnrichmentRule) -> frozenset[str] | None:
    named = frozenset(part.strip() for part in rule.fields.split(",") if part.strip())
    return named or None


def find_match(
    model: AIModel,
    names: list[str],
    rules: list[EnrichmentRule],
    cat: catalogue.Catalogue,
) -> Match | None:
    """The catalogue entry describing ``model``: exact, then normalised, then a rule."""
    for name in names:
        if (entry := cat.exact(name)) is not None:
            return Match(entry, f"exact id {name!r}")
    for name in names:
        if (entry := cat.normalised(name)) is not None:
            return Match(entry, f"normalised id {name!r}")
    for rule in rules:
        try:
            found = re.fullmatch(rule.pattern, model.key, flags=re.IGNORECASE)
            target = found.expand(rule.target) if found else ""
        except (re.error, IndexError):
            continue  # a broken rule matches nothing (the admin refuses to save one)
        if target and (entry := cat.exact(target) or cat.normalised(target)) is not None:
            return Match(entry, f"rule #{rule.pk} {rule.pattern}", fields=_rule_fields(rule))
    return None


def _decide(name: str, said: str, current: str | None, fact: ModelFact | None) -> tuple[str, str]:
    """(status, reason) for one field: see the module docstring."""
    ours = fact is not None and fact.status == Status.APPLIED and fact.value == current
    if current is None or ours:
        return Status.APPLIED, ""
    if current == said:
        return Status.AGREES, ""
    if fact is not None and fact.value == said and fact.status in (Status.CONFLICT, Status.KEPT):
        return fact.status, fact.reason
    return Status.CONFLICT, f"catalogue says {said}, curated value is {current}"


def _against_license(model: AIModel, said: str, fact: ModelFact | None) -> tuple[str, str]:
    """An empty open-weights flag still has a curated answer when the model's license has a
    kind (the public filter follows it): the catalogue may fill the flag only in agreement
    with it. models.dev marks many open models closed (their API listings)."""
    license_ = model.license
    if license_ is None or license_.kind == License.Kind.UNKNOWN:
        return Status.APPLIED, ""
    implied = "true" if license_.is_open_weights else "false"
    if implied == said:
        return Status.APPLIED, ""
    if fact is not None and fact.value == said and fact.status in (Status.CONFLICT, Status.KEPT):
        return fact.status, fact.reason
    reason = (
        f"catalogue says {said}, the license {license_.name} "
        f"({license_.get_kind_display()}) says {implied}"
    )
    if implied == "true":
        # Published weights under an open license are not undone by a catalogue's "closed",
        # which models.dev gives to API listings of open models (all 23 on the bundled data
        # were such): the license stands without asking. "Open" against a closed license
        # might be news, and waits for a curator.
        return Status.KEPT, f"{reason}; the license stands (rule)"
    return Status.CONFLICT, reason


@transaction.atomic
def enrich_models(
    *, cat: catalogue.Catalogue | None = None, now: dt.datetime | None = None
) -> EnrichmentReport:
    """Match every model and record the catalogue's facts. One transaction; idempotent (a
    re-run with the same catalogue changes only ``checked_on``); never overwrites a curated
    value. Public pages are invalidated once it commits, if a value changed."""
    cat = cat or catalogue.bundled()
    now = now or timezone.now()
    report = EnrichmentReport(source_version=cat.version)
    rules = list(EnrichmentRule.objects.filter(enabled=True))
    reviewed: dict[int, list[str]] = {}
    for model_id, raw in ModelAlias.objects.filter(needs_review=False).values_list("model", "raw"):
        reviewed.setdefault(model_id, []).append(raw)
    facts = {(f.model_id, f.field): f for f in ModelFact.objects.filter(source=catalogue.SOURCE)}
    rows: list[ModelFact] = []
    changed_models: list[AIModel] = []
    self_aliases: list[int] = []
    read: dict[int, dict[str, Any]] = {}  # each model's facts as read, for the write's check
    for model in AIModel.objects.select_related("license"):
        read[model.pk] = {name: getattr(model, name) for name in catalogue.FACT_FIELDS}
        names = [model.key, *sorted(set(reviewed.get(model.pk, [])) - {model.key})]
        match = find_match(model, names, rules, cat)
        if match is None:
            report.unmatched += 1
            continue
        report.matched += 1
        self_aliases.append(model.pk)
        changed = False
        for name in catalogue.FACT_FIELDS:
            said = match.entry.facts.get(name)
            if said is None or (match.fields is not None and name not in match.fields):
                continue
            fact = facts.get((model.pk, name))
            current = as_text(name, getattr(model, name))
            status, reason = _decide(name, said, current, fact)
            if name == "open_weights" and status == Status.APPLIED and current is None:
                status, reason = _against_license(model, said, fact)
            if status == Status.APPLIED and current != said:
                setattr(model, name, from_text(name, said))
                changed = True
                report.applied += 1
            if status == Status.CONFLICT and (fact is None or fact.status != Status.CONFLICT):
                report.conflicts.append(f"{model.key} {name}: {reason}")
            rows.append(
                ModelFact(
                    model=model,
                    field=name,
                    value=said,
                    source=catalogue.SOURCE,
                    source_version=cat.version,
                    source_ref=match.entry.refs.get(name, match.entry.model_id)[:200],
                    matched_by=match.how[:200],
                    status=status,
                    reason=reason[:300],
                    checked_on=now,
                )
            )
        if changed:
            model.updated_at = now
            changed_models.append(model)
    ModelFact.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["model", "field", "source"],
        update_fields=[
            "value", "source_version", "source_ref", "matched_by", "status", "reason",
            "checked_on",
        ],
    )  # fmt: skip
    if changed_models:
        _keep_edits_made_meanwhile(changed_models, read)
        bulk_update_with_history(
            changed_models,
            AIModel,
            [*catalogue.FACT_FIELDS, "updated_at"],
            default_change_reason=f"enriched from {catalogue.SOURCE} {cat.version}",
        )
        transaction.on_commit(cache_keys.bump)
    report.reviewed_by_rule = _review_exact_names(self_aliases, cat.version)
    return report


def _keep_edits_made_meanwhile(models: list[AIModel], read: dict[int, dict[str, Any]]) -> None:
    """A curator may save a model while the run reads the catalogue: a field whose stored
    value is no longer the one read keeps the stored one (curated wins). The rows are locked
    from here to the commit, so no edit slips in between this check and the write."""
    stored = {
        row["pk"]: row
        for row in AIModel.objects.select_for_update()
        .filter(pk__in=[model.pk for model in models])
        .values("pk", *catalogue.FACT_FIELDS)
    }
    for model in models:
        for name in catalogue.FACT_FIELDS:
            if stored[model.pk][name] != read[model.pk][name]:
                setattr(model, name, stored[model.pk][name])


def _review_exact_names(model_ids: list[int], version: str) -> int:
    """A model the catalogue knows (by its id, or through a curator's rule) is a known model:
    the alias that is its own key needs no curator (reviewed by rule, in its history)."""
    pending = [
        alias
        for alias in ModelAlias.objects.filter(model__in=model_ids, needs_review=True)
        .select_related("model")
        .iterator()
        if alias.raw.casefold() == alias.model.key.casefold()
    ]
    for alias in pending:
        alias.needs_review = False
    if pending:
        bulk_update_with_history(
            pending,
            ModelAlias,
            ["needs_review"],
            default_change_reason=f"reviewed by rule: {catalogue.SOURCE} {version} knows it",
        )
    return len(pending)


# --- the review of conflicts -----------------------------------------------------------------


@transaction.atomic
def accept_catalogue(facts: QuerySet[ModelFact], *, user: AbstractBaseUser | None) -> int:
    """The catalogue is right: its value replaces the curated one (audited), the fact is
    ``applied``. Returns how many facts were decided."""
    pending = list(facts.filter(status=Status.CONFLICT).select_related("model"))
    for fact in pending:
        model = fact.model
        setattr(model, fact.field, from_text(fact.field, fact.value))
        model._history_user = user  # type: ignore[attr-defined]  # simple-history's hooks
        model._change_reason = f"accepted {fact.source} {fact.source_version}"[:100]  # type: ignore[attr-defined]
        model.save(update_fields=[fact.field, "updated_at"])
        fact.status, fact.reason = Status.APPLIED, ""
        fact.save(update_fields=["status", "reason"])
    if pending:
        transaction.on_commit(cache_keys.bump)
    return len(pending)


@transaction.atomic
def keep_curated(facts: QuerySet[ModelFact], *, user: AbstractBaseUser | None) -> int:
    """The curated value stands; the same catalogue value will not ask again. The fact's
    reason records who decided and when (facts have no history of their own)."""
    pending = list(facts.filter(status=Status.CONFLICT))
    who = user.get_username() if user is not None else "nobody"
    for fact in pending:
        fact.status = Status.KEPT
        fact.reason = f"{fact.reason}; kept by {who} on {timezone.now():%Y-%m-%d}"[:300]
    ModelFact.objects.bulk_update(pending, ["status", "reason"])
    return len(pending)
