"""Writes for assessments: saving answers without losing any, submitting, reviewing.

Each step checks every rule itself (who acts, the state of the answers, the state of the round)
and raises ``AssessmentError`` or ``NotAllowed``; the pages and the API only show the reason.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history

from integratingcities.accounts.models import User
from integratingcities.audit.models import Action
from integratingcities.audit.services import log_action
from integratingcities.frameworks.models import Item, ItemKind, Level
from integratingcities.lib.errors import DomainError
from integratingcities.notifications.models import Kind
from integratingcities.notifications.services import announce
from integratingcities.permissions import Perm, has_perm, require

from . import selectors
from .models import Answer, Assessment, AssessmentState, Comment


class AssessmentError(DomainError):
    """A workflow step that is not possible now; the message is shown to the user."""


def _check_answerable(assessment: Assessment) -> None:
    """The city may change its answers: a survey's round is open, the answers not submitted."""
    round_ = assessment.round
    if round_ is not None and not round_.is_open:
        raise AssessmentError(_("The round is closed: its answers can no longer be changed."))
    if not assessment.is_editable:
        raise AssessmentError(_("These answers are submitted and can no longer be changed."))


def _check_reviewable(assessment: Assessment) -> None:
    """Published results never change behind the reader's back: a decision on a survey of a
    published round needs the secretariat's correction of the round first."""
    round_ = assessment.round
    if round_ is not None and round_.is_published:
        raise AssessmentError(
            _(
                "The round's results are published: the secretariat must open a correction "
                "of the round before its answers are reviewed again."
            )
        )


def _offers(
    user: User | AnonymousUser,
    perm: Perm,
    assessment: Assessment,
    check: Callable[[Assessment], None],
) -> bool:
    """Whether a page should offer a step: the actor and the rule, as the service checks them."""
    try:
        require(user, perm, assessment)
        check(assessment)
    except DomainError:
        return False
    return True


def may_answer(user: User | AnonymousUser, assessment: Assessment) -> bool:
    """Whether the page should offer the editing form (the services decide the same way)."""
    return _offers(user, Perm.ANSWER_ASSESSMENT, assessment, _check_answerable)


def _locked(assessment: Assessment) -> Assessment:
    # The round is read with it (a left join, as self-tests have none): lock only this row, as
    # PostgreSQL locks no row on the nullable side of an outer join.
    return (
        Assessment.objects.select_related("round")
        .select_for_update(of=("self",))
        .get(pk=assessment.pk)
    )


@dataclass(frozen=True)
class AnswerInput:
    level: Level | None = None
    choices: tuple[str, ...] = ()
    number: Decimal | None = None
    text: str = ""
    evidence: str = ""
    links: tuple[str, ...] = ()
    # The editor confirms a carried-over answer as it is ("I have checked this answer"): saved
    # unchanged, it loses its mark. Not part of the answer's content (``same_as``).
    confirmed: bool = False

    @classmethod
    def of(cls, answer: Answer | None) -> "AnswerInput":
        if answer is None:
            return cls()
        return cls(
            level=answer.level,
            choices=tuple(answer.choices),
            number=answer.number,
            text=answer.text,
            evidence=answer.evidence,
            links=tuple(answer.links),
        )

    def same_as(self, other: "AnswerInput") -> bool:
        mine = (getattr(self.level, "pk", None), self.choices, self.number, self.text,
                self.evidence, self.links)  # fmt: skip
        theirs = (getattr(other.level, "pk", None), other.choices, other.number, other.text,
                  other.evidence, other.links)  # fmt: skip
        return mine == theirs


@dataclass(frozen=True)
class Conflict:
    """Someone else saved this answer after the form was opened: both versions are kept."""

    item: Item
    theirs: Answer
    yours: AnswerInput


@dataclass
class SaveResult:
    saved: list[Answer] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    # Per item, the version the page may now hold: only where its content is the saved one.
    versions: dict[int, int] = field(default_factory=dict)


