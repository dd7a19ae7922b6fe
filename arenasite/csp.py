"""Django's Content-Security-Policy middleware, with the settings' policies built once.

Our policy names no nonce, so its header is the same on every response; Django builds it
again for each (a tenth of a cached page's hit). The policies of ``SECURE_CSP`` and
``SECURE_CSP_REPORT_ONLY`` are built once and kept beside a copy of the config they came
from (built again when the settings differ from it: ``override_settings``, an in-place
change). A policy that names ``CSP.NONCE``, or one a view set on its response, is built
per response, as Django builds it.
"""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware import csp
from django.utils.csp import CSP, build_policy


class ContentSecurityPolicyMiddleware(csp.ContentSecurityPolicyMiddleware):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._built: dict[str, tuple[dict[str, Any], bool, str]] = {}

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        for header, setting, attribute in (
            (CSP.HEADER_ENFORCE, "SECURE_CSP", "_csp_config"),
            (CSP.HEADER_REPORT_ONLY, "SECURE_CSP_REPORT_ONLY", "_csp_ro_config"),
        ):
            # As Django's: a view's own config wins; a header already set is kept; an empty
            # config adds none.
            own = hasattr(response, attribute)
            config = getattr(response, attribute) if own else getattr(settings, setting)
            if config and header not in response:
                response.headers[str(header)] = (
                    build_policy(config, csp.get_nonce(request))
                    if own
                    else self._policy(setting, config, request)
                )
        return response

    def _policy(self, setting: str, config: dict[str, Any], request: HttpRequest) -> str:
        held = self._built.get(setting)
        # Equal and in the same order: another order is another header, as Django writes it.
        if held is None or held[0] != config or list(held[0]) != list(config):
            nonce = _names_nonce(config)
            held = self._built[setting] = (
                copy.deepcopy(config),
                nonce,
                "" if nonce else build_policy(config),
            )
        if held[1]:  # built per response: the request's nonce, if it was used
            return build_policy(config, csp.get_nonce(request))
        return held[2]


def _names_nonce(config: dict[str, Any]) -> bool:
    """Whether a policy names ``CSP.NONCE`` (alone or among other sources, as Django reads)."""
    return any(
        values == CSP.NONCE or (isinstance(values, list | tuple | set) and CSP.NONCE in values)
        for values in config.values()
    )
