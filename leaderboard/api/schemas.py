"""What the API answers, as pydantic schemas: the OpenAPI document is generated from these.

Curated values (what staff decided) and upstream's raw strings sit side by side: ``model`` /
``raw_model``, ``organization`` / ``raw_organization``, ``license`` / ``raw_license``.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from ninja import Schema
from pydantic import Field

from leaderboard.models import License
from leaderboard.tables import BoardTable

LicenseKind = StrEnum("LicenseKind", [(kind.value, kind.value) for kind in License.Kind])  # type: ignore[misc]
"""The license kinds, as the ``License.Kind`` choices spell them."""

SortKey = StrEnum(  # type: ignore[misc]
    "SortKey",
    [(f"{sign}{name}", f"{sign}{name}") for name in BoardTable.base_columns for sign in ("", "-")],
)
"""A board column to sort by, ``-`` first for descending: the page's ``sort`` values."""


class ParameterError(Schema):
    parameter: str
    message: str


class Problem(Schema):
    """An error as RFC 9457 problem details (``application/problem+json``)."""

    type: str = Field(default="about:blank", description="A URI naming the problem type.")
    title: str
    status: int
    detail: str = ""
    errors: list[ParameterError] = Field(
        default_factory=list, description="Each rejected parameter, for a 400."
    )


class BoardRef(Schema):
    slug: str = Field(description="ARENA/CATEGORY, e.g. text/overall-no-style-control.")
    arena: str
    category: str
    style_control: bool
    name: str = Field(description="The board's title in English.")
    metric: Literal["elo", "score"]


class Board(BoardRef):
    first_snapshot_on: dt.date | None
    last_snapshot_on: dt.date | None
    snapshot_count: int
    current_snapshot_on: dt.date | None
    url: str = Field(description="The board page.")


class BoardList(Schema):
    boards: list[Board]


class SnapshotMeta(Schema):
    published_on: dt.date = Field(description="Upstream's publish date.")
    source: str
    rank_kind: Literal["position", "ub"]
    row_count: int
    total_votes: int | None
    content_hash: str = Field(
        description="sha256 of the rows as imported (also the permalink's ETag)."
    )
    payload_sha256: str | None = Field(
        description="sha256 of the raw bytes the import read, where recorded."
    )
    imported_at: dt.datetime
    permalink: str = Field(description="The citable URL of this board on this date.")


class SnapshotList(Schema):
    board: BoardRef
    snapshots: list[SnapshotMeta]


class Row(Schema):
    """One row of a view: the fields of the JSON export, then upstream's raw strings."""

    rank: int
    rank_upper: int = Field(description="Best rank in the rank spread.")
    rank_lower: int = Field(description="Worst rank in the rank spread.")
    model: str
    model_key: str
    url: str
    organization: str
    license: str
    license_kind: str
    score: float
    rating_lower: float | None
    rating_upper: float | None
    votes: int | None
    preliminary: bool | None = Field(description="Effective: a curator's override wins.")
    previous_rank: int | None = Field(description="Rank on the snapshot compared with.")
    rank_change: int | None = Field(description="Places moved up (negative: down).")
    score_change: float | None
    price_input: float | None = Field(description="Upstream's US$ per million input tokens.")
    price_output: float | None = Field(description="Upstream's US$ per million output tokens.")
    context_tokens: int | None = Field(description="Upstream's context window, in tokens.")
    organization_curated: bool = Field(
        description="Upstream's row gave no organisation; ours (curated) is shown."
    )
    license_curated: bool = Field(description="Upstream's row gave no license; ours is shown.")
    raw_model: str
    raw_organization: str
    raw_license: str


class SnapshotView(Schema):
    board: BoardRef
    snapshot: SnapshotMeta
    is_current: bool
    filters: dict[str, object] = Field(description="The filters and sort applied.")
    shown_count: int
    movement_since: dt.date | None = Field(description="The snapshot movement is against.")
    rows: list[Row]


class PermalinkRow(Schema):
    """A row exactly as upstream published it: no curated value, which staff may change."""

    rank: int
    rank_upper: int
    rank_lower: int
    model: str
    organization: str
    license: str
    score: float
    rating_lower: float | None
    rating_upper: float | None
    votes: int | None
    preliminary: bool | None


