"""Shared fixtures: the named people of every role (see STYLE.md) and factories."""

import pytest

from integratingcities.lib.testing import People, make_people


@pytest.fixture
def people(db: None) -> People:
    return make_people()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    """Argon2 is slow on purpose; tests that are not about hashing use a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """Each test starts with an empty cache: database ids are reused between tests."""
    from django.core.cache import cache

    cache.clear()
