"""Writes for rounds: open, invite, remind, close, publish."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from integratingcities.accounts.models import Membership, Role, User
from integratingcities.assessments.models import EDITABLE_STATES, Assessment, AssessmentKind
from integratingcities.audit.models import Action
from integratingcities.audit.services import log_action
from integratingcities.cities.models import City
from integratingcities.frameworks.models import Framework
from integratingcities.lib.errors import DomainError
from integratingcities.notifications.models import Kind
from integratingcities.notifications.services import announce
from integratingcities.permissions import Perm, require

from .models import Round, RoundStatus


class RoundError(DomainError):
    """A round step that is not possible now; the message is shown to the user."""


def round_open(
    *,
    title: str,
    framework: Framework,
    opens_on: date,
    closes_on: date,
    cities: Iterable[City],
    user: User,
    reminder_days: Sequence[int] | None = None,
    notify: bool = True,
) -> Round:
    """Open a round and invite cities; reminders are scheduled for the days chosen."""
    require(user, Perm.MANAGE_ROUNDS)
    if not framework.is_published:
        raise RoundError(_("A round needs a published framework version."))
    with transaction.atomic():
        new_round = Round(
            title=title,
            framework=framework,
            opens_on=opens_on,
            closes_on=closes_on,
            created_by=user,
        )
        if reminder_days is not None:
            new_round.reminder_days = sorted(set(reminder_days), reverse=True)
        new_round.full_clean()
        new_round.save()
        log_action(actor=user, action=Action.ROUND_OPENED, target=new_round, to_state="open")
        round_invite(round_=new_round, cities=cities, user=user, notify=notify)
        if notify:
            transaction.on_commit(lambda: reminders_schedule(new_round))
    return new_round


def round_invite(*, round_: Round, cities: Iterable[City], user: User, notify: bool = True) -> int:
    """Invite cities (again-invited cities are left as they are); returns how many are new."""
    require(user, Perm.MANAGE_ROUNDS)
    if not round_.is_open:
        raise RoundError(_("Cities can only be invited to an open round."))
    already = set(round_.assessments.values_list("city_id", flat=True))
    new = [city for city in cities if city.pk not in already]
    Assessment.objects.bulk_create(
        Assessment(
            city=city, framework_id=round_.framework_id, round=round_, kind=AssessmentKind.SURVEY
        )
        for city in new
    )
    if new:
        log_action(
            actor=user,
            action=Action.ROUND_CITIES_INVITED,
            target=round_,
            data={"cities": [city.pk for city in new]},
        )
    if notify and new:
        announce(Kind.SURVEY_OPENED, target_id=round_.pk, actor=user, city_ids=[c.pk for c in new])
    return len(new)


@dataclass(frozen=True)
class Reminded:
    """Who a reminder reached: cities whose editors got it, and cities that have no editor."""

    cities: int
    without_editor: list[str]


def round_remind(*, round_: Round, user: User) -> Reminded:
    """Remind the editors of every city that has not submitted, now."""
    require(user, Perm.MANAGE_ROUNDS)
    if not round_.is_open:
        raise RoundError(_("Reminders can only be sent while the round is open."))
    return _remind(round_, actor=user)


def _remind(round_: Round, *, actor: User | None, days_before: int | None = None) -> Reminded:
    waiting = list(
        round_.assessments.filter(state__in=EDITABLE_STATES).values_list("city_id", flat=True)
    )
    with_editor = set(
        Membership.objects.filter(
            city_id__in=waiting, role=Role.EDITOR, user__is_active=True
        ).values_list("city_id", flat=True)
    )
    without = list(
        City.objects.filter(pk__in=set(waiting) - with_editor)
        .order_by("name")
        .values_list("name", flat=True)
    )
    data: dict[str, Any] = {"cities": len(with_editor), "without_editor": len(without)}
    if days_before is not None:
        data["days_before"] = days_before
    log_action(actor=actor, action=Action.ROUND_REMINDED, target=round_, data=data)
    announce(Kind.REMINDER, target_id=round_.pk, actor=actor, city_ids=with_editor)
    return Reminded(cities=len(with_editor), without_editor=without)


REMINDER_HOUR = 8  # local time (TIME_ZONE) at which scheduled reminders go out


def reminders_due(round_: Round, today: date) -> list[int]:
    """The reminder days whose date has come and whose reminder has not gone yet."""
    if not round_.is_open or today > round_.closes_on:
        return []
    return [
        days
        for days in round_.reminder_days
        if days not in round_.reminders_sent and round_.closes_on - dt.timedelta(days=days) <= today
    ]


def reminders_send_due(*, today: date | None = None) -> int:
    """The background job: remind the cities of every open round whose reminder date has come.

    Each chosen day's reminder goes once, however often the job runs; when several are due at
    once (the round opened late, the worker was down) the cities get one reminder, not several.
    Returns how many rounds sent a reminder."""
    today = today or timezone.localdate()
    sent = 0
    for round_id in Round.objects.filter(status=RoundStatus.OPEN, closes_on__gte=today).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            locked = Round.objects.select_for_update().get(pk=round_id)
            due = reminders_due(locked, today)
            if not due:
                continue
            locked.reminders_sent = sorted({*locked.reminders_sent, *due}, reverse=True)
            locked.save(update_fields=["reminders_sent"])
            _remind(locked, actor=None, days_before=min(due))
            sent += 1
    return sent


def reminders_schedule(round_: Round) -> None:
    """Queue the reminder job for each reminder date of the round, where the task backend can
    run a job later (the database backend can; the immediate one of tests cannot)."""
    from integratingcities.rounds.tasks import send_due_reminders

    if not send_due_reminders.get_backend().supports_defer:
        return
    now = timezone.now()
    for days in round_.reminder_days:
        on = round_.closes_on - dt.timedelta(days=days)
        at = timezone.make_aware(dt.datetime.combine(on, dt.time(REMINDER_HOUR)))
        send_due_reminders.using(run_after=max(at, now)).enqueue()


def _round_transition(
    round_: Round,
    *,
    user: User,
    action: str,
    allowed: set[str],
    to: str,
    error: str,
    reason: str = "",
    **stamps: object,
) -> Round:
    require(user, Perm.MANAGE_ROUNDS)
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=round_.pk)
        if locked.status not in allowed:
            raise RoundError(error)
        before = locked.status
        locked.status = to
        for name, value in stamps.items():
            setattr(locked, name, value)
        locked.save()
        log_action(
            actor=user,
            action=action,
            target=locked,
            from_state=before,
            to_state=to,
            reason=reason,
        )
    return locked


def round_close(*, round_: Round, user: User) -> Round:
    return _round_transition(
        round_,
        user=user,
        action=Action.ROUND_CLOSED,
        allowed={RoundStatus.OPEN},
        to=RoundStatus.CLOSED,
        error=_("Only an open round can be closed."),
    )


def round_publish(*, round_: Round, user: User) -> Round:
    """Publish results: only validated answers count in them. Publishing again after a
    correction marks the results as revised."""
    now = timezone.now()
    revised: dict[str, Any] = {"revised_at": now} if round_.published_at is not None else {}
    published = _round_transition(
        round_,
        user=user,
        action=Action.ROUND_PUBLISHED,
        allowed={RoundStatus.CLOSED},
        to=RoundStatus.PUBLISHED,
        error=_("Close the round before publishing its results."),
        published_at=round_.published_at or now,
        **revised,
    )
    announce(Kind.ROUND_PUBLISHED, target_id=published.pk, actor=user)
    return published


def round_correct(*, round_: Round, user: User, reason: str) -> Round:
    """Take published results back for a correction, with the reason on record.

    The round is closed again: reviewers may then validate or correct answers, and publishing
    it again marks its results as revised."""
    reason = reason.strip()
    if not reason:
        raise RoundError(_("Say why the published results must be corrected."))
    return _round_transition(
        round_,
        user=user,
        action=Action.ROUND_CORRECTED,
        allowed={RoundStatus.PUBLISHED},
        to=RoundStatus.CLOSED,
        error=_("Only published results can be corrected."),
        reason=reason,
    )
