"""A file only Ghent's people and the secretariat may have, for the tests of the downloads."""

from typing import Any

from integratingcities.downloads.registry import Builder, Built, Params, Progress, register
from integratingcities.permissions import Perm, has_perm

DATA = {"version": "1", "fail": False, "builds": 0}


def _allowed(user: Any, params: Params) -> bool:
    from integratingcities.cities.models import City

    city = City.objects.filter(slug=params.get("city", "")).first()
    return city is not None and has_perm(user, Perm.VIEW_CITY_TEAM, city)


def _build(params: Params, progress: Progress) -> Built:
    DATA["builds"] = int(str(DATA["builds"])) + 1
    progress(50, "Halfway")
    if DATA["fail"]:
        raise RuntimeError("the disk is full")
    return Built(f"team of {params['city']}.txt", "text/plain", f"team {params['city']}".encode())


EXAMPLE = register(
    Builder(
        kind="downloads.example",
        params=("city",),
        title=lambda params: f"Team list of {params['city']}",
        allowed=_allowed,
        version=lambda params: str(DATA["version"]),
        build=_build,
    )
)