def answers_save(
    *,
    assessment: Assessment,
    user: User,
    inputs: Mapping[Item, AnswerInput],
    base_versions: Mapping[int, int],
) -> SaveResult:
    """Save what changed; an answer changed by someone else meanwhile is not overwritten.

    Nothing is required on save: requirements are checked on submit.
    """
    require(user, Perm.ANSWER_ASSESSMENT, assessment)
    result = SaveResult()
    answered_change = 0
    with transaction.atomic():
        locked = _locked(assessment)
        _check_answerable(locked)
        existing = {
            answer.item_id: answer
            for answer in Answer.objects.select_related("level", "updated_by")
            .filter(assessment=locked, item__in=list(inputs))
            .order_by()
        }
        for item, given in inputs.items():
            current = existing.get(item.pk)
            current_version = current.version if current else 0
            if given.same_as(AnswerInput.of(current)):
                if current is not None and current.is_carried_over and given.confirmed:
                    # Confirmed as it is: the mark goes; the content, and so its version, stay.
                    current.is_carried_over = False
                    current.updated_by = user
                    current._history_user = user  # type: ignore[attr-defined]
                    current.save()
                    result.saved.append(current)
                result.versions[item.pk] = current_version
                continue
            base = base_versions.get(item.pk, 0)
            if current is not None and current_version != base:
                # Forms send every question of a section: one this person did not touch is
                # left as the other editor saved it. Its version is not reported, so the page
                # does not take the newer version for the older text it still shows.
                if not _changed_since(current, base, given):
                    continue
                result.conflicts.append(Conflict(item=item, theirs=current, yours=given))
                continue
            was_answered = current is not None and current.is_answered
            answer = current or Answer(assessment=locked, item=item)
            answer.level = given.level if item.kind == ItemKind.RATING else None
            answer.choices = list(given.choices)
            answer.number = given.number
            answer.text = given.text
            answer.evidence = given.evidence
            answer.links = list(given.links)
            answer.is_answered = answer.has_content()
            answer.is_carried_over = False  # changed by an editor: no longer to be confirmed
            answer.version = current_version + 1
            answer.updated_by = user
            answer._history_user = user  # type: ignore[attr-defined]
            answer.save()
            answered_change += int(answer.is_answered) - int(was_answered)
            result.saved.append(answer)
            result.versions[item.pk] = answer.version
        if result.saved:
            fields = ["last_activity_at", "state"]
            if answered_change:
                # Added in the UPDATE itself, under the assessment's lock: two saves one after
                # the other each add their own change to what the other left.
                locked.answered_count = F("answered_count") + answered_change  # type: ignore[assignment]
                fields.append("answered_count")
            locked.last_activity_at = timezone.now()
            if locked.state == AssessmentState.INVITED:
                locked.state = AssessmentState.IN_PROGRESS
                log_action(
                    actor=user,
                    action=Action.ASSESSMENT_STARTED,
                    target=locked,
                    city=locked.city,
                    from_state=AssessmentState.INVITED,
                    to_state=AssessmentState.IN_PROGRESS,
                )
            locked.save(update_fields=fields)
    return result


def _changed_since(answer: Answer, base_version: int, given: AnswerInput) -> bool:
    """Whether ``given`` differs from what the answer held at ``base_version``."""
    if base_version <= 0:
        return not given.same_as(AnswerInput())
    then = (
        Answer.history.filter(id=answer.pk, version=base_version)
        .select_related("level")
        .order_by("-history_date")
        .first()
    )
    return then is None or not given.same_as(AnswerInput.of(then))  # type: ignore[arg-type]


def _check_carry_over(assessment: Assessment) -> None:
    """Earlier answers may be copied only into answers the city may change and that are empty."""
    _check_answerable(assessment)
    if Answer.objects.filter(assessment=assessment).exists():
        raise AssessmentError(
            _(
                "These answers are already started: earlier answers can only be copied into "
                "answers that are still empty."
            )
        )


def may_carry_over(user: User | AnonymousUser, assessment: Assessment) -> bool:
    """Whether the overview should offer to start from the city's earlier answers (whether
    there are any is the selector's question)."""
    return _offers(user, Perm.ANSWER_ASSESSMENT, assessment, _check_carry_over)


