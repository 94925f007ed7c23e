"""Malformed and hostile values sent to every form, query parameter and API call of the practice
library.

The values and helpers are those of test_hostile_input.py (empty values, very long strings, NUL
bytes, right-to-left and emoji text, SQL and HTML fragments, huge numbers, repeated keys), plus
the syntax of the full-text engines: a lone ``"``, ``*``, ``NEAR(``, ``AND OR``, column filters.
Searching never fails: a value that cannot be used is named beside its field (the page) or in
the 422 detail (the API) and left out of the search. A refused form writes nothing: the rows are
compared before and after.

Django's test client raises a view's exception instead of answering 500 (and so does ninja with
DEBUG off), so a crash fails the test with its traceback.
"""

import copy
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from integratingcities.assessments.models import Answer, Assessment
from integratingcities.frameworks import services as framework_services
from integratingcities.frameworks.models import Framework, Item
from integratingcities.lib.testing import CityFactory, People, client_for, make_people
from integratingcities.practices.models import Practice, PracticeStatus, PracticeTheme
from integratingcities.practices.services import practices_load_path
from integratingcities.practices.tests.conftest import SAMPLE
from tests.test_hostile_input import HUGE, LONG, NUL, RTL, SCRIPT, SQL, Post, assert_rejected, html

FTS = [
    '"',
    '""',
    '"open phrase',
    "*",
    "migr*",
    "NEAR(",
    "NEAR(city council, 2)",
    "AND OR",
    "OR",
    "NOT",
    "-",
    "- - -",
    "title:city",
    "{title body}: x",
    "^city",
    "city AND NOT",
    "'a' & !'b' | <->",
    ":*",
    "((((",
    "\\",
]
HOSTILE = ["", " ", LONG, NUL, RTL, SCRIPT, SQL, HUGE, "-1", "0", "1e400", "None", *FTS]
FILTERS = ["role", "commitment", "benchmark", "factor", "country", "city", "year", "source", "sort"]
LIBRARY = reverse("practices:library")


@pytest.fixture(scope="module")
def world(module_db: None) -> People:
    """The people, the Charter and the sample library, made once for the module."""
    people = make_people()
    framework_services.framework_import_path(
        path=Path(settings.BASE_DIR) / "content/frameworks/charter.v1.yaml", publish=True
    )
    for slug, country in (("vienna", "AT"), ("nantes", "FR"), ("barcelona", "ES")):
        CityFactory(name=slug.title(), slug=slug, country=country)
    practices_load_path(SAMPLE)
    return people


@pytest.fixture
def people(world: People, db: None) -> People:
    """The module's people, copied for each test, which may change them in memory."""
    return copy.deepcopy(world)


@pytest.fixture
def library(people: People) -> None:
    """The module's library (``world``): named by the tests that read it."""


def snapshot() -> tuple[list[dict[str, Any]], list[tuple[Any, ...]], int, int]:
    return (
        list(Practice.objects.order_by("pk").values()),
        list(PracticeTheme.objects.order_by("pk").values_list()),
        Practice.history.count(),
        Answer.objects.count(),
    )


def titles(response: Any) -> list[str]:
    return [row["title"] for row in response.context["rows"]]


# The library page and its downloads: every parameter, every hostile value.


@pytest.mark.usefixtures("library")
@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("name", ["q", *FILTERS, "page"])
def test_the_library_answers_any_parameter(name: str, value: str) -> None:
    response = Client().get(LIBRARY, {name: value})
    assert response.status_code == 200
    page = html(response)
    errors = response.context["form"].errors
    if errors:
        # Named at the field and in the summary, and left out of the search.
        assert set(errors) <= {name}
        assert f'id="id_{name}_error"' in page
        assert len(titles(response)) == 6


@pytest.mark.usefixtures("library")
@pytest.mark.parametrize(
    ("params", "field", "reason"),
    [
        ({"year": "soon"}, "year", "whole number"),
        ({"year": HUGE}, "year", "less than or equal to 2100"),
        ({"year": "1492"}, "year", "greater than or equal to 1900"),
        ({"country": "Belgium"}, "country", "two-letter code"),
        ({"country": NUL}, "country", "null characters"),
        ({"role": SCRIPT}, "role", "is not a key"),
        ({"city": "../../etc/passwd"}, "city", "is not a key"),
        ({"source": "rumour"}, "source", "valid choice"),
        ({"sort": "-title"}, "sort", "valid choice"),
        ({"q": LONG}, "q", "at most 500 characters"),
        ({"q": NUL}, "q", "null characters"),
    ],
)
def test_a_bad_value_is_named_and_explained(params: Post, field: str, reason: str) -> None:
    response = Client().get(LIBRARY, params)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["form"].errors[field]]
    assert any(reason.lower() in m.lower() for m in messages), messages
    assert f'id="id_{field}_error"' in response.content.decode()


