"""Map raw upstream strings to curated entities, without ever overwriting curation.

Rules:
- a raw string already known as an alias maps to its entity, whatever staff renamed it to;
- an unknown string that normalises to an existing entity ("DeepSeek AI" ~ "DeepSeek";
  a model's ``GPT-4o`` ~ ``gpt-4o``) becomes a reviewed alias of it: the rule decided, there
  is nothing for a curator to decide; so does a glued cell the cleaner was sure of
  (``Anthropicclaude-opus-4-1`` for an existing ``claude-opus-4-1``);
- an unknown string that matches nothing creates the entity, flagged for review; its own
  spellings in the same row become reviewed aliases, so one new name is one item in the queue
  (a merge later moves them all);
- a name the cleaner was unsure of, or one that normalises to two different models, waits;
- curated fields of an existing model are never changed by an import: when upstream disagrees,
  the model records what upstream said and is flagged for review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Model

from ..models import (
    AIModel,
    License,
    LicenseAlias,
    ModelAlias,
    Organization,
    OrganizationAlias,
)
from ..sources.base import RowData
from ..sources.names import normalised_key

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_CORPORATE_SUFFIX = re.compile(r"(ai|inc|llc|ltd|labs?|corp|corporation)$")


def insert_or_fetch[M: Model](
    model: type[M], *, lookup: dict[str, object], values: dict[str, object]
) -> tuple[M, bool]:
    """Create the row, or fetch it when a concurrent import created it first (the unique
    constraint says so). The savepoint keeps the caller's transaction usable either way."""
    try:
        with transaction.atomic():
            return model._default_manager.create(**values), True
    except IntegrityError:
        return model._default_manager.get(**lookup), False


def loose_key(text: str) -> str:
    """``"DeepSeek AI"``, ``"deepseek"`` and ``"DeepSeek, Inc."`` share one loose key."""
    squashed = _NOT_ALNUM.sub("", text.casefold())
    return _CORPORATE_SUFFIX.sub("", squashed) or squashed


@dataclass(slots=True)
class ResolutionStats:
    new_models: list[str] = field(default_factory=list)
    new_organizations: list[str] = field(default_factory=list)
    new_licenses: list[str] = field(default_factory=list)
    new_aliases: int = 0
    models_updated: int = 0
    disagreements: list[str] = field(default_factory=list)


class _Catalog[E: (Organization, License)]:
    """Organisations or licenses: raw upstream string → curated entity, creating what is new."""

    def __init__(
        self,
        entity: type[E],
        alias: type[OrganizationAlias] | type[LicenseAlias],
        link: str,
        stats: ResolutionStats,
        created: list[str],
    ) -> None:
        self._entity: type[E] = entity
        self._alias: type[OrganizationAlias] | type[LicenseAlias] = alias
        self._link = link
        self._stats, self._created = stats, created
        self._by_alias: dict[str, E] = {
            row.raw.casefold(): getattr(row, link) for row in alias.objects.select_related(link)
        }
        self._by_loose: dict[str, E] = {loose_key(e.name): e for e in entity.objects.all()}

    def resolve(self, raw: str) -> E | None:
        raw = raw.strip()
        if not raw:
            return None
        if (known := self._by_alias.get(raw.casefold())) is not None:
            return known
        entity = self._by_loose.get(loose_key(raw))
        if entity is None:
            entity, created = self._entity.objects.get_or_create(
                name=raw, defaults={"needs_review": True}
            )
            if created:
                self._created.append(raw)
            self._by_loose[loose_key(raw)] = entity
        # The entity waits for review when it is new; the string that names it does not.
        alias, created = insert_or_fetch(
            self._alias,
            lookup={"raw__iexact": raw},
            values={"raw": raw, self._link: entity, "needs_review": False},
        )
        entity = getattr(alias, self._link)  # a concurrent import may have mapped it first
        self._stats.new_aliases += created
        self._by_alias[raw.casefold()] = entity
        return entity


def _stable_order(raws: list[str]) -> list[str]:
    """Distinct strings grouped by loose key, the groups sorted by it; in a group the first
    spelling given comes first (it names a new entity), then the others sorted."""
    groups: dict[str, dict[str, None]] = {}
    for raw in raws:
        if raw := raw.strip():
            groups.setdefault(loose_key(raw), {})[raw] = None
    ordered = []
    for key in sorted(groups):
        first, *others = groups[key]
        ordered += [first, *sorted(others)]
    return ordered