def assessment_carry_over(*, assessment: Assessment, user: User) -> int:
    """Start from the city's previous answers ("Start from last time"); returns how many.

    The previous assessment is ``selectors.previous_assessment``'s: the same city's, never
    another's. Each answer is copied to the question of this version that has its key (see
    ``selectors.matching_answers``), with the level of the same key in the question's scale, the
    choices that are still options, a number still within the question's bounds, the text,
    evidence and links its kind keeps; a question that no longer exists is left out. Every copy
    is marked as carried over until an editor confirms or changes it. Refused when the answers
    are started already, may not change, or there is nothing to copy.
    """
    require(user, Perm.ANSWER_ASSESSMENT, assessment)
    with transaction.atomic():
        locked = _locked(assessment)
        _check_carry_over(locked)
        source = selectors.previous_assessment(locked)
        if source is None:
            raise AssessmentError(_("The city has no earlier answers to start from."))
        items = list(
            Item.objects.filter(section__framework_id=locked.framework_id).select_related("section")
        )
        levels = {
            (level.scale_id, level.key): level
            for level in Level.objects.filter(scale__framework_id=locked.framework_id)
        }
        by_pk = {item.pk: item for item in items}
        answers = []
        for item_pk, earlier in selectors.matching_answers(source, items).items():
            copy = _copied(by_pk[item_pk], earlier, levels)
            if copy is not None:
                answers.append(copy)
        if not answers:
            raise AssessmentError(
                _("None of the earlier answers fits a question of this version: start afresh.")
            )
        for answer in answers:
            answer.assessment = locked
            answer.updated_by = user
        # A history row each, as every save makes: a colleague's save then compares with it.
        bulk_create_with_history(answers, Answer, default_user=user)
        before = locked.state
        locked.carried_over_from = source
        locked.last_activity_at = timezone.now()
        # The answers were empty (``_check_carry_over``): the copies are all there is.
        locked.answered_count = sum(answer.is_answered for answer in answers)
        if locked.state == AssessmentState.INVITED:
            locked.state = AssessmentState.IN_PROGRESS
        locked.save(
            update_fields=["carried_over_from", "last_activity_at", "answered_count", "state"]
        )
        log_action(
            actor=user,
            action=Action.ASSESSMENT_CARRIED_OVER,
            target=locked,
            city=locked.city,
            from_state=before if before != locked.state else "",
            to_state=locked.state if before != locked.state else "",
            data={
                "count": len(answers),
                "source": source.pk,
                "source_title": source.round.title if source.round is not None else "",
                "source_date": timezone.localtime(source.created_at).date().isoformat(),
            },
        )
    return len(answers)


def carried_over_message(count: int, source: str) -> str:
    """What the page says after copying ``count`` answers from ``source`` (its name)."""
    return ngettext(
        "%(count)d answer was carried over from %(source)s; please confirm it.",
        "%(count)d answers were carried over from %(source)s; please confirm each one.",
        count,
    ) % {"count": count, "source": source}


def _copied(item: Item, earlier: Answer, levels: Mapping[tuple[int, str], Level]) -> Answer | None:
    """A new answer to ``item`` holding what of ``earlier`` still fits it, or None if nothing
    does."""
    answer = Answer(item=item, version=1, is_carried_over=True)
    if item.kind == ItemKind.RATING:
        if earlier.level is not None and item.scale_id is not None:
            answer.level = levels.get((item.scale_id, earlier.level.key))
        answer.evidence = earlier.evidence
        answer.links = list(earlier.links)
    elif item.kind in (ItemKind.SINGLE_CHOICE, ItemKind.MULTIPLE_CHOICE):
        options = {
            str(option.get("key")) for option in item.options or [] if isinstance(option, dict)
        }
        kept = [choice for choice in earlier.choices if str(choice) in options]
        answer.choices = kept[:1] if item.kind == ItemKind.SINGLE_CHOICE else sorted(set(kept))
    elif item.kind == ItemKind.NUMBER:
        number = earlier.number
        if number is not None and (
            (item.number_min is not None and number < item.number_min)
            or (item.number_max is not None and number > item.number_max)
        ):
            number = None
        answer.number = number
    else:
        answer.text = earlier.text
    answer.is_answered = answer.has_content()
    if not (answer.is_answered or answer.evidence.strip() or answer.links):
        return None
    return answer


@dataclass(frozen=True)
class Missing:
    item: Item
    reason: str


def assessment_missing(assessment: Assessment) -> list[Missing]:
    """What stops a submission: unanswered required items, evidence missing where required."""
    answers = {
        answer.item_id: answer
        for answer in Answer.objects.select_related("level").filter(assessment=assessment)
    }
    missing = []
    items = Item.objects.filter(section__framework_id=assessment.framework_id).select_related(
        "section"
    )
    for item in items.order_by("section__position", "position"):
        answer = answers.get(item.pk)
        if answer is None or not answer.is_answered:
            if item.required:
                missing.append(Missing(item, _("not answered yet")))
            continue
        if answer.level and answer.level.requires_evidence and not answer.evidence.strip():
            missing.append(
                Missing(item, _("evidence is required for “%(level)s”") % {"level": answer.level})
            )
    return missing