@pytest.mark.usefixtures("library")
def test_repeated_keys_use_the_last_value() -> None:
    response = Client().get(LIBRARY, {"city": ["atlantis", "vienna"], "q": [SCRIPT, "housing"]})
    assert titles(response) == ["Housing information in twelve languages"]
    assert SCRIPT not in response.content.decode()


@pytest.mark.usefixtures("library")
def test_a_script_searched_for_comes_back_escaped() -> None:
    response = Client().get(LIBRARY, {"q": SCRIPT})
    page = html(response)
    assert escape(SCRIPT) in page or "script" in page


@pytest.mark.usefixtures("library")
@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("download", ["practices:export_csv", "practices:export_json"])
def test_downloads_answer_any_search(download: str, value: str) -> None:
    for name in ("q", "city", "year", "country"):
        response = Client().get(reverse(download), {name: value})
        assert response.status_code == 200
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        if download.endswith("json"):
            json.loads(body)
        else:
            list(csv.reader(io.StringIO(body)))


# The API: the same parameters; a value it cannot use is a 422 naming the parameter.


@pytest.mark.usefixtures("library")
@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("path", ["/api/v1/practices/", "/api/v1/practices/facets"])
def test_the_api_answers_any_parameter(path: str, value: str) -> None:
    for name in ["q", *FILTERS, "page"]:
        response = Client().get(path, {name: value})
        assert response.status_code in {200, 422}, (name, value, response.status_code)
        if response.status_code == 422:
            assert name in {error["loc"][-1] for error in response.json()["detail"]}


@pytest.mark.usefixtures("library")
@pytest.mark.parametrize("key", ["\x00", SCRIPT, LONG, SQL, RTL, "%00", "..", "a" * 121])
def test_a_practice_key_that_is_no_key_is_not_found(key: str) -> None:
    assert Client().get("/api/v1/practices/" + key).status_code == 404
    assert Client().get(f"/practices/{key}/").status_code == 404


# The practice form, as the city's editor sees it.


@pytest.fixture
def draft(library: None, people: People) -> Practice:
    practice = Practice.objects.get(key="ghent-procurement-clause")
    Practice.objects.filter(pk=practice.pk).update(status=PracticeStatus.DRAFT)
    practice.refresh_from_db()
    return practice


def form_data(**overrides: Any) -> Post:
    return {
        "title": "Ghent's clause",
        "year": "2014",
        "summary": "Contractors sign a clause.",
        "links_text": "https://example.org/clause",
        "commitments": ["equality-in-procurement"],
        **overrides,
    }


@pytest.mark.parametrize(
    ("overrides", "field", "reason"),
    [
        ({"title": ""}, "title", "required"),
        ({"title": LONG}, "title", "at most 300"),
        ({"title": NUL}, "title", "null characters"),
        ({"summary": ""}, "summary", "required"),
        ({"summary": "x" * 20_001}, "summary", "at most 20000"),
        ({"what": NUL}, "what", "null characters"),
        ({"for_whom": "x" * 20_001}, "for_whom", "at most 20000"),
        ({"partners": NUL}, "partners", "null characters"),
        ({"results": "x" * 30_000}, "results", "at most 20000"),
        ({"responsible_body": LONG}, "responsible_body", "at most 2000"),
        ({"transfer": NUL}, "transfer", "null characters"),
        ({"contact": LONG}, "contact", "at most 300"),
        ({"source_section": LONG}, "source_section", "at most 300"),
        ({"year": "soon"}, "year", "whole number"),
        ({"year": HUGE}, "year", "less than or equal to 2100"),
        ({"year": "-5"}, "year", "greater than or equal to 1900"),
        ({"year": "1e400"}, "year", "whole number"),
        ({"links_text": "javascript:alert(1)"}, "links_text", "not a web address"),
        ({"links_text": SCRIPT}, "links_text", "not a web address"),
        ({"links_text": NUL}, "links_text", "null characters"),
        ({"links_text": "\n".join(["https://example.org/"] * 30)}, "links_text", "at most 20"),
        ({"commitments": ["fly"]}, "commitments", "valid choice"),
        ({"commitments": [SQL]}, "commitments", "valid choice"),
        ({"key_factors": ["charter/employer"]}, "key_factors", "valid choice"),
        ({"key_factors": [NUL]}, "key_factors", "valid choice"),
    ],
)
def test_the_practice_form_refuses_hostile_values(
    draft: Practice, people: People, overrides: Post, field: str, reason: str
) -> None:
    before = snapshot()
    url = reverse("practices:edit", kwargs={"key": draft.key})
    assert_rejected(client_for(people.editor).post(url, form_data(**overrides)), field, reason)
    assert snapshot() == before, "a refused form wrote something"


