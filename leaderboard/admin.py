"""Admin registrations. Curation workflows (review queue, merges, audit) build on these."""

from __future__ import annotations

from django.contrib import admin

from . import models


class OrganizationAliasInline(admin.TabularInline):
    model = models.OrganizationAlias
    extra = 0


class LicenseAliasInline(admin.TabularInline):
    model = models.LicenseAlias
    extra = 0


class ModelAliasInline(admin.TabularInline):
    model = models.ModelAlias
    extra = 0


@admin.register(models.Leaderboard)
class LeaderboardAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "metric", "display_order", "current_snapshot"]
    list_filter = ["arena", "style_control", "metric"]
    search_fields = ["arena", "category", "name"]
    raw_id_fields = ["current_snapshot"]


@admin.register(models.Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "needs_review"]
    list_filter = ["needs_review"]
    search_fields = ["name", "aliases__raw"]
    inlines = [OrganizationAliasInline]


@admin.register(models.License)
class LicenseAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "needs_review"]
    list_filter = ["kind", "needs_review"]
    search_fields = ["name", "aliases__raw"]
    inlines = [LicenseAliasInline]


@admin.register(models.AIModel)
class AIModelAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "organization", "license", "needs_review", "deprecated"]
    list_filter = ["needs_review", "deprecated", "license__kind"]
    search_fields = ["name", "key", "aliases__raw"]
    autocomplete_fields = ["organization", "license"]
    inlines = [ModelAliasInline]


@admin.register(models.Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["slug", "format", "url", "enabled", "last_revision"]
    list_filter = ["enabled", "format"]


@admin.register(models.ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "status", "trigger", "format", "origin", "board_key"]
    list_filter = ["status", "trigger", "format"]
    search_fields = ["origin", "reason", "board_key"]
    raw_id_fields = ["payload", "source", "forced_by"]
    date_hierarchy = "started_at"


@admin.register(models.Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ["leaderboard", "published_on", "source", "row_count", "imported_at"]
    list_filter = ["leaderboard", "source"]
    date_hierarchy = "published_on"
    raw_id_fields = ["import_run"]


@admin.register(models.Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ["snapshot", "rank", "model", "score", "votes", "preliminary"]
    list_select_related = ["snapshot__leaderboard", "model"]
    search_fields = ["raw_model", "model__name"]
    raw_id_fields = ["snapshot", "model"]


@admin.register(models.RawPayload)
class RawPayloadAdmin(admin.ModelAdmin):
    list_display = ["origin", "sha256", "size", "fetched_at"]
    search_fields = ["origin", "sha256"]
    exclude = ["compressed"]


admin.site.register(models.Heartbeat)
