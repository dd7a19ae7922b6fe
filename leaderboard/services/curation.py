"""Curation writes: merges, the review queue's accept / map-to-existing / dismiss, and the
admin's bulk edits (a license's kind, deprecating models). The queue's reads are selectors
(``review_counts``, ``models_with_review_reasons``).

Every function here:
- runs in one transaction (all or nothing);
- records who and why in the audit trail (django-simple-history rows on every entity and
  alias it touches, the reason as the history's change reason);
- invalidates every cached page when the transaction commits (``cache_keys.bump``).

Imports never call these; they only ever fill blanks and flag (``services.identity``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from .. import cache_keys
from ..models import (
    AIModel,
    Entry,
    License,
    LicenseAlias,
    ModelAlias,
    Organization,
    OrganizationAlias,
    Snapshot,
)
from ..selectors import models_with_review_reasons
from . import history_blocks

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    User = AbstractBaseUser | None


class CurationRefused(ValueError):
    """The change would lose or corrupt data; nothing was written. The message says why."""


@dataclass(frozen=True, slots=True)
class MergeResult:
    kept: str
    removed: str
    moved_aliases: int
    moved_models: int = 0
    moved_entries: int = 0


def _audited(obj: Any, *, user: User, reason: str) -> Any:
    """Tag ``obj`` so the history row its next save/delete writes names who and why."""
    obj._history_user = user
    obj._change_reason = reason[:100]  # simple-history's change_reason column is 100 chars
    return obj


def _bulk_save(objs: list[Any], fields: list[str], *, user: User, reason: str) -> None:
    if objs:
        bulk_update_with_history(
            objs,
            type(objs[0]),
            fields,
            default_user=user,
            default_change_reason=reason[:100],
        )


def _disagreeing(queryset: QuerySet[AIModel]) -> list[int]:
    """The flagged models among ``queryset`` whose upstream organisation or license maps to
    another entity than the curated one."""
    flagged = models_with_review_reasons(queryset.filter(needs_review=True))
    return list(
        flagged.filter(Q(org_disagrees=True) | Q(license_disagrees=True)).values_list(
            "pk", flat=True
        )
    )


def _settle_disagreements(pks: list[int], *, user: User, reason: str) -> None:
    """Models that disagreed before a merge or a mapping and agree after it are decided by
    it: they leave the queue instead of waiting again as "new or uncertain names"."""
    if not pks:
        return
    still = set(_disagreeing(AIModel.objects.filter(pk__in=pks)))
    settled = list(AIModel.objects.filter(pk__in=set(pks) - still, needs_review=True))
    for model in settled:
        model.needs_review = False
    _bulk_save(settled, ["needs_review"], user=user, reason=reason)


def _on_commit_bump() -> None:
    transaction.on_commit(cache_keys.bump)


def _ensure_alias(
    alias_model: type[Any], raw: str, *, user: User, reason: str, **target: Any
) -> bool:
    """Add ``raw`` as a reviewed alias of the target unless the string is already known."""
    if not raw or alias_model.objects.filter(raw__iexact=raw).exists():
        return False
    alias = alias_model(raw=raw, needs_review=False, **target)
    _audited(alias, user=user, reason=reason).save()
    return True


def _move_aliases(
    aliases: QuerySet[Any], field: str, target: Any, *, user: User, reason: str
) -> int:
    """Point the aliases at ``target``. The merge was the curator's decision about them, so
    they leave the review queue too (nobody decides the same string twice)."""
    moved = list(aliases)
    for alias in moved:
        setattr(alias, field, target)
        alias.needs_review = False
    _bulk_save(moved, [field, "needs_review"], user=user, reason=reason)
    return len(moved)


# --- merges --------------------------------------------------------------------------------


@transaction.atomic
def merge_organizations(
    *, source: Organization, target: Organization, user: User, reason: str = ""
) -> MergeResult:
    """Fold ``source`` into ``target``: its aliases, its name (as an alias) and its models move
    over, then ``source`` is deleted. Nothing that pointed at ``source`` is lost."""
    if source.pk == target.pk:
        raise CurationRefused("an organisation cannot be merged into itself")
    note = reason or f"merged organisation {source.name!r} into {target.name!r}"
    disagreeing = _disagreeing(
        AIModel.objects.filter(Q(organization=source) | Q(organization=target))
    )
    aliases = _move_aliases(
        OrganizationAlias.objects.filter(organization=source),
        "organization",
        target,
        user=user,
        reason=note,
    )
    models = list(AIModel.objects.filter(organization=source))
    for model in models:
        model.organization = target
    _bulk_save(models, ["organization"], user=user, reason=note)
    _audited(source, user=user, reason=note).delete()
    _ensure_alias(OrganizationAlias, source.name, user=user, reason=note, organization=target)
    _audited(target, user=user, reason=note).save()
    _settle_disagreements(disagreeing, user=user, reason=note)
    _on_commit_bump()
    return MergeResult(target.name, source.name, aliases, moved_models=len(models))


@transaction.atomic
def merge_licenses(
    *, source: License, target: License, user: User, reason: str = ""
) -> MergeResult:
    """Fold ``source`` into ``target`` (aliases, name as alias, models); delete ``source``.
    ``target``'s kind and URL stay as curated; a blank URL is filled from ``source``."""
    if source.pk == target.pk:
        raise CurationRefused("a license cannot be merged into itself")
    note = reason or f"merged license {source.name!r} into {target.name!r}"
    disagreeing = _disagreeing(AIModel.objects.filter(Q(license=source) | Q(license=target)))
    aliases = _move_aliases(
        LicenseAlias.objects.filter(license=source), "license", target, user=user, reason=note
    )
    models = list(AIModel.objects.filter(license=source))
    for model in models:
        model.license = target
    _bulk_save(models, ["license"], user=user, reason=note)
    if not target.url and source.url:
        target.url = source.url
    _audited(source, user=user, reason=note).delete()
    _ensure_alias(LicenseAlias, source.name, user=user, reason=note, license=target)
    _audited(target, user=user, reason=note).save()
    _settle_disagreements(disagreeing, user=user, reason=note)
    _on_commit_bump()
    return MergeResult(target.name, source.name, aliases, moved_models=len(models))


