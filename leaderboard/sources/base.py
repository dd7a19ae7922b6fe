"""The one interface every upstream format implements.

An adapter recognises its format from the raw bytes (``sniff``) and turns them into
plain dataclasses (``parse``). Adapters never touch the database, the network or Django
settings: the import service validates what they return and writes it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar, Literal, Protocol

from leaderboard.boards import BoardKey

RankKind = Literal["position", "ub"]
"""``position``: 1, 2, 3 … by score, no ties (arena.ai since 2025).
``ub``: the old "Rank (UB)" = 1 + number of models whose lower bound beats my upper bound (ties)."""

Metric = Literal["elo", "score"]
"""``elo``: Bradley–Terry rating on the Elo scale. ``score``: another scale (the agent boards)."""


class FormatError(ValueError):
    """The payload is not a readable instance of the adapter's format.

    The message is one line a person can act on ("no table header with a Score column").
    """


@dataclass(frozen=True, slots=True)
class RowData:
    """One model's row as upstream published it, with markup removed and numbers typed."""

    model: str
    """Clean display name (glued logo / organisation text removed)."""
    score: float
    rating_lower: float | None = None
    rating_upper: float | None = None
    votes: int | None = None
    organization: str = ""
    license: str = ""
    model_key: str = ""
    """Upstream's stable identifier where the format has one (HF key, arena-catalog key)."""
    rank: int | None = None
    """The rank upstream printed (see ``SnapshotData.rank_kind``)."""
    rank_upper: int | None = None
    """Best rank of the spread (``1◄─►4`` → 1), where upstream gives it."""
    rank_lower: int | None = None
    """Worst rank of the spread (``1◄─►4`` → 4), where upstream gives it."""
    preliminary: bool | None = None
    """Upstream's marker; ``None`` when the format does not carry it."""
    url: str = ""
    """Link to the model, only ``http(s)``."""
    raw_model: str = ""
    """The model cell before cleaning, when cleaning changed it (kept for review)."""
    name_uncertain: bool = False
    """True when the cleaner had to guess (flags the name for staff review)."""
    price_input: Decimal | None = None
    """Upstream's price in US$ per million input tokens, where the source carries one."""
    price_output: Decimal | None = None
    """Upstream's price in US$ per million output tokens."""
    context_tokens: int | None = None
    """Upstream's context window in tokens (``128K`` → 128000)."""


@dataclass(slots=True)
class SnapshotData:
    """One board at one publish date.

    ``arena`` / ``category`` / ``style_control`` are ``None`` when the payload does not say;
    the import service then uses the caller's ``BoardKey`` (its hint).
    """

    rows: list[RowData]
    arena: str | None = None
    category: str | None = None
    style_control: bool | None = None
    published_on: dt.date | None = None
    rank_kind: RankKind | None = None
    metric: Metric = "elo"
    updated_at: dt.datetime | None = None
    """When upstream says this board's data was updated (aware, UTC), where it says so per
    board; otherwise ``ParseResult.generated_at`` stands for every snapshot."""


@dataclass(frozen=True, slots=True)
class ModelMetadata:
    """Metadata-only rows (HF ``leaderboard_table_*.csv``, ``scatterplot-data.json``)."""

    model_key: str
    model: str = ""
    organization: str = ""
    license: str = ""
    url: str = ""


@dataclass(slots=True)
class ParseResult:
    format: str
    snapshots: list[SnapshotData] = field(default_factory=list)
    metadata: list[ModelMetadata] = field(default_factory=list)
    generated_at: dt.datetime | None = None
    """When upstream says the payload was produced (aware, UTC), if it says."""
    warnings: list[str] = field(default_factory=list)


class Adapter(Protocol):
    """A format. ``name`` is what ``--format`` takes."""

    name: ClassVar[str]
    description: ClassVar[str]

    def sniff(self, data: bytes) -> bool:
        """Cheap and total: True when the bytes look like this format. Never raises."""
        ...

    def parse(self, data: bytes, *, hint: BoardKey) -> ParseResult:
        """Parse the whole payload.

        Raises ``FormatError`` (and nothing else) when the bytes cannot be read as this format.
        """
        ...


class ChallengePage(FormatError):
    """The body is a bot-protection challenge (Cloudflare), not data: a failed fetch."""
