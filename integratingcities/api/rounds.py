"""Rounds, published results and a city's own answers in the API, under the form's rules."""

import json
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import TextField
from django.db.models.functions import Cast
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate
from pydantic import BaseModel

from integratingcities.assessments.forms import (
    MAX_TEXT,
    SectionAnswersForm,
    refuse_unpaired_surrogates,
)
from integratingcities.assessments.models import Answer, Assessment
from integratingcities.assessments.selectors import assessments_for
from integratingcities.assessments.services import answers_save, assessment_submit
from integratingcities.frameworks.models import Item, ItemKind, Level
from integratingcities.lib.http import AuthenticatedHttpRequest
from integratingcities.permissions import visible_to
from integratingcities.rounds import selectors as round_selectors
from integratingcities.rounds.models import Round

from .auth import token_or_session
from .pagination import Mapped

router = Router(tags=["rounds and answers"])


class RoundOut(Schema):
    id: int
    title: str
    framework: str
    framework_version: int
    opens_on: date
    closes_on: date
    status: str
    illustrative: bool


class ItemResultOut(Schema):
    item: str
    text: dict[str, str]
    counts: dict[str, int]


class SectionResultOut(Schema):
    section: str
    title: dict[str, str]
    items: list[ItemResultOut]


class ResultsOut(Schema):
    round: RoundOut
    responding_cities: int
    levels: list[str]
    sections: list[SectionResultOut]


# Plain pydantic models, not ninja's Schema: what they check is given as dicts, which Schema
# would read through its attribute getter, one call per field of some 3,500 answers (a
# response of 100 assessments took 0.2 s to check, five times what pydantic takes alone).
class AnswerOut(BaseModel):
    item: str
    section: str
    kind: str
    level: str | None
    choices: list[str]
    number: Decimal | None
    text: str
    evidence: str
    links: list[str]
    version: int
    updated_at: datetime
    carried_over: bool  # copied from the city's earlier answers, not confirmed by an editor yet


class AssessmentOut(BaseModel):
    id: int
    city: str
    round: int | None
    framework: str
    framework_version: int
    state: str
    illustrative: bool  # demonstration levels, not the city's real answers
    answers: list[AnswerOut]


class AnswerIn(Schema):
    item: str
    section: str | None = None  # needed where several sections have an item of that key
    version: int = 0
    level: str | None = None
    choices: list[str] = []
    number: Decimal | None = None
    text: str = ""
    evidence: str = ""
    links: list[str] = []


class SaveOut(Schema):
    saved: list[str]
    conflicts: list[str]
    versions: dict[str, int]


class ErrorOut(Schema):
    detail: str


def _round_out(round_: Round) -> dict[str, Any]:
    return {
        "id": round_.pk,
        "title": round_.title,
        "framework": round_.framework.lineage,
        "framework_version": round_.framework.version,
        "opens_on": round_.opens_on,
        "closes_on": round_.closes_on,
        "status": round_.status,
        "illustrative": round_.is_illustrative,
    }


@router.get("/rounds/", response=list[RoundOut])
def list_rounds(request: HttpRequest) -> list[dict[str, Any]]:
    """Published rounds (every round for the secretariat)."""
    return [_round_out(r) for r in round_selectors.visible_rounds(request.user)]


@router.get("/rounds/{round_id}/results", response={200: ResultsOut, 404: ErrorOut})
def round_results(request: HttpRequest, round_id: int) -> Status[dict[str, Any]]:
    """Per commitment, how many responding cities gave each level (validated answers only)."""
    round_ = round_selectors.visible_rounds(request.user).filter(pk=round_id).first()
    if round_ is None or not round_.is_published:
        return Status(404, {"detail": "No published round with this id."})
    results = round_selectors.round_results(round_, round_selectors.ResultFilters())
    return Status(
        200,
        {
            "round": _round_out(round_),
            "responding_cities": results.responding,
            "levels": [level.key for level in results.levels],
            "sections": [
                {
                    "section": block.section.key,
                    "title": block.section.title,
                    "items": [
                        {"item": row.item.key, "text": row.item.text, "counts": row.counts}
                        for row in block.items
                    ],
                }
                for block in results.sections
            ],
        },
    )


def _assessment(request: HttpRequest, assessment_id: int) -> Assessment:
    if not (-(2**63) < assessment_id < 2**63):
        raise HttpError(404, "No assessment with this id for you.")
    assessment = visible_to(request.user, Assessment).filter(pk=assessment_id).first()
    if assessment is None:
        raise HttpError(404, "No assessment with this id for you.")
    return assessment


