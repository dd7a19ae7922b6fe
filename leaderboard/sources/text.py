"""Small helpers for turning upstream cells into clean values: text, numbers, dates, slugs and
confidence intervals. Shared by every adapter; total unless a docstring says otherwise."""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Literal
from urllib.parse import urlsplit

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"[-+]?\d[\d,\s]*(?:\.\d+)?|[-+]?\.\d+")
_PLAIN_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d+)?|\.\d+)")
"""A cell that is one number and nothing else (most CSV cells): ``float`` reads it as is."""
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")

# The interval dialects of ``interval_bounds``.
_CELL_ASYMMETRIC = re.compile(r"^\s*\+\s*(\d+(?:\.\d+)?)\s*/\s*-\s*(\d+(?:\.\d+)?)\s*$")
_CELL_SYMMETRIC = re.compile(r"^\s*±\s*(\d+(?:\.\d+)?)\s*$")
_TABLE_ASYMMETRIC = re.compile(r"\+\s*(\d+(?:\.\d+)?)\s*/\s*[-\u2212]\s*(\d+(?:\.\d+)?)")
_MD_NUMBER = r"\d[\d,]*(?:\.\d+)?"
_MD_SYMMETRIC = re.compile(rf"\(?\s*±\s*({_MD_NUMBER})\s*%?\s*\)?")
_MD_ASYMMETRIC = re.compile(
    rf"\(?\s*\+{{1,2}}\s*({_MD_NUMBER})\s*%?\s*/\s*-{{1,2}}\s*({_MD_NUMBER})\s*%?\s*\)?"
)

IntervalDialect = Literal["cell", "table", "markdown"]

# Prices: dollars per million tokens, kept to 1/10,000 of a cent-per-million (the
# Entry fields' precision); context windows: tokens, with K/M suffixes read as 10^3/10^6.
PRICE_PLACES = Decimal("0.0001")
MAX_PRICE = Decimal("100000")
MAX_CONTEXT_TOKENS = 100_000_000
_MONEY = re.compile(r"^\s*(?:US)?\$?\s*(\d[\d,]*(?:\.\d+)?|\.\d+)\s*(?:USD)?\s*$", re.IGNORECASE)
_TOKENS = re.compile(r"^\s*(\d[\d,]*(?:\.\d+)?)\s*([kmb]?)\s*(?:tokens?)?\s*$", re.IGNORECASE)
_TOKEN_SCALE = {"": 1, "k": 1_000, "m": 1_000_000, "b": 1_000_000_000}


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
    text = str(value)
    if _PLAIN_NUMBER.fullmatch(text):
        number = float(text)
        return number if math.isfinite(number) else None
    match = _NUMBER.search(text)
    if not match:
        return None
    try:
        number = float(re.sub(r"[,\s]", "", match.group()))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def interval_bounds(
    score: float, ci: str, *, dialect: IntervalDialect = "cell"
) -> tuple[float | None, float | None]:
    """Absolute bounds ``(score - minus, score + plus)`` from a confidence-interval text, or
    ``(None, None)`` when the text holds none. Each upstream writes intervals its own way:

    - ``cell`` (CSV and Gradio cells): the whole text is ``+a/-b`` or ``±w``.
    - ``table`` (arena.ai's rendered table): ``+a/-b`` anywhere (``−`` for the minus too),
      else the text's first number is a symmetric width, with or without ``±``.
    - ``markdown`` (the daily markdown page): ``±w`` or ``+a/-b`` anywhere, signs possibly
      doubled (``++9/--9``), in parentheses, with ``%`` and thousands separators. Raises
      ValueError when a width is not a finite number (the only dialect that raises).
    """
    match dialect:
        case "cell":
            if match := _CELL_ASYMMETRIC.match(ci):
                return score - float(match[2]), score + float(match[1])
            if match := _CELL_SYMMETRIC.match(ci):
                return score - float(match[1]), score + float(match[1])
            return None, None
        case "table":
            if match := _TABLE_ASYMMETRIC.search(ci):
                return score - float(match[2]), score + float(match[1])
            width = parse_float(ci.replace("±", " "))
            if width is None:
                return None, None
            return score - abs(width), score + abs(width)
        case "markdown":
            if match := _MD_ASYMMETRIC.search(ci):
                plus, minus = _finite_width(match[1]), _finite_width(match[2])
                return score - minus, score + plus
            if match := _MD_SYMMETRIC.search(ci):
                width = _finite_width(match[1])
                return score - width, score + width
            return None, None


def _finite_width(text: str) -> float:
    width = parse_float(text)
    if width is None:
        raise ValueError(f"{text[:40]!r} is not a finite number")
    return width


def slug(text: str) -> str:
    """``"💬 Language"`` → ``language``, ``"Hard Prompts"`` / ``hard_prompts`` → ``hard-prompts``:
    lower-case ASCII letters and digits joined by single hyphens; ``""`` when none are left."""
    return _SLUG_JUNK.sub("-", text.lower()).strip("-")


def calendar_date(year: str, month: str, day: str) -> dt.date | None:
    """A date from matched digits, or None when they name no real day (2025-02-30)."""
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def parse_price(value: object) -> Decimal | None:
    """One price in $ per million tokens: ``"$1.25"``, ``"2.5"``, ``10``, ``0.075`` → a Decimal
    to 4 places; blanks, ``N/A``, ``—``, negatives, other currencies and junk → None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if not math.isfinite(value):
            return None
        text = repr(value)
    elif isinstance(value, str):
        match = _MONEY.match(value)
        if not match:
            return None
        text = match.group(1).replace(",", "")
    else:
        return None
    try:
        price = Decimal(text).quantize(PRICE_PLACES)
    except (InvalidOperation, ValueError):
        return None
    return price if Decimal(0) <= price <= MAX_PRICE else None


def parse_price_pair(text: str) -> tuple[Decimal | None, Decimal | None]:
    """An "input / output" price cell: ``"$5/$25"``, ``"$1.25 / $10"`` → (5, 25); each side
    on its own, so ``"$3 / —"`` → (3, None); a cell without a slash names neither side."""
    if "/" not in text:
        return None, None
    first, _, second = strip_html(text).partition("/")
    return parse_price(first), parse_price(second)


def parse_token_count(value: object) -> int | None:
    """A context window in tokens: ``"128K"`` → 128000, ``"1.1M"`` → 1100000, ``"131,072"``,
    ``200000``; blanks, ``N/A``, ``—``, zero and junk → None. K and M are decimal (upstream
    writes 131072 as ``131.1K``), so a suffixed value is upstream's rounding, not exact."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value) if math.isfinite(value) else 0.0
    elif isinstance(value, str):
        match = _TOKENS.match(strip_html(value))
        if not match:
            return None
        try:
            number = float(match.group(1).replace(",", "")) * _TOKEN_SCALE[match.group(2).lower()]
        except ValueError:
            return None
    else:
        return None
    tokens = round(number)
    return tokens if 0 < tokens <= MAX_CONTEXT_TOKENS else None
