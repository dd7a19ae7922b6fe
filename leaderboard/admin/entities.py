"""Organisations and licenses: counts without N+1, review, merge and a license's kind."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.safestring import SafeString

from .. import models
from ..services import curation, identity
from .aliases import LicenseAliasInline, OrganizationAliasInline
from .curation import (
    CuratedAdmin,
    CuratedForm,
    acting_user,
    changelist_link,
    choose_target,
    count_message,
    foreign_key,
)
from .review import RowReviewMixin

Kind = models.License.Kind


class EntityAdmin(RowReviewMixin, CuratedAdmin):
    """Shared by organisations and licenses: counts without N+1, review and merge actions."""

    row_reviews = {"reviewed": ("Reviewed", curation.mark_reviewed)}

    search_fields = ["name", "aliases__raw"]
    actions = ["mark_reviewed", "merge_into"]
    merge_service: Any

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # One query for the whole page: counts are annotations, not a query per row. Ordered
        # explicitly: a GROUP BY drops Meta.ordering, and the merge target picker's
        # autocomplete paginates this queryset (unordered pages repeat or skip entries).
        return (
            super()
            .get_queryset(request)
            .annotate(
                model_count=Count("models", distinct=True),
                alias_count=Count("aliases", distinct=True),
            )
            .order_by("name", "pk")
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
        count_message(
            request, curation.mark_reviewed(queryset, user=acting_user(request)), "marked reviewed"
        )

    @admin.action(description="Merge into…", permissions=["change", "delete"])
    def merge_into(self, request: HttpRequest, queryset: QuerySet[Any]) -> TemplateResponse | None:
        field = foreign_key(models.AIModel, self.model._meta.model_name)
        chosen = choose_target(
            self,
            request,
            queryset,
            field=field,
            title="Merge into another entry",
            merging=True,
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
                source=source, target=target, user=acting_user(request), reason=reason
            )
            messages.success(
                request,
                f"Merged {result.removed!r} into {result.kept!r}: {result.moved_aliases} aliases, "
                f"{result.moved_models} models moved.",
            )
        return None


@admin.register(models.Organization)
class OrganizationAdmin(EntityAdmin):
    list_display = ["name", "url", "models_link", "aliases_count", "review_state"]
    list_filter = ["needs_review"]
    inlines = [OrganizationAliasInline]
    merge_service = staticmethod(curation.merge_organizations)


@admin.register(models.License)
class LicenseAdmin(EntityAdmin):
    list_display = ["name", "kind", "url", "models_link", "aliases_count", "review_state"]
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

    def _set_kind(self, request: HttpRequest, queryset: QuerySet[Any], kind: Kind) -> None:
        count = curation.set_license_kind(queryset, kind=kind, user=acting_user(request))
        count_message(request, count, f"set to {kind.label}")

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


class OrganizationDomainForm(CuratedForm):
    class Meta:
        model = models.OrganizationDomain
        fields = ["domain", "organization"]

    def clean_domain(self) -> str:
        domain = identity.normalize_domain(self.cleaned_data["domain"])
        if "." not in domain.split("/", 1)[0]:
            raise ValidationError("Give a host such as anthropic.com or huggingface.co/qwen.")
        return domain


@admin.register(models.OrganizationDomain)
class OrganizationDomainAdmin(CuratedAdmin):
    """The domain → organisation rules that fill a model's blank organisation from its link."""

    form = OrganizationDomainForm
    list_display = ["domain", "organization"]
    search_fields = ["domain", "organization__name"]
    autocomplete_fields = ["organization"]

    def save_model(
        self, request: HttpRequest, obj: Any, form: forms.ModelForm, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        filled = identity.fill_organizations_from_domains()
        if filled:
            messages.info(request, f"{filled} model(s) without an organisation now have one.")
