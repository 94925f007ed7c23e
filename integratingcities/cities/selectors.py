import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_countries import countries

from integratingcities.lib.prepared import prepared
from integratingcities.network.models import Conference, PartnerRole, ProjectPartner

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


def typed_cities(lines: Iterable[str]) -> tuple[dict[str, str], list[str]]:
    """Cities typed by name or short name (slug), in any case, in one query: the slug of each
    line that names one city, and what is wrong with the others, in words."""
    lines = list(dict.fromkeys(line.strip() for line in lines if line.strip()))
    keys = {line.casefold() for line in lines}
    by_slug: dict[str, str] = {}
    by_name: dict[str, list[str]] = {}
    for slug, name in (
        City.objects.annotate(lowered=Lower("name"))
        .filter(
            Q(slug__in=keys)
            | Q(name__in=lines)
            | Q(lowered__in=keys)  # SQLite lowers ASCII letters only: the name as typed, too
        )
        .order_by("slug")
        .values_list("slug", "name")
    ):
        by_slug[slug.casefold()] = slug
        by_name.setdefault(name.casefold(), []).append(slug)
    found: dict[str, str] = {}
    problems: list[str] = []
    for line in lines:
        key = line.casefold()
        named = by_name.get(key, [])
        if key in by_slug:
            found[line] = by_slug[key]
        elif len(named) == 1:
            found[line] = named[0]
        elif named:
            problems.append(
                _("Several cities are called “%(name)s”: give the short name (%(slugs)s).")
                % {"name": line, "slugs": ", ".join(named)}
            )
        else:
            problems.append(_("There is no city called “%(name)s”.") % {"name": line})
    return found, problems


def countries_of(cities: QuerySet[City]) -> list[CountryOption]:
    return country_options(cities.order_by().values_list("country", flat=True).distinct())


def country_options(codes: Iterable[str]) -> list[CountryOption]:
    """The countries of ``codes`` by name, in the active language."""
    language = get_language()
    return sorted(
        (CountryOption(code, _country_name(language, code)) for code in codes),
        key=lambda option: option.name,
    )


@lru_cache(maxsize=2048)
def _country_name(language: str | None, code: str) -> str:
    """A country's name in the active language (``language``, the cache key): a translation
    looked up once, not on every list page for every country of its menu."""
    return str(countries.name(code))


# What a row of the signatories and cities lists shows, and nothing else.
ROW_FIELDS = ("slug", "name", "country", "signed_earliest", "signed_latest", "is_illustrative")


class CityRow(dict[str, Any]):
    """A row of a list page: ``url``, ``name``, ``country_name``, ``period``
    (City.signature_period, "" when the city has not signed), ``signed`` ("Signed <period>",
    as the cities list says it, or "") and ``is_illustrative``.

    A dict, because a template looks a key up before an attribute (an attribute lookup on
    an object first fails as a key); its keys also read as attributes, as a City's would."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def city_rows(cities: Iterable[dict[str, Any]], countries: list[CountryOption]) -> list[CityRow]:
    """The rows of a list page, from ``.values(*ROW_FIELDS)``, so that a page of 100 costs
    no model instance, ``reverse()``, date format or translation per row.

    The country names come from the country menu, which has looked them up already; the
    detail URL is reversed once with a stand-in slug (``<slug:slug>`` never needs quoting)."""
    names = {option.code: option.name for option in countries}
    prefix, suffix = reverse("cities:detail", kwargs={"slug": "slug"}).rsplit("slug", 1)
    language = get_language()
    rows: list[CityRow] = []
    for city in cities:
        latest, earliest = city["signed_latest"], city["signed_earliest"]
        period, signed = (
            _signature_texts(language, _month(earliest), (latest.year, latest.month))
            if latest is not None
            else ("", SafeString(""))
        )
        rows.append(
            CityRow(
                url=f"{prefix}{city['slug']}{suffix}",
                name=city["name"],
                country_name=names.get(city["country"], ""),
                period=period,
                signed=signed,
                is_illustrative=city["is_illustrative"],
            )
        )
    return rows


def _month(day: dt.date | None) -> tuple[int, int] | None:
    return (day.year, day.month) if day is not None else None


@lru_cache(maxsize=4096)
def _signature_texts(
    language: str | None, earliest: tuple[int, int] | None, latest: tuple[int, int]
) -> tuple[str, SafeString]:
    """City.signature_period and the list's "Signed <period>" for a signature window.

    The period is said in months (YEAR_MONTH_FORMAT), so it depends only on the language and
    the two months: a few hundred values, never stale, kept here rather than formatted and
    translated again for each row of each page."""
    period = City(
        signed_earliest=dt.date(*earliest, 1) if earliest else None,
        signed_latest=dt.date(*latest, 1),
    ).signature_period
    # As {% blocktranslate with period=... %}Signed {{ period }}{% endblocktranslate %} did.
    signed = mark_safe(_("Signed %(period)s") % {"period": conditional_escape(period)})
    return period, signed


def city_for_page(slug: str) -> QuerySet[City]:
    """A city with its networks, projects and conferences as model instances (the API's city
    detail; its page reads the plainer rows of ``city_page_rows``)."""
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


@dataclass(frozen=True)
class CityPageRows:
    """What a city's page lists of the network's own records, as plain rows: ``networks``
    (names), ``partnerships`` (``url``, ``name``, ``start_year``, ``end_year``, ``role`` (its
    label) and ``organisation``) and ``conferences`` (``title``, ``year``)."""

    networks: list[str]
    partnerships: list[dict[str, Any]]
    conferences: Sequence[Mapping[str, Any]]


@prepared
def _partnerships(city_id: int) -> QuerySet[Any]:
    return (
        ProjectPartner.objects.filter(city_id=city_id)
        .order_by("project__position", "project__start_year")
        .values(
            "project__slug",
            "project__name",
            "project__start_year",
            "project__end_year",
            "role",
            "organisation",
        )
    )


@prepared
def _network_names(city_id: int) -> QuerySet[Any]:
    return (
        City.networks.through.objects.filter(city_id=city_id)
        .order_by("network__name")
        .values_list("network__name", flat=True)
    )


@prepared
def _conferences(city_id: int) -> QuerySet[Any]:
    return Conference.objects.filter(host_id=city_id).order_by("number").values("title", "year")


def city_page_rows(city: City) -> CityPageRows:
    """Three small prepared queries of only the columns the page shows: no model instance, and
    no compiling, on a page every city has."""
    return CityPageRows(
        networks=_network_names(city.pk),
        partnerships=[
            {
                "url": reverse("network:project", kwargs={"slug": row["project__slug"]}),
                "name": row["project__name"],
                "start_year": row["project__start_year"],
                "end_year": row["project__end_year"],
                # As get_role_display: the label, or the stored value if it has none.
                "role": dict(PartnerRole.choices).get(row["role"], row["role"]),
                "organisation": row["organisation"],
            }
            for row in _partnerships(city.pk)
        ],
        conferences=_conferences(city.pk),
    )


def typed_name(given: str) -> str:
    """A city given by its id (as the pages' "invite" links give it), as a form takes it typed:
    its name, or its short name where another city has the same name; any other text as it is."""
    if not given.isdigit() or len(given) > 18:
        return given[:200]
    city = City.objects.filter(pk=int(given)).values("name", "slug").first()
    if city is None:
        return ""
    if City.objects.filter(name=city["name"]).count() > 1:
        return str(city["slug"])
    return str(city["name"])
