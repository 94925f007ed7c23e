"""Numbers and links as people type them: decimal commas, thousands separators, links without
https://, and messages in the question's own terms; through the page and through the API."""

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from integratingcities.accounts.services import token_create
from integratingcities.assessments.forms import SectionAnswersForm
from integratingcities.assessments.models import Answer, Assessment
from integratingcities.assessments.selectors import section_content
from integratingcities.frameworks.models import Item, Section
from integratingcities.lib.forms import AmbiguousNumber, as_typed
from integratingcities.lib.testing import People, client_for


def _item(assessment: Assessment, section: str, key: str) -> Item:
    return Item.objects.get(
        section__framework_id=assessment.framework_id, section__key=section, key=key
    )


def _form(assessment: Assessment, section: str, data: Any = None) -> SectionAnswersForm:
    content = section_content(
        assessment, Section.objects.get(framework=assessment.framework, key=section)
    )
    return SectionAnswersForm(
        data, items=content["items"], levels=content["levels"], answers=content["answers"]
    )


def _post(
    client: Client, assessment: Assessment, section: str, **typed: str
) -> tuple[Any, dict[str, Any]]:
    """The section as the page posts it, with `typed` (named "<item key>-<part>") changed."""
    form = _form(assessment, section)
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = value if isinstance(value, list) else "" if value is None else str(value)
    for name, value in typed.items():
        key, part = name.rsplit("-", 1)
        data[f"i{_item(assessment, section, key).pk}-{part}"] = value
    url = reverse("assessments:section", args=[assessment.pk, section])
    return client.post(url, data), data


def _stored(assessment: Assessment, key: str) -> Answer:
    return Answer.objects.get(assessment=assessment, item__key=key)


@pytest.fixture
def editor(people: People) -> Client:
    return client_for(people.editor)


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("12,5", Decimal("12.50")),
        ("12.5", Decimal("12.50")),
        ("1 234,5", Decimal("1234.50")),
        ("1\u00a0234,5", Decimal("1234.50")),  # a no-break space
        ("1\u202f234,5", Decimal("1234.50")),  # a narrow no-break space, as French writes it
        ("1\u2009234.5", Decimal("1234.50")),  # a thin space
        ("1,234.5", Decimal("1234.50")),
        ("1.234,5", Decimal("1234.50")),
        ("1,234,567", Decimal("1234567")),
        ("0,25", Decimal("0.25")),
        ("1e3", Decimal("1000")),
    ],
)
def test_a_number_is_read_as_it_was_typed(
    editor: Client, ghent_assessment: Assessment, typed: str, number: Decimal
) -> None:
    response, _data = _post(editor, ghent_assessment, "organisation", **{"staff-fte-number": typed})
    assert response.status_code == 302, response.context["form"].errors
    assert _stored(ghent_assessment, "staff-fte").number == number


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "“1,234” could be read as 1234 or as 1.234."),
        ("fr", "“1,234” could be read as 1234 or as 1,234."),
    ],
)
def test_an_ambiguous_number_is_refused_not_guessed(
    editor: Client, ghent_assessment: Assessment, language: str, message: str
) -> None:
    """A single comma before three digits is a thousands comma in English and a decimal comma
    in French and German: refused in every language, saying how to write either."""
    editor.cookies["django_language"] = language
    response, _data = _post(
        editor, ghent_assessment, "organisation", **{"staff-fte-number": "1,234"}
    )
    assert response.status_code == 200
    name = f"i{_item(ghent_assessment, 'organisation', 'staff-fte').pk}-number"
    errors = response.context["form"].errors[name]
    assert errors[0].startswith(message), errors
    assert "Write 1234 without a separator" in errors[0]
    assert not Answer.objects.filter(assessment=ghent_assessment).exists()


