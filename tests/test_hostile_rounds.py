"""Malformed and hostile values sent to the forms and the API of Charter monitoring rounds.

The approach, values and helpers are those of test_hostile_input.py: a round opened and cities
invited by the secretariat, the filters of the results and their charts, a section of answers (every
kind of question, posted as a form and by autosave), reviewers' comments, the workflow buttons,
personal API tokens and the answers API are sent empty values, very long strings, NUL bytes, wrong
types, repeated keys, unknown choices and ids, and numbers out of range. A refused value is named:
by the form's error on the field, by autosave's JSON errors or by the API's detail "[index].field"
(ninja's own 422 errors name the index and field in "loc"). Nothing is written then: the rows are
counted, and the stored answers compared, before and after (on the answering page a refused link
alone does not hold back the rest of its section, which is saved; the API saves whole or not at
all). A 409 is no error: it is how an answering page or the API says that someone else saved the
answer first.

Django's test client raises a view's exception instead of answering 500 (and so does ninja with
DEBUG off), so a crash fails the test with its traceback.
"""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from integratingcities.accounts.models import ApiToken, Membership, Role
from integratingcities.accounts.services import token_create
from integratingcities.assessments.forms import CommentForm, SectionAnswersForm
from integratingcities.assessments.models import Answer, Assessment, AssessmentState, Comment
from integratingcities.assessments.selectors import section_content
from integratingcities.assessments.services import AnswerInput, answers_save
from integratingcities.frameworks import services as framework_services
from integratingcities.frameworks.models import Framework, Item, Level, Section
from integratingcities.lib.scoring import Band
from integratingcities.lib.testing import People, client_for
from integratingcities.rounds.forms import InviteForm
from integratingcities.rounds.models import Round, RoundStatus
from integratingcities.rounds.selectors import ResultFilters
from tests.test_hostile_input import (
    HUGE,
    LONG,
    NUL,
    RTL,
    SCRIPT,
    SQL,
    Post,
    assert_rejected,
    case,
    html,
)
from tests.test_hostile_input import counts as account_counts

TOO_LONG = "x" * 30_000  # beyond the 20,000 characters of an answer
MANY_LINKS = "\n".join(f"https://example.org/{n}" for n in range(100))


def counts() -> dict[str, int]:
    """Every table a form or the API here may write to, those of test_hostile_input included."""
    return {
        **account_counts(),
        "rounds": Round.objects.count(),
        "assessments": Assessment.objects.count(),
        "answers": Answer.objects.count(),
        "answer history": Answer.history.count(),
        "comments": Comment.objects.count(),
        "tokens": ApiToken.objects.count(),
    }


def snapshot() -> tuple[dict[str, int], list[dict[str, Any]], list[tuple[Any, ...]]]:
    """The counts, every answer as stored, and every assessment's state."""
    return (
        counts(),
        list(Answer.objects.order_by("pk").values()),
        list(Assessment.objects.order_by("pk").values_list("pk", "state", "last_activity_at")),
    )


def fill(data: Post, **ids: Any) -> Post:
    """Placeholders such as "{ghent}" replaced by the id of the object made for the test."""

    def one(value: Any) -> Any:
        if isinstance(value, list):
            return [one(v) for v in value]
        if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
            return str(ids.get(value[1:-1], value))
        return value

    return {key: one(value) for key, value in data.items()}


def flashed(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def refused_without_writing(client: Client, url: str, data: Post, field: str, reason: str) -> None:
    """The form is shown again with the error at the field, and nothing was written."""
    before = snapshot()
    assert_rejected(client.post(url, data), field, reason)
    assert snapshot() == before, "a refused form wrote something"


# The Charter and a round of it, as in the apps' own tests (assessments/tests/conftest.py).


@pytest.fixture(scope="module")
def imported_charter(module_db: None) -> int:
    """The Charter, imported once for the module (most of a test's set-up time otherwise)."""
    return framework_services.framework_import_path(
        path=Path(settings.BASE_DIR) / "content/frameworks/charter.v1.yaml", publish=True
    ).framework.pk


@pytest.fixture
def charter(imported_charter: int, db: None) -> Framework:
    return Framework.objects.get(pk=imported_charter)


@pytest.fixture
def open_round(people: People, charter: Framework) -> Round:
    return Round.objects.create(
        title="Survey 2026",
        framework=charter,
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 12, 31),
    )


@pytest.fixture
def ghent_assessment(people: People, open_round: Round) -> Assessment:
    return Assessment.objects.create(
        city=people.ghent, framework=open_round.framework, round=open_round
    )


OTHER_FRAMEWORK = """
schema: integratingcities/framework/1
lineage: hostile
version: 1
kind: benchmark
title: Another framework, with another scale
scales:
  - key: answer
    levels:
      - {key: "yes", label: "Yes", score: 100}
      - {key: "no", label: "No", score: 0}
sections:
  - key: data
    title: Data
    items:
      - {key: q1, kind: rating, scale: answer, text: "Does the city collect data?"}
"""


@pytest.fixture
def other_framework(db: None) -> Framework:
    """A draft: no round may use it, and its section, item and levels are not the Charter's."""
    return framework_services.framework_import(
        text=OTHER_FRAMEWORK, source="hostile.yaml"
    ).framework


@pytest.fixture
def secretariat(people: People) -> Client:
    return client_for(people.secretariat)


@pytest.fixture
def editor(people: People) -> Client:
    return client_for(people.editor)


@pytest.fixture
def reviewer(people: People) -> Client:
    return client_for(people.reviewer)


# Opening a round, by the secretariat.

ROUND_NEW = reverse("rounds:create")


def round_data(**overrides: Any) -> Post:
    return {
        "title": "Survey 2027",
        "framework": "{charter}",
        "opens_on": "2027-01-01",
        "closes_on": "2027-06-30",
        "cities": ["{ghent}", "{riga}"],
        **overrides,
    }


def round_ids(people: People, charter: Framework, other: Framework) -> dict[str, int]:
    return {
        "ghent": people.ghent.pk,
        "riga": people.riga.pk,
        "charter": charter.pk,
        "draft": other.pk,
    }


@pytest.mark.parametrize(
    ("overrides", "field", "reason"),
    [
        case({"title": ""}, "title", "required", "empty-title"),
        case({"title": "   "}, "title", "required", "blank-title"),
        case({"title": "x" * 201}, "title", "at most 200", "201-characters-title"),
        case({"title": LONG}, "title", "at most 200", "long-title"),
        case({"title": NUL}, "title", "null characters", "nul-title"),
        case({"framework": ""}, "framework", "required", "no-framework"),
        case({"framework": "999999"}, "framework", "valid choice", "unknown-framework"),
        case({"framework": "-1"}, "framework", "valid choice", "negative-framework"),
        case({"framework": HUGE}, "framework", "valid choice", "huge-framework"),
        case({"framework": str(2**63)}, "framework", "valid choice", "2**63-framework"),
        case({"framework": "9" * 5000}, "framework", "valid choice", "5000-digit-framework"),
        case({"framework": "charter"}, "framework", "valid choice", "framework-by-name"),
        case({"framework": NUL}, "framework", "null characters", "nul-framework"),
        case({"framework": SQL}, "framework", "valid choice", "sql-framework"),
        case({"framework": "{draft}"}, "framework", "valid choice", "draft-framework"),
        case({"framework": ["{charter}", "999"]}, "framework", "valid choice", "twice-framework"),
        case({"opens_on": ""}, "opens_on", "required", "no-opening"),
        case({"opens_on": "2027-02-30"}, "opens_on", "valid date", "february-30"),
        case({"opens_on": "10000-01-01"}, "opens_on", "valid date", "year-10000"),
        case({"opens_on": "0000-01-01"}, "opens_on", "valid date", "year-0"),
        case({"opens_on": "-2027-01-01"}, "opens_on", "valid date", "negative-year"),
        case({"opens_on": "tomorrow"}, "opens_on", "valid date", "words"),
        case({"opens_on": HUGE}, "opens_on", "valid date", "huge-date"),
        case({"opens_on": LONG}, "opens_on", "valid date", "long-date"),
        case({"opens_on": NUL}, "opens_on", "valid date", "nul-date"),
        case({"opens_on": "2027-01-01\x00"}, "opens_on", "valid date", "nul-after-date"),
        case({"opens_on": SQL}, "opens_on", "valid date", "sql-date"),
        case({"closes_on": "2026-12-31"}, "closes_on", "cannot close before", "closes-first"),
        case(
            {"opens_on": "9999-12-31", "closes_on": "0001-01-01"},
            "closes_on",
            "cannot close before",
            "extremes-reversed",
        ),
        case({"closes_on": ["2027-06-30", "x"]}, "closes_on", "valid date", "twice-closing"),
        case({"cities": []}, "cities", "required", "no-city"),
        case({"cities": [""]}, "cities", "not a valid value", "empty-city"),
        case({"cities": ["999999"]}, "cities", "valid choice", "unknown-city"),
        case({"cities": ["-1"]}, "cities", "valid choice", "negative-city"),
        case({"cities": [HUGE]}, "cities", "valid choice", "huge-city"),
        case({"cities": [str(2**63)]}, "cities", "valid choice", "2**63-city"),
        case({"cities": ["9" * 5000]}, "cities", "not a valid value", "5000-digit-city"),
        case({"cities": ["ghent"]}, "cities", "not a valid value", "city-by-slug"),
        case({"cities": ["1.5"]}, "cities", "not a valid value", "fractional-city"),
        case({"cities": [NUL]}, "cities", "null characters", "nul-city"),
        case({"cities": [SQL]}, "cities", "not a valid value", "sql-city"),
        case({"cities": ["{ghent}", "999999"]}, "cities", "valid choice", "one-bad-city"),
    ],
)
def test_opening_a_round_rejects_hostile_values(
    people: People,
    secretariat: Client,
    charter: Framework,
    other_framework: Framework,
    overrides: Post,
    field: str,
    reason: str,
) -> None:
    data = fill(round_data(**overrides), **round_ids(people, charter, other_framework))
    refused_without_writing(secretariat, ROUND_NEW, data, field, reason)


