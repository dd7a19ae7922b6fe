"""Curation: canonical organisations, licenses and models with the upstream aliases that map
to them, the review queue, merges and the audit trail. Staff-only and in English: the public
site is the translated part.

Every write either goes through ``services.curation`` (merges, review actions: one
transaction each, audited, caches invalidated) or is a plain admin edit, which this module
audits (django-simple-history, with the optional "reason for this change") and follows with
``cache_keys.bump`` once the admin's transaction commits.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.db import models as db
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from simple_history.admin import SimpleHistoryAdmin

from .. import cache_keys, models
from ..services import curation
from .review import RowReviewMixin

Kind = models.License.Kind


# --- shared -------------------------------------------------------------------------------


class CuratedForm(forms.ModelForm):
    """Every curated form asks, optionally, why: it becomes the audit trail's change reason."""

    change_reason = forms.CharField(
        label="Reason for this change",
        required=False,
        max_length=100,
        help_text="Optional; shown in the history with your name and the time.",
    )


class CuratedAdmin(SimpleHistoryAdmin):
    """History on every change (who, when, what, why) and no stale public page after one."""

    form = CuratedForm

    def save_model(
        self, request: HttpRequest, obj: Any, form: forms.ModelForm, change: bool
    ) -> None:
        obj._change_reason = form.cleaned_data.get("change_reason", "") or None
        super().save_model(request, obj, form, change)
        transaction.on_commit(cache_keys.bump)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # Inline alias edits are curation too: audited as the signed-in user.
        for inline_form in formset.forms:
            inline_form.instance._history_user = request.user
        super().save_formset(request, form, formset, change)
        transaction.on_commit(cache_keys.bump)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        obj._history_user = request.user
        super().delete_model(request, obj)
        transaction.on_commit(cache_keys.bump)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        # One by one so every deletion gets its history row (a queryset delete would not).
        for obj in queryset:
            self.delete_model(request, obj)


class TargetForm(forms.Form):
    """The second step of "merge into…" / "map to existing…": pick the entity to keep."""

    target = forms.ModelChoiceField(queryset=models.Organization.objects.none())
    reason = forms.CharField(required=False, max_length=100, label="Reason (optional)")

    def __init__(
        self, *args: Any, field: db.ForeignKey, admin_site: admin.AdminSite, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        remote = field.remote_field.model
        self.fields["target"] = forms.ModelChoiceField(
            queryset=remote._default_manager.all(),
            label=remote._meta.verbose_name.capitalize(),
            widget=AutocompleteSelect(field, admin_site),
        )


def choose_target(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    field: db.ForeignKey,
    title: str,
    explanation: str,
) -> tuple[Any, str] | TemplateResponse:
    """An admin action's intermediate page. Returns (target, reason) once the form posted
    back is valid; otherwise the page (CSRF-protected form) to show."""
    form = TargetForm(
        request.POST if "apply" in request.POST else None,
        field=field,
        admin_site=model_admin.admin_site,
    )
    if form.is_valid():
        return form.cleaned_data["target"], form.cleaned_data["reason"]
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "explanation": explanation,
        "opts": model_admin.model._meta,
        "form": form,
        "media": model_admin.media + form.media,
        "queryset": queryset,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/curation/choose_target.html", context)


def _count_message(request: HttpRequest, count: int, text: str) -> None:
    messages.success(request, f"{count} {text}")


def admin_link(obj: Any, text: str | None = None) -> SafeString:
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text or str(obj))


def changelist_link(model: type[db.Model], text: str, **params: object) -> SafeString:
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return format_html('<a href="{}?{}">{}</a>', url, query, text)


# --- aliases ------------------------------------------------------------------------------