@pytest.mark.parametrize(
    ("key", "typed", "message"),
    [
        ("foreign-born-share-year", "3025", "Give a year between 1900 and 2100."),
        ("foreign-born-share-year", "2020,5", "Give a year between 1900 and 2100."),
        ("foreign-born-share", "100,5", "Give a share between 0 and 100 %."),
        ("foreign-born-share", "-1", "Give a share between 0 and 100 %."),
        ("foreign-born-share", "30 %", "Enter a number, such as 12.5 or 12,5."),
        ("foreign-born-share-year", "twenty", "Enter a number, such as 2024."),
    ],
)
def test_a_number_out_of_range_is_refused_in_the_questions_terms(
    editor: Client, ghent_assessment: Assessment, key: str, typed: str, message: str
) -> None:
    response, _data = _post(editor, ghent_assessment, "trends", **{f"{key}-number": typed})
    assert response.status_code == 200
    name = f"i{_item(ghent_assessment, 'trends', key).pk}-number"
    assert response.context["form"].errors[name] == [message]
    assert message in response.content.decode()


def test_the_staff_count_says_what_it_takes(editor: Client, ghent_assessment: Assessment) -> None:
    response, _data = _post(editor, ghent_assessment, "organisation", **{"staff-fte-number": "-2"})
    name = f"i{_item(ghent_assessment, 'organisation', 'staff-fte').pk}-number"
    assert response.context["form"].errors[name] == ["Give a number of 0 or more."]


def test_stored_numbers_are_shown_without_trailing_zeros_in_the_pages_language(
    editor: Client, ghent_assessment: Assessment
) -> None:
    _post(
        editor,
        ghent_assessment,
        "trends",
        **{"foreign-born-share-year-number": "2020", "foreign-born-share-number": "30,5"},
    )
    form = _form(ghent_assessment, "trends")
    year = f"i{_item(ghent_assessment, 'trends', 'foreign-born-share-year').pk}-number"
    share = f"i{_item(ghent_assessment, 'trends', 'foreign-born-share').pk}-number"
    assert (form[year].value(), form[share].value()) == ("2020", "30.5")
    with translation.override("de"):
        assert _form(ghent_assessment, "trends")[share].value() == "30,5"
    page = editor.get(reverse("assessments:section", args=[ghent_assessment.pk, "trends"]))
    html = page.content.decode()
    assert 'value="2020"' in html and "2020.00" not in html
    # A text input: a browser's number input would read "12,5" by its own rules (as 125).
    assert f'name="{year}"' in html and 'inputmode="decimal"' in html
    assert 'type="number"' not in html


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("www.gent.be/integratie", ["https://www.gent.be/integratie"]),
        ("gent.be/x", ["https://gent.be/x"]),
        ("http://stad.gent\nstad.gent/en", ["http://stad.gent", "https://stad.gent/en"]),
    ],
)
def test_a_link_without_https_is_completed(
    editor: Client, ghent_assessment: Assessment, typed: str, stored: list[str]
) -> None:
    response, _data = _post(
        editor,
        ghent_assessment,
        "policymaker",
        **{"communicate-commitment-links": typed, "communicate-commitment-level": "fully"},
    )
    assert response.status_code == 302, response.context["form"].errors
    assert _stored(ghent_assessment, "communicate-commitment").links == stored


def test_a_bad_link_keeps_the_rest_of_the_answer(
    editor: Client, ghent_assessment: Assessment
) -> None:
    """The level and evidence beside a refused link are saved; the link is not, and stays in
    the form with a message naming it; the page can be saved again once it is corrected."""
    typed = {
        "communicate-commitment-level": "fully",
        "communicate-commitment-evidence": "Our integration plan.",
        "communicate-commitment-links": "www.gent.be/integratie\nnot a link",
    }
    response, _data = _post(editor, ghent_assessment, "policymaker", **typed)
    assert response.status_code == 200
    answer = _stored(ghent_assessment, "communicate-commitment")
    assert answer.level is not None
    assert (answer.level.key, answer.evidence, answer.links) == (
        "fully",
        "Our integration plan.",
        [],
    )
    form = response.context["form"]
    prefix = f"i{answer.item_id}-"
    assert form[f"{prefix}links"].value() == typed["communicate-commitment-links"]
    assert form[f"{prefix}evidence"].value() == typed["communicate-commitment-evidence"]
    assert form[f"{prefix}version"].value() == "1", "the next save is based on the saved answer"
    message = form.errors[f"{prefix}links"][0]
    assert message.startswith("“not a link” is not a web address.")
    page = response.content.decode()
    assert "The other answers were saved; the links marked below were not." in page
    assert "not a link" in page

    # Corrected and saved again from the same page: no conflict with the first save.
    data = {name: form[name].value() for name in form.fields}
    data = {name: "" if value is None else value for name, value in data.items()}
    data[f"{prefix}links"] = "www.gent.be/integratie"
    data[f"{prefix}level"] = "fully"
    url = reverse("assessments:section", args=[ghent_assessment.pk, "policymaker"])
    assert editor.post(url, data).status_code == 302
    answer.refresh_from_db()
    assert (answer.links, answer.version) == (["https://www.gent.be/integratie"], 2)


