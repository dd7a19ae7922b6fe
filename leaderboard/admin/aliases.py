"""The raw upstream strings and what they map to, with the review queue's decisions on them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.safestring import SafeString

from .. import models
from ..services import curation
from .curation import (
    CuratedAdmin,
    acting_user,
    admin_link,
    choose_target,
    count_message,
    foreign_key,
)
from .review import RowReviewMixin


class AliasAdmin(RowReviewMixin, CuratedAdmin):
    """The raw strings imports saw. Review actions: accept, map to existing, dismiss."""

    row_reviews = {
        "accept": ("Accept", curation.accept_aliases),
        "dismiss": ("Dismiss", curation.dismiss_aliases),
    }

    target_field: str
    list_display = ["raw", "target", "review_state", "first_seen"]
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
        count_message(
            request, curation.accept_aliases(queryset, user=acting_user(request)), "accepted"
        )

    @admin.action(description="Dismiss from the review queue", permissions=["change"])
    def dismiss(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        count_message(
            request, curation.dismiss_aliases(queryset, user=acting_user(request)), "dismissed"
        )

    @admin.action(description="Map to an existing entry…", permissions=["change"])
    def map_to_existing(
        self, request: HttpRequest, queryset: QuerySet[Any]
    ) -> TemplateResponse | None:
        field = foreign_key(self.model, self.target_field)
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
                curation.map_alias(
                    alias=alias, target=target, user=acting_user(request), reason=reason
                ),
            )
        return None


@admin.register(models.OrganizationAlias)
class OrganizationAliasAdmin(AliasAdmin):
    target_field = "organization"


@admin.register(models.LicenseAlias)
class LicenseAliasAdmin(AliasAdmin):
    target_field = "license"
    list_display = ["raw", "target", "license_kind", "review_state", "first_seen"]
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
