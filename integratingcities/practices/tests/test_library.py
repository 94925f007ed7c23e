"""The public library: search page, filters with counts, pages, downloads, a practice's page."""

import csv
import io
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integratingcities.lib.testing import CityFactory, People, client_for
from integratingcities.practices.models import Practice, PracticeStatus
from integratingcities.practices.services import practice_publish

from .factories import PracticeFactory, menu_counts

LIBRARY = reverse("practices:library")


def page(params: dict[str, Any] | None = None, user: Any = None) -> Any:
    response = client_for(user).get(LIBRARY, params or {})
    assert response.status_code == 200
    return response


def listed(response: Any) -> list[str]:
    return [row["key"] for row in response.context["rows"]]


def counts(response: Any, facet: str) -> dict[str, int]:
    return menu_counts(response, facet)


def detail(key: str) -> str:
    return reverse("practices:detail", kwargs={"key": key})


@pytest.mark.usefixtures("library")
class TestLibraryPage:
    def test_it_lists_every_published_practice_by_title(self) -> None:
        response = page()
        assert listed(response) == [
            "barcelona-anti-rumour-training",
            "ghent-procurement-clause",
            "vienna-housing-information",
            "nantes-opinion-poll",
            "riga-migrant-council",
            "vienna-monitors-workforce",
        ]
        assert "6 practices" in response.content.decode()

    def test_filters_show_how_many_each_value_gives(self) -> None:
        response = page()
        assert counts(response, "role") == {
            "policymaker": 2,
            "service_provider": 1,
            "employer": 2,
            "buyer": 1,
        }
        assert counts(response, "commitment")["equality-in-procurement"] == 1
        # Barcelona's practice credits Ghent too.
        assert counts(response, "city") == {
            "barcelona": 1,
            "ghent": 2,
            "nantes": 1,
            "riga": 1,
            "vienna": 2,
        }
        assert counts(response, "country") == {"ES": 1, "BE": 2, "FR": 1, "LV": 1, "AT": 2}
        assert counts(response, "year") == {"2015": 1, "2014": 1, "2012": 1}
        assert counts(response, "source") == {"report-2015": 4, "toolkit-2018": 2}
        html = response.content.decode()
        assert "Cities as employers (2)" in html

    def test_a_filter_keeps_its_own_options_and_narrows_the_others(self) -> None:
        response = page({"role": "employer"})
        assert listed(response) == ["barcelona-anti-rumour-training", "vienna-monitors-workforce"]
        assert counts(response, "role")["policymaker"] == 2  # still offered, with its count
        assert counts(response, "city") == {"barcelona": 1, "ghent": 1, "vienna": 1}
        assert response.context["active"][0]["remove"] == ""

    def test_every_filter_works(self) -> None:
        assert listed(page({"commitment": "migrant-engagement"})) == ["riga-migrant-council"]
        assert listed(page({"country": "at", "year": "2014"})) == ["vienna-monitors-workforce"]
        assert listed(page({"city": "ghent", "source": "report-2015"})) == [
            "barcelona-anti-rumour-training",
            "ghent-procurement-clause",
        ]

    def test_key_factor_filters_need_the_benchmark(self, benchmark: Any) -> None:
        response = page({"factor": "data-collection"})
        assert listed(response) == ["nantes-opinion-poll"]
        if benchmark is not None:
            assert counts(response, "benchmark") == {"anti-discrimination-job-market": 1}
            assert "Data collection" in response.content.decode()
        both = {"benchmark": "anti-discrimination-job-market", "factor": "data-collection"}
        assert listed(page(both)) == ["nantes-opinion-poll"]

    def test_search_words_rank_and_the_url_can_be_shared(self) -> None:
        response = page({"q": "diversity", "page": "1"})
        assert listed(response)[0] == "vienna-monitors-workforce"
        assert response.context["query"] == "q=diversity"
        html = response.content.decode()
        assert 'href="/practices/practices.csv?q=diversity"' in html
        assert 'href="/practices/practices.json?q=diversity"' in html

    def test_an_unknown_value_is_named_and_left_out(self) -> None:
        response = page({"year": "soon", "role": "Not A Key!", "country": "Belgium"})
        assert len(listed(response)) == 6
        errors = response.context["form"].errors
        assert set(errors) == {"year", "role", "country"}
        html = response.content.decode()
        assert "Enter a whole number" in html
        assert "is not a key" in html
        assert "two-letter code" in html

    def test_a_value_nobody_has_gives_an_empty_list(self) -> None:
        response = page({"city": "atlantis"})
        assert listed(response) == []
        assert "No practice matches" in response.content.decode()

    def test_drafts_are_not_in_the_library(self, people: People) -> None:
        Practice.objects.filter(key="riga-migrant-council").update(status=PracticeStatus.DRAFT)
        for user in (None, people.outsider, people.secretariat):
            assert "riga-migrant-council" not in listed(page(user=user))


