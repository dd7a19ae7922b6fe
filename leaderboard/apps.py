from django.apps import AppConfig

# A module import: a second AppConfig class in this module's namespace with ``default = True``
# (as AdminConfig has) would make "leaderboard" ambiguous in INSTALLED_APPS.
from django.contrib.admin import apps as admin_apps


class LeaderboardConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "leaderboard"
    verbose_name = "Arena leaderboard"


class ArenaAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with our site (review-queue counts on the index) as default."""

    default = False
    default_site = "leaderboard.admin_site.ArenaAdminSite"
