"""HTTP for the API: problem details, validators with 304, the answer cache, the rate limit.

Every answer is bytes built once per data version and cached under a key made of the
version, the path and the validated parameters; its ETag is that key, so a conditional
request costs one query (the version) and no rendering.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import threading
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from ninja.throttling import SimpleRateThrottle
from pydantic import BaseModel

from leaderboard import cache_keys

from .schemas import ParameterError, Problem

JSON_TYPE = "application/json"
PROBLEM_TYPE = "application/problem+json"


def problem(status: int, detail: str = "", errors: Iterable[ParameterError] = ()) -> HttpResponse:
    """An RFC 9457 problem answer. Never stored by caches: the next try may succeed."""
    body = Problem(
        title=HTTPStatus(status).phrase, status=status, detail=detail, errors=list(errors)
    )
    response = HttpResponse(dumps(body), status=status, content_type=PROBLEM_TYPE)
    patch_cache_control(response, no_store=True)
    return response


Body = BaseModel | dict[str, Any]
"""A schema's instance, or what its ``model_dump(mode="json")`` would give (built so by an
endpoint whose lists are too long to go through a model per item)."""


def dumps(model: Body, *, canonical: bool = False) -> bytes:
    """Compact UTF-8 JSON. Keys come in schema order, or sorted when ``canonical``: the same
    data gives the same bytes in every process."""
    return json.dumps(
        model if isinstance(model, dict) else model.model_dump(mode="json"),
        ensure_ascii=False,
        sort_keys=canonical,
        separators=(",", ":"),
        allow_nan=False,
    ).encode()


def answer(request: HttpRequest, build: Callable[[], Body], *, scope: Any) -> HttpResponse:
    """``build()``'s JSON, or 304 when the client holds it. ``scope`` is what, besides the
    path and the data version, shapes the answer (the validated parameters).

    ``build`` may raise ``Http404``; it runs only when the cache misses."""
    version, changed_at = cache_keys.current()
    # Timestamps too: the counter can repeat after a database reset while Redis keeps keys.
    material = repr(("api/v1", version, changed_at.isoformat(), request.path, scope))
    digest = hashlib.sha256(material.encode()).hexdigest()[:32]
    return _conditional(
        request,
        etag=f'"{digest}"',
        last_modified=changed_at,
        cache_key=f"api:{digest}",
        build=lambda: dumps(build()),
        max_age=settings.ARENA_API_MAX_AGE,
    )


def permanent(
    request: HttpRequest,
    *,
    etag: str,
    last_modified: dt.datetime,
    build: Callable[[], BaseModel],
) -> HttpResponse:
    """A body fixed by its ``etag`` (a content hash): canonical JSON, cached for long."""
    return _conditional(
        request,
        etag=f'"{etag}"',
        last_modified=last_modified,
        cache_key=f"api:permalink:{hashlib.sha256(request.path.encode()).hexdigest()}:{etag}",
        build=lambda: dumps(build(), canonical=True),
        max_age=settings.ARENA_API_PERMALINK_MAX_AGE,
    )


def _conditional(
    request: HttpRequest,
    *,
    etag: str,
    last_modified: dt.datetime,
    cache_key: str,
    build: Callable[[], bytes],
    max_age: int,
) -> HttpResponse:
    # Whole seconds: HTTP dates have no fractions, and If-Modified-Since must match.
    seconds = int(last_modified.timestamp())
    response = get_conditional_response(request, etag=etag, last_modified=seconds)
    if response is None:
        body = cache.get(cache_key)
        if body is None:
            body = build()
            cache.set(cache_key, body, settings.ARENA_API_CACHE_SECONDS)
        response = HttpResponse(body, content_type=JSON_TYPE)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(seconds)
    patch_cache_control(response, public=True, max_age=max_age)
    return response


class ClientRateThrottle(SimpleRateThrottle):
    """``ARENA_API_RATE_LIMIT`` requests per client address in a sliding window, counted in
    the default cache.

    The rate is read per request (it may change between deployments and in tests); what one
    request learned is kept per thread, since one instance serves every thread. A cache that
    is down reads as empty and drops writes (``arenasite.cache``), so the limit fails open:
    an outage costs the limit, never the API. Read-modify-write, so concurrent requests of
    one client may slip a few past the limit; it bounds abuse, it is not a quota."""

    def __init__(self) -> None:  # no rate at import time: see allow_request
        self.rate = None
        self._local = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        self._local.wait = None
        rate = settings.ARENA_API_RATE_LIMIT
        if not rate:
            return True
        count, seconds = self.parse_rate(rate)
        assert count is not None and seconds is not None
        key = f"api-rate:{self.get_ident(request)}"
        now = time.time()
        history = [stamp for stamp in cache.get(key, []) if stamp > now - seconds]
        if len(history) >= count:
            # Newest first: the oldest request frees its slot when it leaves the window.
            self._local.wait = max(1.0, history[-1] + seconds - now)
            return False
        cache.set(key, [now, *history], seconds)
        return True

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)


def retry_after(wait: float | None) -> str:
    """Whole seconds, at least one, for a ``Retry-After`` header."""
    return str(max(1, math.ceil(wait or 1)))
