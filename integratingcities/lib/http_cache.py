"""HTTP caching: who may keep a page, and for how long.

Django's ConditionalGetMiddleware (placed just outside this one) gives every GET an ETag and
answers 304 to a matching ``If-None-Match``; this middleware says who may store the page:

- ``public, max-age=0, s-maxage=60`` for an anonymous visitor's successful GET when the
  response sets no cookie and the request carries no credentials: a proxy may serve the page to
  anyone who sends the same cookies and languages (``Vary: Cookie, Accept-Language``) for a
  minute, then ask again with the ETag; the visitor's own browser asks again every time (a 304
  when nothing changed), so a person who reloads after a correction sees it at once;
- ``private, no-cache`` for everything else (a logged-in person, a POST, a page that sets a
  cookie, an error): only the person's own browser keeps it, and asks again before reusing it.

A response that already says how to cache it keeps what it says.

Cookies. A page that sets a cookie is never public: the cookie would go to everyone the proxy
serves. Every page used to set one: the language switcher in the footer carried a CSRF token,
and Django sends the CSRF cookie again (and a fresh token in the HTML) with each page that
uses it, so no public page could be stored or answered 304. The switcher now carries the token
only for logged-in people (base.html), and Django's ``set_language`` view is run here without
the CSRF check: a forged request could at most change the visitor's language, which the
visitor can change back, and it writes nothing else. Pages with forms that change data keep
their token, and their cookie, and so stay private.
"""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.i18n import set_language

PUBLIC_MAX_AGE = 60


class HttpCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            if is_public(request, response):
                patch_cache_control(response, public=True, max_age=0, s_maxage=PUBLIC_MAX_AGE)
                patch_vary_headers(response, ("Cookie", "Accept-Language"))
            else:
                patch_cache_control(response, private=True, no_cache=True)
        return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        # Placed before CsrfViewMiddleware: the language switcher works without a CSRF
        # cookie (see the module's docstring).
        if view is set_language:
            response: HttpResponse = view(request, *args, **kwargs)
            return response
        return None


def is_public(request: HttpRequest, response: HttpResponseBase) -> bool:
    user = getattr(request, "user", None)
    return (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and not response.cookies
        and not (user is not None and user.is_authenticated)
        # A shared cache must not keep what was asked for with credentials (RFC 9111 3.5).
        and "HTTP_AUTHORIZATION" not in request.META
    )
