"""The built-in catalogue loads, and a city's latest figures are copied where peers read them."""

from decimal import Decimal
from pathlib import Path

from django.conf import settings

from integratingcities.cities.models import City
from integratingcities.indicators.models import Indicator, IndicatorValue
from integratingcities.indicators.services import city_figures_sync, indicators_load
from integratingcities.lib.testing import People

CATALOGUE = Path(settings.BASE_DIR) / "content/indicators.yaml"


def test_the_catalogue_loads_twice_to_the_same_result(db: None) -> None:
    first = indicators_load(CATALOGUE)
    assert indicators_load(CATALOGUE) == first == Indicator.objects.count()
    staff = Indicator.objects.get(key="staff-migrant-background-share")
    assert staff.reference is not None and staff.reference.key == "migrant-background-share"
    assert staff.basis == "migrant_background"


def test_the_latest_population_and_foreign_born_share_reach_the_city(people: People) -> None:
    indicators_load(CATALOGUE)
    population = Indicator.objects.get(key="population")
    share = Indicator.objects.get(key="foreign-born-share")
    for year, value in ((2011, 248_000), (2015, 259_000)):
        IndicatorValue.objects.create(
            indicator=population,
            city=people.ghent,
            year=year,
            value=value,
            basis="all_residents",
            source=f"Statbel {year}",
        )
    IndicatorValue.objects.create(
        indicator=share,
        city=people.ghent,
        year=2014,
        value=Decimal("22.2"),
        basis="foreign_born",
        source="Census",
    )
    city_figures_sync([people.ghent.pk])
    ghent = City.objects.get(pk=people.ghent.pk)
    assert (ghent.population, ghent.population_year, ghent.population_source) == (
        259_000,
        2015,
        "Statbel 2015",
    )
    assert ghent.foreign_born_share == Decimal("22.2") and ghent.foreign_born_year == 2014
    assert City.objects.get(pk=people.riga.pk).population is None


def test_loading_the_catalogue_again_keeps_the_secretariats_edits(db: None) -> None:
    indicators_load(CATALOGUE)
    Indicator.objects.filter(key="population").update(
        name="Residents (municipality)", cities_may_enter=True
    )
    indicators_load(CATALOGUE)
    population = Indicator.objects.get(key="population")
    assert (population.name, population.cities_may_enter) == ("Residents (municipality)", True)
