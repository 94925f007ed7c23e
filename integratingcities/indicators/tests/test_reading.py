"""Reading indicators: medians of the network and of peer groups, ranks, the gap to the
reference, breaks where the definition changes, illustrative labels, and flat query counts."""

import random
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from integratingcities.cities.models import City
from integratingcities.cities.services import city_save
from integratingcities.indicators import selectors
from integratingcities.indicators.models import Indicator, IndicatorValue
from integratingcities.indicators.services import city_figures_sync, indicators_load, value_save
from integratingcities.lib import scoring
from integratingcities.lib.testing import CityFactory, People, client_for, main_content
from integratingcities.results import indicators as analysis
from integratingcities.results.peers import COUNTRY, NETWORK, SIZE_BAND, PeerGroup

CATALOGUE = Path(settings.BASE_DIR) / "content/indicators.yaml"
STAFF, RESIDENTS = "staff-migrant-background-share", "migrant-background-share"


@pytest.fixture
def catalogue(db: None) -> dict[str, Indicator]:
    indicators_load(CATALOGUE)
    return {indicator.key: indicator for indicator in Indicator.objects.all()}


def put(
    indicator: Indicator,
    city: City,
    year: int,
    value: float | int | str,
    basis: str = "",
    source: str = "",
    **fields: object,
) -> IndicatorValue:
    return IndicatorValue.objects.create(
        indicator=indicator,
        city=city,
        year=year,
        value=Decimal(str(value)),
        basis=basis or indicator.basis,
        source=source or f"Statistics {year}",
        **fields,
    )


def figures(
    catalogue: dict[str, Indicator], city: City, population: int, share: float = 15
) -> None:
    """A city's population and foreign-born share of 2020, which its peer groups rest on."""
    put(catalogue["population"], city, 2020, population)
    put(catalogue["foreign-born-share"], city, 2020, share)


def v(
    city: int,
    year: int,
    value: float,
    basis: str = "migrant_background",
    illustrative: bool = False,
) -> analysis.Value:
    return analysis.Value(city, year, value, basis, illustrative=illustrative)


# ---------------------------------------------------------------------------------------------
# The rules, on known data


def test_medians_per_year_count_only_the_indicators_own_definition() -> None:
    values = [
        v(1, 2015, 10),
        v(2, 2015, 20),
        v(3, 2015, 40),
        v(4, 2015, 99, basis="foreign_nationals"),  # another definition: left out
        v(1, 2016, 12),
        v(2, 2016, 30),
    ]
    medians = analysis.medians_by_year(values, "migrant_background")
    assert medians[2015] == analysis.Median(20, 3)
    assert medians[2016].value == 21 and medians[2016].count == 2
    assert analysis.medians_by_year(values, "migrant_background", members={1, 3})[2015].value == 25


def test_a_median_that_counts_an_illustrative_value_is_illustrative() -> None:
    assert analysis.median_of([v(1, 2015, 10), v(2, 2015, 20, illustrative=True)]).illustrative
    assert not analysis.median_of([v(1, 2015, 10)]).illustrative
    assert analysis.median_of([]) == analysis.NO_MEDIAN


def test_peer_group_medians_are_of_the_other_cities_in_the_group() -> None:
    groups = [
        PeerGroup(NETWORK, "", frozenset({2, 3, 4})),
        PeerGroup(SIZE_BAND, "SMALL", frozenset({2, 3})),
    ]
    own = [v(1, 2015, 5), v(1, 2016, 6)]
    others = [v(2, 2015, 10), v(3, 2015, 20), v(4, 2015, 90), v(2, 2016, 8)]
    series = analysis.city_series(own, others, basis="migrant_background", groups=groups)
    first, second = series.rows
    assert (first.network.value, first.network.count) == (20, 3)
    assert (first.groups[SIZE_BAND].value, first.groups[SIZE_BAND].count) == (15, 2)
    assert second.groups[SIZE_BAND].value == 8
    assert not series.has_break