def test_pages_of_twenty_with_the_query_kept(people: People) -> None:
    city = CityFactory(name="Lyon", slug="lyon", country="FR")
    PracticeFactory.create_batch(45, city=city, summary="Employment of migrants.")
    response = page({"q": "employment", "page": "2"})
    assert len(listed(response)) == 20
    html = response.content.decode()
    assert "Page 2 of 3" in html
    assert 'href="?q=employment&amp;page=3"' in html
    assert len(listed(page({"q": "employment", "page": "99999999999999999999"}))) == 5
    assert len(listed(page({"page": "last\x00"}))) == 20


def test_the_query_count_does_not_grow_with_practices(people: People) -> None:
    def queries(params: dict[str, str]) -> int:
        with CaptureQueriesContext(connection) as captured:
            page(params)
        return len(captured)

    cities = [CityFactory(), CityFactory()]
    PracticeFactory.create_batch(
        3, city=cities[0], commitments=["workforce-diversity"], key_factors=["data-collection"]
    )
    params = {"q": "city", "role": "employer"}
    few = (queries({}), queries(params))
    for number in range(30):
        practice = PracticeFactory.create(
            city=cities[number % 2],
            year=2000 + number,
            commitments=["workforce-diversity", "needs-understood"],
            key_factors=["data-collection"],
        )
        practice.other_cities.add(CityFactory.create())
    assert (queries({}), queries(params)) == few
    assert few[0] <= 20


