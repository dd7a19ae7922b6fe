"""Small, total helpers for turning upstream cells into clean values. Shared by every adapter."""

from __future__ import annotations

import csv
import datetime as dt
import html
import math
import re
from urllib.parse import urlsplit

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"[-+]?\d[\d,\s]*(?:\.\d+)?|[-+]?\.\d+")
_ASYMMETRIC_CI = re.compile(r"^\s*\+\s*(\d+(?:\.\d+)?)\s*/\s*-\s*(\d+(?:\.\d+)?)\s*$")
_SYMMETRIC_CI = re.compile(r"^\s*±\s*(\d+(?:\.\d+)?)\s*$")


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


def interval_bounds(score: float, ci: str) -> tuple[float | None, float | None]:
    """``+a/-b`` → (score - b, score + a); ``±w`` → (score - w, score + w); else (None, None)."""
    if match := _ASYMMETRIC_CI.match(ci):
        return score - float(match[2]), score + float(match[1])
    if match := _SYMMETRIC_CI.match(ci):
        return score - float(match[1]), score + float(match[1])
    return None, None


def calendar_date(year: str, month: str, day: str) -> dt.date | None:
    """A date from matched digits, or None when they name no real day (2025-02-30)."""
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def csv_header(data: bytes) -> list[str] | None:
    """The first CSV record of ``data`` (for sniffing), or None when it is not UTF-8 CSV text."""
    first_line = data[:4096].split(b"\n", 1)[0]
    try:
        return next(csv.reader([first_line.decode("utf-8-sig")]), [])
    except (UnicodeDecodeError, csv.Error):
        return None
