"""The page cache: a cached public page served nearly as cheaply as a static file.

Views opt in with ``cacheable`` (or ``mark`` on their response). The
middleware sits right after security, CSP and static files. An anonymous GET or HEAD (no
session cookie) looks up its path and query in the cache and, when the entry was rendered
under the current content version (``cache_keys.token``: no SQL), answers from it — no
session, CSRF, auth, messages, URL resolving or view. An entry holds the body already
compressed (one entry per encoding, gzip and brotli; identity is the gzip body decompressed;
a miss stores the one its visitor asked for at once, the other once the page is sent),
the validators computed once when it was stored, and the headers the rest of the stack gave
the page (framing, ``Content-Language``, ``Vary``…; the security and CSP middleware outside
it add theirs to a hit as to a static file), so a hit answers exactly what a render would.
Anything else — a miss, a signed-in staff member, a page that set a cookie — takes the whole
stack; a cacheable page rendered for an anonymous visitor is stored on the way out.

A cache outage costs speed only: ``FailOpenRedisCache`` answers it as a miss.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from functools import wraps
from io import BytesIO
from typing import Any, cast

import brotli
from django.conf import settings
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.core.signals import setting_changed
from django.db import DatabaseError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe

from . import cache_keys, selectors

logger = logging.getLogger(__name__)

ENCODINGS = ("br", "gzip")
"""Stored variants, preferred first. Identity is served from the gzip body, decompressed."""
# A miss compresses its page in each. On a 273 KB model page, gzip 9 and brotli 9 took 29 and
# 30 ms; gzip 6 and brotli 5 take 12 and 9 ms for 1.2 % and 1.3 % more bytes. The visitor
# waits for the encoding they asked for; the other is stored after their page is sent.
GZIP_LEVEL = 6
BROTLI_QUALITY = 5
UNSTORED_HEADERS = frozenset(
    {"content-length", "content-encoding", "set-cookie", "etag", "last-modified"}
)
VALIDATOR_HEADERS = ("Cache-Control", "Vary", "Content-Location", "Expires")
CONDITIONAL_HEADERS = frozenset(
    {"HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE"}
)

Entry = tuple[str, tuple[tuple[str, str], ...], bytes, str, int]
"""(token, headers, body in the entry's encoding, etag, last-modified as a Unix time)."""


def mark(response: HttpResponseBase, *, seconds: int) -> None:
    """Let the middleware store this answer (if 200, cookie-free, for an anonymous visitor)
    for at most ``seconds``; URLs with a query string for at most
    ``ARENA_FILTERED_PAGE_CACHE_SECONDS``."""
    response.page_cache_seconds = seconds  # type: ignore[attr-defined]


def cacheable(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A view whose answers are page-cache entries (``mark``) for ``ARENA_PAGE_CACHE_SECONDS``."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        mark(response, seconds=settings.ARENA_PAGE_CACHE_SECONDS)
        return response

    return wrapped


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not _anonymous_read(request):
            return _compressed(request, self.get_response(request))
        request.get_host()  # a Host outside ALLOWED_HOSTS is a 400, cached page or not
        key = _key(request)
        encoding = accepted_encoding(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        token, entry = _lookup(f"{key}:{encoding or 'gzip'}", hold=WARMING not in request.META)
        if token is not None and _valid(entry, token):
            return _serve(request, entry, encoding)  # type: ignore[arg-type]
        if token is None:
            try:
                token = cache_keys.token()  # before the render: a bump during it stales the entry
            except DatabaseError:
                # Freshness unknown: nothing is stored, and the view answers as it can
                # (/healthz's JSON 503, the site's 500 page) rather than this middleware.
                return _compressed(request, self.get_response(request))
        response = self.get_response(request)
        wanted = encoding or "gzip"
        stored = _store(request, response, key=key, token=token, encoding=wanted)
        if stored is None:
            return _compressed(request, response)
        entry, rest = stored
        served = _serve(request, entry, encoding, conditional=False, answer=StoresOnClose)
        cast(StoresOnClose, served).then = rest
        return served


def _anonymous_read(request: HttpRequest) -> bool:
    return request.method in ("GET", "HEAD") and settings.SESSION_COOKIE_NAME not in request.COOKIES


def _key(request: HttpRequest) -> str:
    """Path and query; the parameters sorted by name (stable: repeated values keep their
    order, which the filters read)."""
    query = request.META.get("QUERY_STRING", "")
    if query:
        pairs = sorted((part.partition("=") for part in query.split("&") if part), key=_name)
        query = "&".join(name + sep + value for name, sep, value in pairs)
    material = f"{request.path}?{query}".encode("utf-8", "surrogateescape")
    return "page:" + hashlib.blake2b(material, digest_size=20).hexdigest()


def _name(part: tuple[str, str, str]) -> str:
    return part[0]


@functools.lru_cache(maxsize=256)  # browsers send a handful of spellings
def accepted_encoding(header: str) -> str | None:
    """The stored encoding the client prefers (br, then gzip), or ``None`` for identity.
    ``q=0`` refuses an encoding; ``*`` accepts any not named."""
    if not header:
        return None
    weights: dict[str, float] = {}
    for item in header.split(","):
        name, _, params = item.strip().partition(";")
        weight = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                weight = float(params[2:])
            except ValueError:
                weight = 0.0
        weights[name.strip().lower()] = weight
    star = weights.get("*", 0.0)
    for name in ENCODINGS:
        if weights.get(name, star) > 0:
            return name
    return None


def _valid(entry: object, token: str) -> bool:
    return isinstance(entry, tuple) and len(entry) == 5 and entry[0] == token


HELD_ENTRIES = 128
"""Entries a process keeps beside a shared cache (``_lookup``), the least recently used
dropped first."""
HELD_SECONDS = 60
"""How long a held copy may be used before Redis is read again: a flush or an expiry there
reaches this process within it, as it did when every hit read the entry."""
_held: dict[str, tuple[float, Entry]] = {}


def _lookup(cache_key: str, *, hold: bool = True) -> tuple[str | None, object]:
    """The current token and the entry at ``cache_key``. With a shared cache (Redis) a copy
    this process holds is used, for ``HELD_SECONDS``, while its token is still the published
    one: a hit then reads the token alone, not the entry's bytes again (a third of a Redis
    hit). A held copy is never used without the shared token (Redis down: the page renders,
    as before). ``hold``: false for the warm-up, which must see what Redis holds."""
    if cache_keys.per_process():
        return cache_keys.token_and(cache_key)
    held = _held.pop(cache_key, None) if hold else None  # put back if good: used last
    if held is not None and held[0] > time.monotonic():
        current = cache_keys.published_token()
        if current is not None and held[1][0] == current:
            _held[cache_key] = held
            return current, held[1]
    token, entry = cache_keys.token_and(cache_key)
    if hold and token is not None and _valid(entry, token):
        _hold(cache_key, entry)  # type: ignore[arg-type]
    return token, entry


def _hold(cache_key: str, entry: Entry) -> None:
    while len(_held) >= HELD_ENTRIES:
        with contextlib.suppress(KeyError, RuntimeError, StopIteration):  # another thread's
            del _held[next(iter(_held))]
    _held[cache_key] = (time.monotonic() + HELD_SECONDS, entry)


@receiver(setting_changed)
def forget_held(*, setting: str = "CACHES", **kwargs: Any) -> None:
    """Drop the held copies (another cache, in tests: its tokens are not theirs)."""
    if setting == "CACHES":
        _held.clear()


def _serve(
    request: HttpRequest,
    entry: Entry,
    encoding: str | None,
    *,
    conditional: bool = True,
    answer: type[HttpResponse] = HttpResponse,
) -> HttpResponse:
    _, headers, body, etag, last_modified = entry
    if encoding is not None:
        # The compressed bytes differ from the identity ones: a weak validator, as Django's
        # GZipMiddleware does; If-None-Match compares weakly, so each matches the other.
        etag = "W/" + etag
    if conditional and not CONDITIONAL_HEADERS.isdisjoint(request.META):
        not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if not_modified is not None:
            for name, value in headers:
                if name in VALIDATOR_HEADERS:
                    not_modified[name] = value
            not_modified["ETag"] = etag
            not_modified["Last-Modified"] = _http_date(last_modified)
            return not_modified  # type: ignore[return-value]
    if encoding is None:
        body = gzip.decompress(body)
    response = answer(body)
    # The headers were checked (charset, newlines) when the render set them, and the four
    # below are ASCII of our own making: copied as they are, not set one by one through the
    # checks again (a fifth of a hit).
    store = response.headers._store
    store.update((name.lower(), (name, value)) for name, value in headers)
    if encoding is not None:
        store["content-encoding"] = ("Content-Encoding", encoding)
    store["content-length"] = ("Content-Length", str(len(body)))
    store["etag"] = ("ETag", etag)
    store["last-modified"] = ("Last-Modified", _http_date(last_modified))
    return response


@functools.lru_cache(maxsize=1024)  # one per stored page at most, most share a few
def _http_date(timestamp: int) -> str:
    return http_date(timestamp)


def _store(
    request: HttpRequest, response: HttpResponseBase, *, key: str, token: str, encoding: str
) -> tuple[Entry, Callable[[], None]] | None:
    """``None`` when the answer is not cacheable; else its entry in ``encoding``, stored, and
    what stores the other encodings, to run once the visitor has the page
    (``StoresOnClose``): a miss waits for one compression, not all of them."""
    seconds = getattr(response, "page_cache_seconds", None)
    if (
        seconds is None
        or response.status_code != 200
        or response.streaming
        or response.cookies
        or response.has_header("Content-Encoding")
        or "nonce-" in response.get("Content-Security-Policy", "")
        # The CSP middleware sets its header outside this one: a page that used the request's
        # nonce (generated only then) carries it in its HTML, and no other visitor may get it.
        or getattr(request, "_csp_nonce", None)
    ):
        return None
    if request.META.get("QUERY_STRING"):
        # Query strings are as many as visitors can type: they leave sooner.
        seconds = min(seconds, settings.ARENA_FILTERED_PAGE_CACHE_SECONDS)
    assert isinstance(response, HttpResponse)
    content = response.content
    etag = response.get("ETag", "").removeprefix("W/") or (
        '"' + hashlib.blake2b(content, digest_size=16).hexdigest() + '"'
    )
    last_modified = parse_http_date_safe(response.get("Last-Modified", "")) or int(time.time())
    patch_vary_headers(response, ("Accept-Encoding",))
    headers = tuple(
        (name, value) for name, value in response.items() if name.lower() not in UNSTORED_HEADERS
    )

    def store(name: str) -> Entry:
        entry: Entry = (token, headers, COMPRESSORS[name](content), etag, last_modified)
        cache.set(f"{key}:{name}", entry, seconds)
        return entry

    def store_the_rest() -> None:
        for name in ENCODINGS:
            if name != encoding:
                store(name)

    return store(encoding), store_the_rest


class StoresOnClose(HttpResponse):
    """A miss's answer: ``then`` (what stores the encodings the visitor did not ask for)
    runs once, when the server closes it after sending its body, or at ``finish``."""

    then: Callable[[], None] | None = None

    def close(self) -> None:
        try:
            finish(self)
        finally:
            super().close()


def finish(response: HttpResponseBase) -> None:
    """What a miss left for after sending (``StoresOnClose``), now; once. A failure is
    logged: the visitor has the page, and a lost variant is only a later miss."""
    job = getattr(response, "then", None)
    if job is None:
        return
    response.then = None  # type: ignore[attr-defined]
    try:
        job()
    except Exception:
        logger.exception("storing the other encodings of a page failed")


def _gzip(content: bytes) -> bytes:
    # mtime=0: the same page compresses to the same bytes in every process.
    out = BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=GZIP_LEVEL, mtime=0) as stream:
        stream.write(content)
    return out.getvalue()


def _brotli(content: bytes) -> bytes:
    return brotli.compress(content, quality=BROTLI_QUALITY)


COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {"br": _brotli, "gzip": _gzip}


def _compressed(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """A cacheable page that was not stored (a signed-in visitor) is still sent gzipped."""
    if (
        getattr(response, "page_cache_seconds", None) is None
        or response.status_code != 200
        or response.streaming
        or response.has_header("Content-Encoding")
        or accepted_encoding(request.META.get("HTTP_ACCEPT_ENCODING", "")) is None
    ):
        return response
    assert isinstance(response, HttpResponse)
    response.content = _gzip(response.content)
    response["Content-Length"] = str(len(response.content))
    response["Content-Encoding"] = "gzip"
    if response.get("ETag", "").startswith('"'):
        response["ETag"] = "W/" + response["ETag"]
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


# --- Warming ---------------------------------------------------------------------------

BOARD_VIEWS = ("", "export.csv", "export.json", "export.md")
LANGUAGE_PREFIXES = ("", "/zh-hans")


def board_paths() -> list[str]:
    """The plain views of every board with data, in both languages, and the home page."""
    paths = [f"{prefix}/" for prefix in LANGUAGE_PREFIXES]
    with translation.override(settings.LANGUAGE_CODE):  # unprefixed URLs
        pages = [board.get_absolute_url() for board in selectors.boards_with_data()]
    for page in pages:
        for prefix in LANGUAGE_PREFIXES:
            paths.extend(f"{prefix}{page}{view}" for view in BOARD_VIEWS)
    return paths


def warm(paths: Iterable[str]) -> dict[str, int]:
    """Request each path through the whole stack as an anonymous visitor would, so the
    middleware stores what is missing or stale (an entry already current is a cheap hit).
    Returns the status of each path. Idempotent; never raises for one page's failure."""
    # The middleware chain without the request signals: the caller (a task) owns the
    # database connection, which request_finished would close after each page.
    handler = WSGIHandler()
    statuses: dict[str, int] = {}
    with translation.override(translation.get_language()):  # each page activates its own
        for path in paths:
            statuses[path] = _warm_one(handler, path)
    return statuses


def _warm_one(handler: WSGIHandler, path: str) -> int:
    """Each stored encoding asked for in turn: one current entry must not hide another that
    is missing (a miss stores the other after sending, and that can be lost)."""
    try:
        for encoding in ENCODINGS:
            response = handler.get_response(WSGIRequest(_environ(path, encoding)))
            finish(response)  # no server will close this response
            if response.status_code != 200:
                break
        return response.status_code
    except Exception:  # one broken page must not leave the others cold
        logger.exception("warming %s failed", path)
        return 500


def warm_boards(*, token: str | None = None) -> dict[str, int]:
    """Warm every board's plain views, unless the content changed again since ``token``
    (that change queued its own warm-up: a burst of curation edits renders once)."""
    if token is not None and cache_keys.token() != token:
        return {}
    return warm(board_paths())


WARMING = "arena.warming"
"""The WSGI environ key that marks a warm-up request (``_lookup`` reads Redis itself)."""


def _environ(path: str, encoding: str) -> dict[str, Any]:
    hosts = [host.lstrip(".") for host in settings.ALLOWED_HOSTS if host not in ("*", "")]
    https = bool(settings.SECURE_SSL_REDIRECT)
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": hosts[0] if hosts else "localhost",
        "SERVER_PORT": "443" if https else "80",
        "HTTP_HOST": hosts[0] if hosts else "localhost",
        "HTTP_ACCEPT_ENCODING": encoding,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "https" if https else "http",
        "wsgi.input": BytesIO(),
        "wsgi.errors": BytesIO(),
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        WARMING: True,
    }
