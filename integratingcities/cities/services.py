"""Writes for cities: the secretariat's edits, and loading the versioned content file
(content/cities.yaml)."""

from decimal import Decimal
from typing import Any

from django.db import transaction

from integratingcities.accounts.models import User
from integratingcities.permissions import Perm, require

from .models import City, Network


def city_save(*, city: City, user: User) -> City:
    """Save a city the secretariat created or edited (validated by its form)."""
    require(user, Perm.MANAGE_CITIES)
    city.full_clean()
    with transaction.atomic():
        city.save()
        _warm_indicator_pages()
        _library_changed()
    return city


def _warm_indicator_pages() -> None:
    """What the indicator pages keep is drawn from the cities too (their peer groups): made
    again by the worker once the change commits, as after a value is written, rather than by
    the first visitor of a city's indicators (seconds at 20,000 cities)."""
    from integratingcities.indicators.tasks import warm_indicator_pages

    transaction.on_commit(lambda: warm_indicator_pages.enqueue(), robust=True)


def _library_changed() -> None:
    """The practice library's filter counts name each city (and count it in its country): a
    city renamed or moved is counted again, as after a practice changes, rather than shown
    under its old name for up to an hour."""
    from integratingcities.practices.services import library_changed

    library_changed()


def _figure(entry: dict[str, Any], key: str) -> tuple[Any, Any, str]:
    figure = entry.get(key) or {}
    value = figure.get("value")
    # Via str, so that YAML's float 22.2 becomes Decimal("22.2") and not a binary approximation.
    value = None if value is None else Decimal(str(value))
    return value, figure.get("year"), figure.get("source", "")


@transaction.atomic
def cities_load(data: dict[str, Any]) -> int:
    """Create or update networks and cities from parsed content; returns the number of cities."""
    networks = {}
    for entry in data.get("networks", []):
        network, _ = Network.objects.update_or_create(
            slug=entry["slug"],
            defaults={"name": entry["name"], "description": entry.get("description", "")},
        )
        networks[network.slug] = network
    for entry in data["cities"]:
        signed = entry.get("signed") or {}
        population, population_year, population_source = _figure(entry, "population")
        share, share_year, share_source = _figure(entry, "foreign_born_share")
        city = City(
            slug=entry["slug"],
            name=entry["name"],
            country=entry["country"],
            signed_earliest=signed.get("earliest"),
            signed_latest=signed.get("latest"),
            signature_source=signed.get("source", ""),
            population=population,
            population_year=population_year,
            population_source=population_source,
            foreign_born_share=share,
            foreign_born_year=share_year,
            foreign_born_source=share_source,
            summary=(entry.get("summary") or "").strip(),
            website=entry.get("website", ""),
        )
        existing = City.objects.filter(slug=city.slug).values_list("pk", flat=True).first()
        city.pk = existing
        city.full_clean(validate_unique=False)
        city.save()
        city.networks.set([networks[slug] for slug in entry.get("networks", [])])
    _warm_indicator_pages()
    _library_changed()
    return len(data["cities"])