def test_autosave_keeps_the_rest_and_names_the_bad_link(
    editor: Client, ghent_assessment: Assessment
) -> None:
    _response, data = _post(editor, ghent_assessment, "policymaker")
    prefix = f"i{_item(ghent_assessment, 'policymaker', 'communicate-commitment').pk}-"
    data.update({f"{prefix}evidence": "Autosaved", f"{prefix}links": "javascript:alert(1)"})
    url = reverse("assessments:section", args=[ghent_assessment.pk, "policymaker"])
    response = editor.post(url, data, headers={"X-Autosave": "1"})
    assert response.status_code == 400
    body = response.json()
    assert body["versions"][f"{prefix}version"] == 1
    assert "javascript:alert(1)" in body["errors"][f"{prefix}links"][0]["message"]
    assert _stored(ghent_assessment, "communicate-commitment").evidence == "Autosaved"


def _put(assessment: Assessment, token: str, answers: list[dict[str, Any]]) -> Any:
    return client_for(None).put(
        f"/api/v1/assessments/{assessment.pk}/answers",
        data=json.dumps(answers),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_the_api_reads_json_numbers_and_completes_links(
    people: People, ghent_assessment: Assessment
) -> None:
    token = token_create(user=people.editor, name="script")[1]
    response = _put(
        ghent_assessment,
        token,
        [
            {"item": "staff-fte", "number": 12.5},
            {"item": "foreign-born-share", "number": "1E+1"},
            {"item": "communicate-commitment", "links": ["www.gent.be/integratie"]},
        ],
    )
    assert response.status_code == 200, response.content
    assert _stored(ghent_assessment, "staff-fte").number == Decimal("12.5")
    assert _stored(ghent_assessment, "foreign-born-share").number == Decimal("10")
    links = _stored(ghent_assessment, "communicate-commitment").links
    assert links == ["https://www.gent.be/integratie"]


def test_the_api_refuses_a_bad_link_or_year_whole_naming_it(
    people: People, ghent_assessment: Assessment
) -> None:
    """The API saves a request whole or not at all: a script gets the error and sends again."""
    token = token_create(user=people.editor, name="script")[1]
    response = _put(
        ghent_assessment,
        token,
        [{"item": "communicate-commitment", "evidence": "Plan", "links": ["not a link"]}],
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("[0].links: “not a link” is not a web address.")
    response = _put(ghent_assessment, token, [{"item": "foreign-born-share-year", "number": 3025}])
    assert response.json()["detail"] == "[0].number: Give a year between 1900 and 2100."
    assert not Answer.objects.filter(assessment=ghent_assessment).exists()


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("12,5", "12.5"),
        ("-1 234,50", "-1234.50"),
        ("\u22121,5", "-1.5"),  # a typographic minus
        ("1.234.567", "1234567"),
        ("1E+2", "1E+2"),  # no comma, no space: as typed, for Decimal() to judge
        ("NaN", "NaN"),
    ],
)
def test_typed_numbers_are_rewritten_for_decimal(typed: str, read: str) -> None:
    assert as_typed(typed) == read


@pytest.mark.parametrize("typed", ["12 5", "1,2345", "12,", ",5 5", "1.23,4", "1,2.5", "1,,5"])
def test_irregular_separators_are_refused(typed: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 (the message is the form's)
        as_typed(typed)


def test_a_comma_before_three_digits_is_ambiguous() -> None:
    with pytest.raises(AmbiguousNumber):
        as_typed("1,234")
