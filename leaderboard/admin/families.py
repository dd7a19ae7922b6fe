"""Model families and the rules that suggest them. Re-applying the rules is a call into
``services.families``; a family set by hand on a model (its admin page) is curated and wins."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from .. import models
from ..services import families
from .curation import CuratedAdmin, admin_link


def _reapply(request: HttpRequest) -> None:
    result = families.apply_family_rules()
    messages.success(
        request,
        f"Family rules re-applied: {result.assigned} models placed, {result.cleared} cleared, "
        f"{len(result.families_created)} families created. Curated assignments were left alone.",
    )


@admin.register(models.ModelFamily)
class ModelFamilyAdmin(CuratedAdmin):
    list_display = ["name", "slug", "member_count"]
    search_fields = ["name", "slug", "members__key"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["members_list"]
    fields = ["name", "slug", "members_list", "change_reason"]
    actions = ["reapply_rules"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[models.ModelFamily]:
        return super().get_queryset(request).annotate(member_total=Count("members"))

    @admin.display(description="members", ordering="member_total")
    def member_count(self, family: models.ModelFamily) -> int:
        return family.member_total  # type: ignore[attr-defined]  # get_queryset's annotation

    @admin.display(description="members")
    def members_list(self, family: models.ModelFamily) -> SafeString | str:
        members = family.members.order_by("name")
        return (
            format_html_join(
                ", ",
                "{}{}",
                ((admin_link(m), " (curated)" if m.family_curated else "") for m in members),
            )
            or "—"
        )

    @admin.action(description="Re-apply all family rules", permissions=["change"])
    def reapply_rules(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        _reapply(request)


@admin.register(models.FamilyRule)
class FamilyRuleAdmin(CuratedAdmin):
    list_display = ["pattern", "syntax", "family", "order", "enabled", "note"]
    list_editable = ["order", "enabled"]
    list_filter = ["enabled", "syntax"]
    search_fields = ["pattern", "note", "family__name"]
    autocomplete_fields = ["family"]
    actions = ["reapply_rules"]

    def get_urls(self) -> list[URLPattern]:
        reapply = path(
            "reapply/",
            self.admin_site.admin_view(require_POST(self.reapply_view)),
            name="leaderboard_familyrule_reapply",
        )
        return [reapply, *super().get_urls()]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra = {"can_reapply": self.has_change_permission(request)}
        return super().changelist_view(request, extra | (extra_context or {}))

    def reapply_view(self, request: HttpRequest) -> HttpResponse:
        """The list's "Re-apply all rules" button: no rows to tick for a whole-table job."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        _reapply(request)
        return HttpResponseRedirect(reverse("admin:leaderboard_familyrule_changelist"))

    @admin.action(description="Re-apply all family rules", permissions=["change"])
    def reapply_rules(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        _reapply(request)
