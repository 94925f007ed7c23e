"""Each workflow rule of a survey, driven through the page and the API where both exist.

The rules live in the services (``assessments/services.py``): the page shows the service's reason
as a message, the API answers 409 (not possible now) or 403 (not this person's step) with the
same words. A refused step changes nothing: answers, states, comments, audit entries and rounds
are compared before and after. The decisions that do happen are each on the audit trail.
"""

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from integratingcities.accounts.models import User
from integratingcities.accounts.services import token_create
from integratingcities.assessments.forms import SectionAnswersForm
from integratingcities.assessments.models import Answer, Assessment, AssessmentState, Comment
from integratingcities.assessments.selectors import section_content
from integratingcities.assessments.services import (
    AnswerInput,
    AssessmentError,
    answers_save,
    assessment_missing,
    assessment_request_changes,
    assessment_submit,
    assessment_validate,
    comment_add,
)
from integratingcities.audit.models import Action, AuditEntry
from integratingcities.frameworks import services as framework_services
from integratingcities.frameworks.models import Framework, Item, ItemKind, Level, Section
from integratingcities.lib.errors import NotAllowed
from integratingcities.lib.testing import People, client_for
from integratingcities.rounds.models import Round, RoundStatus

CC = "communicate-commitment"  # a rating of the "policymaker" section
CLOSED = "round is closed"
SUBMITTED = "submitted and can no longer be changed"
PUBLISHED = "results are published"
EDITORS_ONLY = "Only the city's editors"

# The Charter and an open round of it, as in the apps' own tests (assessments/tests/conftest.py).

_PARSED: dict[str, dict[str, Any]] = {}


@pytest.fixture
def parse_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Charter's file is parsed once per run; every import gets its own copy."""
    parse = framework_services.parse_framework_file

    def parsed(text: str, *, source: str) -> dict[str, Any]:
        if text not in _PARSED:
            _PARSED[text] = parse(text, source=source)
        return copy.deepcopy(_PARSED[text])

    monkeypatch.setattr(framework_services, "parse_framework_file", parsed)


@pytest.fixture
def charter(db: None, parse_once: None) -> Framework:
    return framework_services.framework_import_path(
        path=Path(settings.BASE_DIR) / "content/frameworks/charter.v1.yaml", publish=True
    ).framework


@pytest.fixture
def open_round(people: People, charter: Framework) -> Round:
    return Round.objects.create(
        title="Survey 2026", framework=charter, opens_on="2026-01-01", closes_on="2026-12-31"
    )


@pytest.fixture
def answered(people: People, open_round: Round) -> Assessment:
    """Ghent's survey with every question answered: only a rule can stop its submission."""
    assessment = Assessment.objects.create(
        city=people.ghent, framework=open_round.framework, round=open_round
    )
    answer_everything(assessment, people.editor)
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.IN_PROGRESS
    assert assessment_missing(assessment) == []
    return assessment


@pytest.fixture
def editor_token(people: People) -> str:
    return token_create(user=people.editor, name="spreadsheet")[1]


def answer_everything(assessment: Assessment, user: User) -> None:
    """Every question answered as the form would accept it, evidence given for every rating."""
    fully = Level.objects.get(scale__framework_id=assessment.framework_id, key="fully")
    inputs = {}
    for item in Item.objects.filter(section__framework_id=assessment.framework_id):
        if item.kind == ItemKind.RATING:
            inputs[item] = AnswerInput(level=fully, evidence="We do it.")
        elif item.kind in (ItemKind.SINGLE_CHOICE, ItemKind.MULTIPLE_CHOICE):
            inputs[item] = AnswerInput(choices=(item.options[0]["key"],))
        elif item.kind == ItemKind.NUMBER:
            inputs[item] = AnswerInput(number=max(Decimal(3), Decimal(item.number_min or 0)))
        else:
            inputs[item] = AnswerInput(text="Text.")
    answers_save(assessment=assessment, user=user, inputs=inputs, base_versions={})


# What a refusal must leave as it was, and how the page and the API are driven.


def snapshot() -> dict[str, Any]:
    """Every survey's state and stamps, every answer as stored (and its history), every comment,
    audit entry and round."""
    return {
        "assessments": list(
            Assessment.objects.order_by("pk").values(
                "pk", "state", "last_activity_at", "submitted_at", "validated_at", "scores"
            )
        ),
        "answers": list(Answer.objects.order_by("pk").values()),
        "answer history": Answer.history.count(),
        "comments": list(Comment.objects.order_by("pk").values_list("pk", "text")),
        "audit": list(AuditEntry.objects.order_by("pk").values_list("pk", "action")),
        "rounds": list(Round.objects.order_by("pk").values_list("pk", "status", "published_at")),
    }


