"""The read-only JSON API (OpenAPI schema at /api/v1/openapi.json, docs at /api/v1/docs)."""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import NinjaAPI, Query, Router, Schema, Status
from ninja.openapi.docs import Swagger
from ninja.openapi.schema import OpenAPISchema
from ninja.pagination import PageNumberPagination, paginate

from integratingcities.api.pagination import Mapped
from integratingcities.cities import selectors as city_selectors
from integratingcities.cities.models import City
from integratingcities.frameworks import selectors as framework_selectors
from integratingcities.frameworks.models import Framework
from integratingcities.lib.errors import DomainError
from integratingcities.practices.api import router as practices_router

from .auth import token_if_given
from .renderers import FastJSONRenderer
from .rounds import router as rounds_router
from .schemas import CityDetailOut, CityOut, ErrorOut, FrameworkDetailOut, FrameworkOut


class PlatformAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """The public reads say that their token is optional (OpenAPI's empty requirement)."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for operation in operations.values():
                if operation.get("security") == [{"TokenAuth": []}]:
                    operation["security"] = [{}, {"TokenAuth": []}]
        return schema


api = PlatformAPI(
    title="Integrating Cities API",
    version="1",
    description="Cities, Charter signatories and frameworks (the Charter, thematic benchmarks).",
    urls_namespace="api",
    auth=token_if_given,
    renderer=FastJSONRenderer(),
    # Without deep links: Swagger UI puts each operation's link inside the button that opens
    # it, a control within a control that a keyboard or a screen reader cannot tell apart.
    docs=Swagger(settings={"deepLinking": False}),
)


@api.exception_handler(DomainError)
def refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    """A step the services refuse: 403 for who may not, 409 for what is not possible now;
    the reason in the same words as on the pages."""
    return api.create_response(request, {"detail": str(error)}, status=error.status)


cities_router = Router(tags=["cities"])
frameworks_router = Router(tags=["frameworks"])


class CityFilter(Schema):
    country: str | None = None
    signatory: bool | None = None


def _has_nul(value: str) -> bool:
    """PostgreSQL rejects a NUL character in a text parameter; no slug or code contains one."""
    return "\x00" in value


CITY_FIELDS = (
    "slug",
    "name",
    "country",
    "signed_earliest",
    "signed_latest",
    "population",
    "population_year",
    "population_source",
    "foreign_born_share",
    "foreign_born_year",
    "foreign_born_source",
    "is_illustrative",
)


def _city_fields(city: dict[str, Any], url: str) -> dict[str, object]:
    """A city as the API gives it, from its ``CITY_FIELDS``."""
    return {
        "slug": city["slug"],
        "name": city["name"],
        "country": city["country"],
        "signatory": city["signed_latest"] is not None,
        "signed_earliest": city["signed_earliest"],
        "signed_latest": city["signed_latest"],
        "population": city["population"],
        "population_year": city["population_year"],
        "population_source": city["population_source"],
        "foreign_born_share": city["foreign_born_share"],
        "foreign_born_year": city["foreign_born_year"],
        "foreign_born_source": city["foreign_born_source"],
        "illustrative": city["is_illustrative"],
        "url": url,
    }


def _city_out(city: City) -> dict[str, object]:
    fields = {name: getattr(city, name) for name in CITY_FIELDS} | {"country": city.country_code}
    return _city_fields(fields, settings.SITE_URL + city.get_absolute_url())


@cities_router.get("/", response=list[CityOut])
@paginate(PageNumberPagination)
def list_cities(request: HttpRequest, filters: Query[CityFilter]) -> Sequence[dict[str, object]]:
    country = (filters.country or "").upper()[:2]
    if _has_nul(country):
        return []
    cities = city_selectors.all_cities(country=country)
    if filters.signatory is not None:
        cities = cities.filter(signed_latest__isnull=not filters.signatory)
    # Rows as values, and the detail URL reversed once with a stand-in slug: a model instance
    # and a reverse() per city were most of this list's time.
    prefix, suffix = reverse("cities:detail", kwargs={"slug": "slug"}).rsplit("slug", 1)
    site = settings.SITE_URL + prefix

    def row(city: dict[str, Any]) -> dict[str, object]:
        return _city_fields(city, f"{site}{city['slug']}{suffix}")

    return Mapped(cities.values(*CITY_FIELDS), row)


@cities_router.get("/{slug}", response={200: CityDetailOut, 404: ErrorOut})
def get_city(request: HttpRequest, slug: str) -> Status[dict[str, object]]:
    city = None if _has_nul(slug) else city_selectors.city_for_page(slug).first()
    if city is None:
        return Status(404, {"detail": "No city with this slug."})
    return Status(
        200,
        {
            **_city_out(city),
            "summary": city.summary,
            "networks": [network.name for network in city.networks.all()],
            "projects": [
                {"slug": p.project.slug, "name": p.project.name, "role": p.role}
                for p in city.projects.all()
            ],
        },
    )


def _framework_out(framework: Framework) -> dict[str, object]:
    return {
        "lineage": framework.lineage,
        "version": framework.version,
        "kind": framework.kind,
        "title": framework.title,
        "status": framework.status,
        "url": settings.SITE_URL + framework.get_absolute_url(),
    }


@frameworks_router.get("/", response=list[FrameworkOut])
def list_frameworks(request: HttpRequest) -> list[dict[str, object]]:
    return [_framework_out(f) for f in framework_selectors.visible_frameworks(request.user)]


@frameworks_router.get("/{lineage}/{version}", response={200: FrameworkDetailOut, 404: ErrorOut})
def get_framework(request: HttpRequest, lineage: str, version: int) -> Status[dict[str, object]]:
    framework = (
        None
        if _has_nul(lineage)
        else framework_selectors.with_content(
            framework_selectors.visible_frameworks(request.user).filter(
                lineage=lineage, version=version
            )
        ).first()
    )
    if framework is None:
        return Status(404, {"detail": "No published framework with this lineage and version."})
    scale_keys = {scale.pk: scale.key for scale in framework.scales.all()}
    return Status(
        200,
        {
            **_framework_out(framework),
            "summary": framework.summary,
            "standard": framework.standard,
            "source": framework.source,
            "scales": [
                {
                    "key": scale.key,
                    "levels": [
                        {
                            "key": level.key,
                            "label": level.label,
                            "score": level.score,
                            "requires_evidence": level.requires_evidence,
                        }
                        for level in scale.levels.all()
                    ],
                }
                for scale in framework.scales.all()
            ],
            "sections": [
                {
                    "key": section.key,
                    "title": section.title,
                    "description": section.description,
                    "weight": section.weight,
                    "items": [
                        {
                            "key": item.key,
                            "kind": item.kind,
                            "text": item.text,
                            "guidance": item.guidance,
                            "weight": item.weight,
                            "required": item.required,
                            "scale": scale_keys.get(item.scale_id) if item.scale_id else None,
                            "options": item.options,
                            "min": item.number_min,
                            "max": item.number_max,
                        }
                        for item in section.items.all()
                    ],
                }
                for section in framework.sections.all()
            ],
        },
    )


api.add_router("/cities", cities_router)
api.add_router("/frameworks", frameworks_router)
api.add_router("", rounds_router)
api.add_router("/practices", practices_router)
api.add_router("", "integratingcities.api.indicators.router")
api.add_router("", "integratingcities.opendata.api.router")
api.add_router("", "integratingcities.mentoring.api.router")
