"""API authentication: a personal token (Authorization: Bearer ic_...) or the browser session."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from integratingcities.accounts.services import token_user


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_user(token[:200])
        if user is not None:
            request.user = user
        return user


def anyone(request: HttpRequest) -> bool:
    """Reads that are public: a visitor passes too, but a token that is given must be valid
    (a mistyped token is a 401, not a silent visit as nobody)."""
    return "Authorization" not in request.headers


# Writes need a token or a logged-in session (the session path keeps CSRF protection).
token_or_session = [TokenAuth(), django_auth]
# Public reads still read a token, so its holder sees what their session would show
# (their city's drafts, the secretariat's unpublished rounds): never less, never more.
token_if_given: list[Callable[..., Any]] = [TokenAuth(), anyone]
