"""The project's admin site: Django's, named after the site, with the review queue's counts
on the index page and a small stylesheet that fits the changelists at 1280 px.

Installed as the default site through ``leaderboard.apps.ArenaAdminConfig`` (in place of
``django.contrib.admin`` in ``INSTALLED_APPS``), so ``admin.site`` is this site and every
``@admin.register`` lands here. Outside the ``admin`` package on purpose: Django imports this
class while it sets up ``admin.site``, and importing the package first would register every
ModelAdmin on a site that is then replaced.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import selectors


class ArenaAdminSite(admin.AdminSite):
    site_header = _("Arena Leaderboard administration")
    site_title = _("Arena Leaderboard admin")
    index_title = _("Curation and imports")

    def index(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        """The admin index plus the review queue's counts, for those who can act on it."""
        context = dict(extra_context or {})
        if request.user.has_perm("leaderboard.view_aimodel"):
            counts = selectors.review_counts()
            context["review_counts"] = counts
            context["review_total"] = sum(counts.values())
            context["review_url"] = reverse("admin:leaderboard_review_queue")
        return super().index(request, extra_context=context)
