"""Writes for rounds: open, invite, remind, close, publish."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from integratingcities.accounts.models import Membership, Role
from integratingcities.assessments.models import Assessment, AssessmentState
from integratingcities.cities.models import City
from integratingcities.frameworks.models import Framework
from integratingcities.lib.mail import render_subject, render_text

from .models import Round, RoundStatus


class RoundError(Exception):
    """A round step that is not possible now; the message is shown to the user."""


def round_open(
    *,
    title: str,
    framework: Framework,
    opens_on: date,
    closes_on: date,
    cities: Iterable[City],
    user: Any,
    notify: bool = True,
) -> Round:
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
        round_invite(round_=new_round, cities=cities, notify=notify)
    return new_round


def round_invite(*, round_: Round, cities: Iterable[City], notify: bool = True) -> int:
    """Invite cities (again-invited cities are left as they are); returns how many are new."""
    if not round_.is_open:
        raise RoundError(_("Cities can only be invited to an open round."))
    already = set(round_.assessments.values_list("city_id", flat=True))
    new = [city for city in cities if city.pk not in already]
    Assessment.objects.bulk_create(
        Assessment(city=city, framework_id=round_.framework_id, round=round_) for city in new
    )
    if notify and new:
        transaction.on_commit(lambda: _mail_editors(round_, [c.pk for c in new], "invitation"))
    return len(new)


def round_remind(*, round_: Round) -> int:
    """Remind the editors of every city that has not submitted; returns the number of cities."""
    if not round_.is_open:
        raise RoundError(_("Reminders can only be sent while the round is open."))
    waiting = list(
        round_.assessments.filter(
            state__in=[
                AssessmentState.INVITED,
                AssessmentState.IN_PROGRESS,
                AssessmentState.CHANGES_REQUESTED,
            ]
        ).values_list("city_id", flat=True)
    )
    _mail_editors(round_, waiting, "reminder")
    return len(waiting)


def round_close(*, round_: Round) -> Round:
    if not round_.is_open:
        raise RoundError(_("Only an open round can be closed."))
    round_.status = RoundStatus.CLOSED
    round_.save(update_fields=["status"])
    return round_


def round_publish(*, round_: Round) -> Round:
    """Publish results: only validated answers count in them."""
    if round_.status != RoundStatus.CLOSED:
        raise RoundError(_("Close the round before publishing its results."))
    round_.status = RoundStatus.PUBLISHED
    round_.published_at = timezone.now()
    round_.save(update_fields=["status", "published_at"])
    return round_


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
