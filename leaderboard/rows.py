"""A board's rows as the page, its exports and the API read them: plain values, not models.

A 300-row board read as ``Entry`` objects with their model, organisation and license built
~1,300 model instances per render, a third of an uncached page. ``read`` takes the board's
queryset as filtered and sorted (``filters.board_entries`` annotated by
``selectors.with_movement``) and turns each row into a ``BoardRow`` straight from
``values_list``: the same query, the same order, no instances.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import QuerySet

from .models import License


class BoardRow(NamedTuple):
    """One entry of a board view. The curated names are None where the model has no
    organisation or license (the row's raw strings are shown then)."""

    rank: int
    rank_upper: int
    rank_lower: int
    score: float
    rating_lower: float | None
    rating_upper: float | None
    votes: int | None
    is_preliminary: bool | None
    """The effective flag: a curator's override on the model, else upstream's."""
    price_input: Decimal | None
    price_output: Decimal | None
    context_tokens: int | None
    raw_model: str
    raw_organization: str
    raw_license: str
    model_name: str
    model_key: str
    model_url: str
    organization: str | None
    license: str | None
    license_kind: str | None
    previous_rank: int | None
    rank_change: int | None
    """Positive: moved up since the baseline; None: new there, or no baseline."""
    score_change: float | None

    @property
    def has_price(self) -> bool:
        return self.price_input is not None or self.price_output is not None

    @property
    def license_is_open_weights(self) -> bool:
        """The curated license's kind says open weights (``License.is_open_weights``)."""
        return self.license_kind in License.OPEN_WEIGHTS_KINDS


FIELDS = (
    "rank", "rank_upper", "rank_lower", "score", "rating_lower", "rating_upper", "votes",
    "is_preliminary", "price_input", "price_output", "context_tokens", "raw_model",
    "raw_organization", "raw_license", "model__name", "model__key", "model__url",
    "model__organization__name", "model__license__name", "model__license__kind",
    "previous_rank", "rank_change", "score_change",
)  # fmt: skip
"""What ``read`` selects, in ``BoardRow``'s order."""


def read(entries: QuerySet[Any]) -> list[BoardRow]:
    """The rows of an annotated board queryset, in its order: one query."""
    return list(map(BoardRow._make, entries.values_list(*FIELDS)))