class Resolver:
    """Resolves the rows of one import. Loads every alias once (a few thousand rows at most)
    and must be used inside the import's transaction."""

    def __init__(self) -> None:
        self.stats = ResolutionStats()
        self._orgs = _Catalog(
            Organization, OrganizationAlias, "organization", self.stats,
            self.stats.new_organizations,
        )  # fmt: skip
        self._licenses = _Catalog(
            License, LicenseAlias, "license", self.stats, self.stats.new_licenses
        )
        self._models = {
            alias.raw.casefold(): alias.model
            for alias in ModelAlias.objects.select_related("model__organization", "model__license")
        }
        for model in AIModel.objects.select_related("organization", "license"):
            self._models.setdefault(model.key.casefold(), model)
        # Normalised key → the one model it names, or None when it names several (ambiguous).
        self._normal: dict[str, AIModel | None] = {}
        for raw, model in self._models.items():
            self._remember_normal(raw, model)

    def _remember_normal(self, raw: str, model: AIModel) -> None:
        key = normalised_key(raw)
        if key and self._normal.setdefault(key, model) not in (None, model):
            self._normal[key] = None

    def _known_model(self, *names: str) -> AIModel | None:
        for name in names:
            if (model := self._models.get(name.casefold())) is not None:
                return model
        for name in names:
            if (model := self._normal.get(normalised_key(name))) is not None:
                return model
        return None

    def prepare(self, rows: list[RowData]) -> None:
        """Resolve ``rows`` (in payload order) in one stable order: organisations, then
        licenses, then models, each sorted (names by loose key, models by key). Every import
        creating new names then takes their unique-index locks in the same order, so two
        imports of different boards never deadlock on them. A new entity still takes the
        spelling the payload gives first."""
        for raw in _stable_order([row.organization for row in rows]):
            self.organization(raw)
        for raw in _stable_order([row.license for row in rows]):
            self.license(raw)
        unique = dict.fromkeys(rows)
        for row in sorted(unique, key=lambda row: (row.model_key or row.model).strip()):
            self.model(row)

    def organization(self, raw: str) -> Organization | None:
        return self._orgs.resolve(raw)

    def license(self, raw: str) -> License | None:
        return self._licenses.resolve(raw)

    def model(self, row: RowData) -> AIModel:
        """The curated model for ``row``; created (flagged for review) when unknown."""
        organization = self.organization(row.organization)
        license_ = self.license(row.license)
        key = (row.model_key or row.model).strip()
        model = self._known_model(key, row.model)
        created = False
        if model is None:
            model, created = insert_or_fetch(
                AIModel,
                lookup={"key": key},
                values={
                    "key": key,
                    "name": row.model,
                    "organization": organization,
                    "license": license_,
                    "url": row.url,
                    "needs_review": row.name_uncertain,
                    "upstream_organization": row.organization,
                    "upstream_license": row.license,
                },
            )
        if created:
            self.stats.new_models.append(row.model)
        else:
            self._record_upstream(model, row, organization, license_)
        for raw in sorted({key, row.model, row.raw_model} - {""}):  # a stable order, as above
            if raw.casefold() not in self._models:
                # Only the name that makes a new model, or a guess, waits for a curator.
                waits = row.name_uncertain or (created and raw == key)
                alias, alias_created = insert_or_fetch(
                    ModelAlias,
                    lookup={"raw__iexact": raw},
                    values={"raw": raw, "model": model, "needs_review": waits},
                )
                self.stats.new_aliases += alias_created
                self._models[raw.casefold()] = alias.model if not alias_created else model
                self._remember_normal(raw, self._models[raw.casefold()])
        return model

    def _record_upstream(
        self,
        model: AIModel,
        row: RowData,
        organization: Organization | None,
        license_: License | None,
    ) -> None:
        """Fill blanks, never overwrite; flag the model when upstream *now* disagrees.

        Only a change in what upstream says can raise a flag: once staff have reviewed a
        disagreement (and dismissed it), the same upstream string does not bring it back.
        """
        changed: set[str] = set()
        statements = (
            ("organization", organization, row.organization, model.upstream_organization),
            ("license", license_, row.license, model.upstream_license),
        )
        for field_name, value, said_now, said_before in statements:
            current = getattr(model, field_name)
            if value is None:
                continue
            if current is None:
                setattr(model, field_name, value)
                changed.add(field_name)
            elif current.pk != value.pk and said_now != said_before and not model.needs_review:
                model.needs_review = True
                changed.add("needs_review")
                self.stats.disagreements.append(
                    f"{model.name}: upstream says {field_name} {value.name!r}, "
                    f"curated is {current.name!r}"
                )
        if not model.url and row.url:
            model.url = row.url
            changed.add("url")
        for field_name, raw in (
            ("upstream_organization", row.organization),
            ("upstream_license", row.license),
        ):
            if raw and getattr(model, field_name) != raw:
                setattr(model, field_name, raw)
                changed.add(field_name)
        if changed:
            model.save(update_fields=[*changed, "updated_at"])
            self.stats.models_updated += 1
