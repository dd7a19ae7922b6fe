"""Model families: ``FamilyRule``s suggest, curators decide.

``apply_family_rules`` guarantees:
- one transaction; idempotent (a second run writes nothing);
- a model whose family a curator chose (``family_curated``) is never touched;
- every other model gets the family of the first rule (in ``order``) that names a family and
  matches its key; failing that, the key is stripped of variant suffixes by the rules without
  a family (each a regex with a ``base`` group, applied until none matches) and models that
  share a base (compared as slugs, so ``Claude Opus 4 (20250514)`` meets ``claude-opus-4``)
  form the family named after it — only when at least two models share it, or a family with
  that slug already exists: a family of one is no family;
- a model no rule places any more loses a family a rule gave it;
- each change is a history row whose reason names the rule; caches are bumped on commit.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify
from simple_history.utils import bulk_update_with_history

from .. import cache_keys
from ..models import AIModel, FamilyRule, ModelFamily
from .identity import insert_or_fetch

# A base stripped down to nothing is no family (a key made only of a suffix).
_MAX_STRIPS = 10


@dataclass(slots=True)
class FamilyResult:
    assigned: int = 0
    cleared: int = 0
    families_created: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Rules:
    explicit: list[tuple[FamilyRule, re.Pattern[str]]]
    stripping: list[tuple[FamilyRule, re.Pattern[str]]]

    @classmethod
    def load(cls) -> _Rules:
        explicit, stripping = [], []
        for rule in FamilyRule.objects.filter(enabled=True).select_related("family"):
            try:
                compiled = rule.compiled()
            except re.error:  # saved around the form's validation: skipped, not fatal
                continue
            if rule.family is not None:
                explicit.append((rule, compiled))
            elif "base" in compiled.groupindex:
                stripping.append((rule, compiled))
        return cls(explicit, stripping)

    def explicit_match(self, key: str) -> FamilyRule | None:
        return next((rule for rule, rx in self.explicit if rx.fullmatch(key)), None)

    def strip(self, key: str) -> tuple[str, FamilyRule | None]:
        """The key without its variant suffixes, and the first rule that stripped one."""
        base, first = key, None
        for _ in range(_MAX_STRIPS):
            for rule, rx in self.stripping:
                found = rx.fullmatch(base)
                if found and found.group("base") and found.group("base") != base:
                    base, first = found.group("base").strip(), first or rule
                    break
            else:
                break
        return base, first


def suggest_base(key: str) -> str:
    """What the enabled stripping rules leave of ``key`` (the admin shows it)."""
    return _Rules.load().strip(key)[0]


@transaction.atomic
def apply_family_rules() -> FamilyResult:
    """Re-apply every rule to every model not curated (see the module docstring)."""
    rules = _Rules.load()
    result = FamilyResult()
    candidates = list(
        AIModel.objects.filter(family_curated=False).select_related("family", "family_rule")
    )
    families = {family.slug: family for family in ModelFamily.objects.all()}
    wanted: dict[int, tuple[ModelFamily | None, FamilyRule | None]] = {}
    by_base: dict[str, list[tuple[AIModel, str, FamilyRule | None]]] = defaultdict(list)
    for model in candidates:
        rule = rules.explicit_match(model.key)
        if rule is not None:
            wanted[model.pk] = (rule.family, rule)
            continue
        base, stripped_by = rules.strip(model.key)
        slug = slugify(base)[:200]
        if slug:
            by_base[slug].append((model, base, stripped_by))
        wanted[model.pk] = (None, None)
    # Sorted, like the resolver's new names: two imports creating families take the unique
    # index's locks in one order (no deadlock on PostgreSQL), and a family a concurrent import
    # created first is fetched, not an IntegrityError that fails this import.
    for slug, members in sorted(by_base.items()):
        if not any(stripped_by for _, _, stripped_by in members):
            continue  # nothing was stripped: each key is its own model, not a variant
        family = families.get(slug)
        if family is None:
            if len(members) < 2:
                continue
            # Named after the plain model when there is one, else the shortest base.
            plain = [base for model, base, stripped_by in members if stripped_by is None]
            name = plain[0] if plain else min((base for _, base, _ in members), key=len)
            family, created = insert_or_fetch(
                ModelFamily, lookup={"slug": slug}, values={"name": name[:200], "slug": slug}
            )
            families[slug] = family
            if created:
                result.families_created.append(family.name)
        credited = next(rule for _, _, rule in members if rule is not None)
        for model, _, stripped_by in members:
            wanted[model.pk] = (family, stripped_by or credited)

    changed: list[AIModel] = []
    for model in sorted(candidates, key=lambda model: model.pk):  # one lock order
        family, rule = wanted[model.pk]
        if model.family_id == (family.pk if family else None) and model.family_rule_id == (
            rule.pk if rule else None
        ):
            continue
        if family is None:
            result.cleared += 1
            reason = "family rules no longer place it"
        else:
            result.assigned += 1
            reason = f"family rule: {rule.note or rule.pattern}" if rule else "family rule"
        model.family, model.family_rule = family, rule
        model._change_reason = reason[:100]  # type: ignore[attr-defined]  # simple-history's
        changed.append(model)
    if changed:
        bulk_update_with_history(changed, AIModel, ["family", "family_rule"])
        transaction.on_commit(cache_keys.bump)
    return result


STARTER_RULES: list[tuple[str, str]] = [
    # (regex with a base group, what it strips). Keys come as ``claude-opus-4-1-20250805-
    # thinking-16k`` or ``Claude 3.7 Sonnet (thinking-32k)``: a suffix follows "-", "_" or " ",
    # in brackets or not; the rules are applied until none matches. Bare "max" and "medium"
    # are left alone: in ``Qwen3.7 Max`` or ``Mistral Medium`` they name a product, not an
    # effort; numbered experiments (``gemini-exp-1114``) are models of their own.
    (r"(?P<base>.+?)[-_ ]\(?(?:no-)?thinking(?:-(?:\d+k|minimal|low|medium|high))?\)?", "thinking"),
    (r"(?P<base>.+?)(?:[-_](?:high|low)| \((?:high|low|medium|max)\))", "reasoning effort"),
    (r"(?P<base>.+?)[-_ ]\(?\d{4}-\d{2}-\d{2}\)?", "a dated snapshot, 2025-05-14"),
    (r"(?P<base>.+?)[-_ ]\(?20\d{6}\)?", "a dated snapshot, 20250514"),
    (r"(?P<base>.+?)[-_ ](?:preview|exp)(?:-\d{2}-\d{2}|-\d{2}-\d{4})?", "preview, exp"),
]


@transaction.atomic
def load_starter_rules() -> int:
    """Add the bundled starter rules a database does not have yet, matched by pattern: a
    curator's edits of other rules stand, and a starter rule a curator does not want is
    disabled, not deleted (it would come back). Returns how many were added."""
    known = set(FamilyRule.objects.values_list("pattern", flat=True))
    added = 0
    for order, (pattern, note) in enumerate(STARTER_RULES, start=1):
        if pattern not in known:
            FamilyRule.objects.create(pattern=pattern, order=order * 10, note=note)
            added += 1
    return added
