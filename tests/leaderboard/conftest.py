"""Fixtures shared by the page, filter, export and cache tests of the app."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import translation

from leaderboard import history
from tests.paths import SEED


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Every test starts with an empty page cache and timeline index: what one test rendered
    or read is not another's (the copies held beside a shared cache: ``tests/conftest.py``)."""
    cache.clear()
    history.places.forget()


@pytest.fixture(autouse=True)
def _default_language() -> None:
    """Every test starts in the default language: a request under ``/zh-hans/`` leaves Chinese
    active on the thread, and ``reverse`` or ``gettext`` in the next test would follow it."""
    translation.deactivate()


@pytest.fixture
def seed() -> None:
    """The seed page (2025-11-18, 266 rows) published on text/overall through the command."""
    call_command("import_leaderboard", str(SEED), stdout=io.StringIO())
