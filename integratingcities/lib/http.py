"""Types for requests."""

from django.http import HttpRequest

from integratingcities.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request that a login check let through: its user is a person, never anonymous.

    An annotation only (as django-stubs advises): at runtime such a view receives the usual
    ``HttpRequest``, behind ``permission_required`` (which sends anonymous visitors to log in).
    """

    user: User
