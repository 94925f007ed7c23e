"""The library in the JSON API: the same search, filters and pages as the library page."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from integratingcities.lib.testing import CityFactory, People, client_for
from integratingcities.practices.models import Practice, PracticeStatus

from .factories import PracticeFactory

LIST = "/api/v1/practices/"


def get(path: str, user: Any = None, **params: Any) -> Any:
    return client_for(user).get(path, params)


@pytest.mark.usefixtures("library")
class TestPracticesApi:
    def test_the_list_is_paginated_and_filtered_like_the_page(self) -> None:
        data = get(LIST).json()
        assert data["count"] == 6
        assert [p["key"] for p in data["items"]][:2] == [
            "barcelona-anti-rumour-training",
            "ghent-procurement-clause",
        ]
        employer = get(LIST, role="employer", country="at").json()
        assert [p["key"] for p in employer["items"]] == ["vienna-monitors-workforce"]
        record = employer["items"][0]
        assert record["roles"] == ["employer"]
        assert record["commitments"] == ["workforce-diversity"]
        assert record["key_factors"] == ["feedback-monitoring-evaluation"]
        assert record["city"] == "vienna" and record["country"] == "AT"
        assert record["url"].endswith("/practices/vienna-monitors-workforce/")

    def test_search_ranks_and_stems(self) -> None:
        data = get(LIST, q="monitoring diversity").json()
        assert [p["key"] for p in data["items"]] == ["vienna-monitors-workforce"]

    def test_facets_count_like_the_page(self) -> None:
        data = get(LIST + "facets", role="employer").json()
        assert data["count"] == 2
        assert {o["value"]: o["count"] for o in data["city"]} == {
            "barcelona": 1,
            "ghent": 1,
            "vienna": 1,
        }
        assert {o["value"] for o in data["role"]} == {
            "policymaker",
            "service_provider",
            "employer",
            "buyer",
        }

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"year": "soon"}, "year"),
            ({"year": 10**30}, "year"),
            ({"country": "Belgium"}, "country"),
            ({"role": "\x00"}, "role"),
            ({"city": "Not a slug"}, "city"),
            ({"source": "rumour"}, "source"),
            ({"q": "x" * 501}, "q"),
        ],
    )
    def test_a_bad_value_is_named(self, params: dict[str, Any], field: str) -> None:
        response = get(LIST, **params)
        assert response.status_code == 422
        assert field in {error["loc"][-1] for error in response.json()["detail"]}

    def test_one_practice_and_drafts(self, people: People) -> None:
        assert get(LIST + "riga-migrant-council").json()["contact"] == "integration@example.org"
        Practice.objects.filter(key="riga-migrant-council").update(status=PracticeStatus.DRAFT)
        assert get(LIST + "riga-migrant-council").status_code == 404
        assert get(LIST + "riga-migrant-council", people.editor).status_code == 404
        assert get(LIST + "riga-migrant-council", people.outsider).status_code == 200
        assert get(LIST + "riga-migrant-council", people.secretariat).status_code == 200
        assert get(LIST, people.secretariat).json()["count"] == 5
        assert get(LIST + "atlantis").status_code == 404
        assert get(LIST + "a%00b").status_code == 404


def test_the_list_query_count_does_not_grow(people: People) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert get(LIST, q="city").status_code == 200
        return len(captured)

    PracticeFactory(summary="A city practice.", commitments=["workforce-diversity"])
    few = queries()
    for _ in range(20):
        practice = PracticeFactory.create(
            summary="A city practice.", commitments=["needs-understood"]
        )
        practice.other_cities.add(CityFactory.create())
    assert queries() == few
