"""Curation in the admin, the shared part: audited edits and the "pick a target" step.

Canonical organisations, licenses and models with the upstream aliases that map to them are
curated in ``aliases``, ``entities`` and ``aimodels``; staff-only and in English (the public
site is the translated part). Every write is either a call into ``services.curation`` (merges,
review decisions and bulk edits: one transaction each, audited, caches invalidated) or a plain
admin edit, which ``CuratedAdmin`` audits (django-simple-history, with the optional "reason for
this change") and follows with ``cache_keys.bump`` once the admin's transaction commits.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import models as db
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from simple_history.admin import SimpleHistoryAdmin

from .. import cache_keys, models


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

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        # A target picker's autocomplete leaves out the entry being merged (TargetSelect).
        excluded = [pk for pk in request.GET.getlist(EXCLUDE_PARAM) if pk.isdigit()]
        if excluded and request.path == reverse(f"{self.admin_site.name}:autocomplete"):
            queryset = queryset.exclude(pk__in=excluded)
        return super().get_search_results(request, queryset, search_term)  # type: ignore[no-any-return]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        # One by one so every deletion gets its history row (a queryset delete would not).
        for obj in queryset:
            self.delete_model(request, obj)


EXCLUDE_PARAM = "exclude"
"""The autocomplete's query parameter naming entries a target picker must not offer."""


class TargetSelect(AutocompleteSelect):
    """The admin's autocomplete, told which entries to leave out (``CuratedAdmin`` reads it)."""

    def __init__(self, *args: Any, exclude: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.exclude = exclude

    def get_url(self) -> str:
        url = super().get_url()
        return (
            f"{url}?{urlencode({EXCLUDE_PARAM: self.exclude}, doseq=True)}" if self.exclude else url
        )


class TargetForm(forms.Form):
    """The second step of "merge into…" / "map to existing…": pick the entity to keep."""

    target = forms.ModelChoiceField(queryset=models.Organization.objects.none())
    reason = forms.CharField(required=False, max_length=100, label="Reason (optional)")

    def __init__(
        self,
        *args: Any,
        field: db.ForeignKey,
        admin_site: admin.AdminSite,
        exclude: list[int],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        remote = field.remote_field.model
        self.fields["target"] = forms.ModelChoiceField(
            queryset=remote._default_manager.exclude(pk__in=exclude),
            label=str(remote._meta.verbose_name).capitalize(),
            widget=TargetSelect(field, admin_site, exclude=exclude),
        )


def choose_target(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    field: db.ForeignKey,
    title: str,
    explanation: str,
    merging: bool = False,
) -> tuple[Any, str] | TemplateResponse:
    """An admin action's intermediate page. Returns (target, reason) once the form posted
    back is valid; otherwise the page (CSRF-protected form) to show.

    ``merging``: the selection is what gets merged, so a single selected entry is never
    offered (nor accepted) as its own target; of several, the one chosen keeps the rest."""
    selected = list(queryset.values_list("pk", flat=True)[:2])
    form = TargetForm(
        request.POST if "apply" in request.POST else None,
        field=field,
        admin_site=model_admin.admin_site,
        exclude=selected if merging and len(selected) == 1 else [],
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


def acting_user(request: HttpRequest) -> AbstractBaseUser:
    """The signed-in user an admin view acts for, as the services' audit trail records it.

    The admin lets no anonymous request reach a view; refused all the same, so a history row
    never names nobody."""
    if not isinstance(request.user, AbstractBaseUser):
        raise PermissionDenied
    return request.user


def foreign_key(model: type[db.Model], name: str) -> db.ForeignKey[Any, Any]:
    """``model``'s foreign key ``name`` (the target picker's autocomplete needs the field)."""
    field = model._meta.get_field(name)
    if not isinstance(field, db.ForeignKey):
        raise TypeError(f"{model.__name__}.{name} is not a foreign key")
    return field


def count_message(request: HttpRequest, count: int, text: str) -> None:
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
