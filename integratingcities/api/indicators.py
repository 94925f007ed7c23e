"""City indicators in the API: the catalogue, an indicator's values across cities, a city's
values. Public reads, as on the pages; each value says which definition of a migrant it follows
and whether it is illustrative."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from integratingcities.api.pagination import Mapped
from integratingcities.api.schemas import ErrorOut
from integratingcities.cities.models import City
from integratingcities.indicators import selectors
from integratingcities.indicators.models import YEAR_MAX, YEAR_MIN, Indicator, IndicatorValue
from integratingcities.lib import scoring
from integratingcities.permissions import visible_to

router = Router(tags=["indicators"])


class IndicatorOut(Schema):
    key: str
    name: str
    unit: str = Field(description="count, percent or ratio.")
    basis: str = Field(
        description="Who counts as a migrant: all_residents, foreign_born, foreign_nationals, "
        "migrant_background or refugees. Definitions differ between countries."
    )
    better: str = Field(description="higher, lower, or neither (a fact about the city).")
    definition: str
    source_guidance: str
    reference: str | None = Field(description="The key of the indicator this one is read against.")
    cities: int = Field(description="How many cities have a value of it.")
    url: str


class ValueOut(Schema):
    indicator: str
    city: str
    city_name: str
    country: str
    year: int
    date: date | None
    value: Decimal
    basis: str = Field(description="The definition this value follows.")
    comparable: bool = Field(
        description="Whether it follows the indicator's own definition; other values are left "
        "out of medians and ranks."
    )
    source: str
    note: str
    illustrative: bool = Field(description="Demonstration data, not a fact from a source.")


class PeerFiguresOut(Schema):
    """What the city's peer groups are drawn from, with the year each figure is of."""

    country: str
    population: int | None
    population_year: int | None
    population_source: str
    size_band: str | None
    foreign_born_share: Decimal | None
    foreign_born_year: int | None
    foreign_born_source: str
    foreign_born_band: str | None


class CityIndicatorsOut(Schema):
    city: str
    name: str
    peer_figures: PeerFiguresOut
    values: list[ValueOut]
    url: str


class ValuesQuery(Schema):
    year: int | None = Field(
        None, ge=YEAR_MIN, le=YEAR_MAX, description="Each city's value of this year."
    )
    all: bool = Field(
        False, description="Every year's value; without it and without a year, each city's latest."
    )


def _indicator_out(indicator: Indicator) -> dict[str, object]:
    return {
        "key": indicator.key,
        "name": indicator.name,
        "unit": indicator.unit,
        "basis": indicator.basis,
        "better": indicator.better,
        "definition": indicator.definition,
        "source_guidance": indicator.source_guidance,
        "reference": indicator.reference.key if indicator.reference else None,
        "cities": getattr(indicator, "city_count", 0),
        "url": settings.SITE_URL + reverse("indicators:detail", kwargs={"key": indicator.key}),
    }


def _value_out(value: IndicatorValue) -> dict[str, object]:
    return {
        "indicator": value.indicator.key,
        "city": value.city.slug,
        "city_name": value.city.name,
        "country": value.city.country_code,
        "year": value.year,
        "date": value.date,
        "value": value.value,
        "basis": value.basis,
        "comparable": value.basis == value.indicator.basis,
        "source": value.source,
        "note": value.note,
        "illustrative": value.is_illustrative,
    }


@router.get("/indicators/", response=list[IndicatorOut])
@paginate(PageNumberPagination)
def list_indicators(request: HttpRequest) -> Sequence[dict[str, object]]:
    """Every indicator: its unit, definition, who counts, which direction is better."""
    return Mapped(selectors.catalogue(), _indicator_out)


@router.get("/indicators/{key}/values", response=list[ValueOut])
@paginate(PageNumberPagination)
def indicator_values(
    request: HttpRequest, key: str, filters: Query[ValuesQuery]
) -> Sequence[dict[str, object]]:
    """An indicator's values across cities: each city's latest, every year's (`all`), or
    those of one `year`; by city name, then year."""
    indicator = None if "\x00" in key else selectors.indicator_for_page(key[:80])
    if indicator is None:
        raise HttpError(404, "No indicator with this key.")
    values = selectors.values_of(indicator, year=filters.year, everything=filters.all)
    return Mapped(values, _value_out)


@router.get("/cities/{slug}/indicators", response={200: CityIndicatorsOut, 404: ErrorOut})
def city_indicator_values(request: HttpRequest, slug: str) -> Status[dict[str, object]]:
    """A city's values of every indicator, every year, and the figures its peer groups rest on."""
    found = visible_to(request.user, City).filter(slug=slug[:80])
    city = None if "\x00" in slug else found.first()
    if city is None:
        return Status(404, {"detail": "No city with this slug."})
    band = scoring.population_band(city.population)
    return Status(
        200,
        {
            "city": city.slug,
            "name": city.name,
            "peer_figures": {
                "country": city.country_code,
                "population": city.population,
                "population_year": city.population_year,
                "population_source": city.population_source,
                "size_band": band.value if band else None,
                "foreign_born_share": city.foreign_born_share,
                "foreign_born_year": city.foreign_born_year,
                "foreign_born_source": city.foreign_born_source,
                "foreign_born_band": scoring.foreign_born_band(city.foreign_born_share),
            },
            "values": [_value_out(value) for value in selectors.values_of_city(city)],
            "url": settings.SITE_URL + reverse("indicators:city", kwargs={"slug": city.slug}),
        },
    )