def test_the_gap_is_in_points_for_the_same_year_or_the_nearest_earlier_one() -> None:
    reference = [v(1, 2011, 30), v(1, 2014, 40), v(1, 2020, 50), v(2, 2015, 10)]
    same = analysis.gap(v(1, 2014, 10), reference)
    assert same is not None and same.same_year
    assert (same.points, same.ratio) == (-30, 0.25)
    earlier = analysis.gap(v(1, 2016, 12), reference)
    assert earlier is not None and earlier.reference_year == 2014 and not earlier.same_year
    assert earlier.points == -28
    assert analysis.gap(v(1, 2010, 12), reference) is None  # nothing that early
    assert analysis.gap(v(3, 2016, 12), reference) is None  # another city's is never used
    zero = analysis.gap(v(1, 2011, 5), [v(1, 2011, 0)])
    assert zero is not None and zero.ratio is None and zero.points == 5
    other = analysis.gap(v(1, 2014, 10, basis="foreign_nationals"), reference)
    assert other is not None and not other.same_basis


def test_a_change_of_definition_splits_the_series() -> None:
    series = [
        v(1, 2010, 10),
        v(1, 2012, 11),
        v(1, 2014, 15, basis="foreign_nationals"),
        v(1, 2016, 16, basis="foreign_nationals"),
        v(1, 2018, 12),
    ]
    found = analysis.segments(reversed(series))
    assert [(s.basis, s.first_year, s.last_year) for s in found] == [
        ("migrant_background", 2010, 2012),
        ("foreign_nationals", 2014, 2016),
        ("migrant_background", 2018, 2018),
    ]
    assert len(analysis.segments(series[:2])) == 1
    assert analysis.segments([]) == []


def test_ranks_follow_the_better_direction_and_are_shared_by_ties() -> None:
    values = [v(1, 2015, 10), v(2, 2015, 30), v(3, 2015, 30), v(4, 2015, 5, basis="refugees")]
    higher = analysis.ranked(values, better="higher", basis="migrant_background")
    assert [(r.value.city_id, r.rank) for r in higher] == [(2, 1), (3, 1), (1, 3), (4, None)]
    lower = analysis.ranked(values, better="lower", basis="migrant_background")
    assert [(r.value.city_id, r.rank) for r in lower] == [(4, None), (1, 1), (2, 2), (3, 2)]
    assert not lower[0].comparable
    neither = analysis.ranked(values, better="neither", basis="migrant_background")
    assert [r.rank for r in neither] == [None] * 4
    assert [r.value.city_id for r in neither] == [2, 3, 1, 4]  # largest first


@pytest.mark.parametrize("seed", range(40))
def test_each_rank_counts_the_comparable_values_strictly_ahead(seed: int) -> None:
    """The ranks, found by binary search, are what counting every value ahead gives."""
    rng = random.Random(seed)
    values = [
        v(city, 2015, rng.choice([rng.randint(0, 20), rng.random() * 20]), basis=basis)
        for city, basis in enumerate(
            rng.choices(["migrant_background", "refugees"], weights=[5, 1], k=rng.randint(0, 60))
        )
    ]
    counted = [x.value for x in values if x.basis == "migrant_background"]
    for better, ahead in (("higher", lambda a, b: a > b), ("lower", lambda a, b: a < b)):
        for found in analysis.ranked(values, better=better, basis="migrant_background"):
            expected = (
                1 + sum(ahead(c, found.value.value) for c in counted) if found.comparable else None
            )
            assert found.rank == expected


