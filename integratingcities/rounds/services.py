"""Writes for rounds: open, invite, remind, close, publish."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
from .selectors import Invitation, cities_named, invitation_query


class RoundError(DomainError):
    """A round step that is not possible now; the message is shown to the user."""


class InvitationError(RoundError):
    """Names that match no city, or several; or an invitation that reaches nobody. ``field``
    says which part of the invitation is wrong, for the form to show the message there."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


def invited_cities(invitation: Invitation) -> QuerySet[City]:
    """The cities an invitation reaches. Every name must be one city's name or short name,
    and the invitation must reach at least one city."""
    named = cities_named(invitation.names)
    problems = []
    if named.not_found:
        problems.append(
            ngettext(
                "No city is called %(names)s: check the spelling, or give the short name "
                "from the city's address (…/cities/ghent/ → ghent).",
                "No city is called %(names)s: check the spelling, or give the short names "
                "from the cities' addresses (…/cities/ghent/ → ghent).",
                len(named.not_found),
            )
            % {"names": _quoted(named.not_found)}
        )
    for name, slugs in named.ambiguous.items():
        problems.append(
            _("Several cities are called “%(name)s”: give one of their short names (%(slugs)s).")
            % {"name": name, "slugs": ", ".join(slugs)}
        )
    if problems:
        raise InvitationError(" ".join(problems), field="names")
    if invitation.is_filtered and not invitation.group:
        raise InvitationError(
            _("The country, size and network narrow a group: choose the group they narrow."),
            field="group",
        )
    query = invitation_query(invitation, named)
    cities = City.objects.filter(query) if query is not None else City.objects.none()
    if not cities.exists():
        raise InvitationError(
            _("Nobody would be invited: choose a group, or name the cities to invite."),
            field="group" if invitation.group else "cities",
        )
    return cities


def _quoted(names: Sequence[str], shown: int = 20) -> str:
    quoted = ", ".join(f"“{name}”" for name in names[:shown])
    return quoted + (" …" if len(names) > shown else "")


def round_open(
    *,
    title: str,
    framework: Framework,
    opens_on: date,
    closes_on: date,
    user: User,
    cities: Iterable[City] = (),
    invitation: Invitation | None = None,
    reminder_days: Sequence[int] | None = None,
    notify: bool = True,
) -> Round:
    """Open a round and invite cities (those given, and those the invitation reaches);
    reminders are scheduled for the days chosen."""
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
        round_invite(
            round_=new_round, cities=cities, invitation=invitation, user=user, notify=notify
        )
        if notify:
            transaction.on_commit(lambda: reminders_schedule(new_round))
    return new_round


def round_invite(
    *,
    round_: Round,
    user: User,
    cities: Iterable[City] = (),
    invitation: Invitation | None = None,
    notify: bool = True,
) -> int:
    """Invite cities (those given, and those the invitation reaches; again-invited cities are
    left as they are); returns how many are new."""
    require(user, Perm.MANAGE_ROUNDS)
    if not round_.is_open:
        raise RoundError(_("Cities can only be invited to an open round."))
    invited = round_.assessments.values("city_id")
    if isinstance(cities, QuerySet):
        # Ids only, the invited left out by the database: a group may hold 20,000 cities.
        new = list(cities.exclude(pk__in=invited).order_by("pk").values_list("pk", flat=True))
    else:
        already = set(invited.values_list("city_id", flat=True))
        new = list(dict.fromkeys(city.pk for city in cities if city.pk not in already))
    if invitation is not None:
        given = set(new)
        reached = invited_cities(invitation).exclude(pk__in=invited).order_by("pk")
        new += [pk for pk in reached.values_list("pk", flat=True) if pk not in given]
    invited_at = timezone.now()  # one moment for all: lists then sort them by city
    Assessment.objects.bulk_create(
        (
            Assessment(
                city_id=pk,
                framework_id=round_.framework_id,
                round=round_,
                kind=AssessmentKind.SURVEY,
                created_at=invited_at,
            )
            for pk in new
        ),
        batch_size=500,
    )
    if new:
        log_action(
            actor=user, action=Action.ROUND_CITIES_INVITED, target=round_, data={"cities": new}
        )
    if notify and new:
        announce(Kind.SURVEY_OPENED, target_id=round_.pk, actor=user, city_ids=new)
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
    _warm_results(published)
    return published


def _warm_results(published: Round) -> None:
    """The results' statistics and counts are computed by the background worker once the
    round is published, rather than by its first visitor."""
    from integratingcities.results.tasks import warm_round_results

    transaction.on_commit(lambda: warm_round_results.enqueue(published.pk), robust=True)


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
