"""Writes for rounds: open, invite, remind, close, publish."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from integratingcities.accounts.models import Membership, Role, User
from integratingcities.assessments.models import EDITABLE_STATES, Assessment, AssessmentKind
from integratingcities.audit.models import Action
from integratingcities.audit.services import log_action
from integratingcities.cities.models import City
from integratingcities.frameworks.models import Framework
from integratingcities.lib.errors import DomainError
from integratingcities.lib.mail import render_subject, render_text
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
    notify: bool = True,
) -> Round:
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
        new_round.full_clean()
        new_round.save()
        log_action(actor=user, action=Action.ROUND_OPENED, target=new_round, to_state="open")
        round_invite(round_=new_round, cities=cities, user=user, notify=notify)
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
        transaction.on_commit(lambda: _mail_editors(round_, [c.pk for c in new], "invitation"))
    return len(new)


@dataclass(frozen=True)
class Reminded:
    """Who a reminder reached: cities whose editors got it, and cities that have no editor."""

    cities: int
    without_editor: list[str]


def round_remind(*, round_: Round, user: User) -> Reminded:
    """Remind the editors of every city that has not submitted."""
    require(user, Perm.MANAGE_ROUNDS)
    if not round_.is_open:
        raise RoundError(_("Reminders can only be sent while the round is open."))
    waiting = list(
        round_.assessments.filter(state__in=EDITABLE_STATES).values_list("city_id", flat=True)
    )
    with_editor = set(
        Membership.objects.filter(
            city_id__in=waiting, role=Role.EDITOR, user__is_active=True
        ).values_list("city_id", flat=True)
    )
    _mail_editors(round_, [city for city in waiting if city in with_editor], "reminder")
    without = list(
        City.objects.filter(pk__in=set(waiting) - with_editor)
        .order_by("name")
        .values_list("name", flat=True)
    )
    log_action(
        actor=user,
        action=Action.ROUND_REMINDED,
        target=round_,
        data={"cities": len(with_editor), "without_editor": len(without)},
    )
    return Reminded(cities=len(with_editor), without_editor=without)


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
    return _round_transition(
        round_,
        user=user,
        action=Action.ROUND_PUBLISHED,
        allowed={RoundStatus.CLOSED},
        to=RoundStatus.PUBLISHED,
        error=_("Close the round before publishing its results."),
        published_at=round_.published_at or now,
        **revised,
    )


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


def _mail_editors(round_: Round, city_ids: list[int], kind: str) -> None:
    editors = Membership.objects.filter(
        city_id__in=city_ids, role=Role.EDITOR, user__is_active=True
    ).select_related("user", "city")
    assessments = dict(
        Assessment.objects.filter(round=round_, city_id__in=city_ids).values_list("city_id", "pk")
    )
    messages = []
    for membership in editors:
        link = settings.SITE_URL + reverse(
            "assessments:detail", kwargs={"pk": assessments[membership.city_id]}
        )
        context = {"round": round_, "city": membership.city, "user": membership.user, "link": link}
        subject = render_subject(f"rounds/email/{kind}_subject.txt", context)
        body = render_text(f"rounds/email/{kind}.txt", context)
        messages.append((subject, body, None, [membership.user.email]))
    send_mass_mail(messages, fail_silently=False)