def conflicting_snapshots(source: AIModel, target: AIModel) -> QuerySet[Snapshot]:
    """Snapshots holding a row for both models: merging would put two rows of one model in
    one snapshot (replaced ones included: their rows still exist during the grace period)."""
    return Snapshot.all_objects.filter(
        Exists(Entry.objects.filter(snapshot=OuterRef("pk"), model=source)),
        Exists(Entry.objects.filter(snapshot=OuterRef("pk"), model=target)),
    ).select_related("leaderboard")


_MERGE_FILLS = (
    "organization", "license", "url", "release_date", "parameters_billions", "context_tokens",
    "output_tokens", "knowledge_cutoff", "input_price", "output_price",
)  # fmt: skip


@transaction.atomic
def merge_models(*, source: AIModel, target: AIModel, user: User, reason: str = "") -> MergeResult:
    """Fold ``source`` into ``target``: entries, aliases and its key (as an alias) move over,
    blank curated fields of ``target`` are filled from ``source``, then ``source`` is deleted.

    Raises CurationRefused, writing nothing, when a snapshot has rows for both models:
    upstream listed them as two models there, and one snapshot cannot hold two rows of one
    model — merging would have to drop a row of upstream data.
    """
    if source.pk == target.pk:
        raise CurationRefused("a model cannot be merged into itself")
    clashes = list(conflicting_snapshots(source, target)[:5])
    if clashes:
        listed = ", ".join(f"{s.leaderboard.slug} {s.published_on}" for s in clashes)
        raise CurationRefused(
            f"{source.name!r} and {target.name!r} both have a row in the same snapshot "
            f"({listed}{'…' if len(clashes) == 5 else ''}): upstream ranks them as two models, "
            "so merging would drop upstream data. Rename one instead."
        )
    note = reason or f"merged model {source.name!r} ({source.key}) into {target.name!r}"
    # The boards the source's points are on: their blocks are stale (no timeline changed).
    history_blocks.forget(
        Snapshot.all_objects.filter(entries__model=source)
        .order_by()
        .values_list("leaderboard_id", flat=True)
        .distinct()
    )
    moved_entries = Entry.objects.filter(model=source).update(model=target)
    aliases = _move_aliases(
        ModelAlias.objects.filter(model=source), "model", target, user=user, reason=note
    )
    for field in _MERGE_FILLS:
        if getattr(target, field) in (None, "") and getattr(source, field) not in (None, ""):
            setattr(target, field, getattr(source, field))
    if target.open_weights is None:
        target.open_weights = source.open_weights
    if target.preliminary_override is None:
        target.preliminary_override = source.preliminary_override
    if source.notes:
        target.notes = "\n\n".join(filter(None, [target.notes, f"[{source.name}] {source.notes}"]))
    source_key, source_name = source.key, source.name
    _audited(source, user=user, reason=note).delete()
    for raw in (source_key, source_name):
        _ensure_alias(ModelAlias, raw, user=user, reason=note, model=target)
    _audited(target, user=user, reason=note).save()
    _on_commit_bump()
    return MergeResult(target.name, source_name, aliases, moved_entries=moved_entries)


