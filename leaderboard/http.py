"""The one place this project talks to other hosts.

Guarantees: only allow-listed hosts (and only http/https); redirects followed only to the same
scheme, host and port (or from http to https on the same host); a size cap enforced while
streaming; a total deadline per attempt covering connect, headers, redirects and body (a
watchdog cuts the sockets); retries with backoff only for transient failures (timeouts,
connection errors, cut bodies, 429 honouring Retry-After, 5xx). Anything else raises
``FetchError`` with one line a person can act on.
"""

from __future__ import annotations

import contextlib
import email.utils
import logging
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import requests.adapters
import urllib3
import urllib3.connection
import urllib3.exceptions
import urllib3.util
from django.conf import settings

from . import upstream

logger = logging.getLogger(__name__)

USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Safari/537.36 ArenaLeaderboard/1.0"
)
MAX_REDIRECTS = 3
MAX_RETRY_AFTER_SECONDS = 120.0


class FetchError(Exception):
    """The fetch failed; ``transient`` says whether trying again later may help."""

    def __init__(self, message: str, *, transient: bool = False, status: int | None = None):
        super().__init__(message)
        self.transient = transient
        self.status = status


@dataclass(frozen=True, slots=True)
class Response:
    url: str
    status: int
    content_type: str
    body: bytes


@dataclass(frozen=True, slots=True)
class Policy:
    """Limits for one fetch; defaults come from settings, tests shrink them."""

    max_bytes: int
    connect_timeout: float
    read_timeout: float
    deadline: float
    """Seconds one attempt may take in total (a server dripping bytes cannot hold us)."""
    attempts: int
    backoff: float
    """First retry delay in seconds; doubles each time."""

    @classmethod
    def from_settings(cls) -> Policy:
        return cls(
            max_bytes=settings.ARENA_FETCH_MAX_BYTES,
            connect_timeout=settings.ARENA_FETCH_CONNECT_TIMEOUT,
            read_timeout=settings.ARENA_FETCH_READ_TIMEOUT,
            deadline=settings.ARENA_FETCH_DEADLINE,
            attempts=settings.ARENA_FETCH_ATTEMPTS,
            backoff=settings.ARENA_FETCH_BACKOFF,
        )


def host_allowed(host: str, port: int | None = None, *, scheme: str = "https") -> bool:
    """True for an allow-listed host or a subdomain of one (case-insensitive), on an allowed
    port: an entry ``host`` allows only the scheme's default port (443, or 80 for http),
    ``host:8443`` that port alone, ``host:*`` any port (loopback test servers). Another port
    on an allowed host is another service (``localhost:6379`` is Redis)."""
    host = host.lower().rstrip(".")
    port = port or _DEFAULT_PORTS.get(scheme, 0)
    for entry in settings.ARENA_ALLOWED_UPSTREAM_HOSTS:
        allowed, _, allowed_port = entry.lower().strip().partition(":")
        if not allowed or not (host == allowed or host.endswith("." + allowed)):
            continue
        if allowed_port == "*" or port == (
            int(allowed_port) if allowed_port.isdigit() else _DEFAULT_PORTS.get(scheme, 0)
        ):
            return True
    return False


def check_url(url: str) -> None:
    """Raise FetchError unless ``url`` is http(s) on an allow-listed host.

    The URL must read the same to every parser: Python's ``urlsplit`` and urllib3 (which
    requests uses) disagree on backslashes and userinfo (``http://evil\\@allowed/``), so any
    URL with userinfo, a backslash, white space or control characters is refused outright.
    """
    if any(char in url for char in "\\@") or any(ord(char) <= 0x20 for char in url):
        raise FetchError(f"refused URL with userinfo, a backslash or blanks: {url!r}")
    parts = urlsplit(url)
    try:
        seen_by_urllib3 = urllib3.util.parse_url(url)
    except urllib3.exceptions.LocationParseError:
        raise FetchError(f"not a valid URL: {url!r}") from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise FetchError(f"not an http(s) URL: {url!r}")
    if (seen_by_urllib3.host or "").strip("[]").lower() != parts.hostname.lower():
        raise FetchError(f"ambiguous URL (parsers disagree on its host): {url!r}")
    try:
        port = parts.port
    except ValueError:
        raise FetchError(f"not a valid port: {url!r}") from None
    if not host_allowed(parts.hostname, port, scheme=parts.scheme):
        where = parts.hostname if port is None else f"{parts.hostname}:{port}"
        raise FetchError(f"{where!r} is not an allowed upstream (see ARENA_ALLOWED_UPSTREAM_HOSTS)")


def fetch(url: str, *, accept: str = "*/*", policy: Policy | None = None) -> Response:
    """GET ``url`` and return the whole body. Raises FetchError; never returns a non-2xx."""
    policy = policy or Policy.from_settings()
    check_url(url)
    delay = policy.backoff
    for attempt in range(1, policy.attempts + 1):
        try:
            return _fetch_once(url, accept=accept, policy=policy)
        except FetchError as error:
            if not error.transient or attempt == policy.attempts:
                raise
            wait = getattr(error, "retry_after", None) or delay
            logger.info("fetch %s failed (%s); retry %d in %.1fs", url, error, attempt, wait)
            time.sleep(wait)
            delay *= 2
    raise AssertionError("unreachable")  # the loop either returns or raises


class _RetryAfter(FetchError):
    def __init__(self, message: str, *, retry_after: float | None, status: int):
        super().__init__(message, transient=True, status=status)
        self.retry_after = retry_after


class _Attempt(threading.local):
    """The watchdog of this thread's attempt: connections opened meanwhile report to it."""

    def __init__(self) -> None:
        self.watchdog: _Watchdog | None = None