@pytest.mark.parametrize(
    "overrides",
    [
        {"title": RTL, "summary": RTL},
        {"summary": SCRIPT + " **bold** [x](javascript:alert(1)) <img src=x onerror=alert(2)>"},
        {"partners": SQL, "what": "<iframe src=//evil>", "contact": SCRIPT},
        {"title": ["first", "Second title"]},
        {"commitments": ["equality-in-procurement", "equality-in-procurement"]},
        {"year": ""},
        {"links_text": "\n\n  https://example.org/a  \n"},
        {"send": "1"},
        {"publish": "1"},  # not the editor's to do: saved, not published
    ],
)
def test_odd_but_valid_values_are_saved_and_shown_safely(
    draft: Practice, people: People, overrides: Post
) -> None:
    client = client_for(people.editor)
    url = reverse("practices:edit", kwargs={"key": draft.key})
    response = client.post(url, form_data(**overrides))
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    draft.refresh_from_db()
    assert draft.status in {PracticeStatus.DRAFT, PracticeStatus.PROPOSED}
    page = client.get(draft.get_absolute_url())
    text = html(page)
    for needle in ("<iframe", "onerror", "javascript:alert", "<img"):
        assert needle not in text
    if "title" in overrides and isinstance(overrides["title"], list):
        assert draft.title == "Second title"


# The secretariat's comment when sending a proposal back.


@pytest.fixture
def proposal(draft: Practice) -> Practice:
    Practice.objects.filter(pk=draft.pk).update(status=PracticeStatus.PROPOSED)
    draft.refresh_from_db()
    return draft


@pytest.mark.parametrize(
    ("comment", "reason"),
    [
        ("", "Say what the city should change"),
        ("   ", "Say what the city should change"),
        (LONG, "at most 5000"),
        (NUL, "null characters"),
        (["", ""], "Say what the city should change"),
    ],
)
def test_sending_back_refuses_hostile_comments(
    proposal: Practice, people: People, comment: Any, reason: str
) -> None:
    before = snapshot()
    url = reverse("practices:send_back", kwargs={"key": proposal.key})
    response = client_for(people.secretariat).post(url, {"comment": comment})
    assert response.status_code == 200
    form = response.context["return_form"]
    assert any(reason.lower() in str(m).lower() for m in form.errors["comment"])
    assert 'id="id_comment_error"' in response.content.decode()
    assert snapshot() == before


def test_a_script_in_a_comment_is_shown_as_text(proposal: Practice, people: People) -> None:
    url = reverse("practices:send_back", kwargs={"key": proposal.key})
    assert client_for(people.secretariat).post(url, {"comment": SCRIPT}).status_code == 302
    page = client_for(people.editor).get(proposal.get_absolute_url())
    assert escape(SCRIPT) in html(page)


# Proposing evidence: ids that are not answers, answers that are not the editor's.


@pytest.fixture
def answers(library: None, people: People) -> dict[str, Answer]:
    charter = Framework.objects.get(lineage="charter")
    item = Item.objects.get(section__framework=charter, key="workforce-diversity")
    ghent = Assessment.objects.create(city=people.ghent, framework=charter)
    riga = Assessment.objects.create(city=people.riga, framework=charter)
    return {
        "ghent": Answer.objects.create(assessment=ghent, item=item, evidence=SCRIPT + RTL),
        "blank": Answer.objects.create(
            assessment=ghent,
            item=Item.objects.get(section__framework=charter, key="needs-understood"),
            evidence="  \n ",
        ),
        "riga": Answer.objects.create(assessment=riga, item=item, evidence="Riga's."),
    }


@pytest.mark.parametrize("answer_id", ["0", "-1", HUGE, "9" * 40, "abc", "1e5", "%00"])
def test_proposing_an_id_that_is_no_answer_is_not_found(
    answers: dict[str, Answer], people: People, answer_id: str
) -> None:
    before = snapshot()
    response = client_for(people.editor).post(f"/practices/propose/{answer_id}/")
    assert response.status_code == 404
    assert snapshot() == before


def test_proposing_another_citys_or_empty_evidence_writes_nothing(
    answers: dict[str, Answer], people: People
) -> None:
    before = snapshot()
    editor = client_for(people.editor)
    riga = reverse("practices:propose", kwargs={"answer_id": answers["riga"].pk})
    blank = reverse("practices:propose", kwargs={"answer_id": answers["blank"].pk})
    assert editor.post(riga).status_code == 404
    assert editor.post(blank).status_code == 302
    assert snapshot() == before


def test_proposed_hostile_evidence_is_shown_safely(
    answers: dict[str, Answer], people: People
) -> None:
    editor = client_for(people.editor)
    url = reverse("practices:propose", kwargs={"answer_id": answers["ghent"].pk})
    response = editor.post(url, {"anything": [NUL, LONG]})
    assert response.status_code == 302
    practice = Practice.objects.get(from_answer=answers["ghent"])
    assert len(practice.title) <= 120
    page = html(editor.get(practice.get_absolute_url()))
    assert "<script>alert(1)" not in page