@pytest.mark.parametrize(
    ("overrides", "stored", "invited"),
    [
        ({"title": RTL}, {"title": RTL}, 2),
        ({"title": SCRIPT}, {"title": SCRIPT}, 2),
        ({"title": SQL}, {"title": SQL}, 2),
        ({"title": "  Padded  "}, {"title": "Padded"}, 2),
        ({"title": "x" * 200}, {"title": "x" * 200}, 2),
        ({"title": ["First", "Second"]}, {"title": "Second"}, 2),
        ({"framework": ["999999", "{charter}"]}, {}, 2),
        ({"cities": ["{ghent}", "{ghent}"]}, {}, 1),
        (
            {"opens_on": "2027-03-01", "closes_on": "2027-03-01"},
            {"opens_on": date(2027, 3, 1), "closes_on": date(2027, 3, 1)},
            2,
        ),
        (
            {"opens_on": "0001-01-01", "closes_on": "9999-12-31"},
            {"opens_on": date(1, 1, 1), "closes_on": date(9999, 12, 31)},
            2,
        ),
        ({"opens_on": " 2027-01-01 "}, {"opens_on": date(2027, 1, 1)}, 2),
        # Fields the form does not have are ignored.
        (
            {
                "status": "published",
                "is_illustrative": "on",
                "created_by": "999999",
                "published_at": "2000-01-01",
            },
            {"status": RoundStatus.OPEN, "is_illustrative": False, "published_at": None},
            2,
        ),
    ],
)
def test_opening_a_round_accepts_odd_but_valid_values(
    people: People,
    secretariat: Client,
    charter: Framework,
    other_framework: Framework,
    django_capture_on_commit_callbacks: Any,
    overrides: Post,
    stored: dict[str, Any],
    invited: int,
) -> None:
    ids = round_ids(people, charter, other_framework)
    data = fill(round_data(**overrides), **ids)
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat.post(ROUND_NEW, data)
    assert response.status_code == 302, response.context["form"].errors.get_json_data()
    new_round = Round.objects.get()
    assert response["Location"] == new_round.get_absolute_url()
    assert counts() == {
        **before,
        "rounds": 1,
        "assessments": invited,
        # The editors and viewers of each invited city are told.
        "mails": before["mails"]
        + Membership.objects.filter(
            city__assessments__round=new_round, role__in=[Role.EDITOR, Role.VIEWER]
        ).count(),
    }
    for key, value in stored.items():
        assert getattr(new_round, key) == value, key
    assert new_round.framework == charter
    assert new_round.created_by == people.secretariat
    html(secretariat.get(response["Location"]))
    html(secretariat.get(reverse("rounds:list")))


@pytest.mark.parametrize("role", ["editor", "reviewer", "outsider"])
def test_only_the_secretariat_opens_a_round(
    people: People, charter: Framework, other_framework: Framework, role: str
) -> None:
    data = fill(round_data(), **round_ids(people, charter, other_framework))
    before = snapshot()
    assert client_for(people.all_roles()[role]).post(ROUND_NEW, data).status_code == 403
    assert snapshot() == before


# Inviting more cities to an open round (Ghent is invited already, Riga not).


def invite_url(pk: int) -> str:
    return reverse("rounds:invite", args=[pk])


@pytest.mark.parametrize(
    ("cities", "reason"),
    [
        pytest.param([], "required", id="none"),
        pytest.param([""], "not a valid value", id="empty"),
        pytest.param(["999999"], "valid choice", id="unknown"),
        pytest.param(["-1"], "valid choice", id="negative"),
        pytest.param(["0"], "valid choice", id="zero"),
        pytest.param([HUGE], "valid choice", id="huge"),
        pytest.param([str(2**63)], "valid choice", id="2**63"),
        pytest.param(["9" * 5000], "not a valid value", id="5000-digits"),
        pytest.param(["riga"], "not a valid value", id="by-slug"),
        pytest.param(["1e3"], "not a valid value", id="exponent"),
        pytest.param([NUL], "null characters", id="nul"),
        pytest.param([LONG], "not a valid value", id="long"),
        pytest.param([SCRIPT], "not a valid value", id="script"),
        pytest.param(["{riga}", "999999"], "valid choice", id="one-bad"),
    ],
)
def test_inviting_rejects_hostile_values(
    people: People,
    secretariat: Client,
    ghent_assessment: Assessment,
    cities: list[str],
    reason: str,
) -> None:
    data = fill({"cities": cities}, riga=people.riga.pk)
    errors = InviteForm(data).errors
    assert any(reason in message.lower() for message in errors["cities"]), errors
    before = snapshot()
    response = secretariat.post(invite_url(ghent_assessment.round_id), data)
    assert response.status_code == 302
    assert response["Location"] == ghent_assessment.round.get_absolute_url()
    assert flashed(response) == ["Choose at least one city to invite."]
    assert snapshot() == before
    html(secretariat.get(response["Location"]))


@pytest.mark.parametrize(
    ("cities", "new"),
    [
        (["{riga}", "{riga}"], 1),
        (["{ghent}"], 0),
        (["{ghent}", "{riga}"], 1),
    ],
)
def test_inviting_a_city_twice_invites_it_once(
    people: People,
    secretariat: Client,
    ghent_assessment: Assessment,
    django_capture_on_commit_callbacks: Any,
    cities: list[str],
    new: int,
) -> None:
    data = fill({"cities": cities}, riga=people.riga.pk, ghent=people.ghent.pk)
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat.post(invite_url(ghent_assessment.round_id), data)
    assert response.status_code == 302
    assert flashed(response) == [f"{new} cities invited."]
    assert counts() == {
        **before,
        "assessments": before["assessments"] + new,
        "mails": before["mails"] + new,
    }


def test_a_closed_round_invites_nobody(
    people: People, secretariat: Client, ghent_assessment: Assessment
) -> None:
    Round.objects.filter(pk=ghent_assessment.round_id).update(status=RoundStatus.CLOSED)
    before = snapshot()
    response = secretariat.post(
        invite_url(ghent_assessment.round_id), {"cities": [str(people.riga.pk)]}
    )
    assert response.status_code == 302
    assert flashed(response) == ["Cities can only be invited to an open round."]
    assert snapshot() == before


@pytest.mark.parametrize("pk", [999_999, 10**30])
@pytest.mark.parametrize("name", ["board", "invite", "remind", "close", "publish", "results"])
def test_an_unknown_round_is_a_404(
    people: People, secretariat: Client, open_round: Round, name: str, pk: int
) -> None:
    url = reverse(f"rounds:{name}", args=[pk])
    before = snapshot()
    if name in {"board", "results"}:
        response = secretariat.get(url)
    else:
        response = secretariat.post(url, {"cities": [str(people.riga.pk)]})
    assert response.status_code == 404
    assert snapshot() == before


# The filters of the results and of their charts take any query string.


@pytest.fixture
def published_round(people: People, ghent_assessment: Assessment) -> Round:
    """Ghent's validated answer to one commitment, in a published round."""
    charter = ghent_assessment.framework
    answers_save(
        assessment=ghent_assessment,
        user=people.editor,
        inputs={
            Item.objects.get(section__framework=charter, key="communicate-commitment"): (
                AnswerInput(level=Level.objects.get(scale__framework=charter, key="fully"))
            )
        },
        base_versions={},
    )
    Assessment.objects.filter(pk=ghent_assessment.pk).update(state=AssessmentState.VALIDATED)
    round_ = ghent_assessment.round
    assert round_ is not None
    Round.objects.filter(pk=round_.pk).update(status=RoundStatus.PUBLISHED)
    round_.refresh_from_db()
    return round_


FILTERS = [
    ("country", "", ResultFilters()),
    ("country", "be", ResultFilters(country="BE")),
    ("country", "BE", ResultFilters(country="BE")),
    ("country", "lv", ResultFilters(country="LV")),
    ("country", "zz", ResultFilters(country="ZZ")),
    ("country", "%", ResultFilters(country="%")),
    ("country", "_", ResultFilters(country="_")),
    ("country", "é", ResultFilters(country="É")),
    ("country", "😀", ResultFilters(country="😀")),
    ("country", "bel", ResultFilters()),
    ("country", NUL, ResultFilters()),
    ("country", "\x00", ResultFilters()),
    ("country", "b\x00", ResultFilters()),
    ("country", LONG, ResultFilters()),
    ("country", SCRIPT, ResultFilters()),
    ("country", SQL, ResultFilters()),
    ("country", RTL, ResultFilters()),
    ("country", ["lv", "be"], ResultFilters(country="BE")),
    ("band", "", ResultFilters()),
    ("band", "SMALL", ResultFilters(band=Band.SMALL)),
    ("band", "VERY_LARGE", ResultFilters(band=Band.VERY_LARGE)),
    ("band", "small", ResultFilters()),
    ("band", "under 250,000", ResultFilters()),
    ("band", "0", ResultFilters()),
    ("band", "HUGE", ResultFilters()),
    ("band", NUL, ResultFilters()),
    ("band", LONG, ResultFilters()),
    ("band", SCRIPT, ResultFilters()),
    ("band", ["LARGE", "SMALL"], ResultFilters(band=Band.SMALL)),
    ("foreign_born", "10-20%", ResultFilters(foreign_born="10-20%")),
    ("foreign_born", "90-100%", ResultFilters(foreign_born="90-100%")),
    ("foreign_born", "10-19%", ResultFilters()),
    ("foreign_born", "-10-0%", ResultFilters()),
    ("foreign_born", NUL, ResultFilters()),
    ("foreign_born", SCRIPT, ResultFilters()),
    ("foreign_born", ["x", "20-30%"], ResultFilters(foreign_born="20-30%")),
]


