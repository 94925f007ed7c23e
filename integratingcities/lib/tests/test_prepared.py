"""A prepared query gives what its queryset gives, for any arguments, and refuses what it cannot
keep."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Count, F, QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from integratingcities.cities.models import City, Network
from integratingcities.lib.prepared import NotPreparable, prepared
from integratingcities.lib.testing import CityFactory
from integratingcities.practices.models import Practice

pytestmark = pytest.mark.django_db


def _city_facts(slug: str) -> QuerySet[Any]:
    return City.objects.filter(slug=slug).values(
        "name",
        "signed_latest",
        "foreign_born_share",
        "is_illustrative",
        network_count=Count("networks"),
    )


def _neighbours(country: str, below: int) -> QuerySet[Any]:
    return (
        City.objects.filter(country=country, population__lt=below)
        .order_by("-population", F("name").desc())
        .values_list("name", "population")
    )


def _names(country: str) -> QuerySet[Any]:
    return City.objects.filter(country=country).order_by("name").values_list("name", flat=True)


@pytest.fixture
def cities() -> list[City]:
    europe = Network.objects.create(name="Europe", slug="europe")
    ghent = CityFactory.create(
        slug="ghent",
        name="Ghent",
        country="BE",
        population=260_000,
        signed_latest=date(2014, 3, 1),
        foreign_born_share=Decimal("12.5"),
    )
    ghent.networks.add(europe)
    return [
        ghent,
        CityFactory.create(slug="antwerp", name="Antwerp", country="BE", population=530_000),
        CityFactory.create(slug="leuven", name="Leuven", country="BE", population=100_000),
        CityFactory.create(slug="lyon", name="Lyon", country="FR", population=520_000),
    ]


@pytest.mark.parametrize(
    ("build", "calls"),
    [
        (_city_facts, [("ghent",), ("lyon",), ("nowhere",), ("ghent",)]),
        (_neighbours, [("BE", 600_000), ("BE", 300_000), ("FR", 600_000), ("DE", 1)]),
        (_names, [("BE",), ("FR",), ("NL",)]),
    ],
)
def test_gives_what_the_queryset_gives(cities: list[City], build: Any, calls: list[Any]) -> None:
    run = prepared(build)
    for args in calls:
        assert run(*args) == list(build(*args)), args
    assert len(run.plans) == 1  # type: ignore[attr-defined]


def test_converts_rows_as_the_orm_does(cities: list[City]) -> None:
    [facts] = prepared(_city_facts)("ghent")
    assert facts == {
        "name": "Ghent",
        "signed_latest": date(2014, 3, 1),
        "foreign_born_share": Decimal("12.5"),
        "is_illustrative": False,
        "network_count": 1,
    }


def test_compiles_once_then_runs_one_query(cities: list[City]) -> None:
    built = []

    def counted(country: str) -> QuerySet[Any]:
        built.append(country)
        return _names(country)

    run = prepared(counted)
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        assert run("BE") == ["Antwerp", "Ghent", "Leuven"]
        assert run("FR") == ["Lyon"]
    assert len(built) == 1
    assert len(queries) == 2


def test_compiles_again_in_another_language(cities: list[City]) -> None:
    run = prepared(_names)
    with translation.override("fr"):
        assert run("BE") == ["Antwerp", "Ghent", "Leuven"]
    with translation.override("de"):
        assert run("FR") == ["Lyon"]
    assert len(run.plans) == 2  # type: ignore[attr-defined]


def test_a_hostile_argument_is_only_a_value(cities: list[City]) -> None:
    run = prepared(_names)
    assert run("BE' OR '1'='1") == []
    assert run("%") == []


@pytest.mark.parametrize(
    ("build", "args", "message"),
    [
        (
            lambda slug: City.objects.filter(slug=slug).prefetch_related("networks"),
            ("ghent",),
            "prefetch_related",
        ),
        (
            lambda slug: City.objects.filter(slug=slug).values_list("name", named=True),
            ("ghent",),
            "NamedValuesList",
        ),
        (
            lambda slug: City.objects.filter(name__icontains=slug).values("slug"),
            ("gh",),
            "do not reach the SQL",
        ),
        (
            lambda count: City.objects.order_by("name").values("slug")[:count],
            (2,),
            "do not reach the SQL",
        ),
        (
            lambda slug: City.objects.filter(
                slug=slug, signed_latest__lte=timezone.localdate()
            ).values("name"),
            ("ghent",),
            "date or time of its own",
        ),
        (
            lambda slug: City.objects.filter(
                pk__in=City.objects.filter(slug=slug)
                .order_by()
                .values("pk")
                .union(
                    City.objects.filter(signed_latest__in=[timezone.localdate()])
                    .order_by()
                    .values("pk")
                )
            ).values("name"),
            ("ghent",),
            "date or time of its own",
        ),
        (
            lambda illustrative: City.objects.filter(is_illustrative=illustrative).values("slug"),
            (True,),
            "bool",
        ),
        (lambda slug: City.objects.filter(slug=slug).values("name"), (None,), "NoneType"),
    ],
)
def test_refuses_what_it_cannot_keep(
    cities: list[City], build: Any, args: tuple[Any, ...], message: str
) -> None:
    with pytest.raises(NotPreparable, match=message):
        prepared(build)(*args)


def _instances(pk: int) -> QuerySet[Any]:
    return (
        Practice.objects.select_related("city", "created_by")
        .annotate(cities=Count("other_cities"))
        .filter(pk=pk)
    )


def test_model_instances_as_the_orm_makes_them(cities: list[City]) -> None:
    ghent, antwerp = cities[0], cities[1]
    made = [
        Practice.objects.create(
            key=f"p{i}", title=f"Practice {i}", city=city, summary="-", source="submitted"
        )
        for i, city in enumerate((ghent, antwerp, ghent))
    ]
    made[0].other_cities.add(antwerp, cities[2])
    run = prepared(_instances)
    from django.db import connection

    for practice in made:
        [expected] = _instances(practice.pk)
        with CaptureQueriesContext(connection) as queries:
            [got] = run(practice.pk)
            assert got.city.name == expected.city.name  # select_related: no query
            assert got.created_by is None
        assert len(queries) == 1
        assert type(got) is Practice
        assert got.cities == expected.cities  # type: ignore[attr-defined]
        assert got._state.adding is False and got._state.db == "default"
        fields = [field.attname for field in Practice._meta.concrete_fields]
        assert [getattr(got, f) for f in fields] == [getattr(expected, f) for f in fields]
    assert run(10**6) == []


@pytest.mark.parametrize("pk", [2**31, 2**63, -(2**63) - 1, 10**30])
def test_a_number_beyond_the_column_matches_nothing(cities: list[City], pk: int) -> None:
    assert prepared(_instances)(pk) == []
    assert prepared(lambda pk: City.objects.filter(population=pk).values("name"))(pk) == []


def test_a_query_that_can_match_nothing_gives_nothing(cities: list[City]) -> None:
    run = prepared(lambda slug: City.objects.filter(slug=slug, pk__in=[]).values("name"))
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        assert run("ghent") == []
    assert len(queries) == 0
