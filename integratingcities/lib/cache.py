"""Django's database cache, with a ``set`` of one statement.

Django's own ``set`` counts the whole table first (to cull it past ``MAX_ENTRIES``), then
reads the key and updates or inserts it in a transaction: five statements, and a count that
grows with the number of entries (kept pages, charts: up to 20,000 here). A page that misses
the page cache writes twice (its data, then itself). Here a ``set`` is one upsert
(``INSERT … ON CONFLICT … DO UPDATE``, which PostgreSQL and SQLite understand), and one write
in ``CULL_EVERY`` goes through Django's own ``set``, which counts and culls: the table may
exceed ``MAX_ENTRIES`` by a few dozen entries between two counts. Other databases, and
``add`` and ``touch``, are Django's as they are.
"""

import base64
import pickle
import random
from contextlib import nullcontext
from datetime import UTC, datetime
from typing import Any, cast

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import DatabaseError, connections, router, transaction

CULL_EVERY = 50
UPSERT_VENDORS = ("postgresql", "sqlite")


class DatabaseCache(DjangoDatabaseCache):
    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        if connection.vendor not in UPSERT_VENDORS or random.random() < 1 / CULL_EVERY:
            super().set(key, value, timeout, version)  # counts the entries, culls past the limit
            return
        key = self.make_and_validate_key(key, version=version)
        seconds = self.get_backend_timeout(timeout)
        expires = (
            datetime.max
            if seconds is None
            else datetime.fromtimestamp(seconds, tz=UTC if settings.USE_TZ else None)
        )
        encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
        quote = connection.ops.quote_name
        table = quote(cast(Any, self)._table)  # the table's name, from the settings
        cache_key, stored, expiry = quote("cache_key"), quote("value"), quote("expires")
        # Inside a transaction, a savepoint keeps a failed write from breaking it (as Django's
        # own set does); outside one, the single statement needs none.
        guard = transaction.atomic(using=db) if connection.in_atomic_block else nullcontext()
        # Quoted names from the settings; the values go as parameters.
        upsert = (
            f"INSERT INTO {table} ({cache_key}, {stored}, {expiry}) VALUES (%s, %s, %s) "  # noqa: S608
            f"ON CONFLICT ({cache_key}) DO UPDATE SET {stored} = EXCLUDED.{stored}, "
            f"{expiry} = EXCLUDED.{expiry}"
        )
        moment = connection.ops.adapt_datetimefield_value(expires.replace(microsecond=0))
        try:
            with guard, connection.cursor() as cursor:
                cursor.execute(upsert, [key, encoded, moment])
        except DatabaseError:
            pass  # as Django's own set: a cache write that fails is a miss later, not an error
