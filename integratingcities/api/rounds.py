"""Rounds, published results and a city's own answers in the API, under the form's rules."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from integratingcities.accounts.permissions import can_edit_city_answers, can_view_city_private
from integratingcities.assessments.forms import MAX_TEXT, clean_links
from integratingcities.assessments.models import Answer, Assessment
from integratingcities.assessments.selectors import assessments_for
from integratingcities.assessments.services import (
    AnswerInput,
    AssessmentError,
    answers_save,
    assessment_submit,
)
from integratingcities.frameworks.models import Item, ItemKind, Level
from integratingcities.rounds import selectors as round_selectors
from integratingcities.rounds.models import Round

from .auth import token_or_session

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


class AnswerOut(Schema):
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


class AssessmentOut(Schema):
    id: int
    city: str
    round: int | None
    framework: str
    framework_version: int
    state: str
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
def round_results(request: HttpRequest, round_id: int) -> tuple[int, dict[str, Any]]:
    """Per commitment, how many responding cities gave each level (validated answers only)."""
    round_ = round_selectors.visible_rounds(request.user).filter(pk=round_id).first()
    if round_ is None or not round_.is_published:
        return 404, {"detail": "No published round with this id."}
    results = round_selectors.round_results(round_, round_selectors.ResultFilters())
    return 200, {
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
    }


def _assessment(request: HttpRequest, assessment_id: int) -> Assessment:
    if not (-(2**63) < assessment_id < 2**63):
        raise HttpError(404, "No assessment with this id for you.")
    assessment = (
        Assessment.objects.select_related("city", "framework", "round")
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is None or not can_view_city_private(request.user, assessment.city_id):
        raise HttpError(404, "No assessment with this id for you.")
    return assessment


def _assessment_out(assessment: Assessment) -> dict[str, Any]:
    answers = Answer.objects.filter(assessment=assessment).select_related(
        "item", "item__section", "level"
    )
    return {
        "id": assessment.pk,
        "city": assessment.city.slug,
        "round": assessment.round_id,
        "framework": assessment.framework.lineage,
        "framework_version": assessment.framework.version,
        "state": assessment.state,
        "answers": [
            {
                "item": a.item.key,
                "section": a.item.section.key,
                "kind": a.item.kind,
                "level": a.level.key if a.level else None,
                "choices": a.choices,
                "number": a.number,
                "text": a.text,
                "evidence": a.evidence,
                "links": a.links,
                "version": a.version,
                "updated_at": a.updated_at,
            }
            for a in answers
        ],
    }


@router.get("/assessments/", response=list[AssessmentOut], auth=token_or_session)
def list_assessments(request: HttpRequest) -> list[dict[str, Any]]:
    """The assessments of your cities, with their answers."""
    return [_assessment_out(a) for a in assessments_for(request.user)[:100]]


@router.get(
    "/assessments/{assessment_id}",
    response={200: AssessmentOut, 404: ErrorOut},
    auth=token_or_session,
)
def get_assessment(request: HttpRequest, assessment_id: int) -> dict[str, Any]:
    return _assessment_out(_assessment(request, assessment_id))


@router.put(
    "/assessments/{assessment_id}/answers",
    response={200: SaveOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: SaveOut},
    auth=token_or_session,
)
def save_answers(
    request: HttpRequest, assessment_id: int, payload: list[AnswerIn]
) -> tuple[int, dict[str, Any]]:
    """Save answers as a draft. Each answer names the version it was based on (0 for new);
    an answer changed by someone else meanwhile is not overwritten and is listed in conflicts."""
    assessment = _assessment(request, assessment_id)
    if not can_edit_city_answers(request.user, assessment.city_id):
        return 403, {"detail": "Only the city's editors may change its answers."}
    if assessment.round is not None and not assessment.round.is_open:
        return 403, {"detail": "The round is closed."}
    if len(payload) > 500:
        return 400, {"detail": "Send at most 500 answers at once."}
    all_items = list(
        Item.objects.filter(section__framework_id=assessment.framework_id).select_related("section")
    )
    by_place = {(item.section.key, item.key): item for item in all_items}
    by_key: dict[str, list[Item]] = {}
    for item in all_items:
        by_key.setdefault(item.key, []).append(item)

    def label(item: Item) -> str:
        """An item's name in replies: its key, with its section where the key is shared."""
        return item.key if len(by_key[item.key]) == 1 else f"{item.section.key}/{item.key}"

    levels = {
        (level.scale_id, level.key): level
        for level in Level.objects.filter(scale__framework_id=assessment.framework_id)
    }
    inputs: dict[Item, AnswerInput] = {}
    versions: dict[int, int] = {}
    for index, given in enumerate(payload):
        if given.section is not None:
            item = by_place.get((given.section, given.item))
        else:
            candidates = by_key.get(given.item, [])
            if len(candidates) > 1:
                return 400, {
                    "detail": f"[{index}].item: {given.item[:60]!r} is in several sections; "
                    "give its section too."
                }
            item = candidates[0] if candidates else None
        if item is None:
            return 400, {"detail": f"[{index}].item: no question {given.item[:60]!r} here."}
        try:
            inputs[item] = _validated(item, given, levels)
        except ValueError as error:
            return 400, {"detail": f"[{index}].{error}"}
        versions[item.pk] = max(given.version, 0)
    try:
        result = answers_save(
            assessment=assessment, user=request.user, inputs=inputs, base_versions=versions
        )
    except AssessmentError as error:
        return 403, {"detail": str(error)}
    by_pk = {item.pk: item for item in all_items}
    body = {
        "saved": [label(by_pk[a.item_id]) for a in result.saved],
        "conflicts": [label(c.item) for c in result.conflicts],
        "versions": {label(by_pk[pk]): v for pk, v in result.versions.items()},
    }
    return (409 if result.conflicts else 200), body