@pytest.mark.parametrize(
    ("parameter", "value", "filters"),
    [pytest.param(*row, id=f"{row[0]}-{n}") for n, row in enumerate(FILTERS)],
)
def test_the_result_filters_take_any_value(
    published_round: Round, parameter: str, value: Any, filters: ResultFilters
) -> None:
    client = Client()
    response = client.get(reverse("rounds:results", args=[published_round.pk]), {parameter: value})
    assert response.status_code == 200
    html(response)
    assert response.context["filters"] == filters
    # Ghent is in Belgium and its population is not known: no size band holds it.
    counted = filters.country in {"", "BE"} and filters.band is None and not filters.foreign_born
    assert response.context["results"].responding == (1 if counted else 0)
    chart = client.get(
        reverse("rounds:chart", args=[published_round.pk, "policymaker"]), {parameter: value}
    )
    assert chart.status_code == 200
    assert chart["Content-Type"] == "image/svg+xml"
    svg = chart.content.decode()
    assert svg.startswith("<svg") or svg.startswith("<?xml")
    assert SCRIPT not in svg


@pytest.mark.parametrize(
    "key", ["nope", "organisation", "a" * 1000, "POLICYMAKER", "policymaker-", "data"]
)
def test_a_chart_of_no_rated_section_is_a_404(
    published_round: Round, other_framework: Framework, key: str
) -> None:
    url = reverse("rounds:chart", args=[published_round.pk, key])
    assert Client().get(url, {"country": "be"}).status_code == 404


@pytest.mark.parametrize("slug", ["nope", "riga", "a" * 1000, "ghent-"])
def test_the_results_of_an_unknown_city_are_a_404(published_round: Round, slug: str) -> None:
    url = reverse("rounds:city_results", args=[published_round.pk, slug])
    assert Client().get(url).status_code == 404


def test_results_of_an_unpublished_round_are_a_404_whatever_the_filters(
    open_round: Round,
) -> None:
    client = Client()
    query = {"country": NUL, "band": SCRIPT}
    assert client.get(reverse("rounds:results", args=[open_round.pk]), query).status_code == 404
    chart = reverse("rounds:chart", args=[open_round.pk, "policymaker"])
    assert client.get(chart, query).status_code == 404


# A section of answers, posted by Ghent's editor as a form and by autosave.


@pytest.fixture
def answered(people: People, ghent_assessment: Assessment) -> Assessment:
    """Ghent's answers to three sections: ratings, choices, numbers and texts; one unanswered."""

    def item(section: str, key: str) -> Item:
        return item_of(ghent_assessment, section, key)

    def level(key: str) -> Level:
        return Level.objects.get(scale__framework_id=ghent_assessment.framework_id, key=key)

    answers_save(
        assessment=ghent_assessment,
        user=people.editor,
        inputs={
            item("policymaker", "communicate-commitment"): AnswerInput(
                level=level("fully"), evidence="Plan", links=("https://stad.gent",)
            ),
            item("policymaker", "equal-access-non-discrimination"): AnswerInput(
                level=level("partly"), evidence="Some"
            ),
            item("organisation", "arrangement"): AnswerInput(choices=("mainstreamed",)),
            item("organisation", "supporting-bodies"): AnswerInput(
                choices=("elected_official", "migrant_council")
            ),
            item("organisation", "description"): AnswerInput(text="Our office"),
            item("organisation", "staff-fte"): AnswerInput(number=Decimal("3.50")),
            item("trends", "groups"): AnswerInput(choices=("asylum_refugees",)),
            item("trends", "foreign-born-share"): AnswerInput(number=Decimal("30.50")),
            item("trends", "foreign-born-share-year"): AnswerInput(number=Decimal("2020.00")),
            item("trends", "description"): AnswerInput(text="Trends"),
        },
        base_versions={},
    )
    ghent_assessment.refresh_from_db()
    return ghent_assessment


def item_of(assessment: Assessment, section: str, key: str) -> Item:
    """Item keys are unique within a section only (several sections have a "description")."""
    return Item.objects.get(
        section__framework_id=assessment.framework_id, section__key=section, key=key
    )


def section_url(assessment: Assessment, key: str) -> str:
    return reverse("assessments:section", args=[assessment.pk, key])


def field_name(assessment: Assessment, section: str, name: str) -> str:
    """A field named by item key: in "organisation", "staff-fte-number" is "i<its id>-number"."""
    key, part = name.rsplit("-", 1)
    return f"i{item_of(assessment, section, key).pk}-{part}"


def section_data(assessment: Assessment, section: str, **overrides: Any) -> Post:
    """What the page posts when nothing is changed, then the overrides, named by item key."""
    content = section_content(
        assessment, Section.objects.get(framework=assessment.framework, key=section)
    )
    form = SectionAnswersForm(
        items=content["items"], levels=content["levels"], answers=content["answers"]
    )
    data: Post = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = value if isinstance(value, list) else "" if value is None else str(value)
    for name, value in overrides.items():
        data[field_name(assessment, section, name)] = value
    return data


# Each refused post also changes another answer validly: a form is saved whole or not at all,
# except that a refused link does not hold back the rest of the section.
DECOY = {
    "policymaker": {"migrant-engagement-evidence": "Changed"},
    "organisation": {"description-text": "Changed"},
    "trends": {"description-text": "Changed"},
}

CC = "communicate-commitment"

