"""The public corrections log: every place the site shows something other than what upstream
sent, with upstream's value, ours, when and why.

What counts, per model (read from the current curated state, so nothing is missed and
nothing stale is listed):
- organisation / license: the curated entity's name differs from upstream's latest string
  (spelling fixes, mapped aliases, curator overrides), one row per (upstream, ours) pair;
- name: the display name is none of the strings upstream used for the model (a rename;
  the importer's own cleaning of glued cells keeps an upstream string and is not listed);
- open weights: a curated flag that differs from what the license's kind implies;
- family: upstream groups no variants, so every family is ours, one row per family.

"When" and "why" come from the audit trail (django-simple-history): the latest change of that
field, and the newest reason given for it. The curator who made it is never read here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Prefetch, TextChoices
from django.utils.translation import gettext_lazy as _

from . import cache_keys
from .models import AIModel, LicenseAlias, ModelAlias, OrganizationAlias

CACHE_SECONDS = 3600
MODELS_NAMED = 5
"""How many affected models a grouped row names (the rest are counted)."""


class Kind(TextChoices):
    ORGANIZATION = "organization", _("Organisation")
    LICENSE = "license", _("License")
    NAME = "name", _("Name")
    OPEN_WEIGHTS = "open_weights", _("Open weights")
    FAMILY = "family", _("Family")


@dataclass(frozen=True, slots=True)
class Correction:
    kind: Kind
    upstream: str
    ours: str
    models: list[AIModel]
    model_count: int
    when: dt.datetime | None
    reason: str

    @property
    def more_models(self) -> int:
        return self.model_count - len(self.models)


@dataclass(slots=True)
class _Change:
    """The latest change of one field of one model and the reason given for that change."""

    when: dt.datetime | None = None
    reason: str = ""
    first_value: object = None
    changed_after_creation: bool = False


@dataclass(slots=True)
class _Group:
    models: list[AIModel] = field(default_factory=list)
    when: dt.datetime | None = None
    when_reason: tuple[dt.datetime, str] | None = None

    def add(self, model: AIModel, change: _Change | None) -> None:
        self.models.append(model)
        if change is not None:
            self.note(change.when, change.reason)

    def note(self, when: dt.datetime | None, reason: str) -> None:
        if when is None:
            return
        self.when = max(self.when or when, when)
        if reason and (self.when_reason is None or when >= self.when_reason[0]):
            self.when_reason = (when, reason)


_TRACKED = ("name", "organization_id", "license_id", "open_weights", "family_id")


def _field_changes(model_ids: Iterable[int]) -> dict[tuple[int, str], _Change]:
    """(model id, field) → its latest change, from the models' history rows in one query."""
    rows = (
        AIModel.history.filter(id__in=list(model_ids))
        .order_by("id", "history_date", "history_id")
        .values_list("id", "history_date", "history_change_reason", *_TRACKED)
    )
    changes: dict[tuple[int, str], _Change] = {}
    previous: dict[int, tuple[object, ...]] = {}
    for model_id, when, reason, *values in rows:
        before = previous.get(model_id)
        for index, name in enumerate(_TRACKED):
            change = changes.get((model_id, name))
            if change is None:
                change = changes[(model_id, name)] = _Change(first_value=values[index])
            # Another field's change (same row, this value unchanged) is not this one's.
            if before is None or before[index] != values[index]:
                change.when = when
                change.changed_after_creation = before is not None
                change.reason = reason or ""
        previous[model_id] = tuple(values)
    return changes


def _alias_changes(alias_model: type[OrganizationAlias] | type[LicenseAlias]) -> dict[str, _Group]:
    """Raw string (casefolded) → when it was last (re)mapped and the reason given."""
    found: dict[str, _Group] = defaultdict(_Group)
    for alias in alias_model.objects.all():
        found[alias.raw.casefold()].note(alias.first_seen, "")
    for raw, when, reason in alias_model.history.order_by("history_date").values_list(
        "raw", "history_date", "history_change_reason"
    ):
        found[raw.casefold()].note(when, reason or "")
    return found


def cached_corrections() -> list[Correction]:
    """``all_corrections``, cached until the next import or curation change (the content
    version every public page is keyed by). A cache that is down only costs the rebuild."""
    version, changed_at = cache_keys.current()
    key = f"corrections:{version}:{changed_at.timestamp()}"
    found = cache.get(key)
    if found is None:
        found = all_corrections()
        cache.set(key, found, CACHE_SECONDS)
    return list(found)


def all_corrections() -> list[Correction]:
    """Every correction, newest first (those with no date last). A handful of queries."""
    models = list(
        AIModel.objects.select_related("organization", "license", "family")
        .prefetch_related(Prefetch("aliases", queryset=ModelAlias.objects.only("raw", "model")))
        .order_by("name")
    )
    changes = _field_changes(model.pk for model in models)
    aliases = {
        Kind.ORGANIZATION: _alias_changes(OrganizationAlias),
        Kind.LICENSE: _alias_changes(LicenseAlias),
    }
    groups: dict[tuple[Kind, str, str], _Group] = defaultdict(_Group)
    for model in models:
        for kind, entity, said, column in (
            (Kind.ORGANIZATION, model.organization, model.upstream_organization, "organization_id"),
            (Kind.LICENSE, model.license, model.upstream_license, "license_id"),
        ):
            said = said.strip()
            if entity is None or not said or entity.name == said:
                continue
            group = groups[(kind, said, entity.name)]
            change = changes.get((model.pk, column))
            group.add(model, change if change and change.changed_after_creation else None)
            mapping = aliases[kind].get(said.casefold())
            if mapping is not None and mapping.when is not None:
                group.note(mapping.when, mapping.when_reason[1] if mapping.when_reason else "")

        name_change = changes.get((model.pk, "name"))
        upstream_names = {alias.raw.casefold() for alias in model.aliases.all()}
        if model.name.casefold() not in upstream_names | {model.key.casefold()}:
            first = name_change.first_value if name_change else None
            was = first if isinstance(first, str) and first != model.name else model.key
            groups[(Kind.NAME, was, model.name)].add(model, name_change)

        if model.open_weights is not None:
            implied = model.license.is_open_weights if model.license else None
            if implied is None or implied != model.open_weights:
                upstream = (
                    _("%(license)s: %(flag)s")
                    % {"license": model.license.name, "flag": _yes_no(implied)}
                    if model.license
                    else _("not stated")
                )
                groups[(Kind.OPEN_WEIGHTS, str(upstream), _yes_no(model.open_weights))].add(
                    model, changes.get((model.pk, "open_weights"))
                )

        if model.family is not None:
            # A rule's suggestion carries its reason ("family rule: thinking") in the trail.
            groups[(Kind.FAMILY, "", model.family.name)].add(
                model, changes.get((model.pk, "family_id"))
            )

    found = [
        Correction(
            kind=kind,
            upstream=upstream,
            ours=ours,
            models=group.models[:MODELS_NAMED],
            model_count=len(group.models),
            when=group.when,
            reason=group.when_reason[1] if group.when_reason else "",
        )
        for (kind, upstream, ours), group in groups.items()
    ]
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    found.sort(key=lambda c: (c.when or oldest, c.kind, c.ours), reverse=True)
    return found


def _yes_no(flag: bool | None) -> str:
    if flag is None:
        return str(_("unknown"))
    return str(_("yes") if flag else _("no"))
