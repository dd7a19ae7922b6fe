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
  the model records what upstream said and is flagged for review;
- a model upstream gives no organisation for (and that has none curated) takes the one its
  link's domain names in the curated domain table (``OrganizationDomain``): anthropic.com →
  Anthropic. Upstream's own string, when a row has one, always comes first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.db.models import Model

from .. import cache_keys
from ..models import (
    AIModel,
    License,
    LicenseAlias,
    ModelAlias,
    Organization,
    OrganizationAlias,
    OrganizationDomain,
)
from ..sources.base import RowData
from ..sources.names import normalised_key

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_CORPORATE_SUFFIX = re.compile(r"(ai|inc|llc|ltd|labs?|corp|corporation)$")

_STAMPS = ("created_at", "updated_at")
"""Left out of the catalogue the resolver loads: nothing it does reads them, and parsing two
timestamps per instance was a third of the load. An instance saved later (a model whose
upstream statements changed) reads its ``created_at`` for the audit history then."""


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


def normalize_domain(text: str) -> str:
    """What staff type (``https://www.Anthropic.com/``, ``huggingface.co/Qwen/x``) as a
    domain-table key: lower-case host without ``www.``, plus the first path segment if given."""
    text = text.strip().lower()
    parts = urlsplit(text if "//" in text else f"//{text}")
    host = (parts.hostname or "").removeprefix("www.")
    segment = parts.path.strip("/").split("/", 1)[0]
    return f"{host}/{segment}" if host and segment else host


