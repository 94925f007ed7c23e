"""Compare: published results side by side, as a page, a CSV file and an SVG chart; nothing
that is not published ever shows; bad input is said, never a 500; queries flat in the
number of cities."""

import csv
import io
import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integratingcities.assessments.models import Assessment
from integratingcities.frameworks.models import Framework
from integratingcities.lib.testing import CityFactory, People, client_for
from integratingcities.results.tests.conftest import Make, rating_keys
from integratingcities.rounds.models import Round, RoundStatus

PAGE, CSV, SVG = "/compare/", "/compare/data.csv", "/compare/chart.svg"
ROLES = ("policymaker", "service_provider", "employer", "buyer")


def _all(framework: Framework, level: str) -> dict[str, str]:
    return dict.fromkeys(rating_keys(framework), level)


def _get(url: str, **params: Any) -> str:
    response = client_for(None).get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def _csv(**params: Any) -> list[dict[str, str]]:
    response = client_for(None).get(CSV, params)
    assert response.status_code == 200
    text = response.content.decode().lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def _svg(**params: Any) -> ET.Element:
    response = client_for(None).get(SVG, params)
    assert response["Content-Type"] == "image/svg+xml"
    return ET.fromstring(response.content)  # noqa: S314 (our own output)


@pytest.fixture
def compared(people: People, charter: Framework, published_round: Round, make: Make) -> Round:
    """Ghent meets every commitment fully, Riga partly; Vienna answered one commitment only."""
    make(charter, people.ghent, _all(charter, "fully"), round_=published_round)
    make(charter, people.riga, _all(charter, "partly"), round_=published_round)
    vienna = CityFactory.create(name="Vienna", slug="vienna", country="AT")
    make(charter, vienna, {"workforce-diversity": "fully"}, round_=published_round)
    return published_round


def test_the_page_offers_the_published_results_before_anything_is_chosen(
    compared: Round,
) -> None:
    page = _get(PAGE)
    assert compared.title in page
    assert "<table" not in page


def test_cities_by_name_are_compared_role_by_role(compared: Round) -> None:
    page = _get(PAGE, data=f"round:{compared.pk}", city=["riga", "ghent"])
    table = page[page.index("<table") :]
    # By name, never by score, and each role's published score.
    assert table.index("Ghent") < table.index("Riga")
    assert table.count(">100<") == 4 and table.count(">50<") == 4
    assert f"{SVG}?data=round%3A{compared.pk}&amp;city=riga&amp;city=ghent" in page
    assert f"{CSV}?data=round%3A{compared.pk}" in page


def test_too_few_answers_are_said_so_never_shown_as_zero(compared: Round) -> None:
    page = _get(PAGE, data=f"round:{compared.pk}", city="vienna", what=["employer", "overall"])
    row = page[page.index("<tbody") :]
    row = row[row.index(">Vienna<") : row.index("</tr>")]
    assert row.count("not enough answers to score") == 2
    assert ">0<" not in row
    rows = _csv(data=f"round:{compared.pk}", city="vienna", what="employer")
    assert rows[0]["score"] == "" and rows[0]["status"] == "not enough answers to score"


def test_a_commitment_shows_the_level_each_city_gave(compared: Round) -> None:
    page = _get(
        PAGE,
        data=f"round:{compared.pk}",
        city=["ghent", "riga", "vienna"],
        what="employer.workforce-diversity",
    )
    assert "Fully (100)" in page and "Partly (50)" in page
    rows = _csv(
        data=f"round:{compared.pk}", city=["ghent", "riga"], what="policymaker.migrant-engagement"
    )
    assert [(r["city"], r["level"], r["score"]) for r in rows] == [
        ("Ghent", "Fully", "100"),
        ("Riga", "Partly", "50"),
    ]


def test_a_peer_group_brings_its_cities(people: People, compared: Round) -> None:
    page = _get(PAGE, data=f"round:{compared.pk}", country="LV")
    table = page[page.index("<table") :]
    assert "Riga" in table and "Ghent" not in table


def test_the_csv_has_a_row_per_city_and_thing_compared(compared: Round) -> None:
    rows = _csv(data=f"round:{compared.pk}", city=["ghent", "riga"])
    assert len(rows) == 8
    assert {r["compared"] for r in rows} == set(ROLES)
    ghent = [r for r in rows if r["city"] == "Ghent"]
    assert {r["score"] for r in ghent} == {"100"}
    assert {r["illustrative"] for r in rows} == {"no"}


def test_the_svg_names_and_describes_what_it_shows(compared: Round) -> None:
    root = _svg(data=f"round:{compared.pk}", city=["ghent", "vienna"], what="employer")
    title = root.findtext("{http://www.w3.org/2000/svg}title") or ""
    desc = root.findtext("{http://www.w3.org/2000/svg}desc") or ""
    assert compared.title in title
    assert "Ghent: Cities as employers: 100." in desc
    assert "Vienna: Cities as employers: not enough answers to score." in desc