def _transition(
    assessment: Assessment,
    *,
    user: User,
    action: str,
    allowed: set[str],
    to: str,
    error: str,
    check: Callable[[Assessment], None] | None = None,
    reason: str = "",
    data: Mapping[str, Any] | Callable[[], Mapping[str, Any] | None] | None = None,
    **stamps: object,
) -> Assessment:
    """Move the answers to state ``to``, under a lock, and record who did it from which state.

    ``check`` runs on the locked row; ``data`` may be computed after it."""
    with transaction.atomic():
        locked = _locked(assessment)
        if check is not None:
            check(locked)
        if locked.state not in allowed:
            raise AssessmentError(error)
        before = locked.state
        locked.state = to
        locked.last_activity_at = timezone.now()
        for name, value in stamps.items():
            setattr(locked, name, value)
        locked.save()
        log_action(
            actor=user,
            action=action,
            target=locked,
            city=locked.city,
            from_state=before,
            to_state=to,
            reason=reason,
            data=data() if callable(data) else data,
        )
    return locked


def assessment_submit(*, assessment: Assessment, user: User) -> Assessment:
    require(user, Perm.ANSWER_ASSESSMENT, assessment)
    _check_answerable(assessment)
    missing = assessment_missing(assessment)
    if missing:
        raise AssessmentError(
            _("%(count)d answers still need attention before you can submit.")
            % {"count": len(missing)}
        )
    submitted = _transition(
        assessment,
        user=user,
        action=Action.ASSESSMENT_SUBMITTED,
        check=_check_answerable,
        allowed={AssessmentState.IN_PROGRESS, AssessmentState.CHANGES_REQUESTED},
        to=AssessmentState.SUBMITTED,
        error=_("Only answers in progress can be submitted."),
        submitted_at=timezone.now(),
    )
    announce(Kind.SUBMITTED, target_id=submitted.pk, actor=user)
    return submitted


def comment_add(*, assessment: Assessment, item: Item, author: User, text: str) -> Comment:
    require(author, Perm.REVIEW_ASSESSMENT, assessment)
    _check_reviewable(assessment)
    if item.section.framework_id != assessment.framework_id:
        raise AssessmentError(_("This question is not part of this survey."))
    comment = Comment(assessment=assessment, item=item, author=author, text=text.strip())
    comment.full_clean()
    comment.save()
    return comment


def may_comment(user: User | AnonymousUser, assessment: Assessment) -> bool:
    """Whether the section pages should offer a comment box beside each answer: a reviewer's
    remarks are asked for on submitted answers."""
    return may_validate(user, assessment)


# States in which the city answers a reviewer's comment: while it may still change its answers.
REPLY_STATES = {AssessmentState.IN_PROGRESS, AssessmentState.CHANGES_REQUESTED}


def _check_repliable(assessment: Assessment, item: Item) -> None:
    if assessment.state not in REPLY_STATES:
        raise AssessmentError(
            _(
                "Comments can be answered only while the survey is in progress or changes "
                "are requested."
            )
        )
    if item.section.framework_id != assessment.framework_id:
        raise AssessmentError(_("This question is not part of this survey."))


def may_reply(user: User | AnonymousUser, assessment: Assessment) -> bool:
    """Whether the section pages should offer the city's editors to answer comments."""
    return (
        assessment.state in REPLY_STATES
        and not isinstance(user, AnonymousUser)
        and has_perm(user, Perm.ANSWER_ASSESSMENT, assessment)
    )


def comment_reply(*, assessment: Assessment, item: Item, author: User, text: str) -> Comment:
    """The city's editor answers the comments on one answer, beside them."""
    require(author, Perm.ANSWER_ASSESSMENT, assessment)
    _check_repliable(assessment, item)
    if not Comment.objects.filter(assessment=assessment, item=item).exists():
        raise AssessmentError(_("There is no comment on this question to answer."))
    reply = Comment(assessment=assessment, item=item, author=author, text=text.strip())
    reply.full_clean()
    reply.save()
    return reply


def _check_changes_possible(assessment: Assessment) -> None:
    _check_reviewable(assessment)
    round_ = assessment.round
    if round_ is not None and not round_.is_open:
        raise AssessmentError(
            _("The round is closed: the city can no longer change its answers. Validate them.")
        )


def may_request_changes(user: User | AnonymousUser, assessment: Assessment) -> bool:
    def check(locked: Assessment) -> None:
        _check_changes_possible(locked)
        if locked.state != AssessmentState.SUBMITTED:
            raise AssessmentError(_("Changes can only be requested on submitted answers."))

    return _offers(user, Perm.REVIEW_ASSESSMENT, assessment, check)


def assessment_request_changes(*, assessment: Assessment, user: User) -> Assessment:
    require(user, Perm.REVIEW_ASSESSMENT, assessment)
    comments = assessment.comments.count()
    if not comments:
        raise AssessmentError(_("Write at least one comment saying what should change."))
    returned = _transition(
        assessment,
        user=user,
        action=Action.ASSESSMENT_CHANGES_REQUESTED,
        check=_check_changes_possible,
        allowed={AssessmentState.SUBMITTED},
        to=AssessmentState.CHANGES_REQUESTED,
        error=_("Changes can only be requested on submitted answers."),
        data={"comments": comments},
    )
    announce(Kind.CHANGES_REQUESTED, target_id=returned.pk, actor=user)
    return returned


