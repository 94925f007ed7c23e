"""Telling people what happened: one call per event, from the service that made it happen.

``announce`` is called inside the transaction of the change; once it commits, a background task
(``tasks.deliver``) works out who should hear of it, writes each person a notification in their
own language and e-mails it. Every letter is about one city and goes only to people of that
city (or to the secretariat): a letter never carries another city's data.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation

from integratingcities.accounts.models import Membership, Role, User
from integratingcities.assessments.models import EDITABLE_STATES, Assessment, AssessmentState
from integratingcities.assessments.selectors import previous_assessment, review_comments
from integratingcities.audit.models import Action, AuditEntry
from integratingcities.lib.mail import render_subject, render_text
from integratingcities.practices.models import Practice
from integratingcities.rounds.models import Round

from .models import Kind, Notification, OptOut


@dataclass
class Letter:
    """What one person is told about one event."""

    recipient: User
    url: str
    context: dict[str, Any] = field(default_factory=dict)


def announce(
    kind: Kind, *, target_id: int, actor: User | None = None, city_ids: Iterable[int] = ()
) -> None:
    """Deliver the notifications of an event once the current transaction commits."""
    from .tasks import deliver

    args = (str(kind), target_id, actor.pk if actor else None, sorted(set(city_ids)))
    transaction.on_commit(lambda: deliver.enqueue(*args))


def deliver_now(kind: str, target_id: int, actor_id: int | None, city_ids: list[int]) -> int:
    """Write and e-mail the notifications of one event; returns how many were sent.

    The actor is not told of their own step, and nobody is told of a kind they turned off."""
    letters = _LETTERS[Kind(kind)](target_id, city_ids)
    muted = set(OptOut.objects.filter(kind=kind).values_list("user_id", flat=True))
    letters = [
        letter
        for letter in letters
        if letter.recipient.pk != actor_id and letter.recipient.pk not in muted
    ]
    if not letters:
        return 0
    settings_link = settings.SITE_URL + reverse("notifications:settings")
    notifications = []
    messages = []
    for letter in letters:
        context = {
            **letter.context,
            "user": letter.recipient,
            "link": settings.SITE_URL + letter.url,
            "settings_link": settings_link,
        }
        with translation.override(letter.recipient.language or settings.LANGUAGE_CODE):
            subject = render_subject(f"notifications/email/{kind}_subject.txt", context)
            body = render_text(f"notifications/email/{kind}.txt", context)
        notifications.append(
            Notification(
                recipient=letter.recipient, kind=kind, subject=subject, body=body, url=letter.url
            )
        )
        messages.append(EmailMessage(subject, body, to=[letter.recipient.email]))
    Notification.objects.bulk_create(notifications)
    get_connection().send_messages(messages)
    Notification.objects.filter(pk__in=[n.pk for n in notifications if n.pk]).update(
        emailed_at=timezone.now()
    )
    return len(messages)


# ---------------------------------------------------------------------------------------
# Who hears of what


def _members(city_ids: Iterable[int], roles: Iterable[str]) -> list[Membership]:
    return list(
        Membership.objects.filter(city_id__in=list(city_ids), role__in=list(roles))
        .filter(user__is_active=True)
        .select_related("user", "city")
        .order_by("city__name", "user__email")
    )


def _secretariat() -> list[User]:
    return list(User.objects.filter(is_active=True, is_staff=True).order_by("email"))


def _invited(round_id: int, city_ids: list[int], roles: Iterable[str]) -> list[Letter]:
    """One letter per member of each city, about that city's own survey in the round."""
    assessments = {
        a.city_id: a
        for a in Assessment.objects.filter(round_id=round_id, city_id__in=city_ids).select_related(
            "round", "city"
        )
    }
    return [
        Letter(
            membership.user,
            assessments[membership.city_id].get_absolute_url(),
            {
                "assessment": assessments[membership.city_id],
                "round": assessments[membership.city_id].round,
                "city": membership.city,
            },
        )
        for membership in _members(assessments, roles)
    ]


def _survey_opened(round_id: int, city_ids: list[int]) -> list[Letter]:
    letters = _invited(round_id, city_ids, [Role.EDITOR, Role.VIEWER])
    # Only a city that answered before is told it can start from last time.
    earlier = {
        assessment.pk: previous_assessment(assessment) is not None
        for assessment in {letter.context["assessment"] for letter in letters}
    }
    for letter in letters:
        letter.context["has_last_time"] = earlier[letter.context["assessment"].pk]
    return letters


def _reminder(round_id: int, city_ids: list[int]) -> list[Letter]:
    # Checked again when the letter is written: a city may have submitted in between.
    waiting = Assessment.objects.filter(
        round_id=round_id, city_id__in=city_ids, state__in=EDITABLE_STATES
    ).values_list("city_id", flat=True)
    return _invited(round_id, list(waiting), [Role.EDITOR])


def _assessment(assessment_id: int) -> Assessment:
    return Assessment.objects.select_related("city", "round", "framework").get(pk=assessment_id)