@pytest.mark.usefixtures("library")
class TestDownloads:
    def test_csv_keeps_the_search_and_quotes_formulas(self) -> None:
        Practice.objects.filter(key="riga-migrant-council").update(
            title="=HYPERLINK(1)", partners="+cmd"
        )
        response = client_for(None).get(reverse("practices:export_csv"), {"country": "LV"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        text = response.getvalue().decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert [row["key"] for row in rows] == ["riga-migrant-council"]
        assert rows[0]["title"] == "'=HYPERLINK(1)"
        assert rows[0]["partners"] == "'+cmd"
        assert rows[0]["commitments"] == "migrant-engagement"
        assert rows[0]["roles"] == "policymaker"
        assert rows[0]["url"].endswith("/practices/riga-migrant-council/")

    def test_json_holds_every_match(self) -> None:
        response = client_for(None).get(reverse("practices:export_json"), {"q": "city"})
        data = json.loads(response.getvalue())
        found = {record["key"]: record for record in data["practices"]}
        assert "vienna-monitors-workforce" in found
        vienna = found["vienna-monitors-workforce"]
        assert vienna["key_factors"] == ["feedback-monitoring-evaluation"]
        assert vienna["links"] == ["https://example.org/vienna-monitor"]
        assert vienna["year"] == 2014
        assert vienna["source"] == "toolkit-2018"

    def test_an_empty_search_downloads_an_empty_list(self) -> None:
        response = client_for(None).get(reverse("practices:export_json"), {"city": "atlantis"})
        assert json.loads(response.getvalue()) == {"practices": []}


@pytest.mark.usefixtures("library")
class TestPracticePage:
    def test_it_shows_the_practice_its_themes_and_source(self) -> None:
        response = client_for(None).get(detail("vienna-monitors-workforce"))
        html = response.content.decode()
        assert response.status_code == 200
        assert "Vienna monitors the diversity of its workforce" in html
        assert "Integration and Diversity department (MA17)" in html
        assert "Cities as employers" in html  # the commitment's role, from the Charter
        assert "Using feedback, monitoring and evaluation" in html
        assert "CITIES GROW" in html
        assert 'href="https://example.org/vienna-monitor"' in html
        assert "Not given by the source" in html  # partners, results... stay empty

    def test_it_credits_the_other_cities_by_name_on_the_page_and_the_form(
        self, people: People
    ) -> None:
        practice = Practice.objects.get(key="vienna-monitors-workforce")
        practice.other_cities.add(
            CityFactory.create(name="Zürich", slug="zurich"),
            CityFactory.create(name="Aarhus", slug="aarhus"),
        )
        credit = '<a href="/cities/aarhus/">Aarhus</a>, <a href="/cities/zurich/">Zürich</a>'
        html = client_for(None).get(detail(practice.key)).content.decode()
        assert html.count(credit) == 2  # the line under the title, and the facts
        assert html.count(f", {credit}</dd>") == 1
        edit = reverse("practices:edit", kwargs={"key": practice.key})
        assert credit in client_for(people.secretariat).get(edit).content.decode()

    def test_related_practices_share_a_theme(self) -> None:
        response = client_for(None).get(detail("vienna-monitors-workforce"))
        related = [p.key for p in response.context["related"]]
        # Barcelona's practice shares the employer role's workforce? No: another commitment;
        # Vienna's other practice is related through the city.
        assert "vienna-housing-information" in related
        assert "vienna-monitors-workforce" not in related

    def test_related_by_shared_commitment_come_first(self) -> None:
        PracticeFactory(key="other-workforce", commitments=["workforce-diversity"])
        response = client_for(None).get(detail("vienna-monitors-workforce"))
        assert response.context["related"][0].key == "other-workforce"

    def test_related_rank_by_themes_shared_then_newest(self) -> None:
        """Two shared themes before one; among equals the newer year; a draft never."""
        PracticeFactory(key="main", commitments=["workforce-diversity", "fair-treatment-of-staff"])
        PracticeFactory(key="one-old", year=2001, commitments=["workforce-diversity"])
        PracticeFactory(key="one-new", year=2020, commitments=["fair-treatment-of-staff"])
        PracticeFactory(
            key="both", year=1999, commitments=["fair-treatment-of-staff", "workforce-diversity"]
        )
        PracticeFactory(
            key="both-draft",
            status=PracticeStatus.DRAFT,
            commitments=["fair-treatment-of-staff", "workforce-diversity"],
        )
        response = client_for(None).get(detail("main"))
        keys = [p.key for p in response.context["related"]]
        assert keys[0] == "both"
        mine = [k for k in keys if k in {"one-old", "one-new", "both-draft", "main"}]
        assert mine == ["one-new", "one-old"]

    def test_related_practices_follow_a_new_publication(self, people: People) -> None:
        """Related practices are kept in the cache per version of the library: publishing
        another practice makes a new version, so the page names it at once."""
        first = client_for(people.viewer).get(detail("vienna-monitors-workforce"))
        assert "other-workforce" not in [p.key for p in first.context["related"]]
        PracticeFactory(
            key="other-workforce",
            commitments=["workforce-diversity"],
            status=PracticeStatus.PROPOSED,
        )
        other = Practice.objects.get(key="other-workforce")
        practice_publish(practice=other, user=people.secretariat)
        again = client_for(people.viewer).get(detail("vienna-monitors-workforce"))
        assert again.context["related"][0].key == "other-workforce"

    def test_the_page_reads_as_many_rows_however_large_the_library(self) -> None:
        """The practice, its other cities and its themes; the labels and the related
        practices' ids from the cache; the related practices. The same with 30 more practices
        sharing its themes."""

        def queries() -> int:
            client = client_for(None)
            assert client.get(detail("vienna-monitors-workforce")).status_code == 200
            with CaptureQueriesContext(connection) as captured:
                response = client.get(detail("vienna-monitors-workforce"))
            assert response.context["related"]
            return len(captured)

        few = queries()
        for number in range(30):
            PracticeFactory(key=f"more-{number}", commitments=["workforce-diversity"])
        assert few == queries() == 4  # the cache (a memory one in tests) is not SQL

    def test_the_labels_follow_a_change_of_a_framework(self) -> None:
        """The themes' labels are kept in the cache: a framework's text changed is shown at
        once (any write to public data starts a new generation of what is kept)."""
        from integratingcities.frameworks.models import Section

        url = detail("vienna-monitors-workforce")
        assert "Cities as employers" in client_for(None).get(url).content.decode()
        Section.objects.filter(key="employer").update(title="Cities that employ")
        html = client_for(None).get(url).content.decode()
        assert "Cities that employ" in html
        assert "Cities as employers" not in html

    def test_markdown_is_rendered_and_scripts_removed(self) -> None:
        Practice.objects.filter(key="riga-migrant-council").update(
            summary="**Bold** <script>alert(1)</script> [x](javascript:alert(2))",
            what='<img src=x onerror="alert(3)">',
        )
        html = client_for(None).get(detail("riga-migrant-council")).content.decode()
        assert "<strong>Bold</strong>" in html
        assert "<script>alert(1)" not in html
        assert "javascript:alert" not in html
        assert "onerror" not in html

    def test_a_draft_is_for_its_city_and_the_secretariat(self, people: People) -> None:
        Practice.objects.filter(key="ghent-procurement-clause").update(status=PracticeStatus.DRAFT)
        url = detail("ghent-procurement-clause")
        for user, status in [
            (None, 404),
            (people.outsider, 404),
            (people.viewer, 200),
            (people.editor, 200),
            (people.reviewer, 200),
            (people.secretariat, 200),
        ]:
            assert client_for(user).get(url).status_code == status

    def test_an_unknown_practice_is_404(self) -> None:
        assert client_for(None).get(detail("atlantis")).status_code == 404

    def test_the_city_page_lists_its_practices(self, people: People) -> None:
        html = client_for(None).get(reverse("cities:detail", args=["ghent"])).content.decode()
        assert "Ghent&#x27;s non-discrimination clause in public contracts" in html
        assert "Anti-rumour training for city staff" in html  # shared with Barcelona
        Practice.objects.filter(key="ghent-procurement-clause").update(
            status=PracticeStatus.PROPOSED
        )
        html = client_for(None).get(reverse("cities:detail", args=["ghent"])).content.decode()
        assert "non-discrimination clause" not in html