@pytest.mark.parametrize("seed", range(6))
def test_the_distribution_read_a_slice_at_a_time_is_the_rules_answer(
    catalogue: dict[str, Indicator], seed: int
) -> None:
    """The distribution keeps its order as ids and ranks and reads its rows a slice at a
    time; on random values with ties, earlier years and other definitions, the slices make
    what ``results.indicators`` gives for all the values at once."""
    rng = random.Random(seed)
    indicator = catalogue[STAFF]
    indicator.better = rng.choice(["higher", "lower", "neither"])
    indicator.save()
    cities = City.objects.bulk_create(
        City(name=f"Town {n}", slug=f"town-{n}", country="BE") for n in range(rng.randint(1, 40))
    )
    values = []
    for city in cities:
        for year in rng.sample(range(2010, 2020), rng.randint(1, 3)):
            values.append(
                IndicatorValue(
                    indicator=indicator,
                    city=city,
                    year=year,
                    value=Decimal(rng.choice(["3", "7.5", "10", str(rng.randint(0, 400) / 8)])),
                    basis=rng.choices([indicator.basis, "foreign_nationals"], [4, 1])[0],
                    is_illustrative=rng.random() < 0.1,
                )
            )
    IndicatorValue.objects.bulk_create(values)
    latest = analysis.latest(
        analysis.Value(x.city_id, x.year, float(x.value), x.basis, illustrative=x.is_illustrative)
        for x in values
    ).values()
    expected = analysis.ranked(latest, better=indicator.better, basis=indicator.basis)

    found = selectors.distribution(indicator, selectors.CityFilters())
    rows = [r.ranked for part in range(0, len(found.rows), 7) for r in found.rows[part : part + 7]]
    assert [(r.value.city_id, r.value.year, r.rank, r.comparable) for r in rows] == [
        (r.value.city_id, r.value.year, r.rank, r.comparable) for r in expected
    ]
    assert found.median == analysis.median_of(analysis.comparable(latest, indicator.basis))
    assert found.other_definitions == sum(not r.comparable for r in expected)
    assert found.illustrative == any(r.value.illustrative for r in expected)


@pytest.mark.parametrize("kept", [True, False], ids=["drawn from the kept values", "read"])
@pytest.mark.parametrize("seed", range(4))
def test_a_filtered_distribution_is_the_rules_answer(
    catalogue: dict[str, Indicator], seed: int, kept: bool
) -> None:
    """A filtered view picks its cities' rows from the latest values kept for the unfiltered
    one, reading no value to find them, or, with nothing kept, reads its cities' values
    alone; on random cities, values and filters, it is what ``results.indicators`` gives for
    the latest values of the filter's cities."""
    rng = random.Random(seed)
    indicator = catalogue[STAFF]
    indicator.better = rng.choice(["higher", "lower", "neither"])
    indicator.save()
    cities = City.objects.bulk_create(
        City(
            name=f"Town {n}",
            slug=f"town-{n}",
            country=rng.choice(["BE", "LV", "DE"]),
            population=rng.choice([None, 40_000, 260_000, 610_000, 1_200_000]),
            population_year=rng.choice([None, 2019, 2021]),
            foreign_born_share=rng.choice([None, Decimal("4.5"), Decimal("15"), Decimal("100")]),
            foreign_born_year=rng.choice([None, 2018, 2022]),
        )
        for n in range(rng.randint(1, 40))
    )
    values = [
        IndicatorValue(
            indicator=indicator,
            city=city,
            year=year,
            value=Decimal(rng.choice(["3", "7.5", str(rng.randint(0, 400) / 8)])),
            basis=rng.choices([indicator.basis, "foreign_nationals"], [4, 1])[0],
            source="Statistics",
            is_illustrative=rng.random() < 0.1,
        )
        for city in cities
        for year in rng.sample(range(2010, 2020), rng.randint(1, 3))
    ]
    IndicatorValue.objects.bulk_create(values)
    latest = analysis.latest(
        analysis.Value(x.city_id, x.year, float(x.value), x.basis, illustrative=x.is_illustrative)
        for x in values
    )
    if kept:
        selectors.distribution(indicator, selectors.CityFilters())  # as the worker does
    for filters in (
        selectors.CityFilters(country="LV"),
        selectors.CityFilters(band=scoring.Band.MEDIUM),
        selectors.CityFilters(foreign_born="10-20%"),
        selectors.CityFilters(country="BE", band=scoring.Band.SMALL, foreign_born="0-10%"),
    ):
        members = {c.pk: c for c in filters.cities()}
        chosen = [value for city_id, value in latest.items() if city_id in members]
        expected = analysis.ranked(chosen, better=indicator.better, basis=indicator.basis)
        with CaptureQueriesContext(connection) as queries:
            found = selectors.distribution(indicator, filters)
        assert any("indicatorvalue" in q["sql"] for q in queries) is not kept
        assert [
            (r.value.city_id, r.value.year, r.rank) for r in (x.ranked for x in found.rows)
        ] == [(r.value.city_id, r.value.year, r.rank) for r in expected]
        assert found.median == analysis.median_of(analysis.comparable(chosen, indicator.basis))
        assert sorted(found.shown) == sorted(v.value for v in chosen if v.basis == indicator.basis)
        assert found.years == selectors._span(v.year for v in chosen)
        assert found.population_years == selectors._span(
            members[v.city_id].population_year for v in chosen
        )
        assert found.foreign_born_years == selectors._span(
            members[v.city_id].foreign_born_year for v in chosen
        )
        assert found.illustrative == any(v.illustrative for v in chosen)


