"""The database cache's one-statement writes: the same behaviour as Django's, fewer queries."""

from collections.abc import Iterator
from unittest import mock

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from integratingcities.lib import cache as database_cache

CACHES = {
    "default": {
        "BACKEND": "integratingcities.lib.cache.DatabaseCache",
        "LOCATION": "ic_cache",
        "OPTIONS": {"MAX_ENTRIES": 10},
    }
}


@pytest.fixture
def shared() -> Iterator[database_cache.DatabaseCache]:
    with override_settings(CACHES=CACHES):
        found = caches["default"]
        assert isinstance(found, database_cache.DatabaseCache)
        found.clear()
        yield found


@pytest.mark.django_db(transaction=True)
def test_a_write_is_one_statement_and_reads_back(shared: database_cache.DatabaseCache) -> None:
    with mock.patch.object(database_cache.random, "random", return_value=0.5):
        with CaptureQueriesContext(connection) as first:
            shared.set("page:a", {"html": "<p>é</p>"}, 60)
        with CaptureQueriesContext(connection) as again:
            shared.set("page:a", {"html": "<p>b</p>"}, 60)
        shared.set("kept", [1, 2], None)
        shared.set_many({"x": 1, "y": 2}, 60)
    assert len(first.captured_queries) == len(again.captured_queries) == 1
    assert shared.get("page:a") == {"html": "<p>b</p>"}
    assert shared.get("kept") == [1, 2]
    assert shared.get_many(["x", "y"]) == {"x": 1, "y": 2}


@pytest.mark.django_db
def test_an_expired_entry_is_not_read_and_add_still_adds_once(
    shared: database_cache.DatabaseCache,
) -> None:
    with mock.patch.object(database_cache.random, "random", return_value=0.5):
        shared.set("gone", 1, -1)
        assert shared.get("gone") is None
        assert shared.add("generation", "a") and not shared.add("generation", "b")
        shared.set("generation", "c")
    assert shared.get("generation") == "c"


@pytest.mark.django_db
def test_one_write_in_so_many_counts_and_culls(shared: database_cache.DatabaseCache) -> None:
    with mock.patch.object(database_cache.random, "random", return_value=0.5):
        for n in range(30):
            shared.set(f"page:{n}", n, 60)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM ic_cache")
        assert cursor.fetchone()[0] == 30  # past MAX_ENTRIES: no write counted them
    with mock.patch.object(database_cache.random, "random", return_value=0.0):
        shared.set("page:last", "last", 60)  # this one counts, and culls
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM ic_cache")
        assert cursor.fetchone()[0] <= 21
    assert shared.get("page:last") == "last"
