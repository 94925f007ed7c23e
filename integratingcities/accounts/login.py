"""Helpers for logging in that django-axes calls by name from the settings."""

from typing import Any

from django.http import HttpRequest


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The login name django-axes records: in lower case, so that case variants of an address
    share one lockout; cut to the length its table stores.

    A longer name (never a real address) would otherwise fail to be recorded on PostgreSQL.
    """
    source = credentials if credentials is not None else request.POST
    return str(source.get("username") or "").strip().lower()[:255]