SECTION_CASES = [
    # A rating: level, evidence, links, and the version the page was loaded at.
    case({f"{CC}-level": "brilliant"}, f"{CC}-level", "valid choice", "unknown-level"),
    case({f"{CC}-level": "FULLY"}, f"{CC}-level", "valid choice", "upper-case-level"),
    case({f"{CC}-level": "yes"}, f"{CC}-level", "valid choice", "level-of-another-scale"),
    case({f"{CC}-level": NUL}, f"{CC}-level", "valid choice", "nul-level"),
    case({f"{CC}-level": LONG}, f"{CC}-level", "valid choice", "long-level"),
    case({f"{CC}-level": SCRIPT}, f"{CC}-level", "valid choice", "script-level"),
    case({f"{CC}-level": ["fully", "nope"]}, f"{CC}-level", "valid choice", "twice-level"),
    case({f"{CC}-evidence": TOO_LONG}, f"{CC}-evidence", "at most 20000", "long-evidence"),
    case({f"{CC}-evidence": NUL}, f"{CC}-evidence", "null characters", "nul-evidence"),
    case({f"{CC}-evidence": SCRIPT + "\x00"}, f"{CC}-evidence", "null", "nul-script-evidence"),
    case({f"{CC}-links": "javascript:alert(1)"}, f"{CC}-links", "not a web address", "js-link"),
    case({f"{CC}-links": "JaVaScRiPt:alert(1)"}, f"{CC}-links", "not a web address", "js-case"),
    case(
        {f"{CC}-links": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="},
        f"{CC}-links",
        "not a web address",
        "data-link",
    ),
    case(
        {f"{CC}-links": "https://stad.gent\njavascript:alert(1)"},
        f"{CC}-links",
        "not a web address",
        "second-line-js",
    ),
    case({f"{CC}-links": "ftp://example.org/f"}, f"{CC}-links", "not a web address", "ftp"),
    case({f"{CC}-links": "//evil.example/"}, f"{CC}-links", "not a web address", "no-scheme"),
    case({f"{CC}-links": "https://exa mple.org/"}, f"{CC}-links", "not a web address", "space"),
    case({f"{CC}-links": SCRIPT}, f"{CC}-links", "not a web address", "script-link"),
    case({f"{CC}-links": SQL}, f"{CC}-links", "not a web address", "sql-link"),
    case(
        {f"{CC}-links": "https://example.org/" + "a" * 10_000},
        f"{CC}-links",
        "not a web address",
        "10k-character-link",
    ),
    case({f"{CC}-links": MANY_LINKS}, f"{CC}-links", "at most 20 links", "100-links"),
    case({f"{CC}-links": "https://a.org/\x00"}, f"{CC}-links", "null characters", "nul-link"),
    case({f"{CC}-links": TOO_LONG}, f"{CC}-links", "at most 20000", "30k-characters-links"),
    case({f"{CC}-version": "-1"}, f"{CC}-version", "greater than or equal to 0", "version-1"),
    case({f"{CC}-version": HUGE}, f"{CC}-version", "less than or equal to", "huge-version"),
    case({f"{CC}-version": str(2**31)}, f"{CC}-version", "less than or equal to", "2**31"),
    case({f"{CC}-version": "abc"}, f"{CC}-version", "whole number", "letters-version"),
    case({f"{CC}-version": "1.5"}, f"{CC}-version", "whole number", "fractional-version"),
    case({f"{CC}-version": "1e3"}, f"{CC}-version", "whole number", "exponent-version"),
    case({f"{CC}-version": NUL}, f"{CC}-version", "whole number", "nul-version"),
    case({f"{CC}-version": "9" * 5000}, f"{CC}-version", "whole number", "5000-digits"),
]
SECTION_CASES = [pytest.param("policymaker", *p.values, id=p.id) for p in SECTION_CASES]

ORGANISATION_CASES = [
    # Single and multiple choice, a number with a minimum of 0 and no maximum, a text.
    case({"arrangement-choice": "nope"}, "arrangement-choice", "valid choice", "unknown-choice"),
    case({"arrangement-choice": NUL}, "arrangement-choice", "valid choice", "nul-choice"),
    case({"arrangement-choice": LONG}, "arrangement-choice", "valid choice", "long-choice"),
    case(
        {"arrangement-choice": "elected_official"},
        "arrangement-choice",
        "valid choice",
        "option-of-another-item",
    ),
    case(
        {"arrangement-choice": ["mainstreamed", "nope"]},
        "arrangement-choice",
        "valid choice",
        "twice-choice",
    ),
    case(
        {"supporting-bodies-choices": ["nope"]},
        "supporting-bodies-choices",
        "valid choice",
        "unknown-choices",
    ),
    case(
        {"supporting-bodies-choices": ["elected_official", "nope"]},
        "supporting-bodies-choices",
        "valid choice",
        "one-bad-choice",
    ),
    case(
        {"supporting-bodies-choices": ["elected_official", "elected_official", "nope"]},
        "supporting-bodies-choices",
        "valid choice",
        "repeated-and-bad-choice",
    ),
    case(
        {"supporting-bodies-choices": [NUL]},
        "supporting-bodies-choices",
        "valid choice",
        "nul-choices",
    ),
    case(
        {"supporting-bodies-choices": ["mainstreamed"]},
        "supporting-bodies-choices",
        "valid choice",
        "options-of-another-item",
    ),
    case({"staff-fte-number": "abc"}, "staff-fte-number", "enter a number", "letters"),
    case({"staff-fte-number": "12abc"}, "staff-fte-number", "enter a number", "digits-letters"),
    case({"staff-fte-number": "NaN"}, "staff-fte-number", "enter a number", "nan"),
    case({"staff-fte-number": "Infinity"}, "staff-fte-number", "enter a number", "infinity"),
    case({"staff-fte-number": "-inf"}, "staff-fte-number", "enter a number", "minus-infinity"),
    case({"staff-fte-number": "1e30"}, "staff-fte-number", "no more than 14 digits", "1e30"),
    case({"staff-fte-number": "9" * 5000}, "staff-fte-number", "no more than 14", "5000-digits"),
    case({"staff-fte-number": "9" * 13}, "staff-fte-number", "12 digits before", "13-digits"),
    case({"staff-fte-number": "-1"}, "staff-fte-number", "a number of 0 or more", "minus-1"),
    case({"staff-fte-number": "-0.01"}, "staff-fte-number", "of 0 or more", "minus-cent"),
    case({"staff-fte-number": "12.345"}, "staff-fte-number", "2 decimal places", "3-decimals"),
    case({"staff-fte-number": "1e-30"}, "staff-fte-number", "no more than", "tiny"),
    case({"staff-fte-number": "1,234"}, "staff-fte-number", "read as 1234 or as 1.234", "1,234"),
    case({"staff-fte-number": "12 5"}, "staff-fte-number", "enter a number", "spaced-digits"),
    case({"staff-fte-number": "1,2345"}, "staff-fte-number", "enter a number", "comma-4-digits"),
    case({"staff-fte-number": "1.23,4"}, "staff-fte-number", "enter a number", "mixed-groups"),
    case({"staff-fte-number": "0x10"}, "staff-fte-number", "enter a number", "hexadecimal"),
    case({"staff-fte-number": "½"}, "staff-fte-number", "enter a number", "vulgar-fraction"),
    case({"staff-fte-number": NUL}, "staff-fte-number", "enter a number", "nul-number"),
    case({"staff-fte-number": SQL}, "staff-fte-number", "enter a number", "sql-number"),
    case({"description-text": TOO_LONG}, "description-text", "at most 20000", "long-text"),
    case({"description-text": NUL}, "description-text", "null characters", "nul-text"),
]
SECTION_CASES += [pytest.param("organisation", *p.values, id=p.id) for p in ORGANISATION_CASES]

SHARE, YEAR = "foreign-born-share-number", "foreign-born-share-year-number"
TRENDS_CASES = [
    # A share between 0 and 100, a year between 1900 and 2100.
    case({SHARE: "-1"}, SHARE, "share between 0 and 100 %", "share-minus-1"),
    case({SHARE: "-0.01"}, SHARE, "share between 0 and 100 %", "share-minus-cent"),
    case({SHARE: "100.01"}, SHARE, "share between 0 and 100 %", "share-100.01"),
    case({SHARE: "101"}, SHARE, "share between 0 and 100 %", "share-101"),
    case({SHARE: "1e30"}, SHARE, "no more than 14 digits", "share-1e30"),
    case({SHARE: "1e3"}, SHARE, "share between 0 and 100 %", "share-1e3"),
    case({SHARE: "NaN"}, SHARE, "enter a number", "share-nan"),
    case({SHARE: "Infinity"}, SHARE, "enter a number", "share-infinity"),
    case({SHARE: "thirty"}, SHARE, "enter a number", "share-letters"),
    case({SHARE: "30%"}, SHARE, "enter a number", "share-percent"),
    case({YEAR: "1899"}, YEAR, "a year between 1900 and 2100", "year-1899"),
    case({YEAR: "2101"}, YEAR, "a year between 1900 and 2100", "year-2101"),
    case({YEAR: "3025"}, YEAR, "a year between 1900 and 2100", "year-3025"),
    case({YEAR: "2020.5"}, YEAR, "a year between 1900 and 2100", "year-fraction"),
    case({YEAR: "-1"}, YEAR, "a year between 1900 and 2100", "year-minus-1"),
    case({YEAR: "0"}, YEAR, "a year between 1900 and 2100", "year-0"),
    case({YEAR: "1e30"}, YEAR, "no more than 14 digits", "year-1e30"),
    case({YEAR: "1.8e3"}, YEAR, "a year between 1900 and 2100", "year-1.8e3"),
    case({YEAR: "twenty"}, YEAR, "enter a number", "year-letters"),
    case({YEAR: "2020-01-01"}, YEAR, "enter a number", "year-date"),
    case({"groups-choices": ["nope"]}, "groups-choices", "valid choice", "unknown-group"),
    case({"description-text": TOO_LONG}, "description-text", "at most 20000", "long-trends"),
]
SECTION_CASES += [pytest.param("trends", *p.values, id=p.id) for p in TRENDS_CASES]


@pytest.mark.parametrize(("section", "overrides", "field", "reason"), SECTION_CASES)
def test_a_section_rejects_hostile_values(
    editor: Client, answered: Assessment, section: str, overrides: Post, field: str, reason: str
) -> None:
    url = section_url(answered, section)
    data = section_data(answered, section, **{**DECOY[section], **overrides})
    name = field_name(answered, section, field)
    before = snapshot()

    response = editor.post(url, data)
    assert response.status_code == 200, "expected the form again"
    page = html(response)
    messages = [str(message) for message in response.context["form"].errors.get(name, [])]
    typed = response.context["form"][name].value()
    assert any(reason in message.lower() for message in messages), (name, messages)
    assert "Some answers could not be saved" in page
    if not name.endswith("-version"):  # a hidden field: only the banner says so
        assert 'class="field field-has-error' in page
        assert all(escape(message) in page for message in messages), "the error is not shown"

    response = editor.post(url, data, headers={"X-Autosave": "1"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    errors = response.json()["errors"]
    assert any(reason in error["message"].lower() for error in errors[name]), errors
    if name.endswith("-links"):
        # A refused link does not hold back the rest of the section: the rest is saved, the
        # links stay as stored, and what was typed is still in the form.
        assert typed == overrides[field]
        assert answer_values(answered, section, CC)["links"] == ["https://stad.gent"]
        assert answer_values(answered, section, "migrant-engagement")["evidence"] == "Changed"
    else:
        assert snapshot() == before, "a refused form wrote something"


def answer_values(assessment: Assessment, section: str, key: str) -> dict[str, Any]:
    answer = Answer.objects.get(assessment=assessment, item__section__key=section, item__key=key)
    return {
        "level": answer.level.key if answer.level else None,
        "choices": answer.choices,
        "number": answer.number,
        "text": answer.text,
        "evidence": answer.evidence,
        "links": answer.links,
        "version": answer.version,
    }


@pytest.mark.parametrize(
    ("section", "overrides", "key", "stored"),
    [
        ("policymaker", {f"{CC}-level": ["nope", "partly"]}, CC, {"level": "partly"}),
        ("policymaker", {f"{CC}-level": ""}, CC, {"level": None, "evidence": "Plan"}),
        ("policymaker", {f"{CC}-evidence": RTL}, CC, {"evidence": RTL}),
        ("policymaker", {f"{CC}-evidence": SCRIPT}, CC, {"evidence": SCRIPT}),
        ("policymaker", {f"{CC}-evidence": SQL}, CC, {"evidence": SQL}),
        ("policymaker", {f"{CC}-evidence": "  Padded \n"}, CC, {"evidence": "Padded"}),
        ("policymaker", {f"{CC}-evidence": "x" * 20_000}, CC, {"evidence": "x" * 20_000}),
        (
            "policymaker",
            {f"{CC}-links": "  https://stad.gent  \n\n\r\nhttps://example.org/?q=<x>&y=1 \n"},
            CC,
            {"links": ["https://stad.gent", "https://example.org/?q=<x>&y=1"]},
        ),
        (
            "policymaker",
            {f"{CC}-links": "\n".join(MANY_LINKS.splitlines()[:20])},
            CC,
            {"links": MANY_LINKS.splitlines()[:20]},
        ),
        ("policymaker", {f"{CC}-links": ""}, CC, {"links": []}),
        ("policymaker", {f"{CC}-links": "HTTPS://STAD.GENT"}, CC, {"links": ["HTTPS://STAD.GENT"]}),
        # A link without its scheme is completed.
        ("policymaker", {f"{CC}-links": "stad.gent"}, CC, {"links": ["https://stad.gent"]}),
        (
            "policymaker",
            {f"{CC}-links": "www.gent.be/integratie\nhttp://gent.be"},
            CC,
            {"links": ["https://www.gent.be/integratie", "http://gent.be"]},
        ),
        (
            "policymaker",
            {f"{CC}-links": "https://exämple.org/ä"},
            CC,
            {"links": ["https://exämple.org/ä"]},
        ),
        # A Unicode line separator separates links as a new line does.
        (
            "policymaker",
            {f"{CC}-links": "https://a.org/\u2028https://b.org/"},
            CC,
            {"links": ["https://a.org/", "https://b.org/"]},
        ),
        ("policymaker", {f"{CC}-evidence": "New", f"{CC}-version": " 1 "}, CC, {"version": 2}),
        ("policymaker", {f"{CC}-evidence": "New", f"{CC}-version": "+1"}, CC, {"version": 2}),
        ("policymaker", {f"{CC}-evidence": "New", f"{CC}-version": "01"}, CC, {"version": 2}),
        (
            "organisation",
            {"arrangement-choice": ["nope", "dedicated_department"]},
            "arrangement",
            {"choices": ["dedicated_department"]},
        ),
        ("organisation", {"arrangement-choice": ""}, "arrangement", {"choices": []}),
        (
            "organisation",
            {"supporting-bodies-choices": ["migrant_council", "coordination_group"]},
            "supporting-bodies",
            {"choices": ["coordination_group", "migrant_council"]},
        ),
        ("organisation", {"supporting-bodies-choices": []}, "supporting-bodies", {"choices": []}),
        ("organisation", {"staff-fte-number": " 12 "}, "staff-fte", {"number": Decimal(12)}),
        (  # full-width digits are digits to Decimal()
            "organisation",
            {"staff-fte-number": "\uff11\uff12"},
            "staff-fte",
            {"number": Decimal(12)},
        ),
        ("organisation", {"staff-fte-number": "1E+2"}, "staff-fte", {"number": Decimal(100)}),
        ("organisation", {"staff-fte-number": "0"}, "staff-fte", {"number": Decimal(0)}),
        # Numbers as people type them: a decimal comma, thousands separators.
        ("organisation", {"staff-fte-number": "1,5"}, "staff-fte", {"number": Decimal("1.5")}),
        ("organisation", {"staff-fte-number": "12,5"}, "staff-fte", {"number": Decimal("12.5")}),
        (
            "organisation",
            {"staff-fte-number": "1\u202f234,5"},
            "staff-fte",
            {"number": Decimal("1234.5")},
        ),
        ("organisation", {"staff-fte-number": ""}, "staff-fte", {"number": None}),
        (
            "organisation",
            {"staff-fte-number": "999999999999.99"},
            "staff-fte",
            {"number": Decimal("999999999999.99")},
        ),
        ("organisation", {"description-text": RTL}, "description", {"text": RTL}),
        ("organisation", {"description-text": SCRIPT}, "description", {"text": SCRIPT}),
        ("organisation", {"description-text": "x" * 20_000}, "description", {"text": "x" * 20_000}),
        ("trends", {SHARE: "0"}, "foreign-born-share", {"number": Decimal(0)}),
        ("trends", {SHARE: "100"}, "foreign-born-share", {"number": Decimal(100)}),
        ("trends", {SHARE: "1e2"}, "foreign-born-share", {"number": Decimal(100)}),
        ("trends", {YEAR: "1900"}, "foreign-born-share-year", {"number": Decimal(1900)}),
        ("trends", {YEAR: "2100"}, "foreign-born-share-year", {"number": Decimal(2100)}),
        (
            "trends",
            {YEAR: "\uff12\uff10\uff12\uff11"},
            "foreign-born-share-year",
            {"number": Decimal(2021)},
        ),
    ],
)
def test_a_section_accepts_odd_but_valid_values(
    editor: Client,
    answered: Assessment,
    section: str,
    overrides: Post,
    key: str,
    stored: dict[str, Any],
) -> None:
    url = section_url(answered, section)
    response = editor.post(url, section_data(answered, section, **overrides))
    assert response.status_code == 302, response.context["form"].errors.get_json_data()
    assert response["Location"] == url
    values = answer_values(answered, section, key)
    assert {name: values[name] for name in stored} == stored
    page = html(editor.get(url))
    html(editor.get(reverse("assessments:history", args=[answered.pk])))
    if stored.get("evidence") == SCRIPT or stored.get("text") == SCRIPT:
        assert escape(SCRIPT) in page


def test_repeated_choices_are_stored_once(editor: Client, answered: Assessment) -> None:
    url = section_url(answered, "organisation")
    data = section_data(
        answered,
        "organisation",
        **{"supporting-bodies-choices": ["migrant_council", "migrant_council", "elected_official"]},
    )
    assert editor.post(url, data).status_code == 302
    stored = answer_values(answered, "organisation", "supporting-bodies")["choices"]
    assert stored == ["elected_official", "migrant_council"]


def test_fields_the_section_does_not_have_are_ignored(
    editor: Client, answered: Assessment, other_framework: Framework
) -> None:
    """Unknown items, items of other sections and of another framework are not written."""
    other_section = field_name(answered, "organisation", "description-text")
    other_item = Item.objects.get(section__framework=other_framework)
    data = section_data(answered, "policymaker")
    data.update(
        {
            other_section: "Written through another section",
            f"i{other_item.pk}-level": "yes",
            f"i{other_item.pk}-version": "0",
            "i999999-text": "x",
            f"i{HUGE}-text": "x",
            "i-1-text": "x",
            "assessment": "999999",
            "state": "validated",
            "updated_by": "1",
        }
    )
    before = snapshot()
    url = section_url(answered, "policymaker")
    assert editor.post(url, data).status_code == 302
    response = editor.post(url, data, headers={"X-Autosave": "1"})
    assert response.status_code == 200
    assert response.json()["saved"] == 0
    assert snapshot() == before


@pytest.mark.parametrize(
    "overrides",
    [
        {f"{CC}-version": "0", f"{CC}-evidence": "Mine"},
        {f"{CC}-version": "7", f"{CC}-evidence": "Mine"},  # ahead of the stored version
        {f"{CC}-version": "", f"{CC}-evidence": "Mine"},  # read as 0
        {f"{CC}-version": "0", f"{CC}-level": "not_at_all"},
    ],
)
def test_a_stale_or_made_up_version_is_a_conflict_not_an_overwrite(
    editor: Client, answered: Assessment, overrides: Post
) -> None:
    url = section_url(answered, "policymaker")
    data = section_data(answered, "policymaker", **overrides)
    before = snapshot()
    response = editor.post(url, data)
    assert response.status_code == 409
    page = html(response)
    assert "Someone else saved some of these answers" in page
    response = editor.post(url, data, headers={"X-Autosave": "1"})
    assert response.status_code == 409
    item = item_of(answered, "policymaker", CC)
    assert response.json()["conflicts"] == [item.pk]
    assert snapshot() == before
    assert answer_values(answered, "policymaker", CC)["evidence"] == "Plan"


@pytest.mark.parametrize("header", ["yes", "true", "0", "", "1 ", "11", NUL])
def test_only_x_autosave_1_answers_json(editor: Client, answered: Assessment, header: str) -> None:
    data = section_data(answered, "trends", **{SHARE: "101"})
    before = snapshot()
    response = editor.post(section_url(answered, "trends"), data, headers={"X-Autosave": header})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html(response)
    assert snapshot() == before


@pytest.mark.parametrize(
    "path",
    [
        "{pk}/sections/nope/",
        "{pk}/sections/data/",  # a section of another framework
        "{pk}/sections/" + "a" * 1000 + "/",
        "{pk}/sections/POLICYMAKER/",
        "999999/sections/policymaker/",
        f"{HUGE}/sections/policymaker/",
        f"{2**63}/sections/policymaker/",
        "0/sections/policymaker/",
        "{riga}/sections/policymaker/",  # another city's
    ],
)
def test_an_unknown_section_or_assessment_is_a_404(
    people: People, editor: Client, answered: Assessment, other_framework: Framework, path: str
) -> None:
    riga = Assessment.objects.create(
        city=people.riga, framework=answered.framework, round=answered.round
    )
    url = "/assessments/" + path.format(pk=answered.pk, riga=riga.pk)
    data = section_data(answered, "policymaker", **{f"{CC}-evidence": "Changed"})
    before = snapshot()
    assert editor.get(url).status_code == 404
    assert editor.post(url, data).status_code == 404
    assert editor.post(url, data, headers={"X-Autosave": "1"}).status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize(
    ("role", "status"), [("viewer", 403), ("reviewer", 403), ("outsider", 404), ("anonymous", 302)]
)
def test_only_the_citys_editors_post_answers(
    people: People, answered: Assessment, role: str, status: int
) -> None:
    client = client_for(people.all_roles()[role])
    data = section_data(answered, "policymaker", **{f"{CC}-evidence": "Changed"})
    before = snapshot()
    url = section_url(answered, "policymaker")
    assert client.post(url, data).status_code == status
    assert client.post(url, data, headers={"X-Autosave": "1"}).status_code == status
    assert snapshot() == before


def test_submitted_answers_refuse_any_post(editor: Client, answered: Assessment) -> None:
    Assessment.objects.filter(pk=answered.pk).update(state=AssessmentState.SUBMITTED)
    before = snapshot()
    url = section_url(answered, "policymaker")
    for bad in ({f"{CC}-evidence": "Changed"}, {f"{CC}-level": NUL, f"{CC}-version": HUGE}):
        data = section_data(answered, "policymaker", **bad)
        response = editor.post(url, data)
        assert response.status_code == 302
        assert response["Location"] == answered.get_absolute_url()
        autosaved = editor.post(url, data, headers={"X-Autosave": "1"})
        assert autosaved.status_code == 409
        assert "submitted" in autosaved.json()["error"]
    assert snapshot() == before


# Comments, by the city's reviewer (or the secretariat).


def comment_url(pk: int) -> str:
    return reverse("assessments:comment", args=[pk])


@pytest.mark.parametrize(
    ("overrides", "field", "reason"),
    [
        case({"item": ""}, "item", "required", "no-item"),
        case({"item": "abc"}, "item", "whole number", "letters-item"),
        case({"item": "1.5"}, "item", "whole number", "fractional-item"),
        case({"item": "1e3"}, "item", "whole number", "exponent-item"),
        case({"item": NUL}, "item", "whole number", "nul-item"),
        case({"item": SQL}, "item", "whole number", "sql-item"),
        case({"item": "-1"}, "item", "greater than or equal to 1", "negative-item"),
        case({"item": "0"}, "item", "greater than or equal to 1", "zero-item"),
        case({"item": HUGE}, "item", "less than or equal to", "huge-item"),
        case({"item": str(2**63)}, "item", "less than or equal to", "2**63-item"),
        case({"item": "9" * 5000}, "item", "whole number", "5000-digit-item"),
        case({"text": ""}, "text", "required", "empty-text"),
        case({"text": "   \n "}, "text", "required", "blank-text"),
        case({"text": "x" * 5001}, "text", "at most 5000", "5001-characters"),
        case({"text": LONG}, "text", "at most 5000", "10k-characters"),
        case({"text": NUL}, "text", "null characters", "nul-text"),
        case({"text": SCRIPT + "\x00"}, "text", "null characters", "nul-script-text"),
    ],
)
def test_comments_reject_hostile_values(
    reviewer: Client, answered: Assessment, overrides: Post, field: str, reason: str
) -> None:
    item = item_of(answered, "policymaker", CC)
    data = {"item": str(item.pk), "text": "Please give the plan's date.", **overrides}
    errors = CommentForm(data).errors
    assert any(reason in message.lower() for message in errors[field]), errors
    before = snapshot()
    response = reviewer.post(comment_url(answered.pk), data)
    assert response.status_code == 302
    assert response["Location"] == answered.get_absolute_url()
    assert flashed(response) == ["Write a comment before sending it."]
    assert snapshot() == before


@pytest.mark.parametrize("item", ["999999", str(2**62), "{other}", ["{cc}", "999999"]])
def test_a_comment_on_an_item_not_in_the_survey_is_refused(
    reviewer: Client, answered: Assessment, other_framework: Framework, item: Any
) -> None:
    ids = {
        "other": Item.objects.get(section__framework=other_framework).pk,
        "cc": item_of(answered, "policymaker", CC).pk,
    }
    data = fill({"item": item, "text": "A remark"}, **ids)
    before = snapshot()
    response = reviewer.post(comment_url(answered.pk), data)
    assert response.status_code == 302
    assert response["Location"] == answered.get_absolute_url()
    assert flashed(response) == ["This question is not part of this survey."]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        (RTL, RTL),
        (SCRIPT, SCRIPT),
        (SQL, SQL),
        ("  Padded \n", "Padded"),
        ("x" * 5000, "x" * 5000),
        (["First", "Second"], "Second"),
    ],
)
def test_comments_accept_odd_but_valid_text(
    people: People, reviewer: Client, answered: Assessment, text: Any, stored: str
) -> None:
    item = item_of(answered, "policymaker", CC)
    before = counts()
    data = {"item": ["999999", str(item.pk)], "text": text}  # the last of repeated keys counts
    response = reviewer.post(comment_url(answered.pk), data)
    assert response.status_code == 302
    assert response["Location"] == f"{section_url(answered, 'policymaker')}#item-{item.pk}"
    assert counts() == {**before, "comments": before["comments"] + 1}
    comment = Comment.objects.get()
    assert (comment.text, comment.item, comment.author) == (stored, item, people.reviewer)
    for client in (reviewer, client_for(people.editor)):
        html(client.get(section_url(answered, "policymaker")))
        html(client.get(answered.get_absolute_url()))


@pytest.mark.parametrize(
    ("role", "pk", "status"),
    [
        # The city's own people know the answers exist: they are refused (403), not misled.
        ("editor", "{ghent}", 403),
        ("viewer", "{ghent}", 403),
        ("outsider", "{ghent}", 404),
        ("reviewer", "999999", 404),
        ("reviewer", HUGE, 404),
        ("secretariat", str(2**63), 404),
    ],
)
def test_only_reviewers_comment_on_existing_assessments(
    people: People, answered: Assessment, role: str, pk: str, status: int
) -> None:
    item = item_of(answered, "policymaker", CC)
    url = "/assessments/" + pk.replace("{ghent}", str(answered.pk)) + "/comment/"
    before = snapshot()
    response = client_for(people.all_roles()[role]).post(url, {"item": item.pk, "text": "Hi"})
    assert response.status_code == status
    assert snapshot() == before


# The workflow buttons take no input: whatever is posted with them is ignored.

JUNK = {"state": "validated", "assessment": "999999", "item": NUL, "text": LONG, "x": SCRIPT}


@pytest.mark.parametrize(
    ("name", "role", "message"),
    [
        ("submit", "editor", "still need attention"),
        ("request_changes", "reviewer", "at least one comment"),
        ("validate", "reviewer", "only"),
        ("validate", "secretariat", "only"),
    ],
)
def test_workflow_buttons_ignore_posted_junk(
    people: People, answered: Assessment, name: str, role: str, message: str
) -> None:
    client = client_for(people.all_roles()[role])
    before = snapshot()
    response = client.post(reverse(f"assessments:{name}", args=[answered.pk]), JUNK)
    assert response.status_code == 302
    assert any(message in text.lower() for text in flashed(response)), flashed(response)
    assert snapshot() == before
    for pk in (999_999, 10**30, 2**63):
        url = reverse(f"assessments:{name}", args=[pk])
        assert client.post(url, JUNK).status_code == 404
    assert snapshot() == before


# Personal API tokens: create and revoke.

TOKENS = reverse("accounts:tokens")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        pytest.param("", "required", id="empty"),
        pytest.param("   ", "required", id="blank"),
        pytest.param("x" * 101, "at most 100", id="101-characters"),
        pytest.param(LONG, "at most 100", id="long"),
        pytest.param(NUL, "null characters", id="nul"),
        pytest.param("spreadsheet\x00", "null characters", id="nul-end"),
        pytest.param(["spreadsheet", NUL], "null characters", id="twice"),
    ],
)
def test_creating_a_token_rejects_hostile_names(
    people: People, editor: Client, name: Any, reason: str
) -> None:
    refused_without_writing(editor, TOKENS, {"create": "1", "name": name}, "name", reason)


