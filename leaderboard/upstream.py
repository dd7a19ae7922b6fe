"""What upstream sends instead of data: Cloudflare's bot challenge, recognised in one place.

Pure (no Django, no network). The HTTP client reads the response's headers, the fetch service
and the arena.ai adapter read the body, and all three ask these two functions, so "is this a
challenge" has one answer everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# The interstitial's title, its options object or its widget; a challenge-platform path other
# than the bot-detection script that every Cloudflare-fronted page (a real one too) loads.
_CHALLENGE_BODY = re.compile(
    rb"<title>\s*(?:just a moment\.\.\.|attention required! \| cloudflare)\s*</title>"
    rb"|cf_chl_opt|cf-chl|challenge-platform/(?!scripts/jsd/)",
    re.IGNORECASE,
)
CHALLENGE_HEAD_BYTES = 200_000
"""Only the head is searched: the markers sit in ``<head>``, and a big body is data."""


def is_challenge_body(body: bytes) -> bool:
    """True when the head of ``body`` is Cloudflare's challenge page (whatever the status).

    Total: never raises; a page that merely loads Cloudflare's bot-detection script is not a
    challenge."""
    return _CHALLENGE_BODY.search(body[:CHALLENGE_HEAD_BYTES]) is not None


def is_challenge_response(status: int, header_names: Iterable[str]) -> bool:
    """True for a 403 or 503 that Cloudflare marks as mitigated (a ``cf-mitigated`` header)."""
    return status in {403, 503} and "cf-mitigated" in {name.lower() for name in header_names}
