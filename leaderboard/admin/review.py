"""One-click review buttons on each flagged row of a curation changelist.

The bulk actions need a tick, a menu and "Go" per decision; a queue of a thousand new names
needs one click each. The buttons sit inside the changelist's own form and post it (CSRF
token included) to their own URL through ``formaction``: no script, no nested form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

# verb in the URL → (button label, service taking the one-row queryset and the user)
RowReviews = dict[str, tuple[str, Callable[..., int]]]


def review_badge(*, waiting: bool, text: str = "") -> SafeString:
    """ "needs review" (or why it waits) in amber, "reviewed" in green; styled in admin.css."""
    if waiting:
        return format_html('<span class="review-badge waiting">{}</span>', text or "needs review")
    return format_html('<span class="review-badge reviewed">{}</span>', "reviewed")


class RowReviewMixin:
    """For a ModelAdmin whose rows have ``needs_review``: a "decide" column and its URLs.

    A plain mixin, so the ``type: ignore``s below mark the ModelAdmin attributes it uses
    (``model``, ``admin_site``, the permission checks): typing it as a ModelAdmin subclass
    conflicts with django-simple-history's untyped admin in the subclasses' bases.
    """

    row_reviews: RowReviews

    def get_urls(self) -> list[URLPattern]:
        opts = self.model._meta  # type: ignore[attr-defined]
        review = path(
            "<int:object_id>/review/<slug:verb>/",
            self.admin_site.admin_view(require_POST(self.row_review_view)),  # type: ignore[attr-defined]
            name=f"{opts.app_label}_{opts.model_name}_row_review",
        )
        return [review, *super().get_urls()]  # type: ignore[misc]

    def get_list_display(self, request: HttpRequest) -> list[str]:
        shown = list(super().get_list_display(request))  # type: ignore[misc]
        # Not beside editable cells: a button posts the form elsewhere and would silently drop
        # the unsaved edits (the bulk actions warn; a formaction cannot).
        if self.has_change_permission(request) and not self.list_editable:  # type: ignore[attr-defined]
            shown.append("decide")
        return shown

    @admin.display(description="review", ordering="needs_review")
    def review_state(self, obj: Any) -> SafeString:
        """Said in words: Django's boolean icons put a red ✖ on "needs review: no", which
        reads as a problem on every row that is fine."""
        return review_badge(waiting=obj.needs_review)

    @admin.display(description="decide")
    def decide(self, obj: Any) -> SafeString | str:
        if not obj.needs_review:
            return ""
        opts = obj._meta
        name = f"admin:{opts.app_label}_{opts.model_name}_row_review"
        return format_html_join(
            " ",
            '<button type="submit" class="button" formaction="{}">{}</button>',
            (
                (reverse(name, args=[obj.pk, verb]), label)
                for verb, (label, _service) in self.row_reviews.items()
            ),
        )

    def row_review_view(self, request: HttpRequest, object_id: int, verb: str) -> HttpResponse:
        if verb not in self.row_reviews:
            raise Http404("no such review decision")
        if not self.has_change_permission(request):  # type: ignore[attr-defined]
            raise PermissionDenied
        row: QuerySet[Any] = self.get_queryset(request).filter(pk=object_id)  # type: ignore[attr-defined]
        obj = row.first()
        if obj is None:
            raise Http404("no such row")
        label, service = self.row_reviews[verb]
        if service(row, user=request.user):
            messages.success(request, f"{label}: {obj}")
        else:
            messages.info(request, f"{obj} was no longer waiting for review")
        return HttpResponseRedirect(self._back(request))

    def _back(self, request: HttpRequest) -> str:
        """The changelist the button was on, with its filters; never another site."""
        referer = request.headers.get("referer", "")
        if url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return referer
        opts = self.model._meta  # type: ignore[attr-defined]
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
