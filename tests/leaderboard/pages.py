"""Helpers for reading the public pages in tests."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client


def export_json(client: Client, query: str = "", path: str = "/text/overall/") -> Any:
    """The JSON export of ``path`` with ``query`` (which starts with ``?`` when given)."""
    response = client.get(f"{path}export.json{query}")
    assert response.status_code == 200
    return json.loads(response.content)