# --- the review queue ----------------------------------------------------------------------

AnyAlias = OrganizationAlias | LicenseAlias | ModelAlias
_ALIAS_TARGET = {
    OrganizationAlias: "organization",
    LicenseAlias: "license",
    ModelAlias: "model",
}


def alias_target_field(alias_model: type[AnyAlias]) -> str:
    return _ALIAS_TARGET[alias_model]


@transaction.atomic
def accept_aliases(aliases: QuerySet[Any], *, user: User, reason: str = "") -> int:
    """The mapping is right: take the aliases out of the review queue."""
    pending = list(aliases.filter(needs_review=True))
    for alias in pending:
        alias.needs_review = False
    _bulk_save(pending, ["needs_review"], user=user, reason=reason or "accepted")
    return len(pending)


@transaction.atomic
def dismiss_aliases(aliases: QuerySet[Any], *, user: User, reason: str = "") -> int:
    """Not worth a decision (a one-off spelling): leave the mapping, leave the queue. Same
    data change as accept; the audit trail records that nobody vouched for it."""
    return accept_aliases(aliases, user=user, reason=reason or "dismissed")


@transaction.atomic
def map_alias(*, alias: AnyAlias, target: Any, user: User, reason: str = "") -> str:
    """Point a raw string at another entity (e.g. ``Aliaba`` → Alibaba) and mark it reviewed.

    For organisations and licenses, models whose curated value came from this string (their
    upstream value is this raw string and they point at the old entity) follow it. An old
    entity left with no alias and no model, that nobody ever reviewed, was only the import's
    guess: it is deleted. A model alias only changes what later imports map to; to move a
    model's existing rows, merge the models.
    """
    field = alias_target_field(type(alias))
    old = getattr(alias, field)
    if old.pk == target.pk:
        alias.needs_review = False
        _audited(alias, user=user, reason=reason or "accepted").save()
        return f"{alias.raw!r} already maps to {target}"
    note = reason or f"mapped {alias.raw!r} from {old} to {target}"
    setattr(alias, field, target)
    alias.needs_review = False
    _audited(alias, user=user, reason=note).save()
    followers: list[AIModel] = []
    if field in ("organization", "license"):
        followers = list(
            AIModel.objects.filter(**{field: old, f"upstream_{field}__iexact": alias.raw})
        )
        for model in followers:
            setattr(model, field, target)
        _bulk_save(followers, [field], user=user, reason=note)
        still_used = Q(aliases__isnull=False) | Q(models__isnull=False)
        orphan = type(old).objects.filter(pk=old.pk, needs_review=True).exclude(still_used).first()
        if orphan is not None:
            _audited(orphan, user=user, reason=note).delete()
    _on_commit_bump()
    return f"{alias.raw!r} now maps to {target}" + (
        f"; {len(followers)} models follow it" if followers else ""
    )


def _upstream_entity(model_class: type[Any], alias_class: type[Any], raw: str) -> Any:
    if not raw:
        return None
    alias = alias_class.objects.filter(raw__iexact=raw).first()
    return getattr(alias, _ALIAS_TARGET[alias_class]) if alias else None


