"""``{% freshness_banner %}``: stale boards and failing sources, for the admin index."""

from __future__ import annotations

from typing import Any

from django import template

from .. import freshness

register = template.Library()


@register.inclusion_tag("admin/leaderboard/freshness_banner.html")
def freshness_banner() -> dict[str, Any]:
    return {"problems": freshness.problems()}
