"""Cache keys that change when the data does, so nothing stale is ever served.

Page and export caches are keyed by snapshot id (a new import means a new key). What lists
boards (the navigator) is keyed by a version number bumped after each published import.
"""

from __future__ import annotations

from django.core.cache import cache

BOARDS_VERSION_KEY = "boards:version"


def boards_version() -> int:
    return int(cache.get_or_set(BOARDS_VERSION_KEY, 1, timeout=None))


def bump_boards() -> None:
    """Call after commit of a publish; safe from any process (atomic incr where supported)."""
    try:
        cache.incr(BOARDS_VERSION_KEY)
    except ValueError:
        cache.set(BOARDS_VERSION_KEY, 2, timeout=None)
