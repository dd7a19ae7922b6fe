"""The leaderboard table: every column of the seed page, each sortable by a plain link.

The columns define the headers and how each sorts; the rows are rendered by a plain loop in
``templates/leaderboard/table.html`` (with ``templatetags/board.py``), because django-tables2's
per-cell rendering cost ~0.2 s for a 300-row board on every cache miss.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any

import django_tables2 as tables
from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _
from django_tables2.data import TableQuerysetData

from . import rows
from .models import Entry

NUMERIC = {"th": {"class": "num"}}
DESCENDING_FIRST = frozenset({"score", "interval", "votes", "movement", "price", "context"})
"""Columns whose first click sorts highest first (a reader looks for the top scores, the
most votes, the biggest risers); ranks and names sort from the top."""
OPTIONAL_COLUMNS = frozenset({"price", "context"})
"""Columns shown only when the board's snapshot has such data (no blank columns)."""


class BoardTable(tables.Table):
    rank = tables.Column(verbose_name=_("Rank"), attrs=NUMERIC)
    spread = tables.Column(
        accessor="rank_upper",
        verbose_name=_("Rank spread"),
        order_by=("rank_upper", "rank_lower"),
        attrs=NUMERIC,
    )
    model = tables.Column(
        accessor="model__name",
        verbose_name=_("Model"),
        attrs={"th": {"class": "sticky"}},
    )
    score = tables.Column(verbose_name=_("Score"), attrs=NUMERIC)
    # Annotated by ``selectors.with_movement``; sorted by ``order_movement``.
    movement = tables.Column(accessor="rank_change", verbose_name=_("Movement"), attrs=NUMERIC)
    interval = tables.Column(
        accessor="ci_width",
        verbose_name=_("95% CI"),
        order_by=("ci_width",),
        attrs=NUMERIC,
    )
    votes = tables.Column(verbose_name=_("Votes"), attrs=NUMERIC)
    organization = tables.Column(
        accessor="model__organization__name", verbose_name=_("Organization")
    )
    license = tables.Column(accessor="model__license__name", verbose_name=_("License"))
    price = tables.Column(
        accessor="price_input",
        verbose_name=_("Price $/M in / out"),
        attrs={"th": {"class": "num", "title": _("US$ per million input / output tokens")}},
    )
    context = tables.Column(
        accessor="context_tokens",
        verbose_name=_("Context"),
        attrs={"th": {"class": "num", "title": _("Context window, tokens")}},
    )

    class Meta:
        model = Entry
        fields: tuple[str, ...] = ()
        sequence = (
            "rank", "spread", "model", "score", "movement", "interval", "votes", "price",
            "context", "organization", "license",
        )  # fmt: skip
        order_by = "rank"
        template_name = "leaderboard/table.html"
        attrs = {"class": "board"}
        empty_text = _("No model matches these filters.")

    metric: str = "elo"
    """The board's ``Leaderboard.metric``: how many decimals its scores are shown with."""

    def __init__(self, data: Any, *, optional_columns: Iterable[str] = (), **kwargs: Any) -> None:
        self.optional_columns = frozenset(optional_columns) & OPTIONAL_COLUMNS
        hidden = sorted(OPTIONAL_COLUMNS - self.optional_columns)
        if isinstance(data, QuerySet):
            data = BoardRowsData(data)
        super().__init__(data, exclude=[*kwargs.pop("exclude", ()), *hidden], **kwargs)

    @property
    def shows_price(self) -> bool:
        return "price" in self.optional_columns

    @property
    def shows_context(self) -> bool:
        return "context" in self.optional_columns

    # Rows without a price or context sort last both ways (databases disagree on NULLs).
    def order_price(self, queryset: QuerySet[Entry], is_descending: bool) -> tuple[Any, bool]:
        return _nulls_last(queryset, ("price_input", "price_output"), is_descending), True

    def order_context(self, queryset: QuerySet[Entry], is_descending: bool) -> tuple[Any, bool]:
        return _nulls_last(queryset, ("context_tokens",), is_descending), True

    def order_movement(self, queryset: QuerySet[Any], is_descending: bool) -> tuple[Any, bool]:
        """Rank change, then score change, then rank; models without one (new, or no earlier
        snapshot) last either way — databases disagree on where NULL sorts by default."""
        if is_descending:
            keys = [F("rank_change").desc(nulls_last=True), F("score_change").desc(nulls_last=True)]
        else:
            keys = [F("rank_change").asc(nulls_last=True), F("score_change").asc(nulls_last=True)]
        return queryset.order_by(*keys, "rank"), True


class BoardRowsData(TableQuerysetData):  # type: ignore[misc]  # django-tables2 is untyped
    """The table's queryset, sorted in SQL as django-tables2 sorts it, then read once as
    ``rows.BoardRow`` values (``rows.read``) rather than model instances."""

    def __init__(self, data: QuerySet[Any]) -> None:
        super().__init__(data)
        self._rows: list[rows.BoardRow] | None = None

    def order_by(self, aliases: Any) -> None:
        super().order_by(aliases)
        self._rows = None  # sorted anew: read again

    @property
    def records(self) -> list[rows.BoardRow]:
        if self._rows is None:
            self._rows = rows.read(self.data)
        return self._rows

    def __iter__(self) -> Iterator[rows.BoardRow]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, key: Any) -> Any:
        return self.records[key]


def _nulls_last(
    queryset: QuerySet[Entry], fields: tuple[str, ...], descending: bool
) -> QuerySet[Entry]:
    order = [
        F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True)
        for name in fields
    ]
    return queryset.order_by(*order, "rank")


def sort_keys(values: Iterable[str]) -> list[str]:
    """The first ``sort`` value that names a column (``-`` for descending), as a list of at
    most one: junk never reaches django-tables2, the cache key or a link, and a repeated
    ``sort`` is not echoed into every column's link (the table sorts by one column)."""
    valid = (value for value in values if value.removeprefix("-") in BoardTable.base_columns)
    return list(itertools.islice(valid, 1))