@transaction.atomic
def accept_upstream(models: QuerySet[AIModel], *, user: User, reason: str = "") -> int:
    """Upstream is right: take the organisation and license its latest strings map to, and
    take the models out of the queue. A string no alias knows leaves that field as it is."""
    changed = []
    for model in models.filter(needs_review=True).select_related("organization", "license"):
        organization = _upstream_entity(
            Organization, OrganizationAlias, model.upstream_organization
        )
        license_ = _upstream_entity(License, LicenseAlias, model.upstream_license)
        model.organization = organization or model.organization
        model.license = license_ or model.license
        model.needs_review = False
        changed.append(model)
    _bulk_save(
        changed,
        ["organization", "license", "needs_review"],
        user=user,
        reason=reason or "accepted upstream's organisation and license",
    )
    _on_commit_bump()
    return len(changed)


@transaction.atomic
def dismiss_model_reviews(models: QuerySet[AIModel], *, user: User, reason: str = "") -> int:
    """The curated values stand: take the models out of the queue, changing nothing else."""
    pending = list(models.filter(needs_review=True))
    for model in pending:
        model.needs_review = False
    _bulk_save(
        pending, ["needs_review"], user=user, reason=reason or "reviewed: curated values stand"
    )
    _on_commit_bump()
    return len(pending)


@transaction.atomic
def mark_reviewed(entities: QuerySet[Any], *, user: User, reason: str = "") -> int:
    """An organisation or license an import created is fine as it is."""
    pending = list(entities.filter(needs_review=True))
    for entity in pending:
        entity.needs_review = False
    _bulk_save(pending, ["needs_review"], user=user, reason=reason or "reviewed")
    _on_commit_bump()
    return len(pending)


BUNDLED_REASON = "bundled data: upstream's own name, nothing to decide (not checked by a person)"


@transaction.atomic
def accept_bundled_names(*, since: dt.datetime) -> dict[str, int]:
    """After the bundled load: the new model names and organisations it created since
    ``since`` leave the queue. They are upstream's own spellings, shipped with the code, and
    no rule found them to be another entity's. What still needs a person stays: names the
    cleaner was unsure of and licenses (their kind drives the open-weights filter). The
    history row says no person checked them."""
    aliases = list(
        ModelAlias.objects.filter(
            needs_review=True, first_seen__gte=since, model__needs_review=False
        )
    )
    organizations = list(Organization.objects.filter(needs_review=True, created_at__gte=since))
    for alias in aliases:
        alias.needs_review = False
    for organization in organizations:
        organization.needs_review = False
    _bulk_save(aliases, ["needs_review"], user=None, reason=BUNDLED_REASON)
    _bulk_save(organizations, ["needs_review"], user=None, reason=BUNDLED_REASON)
    return {"model_aliases": len(aliases), "organizations": len(organizations)}


# --- bulk edits ----------------------------------------------------------------------------


@transaction.atomic
def set_license_kind(
    licenses: QuerySet[License], *, kind: License.Kind, user: User, reason: str = ""
) -> int:
    """Give every license in ``licenses`` the ``kind`` (the public open/proprietary filter
    follows it). Returns how many licenses were written, each with a history row."""
    changed = list(licenses)
    now = timezone.now()
    for license_ in changed:
        license_.kind = kind
        license_.updated_at = now
    _bulk_save(
        changed, ["kind", "updated_at"], user=user, reason=reason or f"kind set to {kind.label}"
    )
    _on_commit_bump()
    return len(changed)


@transaction.atomic
def mark_deprecated(models: QuerySet[AIModel], *, user: User, reason: str = "") -> int:
    """Mark the models deprecated; those already deprecated are left alone (no history row).
    Returns how many changed."""
    changed = list(models.filter(deprecated=False))
    now = timezone.now()
    for model in changed:
        model.deprecated = True
        model.updated_at = now
    _bulk_save(
        changed, ["deprecated", "updated_at"], user=user, reason=reason or "marked deprecated"
    )
    _on_commit_bump()
    return len(changed)
