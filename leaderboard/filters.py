"""The board's filters. All state lives in the query string; an invalid value is ignored (and
shown as a form error), never a server error."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, TypedDict

import django_filters
from django import forms
from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from .models import Entry, Leaderboard, License, Organization, Snapshot
from .tables import sort_keys
from .widgets import FILTER_FORM_RENDERER, CheckboxList


class BoardColumns(TypedDict):
    """The columns ``board_entries`` adds to each entry."""

    is_preliminary: bool | None
    is_open_weights: bool
    ci_width: float | None


if TYPE_CHECKING:
    # django-stubs-ext is a development dependency: the alias exists for the type checker only.
    from django_stubs_ext import WithAnnotations

    BoardEntry = WithAnnotations[Entry, BoardColumns]


UNSHOWN_FIELDS = (
    *(
        f"{relation}__{field}"
        for relation in ("model", "model__organization", "model__license")
        for field in ("created_at", "updated_at", "needs_review")
    ),
    "model__notes",
    "model__upstream_organization",
    "model__upstream_license",
    "model__organization__url",
    "model__license__url",
)


def board_entries(snapshot: Snapshot) -> QuerySet[BoardEntry]:
    """A snapshot's entries with everything the table shows, in one query.

    ``is_preliminary`` and ``is_open_weights`` are the effective values: a curator's override
    on the model wins over upstream's flag and over the license's kind.
    """
    return (
        Entry.objects.filter(snapshot=snapshot)
        .select_related("model__organization", "model__license")
        # Fields no table or export shows (audit timestamps, notes, review flags): converting
        # them for every row was ~10 % of a board render. A column that needs one must drop
        # it here (the query-count tests fail otherwise: one query per row).
        .defer(*UNSHOWN_FIELDS)
        .annotate(
            is_preliminary=Coalesce(F("model__preliminary_override"), F("preliminary")),
            is_open_weights=Coalesce(
                F("model__open_weights"),
                Case(
                    When(model__license__kind__in=License.OPEN_WEIGHTS_KINDS, then=True),
                    default=False,
                ),
            ),
            ci_width=F("rating_upper") - F("rating_lower"),
        )
        .order_by("rank")
    )


class BoardFilterForm(forms.Form):
    default_renderer = FILTER_FORM_RENDERER


class BoardFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Model"), max_length=100)
    organization = django_filters.ModelMultipleChoiceFilter(
        field_name="model__organization__name",
        to_field_name="name",
        queryset=Organization.objects.none(),
        label=_("Organization"),
        widget=CheckboxList,
    )
    license = django_filters.ModelMultipleChoiceFilter(
        field_name="model__license__name",
        to_field_name="name",
        queryset=License.objects.none(),
        label=_("License"),
        widget=CheckboxList,
    )
    license_kind = django_filters.MultipleChoiceFilter(
        field_name="model__license__kind",
        choices=License.Kind.choices,
        label=_("License kind"),
        widget=CheckboxList,
    )
    open = django_filters.BooleanFilter(
        method="open_weights_only",
        label=_("Open weights only"),
        widget=forms.CheckboxInput,
    )
    hide_deprecated = django_filters.BooleanFilter(
        method="without_deprecated",
        label=_("Hide deprecated models"),
        widget=forms.CheckboxInput,
    )
    preliminary = django_filters.ChoiceFilter(
        method="filter_preliminary",
        choices=[("hide", _("Hide preliminary")), ("only", _("Only preliminary"))],
        label=_("Preliminary"),
        empty_label=_("Show all"),
    )
    min_votes = django_filters.NumberFilter(
        field_name="votes", lookup_expr="gte", min_value=0, label=_("Minimum votes")
    )
    rank_min = django_filters.NumberFilter(
        field_name="rank", lookup_expr="gte", min_value=1, label=_("Rank from")
    )
    rank_max = django_filters.NumberFilter(
        field_name="rank", lookup_expr="lte", min_value=1, label=_("Rank to")
    )
    max_price = django_filters.NumberFilter(
        field_name="price_input",
        lookup_expr="lte",
        min_value=0,
        label=_("Max input price ($/M)"),
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
    )
    min_context = django_filters.ChoiceFilter(
        field_name="context_tokens",
        lookup_expr="gte",
        choices=[
            (str(tokens), label)
            for tokens, label in (
                (32_000, "32K"), (128_000, "128K"), (200_000, "200K"), (1_000_000, "1M"),
            )
        ],
        label=_("Min context"),
        empty_label=_("Any"),
    )  # fmt: skip
    new_since = django_filters.DateFilter(
        method="first_seen_since",
        label=_("New since"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    # Not a filter of rows: the view reads the valid date and measures movement against the
    # board's snapshot as of it (a form field so it lives in the form and the URL like the rest).
    compare_to = django_filters.DateFilter(
        method="keep_all",
        label=_("Movement since"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    # Last on purpose: filters apply in declaration order, and the best variant is the best
    # of the rows the other filters kept.
    best_variant = django_filters.BooleanFilter(
        method="best_of_each_family",
        label=_("Best variant per family"),
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Entry
        fields: list[str] = []
        form = BoardFilterForm

    def __init__(
        self,
        *args: object,
        board: Leaderboard,
        snapshot: Snapshot,
        optional_columns: frozenset[str] = frozenset(),
        **kwargs: object,
    ):
        super().__init__(*args, **kwargs)
        self.board = board
        # A board without prices or context windows has no such filter (its value is ignored).
        for column, name in (("price", "max_price"), ("context", "min_context")):
            if column not in optional_columns:
                del self.filters[name]
        # Choices: only what this snapshot shows, so every option narrows the table. An option
        # is a name (value and label): nothing else is loaded.
        self.filters["organization"].queryset = (
            Organization.objects.filter(models__entries__snapshot=snapshot).distinct().only("name")
        )
        self.filters["license"].queryset = (
            License.objects.filter(models__entries__snapshot=snapshot).distinct().only("name")
        )

    def search(self, queryset: QuerySet[BoardEntry], name: str, value: str) -> QuerySet[BoardEntry]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(model__name__icontains=value) | Q(raw_model__icontains=value))

    def open_weights_only(
        self, queryset: QuerySet[BoardEntry], name: str, value: bool | None
    ) -> QuerySet[BoardEntry]:
        return queryset.filter(is_open_weights=True) if value else queryset

    def without_deprecated(
        self, queryset: QuerySet[Entry], name: str, value: bool | None
    ) -> QuerySet[Entry]:
        # Upstream's ranks stay as they are: hiding rows never renumbers the others.
        return queryset.exclude(model__deprecated=True) if value else queryset

    def filter_preliminary(
        self, queryset: QuerySet[BoardEntry], name: str, value: str
    ) -> QuerySet[BoardEntry]:
        if value == "hide":
            return queryset.exclude(is_preliminary=True)
        if value == "only":
            return queryset.filter(is_preliminary=True)
        return queryset

    def best_of_each_family(
        self, queryset: QuerySet[BoardEntry], name: str, value: bool | None
    ) -> QuerySet[BoardEntry]:
        """Keep each family's best-ranked row among those shown; a model with no family stands
        alone. Ranks stay upstream's (nothing is renumbered)."""
        if not value:
            return queryset
        better_sibling = queryset.filter(
            model__family__isnull=False,
            model__family=OuterRef("model__family"),
            rank__lt=OuterRef("rank"),
        )
        return queryset.filter(~Exists(better_sibling))

    def keep_all(
        self, queryset: QuerySet[BoardEntry], name: str, value: object
    ) -> QuerySet[BoardEntry]:
        return queryset

    def first_seen_since(
        self, queryset: QuerySet[BoardEntry], name: str, value: dt.date | None
    ) -> QuerySet[BoardEntry]:
        if value is None:
            return queryset
        first_seen = (
            Entry.objects.filter(model=OuterRef("model"), snapshot__leaderboard=self.board)
            .order_by("snapshot__published_on")
            .values("snapshot__published_on")[:1]
        )
        return queryset.annotate(first_seen=Subquery(first_seen)).filter(first_seen__gte=value)