def _check_characters(name: str, values: list[str]) -> None:
    """Text a form cannot send but JSON can: a NUL (which PostgreSQL refuses) or half of a
    surrogate pair, "\\ud800" (which has no UTF-8 encoding for any database)."""
    for value in values:
        if "\x00" in value:
            raise ValueError(f"{name}: contains a NUL character")
        if not value.isascii():
            try:
                value.encode()
            except UnicodeEncodeError:
                raise ValueError(f"{name}: contains an unpaired surrogate") from None


def _validated(
    item: Item, given: AnswerIn, levels: dict[tuple[int | None, str], Level]
) -> AnswerInput:
    """The same checks as the form, with the field named in the error."""
    for name in ("text", "evidence"):
        value = getattr(given, name)
        if len(value) > MAX_TEXT:
            raise ValueError(f"{name}: longer than {MAX_TEXT} characters")
        _check_characters(name, [value])
    _check_characters("links", given.links)
    if item.kind == ItemKind.RATING:
        level = None
        if given.level is not None:
            level = levels.get((item.scale_id, given.level))
            if level is None:
                raise ValueError(f"level: {given.level[:40]!r} is not an answer of this scale")
        try:
            links = clean_links("\n".join(link.replace("\n", " ") for link in given.links))
        except ValidationError as error:
            raise ValueError(f"links: {error.messages[0]}") from error
        return AnswerInput(level=level, evidence=given.evidence.strip(), links=links)
    if item.kind in (ItemKind.SINGLE_CHOICE, ItemKind.MULTIPLE_CHOICE):
        known = {option["key"] for option in item.options}
        unknown = [c for c in given.choices if c not in known]
        if unknown:
            raise ValueError(f"choices: {unknown[0][:40]!r} is not an option")
        if item.kind == ItemKind.SINGLE_CHOICE and len(given.choices) > 1:
            raise ValueError("choices: give one option only")
        return AnswerInput(choices=tuple(sorted(set(given.choices))))
    if item.kind == ItemKind.NUMBER:
        number = given.number
        if number is not None:
            if not number.is_finite() or abs(number) >= Decimal("1e12"):
                raise ValueError("number: out of range")
            if item.number_min is not None and number < item.number_min:
                raise ValueError(f"number: below the minimum {item.number_min}")
            if item.number_max is not None and number > item.number_max:
                raise ValueError(f"number: above the maximum {item.number_max}")
            number = number.quantize(Decimal("0.01"))
            if abs(number) >= Decimal("1e12"):  # 999999999999.995 rounds to 13 digits
                raise ValueError("number: out of range")
        return AnswerInput(number=number)
    return AnswerInput(text=given.text.strip())


@router.post(
    "/assessments/{assessment_id}/submit",
    response={200: AssessmentOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    auth=token_or_session,
)
def submit(request: HttpRequest, assessment_id: int) -> tuple[int, dict[str, Any]]:
    """Submit, if everything required is answered (as on the review page)."""
    assessment = _assessment(request, assessment_id)
    if not can_edit_city_answers(request.user, assessment.city_id):
        return 403, {"detail": "Only the city's editors may submit its answers."}
    try:
        submitted = assessment_submit(assessment=assessment, user=request.user)
    except AssessmentError as error:
        return 409, {"detail": str(error)}
    return 200, _assessment_out(submitted)