class Permalink(Schema):
    """One board on one date, as published. The body never changes for a content hash."""

    board: str
    published_on: dt.date
    source: str
    rank_kind: Literal["position", "ub"]
    row_count: int
    content_hash: str = Field(description="The snapshot's content hash (also the ETag).")
    rows_sha256: str = Field(
        description=(
            "sha256 of `rows` as compact JSON (keys sorted, separators , and :, UTF-8): "
            "anyone can recompute it."
        )
    )
    license: str
    rows: list[PermalinkRow]


class OrganizationRef(Schema):
    slug: str
    name: str


class LicenseRef(Schema):
    name: str
    kind: LicenseKind


class ModelSummary(Schema):
    key: str
    name: str
    url: str
    organization: OrganizationRef | None
    license: LicenseRef | None
    open_weights: bool = Field(description="Effective: a curator's flag, else the license kind.")
    deprecated: bool
    upstream_organization: str = Field(description="Upstream's latest organisation string.")
    upstream_license: str = Field(description="Upstream's latest license string.")
    raw_names: list[str] = Field(description="The raw upstream names mapped to this model.")


class ModelList(Schema):
    models: list[ModelSummary]
    next_cursor: str | None


class Point(Schema):
    published_on: dt.date
    rank: int
    rank_upper: int
    rank_lower: int
    score: float
    rating_lower: float | None
    rating_upper: float | None
    votes: int | None
    preliminary: bool | None


class Standing(Schema):
    """A model on a board's current snapshot, with its move against the previous one."""

    point: Point
    rank_change: int | None = Field(description="Positive = moved up.")
    score_change: float | None
    is_new: bool


class ModelBoardHistory(Schema):
    board: BoardRef
    current: Standing | None = Field(description="None when not on the current snapshot.")
    history: list[Point] = Field(description="Oldest first, one point per snapshot date.")


class ModelDetail(ModelSummary):
    release_date: dt.date | None
    parameters_billions: float | None
    first_seen: dt.date | None
    last_seen: dt.date | None
    boards: list[ModelBoardHistory]


class Organization(Schema):
    slug: str
    name: str
    url: str
    model_count: int


class OrganizationList(Schema):
    organizations: list[Organization]


class ModelRef(Schema):
    key: str
    name: str


class BoardStanding(Schema):
    board: BoardRef
    standing: Standing


class OrganizationModel(ModelRef):
    standings: list[BoardStanding]


class BestRank(Schema):
    published_on: dt.date
    rank: int


class BoardBestRanks(Schema):
    board: BoardRef
    best_ranks: list[BestRank]


class OrganizationDetail(Organization):
    raw_names: list[str] = Field(description="The raw upstream strings mapped to it.")
    models: list[OrganizationModel] = Field(description="Its models on current boards.")
    other_models: list[ModelRef] = Field(description="Its models on no current board.")
    best_ranks: list[BoardBestRanks]


class Event(Schema):
    id: str = Field(description="A tag URI, stable across re-imports (as in the Atom feed).")
    kind: Literal[
        "new-leader", "entered", "left", "top-in", "top-out", "preliminary-cleared", "riser",
        "faller",
    ]  # fmt: skip
    title: str
    model: ModelRef
    rank: int | None
    previous_rank: int | None


class SnapshotChanges(Schema):
    board: BoardRef
    published_on: dt.date
    previous_on: dt.date | None
    row_count: int
    entered_total: int
    left_total: int
    events: list[Event]


class ChangeList(Schema):
    changes: list[SnapshotChanges]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class HeadToHeadModel(ModelRef):
    point: Point | None = Field(description="Its latest point on the board.")


class Matchup(Schema):
    a: str
    b: str
    probability: float | None = Field(description="P(a beats b); null on a score board.")
    worst: float | None = Field(description="a at its lower bound, b at its upper.")
    best: float | None = Field(description="a at its upper bound, b at its lower.")
    separable: bool = Field(description="The rank spreads do not overlap.")
    same_date: bool = Field(description="Both latest points are from the same snapshot date.")


class HeadToHead(Schema):
    board: BoardRef
    models: list[HeadToHeadModel]
    matchups: list[Matchup]
