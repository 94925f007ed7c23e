"""API authentication: a personal token (Authorization: Bearer ic_...) or the browser session."""

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


# Writes need a token or a logged-in session (the session path keeps CSRF protection).
token_or_session = [TokenAuth(), django_auth]