def test_unvalidated_answers_and_unpublished_rounds_never_show(
    people: People, charter: Framework, compared: Round, make: Make
) -> None:
    lisbon = CityFactory.create(name="Lisbon", slug="lisbon", country="PT")
    make(charter, lisbon, _all(charter, "fully"), round_=compared, state="submitted")
    page = _get(PAGE, data=f"round:{compared.pk}", city=["lisbon", "ghent"])
    assert "“Lisbon” has no published results" in page
    table = page[page.index("<table") :]
    assert "Lisbon" not in table
    assert "Lisbon" not in _get(PAGE, data=f"round:{compared.pk}", country="PT")
    assert _csv(data=f"round:{compared.pk}", country="PT") == []
    assert (
        b"Lisbon"
        not in client_for(None).get(SVG, {"data": f"round:{compared.pk}", "city": "lisbon"}).content
    )
    closed = Round.objects.create(
        title="Closed, not published",
        framework=charter,
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 3, 31),
        status=RoundStatus.CLOSED,
    )
    make(charter, lisbon, _all(charter, "fully"), round_=closed)
    for client in (client_for(None), client_for(people.secretariat)):
        page = client.get(PAGE, {"data": f"round:{closed.pk}", "city": "lisbon"}).content.decode()
        assert "There are no published results called" in page
        assert "Closed, not published" not in page and "<table" not in page


def test_only_validated_self_tests_their_city_shares_are_public(
    people: People, benchmark: Framework, make: Make
) -> None:
    levels = _all(benchmark, "yes")
    shared = make(benchmark, people.ghent, levels)
    Assessment.objects.filter(pk=shared.pk).update(share_evidence=True)
    make(benchmark, people.riga, levels)  # validated, not shared
    vienna = CityFactory.create(name="Vienna", slug="vienna", country="AT")
    draft = make(benchmark, vienna, levels, state="in_progress")
    Assessment.objects.filter(pk=draft.pk).update(share_evidence=True)
    query = {"data": f"benchmark:{benchmark.lineage}", "city": ["ghent", "riga", "vienna"]}
    page = _get(PAGE, **query)
    table = page[page.index("<table") :]
    assert "Ghent" in table and "Riga" not in table and "Vienna" not in table
    assert "“Riga”, “Vienna” have no published results" in page
    assert {r["city"] for r in _csv(**query)} == {"Ghent"}
    # Key factors, not the context factors, are what a benchmark compares.
    assert "context-factors" not in {r["compared"] for r in _csv(**query)}


def test_illustrative_levels_are_labelled_and_rank_nobody(compared: Round) -> None:
    Round.objects.filter(pk=compared.pk).update(is_illustrative=True)
    page = _get(PAGE, data=f"round:{compared.pk}", city=["riga", "ghent"])
    assert "Illustrative: some of these levels are demonstration data" in page
    assert page.count('<span class="pill pill-warn">illustrative</span>') == 2
    assert "Rank" not in page
    root = _svg(data=f"round:{compared.pk}", city=["riga", "ghent"])
    assert (root.findtext("{http://www.w3.org/2000/svg}title") or "").startswith("Illustrative")
    assert {r["illustrative"] for r in _csv(data=f"round:{compared.pk}", city="ghent")} == {"yes"}


def test_more_cities_than_the_cap_are_said_and_cut_by_name(
    charter: Framework, compared: Round, make: Make
) -> None:
    for n in range(12):
        city = CityFactory.create(name=f"Town {n:02}", slug=f"town-{n:02}", country="LV")
        make(charter, city, _all(charter, "fully"), round_=compared)
    page = _get(PAGE, data=f"round:{compared.pk}", country="LV")
    assert "13 cities were chosen; at most 12 are compared at once" in page
    table = page[page.index("<tbody") :]
    # Riga and Town 00 to Town 10 by name; Town 11 is left out.
    assert table.count('scope="row"') == 12 and "Riga" in table and "Town 11" not in table


HOSTILE = [
    {"data": "round:99999999999999999999"},
    {"data": "round:-1"},
    {"data": "round:0"},
    {"data": "benchmark:../../etc/passwd"},
    {"data": "\x00"},
    {"data": ["round:1", "round:2"], "city": "\x00ghent"},
    {"data": "round:{round}", "city": "<script>alert(1)</script>"},
    {"data": "round:{round}", "city": ["ghent"] * 500, "what": ["x" * 5000]},
    {"data": "round:{round}", "what": ["employer.", ".employer", "employer.nope", "nope"]},
    {"data": "round:{round}", "band": "HUGE", "country": "ZZZ", "foreign_born": "1000%"},
    {"data": "round:{round}", "country": "zz", "band": "SMALL", "foreign_born": "10-20%"},
    {"data": "round:{round}", "city": "ghent,riga,,", "what": "overall,overall"},
    {"data": "round:{round}", "city": "Ghent", "what": "💥"},
]


