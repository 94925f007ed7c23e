"""Shared fixtures: the named people of every role (see STYLE.md) and factories."""

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from django.db import connection, connections, transaction
from pytest_django import DjangoDbBlocker

from integratingcities.lib.testing import People, make_people


@pytest.fixture
def people(db: None) -> People:
    return make_people()


@pytest.fixture(scope="module")
def module_db(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """A transaction around a whole test module, rolled back after its last test.

    What a module-scoped fixture writes inside it is made once and read by every test of the
    module; each test still runs in a savepoint of its own (``db``), so each starts from the
    same data. For modules of hundreds of tests over the same content (the access matrix, the
    hostile inputs), making it for each test was most of the suite's time.

    Every test of the module that runs after the fixture was first asked for sees its rows,
    asked for or not: use it only where every test may start from that content.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    """Argon2 is slow on purpose; tests that are not about hashing use a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """Each test starts with an empty cache: database ids are reused between tests."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def shared_db(transactional_db: None, tmp_path: Path) -> Iterator[None]:
    """A database the threads' own connections all reach, with real commits.

    On SQLite, pytest-django's test database is a shared-cache in-memory one. Its locks fail at
    once ("database table is locked") where the site's database file in WAL mode waits, so the
    migrated, empty test database is copied to a file and the default alias points there during
    the test. The in-memory database stays open (closing it would destroy it) and is restored
    afterwards. PostgreSQL needs nothing.
    """
    # is_in_memory_db is on the SQLite wrapper only (hence the vendor test first).
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():  # type: ignore[attr-defined]
        yield
        return
    path = tmp_path / "concurrent.sqlite3"
    connection.ensure_connection()
    with closing(sqlite3.connect(path)) as target:
        connection.connection.backup(target)
    original_settings = connections.settings["default"]
    original = connections["default"]
    connections.settings["default"] = {**original_settings, "NAME": str(path)}
    connections["default"] = connections.create_connection("default")
    try:
        yield
    finally:
        connections["default"].close()
        connections["default"] = original
        connections.settings["default"] = original_settings
