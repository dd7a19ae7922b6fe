"""Cloudflare's challenge, recognised once for the HTTP client, the fetch and the adapters."""

from __future__ import annotations

import pytest

from leaderboard.upstream import CHALLENGE_HEAD_BYTES, is_challenge_body, is_challenge_response

MANAGED = b"<html><head><title>Just a moment...</title></head><body></body></html>"
BLOCKED = b"<html><head><title>Attention Required! | Cloudflare</title></head></html>"
OPTIONS = b"<script>(function(){window._cf_chl_opt={cvId: '3'}})();</script>"
WIDGET = b'<div id="cf-chl-widget-a1b2"></div>'
ORCHESTRATE = b'<script src="/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1"></script>'
BOT_SCRIPT = b"<script>a.src='/cdn-cgi/challenge-platform/scripts/jsd/main.js'</script>"


@pytest.mark.parametrize("body", [MANAGED, BLOCKED, OPTIONS, WIDGET, ORCHESTRATE])
def test_every_challenge_marker_is_recognised(body: bytes) -> None:
    assert is_challenge_body(body)
    assert is_challenge_body(body.upper())  # markers are matched ignoring case


@pytest.mark.parametrize(
    "body",
    [
        BOT_SCRIPT,  # every Cloudflare-fronted page loads it, real ones too
        b"<html><head><title>Just a moment</title></head></html>",
        b'{"rows": [{"model": "gpt-5", "score": 1440}]}',
        b"",
    ],
)
def test_a_real_page_or_data_is_not_a_challenge(body: bytes) -> None:
    assert not is_challenge_body(body)


def test_only_the_head_of_a_large_body_is_searched() -> None:
    assert not is_challenge_body(b" " * CHALLENGE_HEAD_BYTES + MANAGED)
    assert is_challenge_body(b" " * (CHALLENGE_HEAD_BYTES - len(MANAGED)) + MANAGED)


def test_a_mitigated_refusal_is_a_challenge_whatever_the_header_case() -> None:
    assert is_challenge_response(403, ["Content-Type", "CF-Mitigated"])
    assert is_challenge_response(503, ["cf-mitigated"])
    assert not is_challenge_response(403, ["Content-Type"])
    assert not is_challenge_response(429, ["cf-mitigated"])
    assert not is_challenge_response(200, ["cf-mitigated"])