# What the API gives of an answer: its own fields and the keys of its question, section and
# level, read as plain values (their translated texts are JSON, a decoding each).
ANSWER_FIELDS = {
    "item": "item__key",
    "section": "item__section__key",
    "kind": "item__kind",
    "level": "level__key",
    "choices": "choices",
    "number": "number",
    "text": "text",
    "evidence": "evidence",
    "links": "links",
    "version": "version",
    "updated_at": "updated_at",
    "carried_over": "is_carried_over",
}


# The lists of an answer, read as their JSON text: most are empty, and Django's decoding of
# each took a third of the time spent on a page of fifty surveys' answers.
_ANSWER_LISTS = ("choices", "links")


def _answers_by_assessment(assessment_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """The answers of the given assessments, in their questions' order, in one query."""
    found: dict[int, list[dict[str, Any]]] = {pk: [] for pk in assessment_ids}
    names = list(ANSWER_FIELDS)
    as_text = {name: Cast(ANSWER_FIELDS[name], TextField()) for name in _ANSWER_LISTS}
    for assessment_id, *values in (
        Answer.objects.filter(assessment_id__in=list(found))
        .annotate(**{f"{name}_json": text for name, text in as_text.items()})
        .values_list(
            "assessment_id",
            *(f"{name}_json" if name in as_text else ANSWER_FIELDS[name] for name in names),
        )
    ):
        answer = dict(zip(names, values, strict=True))
        for name in _ANSWER_LISTS:
            answer[name] = [] if answer[name] == "[]" else json.loads(answer[name])
        found[assessment_id].append(answer)
    return found


def _assessment_out(
    assessment: Assessment, answers: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    if answers is None:
        answers = _answers_by_assessment([assessment.pk])[assessment.pk]
    return {
        "id": assessment.pk,
        "city": assessment.city.slug,
        "round": assessment.round_id,
        "framework": assessment.framework.lineage,
        "framework_version": assessment.framework.version,
        "state": assessment.state,
        "illustrative": assessment.is_illustrative
        or (assessment.round is not None and assessment.round.is_illustrative),
        "answers": answers,
    }


@router.get("/assessments/", response=list[AssessmentOut], auth=token_or_session)
@paginate(PageNumberPagination)
def list_assessments(request: HttpRequest) -> Mapped:
    """The assessments of your cities, newest first, with their answers, a page at a time."""

    def rows(listed: list[Assessment]) -> list[dict[str, object]]:
        answers = _answers_by_assessment(a.pk for a in listed)  # one query, not one each
        return [_assessment_out(a, answers[a.pk]) for a in listed]

    return Mapped(assessments_for(request.user), rows=rows)


@router.get(
    "/assessments/{assessment_id}",
    response={200: AssessmentOut, 404: ErrorOut},
    auth=token_or_session,
)
def get_assessment(request: HttpRequest, assessment_id: int) -> dict[str, Any]:
    return _assessment_out(_assessment(request, assessment_id))


@router.put(
    "/assessments/{assessment_id}/answers",
    response={200: SaveOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: SaveOut | ErrorOut},
    auth=token_or_session,
)
def save_answers(
    request: AuthenticatedHttpRequest, assessment_id: int, payload: list[AnswerIn]
) -> Status[dict[str, Any]]:
    """Save answers as a draft. Each answer names the version it was based on (0 for new);
    an answer changed by someone else meanwhile is not overwritten and is listed in conflicts.

    The answers are checked by the same form as the survey's pages, and saved by the same
    service: what a page refuses, the API refuses, with the field named."""
    assessment = _assessment(request, assessment_id)
    if len(payload) > 500:
        return Status(400, {"detail": "Send at most 500 answers at once."})
    all_items = list(
        Item.objects.filter(section__framework_id=assessment.framework_id).select_related("section")
    )
    by_place = {(item.section.key, item.key): item for item in all_items}
    by_key: dict[str, list[Item]] = {}
    for known in all_items:
        by_key.setdefault(known.key, []).append(known)

    def label(item: Item) -> str:
        """An item's name in replies: its key, with its section where the key is shared."""
        return item.key if len(by_key[item.key]) == 1 else f"{item.section.key}/{item.key}"

    given_items: dict[Item, int] = {}
    data: MultiValueDict[str, str] = MultiValueDict()
    for index, given in enumerate(payload):
        if given.section is not None:
            item = by_place.get((given.section, given.item))
        else:
            candidates = by_key.get(given.item, [])
            if len(candidates) > 1:
                return Status(
                    400,
                    {
                        "detail": f"[{index}].item: {given.item[:60]!r} is in several sections; "
                        "give its section too."
                    },
                )
            item = candidates[0] if candidates else None
        if item is None:
            return Status(400, {"detail": f"[{index}].item: no question {given.item[:60]!r} here."})
        refused = _shape_refused(item, given)
        if refused:
            return Status(400, {"detail": f"[{index}].{refused}"})
        given_items[item] = index
        for name, values in _form_data(item, given).items():
            data.setlist(name, values)
    levels: dict[int, list[Level]] = {}
    for level in Level.objects.filter(scale__framework_id=assessment.framework_id):
        levels.setdefault(level.scale_id, []).append(level)
    form = SectionAnswersForm(data, items=list(given_items), levels=levels, answers={})
    if not form.is_valid():
        return Status(400, {"detail": _form_errors(form, given_items)})
    inputs, versions = form.inputs()
    result = answers_save(
        assessment=assessment, user=request.user, inputs=inputs, base_versions=versions
    )
    by_pk = {item.pk: item for item in all_items}
    body = {
        "saved": [label(by_pk[a.item_id]) for a in result.saved],
        "conflicts": [label(c.item) for c in result.conflicts],
        "versions": {label(by_pk[pk]): v for pk, v in result.versions.items()},
    }
    return Status(409 if result.conflicts else 200, body)


_ANY_TEXT = forms.CharField(
    required=False, max_length=MAX_TEXT, validators=[refuse_unpaired_surrogates]
)


def _shape_refused(item: Item, given: AnswerIn) -> str:
    """What JSON can say and a form cannot: "field: reason", or "" if the shape is fine.

    Text the question's kind ignores must still be text a form could send."""
    if given.level == "":
        return "level: give a level's key, or null for none"
    if item.kind == ItemKind.SINGLE_CHOICE and len(given.choices) > 1:
        return "choices: give one option only"
    for name in ("text", "evidence"):
        try:
            _ANY_TEXT.clean(getattr(given, name))
        except ValidationError as error:
            return f"{name}: {error.messages[0]}"
    return ""


def _form_data(item: Item, given: AnswerIn) -> dict[str, list[str]]:
    """One answer of the API as the survey form's fields (named as in SectionAnswersForm)."""
    prefix = f"i{item.pk}-"
    # A version beyond any real one is simply not the current one: a conflict, not an error.
    data = {f"{prefix}version": [str(min(max(given.version, 0), 2**31 - 1))]}
    if item.kind == ItemKind.RATING:
        data[f"{prefix}level"] = [given.level or ""]
        data[f"{prefix}evidence"] = [given.evidence]
        data[f"{prefix}links"] = ["\n".join(link.replace("\n", " ") for link in given.links)]
    elif item.kind == ItemKind.SINGLE_CHOICE:
        data[f"{prefix}choice"] = given.choices[:1]
    elif item.kind == ItemKind.MULTIPLE_CHOICE:
        data[f"{prefix}choices"] = given.choices
    elif item.kind == ItemKind.NUMBER:
        data[f"{prefix}number"] = ["" if given.number is None else str(given.number)]
    else:
        data[f"{prefix}text"] = [given.text]
    return data


# The API's names for the form's fields, where they differ.
_FIELD_NAMES = {"choice": "choices"}


def _form_errors(form: SectionAnswersForm, given_items: dict[Item, int]) -> str:
    """The form's first error, named as the API names the answer and its field."""
    index_of = {item.pk: index for item, index in given_items.items()}
    for name, errors in form.errors.as_data().items():
        item_part, _dash, field = name.partition("-")
        index = index_of.get(int(item_part[1:])) if item_part[1:].isdigit() else None
        field = _FIELD_NAMES.get(field, field)
        where = f"[{index}].{field}" if index is not None else name
        return f"{where}: {_short(errors[0])}"
    return "The answers are not valid."


def _short(error: ValidationError) -> str:
    """The message without echoing a long refused value in full."""
    params = {
        key: f"{value[:40]}…" if isinstance(value, str) and len(value) > 40 else value
        for key, value in (error.params or {}).items()
    }
    return str(error.message % params if params else error.message)


@router.post(
    "/assessments/{assessment_id}/submit",
    response={200: AssessmentOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    auth=token_or_session,
)
def submit(request: AuthenticatedHttpRequest, assessment_id: int) -> Status[dict[str, Any]]:
    """Submit, if everything required is answered (as on the review page)."""
    submitted = assessment_submit(assessment=_assessment(request, assessment_id), user=request.user)
    return Status(200, _assessment_out(submitted))