def assessment_validate(*, assessment: Assessment, user: User, reason: str = "") -> Assessment:
    """Validate submitted answers. Answers that lack something required (a survey whose state
    was set by hand, a framework that changed) are validated only with a stated reason, kept in
    the history."""
    require(user, Perm.REVIEW_ASSESSMENT, assessment)
    reason = reason.strip()
    missing = 0

    def check(locked: Assessment) -> None:
        nonlocal missing
        _check_reviewable(locked)
        if locked.state != AssessmentState.SUBMITTED:
            raise AssessmentError(_("Only submitted answers can be validated."))
        missing = len(assessment_missing(locked))
        if missing and not reason:
            raise AssessmentError(
                _(
                    "%(count)d required answers are missing: say why you validate these "
                    "answers anyway, or ask the city for changes."
                )
                % {"count": missing}
            )

    with transaction.atomic():
        validated = _transition(
            assessment,
            user=user,
            action=Action.ASSESSMENT_VALIDATED,
            check=check,
            allowed={AssessmentState.SUBMITTED},
            to=AssessmentState.VALIDATED,
            error=_("Only submitted answers can be validated."),
            reason=reason,
            data=lambda: {"missing": missing} if missing else None,
            validated_at=timezone.now(),
        )
        scores_record(assessments=[validated])
        announce(Kind.VALIDATED, target_id=validated.pk, actor=user)
        _refresh_peer_statistics(validated)
        _warm_report_preview(validated)
    return validated


def _refresh_peer_statistics(validated: Assessment) -> None:
    """The peers' statistics change with a validation: computed once by the background worker
    after the commit (at 20,000 cities that takes seconds, which the person validating should
    not wait for), rather than by the first visitor of a results page (``results.refresh``).
    Should the worker not have run yet, that visitor computes them, as before."""
    from integratingcities.results.tasks import refresh_peer_statistics

    transaction.on_commit(lambda: refresh_peer_statistics.enqueue(validated.pk), robust=True)


def _warm_report_preview(changed: Assessment) -> None:
    """A round's validated answers changed: the worker ranks the report preview's lists again
    after the commit (``reports.display.warm_preview``), as it computes the peers' statistics."""
    if changed.round_id is None:
        return
    from integratingcities.reports.tasks import warm_report_preview

    round_id = changed.round_id
    transaction.on_commit(lambda: warm_report_preview.enqueue(round_id), robust=True)


def may_validate(user: User | AnonymousUser, assessment: Assessment) -> bool:
    """Whether the page should offer to validate (with a reason if answers are missing)."""
    return assessment.state == AssessmentState.SUBMITTED and _offers(
        user, Perm.REVIEW_ASSESSMENT, assessment, _check_reviewable
    )


def may_reopen(user: User | AnonymousUser, assessment: Assessment) -> bool:
    """Whether the page should offer to take the validation back."""
    return assessment.state == AssessmentState.VALIDATED and _offers(
        user, Perm.CORRECT_ASSESSMENT, assessment, _check_reviewable
    )


def assessment_reopen(*, assessment: Assessment, user: User, reason: str) -> Assessment:
    """The secretariat takes a validation back (validated in error), with the reason on
    record. In a published round it needs the round's correction first, so that published
    results never change behind the reader's back."""
    require(user, Perm.CORRECT_ASSESSMENT, assessment)
    reason = reason.strip()
    if not reason:
        raise AssessmentError(_("Say why the validation is taken back."))
    reopened = _transition(
        assessment,
        user=user,
        action=Action.ASSESSMENT_CORRECTED,
        check=_check_reviewable,
        allowed={AssessmentState.VALIDATED},
        to=AssessmentState.SUBMITTED,
        error=_("Only validated answers can be taken back."),
        reason=reason,
        validated_at=None,
        scores=None,
    )
    _warm_report_preview(reopened)
    return reopened


def scores_record(*, assessments: Sequence[Assessment]) -> None:
    """Record the scores of validated assessments, whose answers no longer change.

    Comparisons across a network then read one row per city instead of every answer. What is
    recorded, and how, is the results module's (``results.scores.records``).
    """
    from integratingcities.results.scores import records

    found = records(assessments)
    for assessment in assessments:
        assessment.scores = found[assessment.pk]
    Assessment.objects.bulk_update(assessments, ["scores"], batch_size=500)
