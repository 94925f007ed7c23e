"""A group's median kept as a window gives the same medians as every value read again."""

import random

import pytest

from integratingcities.results import indicators as analysis
from integratingcities.results.peers import GROUP_KINDS, CityFigures, peer_groups

BASIS = "born_abroad"


def _network(
    rng: random.Random, cities: int
) -> tuple[dict[int, CityFigures], list[analysis.Value]]:
    """Cities of a few countries and bands, some figures unknown; one value per city and year,
    from a few distinct numbers (ties), some on another definition, some illustrative."""
    figures = {
        city: CityFigures(
            rng.choice(["BE", "DE", "LV", ""]),
            rng.choice([None, 90_000, 300_000, 700_000, 2_000_000]),
            rng.choice([None, 8.0, 15.0, 35.0]),
        )
        for city in range(1, cities + 1)
    }
    values = [
        analysis.Value(
            city,
            year,
            float(rng.choice([2, 5, 5.5, 10, 10, 20, 33.3])),
            BASIS if rng.random() < 0.85 else "foreign_nationals",
            illustrative=rng.random() < 0.1,
        )
        for city in figures
        for year in (2014, 2016, 2018)
        if rng.random() < 0.8
    ]
    return figures, values


def _windows(
    figures: dict[int, CityFigures], values: list[analysis.Value]
) -> dict[tuple[int, str, str], analysis.MedianWindow]:
    """As ``indicators.selectors.median_windows`` groups them: the comparable values."""
    grouped: dict[tuple[int, str, str], list[analysis.Value]] = {}
    for value in analysis.comparable(values, BASIS):
        for kind, group in zip(GROUP_KINDS, figures[value.city_id].group_values(), strict=True):
            if group is not None:
                grouped.setdefault((value.year, kind, group), []).append(value)
    return {key: analysis.MedianWindow.of(rows) for key, rows in grouped.items()}


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("cities", [1, 2, 3, 4, 7, 40])
def test_every_city_gets_the_medians_every_value_gives(seed: int, cities: int) -> None:
    rng = random.Random(seed * 100 + cities)
    figures, values = _network(rng, cities)
    windows = _windows(figures, values)
    for city in figures:
        own = [v for v in values if v.city_id == city]
        others = [v for v in values if v.city_id != city]
        groups = peer_groups(city, figures)
        expected = analysis.city_series(own, others, basis=BASIS, groups=groups)
        found = analysis.city_series_from_windows(own, windows, basis=BASIS, groups=groups)
        assert found.rows == expected.rows, (city, figures[city])


def test_a_window_takes_out_one_of_equal_values() -> None:
    values = [analysis.Value(n, 2020, v, BASIS) for n, v in enumerate([1.0, 5.0, 5.0, 5.0, 9.0])]
    window = analysis.MedianWindow.of(values)
    assert window.without(None) == analysis.Median(5.0, 5)
    assert window.without(values[0]) == analysis.Median(5.0, 4)
    assert window.without(values[2]) == analysis.Median(5.0, 4)
    assert window.without(values[4]) == analysis.Median(5.0, 4)
    alone = analysis.MedianWindow.of(values[:1])
    assert alone.without(values[0]) == analysis.NO_MEDIAN
