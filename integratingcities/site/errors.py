"""The pages of errors (404, 403, 500): what happened in plain words, and a way back.

Each page is in the site's layout with its navigation. The 500 page is rendered without the
context processors: the database may be what failed, and the person's session and account
live there, so it must not ask for them.
"""

from urllib.parse import urlsplit

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token


def _previous_page(request: HttpRequest) -> str:
    """The page of this site the person came from (the Referer), or "" when there is none.

    Only a page of this host counts, and never the page that failed itself.
    """
    referer = request.META.get("HTTP_REFERER", "")
    if not referer:
        return ""
    try:
        host = request.get_host()
    except DisallowedHost:
        return ""
    if not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={host}, require_https=request.is_secure()
    ):
        return ""
    if urlsplit(referer).path == request.path:
        return ""
    return referer


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(
        request,
        "404.html",
        {"previous_page": _previous_page(request), "request_path": request.path},
        status=404,
    )


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", {"previous_page": _previous_page(request)}, status=403)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, from the request alone: no user, no session, no messages (no database)."""
    template = loader.get_template("500.html")
    context = {
        "request": request,
        "csrf_token": get_token(request),
        "previous_page": _previous_page(request),
    }
    return HttpResponseServerError(template.render(context))
