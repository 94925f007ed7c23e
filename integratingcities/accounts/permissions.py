"""Who may do what. Views call these; nothing else decides access."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .models import Membership, Role

View = Callable[..., HttpResponse]


def is_secretariat(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def city_role(user: Any, city_id: int) -> str | None:
    """The user's role for a city, or None. Cached per request on the user object."""
    if not user.is_authenticated:
        return None
    roles: dict[int, str] | None = getattr(user, "_city_roles", None)
    if roles is None:
        roles = dict(Membership.objects.filter(user=user).values_list("city_id", "role"))
        user._city_roles = roles
    return roles.get(city_id)


def can_view_city_private(user: Any, city_id: int) -> bool:
    """Team, drafts and results of a city: its members and the secretariat."""
    return is_secretariat(user) or city_role(user, city_id) is not None


def can_edit_city_answers(user: Any, city_id: int) -> bool:
    """Only the city's own editors answer for it."""
    return city_role(user, city_id) == Role.EDITOR


def secretariat_required(view: View) -> View:
    """Anonymous users are sent to log in; other users get 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_secretariat(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def can_review_city(user: Any, city_id: int) -> bool:
    return is_secretariat(user) or city_role(user, city_id) == Role.REVIEWER


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The login name django-axes records, cut to the length its table stores.

    A longer name (never a real address) would otherwise fail to be recorded on PostgreSQL.
    """
    source = credentials if credentials is not None else request.POST
    return str(source.get("username") or "")[:255]