def domain_keys(url: str) -> list[str]:
    """The domain-table keys a link can match, most specific first: for
    ``https://docs.x.ai/api/x`` → ``docs.x.ai/api``, ``x.ai/api``, ``docs.x.ai``, ``x.ai``.
    A bare top-level domain is never a key; ``[]`` for anything but an http(s) link."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return []
    if parts.scheme.lower() not in {"http", "https"} or "." not in host:
        return []
    labels = host.split(".")
    hosts = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    segment = parts.path.strip("/").split("/", 1)[0].lower()
    with_path = [f"{h}/{segment}" for h in hosts] if segment else []
    return [*with_path, *hosts]


def organization_by_domain(url: str, table: dict[str, Organization]) -> Organization | None:
    """The organisation the most specific matching key of ``url`` names, or None."""
    return next((table[key] for key in domain_keys(url) if key in table), None)


def domain_table() -> dict[str, Organization]:
    """Every curated domain rule (a few hundred rows at most), key → organisation."""
    rules = OrganizationDomain.objects.select_related("organization").defer(
        *(f"organization__{stamp}" for stamp in _STAMPS)
    )
    return {rule.domain: rule.organization for rule in rules}


def fill_organizations_from_domains(models: Iterable[AIModel] | None = None) -> int:
    """Give each model without an organisation (all of them, or ``models``) the one its link's
    domain names. Never changes a model that has one. Returns how many it filled; the caller
    owns the transaction and the cache bump."""
    table = domain_table()
    if not table:
        return 0
    if models is None:
        models = AIModel.objects.filter(organization__isnull=True).exclude(url="")
    filled = []
    for model in models:
        if model.organization_id is None and model.url:
            organization = organization_by_domain(model.url, table)
            if organization is not None:
                model.organization = organization
                filled.append(model)
    for model in filled:
        model.save(update_fields=["organization", "updated_at"])  # audited, one by one
    return len(filled)


def load_domain_rules(rules: dict[str, str]) -> tuple[int, int]:
    """Add the ``domain → organisation name`` rules staff do not have yet (a rule staff
    already keep, edited or not, is left as it is), then fill the models they now name.
    Names resolve like upstream strings (an alias or a loose match, else a new organisation
    flagged for review). Idempotent; one transaction; cached pages are refreshed when it
    changed anything. Returns (rules added, models filled)."""
    with transaction.atomic():
        stats = ResolutionStats()
        organizations = _Catalog(
            Organization, OrganizationAlias, "organization", stats, stats.new_organizations
        )
        known = set(OrganizationDomain.objects.values_list("domain", flat=True))
        added = 0
        for raw_domain, name in sorted(rules.items()):
            domain = normalize_domain(raw_domain)
            organization = organizations.resolve(name)
            if not domain or domain in known or organization is None:
                continue
            OrganizationDomain.objects.create(domain=domain, organization=organization)
            known.add(domain)
            added += 1
        filled = fill_organizations_from_domains()
        if added or filled:
            transaction.on_commit(cache_keys.bump)
        return added, filled


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
        aliases = list(alias.objects.values_list("raw", link))  # first: see ``_by_raw``
        entities = {e.pk: e for e in entity.objects.defer(*_STAMPS)}
        self._by_alias: dict[str, E] = _by_raw(aliases, entities)
        self._by_loose: dict[str, E] = {loose_key(e.name): e for e in entities.values()}

    def resolve(self, raw: str) -> E | None:
        raw = raw.strip()
        if not raw:
            return None
        if (known := self._by_alias.get(raw.casefold())) is not None:
            return known
        entity = self._by_loose.get(loose_key(raw))
        made = False
        if entity is None:
            entity, made = self._entity.objects.get_or_create(
                name=raw, defaults={"needs_review": True}
            )
        # The entity waits for review when it is new; the string that names it does not.
        alias, created = insert_or_fetch(
            self._alias,
            lookup={"raw__iexact": raw},
            values={"raw": raw, self._link: entity, "needs_review": False},
        )
        if getattr(alias, self._link) != entity:
            # A concurrent import mapped the string first: theirs it is, and one made here
            # for it names nothing (nothing refers to it yet).
            if made:
                entity.delete()
                made = False
            entity = getattr(alias, self._link)
        if made:
            self._created.append(raw)
        self._by_loose.setdefault(loose_key(raw), entity)
        self._stats.new_aliases += created
        self._by_alias[raw.casefold()] = entity
        return entity


def _by_raw[E](pairs: Iterable[tuple[str, int]], entities: dict[int, E]) -> dict[str, E]:
    """Alias rows as (raw string, entity id) → casefolded raw → the one loaded instance of
    that entity (an alias row costs a tuple, not four model instances). The aliases are read
    before the entities, so an entity another import adds meanwhile is at worst known without
    its new aliases (by its key or name, as before); an alias whose entity was deleted since
    (a merge) is left out."""
    return {raw.casefold(): entities[pk] for raw, pk in pairs if pk in entities}


def _stable_order(raws: list[str]) -> list[str]:
    """Distinct strings grouped by loose key, the groups sorted by it; in a group the first
    spelling given comes first (it names a new entity), then the others sorted."""
    groups: dict[str, dict[str, None]] = {}
    for raw in dict.fromkeys(raws):  # a back-fill repeats each string hundreds of times
        if raw := raw.strip():
            groups.setdefault(loose_key(raw), {})[raw] = None
    ordered = []
    for key in sorted(groups):
        first, *others = groups[key]
        ordered += [first, *sorted(others)]
    return ordered


class Resolver:
    """Resolves the rows of one import. Loads every alias once (a few thousand rows at most,
    as plain tuples: one instance per entity) and must be used inside the import's
    transaction."""

    def __init__(self) -> None:
        self.stats = ResolutionStats()
        self._orgs = _Catalog(
            Organization, OrganizationAlias, "organization", self.stats,
            self.stats.new_organizations,
        )  # fmt: skip
        self._licenses = _Catalog(
            License, LicenseAlias, "license", self.stats, self.stats.new_licenses
        )
        aliases = list(ModelAlias.objects.values_list("raw", "model"))  # first: see ``_by_raw``
        loaded = AIModel.objects.select_related("organization", "license").defer(
            *_STAMPS,
            *(f"{link}__{stamp}" for link in ("organization", "license") for stamp in _STAMPS),
        )
        models = {m.pk: m for m in loaded}
        self._models = _by_raw(aliases, models)
        for model in models.values():
            self._models.setdefault(model.key.casefold(), model)
        self._domains = domain_table()
        # A back-fill names each model in hundreds of snapshots with the same strings; once
        # resolved, such a row changes nothing more (see ``model``), so it is looked up here.
        self._seen: dict[tuple[object, ...], AIModel] = {}
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
        said = (row.model_key, row.model, row.raw_model, row.organization, row.license, row.url)
        seen = self._seen.get(said)
        if (
            seen is not None
            and (not row.organization or seen.upstream_organization == row.organization)
            and (not row.license or seen.upstream_license == row.license)
        ):
            # Resolved before with these very strings, and upstream's statements recorded on
            # the model are still these (another row may have said otherwise since): resolving
            # again would find the same model and change nothing.
            return seen
        model = self._resolve(row)
        self._seen[said] = model
        return model

    def _resolve(self, row: RowData) -> AIModel:
        organization = self.organization(row.organization)
        # Upstream named no maker: the curated domain table may, from the row's link. It only
        # ever fills a blank; it never disagrees with (or flags) a curated organisation.
        by_domain = (
            organization_by_domain(row.url, self._domains)
            if organization is None and row.url
            else None
        )
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
                    "organization": organization or by_domain,
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
            self._record_upstream(model, row, organization, license_, by_domain)
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
        by_domain: Organization | None = None,
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
        if model.organization is None and by_domain is not None:
            model.organization = by_domain
            changed.add("organization")
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
