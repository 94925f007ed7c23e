"""``fixed`` writes what Django's ``floatformat`` writes, in every language, for any value."""

import random

import pytest
from django.template.defaultfilters import floatformat
from django.test import override_settings
from django.utils import translation

from integratingcities.lib.numbers import fixed

EDGES = [
    0.0,
    -0.0,
    0.05,
    -0.04,
    -0.05,
    0.15,
    0.25,
    1.005,
    2.675,
    12.25,
    -12.25,
    99.95,
    999.5,
    1234.5,
    -1234.5,
    1234567.0,
    1234567.891,
    1e-7,
    -1e-7,
    1e15,
    1e21,
    1e30,
    123456789012345678901234567.5,
    float("inf"),
    float("-inf"),
    float("nan"),
]


def _values(seed: int) -> list[float]:
    rng = random.Random(seed)
    drawn = [rng.uniform(-1e7, 1e7) for _ in range(400)]
    drawn += [round(rng.uniform(-1000, 1000), rng.randint(0, 4)) for _ in range(400)]
    drawn += [rng.randint(-(10**9), 10**9) / 2 for _ in range(200)]
    drawn += [float(rng.randint(0, 10**6)) for _ in range(200)]
    return EDGES + drawn


@pytest.mark.parametrize("language", ["en", "fr", "de"])
@pytest.mark.parametrize(("places", "grouped"), [(1, False), (0, True), (2, False)])
def test_fixed_is_floatformat(language: str, places: int, grouped: bool) -> None:
    arg = f"{places}g" if grouped else places
    with translation.override(language):
        for value in _values(places):
            assert fixed(value, places, grouped) == str(floatformat(value, arg)), value


@override_settings(USE_THOUSAND_SEPARATOR=True)
def test_fixed_follows_the_thousands_setting() -> None:
    with translation.override("fr"):
        for value in _values(7)[:300]:
            assert fixed(value, 1) == str(floatformat(value, 1)), value
