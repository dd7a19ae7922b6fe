"""Small, total helpers for turning upstream cells into clean values. Shared by every adapter."""

from __future__ import annotations

import html
import math
import re
from urllib.parse import urlsplit

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"[-+]?\d[\d,\s]*(?:\.\d+)?|[-+]?\.\d+")


def strip_html(text: str) -> str:
    """Remove tags, unescape entities and fold white space. Never raises."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", text))).strip()


def safe_url(url: str | None) -> str:
    """Return the URL if it is absolute ``http(s)`` with a host, else ``""``."""
    if not url:
        return ""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return ""
    return url


def parse_int(value: object) -> int | None:
    """``"3,298"``, ``3298.0``, ``"3 298"`` → 3298; blanks, NaN and junk → None."""
    number = parse_float(value)
    if number is None:
        return None
    return round(number)


def parse_float(value: object) -> float | None:
    """First number in ``value`` (thousands separators allowed); None when there is none."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # an int too large for a float
            return None
        return number if math.isfinite(number) else None
    match = _NUMBER.search(str(value))
    if not match:
        return None
    try:
        number = float(re.sub(r"[,\s]", "", match.group()))
    except ValueError:
        return None
    return number if math.isfinite(number) else None