@pytest.mark.parametrize(
    ("data", "stored"),
    [
        ({"name": RTL}, RTL),
        ({"name": SCRIPT}, SCRIPT),
        ({"name": SQL}, SQL),
        ({"name": "x" * 100}, "x" * 100),
        ({"name": "  Padded  "}, "Padded"),
        ({"name": ["First", "Second"]}, "Second"),
        ({"create": "", "name": "Empty button value"}, "Empty button value"),
        # Fields the form does not have are ignored: no token for someone else, no chosen key.
        (
            {"name": "Mine", "user": "{outsider}", "key_hash": "0" * 64, "prefix": "chosen"},
            "Mine",
        ),
    ],
)
def test_creating_a_token_accepts_odd_but_valid_names(
    people: People, editor: Client, answered: Assessment, data: Post, stored: str
) -> None:
    before = counts()
    data = fill({"create": "1", **data}, outsider=people.outsider.pk)
    response = editor.post(TOKENS, data)
    assert response.status_code == 200
    page = html(response)
    assert counts() == {**before, "tokens": before["tokens"] + 1}
    token = ApiToken.objects.get()
    assert (token.name, token.user) == (stored, people.editor)
    assert token.key_hash != "0" * 64
    key = response.context["new_key"]
    assert key.startswith("ic_") and key in page
    # The key works, for the editor's own assessment only.
    auth = {"Authorization": f"Bearer {key}"}
    assert Client().get(f"/api/v1/assessments/{answered.pk}", headers=auth).status_code == 200
    html(editor.get(TOKENS))


