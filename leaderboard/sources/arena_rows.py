"""arena.ai's entry objects (one model on one board) as rows.

Shared by the adapters that read arena.ai's own JSON: the leaderboard page's flight data
(``arena_page``) and the monitors' entry lists (``scraped_json``). The keys are described in
``arena_page``'s module docstring.
"""

from __future__ import annotations

from leaderboard.sources.base import FormatError, RowData
from leaderboard.sources.text import (
    parse_float,
    parse_int,
    parse_price,
    parse_token_count,
    safe_url,
)


def entry_row(entry: object, position: int) -> RowData:
    """One arena.ai ``entries`` object as a ``RowData``; raises ``FormatError`` when broken.

    ``position`` (1-based) only names the entry in the error message.
    """
    if not isinstance(entry, dict):
        raise FormatError(f"entry {position} is not an object")
    name = entry.get("modelDisplayName")
    if not isinstance(name, str) or not name.strip():
        raise FormatError(f"entry {position} has no modelDisplayName")
    name = " ".join(name.split())
    score = parse_float(entry.get("rating"))
    if score is None:
        raise FormatError(f"entry {position} ({name}) has no numeric rating")
    flags = (entry.get("isPreliminary"), entry.get("preliminary"))
    preliminary = next((flag for flag in flags if isinstance(flag, bool)), None)
    url = entry.get("modelUrl")
    return RowData(
        model=name,
        score=score,
        rating_lower=parse_float(entry.get("ratingLower")),
        rating_upper=parse_float(entry.get("ratingUpper")),
        votes=parse_int(entry.get("votes")),
        organization=_text(entry.get("modelOrganization")),
        license=_text(entry.get("license")),
        model_key=_text(entry.get("modelKey")),
        rank=parse_int(entry.get("rank")),
        rank_upper=parse_int(entry.get("rankUpper")),
        rank_lower=parse_int(entry.get("rankLower")),
        preliminary=preliminary,
        url=safe_url(url if isinstance(url, str) else None),
        price_input=parse_price(entry.get("inputPricePerMillion")),
        price_output=parse_price(entry.get("outputPricePerMillion")),
        context_tokens=parse_token_count(entry.get("contextLength")),
    )


def _text(value: object) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""
