"""Models: the curated facts, what upstream says about them, merges, and the review queue page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models as db
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from .. import catalogue, models, selectors
from ..services import curation
from .aliases import ModelAliasInline
from .curation import (
    CuratedAdmin,
    acting_user,
    changelist_link,
    choose_target,
    count_message,
    foreign_key,
)
from .review import RowReviewMixin, review_badge


class ReviewReasonFilter(admin.SimpleListFilter):
    title = "review reason"
    parameter_name = "review_reason"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("disagreement", "Upstream disagrees"),
            ("uncertain", "New or uncertain name"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        disagrees = db.Q(org_disagrees=True) | db.Q(license_disagrees=True)
        if self.value() == "disagreement":
            return queryset.filter(disagrees, needs_review=True)
        if self.value() == "uncertain":
            return queryset.filter(needs_review=True).exclude(disagrees)
        return queryset


@admin.register(models.AIModel)
class AIModelAdmin(RowReviewMixin, CuratedAdmin):
    row_reviews = {
        "accept-upstream": ("Accept upstream", curation.accept_upstream),
        "dismiss": ("Keep curated", curation.dismiss_model_reviews),
    }
    # Few, narrow columns: at 1280 px the row's Decide buttons must stay on screen. The key
    # sits under the name; license kind, open weights and deprecation are filters.
    list_display = [
        "name_and_key",
        "organization",
        "license",
        "family",
        "entry_count",
        "review_reason",
    ]
    list_display_links = ["name_and_key"]
    list_filter = [
        "needs_review",
        ReviewReasonFilter,
        "license__kind",
        ("organization", admin.RelatedOnlyFieldListFilter),
        "open_weights",
        "deprecated",
        ("family", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["organization", "license", "family"]
    search_fields = ["name", "key", "aliases__raw"]
    autocomplete_fields = ["organization", "license", "family"]
    readonly_fields = [
        "upstream_organization", "upstream_license", "boards", "created_at", "family_rule",
        "provenance",
    ]  # fmt: skip
    inlines = [ModelAliasInline]
    actions = ["accept_upstream", "dismiss_review", "mark_deprecated", "merge_into"]
    fieldsets = [
        (None, {"fields": ["name", "key", "organization", "license", "url"]}),
        (
            "Facts",
            {
                "fields": [
                    "release_date",
                    "parameters_billions",
                    "open_weights",
                    "context_tokens",
                    "output_tokens",
                    "knowledge_cutoff",
                    "input_price",
                    "output_price",
                    "provenance",
                    "deprecated",
                    "preliminary_override",
                    "notes",
                ]
            },
        ),
        ("Family", {"fields": ["family", "family_curated", "family_rule"]}),
        (
            "What upstream says",
            {"fields": ["needs_review", "upstream_organization", "upstream_license", "boards"]},
        ),
        ("Audit", {"fields": ["change_reason", "created_at"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[models.AIModel]:
        # Ordered explicitly: Meta.ordering is dropped from a GROUP BY query, and the
        # autocomplete (the merge target picker) paginates this queryset.
        queryset = (
            super().get_queryset(request).annotate(entry_total=Count("entries")).order_by("name")
        )
        return selectors.models_with_review_reasons(queryset)

    def get_urls(self) -> list[URLPattern]:
        review = path(
            "review/",
            self.admin_site.admin_view(self.review_queue_view),
            name="leaderboard_review_queue",
        )
        return [review, *super().get_urls()]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # A family set (or cleared) by hand is the curator's: the rules leave it alone.
        if "family" in form.changed_data:
            obj.family_curated, obj.family_rule = True, None
        super().save_model(request, obj, form, change)

    @admin.display(description="name · key", ordering="name")
    def name_and_key(self, model: models.AIModel) -> SafeString:
        if model.key == model.name:
            return format_html("{}", model.name)
        return format_html('{}<br><small class="model-key">{}</small>', model.name, model.key)

    @admin.display(description="rows", ordering="entry_total")
    def entry_count(self, model: models.AIModel) -> int:
        return model.entry_total  # type: ignore[attr-defined]  # get_queryset's annotation

    @admin.display(description="review", ordering="needs_review")
    def review_reason(self, model: models.AIModel) -> SafeString:
        if not model.needs_review:
            return review_badge(waiting=False)
        reasons = []
        if getattr(model, "org_disagrees", False):
            reasons.append(f"upstream organisation {model.upstream_organization!r}")
        if getattr(model, "license_disagrees", False):
            reasons.append(f"upstream license {model.upstream_license!r}")
        return review_badge(waiting=True, text="; ".join(reasons) or "new or uncertain name")

    @admin.display(description="where the facts came from")
    def provenance(self, model: models.AIModel) -> SafeString:
        """Per fact field: curated (typed here, see History) or the catalogue entry, version,
        match and check date; a conflict with its reason."""
        facts = {fact.field: fact for fact in model.facts.all()}
        rows = []
        for name in catalogue.FACT_FIELDS:
            value = getattr(model, name)
            fact = facts.get(name)
            if fact is None:
                origin = "curated (see History)" if value not in (None, "") else "—"
            else:
                # The status word first (applied / agrees / conflict / kept), then where from.
                origin = (
                    f"{fact.status}: {fact.source} {fact.source_version} · {fact.source_ref} · "
                    f"{fact.matched_by} · checked {fact.checked_on:%Y-%m-%d}"
                    + (f" — {fact.reason}" if fact.reason else "")
                )
            shown = "—" if value in (None, "") else value
            rows.append((name.replace("_", " "), shown, origin))
        return format_html(
            "<table><tbody>{}</tbody></table>",
            format_html_join("", "<tr><th>{}</th><td>{}</td><td>{}</td></tr>", rows),
        )

    @admin.display(description="boards")
    def boards(self, model: models.AIModel) -> SafeString:
        boards = (
            models.Leaderboard.objects.filter(snapshots__entries__model=model)
            .annotate(rows=Count("snapshots__entries"))
            .order_by("display_order", "arena", "category")
        )
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a> ({} snapshots)',
            ((board.get_absolute_url(), board.slug, board.rows) for board in boards),
        )
        return links or format_html("{}", "—")

    @admin.action(description="Accept upstream's organisation and license", permissions=["change"])
    def accept_upstream(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        count_message(
            request, curation.accept_upstream(queryset, user=acting_user(request)), "accepted"
        )

    @admin.action(description="Dismiss: curated values stand", permissions=["change"])
    def dismiss_review(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        count = curation.dismiss_model_reviews(queryset, user=acting_user(request))
        count_message(request, count, "dismissed")

    @admin.action(description="Mark deprecated", permissions=["change"])
    def mark_deprecated(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        count = curation.mark_deprecated(queryset, user=acting_user(request))
        count_message(request, count, "marked deprecated")

    @admin.action(
        description="Merge into… (a duplicate a rename created)",
        permissions=["change", "delete"],
    )
    def merge_into(self, request: HttpRequest, queryset: QuerySet[Any]) -> TemplateResponse | None:
        chosen = choose_target(
            self,
            request,
            queryset,
            field=foreign_key(models.ModelAlias, "model"),
            title="Merge models",
            merging=True,
            explanation=(
                "The selected models are folded into the one you choose: rows, aliases and "
                "keys move over. Refused when both have a row in the same snapshot."
            ),
        )
        if isinstance(chosen, TemplateResponse):
            return chosen
        target, reason = chosen
        for source in queryset.exclude(pk=target.pk):
            try:
                result = curation.merge_models(
                    source=source, target=target, user=acting_user(request), reason=reason
                )
            except curation.CurationRefused as refused:
                messages.error(request, str(refused))
                continue
            messages.success(
                request,
                f"Merged {result.removed!r} into {result.kept!r}: {result.moved_entries} rows, "
                f"{result.moved_aliases} aliases moved.",
            )
        return None

    def review_queue_view(self, request: HttpRequest) -> HttpResponse:
        """Every review queue with its count and where to act on it."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        counts = selectors.review_counts()
        flagged: dict[str, object] = {"needs_review__exact": 1}
        queues: list[tuple[str, int, type[db.Model], dict[str, object]]] = [
            (
                "New organisation spellings",
                counts["organization_aliases"],
                models.OrganizationAlias,
                flagged,
            ),
            ("New license spellings", counts["license_aliases"], models.LicenseAlias, flagged),
            ("New model names", counts["model_aliases"], models.ModelAlias, flagged),
            (
                "Organisations an import created",
                counts["organizations"],
                models.Organization,
                flagged,
            ),
            ("Licenses an import created", counts["licenses"], models.License, flagged),
            (
                "Models where upstream disagrees",
                counts["model_disagreements"],
                models.AIModel,
                {"review_reason": "disagreement"},
            ),
            (
                "Models with a new or uncertain name",
                counts["models_uncertain"],
                models.AIModel,
                {"review_reason": "uncertain"},
            ),
            (
                "Facts where the catalogue disagrees with a curated value",
                counts["fact_conflicts"],
                models.ModelFact,
                {"status__exact": models.ModelFact.Status.CONFLICT},
            ),
        ]
        rows = [
            (label, count, changelist_link(model, "Review", **params))
            for label, count, model, params in queues
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": "Review queue",
            "opts": self.model._meta,
            "rows": rows,
            "total": sum(counts.values()),
        }
        return TemplateResponse(request, "admin/curation/review_queue.html", context)