class AliasAdmin(RowReviewMixin, CuratedAdmin):
    """The raw strings imports saw. Review actions: accept, map to existing, dismiss."""

    row_reviews = {
        "accept": ("Accept", curation.accept_aliases),
        "dismiss": ("Dismiss", curation.dismiss_aliases),
    }

    target_field: str
    list_display = ["raw", "target", "needs_review", "first_seen"]
    list_filter = ["needs_review"]
    actions = ["accept", "map_to_existing", "dismiss"]
    list_per_page = 100

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        return ["raw", f"{self.target_field}__name"]

    def get_autocomplete_fields(self, request: HttpRequest) -> list[str]:
        return [self.target_field]

    def get_list_select_related(self, request: HttpRequest) -> list[str]:
        return [self.target_field]

    @admin.display(description="maps to")
    def target(self, alias: Any) -> SafeString:
        return admin_link(getattr(alias, self.target_field))

    @admin.action(description="Accept: the mapping is right", permissions=["change"])
    def accept(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        _count_message(request, curation.accept_aliases(queryset, user=request.user), "accepted")

    @admin.action(description="Dismiss from the review queue", permissions=["change"])
    def dismiss(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        _count_message(request, curation.dismiss_aliases(queryset, user=request.user), "dismissed")

    @admin.action(description="Map to an existing entry…", permissions=["change"])
    def map_to_existing(
        self, request: HttpRequest, queryset: QuerySet[Any]
    ) -> TemplateResponse | None:
        field = self.model._meta.get_field(self.target_field)
        chosen = choose_target(
            self,
            request,
            queryset,
            field=field,
            title="Map raw strings to an existing entry",
            explanation=(
                "Each selected raw string will map to the entry you choose, now and in every "
                "later import. Models whose value came from the string follow it."
            ),
        )
        if isinstance(chosen, TemplateResponse):
            return chosen
        target, reason = chosen
        for alias in queryset:
            messages.success(
                request,
                curation.map_alias(alias=alias, target=target, user=request.user, reason=reason),
            )
        return None


@admin.register(models.OrganizationAlias)
class OrganizationAliasAdmin(AliasAdmin):
    target_field = "organization"


@admin.register(models.LicenseAlias)
class LicenseAliasAdmin(AliasAdmin):
    target_field = "license"
    list_display = ["raw", "target", "license_kind", "needs_review", "first_seen"]
    list_filter = ["needs_review", "license__kind"]

    @admin.display(description="kind", ordering="license__kind")
    def license_kind(self, alias: models.LicenseAlias) -> str:
        return alias.license.get_kind_display()


@admin.register(models.ModelAlias)
class ModelAliasAdmin(AliasAdmin):
    target_field = "model"


class OrganizationAliasInline(admin.TabularInline):
    model = models.OrganizationAlias
    extra = 0
    fields = ["raw", "needs_review"]


class LicenseAliasInline(admin.TabularInline):
    model = models.LicenseAlias
    extra = 0
    fields = ["raw", "needs_review"]


class ModelAliasInline(admin.TabularInline):
    model = models.ModelAlias
    extra = 0
    fields = ["raw", "needs_review"]


# --- organisations and licenses ------------------------------------------------------------


class EntityAdmin(RowReviewMixin, CuratedAdmin):
    """Shared by organisations and licenses: counts without N+1, review and merge actions."""

    row_reviews = {"reviewed": ("Reviewed", curation.mark_reviewed)}

    search_fields = ["name", "aliases__raw"]
    actions = ["mark_reviewed", "merge_into"]
    merge_service: Any

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # One query for the whole page: counts are annotations, not a query per row.
        return (
            super()
            .get_queryset(request)
            .annotate(
                model_count=Count("models", distinct=True),
                alias_count=Count("aliases", distinct=True),
            )
        )

    @admin.display(description="models", ordering="model_count")
    def models_link(self, entity: Any) -> SafeString:
        return changelist_link(
            models.AIModel,
            str(entity.model_count),
            **{f"{self.model._meta.model_name}__id__exact": entity.pk},
        )

    @admin.display(description="aliases", ordering="alias_count")
    def aliases_count(self, entity: Any) -> int:
        return entity.alias_count

    @admin.action(description="Mark reviewed", permissions=["change"])
    def mark_reviewed(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        _count_message(
            request, curation.mark_reviewed(queryset, user=request.user), "marked reviewed"
        )

    @admin.action(description="Merge into…", permissions=["change", "delete"])
    def merge_into(self, request: HttpRequest, queryset: QuerySet[Any]) -> TemplateResponse | None:
        field = models.AIModel._meta.get_field(self.model._meta.model_name)
        chosen = choose_target(
            self,
            request,
            queryset,
            field=field,
            title="Merge into another entry",
            explanation=(
                "The selected entries are folded into the one you choose: their aliases and "
                "models move over, their names become aliases, then they are deleted."
            ),
        )
        if isinstance(chosen, TemplateResponse):
            return chosen
        target, reason = chosen
        for source in queryset.exclude(pk=target.pk):
            result = type(self).merge_service(
                source=source, target=target, user=request.user, reason=reason
            )
            messages.success(
                request,
                f"Merged {result.removed!r} into {result.kept!r}: {result.moved_aliases} aliases, "
                f"{result.moved_models} models moved.",
            )
        return None


@admin.register(models.Organization)
class OrganizationAdmin(EntityAdmin):
    list_display = ["name", "url", "models_link", "aliases_count", "needs_review"]
    list_filter = ["needs_review"]
    inlines = [OrganizationAliasInline]
    merge_service = staticmethod(curation.merge_organizations)


@admin.register(models.License)
class LicenseAdmin(EntityAdmin):
    list_display = ["name", "kind", "url", "models_link", "aliases_count", "needs_review"]
    list_editable = ["kind"]
    list_filter = ["kind", "needs_review"]
    inlines = [LicenseAliasInline]
    merge_service = staticmethod(curation.merge_licenses)
    actions = [
        "mark_reviewed",
        "merge_into",
        "set_kind_proprietary",
        "set_kind_open_restricted",
        "set_kind_open_permissive",
        "set_kind_osi",
    ]

    def _set_kind(self, request: HttpRequest, queryset: QuerySet[Any], kind: str) -> None:
        with transaction.atomic():
            licenses = list(queryset)
            for license_ in licenses:
                license_.kind = kind
                license_._history_user = request.user
                license_._change_reason = f"kind set to {Kind(kind).label}"
                license_.save(update_fields=["kind", "updated_at"])
            transaction.on_commit(cache_keys.bump)
        _count_message(request, len(licenses), f"set to {Kind(kind).label}")

    @admin.action(description="Set kind: proprietary", permissions=["change"])
    def set_kind_proprietary(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._set_kind(request, queryset, Kind.PROPRIETARY)

    @admin.action(description="Set kind: open weights with restrictions", permissions=["change"])
    def set_kind_open_restricted(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._set_kind(request, queryset, Kind.OPEN_RESTRICTED)

    @admin.action(description="Set kind: open weights, permissive", permissions=["change"])
    def set_kind_open_permissive(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._set_kind(request, queryset, Kind.OPEN_PERMISSIVE)

    @admin.action(description="Set kind: OSI open source", permissions=["change"])
    def set_kind_osi(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._set_kind(request, queryset, Kind.OSI)


# --- models --------------------------------------------------------------------------------


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
    list_display = [
        "name",
        "key",
        "organization",
        "license",
        "license_kind",
        "open_weights",
        "deprecated",
        "entry_count",
        "review_reason",
    ]
    list_filter = [
        "needs_review",
        ReviewReasonFilter,
        "license__kind",
        ("organization", admin.RelatedOnlyFieldListFilter),
        "open_weights",
        "deprecated",
    ]
    list_select_related = ["organization", "license"]
    search_fields = ["name", "key", "aliases__raw"]
    autocomplete_fields = ["organization", "license"]
    readonly_fields = ["upstream_organization", "upstream_license", "boards", "created_at"]
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
                    "deprecated",
                    "preliminary_override",
                    "notes",
                ]
            },
        ),
        (
            "What upstream says",
            {"fields": ["needs_review", "upstream_organization", "upstream_license", "boards"]},
        ),
        ("Audit", {"fields": ["change_reason", "created_at"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[models.AIModel]:
        queryset = super().get_queryset(request).annotate(entry_total=Count("entries"))
        return curation.models_with_review_reasons(queryset)

    def get_urls(self) -> list[URLPattern]:
        review = path(
            "review/",
            self.admin_site.admin_view(self.review_queue_view),
            name="leaderboard_review_queue",
        )
        return [review, *super().get_urls()]

    @admin.display(description="license kind", ordering="license__kind")
    def license_kind(self, model: models.AIModel) -> str:
        return model.license.get_kind_display() if model.license else "—"

    @admin.display(description="rows", ordering="entry_total")
    def entry_count(self, model: models.AIModel) -> int:
        return model.entry_total  # type: ignore[attr-defined]

    @admin.display(description="review")
    def review_reason(self, model: models.AIModel) -> str:
        if not model.needs_review:
            return ""
        reasons = []
        if getattr(model, "org_disagrees", False):
            reasons.append(f"upstream organisation {model.upstream_organization!r}")
        if getattr(model, "license_disagrees", False):
            reasons.append(f"upstream license {model.upstream_license!r}")
        return "; ".join(reasons) if reasons else "new or uncertain name"

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
        _count_message(request, curation.accept_upstream(queryset, user=request.user), "accepted")

    @admin.action(description="Dismiss: curated values stand", permissions=["change"])
    def dismiss_review(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        count = curation.dismiss_model_reviews(queryset, user=request.user)
        _count_message(request, count, "dismissed")

    @admin.action(description="Mark deprecated", permissions=["change"])
    def mark_deprecated(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            changed = list(queryset.filter(deprecated=False))
            for model in changed:
                model.deprecated = True
                model._history_user = request.user
                model._change_reason = "marked deprecated"
                model.save(update_fields=["deprecated", "updated_at"])
            transaction.on_commit(cache_keys.bump)
        _count_message(request, len(changed), "marked deprecated")

    @admin.action(
        description="Merge into… (a duplicate a rename created)",
        permissions=["change", "delete"],
    )
    def merge_into(self, request: HttpRequest, queryset: QuerySet[Any]) -> TemplateResponse | None:
        chosen = choose_target(
            self,
            request,
            queryset,
            field=models.ModelAlias._meta.get_field("model"),
            title="Merge models",
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
                    source=source, target=target, user=request.user, reason=reason
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
        counts = curation.review_counts()
        flagged = {"needs_review__exact": 1}
        queues = [
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


# --- the admin index shows the review counts -----------------------------------------------

_site_index = admin.site.index


def _index_with_review_counts(
    request: HttpRequest, extra_context: dict[str, Any] | None = None
) -> HttpResponse:
    """The admin index plus the review queue's counts, for those who can act on it."""
    context = dict(extra_context or {})
    if request.user.has_perm("leaderboard.view_aimodel"):
        counts = curation.review_counts()
        context["review_counts"] = counts
        context["review_total"] = sum(counts.values())
        context["review_url"] = reverse("admin:leaderboard_review_queue")
    return _site_index(request, extra_context=context)


# AdminSite.get_urls() reads ``self.index`` when the URLconf loads (after autodiscovery).
admin.site.index = _index_with_review_counts  # type: ignore[method-assign]