# ---------------------------------------------------------------------------------------------
# The pages


def test_the_catalogue_lists_every_indicator_with_its_cities(
    people: People, catalogue: dict[str, Indicator]
) -> None:
    put(catalogue[STAFF], people.ghent, 2015, 12)
    put(catalogue[STAFF], people.ghent, 2016, 13)
    put(catalogue[STAFF], people.riga, 2016, 3)
    found = {i.key: i.city_count for i in selectors.catalogue()}  # type: ignore[attr-defined]
    assert found[STAFF] == 2 and found["population"] == 0
    page = client_for(None).get(reverse("indicators:list")).content.decode()
    assert "City staff with a migrant background" in page
    assert reverse("indicators:detail", kwargs={"key": STAFF}) in page


def test_the_distribution_ranks_where_a_direction_is_better(
    people: People, catalogue: dict[str, Indicator]
) -> None:
    staff = catalogue[STAFF]
    zagreb = CityFactory.create(name="Zagreb", slug="zagreb", country="HR")
    put(staff, people.ghent, 2014, 10)
    put(staff, people.ghent, 2016, 14)  # the latest counts
    put(staff, people.riga, 2015, 6, is_illustrative=True)
    put(staff, zagreb, 2015, 20, basis="foreign_nationals")
    found = selectors.distribution(staff, selectors.CityFilters())
    assert [(r.city.slug, r.value.value, r.ranked.rank) for r in found.rows] == [
        ("zagreb", 20, None),
        ("ghent", 14, 1),
        ("riga", 6, 2),
    ]
    assert found.median.value == 10 and found.median.illustrative
    page = client_for(None).get(reverse("indicators:detail", kwargs={"key": STAFF}))
    html = page.content.decode()
    assert "Rank" in html and "another definition" in html and "illustrative" in html
    assert 'scope="row"' in html and "alt=" in html
    chart = client_for(None).get(reverse("indicators:chart", kwargs={"key": STAFF}))
    assert chart["Content-Type"] == "image/svg+xml"
    assert b"Illustrative" in chart.content


def test_the_kept_distribution_follows_every_change(
    people: People, catalogue: dict[str, Indicator]
) -> None:
    """The order is kept in the shared cache under the data generation: a new value, a
    corrected one and a changed direction each show at once."""
    staff = catalogue[STAFF]
    put(staff, people.ghent, 2016, 14)
    first = selectors.distribution(staff, selectors.CityFilters())
    assert [(r.city.slug, r.ranked.rank) for r in first.rows] == [("ghent", 1)]
    riga = put(staff, people.riga, 2016, 20)
    found = selectors.distribution(staff, selectors.CityFilters())
    assert [(r.city.slug, r.ranked.rank) for r in found.rows] == [("riga", 1), ("ghent", 2)]
    riga.value = Decimal("3")
    riga.save()
    found = selectors.distribution(staff, selectors.CityFilters())
    assert [(r.city.slug, r.ranked.rank) for r in found.rows] == [("ghent", 1), ("riga", 2)]
    assert found.median.value == 8.5
    staff.better = "lower"
    staff.save()
    found = selectors.distribution(staff, selectors.CityFilters())
    assert [(r.city.slug, r.ranked.rank) for r in found.rows] == [("riga", 1), ("ghent", 2)]


