"""Model facts from the catalogue: the curators' match rules and the facts with provenance
(conflicts with a curated value are decided here: accept the catalogue or keep curated)."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from .. import catalogue, models
from ..services import enrichment
from .curation import CuratedAdmin, CuratedForm, acting_user, count_message

_GROUP_REFERENCE = re.compile(r"\\g<(\w+)>|\\(\d+)")


class EnrichmentRuleForm(CuratedForm):
    class Meta:
        model = models.EnrichmentRule
        fields = "__all__"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        named = {part.strip() for part in cleaned.get("fields", "").split(",") if part.strip()}
        if unknown := named - set(catalogue.FACT_FIELDS):
            self.add_error(
                "fields",
                f"unknown facts {', '.join(sorted(unknown))}; "
                f"known: {', '.join(catalogue.FACT_FIELDS)}",
            )
        try:
            compiled = re.compile(cleaned.get("pattern", ""))
        except re.error as error:
            self.add_error("pattern", f"not a regular expression: {error}")
            return cleaned
        for name, number in _GROUP_REFERENCE.findall(cleaned.get("target", "")):
            group = name or number
            if group not in compiled.groupindex and not (
                group.isdigit() and int(group) <= compiled.groups
            ):
                self.add_error("target", f"the pattern has no group {group!r}")
        return cleaned


@admin.register(models.EnrichmentRule)
class EnrichmentRuleAdmin(CuratedAdmin):
    form = EnrichmentRuleForm
    list_display = ["pattern", "target", "fields", "priority", "enabled", "note"]
    list_editable = ["enabled"]
    list_filter = ["enabled"]
    search_fields = ["pattern", "target", "note"]


@admin.register(models.ModelFact)
class ModelFactAdmin(admin.ModelAdmin):
    list_display = ["model", "field", "value", "status", "reason", "source_version", "checked_on"]
    list_filter = ["status", "field", "source"]
    list_select_related = ["model"]
    search_fields = ["model__key", "model__name", "source_ref"]
    readonly_fields = [f.name for f in models.ModelFact._meta.fields]
    actions = ["accept_catalogue", "keep_curated"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # facts come from the catalogue only

    @admin.action(description="Accept the catalogue's value", permissions=["change"])
    def accept_catalogue(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        count = enrichment.accept_catalogue(queryset, user=acting_user(request))
        count_message(request, count, "accepted")

    @admin.action(description="Keep the curated value", permissions=["change"])
    def keep_curated(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        count_message(request, enrichment.keep_curated(queryset, user=acting_user(request)), "kept")