def _about(assessment: Assessment) -> dict[str, Any]:
    """What the letter is about: the round's title, or the benchmark of a self-test."""
    title = assessment.round.title if assessment.round else str(assessment.framework)
    return {"assessment": assessment, "city": assessment.city, "title": title}


def _submitted(assessment_id: int, city_ids: list[int]) -> list[Letter]:
    assessment = _assessment(assessment_id)
    people = {m.user.pk: m.user for m in _members([assessment.city_id], [Role.REVIEWER])}
    people.update({user.pk: user for user in _secretariat()})
    url = reverse("assessments:review", kwargs={"pk": assessment.pk})
    # After changes were asked for, the letter says it is the answers' second (third...) time.
    again = (
        AuditEntry.objects.filter(
            action=Action.ASSESSMENT_SUBMITTED,
            target_type=ContentType.objects.get_for_model(Assessment),
            target_id=assessment.pk,
        ).count()
        > 1
    )
    context = {**_about(assessment), "again": again}
    return [Letter(user, url, context) for user in people.values()]


def _changes_requested(assessment_id: int, city_ids: list[int]) -> list[Letter]:
    assessment = _assessment(assessment_id)
    context = {**_about(assessment), "comments": list(review_comments(assessment))}
    url = assessment.get_absolute_url()
    return [Letter(m.user, url, context) for m in _members([assessment.city_id], [Role.EDITOR])]


def _validated(assessment_id: int, city_ids: list[int]) -> list[Letter]:
    assessment = _assessment(assessment_id)
    url = assessment.get_absolute_url()
    return [
        Letter(m.user, url, _about(assessment))
        for m in _members([assessment.city_id], [Role.EDITOR, Role.VIEWER])
    ]


def _round_published(round_id: int, city_ids: list[int]) -> list[Letter]:
    round_ = Round.objects.get(pk=round_id)
    counted = dict(Assessment.objects.filter(round=round_).values_list("city_id", "state"))
    url = reverse("rounds:results", kwargs={"pk": round_.pk})
    return [
        Letter(
            m.user,
            url,
            {
                "round": round_,
                "city": m.city,
                "counted": counted[m.city_id] == AssessmentState.VALIDATED,
            },
        )
        for m in _members(counted, Role.values)
    ]


def _practice_decided(practice_id: int, city_ids: list[int]) -> list[Letter]:
    practice = Practice.objects.select_related("city", "created_by").get(pk=practice_id)
    people = {m.user.pk: m.user for m in _members([practice.city_id], [Role.EDITOR])}
    author = practice.created_by
    # Whoever proposed it hears of the decision, if they still belong to the city.
    if (
        author is not None
        and author.is_active
        and author.pk not in people
        and Membership.objects.filter(user=author, city_id=practice.city_id).exists()
    ):
        people[author.pk] = author
    context = {"practice": practice, "city": practice.city}
    return [Letter(user, practice.get_absolute_url(), context) for user in people.values()]


def _action_due(reminder_id: int, city_ids: list[int]) -> list[Letter]:
    """A roadmap action due soon or overdue: its implementing city's editors."""
    from integratingcities.mentoring.selectors import reminder_letter

    found = reminder_letter(reminder_id)
    if found is None:
        return []  # the action was deleted or finished in between
    url, context = found
    city = context["city"]
    return [Letter(m.user, url, context) for m in _members([city.pk], [Role.EDITOR])]


_LETTERS: dict[Kind, Callable[[int, list[int]], list[Letter]]] = {
    Kind.SURVEY_OPENED: _survey_opened,
    Kind.REMINDER: _reminder,
    Kind.SUBMITTED: _submitted,
    Kind.CHANGES_REQUESTED: _changes_requested,
    Kind.VALIDATED: _validated,
    Kind.ROUND_PUBLISHED: _round_published,
    Kind.PRACTICE_DECIDED: _practice_decided,
    Kind.ACTION_DUE: _action_due,
}


# ---------------------------------------------------------------------------------------
# The person's own list and choices


def notifications_mark_read(*, user: User, pks: Iterable[int] | None = None) -> int:
    """Mark the person's notifications as read (all of them, or those given)."""
    unread = Notification.objects.filter(recipient=user).unread()
    if pks is not None:
        unread = unread.filter(pk__in=list(pks))
    return unread.update(read_at=timezone.now())


@transaction.atomic
def preferences_save(*, user: User, muted: Iterable[str], language: str) -> None:
    """Keep which kinds of notification the person turned off, and their language."""
    muted = {Kind(kind) for kind in muted}
    OptOut.objects.filter(user=user).filter(~Q(kind__in=muted)).delete()
    OptOut.objects.bulk_create(
        [OptOut(user=user, kind=kind) for kind in muted], ignore_conflicts=True
    )
    if language not in {code for code, _name in settings.LANGUAGES} | {""}:
        raise ValueError(f"Unknown language {language!r}")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