def test_a_value_saved_warms_what_the_pages_keep_once_it_commits(
    people: People,
    catalogue: dict[str, Indicator],
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After a value is saved the worker makes every indicator's kept figures, so the next
    visitor reads them (a city's indicators made them while its first visitor waited)."""
    staff = catalogue[STAFF]
    put(staff, people.riga, 2016, 20)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        value_save(
            user=people.secretariat,
            indicator=staff,
            city=people.ghent,
            year=2016,
            value=Decimal("14"),
            source="Staff survey",
        )
    assert callbacks  # the task, run at once by the tests' task backend

    def made_again(*args: object) -> None:
        raise AssertionError("made again, not read from the cache")

    monkeypatch.setattr(selectors, "_order", made_again)
    found = selectors.distribution(staff, selectors.CityFilters())
    assert [(r.city.slug, r.ranked.rank) for r in found.rows] == [("riga", 1), ("ghent", 2)]
    assert [c.code for c in selectors.countries_with_values(staff)] == ["BE", "LV"]
    # The catalogue, and each indicator's page as first seen, in every language.
    monkeypatch.setattr(selectors, "_indicator_page", made_again)
    monkeypatch.setattr(selectors, "catalogue", made_again)
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            assert "Ghent" in selectors.indicator_page(staff, selectors.CityFilters(), None).body
            assert STAFF in selectors.catalogue_rows()


def test_a_city_edited_warms_what_the_pages_keep_once_it_commits(
    people: People,
    catalogue: dict[str, Indicator],
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The indicator pages keep what they draw from the cities too: an edit of a city makes
    them stale, and the worker makes them again, not the next visitor."""
    staff = catalogue[STAFF]
    put(staff, people.riga, 2016, 20)
    put(staff, people.ghent, 2016, 14)
    people.ghent.name = "Gent"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        city_save(city=people.ghent, user=people.secretariat)
    assert callbacks

    def made_again(*args: object) -> None:
        raise AssertionError("made again, not read from the cache")

    monkeypatch.setattr(selectors, "_order", made_again)
    found = selectors.distribution(staff, selectors.CityFilters())
    assert [(r.city.name, r.ranked.rank) for r in found.rows] == [("Riga", 1), ("Gent", 2)]


def test_an_indicator_that_is_a_fact_is_not_ranked(
    people: People, catalogue: dict[str, Indicator]
) -> None:
    put(catalogue["population"], people.ghent, 2015, 259_000)
    put(catalogue["population"], people.riga, 2015, 640_000)
    html = client_for(None).get(reverse("indicators:detail", kwargs={"key": "population"}))
    text = html.content.decode()
    assert "not ranked" in text and ">Rank<" not in text
    assert "640,000" in text or "640 000" in text or "640.000" in text


def test_the_distribution_filters_by_peer_group(
    people: People, catalogue: dict[str, Indicator]
) -> None:
    for city, population in ((people.ghent, 260_000), (people.riga, 610_000)):
        figures(catalogue, city, population)
        put(catalogue[STAFF], city, 2019, 10)
    city_figures_sync()
    medium = selectors.CityFilters(band=scoring.Band.MEDIUM)
    assert [r.city.slug for r in selectors.distribution(catalogue[STAFF], medium).rows] == ["ghent"]
    latvia = selectors.CityFilters(country="LV")
    assert [r.city.slug for r in selectors.distribution(catalogue[STAFF], latvia).rows] == ["riga"]
    url = reverse("indicators:detail", kwargs={"key": STAFF})
    html = client_for(None).get(url, {"band": "LARGE", "foreign_born": "nonsense"}).content
    assert b"(filtered)" in html and b"Riga" in html and b">Ghent<" not in html
    assert b"populations of these cities are of 2020" in html
    chart = client_for(None).get(reverse("indicators:chart", kwargs={"key": STAFF}), {"band": "X"})
    assert chart.status_code == 200


def test_an_unknown_indicator_is_not_found(people: People, catalogue: dict[str, Indicator]) -> None:
    client = client_for(None)
    assert client.get(reverse("indicators:detail", kwargs={"key": "no-such"})).status_code == 404
    assert client.get("/indicators/cities/no-such/").status_code == 404
    chart = reverse("indicators:city_chart", kwargs={"slug": "ghent", "key": "population"})
    assert client.get(chart).status_code == 404  # Ghent has no population value


def _ghent_staff(people: People, catalogue: dict[str, Indicator]) -> None:
    """Ghent's staff share over time, with a change of definition, beside its population share;
    Riga (another country, the same size band) and Zagreb for the medians."""
    staff, residents = catalogue[STAFF], catalogue[RESIDENTS]
    zagreb = CityFactory.create(name="Zagreb", slug="zagreb", country="HR")
    for city, population in ((people.ghent, 260_000), (people.riga, 300_000), (zagreb, 800_000)):
        figures(catalogue, city, population)
    city_figures_sync()
    put(staff, people.ghent, 2012, 8)
    put(staff, people.ghent, 2014, 10)
    put(staff, people.ghent, 2016, 9, basis="foreign_nationals", note="nationality only")
    put(staff, people.ghent, 2018, 12)
    put(residents, people.ghent, 2011, 30)
    put(residents, people.ghent, 2014, 33)
    put(staff, people.riga, 2014, 4, is_illustrative=True)
    put(staff, zagreb, 2014, 20)
    put(staff, zagreb, 2018, 16)


def test_the_medians_follow_a_new_value_and_a_new_population_at_once(
    people: People, catalogue: dict[str, Indicator]
) -> None:
    """The groups' medians are kept between pages (``median_windows``), never stale."""
    _ghent_staff(people, catalogue)

    def band_2014() -> analysis.Median:
        staff = next(
            item
            for item in selectors.city_indicators(people.ghent).indicators
            if item.indicator.key == STAFF
        )
        return next(row for row in staff.series.rows if row.year == 2014).groups[SIZE_BAND]

    assert (band_2014().value, band_2014().count) == (4, 1)
    IndicatorValue.objects.filter(city=people.riga, indicator=catalogue[STAFF]).update(value=6)
    assert band_2014().value == 6
    # Zagreb's population corrected into Ghent's band (the indicators copy it onto the city).
    City.objects.filter(slug="zagreb").update(population=400_000)
    assert (band_2014().value, band_2014().count) == (13, 2)


def test_a_city_page_is_kept_and_shows_every_change_on_the_next_visit(
    people: People, catalogue: dict[str, Indicator]
) -> None:
    """What a city's page shows below its peer-group form is kept per city, group and language
    (``selectors.city_page``): a new value, another city's population (which moves it into the
    group) and another group or language show on the next visit."""
    _ghent_staff(people, catalogue)
    url = reverse("indicators:city", args=["ghent"])
    client = client_for(people.viewer)  # signed in: past the cache of whole public pages

    def visit(**params: Any) -> tuple[str, int]:
        return _visit(client, url, params.pop("query", {}), **params)

    first, values = visit()
    assert values >= 1 and "10.0%" in first
    again, values = visit()
    assert values == 0 and again == first

    put(catalogue[STAFF], people.ghent, 2020, 14.5)
    page, values = visit()
    assert values >= 1 and "14.5%" in page

    riga_alone = '4.0%</span> <span class="muted small nowrap">(1 city)'  # the band in 2014
    assert riga_alone in page
    City.objects.filter(slug="zagreb").update(population=400_000)
    assert riga_alone not in visit()[0]  # Zagreb is in Ghent's band now

    by_country, values = visit(query={"group": COUNTRY})
    assert values >= 1 and by_country != visit()[0]
    # Each chart is drawn beside the group the tables show.
    chart = reverse("indicators:city_chart", args=["ghent", STAFF])
    assert f'src="{chart}?group=country"' in by_country
    assert f'src="{chart}"' in visit()[0]
    french, values = visit(HTTP_ACCEPT_LANGUAGE="fr")
    assert values >= 1 and "10,0%" in french and "10.0%" not in french
    assert "10.0%" in visit()[0]


def test_a_city_page_charts_each_indicator_against_the_network_and_its_peers(
    people: People, catalogue: dict[str, Indicator]
) -> None:
    _ghent_staff(people, catalogue)
    found = selectors.city_indicators(people.ghent)
    assert [item.indicator.key for item in found.indicators] == [
        "population",
        "foreign-born-share",
        RESIDENTS,
        STAFF,
    ]
    staff = next(item for item in found.indicators if item.indicator.key == STAFF)
    rows = {row.year: row for row in staff.series.rows}
    assert (rows[2014].network.value, rows[2014].network.count) == (12, 2)
    assert rows[2014].network.illustrative  # Riga's value is illustrative
    assert rows[2014].groups[SIZE_BAND].value == 4  # Riga alone shares Ghent's band
    assert rows[2018].groups[SIZE_BAND].count == 0
    # The gap in points, against the same year or the nearest earlier one.
    assert rows[2014].gap is not None and rows[2014].gap.points == -23
    assert rows[2012].gap is not None and rows[2012].gap.reference_year == 2011
    assert rows[2018].gap is not None and rows[2018].gap.reference_year == 2014
    assert not rows[2016].comparable and staff.series.has_break
    assert len(staff.series.segments) == 3
    by_country = selectors.city_indicators(people.ghent, COUNTRY)
    assert by_country.group.kind == COUNTRY and by_country.group.size == 0

    html = client_for(None).get(reverse("indicators:city", kwargs={"slug": "ghent"})).content
    text = html.decode()
    assert "The definition changes in this series" in text
    assert "-23.0" in text and "percentage points" in text
    assert "nearest earlier year" in text
    assert "another definition" in text and "illustrative" in text
    assert "population 260,000 of 2020" in text
    assert reverse("indicators:city_chart", kwargs={"slug": "ghent", "key": STAFF}) in text
    chart = client_for(None).get(
        reverse("indicators:city_chart", kwargs={"slug": "ghent", "key": STAFF}),
        {"group": "country"},
    )
    assert chart["Content-Type"] == "image/svg+xml"
    svg = chart.content.decode()
    assert "never joined" in svg and "Illustrative" in svg


def test_the_city_page_links_to_its_indicators(
    people: People, catalogue: dict[str, Indicator]
) -> None:
    put(catalogue[STAFF], people.ghent, 2014, 10, is_illustrative=True)
    page = client_for(None).get(reverse("cities:detail", kwargs={"slug": "ghent"}))
    text = page.content.decode()
    assert reverse("indicators:city", kwargs={"slug": "ghent"}) in text
    assert "City staff with a migrant background" in text and "illustrative" in text
    empty = client_for(None).get(reverse("indicators:city", kwargs={"slug": "riga"}))
    assert b"No indicator values for this city yet" in empty.content


# ---------------------------------------------------------------------------------------------
# Query counts do not grow with the number of cities


def _network(catalogue: dict[str, Indicator], size: int) -> None:
    for n in range(size):
        city = CityFactory.create(country=["BE", "LV", "HR"][n % 3])
        figures(catalogue, city, 100_000 + n * 30_000, n % 40)
        for year in (2014, 2016):
            put(catalogue[STAFF], city, year, 5 + n % 17, is_illustrative=n % 5 == 0)
            put(catalogue[RESIDENTS], city, year, 20 + n % 13)
    city_figures_sync()


def _queries(url: str) -> int:
    client = client_for(None)
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/indicators/",
        f"/indicators/{STAFF}/",
        f"/indicators/{STAFF}/?band=SMALL&country=BE",
        f"/indicators/{STAFF}/chart.svg",
        "/indicators/cities/ghent/",
        f"/indicators/cities/ghent/{STAFF}.svg",
        "/cities/ghent/",
    ],
)
def test_query_counts_are_flat_in_the_number_of_cities(
    people: People, catalogue: dict[str, Indicator], url: str
) -> None:
    figures(catalogue, people.ghent, 260_000)
    figures(catalogue, people.riga, 600_000)
    for key in (STAFF, RESIDENTS):
        put(catalogue[key], people.ghent, 2014, 10)
    _network(catalogue, 5)
    few = _queries(url)
    _network(catalogue, 45)
    assert _queries(url) == few


def test_the_table_is_paged_and_keeps_the_ranks_and_filters_across_pages(
    people: People, catalogue: dict[str, Indicator]
) -> None:
    staff = catalogue[STAFF]
    for n in range(105):
        city = CityFactory.create(name=f"Town {n:03}", country="BE")
        put(staff, city, 2016, 200 - n)  # Town 000 is best
    url = reverse("indicators:detail", kwargs={"key": STAFF})
    html = client_for(None).get(url, {"country": "BE"}).content.decode()
    assert len(_table(html)) == 100
    assert "Page 1 of 2 (105 cities)" in html
    assert "?country=BE&amp;page=2" in html
    second = client_for(None).get(url, {"country": "BE", "page": "2"})
    rows = _table(second.content.decode())
    assert len(rows) == 5 and rows[0] == ("Town 100", "101")
    assert f'/indicators/{STAFF}/chart.svg?country=BE"' in second.content.decode()


def _visit(client: Any, url: str, query: Any = None, **headers: Any) -> tuple[str, int]:
    """A page's main content, and how many of its queries read indicator values (none when
    what it shows was kept)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query, **headers)
    values = sum('"indicators_indicatorvalue"' in q["sql"] for q in captured.captured_queries)
    return main_content(response), values


def _table(page: str) -> list[tuple[str, str]]:
    """The table's rows as shown: each city's name and its rank."""
    return re.findall(
        r'<th scope="row"><a href="[^"]*">([^<]*)</a></th>\s*'
        r'<td data-label="Rank" class="num">([^<]*)<',
        page,
    )


def test_an_indicator_page_is_kept_and_shows_every_change_on_the_next_visit(
    people: People, catalogue: dict[str, Indicator]
) -> None:
    """What an indicator's page shows across cities is kept per indicator, filters, page and
    language (``selectors.indicator_page``): a new value, a renamed city, a changed indicator,
    other filters and another language show on the next visit; a page asked for by a number it
    does not have is made each time."""
    _ghent_staff(people, catalogue)
    url = reverse("indicators:detail", args=[STAFF])
    client = client_for(people.viewer)  # signed in: past the cache of whole public pages

    def visit(query: str = "", **headers: Any) -> tuple[str, int]:
        return _visit(client, f"{url}?{query}", **headers)

    first, values = visit()
    assert values >= 1 and _table(first) == [("Zagreb", "1"), ("Ghent", "2"), ("Riga", "3")]
    again, values = visit()
    assert values == 0 and again == first

    put(catalogue[STAFF], people.riga, 2020, 30)
    page, values = visit()
    assert values >= 1 and _table(page) == [("Riga", "1"), ("Zagreb", "2"), ("Ghent", "3")]

    people.riga.name = "Rīga"
    city_save(city=people.riga, user=people.secretariat)
    assert _table(visit()[0])[0] == ("Rīga", "1")

    staff = catalogue[STAFF]
    staff.better = "lower"
    staff.save()
    assert _table(visit()[0]) == [("Ghent", "1"), ("Zagreb", "2"), ("Rīga", "3")]

    # A form sent with empty fields asks for the same cities as the bare address: one copy.
    assert visit("country=&band=&foreign_born=") == (visit()[0], 0)
    latvia, values = visit("country=lv&band=&foreign_born=")
    assert values >= 1 and _table(latvia) == [("Rīga", "1")]
    assert f'src="/indicators/{STAFF}/chart.svg?country=LV"' in latvia
    assert visit("country=LV")[1] == 0  # the same filters, already kept

    french, values = visit(HTTP_ACCEPT_LANGUAGE="fr")
    assert values >= 1 and "12,0%" in french and "12.0%" not in french
    assert "12.0%" in visit()[0]

    for wrong in ("page=x", "page=99"):  # the first page, and the last (the only one)
        shown, values = visit(wrong)
        assert values >= 1 and _table(shown) == _table(visit()[0])
        assert visit(wrong)[1] >= 1  # made each time, never kept


def test_the_catalogue_is_kept_and_counts_every_new_city_on_the_next_visit(
    people: People, catalogue: dict[str, Indicator]
) -> None:
    """The catalogue's rows are kept per language (``selectors.catalogue_rows``): counting each
    indicator's cities reads every value, and a new value, a renamed indicator and another
    language show on the next visit."""
    url = reverse("indicators:list")
    client = client_for(people.viewer)
    counted = re.compile(r'data-label="Cities with values" class="num">(\d+)<')

    def visit(**headers: Any) -> tuple[str, int]:
        return _visit(client, url, **headers)

    put(catalogue[STAFF], people.ghent, 2016, 12)
    first, values = visit()
    assert values == 1 and sum(map(int, counted.findall(first))) == 1
    again, values = visit()
    assert values == 0 and again == first

    put(catalogue[STAFF], people.riga, 2016, 3)
    page, values = visit()
    assert values == 1 and sum(map(int, counted.findall(page))) == 2

    staff = catalogue[STAFF]
    staff.name = "Municipal staff with a migrant background"
    staff.save()
    assert "Municipal staff with a migrant background" in visit()[0]

    # Each language keeps its own copy (the interface has no German words yet to tell apart).
    assert visit(HTTP_ACCEPT_LANGUAGE="de")[1] == 1
    assert visit(HTTP_ACCEPT_LANGUAGE="de")[1] == 0