def set_round_status(assessment: Assessment, status: str) -> None:
    """The secretariat's step, set directly: the rounds' own services (and their audit) are
    tested with the rounds."""
    round_ = assessment.round
    assert round_ is not None
    round_.status = status
    round_.published_at = timezone.now() if status == RoundStatus.PUBLISHED else None
    round_.save(update_fields=["status", "published_at"])


def flashed(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def says(response: Any, words: str) -> bool:
    return any(words in message for message in flashed(response))


def item_of(assessment: Assessment, section: str, key: str) -> Item:
    return Item.objects.get(
        section__framework_id=assessment.framework_id, section__key=section, key=key
    )


def section_url(assessment: Assessment, key: str) -> str:
    return reverse("assessments:section", args=[assessment.pk, key])


def section_data(assessment: Assessment, section: str, changes: dict[str, str]) -> dict[str, Any]:
    """What the page posts when nothing is changed, then ``changes`` named "<item key>-<part>"."""
    content = section_content(
        assessment, Section.objects.get(framework=assessment.framework, key=section)
    )
    form = SectionAnswersForm(
        items=content["items"], levels=content["levels"], answers=content["answers"]
    )
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = value if isinstance(value, list) else "" if value is None else str(value)
    for name, value in changes.items():
        key, part = name.rsplit("-", 1)
        data[f"i{item_of(assessment, section, key).pk}-{part}"] = value
    return data


# A change the editor might well send: new evidence for an answer saved at version 1.
PAGE_CHANGE = {f"{CC}-evidence": "Changed later."}
API_CHANGE = [{"item": CC, "version": 1, "level": "fully", "evidence": "Changed later."}]


def api_save(
    assessment: Assessment, body: object, *, token: str = "", user: User | None = None
) -> Any:
    """PUT answers, by a personal token or by ``user``'s browser session."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client_for(user).put(
        f"/api/v1/assessments/{assessment.pk}/answers",
        data=json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


def api_submit(assessment: Assessment, *, token: str = "", user: User | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client_for(user).post(f"/api/v1/assessments/{assessment.pk}/submit", headers=headers)


def refused(response: Any, status: int, words: str) -> None:
    assert response.status_code == status, response.content[:300]
    assert words in response.json()["detail"], response.json()


def responding(round_: Round) -> tuple[int, int]:
    """The published count of responding cities: on the results page and in the API."""
    page = Client().get(reverse("rounds:results", args=[round_.pk]))
    api = Client().get(f"/api/v1/rounds/{round_.pk}/results")
    assert (page.status_code, api.status_code) == (200, 200)
    return page.context["results"].responding, api.json()["responding_cities"]


# The round must be open for the city to change or submit its answers.


@pytest.mark.parametrize("state", [AssessmentState.IN_PROGRESS, AssessmentState.CHANGES_REQUESTED])
def test_a_closed_round_refuses_saves_on_the_page_and_in_the_api(
    people: People, answered: Assessment, editor_token: str, state: str
) -> None:
    Assessment.objects.filter(pk=answered.pk).update(state=state)
    set_round_status(answered, RoundStatus.CLOSED)
    before = snapshot()
    editor = client_for(people.editor)
    url = section_url(answered, "policymaker")
    data = section_data(answered, "policymaker", PAGE_CHANGE)

    page = editor.post(url, data)
    assert page.status_code == 302
    assert page["Location"] == answered.get_absolute_url()
    assert says(page, CLOSED), flashed(page)
    autosaved = editor.post(url, data, headers={"X-Autosave": "1"})
    assert autosaved.status_code == 409
    assert CLOSED in autosaved.json()["error"]
    refused(api_save(answered, API_CHANGE, token=editor_token), 409, CLOSED)
    refused(api_save(answered, API_CHANGE, user=people.editor), 409, CLOSED)
    with pytest.raises(AssessmentError, match=CLOSED):
        answers_save(
            assessment=answered,
            user=people.editor,
            inputs={item_of(answered, "policymaker", CC): AnswerInput(evidence="Changed.")},
            base_versions={},
        )
    assert snapshot() == before


@pytest.mark.parametrize("state", [AssessmentState.IN_PROGRESS, AssessmentState.CHANGES_REQUESTED])
def test_a_closed_round_refuses_submission_on_the_page_and_in_the_api(
    people: People, answered: Assessment, editor_token: str, state: str
) -> None:
    """The reported bug: POST /api/v1/assessments/{id}/submit answered 200 after the close."""
    Assessment.objects.filter(pk=answered.pk).update(state=state)
    set_round_status(answered, RoundStatus.CLOSED)
    before = snapshot()

    page = client_for(people.editor).post(reverse("assessments:submit", args=[answered.pk]))
    assert page.status_code == 302
    assert page["Location"] == reverse("assessments:review", args=[answered.pk])
    assert says(page, CLOSED), flashed(page)
    refused(api_submit(answered, token=editor_token), 409, CLOSED)
    refused(api_submit(answered, user=people.editor), 409, CLOSED)
    with pytest.raises(AssessmentError, match=CLOSED):
        assessment_submit(assessment=answered, user=people.editor)
    assert snapshot() == before
    answered.refresh_from_db()
    assert answered.state == state


# Submitted answers are locked while they are reviewed (and for good once validated).


@pytest.mark.parametrize("state", [AssessmentState.SUBMITTED, AssessmentState.VALIDATED])
def test_submitted_answers_refuse_saves_and_a_second_submission(
    people: People, answered: Assessment, editor_token: str, state: str
) -> None:
    Assessment.objects.filter(pk=answered.pk).update(state=state)
    before = snapshot()
    editor = client_for(people.editor)

    page = editor.post(
        section_url(answered, "policymaker"), section_data(answered, "policymaker", PAGE_CHANGE)
    )
    assert page.status_code == 302
    assert page["Location"] == answered.get_absolute_url()
    assert says(page, SUBMITTED), flashed(page)
    refused(api_save(answered, API_CHANGE, token=editor_token), 409, SUBMITTED)

    again = editor.post(reverse("assessments:submit", args=[answered.pk]))
    assert again.status_code == 302
    assert again["Location"] == answered.get_absolute_url()
    assert says(again, SUBMITTED), flashed(again)
    refused(api_submit(answered, token=editor_token), 409, SUBMITTED)
    assert snapshot() == before


# Only the city's editors answer for it: its viewers and reviewers, and the secretariat, do not.


@pytest.mark.parametrize("role", ["viewer", "reviewer", "secretariat"])
def test_only_the_citys_editors_save_and_submit(
    people: People, answered: Assessment, role: str
) -> None:
    user = people.all_roles()[role]
    assert user is not None
    token = token_create(user=user, name="spreadsheet")[1]
    before = snapshot()
    client = client_for(user)
    url = section_url(answered, "policymaker")
    data = section_data(answered, "policymaker", PAGE_CHANGE)

    assert client.post(url, data).status_code == 403
    assert client.post(url, data, headers={"X-Autosave": "1"}).status_code == 403
    assert client.post(reverse("assessments:submit", args=[answered.pk])).status_code == 403
    refused(api_save(answered, API_CHANGE, token=token), 403, EDITORS_ONLY)
    refused(api_save(answered, API_CHANGE, user=user), 403, EDITORS_ONLY)
    refused(api_submit(answered, token=token), 403, EDITORS_ONLY)
    refused(api_submit(answered, user=user), 403, EDITORS_ONLY)
    with pytest.raises(NotAllowed, match=EDITORS_ONLY):
        assessment_submit(assessment=answered, user=user)
    assert snapshot() == before


# Published results never change behind the reader's back.


@pytest.fixture
def published(people: People, answered: Assessment) -> Assessment:
    """Ghent's survey submitted and commented on, then its round closed and published before
    anyone reviewed it: no city is counted in the results."""
    assessment_submit(assessment=answered, user=people.editor)
    comment_add(
        assessment=answered,
        item=item_of(answered, "policymaker", CC),
        author=people.reviewer,
        text="Which plan?",
    )
    set_round_status(answered, RoundStatus.PUBLISHED)
    return answered


@pytest.mark.parametrize("role", ["reviewer", "secretariat"])
def test_a_published_round_refuses_review_decisions(
    people: People, published: Assessment, role: str
) -> None:
    user = people.all_roles()[role]
    assert user is not None
    assert published.round is not None
    counted = responding(published.round)
    assert counted == (0, 0)
    before = snapshot()
    client = client_for(user)

    for name in ("validate", "request_changes"):
        response = client.post(reverse(f"assessments:{name}", args=[published.pk]))
        assert response.status_code == 302
        assert response["Location"] == published.get_absolute_url()
        assert says(response, PUBLISHED), (name, flashed(response))
    item = item_of(published, "policymaker", CC)
    commented = client.post(
        reverse("assessments:comment", args=[published.pk]), {"item": item.pk, "text": "Late."}
    )
    assert commented.status_code == 302
    assert says(commented, PUBLISHED), flashed(commented)
    with pytest.raises(AssessmentError, match=PUBLISHED):
        assessment_validate(assessment=published, user=user)
    with pytest.raises(AssessmentError, match=PUBLISHED):
        assessment_request_changes(assessment=published, user=user)
    assert snapshot() == before
    published.refresh_from_db()
    assert published.state == AssessmentState.SUBMITTED
    assert responding(published.round) == counted


# Once the round is closed, the city can no longer answer: changes cannot be asked of it.


def test_changes_cannot_be_requested_in_a_closed_round(
    people: People, answered: Assessment
) -> None:
    assessment_submit(assessment=answered, user=people.editor)
    comment_add(
        assessment=answered,
        item=item_of(answered, "policymaker", CC),
        author=people.reviewer,
        text="Which plan?",
    )
    set_round_status(answered, RoundStatus.CLOSED)
    before = snapshot()
    reviewer = client_for(people.reviewer)

    response = reviewer.post(reverse("assessments:request_changes", args=[answered.pk]))
    assert response.status_code == 302
    assert says(response, CLOSED), flashed(response)
    with pytest.raises(AssessmentError, match=CLOSED):
        assessment_request_changes(assessment=answered, user=people.secretariat)
    assert snapshot() == before

    # The answers are final: they may still be validated before the results are published.
    validated = reviewer.post(reverse("assessments:validate", args=[answered.pk]))
    assert says(validated, "Validated."), flashed(validated)
    answered.refresh_from_db()
    assert answered.state == AssessmentState.VALIDATED


# The decisions that do happen are on the audit trail: who, what, from which state to which.


def test_each_decision_is_recorded_with_its_actor_and_states(
    people: People, answered: Assessment, editor_token: str
) -> None:
    reviewer = client_for(people.reviewer)
    editor = client_for(people.editor)
    item = item_of(answered, "policymaker", CC)

    assert api_submit(answered, token=editor_token).status_code == 200
    reviewer.post(
        reverse("assessments:comment", args=[answered.pk]), {"item": item.pk, "text": "Which?"}
    )
    changes = reviewer.post(reverse("assessments:request_changes", args=[answered.pk]))
    assert says(changes, "Changes requested"), flashed(changes)
    resubmitted = editor.post(reverse("assessments:submit", args=[answered.pk]))
    assert says(resubmitted, "Submitted."), flashed(resubmitted)
    validated = reviewer.post(reverse("assessments:validate", args=[answered.pk]))
    assert says(validated, "Validated."), flashed(validated)

    decisions = AuditEntry.objects.filter(
        target_type=ContentType.objects.get_for_model(Assessment),
        target_id=answered.pk,
        action__in=[
            Action.ASSESSMENT_SUBMITTED,
            Action.ASSESSMENT_CHANGES_REQUESTED,
            Action.ASSESSMENT_VALIDATED,
        ],
    ).order_by("created_at", "pk")
    S = AssessmentState
    assert [(e.actor, e.action, e.from_state, e.to_state) for e in decisions] == [
        (people.editor, Action.ASSESSMENT_SUBMITTED, S.IN_PROGRESS, S.SUBMITTED),
        (people.reviewer, Action.ASSESSMENT_CHANGES_REQUESTED, S.SUBMITTED, S.CHANGES_REQUESTED),
        (people.editor, Action.ASSESSMENT_SUBMITTED, S.CHANGES_REQUESTED, S.SUBMITTED),
        (people.reviewer, Action.ASSESSMENT_VALIDATED, S.SUBMITTED, S.VALIDATED),
    ]
    assert {entry.city for entry in decisions} == {people.ghent}

    # Validated before publication, the city is counted once the results are out.
    set_round_status(answered, RoundStatus.CLOSED)
    set_round_status(answered, RoundStatus.PUBLISHED)
    assert answered.round is not None
    assert responding(answered.round) == (1, 1)