STATE_PARAMS = (*BoardFilter.base_filters, "sort", "as_of")
"""Query parameters that change what a board page shows; anything else is ignored."""


def page_state(request: HttpRequest) -> list[tuple[str, list[str]]]:
    """The parameters that shape the page, keys sorted, each key's values in request order
    (for a repeated single-value filter the last one wins, so order matters)."""
    state = []
    for key, values in request.GET.lists():
        if key == "sort":
            values = sort_keys(values)
        # A key with only empty values is an untouched form field: it shows nothing more.
        if key in STATE_PARAMS and any(values):
            state.append((key, values))
    return sorted(state)


def short_url(request: HttpRequest) -> str | None:
    """The same URL without its empty parameters (what an untouched form field sends), or
    None when it has none: shared links stay short, whatever submitted the form."""
    pairs = [(key, value) for key, values in request.GET.lists() for value in values]
    kept = [(key, value) for key, value in pairs if value.strip()]
    # Never a protocol-relative target: the redirect must stay on this site.
    if len(kept) == len(pairs) or request.path.startswith("//"):
        return None
    return request.path + (f"?{urlencode(kept)}" if kept else "")


def page_sort(request: HttpRequest) -> list[str]:
    """The page's valid sort keys, in request order."""
    return dict(page_state(request)).get("sort", [])


def page_state_query(request: HttpRequest, **replace: str | None) -> str:
    """The page's state as a query string (without a leading ``?``), optionally replacing
    some parameters (``None`` drops one): links never echo parameters that do not shape the
    page."""
    pairs = [(k, v) for k, values in page_state(request) if k not in replace for v in values]
    added = [(k, v) for k, v in replace.items() if v is not None]
    return urlencode([*pairs, *added], doseq=True)