_attempt = _Attempt()


class _Watchdog:
    """Enforces one attempt's deadline from another thread.

    Read timeouts bound each stall, not the total: a server dripping a byte at a time (in the
    headers or the body) would hold a worker for hours. When the deadline passes, the watchdog
    shuts down every socket the attempt opened, which wakes the blocked read at once.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._expired = False
        self._timer = threading.Timer(max(seconds, 0.0), self._expire)
        self._timer.daemon = True

    @property
    def expired(self) -> bool:
        with self._lock:
            return self._expired

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self._expired:
                _cut(sock)

    def _expire(self) -> None:
        with self._lock:
            self._expired = True  # set before cutting: a read that ends after this is suspect
            for sock in self._sockets:
                _cut(sock)

    def __enter__(self) -> _Watchdog:
        _attempt.watchdog = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        _attempt.watchdog = None


def _cut(sock: socket.socket) -> None:
    # The plain socket's shutdown, also for TLS: it wakes a reader blocked in another thread.
    with contextlib.suppress(OSError):  # already closed
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Watched:
    """Mixin for urllib3 connections: the new raw socket is handed to this thread's watchdog
    (for TLS, before the handshake, so a stalled handshake is cut too)."""

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        if _attempt.watchdog is not None:
            _attempt.watchdog.watch(sock)
        return sock


class _WatchedConnection(_Watched, urllib3.connection.HTTPConnection):
    pass


class _WatchedTLSConnection(_Watched, urllib3.connection.HTTPSConnection):
    pass


class _WatchedPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedConnection


class _WatchedTLSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedTLSConnection


class _WatchedAdapter(requests.adapters.HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedPool, "https": _WatchedTLSPool}


def _fetch_once(url: str, *, accept: str, policy: Policy) -> Response:
    with _Watchdog(policy.deadline) as watchdog, requests.Session() as session:
        session.trust_env = False  # no proxies or netrc from the environment
        adapter = _WatchedAdapter(max_retries=0)  # retries are ours, with backoff
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        try:
            response = _follow(session, url, accept=accept, policy=policy)
        except FetchError as error:
            if watchdog.expired:
                raise _too_slow(url, policy) from error
            raise
        if watchdog.expired:
            # The cut may look like a clean end of a body that has no declared length.
            raise _too_slow(url, policy)
        return response


def _too_slow(url: str, policy: Policy) -> FetchError:
    return FetchError(f"took longer than {policy.deadline:g}s: {url}", transient=True)


def _follow(session: requests.Session, url: str, *, accept: str, policy: Policy) -> Response:
    origin = _origin(url)
    for _ in range(MAX_REDIRECTS + 1):
        try:
            response = session.get(
                url,
                headers={"User-Agent": USER_AGENT, "Accept": accept},
                timeout=(policy.connect_timeout, policy.read_timeout),
                allow_redirects=False,
                stream=True,
            )
        except requests.Timeout as error:
            raise FetchError(f"timed out: {url}", transient=True) from error
        except requests.RequestException as error:
            raise FetchError(f"connection failed: {url}", transient=True) from error
        with response:
            if response.is_redirect:
                target = urljoin(url, response.headers.get("Location", ""))
                if not _may_redirect(origin, target):
                    raise FetchError(f"refused redirect to another host or port: {target}")
                check_url(target)
                url = target
                continue
            _raise_for_status(response, url)
            body = _read_capped(response, url=url, policy=policy)
            return Response(
                url=url,
                status=response.status_code,
                content_type=response.headers.get("Content-Type", ""),
                body=body,
            )
    raise FetchError(f"too many redirects: {url}")


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port); raises ValueError for a port that is not a number."""
    parts = urlsplit(url)
    port = parts.port or _DEFAULT_PORTS.get(parts.scheme, 0)
    return parts.scheme, (parts.hostname or "").lower(), port


def _may_redirect(origin: tuple[str, str, int], target: str) -> bool:
    """Same scheme, host and port, or the same host upgraded from http to https (80 → 443).

    Another port on an allow-listed host is another service (an admin port, a cache), and a
    downgrade to http would let anyone on the path rewrite the data."""
    try:
        scheme, host, port = _origin(target)
    except ValueError:
        return False
    if host != origin[1]:
        return False
    if (scheme, port) == (origin[0], origin[2]):
        return True
    return origin == ("http", host, 80) and (scheme, port) == ("https", 443)


def _raise_for_status(response: requests.Response, url: str) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    if status == 429:
        raise _RetryAfter(
            f"rate limited (HTTP 429): {url}",
            retry_after=_retry_after_seconds(response.headers.get("Retry-After")),
            status=status,
        )
    if status >= 500:
        raise FetchError(f"upstream error (HTTP {status}): {url}", transient=True, status=status)
    hint = ""
    if upstream.is_challenge_response(status, response.headers):
        hint = " (Cloudflare challenge)"
    raise FetchError(f"refused (HTTP {status}){hint}: {url}", status=status)


def _retry_after_seconds(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date), capped."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER_SECONDS)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    seconds = when.timestamp() - time.time()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


def _read_capped(response: requests.Response, *, url: str, policy: Policy) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise FetchError(f"body too large ({declared} bytes > {policy.max_bytes}): {url}")
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(chunk_size=65536):
            size += len(chunk)
            if size > policy.max_bytes:
                raise FetchError(f"body too large (> {policy.max_bytes} bytes): {url}")
            chunks.append(chunk)
    except FetchError:
        raise
    except (requests.RequestException, OSError, ValueError) as error:
        # Content-Length not met, a broken chunked encoding, a reset, or the watchdog's cut.
        raise FetchError(f"body cut off: {url}", transient=True) from error
    return b"".join(chunks)
