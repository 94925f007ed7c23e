from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django_countries import countries

from integratingcities.network.models import Conference, ProjectPartner

from .models import City

SIGNATORY_ORDERINGS = {
    "name": ("name",),
    "-name": ("-name",),
    "country": ("country", "name"),
    "-country": ("-country", "name"),
    "signed": ("signed_latest", "signed_earliest", "name"),
    "-signed": ("-signed_latest", "-signed_earliest", "name"),
}


@dataclass(frozen=True)
class CountryOption:
    code: str
    name: str


def signatories(*, country: str = "", ordering: str = "name") -> QuerySet[City]:
    cities = City.objects.filter(signed_latest__isnull=False)
    if country:
        cities = cities.filter(country=country)
    return cities.order_by(*SIGNATORY_ORDERINGS.get(ordering, SIGNATORY_ORDERINGS["name"]))


def all_cities(*, country: str = "") -> QuerySet[City]:
    cities = City.objects.all()
    if country:
        cities = cities.filter(country=country)
    return cities.order_by("name")


def countries_of(cities: QuerySet[City]) -> list[CountryOption]:
    codes = cities.order_by().values_list("country", flat=True).distinct()
    return sorted(
        (CountryOption(code, str(countries.name(code))) for code in codes),
        key=lambda option: option.name,
    )


def city_for_page(slug: str) -> QuerySet[City]:
    return City.objects.filter(slug=slug).prefetch_related(
        "networks",
        Prefetch(
            "projects",
            queryset=ProjectPartner.objects.select_related("project").order_by(
                "project__position", "project__start_year"
            ),
        ),
        Prefetch("conferences_hosted", queryset=Conference.objects.order_by("number")),
    )
