"""Django's database sessions, read by a prepared query: every signed-in request reads its
session, and compiling that query cost more than running it."""

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.db.models import QuerySet
from django.utils import timezone

from integratingcities.lib.prepared import prepared


@prepared
def _session(session_key: str) -> QuerySet[Any]:
    # The expiry is compared in Python: a prepared query may not hold the time of its own.
    return Session.objects.filter(session_key=session_key).values_list(
        "session_data", "expire_date"
    )


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Session | None:
        key = self.session_key
        rows = [] if key is None else _session(key)
        if key is None or not rows or rows[0][1] <= timezone.now():
            self._session_key = None
            return None
        data, expire_date = rows[0]
        return Session(session_key=key, session_data=data, expire_date=expire_date)
