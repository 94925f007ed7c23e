"""Failed logins: django-axes, limited per login name and per client address.

axes counts failures by its lockout parameters (``AXES_LOCKOUT_PARAMETERS``): here a login name
from one address, and one address whatever the names, so that a flood of failures with a new
e-mail address each time is stopped too. axes compares the count with one limit
(``AXES_FAILURE_LIMIT``); each group here has its own (``AXES_IP_FAILURE_LIMIT`` for an
address, higher: colleagues behind one office address mistype too), so the handler scales an
address's count to axes' limit. The check runs in axes' authentication backend, first in
``AUTHENTICATION_BACKENDS``: a locked out attempt is refused before any password is hashed.

The client's address is ``REMOTE_ADDR``; behind ``PROXY_COUNT`` reverse proxies it is the
address the outermost proxy saw, read from ``X-Forwarded-For`` (without this, every visitor
would have the proxy's address and one flood would lock everybody out).
"""

import ipaddress
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit, get_lockout_parameters
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, trusting X-Forwarded-For only as far as our own proxies wrote it.

    Each of the PROXY_COUNT proxies appends the address it received the request from; the
    first of those entries, counted from the right, is the client. Anything to its left was
    sent by the client and may be made up.
    """
    remote = request.META.get("REMOTE_ADDR")
    proxies: int = settings.PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote  # not through our proxies, or they are not configured as documented
    try:
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:
        return remote


def _is_address_only(parameter: str | list[str]) -> bool:
    return parameter == "ip_address" or parameter == ["ip_address"]


class LoginThrottleHandler(AxesDatabaseHandler):
    """axes' database handler, with a limit of its own for failures from one address."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        limit = get_failure_limit(request, credentials)
        address_limit = max(int(settings.AXES_IP_FAILURE_LIMIT), 1)
        parameters = get_lockout_parameters(request, credentials)
        attempts = self.get_user_attempts(request, credentials)
        worst = 0
        for parameter, queryset in zip(parameters, attempts, strict=True):
            failures = queryset.aggregate(total=Sum("failures_since_start"))["total"] or 0
            if _is_address_only(parameter):
                # Reaches axes' limit exactly when the address reaches its own.
                failures = failures * limit // address_limit
            worst = max(worst, failures)
        return worst

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        """A login clears that name's failures from that address, never the whole address's.

        Otherwise one working account would wipe, at each login, a flood of failures with other
        names from the same machine.
        """
        parameters = get_lockout_parameters(request, credentials)
        attempts = self.filter_user_attempts(request, credentials)
        count = 0
        for parameter, queryset in zip(parameters, attempts, strict=True):
            if not _is_address_only(parameter):
                count += queryset.delete()[0]
        return count
