"""Mentoring schemes in the API: theme, project, period and cities by role. Never a roadmap:
roadmaps are private to the scheme's cities, its facilitator and the secretariat."""

from datetime import date
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from integratingcities.api.pagination import Mapped
from integratingcities.api.schemas import ErrorOut

from . import selectors
from .models import Scheme, SchemeRole

router = Router(tags=["mentoring"])


class SchemeCityOut(Schema):
    slug: str
    name: str


class SchemeOut(Schema):
    id: int
    name: str
    theme: str
    benchmark: str | None  # the lineage of the theme's benchmark (its toolkit's key)
    project: str
    starts_on: date
    ends_on: date | None
    period: str
    facilitator: str
    mentors: list[SchemeCityOut]
    implementing: list[SchemeCityOut]
    illustrative: bool
    url: str


def _scheme_out(scheme: Scheme) -> dict[str, Any]:
    cities = selectors.cities_by_role(scheme)
    return {
        "id": scheme.pk,
        "name": scheme.name,
        "theme": scheme.theme,
        "benchmark": scheme.lineage or None,
        "project": scheme.project,
        "starts_on": scheme.starts_on,
        "ends_on": scheme.ends_on,
        "period": scheme.period_note,
        "facilitator": scheme.facilitator,
        "mentors": [{"slug": c.slug, "name": c.name} for c in cities[SchemeRole.MENTOR]],
        "implementing": [{"slug": c.slug, "name": c.name} for c in cities[SchemeRole.IMPLEMENTING]],
        "illustrative": scheme.is_illustrative,
        "url": settings.SITE_URL + scheme.get_absolute_url(),
    }


@router.get("/schemes/", response=list[SchemeOut])
@paginate(PageNumberPagination)
def list_schemes(request: HttpRequest) -> Any:
    return Mapped(selectors.schemes(), _scheme_out)


@router.get("/schemes/{scheme_id}", response={200: SchemeOut, 404: ErrorOut})
def get_scheme(request: HttpRequest, scheme_id: int) -> Status[dict[str, Any]]:
    found = selectors.schemes().filter(pk=scheme_id).first() if 0 < scheme_id < 2**63 else None
    if found is None:
        return Status(404, {"detail": "No scheme with this id."})
    return Status(200, _scheme_out(found))