@pytest.fixture
def tokens(people: People) -> tuple[ApiToken, ApiToken]:
    """The editor's token and the outsider's."""
    return (
        token_create(user=people.editor, name="mine")[0],
        token_create(user=people.outsider, name="theirs")[0],
    )


@pytest.mark.parametrize(
    "value",
    [
        "",
        "abc",
        "-1",
        "0",
        "1.5",
        " 1",
        HUGE,
        "9" * 18,
        "9" * 5000,
        NUL,
        "\x00",
        SCRIPT,
        SQL,
        "²",  # a digit for str.isdigit, not for int()
        "¹²",
        "\u0660",  # Arabic-Indic zero: int() reads it as 0
        "{theirs}",
        ["{mine}", "{theirs}"],
    ],
)
def test_revoking_takes_any_value_and_never_anothers_token(
    people: People, editor: Client, tokens: tuple[ApiToken, ApiToken], value: Any
) -> None:
    mine, theirs = tokens
    data = fill({"revoke": value}, mine=mine.pk, theirs=theirs.pk)
    before = snapshot()
    response = editor.post(TOKENS, data)
    assert response.status_code == 302
    assert response["Location"] == TOKENS
    assert snapshot() == before
    assert set(ApiToken.objects.all()) == {mine, theirs}
    html(editor.get(TOKENS))


def test_revoking_ones_own_token(
    people: People, editor: Client, tokens: tuple[ApiToken, ApiToken]
) -> None:
    mine, theirs = tokens
    response = editor.post(TOKENS, {"revoke": str(mine.pk), "create": "1", "name": "ignored"})
    assert response.status_code == 302
    assert list(ApiToken.objects.all()) == [theirs]


def test_a_post_with_neither_button_writes_nothing(
    editor: Client, tokens: tuple[ApiToken, ApiToken]
) -> None:
    before = snapshot()
    response = editor.post(TOKENS, {"name": "No button"})
    assert response.status_code == 200
    assert response.context["new_key"] is None
    assert snapshot() == before


