"""Our Content-Security-Policy middleware sends what Django's sends, building the settings'
policies once: a nonce, a view's own config, a header already set and a settings change all
behave as in Django's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.http import HttpResponse
from django.middleware import csp as django_csp
from django.test import RequestFactory, override_settings
from django.utils.csp import CSP

from arenasite import csp

HEADERS = (CSP.HEADER_ENFORCE, CSP.HEADER_REPORT_ONLY)
STRICT = {
    "default-src": [CSP.SELF],
    "img-src": {CSP.SELF, "data:"},
    "upgrade-insecure-requests": True,
}


def serve(middleware_class: type, view: Callable[[Any], HttpResponse]) -> Callable[[], Any]:
    """One middleware instance around ``view``: each call answers a fresh request."""
    middleware = middleware_class(view)
    return lambda: middleware(RequestFactory().get("/"))


def headers(response: Any) -> list[str | None]:
    return [response.get(header) for header in HEADERS]


def both(response_factory: Callable[[], HttpResponse] = HttpResponse) -> tuple[list[Any], ...]:
    """The CSP headers ours and Django's add to the same kind of response."""
    ours, django = csp.ContentSecurityPolicyMiddleware, django_csp.ContentSecurityPolicyMiddleware
    return tuple(headers(serve(m, lambda request: response_factory())()) for m in (ours, django))


def test_the_settings_policy_is_what_djangos_middleware_sends() -> None:
    ours, django = both()
    assert ours == django and ours[0] and ours[0].startswith("default-src 'self'")


@override_settings(SECURE_CSP=STRICT, SECURE_CSP_REPORT_ONLY={"script-src": [CSP.SELF]})
def test_both_headers_and_a_settings_change_are_followed() -> None:
    get = serve(csp.ContentSecurityPolicyMiddleware, lambda request: HttpResponse())
    first = headers(get())
    assert first == both()[1]
    with override_settings(SECURE_CSP={"default-src": [CSP.NONE]}):
        assert headers(get())[0] == "default-src 'none'"
    assert headers(get()) == first


def test_a_policy_changed_in_place_is_built_again(settings: Any) -> None:
    settings.SECURE_CSP = {"default-src": [CSP.SELF]}
    get = serve(csp.ContentSecurityPolicyMiddleware, lambda request: HttpResponse())
    assert headers(get())[0] == "default-src 'self'"
    settings.SECURE_CSP["default-src"].append("https://cdn.example")
    assert headers(get())[0] == "default-src 'self' https://cdn.example"


@override_settings(SECURE_CSP={"script-src": [CSP.SELF, CSP.NONCE]})
def test_a_policy_naming_the_nonce_carries_each_requests_own() -> None:
    def page(request: Any) -> HttpResponse:
        return HttpResponse(str(request._csp_nonce))  # the template's {{ csp_nonce }}

    get = serve(csp.ContentSecurityPolicyMiddleware, page)
    first, second = get(), get()
    for response in (first, second):
        assert response[CSP.HEADER_ENFORCE] == (
            f"script-src 'self' 'nonce-{response.content.decode()}'"
        )
    assert first[CSP.HEADER_ENFORCE] != second[CSP.HEADER_ENFORCE]


@pytest.mark.parametrize("own", [{"default-src": [CSP.NONE]}, {}, None])
def test_a_views_own_config_wins_as_in_djangos(own: dict[str, Any] | None) -> None:
    def response() -> HttpResponse:
        answer = HttpResponse()
        answer._csp_config = own  # type: ignore[attr-defined]  # what @csp_override sets
        return answer

    ours, django = both(response)
    assert ours == django
    assert ours[0] == (None if not own else "default-src 'none'")


def test_a_header_already_set_is_kept() -> None:
    def response() -> HttpResponse:
        answer = HttpResponse()
        answer[CSP.HEADER_ENFORCE] = "default-src 'none'"
        return answer

    ours, django = both(response)
    assert ours == django and ours[0] == "default-src 'none'"


@pytest.mark.parametrize(
    "config",
    [
        {"script-src": CSP.NONCE},
        {"script-src": [CSP.SELF, CSP.NONCE]},
        {"script-src": (CSP.NONCE,)},
    ],
)
@pytest.mark.parametrize("used", [True, False])
def test_a_nonce_in_any_form_is_what_djangos_gives_used_or_not(
    config: dict[str, Any], used: bool
) -> None:
    """Django includes a nonce only once the page used it; alone or in a list alike."""

    def page(request: Any) -> HttpResponse:
        return HttpResponse(str(request._csp_nonce) if used else "no nonce here")

    with override_settings(SECURE_CSP=config):
        responses = [
            serve(middleware, page)()
            for middleware in (
                csp.ContentSecurityPolicyMiddleware,
                django_csp.ContentSecurityPolicyMiddleware,
            )
        ]
    ours, django = (r[CSP.HEADER_ENFORCE] for r in responses)
    if used:
        assert ours.replace(responses[0].content.decode(), "N") == django.replace(
            responses[1].content.decode(), "N"
        )
        assert "'nonce-" in ours
    else:
        assert ours == django and "nonce" not in ours


def test_a_reordered_policy_is_built_again_in_its_order(settings: Any) -> None:
    get = serve(csp.ContentSecurityPolicyMiddleware, lambda request: HttpResponse())
    settings.SECURE_CSP = {"default-src": [CSP.SELF], "img-src": [CSP.SELF]}
    assert headers(get())[0] == "default-src 'self'; img-src 'self'"
    settings.SECURE_CSP = {"img-src": [CSP.SELF], "default-src": [CSP.SELF]}
    assert headers(get())[0] == "img-src 'self'; default-src 'self'"
