from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from leaderboard import api
from leaderboard.views import healthz, readyz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    # Outside i18n_patterns: one URL and one body per resource, in English.
    path("api/v1/", api.urls()),
]
# English at /text/overall/, Simplified Chinese at /zh-hans/text/overall/: a language is part
# of the shareable URL, and the pages stay cacheable without Vary: Cookie.
urlpatterns += i18n_patterns(path("", include("leaderboard.urls")), prefix_default_language=False)
