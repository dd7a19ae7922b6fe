"""The public read-only JSON API at ``/api/v1/`` (django-ninja; docs/decisions.md says why).

The OpenAPI document is generated from the operations and schemas (``make api-schema``
writes it to docs/openapi.json). Every answer is English JSON; every error is RFC 9457
problem details, never an HTML page; the interactive docs are Swagger UI from our own
static files.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, re_path
from django.utils import translation
from django.views.decorators.gzip import gzip_page
from ninja import NinjaAPI
from ninja.errors import HttpError, Throttled, ValidationError
from ninja.openapi.docs import DocsBase

from .endpoints import SCHEMA_ARGUMENTS, InvalidParameters, router
from .responses import PROBLEM_TYPE, ClientRateThrottle, problem, retry_after
from .schemas import ParameterError

DESCRIPTION = """\
The Arena leaderboards as data: boards, dated snapshots (filtered and sorted as the board
pages are), models with their history, organisations, changes and head-to-head odds.
Read-only, no key. Curated names come with upstream's raw strings. Answers carry `ETag` and
`Last-Modified` (send `If-None-Match` for a 304); errors are `application/problem+json`
(RFC 9457). Requests are rate-limited per client (429 with `Retry-After`). A snapshot's
permalink (`/boards/{arena}/{category}/snapshots/{day}`) is citable: its body never changes
while its content hash (the `ETag`) is the same. Data: LMArena (arena.ai), CC BY 4.0."""


class ApiDocs(DocsBase):
    """Swagger UI from ``static/vendor/swagger-ui`` under the site's CSP (no CDN, no inline
    script): the page names the schema URL in a data attribute for ``js/api-docs.js``."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        context = {"openapi_url": self.get_openapi_url(api, kwargs), "api": api}
        return render(request, "api/docs.html", context)


class ArenaAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """Ninja's document, with the error answers typed as problem JSON and the 304 that
        every operation gives to a matching ``If-None-Match``."""
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = {str(status): value for status, value in operation["responses"].items()}
                for status, response in responses.items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        response["content"] = {PROBLEM_TYPE: content["application/json"]}
                responses["304"] = {"description": "Not Modified: the ETag still matches."}
                operation["responses"] = responses
        return schema


api = ArenaAPI(
    title="Arena Leaderboard API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs=ApiDocs(),
    docs_url="/docs",
    openapi_url="/openapi.json",
    throttle=[ClientRateThrottle()],
)
api.add_router("", router, tags=["leaderboard"])


@api.exception_handler(ValidationError)
def _invalid_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        ParameterError(parameter=_parameter(error.get("loc", ())), message=str(error.get("msg")))
        for error in exc.errors
    ]
    return problem(400, "A parameter is invalid.", errors)


def _parameter(location: tuple[object, ...]) -> str:
    """The query or path parameter a validation error is about: pydantic's location less
    the source (``query``), the operation's schema argument and list indexes."""
    parts = [str(part) for part in location[1:] if not isinstance(part, int)]
    if len(parts) > 1 and parts[0] in SCHEMA_ARGUMENTS:
        parts = parts[1:]
    return ".".join(parts) or "request"


@api.exception_handler(InvalidParameters)
def _invalid_parameters(request: HttpRequest, exc: InvalidParameters) -> HttpResponse:
    return problem(400, "A parameter is invalid.", exc.errors)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(404, str(exc) or "Not found.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    response = problem(exc.status_code, str(exc))
    if isinstance(exc, Throttled):
        response["Retry-After"] = retry_after(exc.wait)
    return response


def _http(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Every API URL: English whatever Accept-Language says (one body per URL, so caches
    and ETags need no Vary on it), HEAD answered as GET without a body, an unsupported
    method as problem JSON, and the answer gzipped for clients that accept it."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        head = request.method == "HEAD"
        if head:
            request.method = "GET"
        with translation.override("en"):
            try:
                response = view(request, *args, **kwargs)
            except Http404:  # ninja's own views (the API root) raise it past its handlers
                response = problem(404, "No such resource in this API; see /api/v1/docs.")
            if response.status_code == 405:
                response = problem(405, f"{request.method} is not supported: the API is read-only.")
                response["Allow"] = "GET, HEAD"
        if head:
            request.method = "HEAD"
        return response

    compressed = gzip_page(wrapped)

    @wraps(view)
    def stripped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = compressed(request, *args, **kwargs)
        if request.method == "HEAD":
            response.content = b""  # Content-Length stays that of the GET
        return response

    stripped.csrf_exempt = True  # type: ignore[attr-defined]  # read-only, no cookies used
    return stripped


def _no_such_resource(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return problem(404, "No such resource in this API; see /api/v1/docs.")


def urls() -> tuple[list[URLPattern | URLResolver], str, str]:
    """``api.urls`` with every view wrapped by ``_http``, and a last pattern that answers
    any other path under the API (a key with a line break the routes cannot match) with a
    problem 404 instead of the site's HTML page."""
    patterns, app_name, namespace = api.urls
    patterns = [*patterns, re_path(r"^[\s\S]*$", _no_such_resource)]
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = _http(pattern.callback)
    return patterns, app_name, namespace


def schema_text() -> str:
    """The OpenAPI document as committed in docs/openapi.json (``make api-schema``): keys
    sorted and indented, so a change to the API is a readable diff."""
    return json.dumps(api.get_openapi_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