@pytest.mark.parametrize("params", HOSTILE)
@pytest.mark.parametrize("url", [PAGE, CSV, SVG])
def test_hostile_query_strings_get_an_answer_never_a_500(
    compared: Round, url: str, params: dict[str, Any]
) -> None:
    given = {
        key: (value.replace("{round}", str(compared.pk)) if isinstance(value, str) else value)
        for key, value in params.items()
    }
    response = client_for(None).get(url, given)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>alert" not in body


def test_a_hostile_query_is_told_what_was_left_out(compared: Round) -> None:
    page = _get(
        PAGE,
        data=f"round:{compared.pk}",
        city=["ghent", "atlantis", "<b>x</b>"],
        what=["employer", "nope"],
        band="HUGE",
    )
    assert "There is no city called “atlantis”." in page
    assert "There is no city called “&lt;b&gt;x&lt;/b&gt;”." in page
    assert "“nope” is not something these results compare." in page
    assert "“HUGE” is not a city size." in page
    assert ">100<" in page  # Ghent is compared all the same


def _queries(params: dict[str, Any]) -> int:
    client = client_for(None)
    client.get(PAGE, params)  # fills the caches (the scheme) as any visit would
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PAGE, params).status_code == 200
    return len(queries)


def _towns(charter: Framework, round_: Round, make: Make, country: str, numbers: range) -> None:
    for n in numbers:
        city = CityFactory.create(name=f"Town {country} {n:02}", country=country)
        make(charter, city, _all(charter, "partly"), round_=round_)


def test_queries_do_not_grow_with_the_number_of_cities(
    charter: Framework, compared: Round, make: Make
) -> None:
    what = ["overall", "employer", "employer.workforce-diversity"]
    named = {"data": f"round:{compared.pk}", "city": ["ghent", "vienna", "riga"], "what": what}
    group = {"data": f"round:{compared.pk}", "country": "LV", "what": what}
    _towns(charter, compared, make, "LV", range(12))  # the group is over the cap already
    before = (_queries(named), _queries(group))
    _towns(charter, compared, make, "LV", range(12, 24))
    _towns(charter, compared, make, "HR", range(12))
    assert (_queries(named), _queries(group)) == before


def test_the_round_results_page_links_to_the_comparison(compared: Round) -> None:
    page = _get(reverse("rounds:results", args=[compared.pk]))
    assert f'href="{PAGE}?data=round%3A{compared.pk}"' in page


def test_cities_are_typed_one_a_line_by_name_or_short_name(people: People, compared: Round) -> None:
    """The page lists no menu of every city that answered (1.3 MB at 20,000 cities): the
    cities are typed, and the links carry their short names."""
    CityFactory.create(name="Springfield", slug="springfield-us", country="US")
    CityFactory.create(name="Springfield", slug="springfield-il", country="US")
    page = _get(
        PAGE,
        data=f"round:{compared.pk}",
        cities="  gHENT \nriga\n\nAtlantis\nSpringfield\nghent",
        what="employer",
    )
    assert '<option value="vienna"' not in page
    assert '<textarea name="cities" id="city"' in page
    assert ">Ghent\nRiga</textarea>" in page
    assert "There is no city called “Atlantis”." in page
    assert "Several cities are called “Springfield”: give the short name" in page
    assert "springfield-il, springfield-us" in page
    assert (
        f"{SVG}?data=round%3A{compared.pk}&amp;city=ghent&amp;city=riga&amp;what=employer" in page
    )
    # The short names from the links, and the names typed, come to the same comparison.
    typed = _csv(data=f"round:{compared.pk}", cities="Ghent\nRiga", what="employer")
    linked = _csv(data=f"round:{compared.pk}", city=["ghent", "riga"], what="employer")
    assert typed == linked and {r["city"] for r in typed} == {"Ghent", "Riga"}


def test_the_cities_are_typed_back_so_that_sending_again_asks_nothing(compared: Round) -> None:
    """A city whose name another city shares comes back in the box by its short name: sent
    again as it is, the form asks nothing."""
    CityFactory.create(name="Ghent", slug="ghent-new-york", country="US")
    page = _get(PAGE, data=f"round:{compared.pk}", cities="ghent\nRiga", what="employer")
    assert ">ghent\nRiga</textarea>" in page
    again = _get(PAGE, data=f"round:{compared.pk}", cities="ghent\nRiga", what="employer")
    assert "Several cities are called" not in again
    assert f"{SVG}?data=round%3A{compared.pk}&amp;city=ghent&amp;city=riga" in again


def test_a_typed_list_too_long_is_cut_and_said(compared: Round) -> None:
    page = _get(PAGE, data=f"round:{compared.pk}", cities="\n".join(["ghent"] * 500))
    assert "At most 200 cities a list." in page