# The answers API: PUT /api/v1/assessments/{id}/answers with a personal token.


@pytest.fixture
def editor_token(people: People) -> str:
    return token_create(user=people.editor, name="spreadsheet")[1]


def api_put(path_id: Any, body: str | bytes, token: str) -> Any:
    return Client().put(
        f"/api/v1/assessments/{path_id}/answers",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"} if token else {},
    )


def api_refused(response: Any, status: int, where: str) -> None:
    """Refused with the index and field named: in the detail "[0].level" (the API's own
    checks, 400) or in the "loc" of ninja's schema errors (422)."""
    assert response.status_code == status, response.content[:500]
    body = response.json()
    if status == 422:
        locations = [".".join(map(str, error["loc"])) for error in body["detail"]]
        assert any(where in location for location in locations), locations
    else:
        assert where in body["detail"], body
        assert len(body["detail"]) < 300, "the refused value is echoed in full"


# Answers at the version stored by the fixture: a refusal is not hidden behind a conflict.
ANSWER = {"item": CC, "level": "partly", "evidence": "Updated", "version": 1}
FTE = {"item": "staff-fte", "version": 1}
SHARE_ANSWER = {"item": "foreign-born-share", "version": 1}
YEAR_ANSWER = {"item": "foreign-born-share-year", "version": 1}
ARRANGEMENT = {"item": "arrangement", "version": 1}
BODIES = {"item": "supporting-bodies", "version": 1}

API_CASES = [
    # The API's own checks, which name "[index].field".
    ([{"item": "nope"}], 400, "[0].item"),
    ([{"item": ""}], 400, "[0].item"),
    ([{"item": NUL}], 400, "[0].item"),
    ([{"item": LONG}], 400, "[0].item"),
    ([{"item": SCRIPT}], 400, "[0].item"),
    ([{"item": "policymaker"}], 400, "[0].item"),
    ([{"item": "q1"}], 400, "[0].item"),  # an item of another framework
    ([{"item": "communicate-commitment "}], 400, "[0].item"),
    ([{**ANSWER, "level": "yes"}], 400, "[0].level"),  # a level of another scale
    ([{**ANSWER, "level": "FULLY"}], 400, "[0].level"),
    ([{**ANSWER, "level": ""}], 400, "[0].level"),
    ([{**ANSWER, "level": NUL}], 400, "[0].level"),
    ([{**ANSWER, "level": LONG}], 400, "[0].level"),
    ([{**ANSWER, "links": ["javascript:alert(1)"]}], 400, "[0].links"),
    ([{**ANSWER, "links": ["data:text/html,<script>alert(1)</script>"]}], 400, "[0].links"),
    ([{**ANSWER, "links": ["https://a.org/" + "a" * 10_000]}], 400, "[0].links"),
    ([{**ANSWER, "links": MANY_LINKS.splitlines()}], 400, "[0].links"),
    ([{**ANSWER, "links": ["https://a.org/\x00"]}], 400, "[0].links"),
    ([{**ANSWER, "links": ["https://a.org/ x"]}], 400, "[0].links"),
    ([{**ANSWER, "links": ["https://a.org\njavascript:alert(1)"]}], 400, "[0].links"),
    ([{**ANSWER, "links": ["https://a.org\u2028javascript:alert(1)"]}], 400, "[0].links"),
    ([{**ANSWER, "links": [""] * 21 + ["x"]}], 400, "[0].links"),
    ([{**ANSWER, "evidence": TOO_LONG}], 400, "[0].evidence"),
    ([{**ANSWER, "evidence": "a\x00b"}], 400, "[0].evidence"),
    ([{**ANSWER, "text": TOO_LONG}], 400, "[0].text"),
    ([{**ANSWER, "text": NUL}], 400, "[0].text"),
    ([{**ARRANGEMENT, "choices": ["nope"]}], 400, "[0].choices"),
    ([{**ARRANGEMENT, "choices": [NUL]}], 400, "[0].choices"),
    ([{**ARRANGEMENT, "choices": ["mainstreamed", "easier"]}], 400, "[0].choices"),
    ([{**ARRANGEMENT, "choices": ["mainstreamed", "cross_department_team"]}], 400, "[0].choices"),
    ([{**BODIES, "choices": ["elected_official", "x"]}], 400, "[0].choices"),
    ([{**FTE, "number": "1e30"}], 400, "[0].number"),
    ([{**FTE, "number": "1e999999999"}], 400, "[0].number"),
    ([{**FTE, "number": "-1e-999999999"}], 400, "[0].number"),
    ([{**FTE, "number": 1e30}], 400, "[0].number"),
    ([{**FTE, "number": 10**30}], 400, "[0].number"),
    ([{**FTE, "number": "1e12"}], 400, "[0].number"),
    ([{**FTE, "number": "9" * 5000}], 400, "[0].number"),
    ([{**FTE, "number": "999999999999.995"}], 400, "[0].number"),
    ([{**FTE, "number": -1}], 400, "[0].number"),
    ([{**SHARE_ANSWER, "number": -0.01}], 400, "[0].number"),
    ([{**SHARE_ANSWER, "number": 100.01}], 400, "[0].number"),
    ([{**SHARE_ANSWER, "number": "1e3"}], 400, "[0].number"),
    ([{**YEAR_ANSWER, "number": 1899}], 400, "[0].number"),
    ([{**YEAR_ANSWER, "number": 2101}], 400, "[0].number"),
    ([{**YEAR_ANSWER, "number": -1}], 400, "[0].number"),
    ([ANSWER, {**ANSWER, "level": "brilliant"}], 400, "[1].level"),
    ([ANSWER, {**FTE, "number": 2}, {"item": "x"}], 400, "[2].item"),
    ([ANSWER] * 501, 400, "at most 500"),
    ([{"item": "nope"}] * 10_000, 400, "at most 500"),
    # Wrong types, caught by the schema (ninja's 422, "loc" naming index and field).
    ({}, 422, "body.payload"),
    ({"item": CC}, 422, "body.payload"),
    ("answers", 422, "body.payload"),
    (1, 422, "body.payload"),
    (True, 422, "body.payload"),
    (None, 422, "body.payload"),
    ([1], 422, "body.payload.0"),
    ([None], 422, "body.payload.0"),
    ([[]], 422, "body.payload.0"),
    ([{}], 422, "body.payload.0.item"),
    ([{"item": 1}], 422, "body.payload.0.item"),
    ([{"item": None}], 422, "body.payload.0.item"),
    ([{"item": ["x"]}], 422, "body.payload.0.item"),
    ([{"item": {"a": [1, {"b": None}]}}], 422, "body.payload.0.item"),
    ([{**ANSWER, "version": "abc"}], 422, "body.payload.0.version"),
    ([{**ANSWER, "version": 1.5}], 422, "body.payload.0.version"),
    ([{**ANSWER, "version": None}], 422, "body.payload.0.version"),
    ([{**ANSWER, "level": 1}], 422, "body.payload.0.level"),
    ([{**ANSWER, "level": ["fully"]}], 422, "body.payload.0.level"),
    ([{**ANSWER, "evidence": None}], 422, "body.payload.0.evidence"),
    ([{**ANSWER, "evidence": {"$gt": ""}}], 422, "body.payload.0.evidence"),
    ([{**ANSWER, "links": "https://stad.gent"}], 422, "body.payload.0.links"),
    ([{**ANSWER, "links": [["https://stad.gent"]]}], 422, "body.payload.0.links"),
    ([{**ANSWER, "links": [1]}], 422, "body.payload.0.links"),
    ([{**ARRANGEMENT, "choices": "mainstreamed"}], 422, "body.payload.0.choices"),
    ([{**ARRANGEMENT, "choices": None}], 422, "body.payload.0.choices"),
    ([{**ARRANGEMENT, "choices": [{"key": "x"}]}], 422, "body.payload.0.choices"),
    ([{**FTE, "number": "abc"}], 422, "body.payload.0.number"),
    ([{**FTE, "number": "NaN"}], 422, "body.payload.0.number"),
    ([{**FTE, "number": "Infinity"}], 422, "body.payload.0.number"),
    ([{**FTE, "number": [1]}], 422, "body.payload.0.number"),
    ([ANSWER, ANSWER, {"item": CC, "text": 5}], 422, "body.payload.2.text"),
]


@pytest.mark.parametrize(
    ("payload", "status", "where"),
    [pytest.param(*row, id=f"{n}-{row[2]}") for n, row in enumerate(API_CASES)],
)
def test_the_answers_api_rejects_hostile_answers(
    answered: Assessment, editor_token: str, payload: Any, status: int, where: str
) -> None:
    before = snapshot()
    api_refused(api_put(answered.pk, json.dumps(payload), editor_token), status, where)
    assert snapshot() == before, "a refused request wrote something"


NUMBER = '[{"item": "staff-fte", "version": 1, "number": %s}]'


