"""Curation: canonical organisations, licenses and models with the upstream aliases that map
to them."""

from __future__ import annotations

from django.contrib import admin

from .. import models


class OrganizationAliasInline(admin.TabularInline):
    model = models.OrganizationAlias
    extra = 0


class LicenseAliasInline(admin.TabularInline):
    model = models.LicenseAlias
    extra = 0


class ModelAliasInline(admin.TabularInline):
    model = models.ModelAlias
    extra = 0


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