@pytest.mark.parametrize(
    ("body", "status", "where"),
    [
        pytest.param("", 422, "body.payload", id="empty"),
        pytest.param("{", 400, "Cannot parse", id="unclosed"),
        pytest.param("[", 400, "Cannot parse", id="unclosed-list"),
        pytest.param("[" * 100_000 + "]" * 100_000, 400, "Cannot parse", id="deeply-nested"),
        pytest.param('[{"item": ' * 5000, 400, "Cannot parse", id="nested-junk"),
        pytest.param("\x00", 400, "Cannot parse", id="nul"),
        pytest.param(b"\xff\xfe\x00", 400, "Cannot parse", id="not-utf-8"),
        pytest.param("item=communicate-commitment", 400, "Cannot parse", id="form-encoded"),
        pytest.param(
            '[{"item": "description", "text": "a\x00b"}]', 400, "Cannot parse", id="raw-nul"
        ),
        pytest.param('[{"item": "x"}] trailing', 400, "Cannot parse", id="trailing"),
        pytest.param(NUMBER % ("9" * 5000), 400, "Cannot parse", id="5000-digit-number"),
        pytest.param(NUMBER % "NaN", 422, "body.payload.0.number", id="json-nan"),
        pytest.param(NUMBER % "Infinity", 422, "body.payload.0.number", id="json-infinity"),
        pytest.param(NUMBER % "-Infinity", 422, "body.payload.0.number", id="json-minus-inf"),
        pytest.param(NUMBER % "1e400", 422, "body.payload.0.number", id="json-overflow"),
        pytest.param(NUMBER % "1e30", 400, "[0].number", id="json-1e30"),
        pytest.param(
            '[{"item": "communicate-commitment", "version": 1, "evidence": "a\\u0000b"}]',
            400,
            "[0].evidence",
            id="escaped-nul",
        ),
        pytest.param(
            '[{"item": "communicate-commitment", "version": 1, "links": ["https://a.org/\\u0000"]}]',
            400,
            "[0].links",
            id="escaped-nul-link",
        ),
        pytest.param(
            '[{"item": "communicate-commitment", "version": 1, "evidence": "\\ud800"}]',
            400,
            "[0].evidence",
            id="lone-surrogate",
        ),
        pytest.param(
            '[{"item": "communicate-commitment", "version": 1, "links": ["https://a.org/\\udfff"]}]',
            400,
            "[0].links",
            id="lone-surrogate-link",
        ),
        pytest.param(
            '[{"item": "description", "section": "organisation", "text": "x\\ud83d"}]',
            400,
            "[0].text",
            id="lone-surrogate-text",
        ),
    ],
)
def test_the_answers_api_rejects_malformed_bodies(
    answered: Assessment, editor_token: str, body: str | bytes, status: int, where: str
) -> None:
    before = snapshot()
    api_refused(api_put(answered.pk, body, editor_token), status, where)
    assert snapshot() == before, "a refused request wrote something"


@pytest.mark.parametrize(
    ("answers", "key", "stored"),
    [
        ([{**ANSWER, "evidence": SCRIPT}], CC, {"evidence": SCRIPT, "level": "partly"}),
        ([{**ANSWER, "evidence": RTL}], CC, {"evidence": RTL}),
        ([{**ANSWER, "evidence": "  Padded \n"}], CC, {"evidence": "Padded"}),
        ([{**ANSWER, "level": None}], CC, {"level": None}),
        (
            [{**ANSWER, "links": ["https://exämple.org/ä", "HTTPS://STAD.GENT"]}],
            CC,
            {"links": ["https://exämple.org/ä", "HTTPS://STAD.GENT"]},
        ),
        (
            [{**ANSWER, "links": [" https://stad.gent ", "", "  "]}],
            CC,
            {"links": ["https://stad.gent"]},
        ),
        (
            [{**ANSWER, "evidence": "First"}, {**ANSWER, "evidence": "Last"}],
            CC,
            {"evidence": "Last"},
        ),
        # Fields an answer does not have are ignored.
        (
            [{**ANSWER, "updated_by": 1, "assessment": 999999, "is_answered": False}],
            CC,
            {"evidence": "Updated"},
        ),
        (
            [{"item": "supporting-bodies", "version": 1, "choices": ["migrant_council"] * 3}],
            "supporting-bodies",
            {"choices": ["migrant_council"]},
        ),
        (
            [{"item": "staff-fte", "version": 1, "number": "999999999999.99"}],
            "staff-fte",
            {"number": Decimal("999999999999.99")},
        ),
        ([{"item": "staff-fte", "version": 1, "number": 0}], "staff-fte", {"number": Decimal(0)}),
        ([{"item": "staff-fte", "version": 1, "number": None}], "staff-fte", {"number": None}),
        (
            [{"item": "foreign-born-share", "version": 1, "number": "100"}],
            "foreign-born-share",
            {"number": Decimal(100)},
        ),
        (
            [{"item": "foreign-born-share-year", "version": 1, "number": 1900}],
            "foreign-born-share-year",
            {"number": Decimal(1900)},
        ),
        ([ANSWER] * 500, CC, {"evidence": "Updated", "version": 2}),
    ],
)
def test_the_answers_api_accepts_odd_but_valid_answers(
    answered: Assessment, editor_token: str, answers: Any, key: str, stored: dict[str, Any]
) -> None:
    response = api_put(answered.pk, json.dumps(answers), editor_token)
    assert response.status_code == 200, response.content[:500]
    section = Item.objects.get(section__framework_id=answered.framework_id, key=key).section.key
    values = answer_values(answered, section, key)
    assert {name: values[name] for name in stored} == stored
    auth = {"Authorization": f"Bearer {editor_token}"}
    read = Client().get(f"/api/v1/assessments/{answered.pk}", headers=auth)
    assert read.status_code == 200


def test_an_ambiguous_item_key_is_refused(answered: Assessment, editor_token: str) -> None:
    before = snapshot()
    body = json.dumps([{"item": "description", "version": 1, "text": "Which one?"}])
    api_refused(api_put(answered.pk, body, editor_token), 400, "[0].item")
    assert snapshot() == before


@pytest.mark.parametrize("version", [0, -1, -(10**30), 7, 10**30])
def test_a_stale_or_made_up_api_version_is_a_conflict(
    answered: Assessment, editor_token: str, version: int
) -> None:
    before = snapshot()
    response = api_put(answered.pk, json.dumps([{**ANSWER, "version": version}]), editor_token)
    assert response.status_code == 409
    assert response.json()["conflicts"] == [CC]
    assert snapshot() == before


@pytest.mark.parametrize(
    "path_id",
    [
        "999999",
        "0",
        "-1",
        str(2**63),
        str(-(2**63)),
        HUGE,
        "9" * 5000,
        "abc",
        "1.5",
        "1e3",
        "%00",
        "\u0663",  # an Arabic-Indic digit three
        "{riga}",
    ],
)
def test_an_unknown_assessment_in_the_api_path_is_refused(
    people: People, answered: Assessment, editor_token: str, path_id: str
) -> None:
    riga = Assessment.objects.create(
        city=people.riga, framework=answered.framework, round=answered.round
    )
    path_id = path_id.replace("{riga}", str(riga.pk))
    body = json.dumps([{**ANSWER, "evidence": "Changed"}])
    auth = {"Authorization": f"Bearer {editor_token}"}
    before = snapshot()
    responses = [
        api_put(path_id, body, editor_token),
        Client().post(f"/api/v1/assessments/{path_id}/submit", headers=auth),
        Client().get(f"/api/v1/assessments/{path_id}", headers=auth),
    ]
    for response in responses:
        assert response.status_code in {404, 422}, (response.status_code, response.content[:300])
        assert "detail" in response.json()
    assert snapshot() == before


@pytest.mark.parametrize(
    "authorization",
    [
        "",
        "Bearer",
        "Bearer ",
        "Bearer ic_wrong",
        "Bearer " + "ic_" + "x" * 10_000,
        "Bearer ic_\x00",
        "Bearer " + SQL,
        "Basic ZWRpdG9yOnBhc3N3b3Jk",
        "bearer {token} extra",
        "{token}",
    ],
)
def test_a_bad_token_is_a_401(answered: Assessment, editor_token: str, authorization: str) -> None:
    headers = {"Authorization": authorization.replace("{token}", editor_token)}
    before = snapshot()
    response = Client().put(
        f"/api/v1/assessments/{answered.pk}/answers",
        data=json.dumps([{**ANSWER, "evidence": "Changed"}]),
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 401
    assert snapshot() == before


@pytest.mark.parametrize(
    ("role", "status"), [("viewer", 403), ("reviewer", 403), ("outsider", 404)]
)
def test_only_editors_tokens_write(
    people: People, answered: Assessment, role: str, status: int
) -> None:
    token = token_create(user=people.all_roles()[role], name="t")[1]
    before = snapshot()
    body = json.dumps([{**ANSWER, "evidence": "Changed"}])
    assert api_put(answered.pk, body, token).status_code == status
    response = Client().post(
        f"/api/v1/assessments/{answered.pk}/submit", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == status
    assert snapshot() == before


@pytest.mark.parametrize("body", ["", "{", json.dumps({"state": "validated"}), "\x00", LONG])
def test_submitting_through_the_api_ignores_the_body(
    answered: Assessment, editor_token: str, body: str
) -> None:
    before = snapshot()
    response = Client().post(
        f"/api/v1/assessments/{answered.pk}/submit",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {editor_token}"},
    )
    assert response.status_code == 409
    assert "still need attention" in response.json()["detail"]
    assert snapshot() == before


def test_a_submitted_assessment_refuses_api_writes(answered: Assessment, editor_token: str) -> None:
    Assessment.objects.filter(pk=answered.pk).update(state=AssessmentState.SUBMITTED)
    before = snapshot()
    response = api_put(answered.pk, json.dumps([{**ANSWER, "evidence": "Changed"}]), editor_token)
    assert response.status_code == 409  # not possible now, as on the page
    assert "submitted" in response.json()["detail"]
    assert snapshot() == before


@pytest.mark.parametrize("literal", ["1e999999999", "-1e999999999", "1E+400"])
def test_a_json_number_beyond_any_float_is_refused_not_a_crash(
    answered: Assessment, editor_token: str, literal: str
) -> None:
    """A JSON number literal that Python reads as infinity (or as a number of a billion digits)."""
    before = snapshot()
    body = '[{"item": "staff-fte", "version": 1, "number": ' + literal + "}]"
    response = api_put(answered.pk, body, editor_token)
    assert response.status_code in (400, 422), response.content[:500]
    assert snapshot() == before
