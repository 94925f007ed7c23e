"""Writes for mentoring: schemes, roadmaps and their rows, visits, reminders.

Each service checks its own rules (``permissions.require`` and the state of the objects) and
raises a ``MentoringError`` the page and the API show as it is; each writes in one transaction
with its audit entry, so a refused step leaves nothing half-written.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from integratingcities.accounts.models import User
from integratingcities.assessments.models import Assessment
from integratingcities.audit.models import Action as AuditAction
from integratingcities.audit.services import log_action
from integratingcities.cities.models import City
from integratingcities.frameworks.models import Framework, FrameworkKind, Section
from integratingcities.indicators.models import Indicator
from integratingcities.lib.errors import DomainError
from integratingcities.lib.translation import translate
from integratingcities.notifications.models import Kind
from integratingcities.notifications.services import announce
from integratingcities.permissions import Perm, require
from integratingcities.toolkits.models import Toolkit

from . import selectors
from .models import (
    CLOSED_STATUSES,
    Action,
    ActionReminder,
    Objective,
    ProgressReport,
    ReminderWhen,
    Roadmap,
    RoadmapComment,
    Scheme,
    SchemeCity,
    SchemeRole,
    SupportGroupMember,
    Visit,
)

M = TypeVar("M", bound=models.Model)
MAX_REMIND_DAYS = 365


class MentoringError(DomainError):
    """A mentoring step the rules refuse; the message says why."""


def _checked(obj: M, *, exclude: Sequence[str] = ()) -> M:
    """``full_clean`` whose errors become one ``MentoringError`` naming each field."""
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as error:
        messages = []
        for name, errors in error.message_dict.items():
            label = (
                str(getattr(obj._meta.get_field(name), "verbose_name", ""))
                if name != "__all__" and name in {f.name for f in obj._meta.get_fields()}
                else ""
            )
            messages += [f"{label}: {text}" if label else str(text) for text in errors]
        raise MentoringError(" ".join(messages)) from error
    return obj


# ---------------------------------------------------------------------------------------
# Schemes


def _theme_of(benchmark: Framework | None, toolkit: Toolkit | None) -> Toolkit | None:
    if benchmark is None:
        return toolkit
    if benchmark.kind != FrameworkKind.BENCHMARK:
        raise MentoringError(_("A scheme's theme is a benchmark, not the Charter."))
    found = Toolkit.objects.filter(key=benchmark.lineage).first()
    if found is None:
        raise MentoringError(_("This benchmark has no toolkit in the catalogue."))
    if toolkit is not None and toolkit.pk != found.pk:
        raise MentoringError(_("The benchmark and the toolkit name different themes."))
    return found


def scheme_write(
    *,
    actor: User | None,
    name: str,
    theme: str,
    toolkit: Toolkit | None,
    project: str,
    starts_on: date,
    ends_on: date | None,
    facilitator: str,
    mentors: Iterable[City],
    implementing: Iterable[City],
    is_illustrative: bool = False,
    period_note: str = "",
    facilitator_user: User | None = None,
    remind_days_before: int = 7,
    remind_days_after: int = 7,
) -> Scheme:
    """Form a scheme with its cities and one roadmap per implementing city, without the
    permission check (``scheme_create`` makes it; the demo loader calls this directly)."""
    mentor_list = list({city.pk: city for city in mentors}.values())
    implementing_list = list({city.pk: city for city in implementing}.values())
    if not implementing_list:
        raise MentoringError(_("A scheme needs at least one implementing city."))
    both = sorted(city.name for city in implementing_list if city.pk in {c.pk for c in mentor_list})
    if both:
        raise MentoringError(
            _("A city cannot be both mentor and implementing in one scheme: %(cities)s.")
            % {"cities": ", ".join(both)}
        )
    if ends_on is not None and ends_on < starts_on:
        raise MentoringError(_("The scheme ends before it starts."))
    for days in (remind_days_before, remind_days_after):
        if not 0 <= days <= MAX_REMIND_DAYS:
            raise MentoringError(
                _("Reminder days must be between 0 and %(max)s.") % {"max": MAX_REMIND_DAYS}
            )
    with transaction.atomic():
        scheme = _checked(
            Scheme(
                name=name.strip(),
                theme=theme.strip(),
                toolkit=toolkit,
                project=project.strip(),
                starts_on=starts_on,
                ends_on=ends_on,
                period_note=period_note.strip(),
                facilitator=facilitator.strip(),
                facilitator_user=facilitator_user,
                remind_days_before=remind_days_before,
                remind_days_after=remind_days_after,
                is_illustrative=is_illustrative,
            )
        )
        scheme.save()
        SchemeCity.objects.bulk_create(
            [SchemeCity(scheme=scheme, city=c, role=SchemeRole.MENTOR) for c in mentor_list]
            + [
                SchemeCity(scheme=scheme, city=c, role=SchemeRole.IMPLEMENTING)
                for c in implementing_list
            ]
        )
        baselines = selectors.baselines(scheme.lineage, [c.pk for c in implementing_list])
        Roadmap.objects.bulk_create(
            [
                Roadmap(scheme=scheme, city=city, baseline=baselines.get(city.pk))
                for city in implementing_list
            ]
        )
        log_action(
            actor=actor,
            action=AuditAction.SCHEME_CREATED,
            target=scheme,
            data={"mentors": len(mentor_list), "implementing": len(implementing_list)},
        )
    return scheme


def scheme_create(
    *,
    actor: User,
    benchmark: Framework | None = None,
    name: str,
    project: str,
    starts_on: date,
    ends_on: date | None,
    facilitator: str,
    mentors: list[City],
    implementing: list[City],
    is_illustrative: bool = False,
    theme: str = "",
    toolkit: Toolkit | None = None,
    facilitator_user: User | None = None,
    period_note: str = "",
    remind_days_before: int = 7,
    remind_days_after: int = 7,
) -> Scheme:
    """The secretariat forms a scheme on a benchmark (or a toolkit's theme without one)."""
    require(actor, Perm.MANAGE_SCHEMES)
    found = _theme_of(benchmark, toolkit)
    if not theme.strip():
        if found is None:
            raise MentoringError(_("Name the scheme's theme or choose its benchmark."))
        theme = translate(found.title)
    return scheme_write(
        actor=actor,
        name=name,
        theme=theme,
        toolkit=found,
        project=project,
        starts_on=starts_on,
        ends_on=ends_on,
        facilitator=facilitator,
        mentors=mentors,
        implementing=implementing,
        is_illustrative=is_illustrative,
        period_note=period_note,
        facilitator_user=facilitator_user,
        remind_days_before=remind_days_before,
        remind_days_after=remind_days_after,
    )


def scheme_update(
    *,
    actor: User,
    scheme: Scheme,
    name: str,
    project: str,
    starts_on: date,
    ends_on: date | None,
    facilitator: str,
    facilitator_user: User | None,
    remind_days_before: int,
    remind_days_after: int,
    period_note: str = "",
) -> Scheme:
    """The secretariat changes a scheme's particulars (its cities and theme stay)."""
    require(actor, Perm.MANAGE_SCHEMES)
    if ends_on is not None and ends_on < starts_on:
        raise MentoringError(_("The scheme ends before it starts."))
    with transaction.atomic():
        locked = Scheme.objects.select_for_update().get(pk=scheme.pk)
        locked.name = name.strip()
        locked.project = project.strip()
        locked.starts_on = starts_on
        locked.ends_on = ends_on
        locked.period_note = period_note.strip()
        locked.facilitator = facilitator.strip()
        locked.facilitator_user = facilitator_user
        locked.remind_days_before = remind_days_before
        locked.remind_days_after = remind_days_after
        _checked(locked).save()
        log_action(actor=actor, action=AuditAction.SCHEME_CHANGED, target=locked)
        # The facilitator reads every roadmap: their PDFs may now show other names.
        Roadmap.objects.filter(scheme=locked).update(changed_at=timezone.now())
    return locked


# ---------------------------------------------------------------------------------------
# Roadmaps and their rows


def _touched(actor: User, roadmap: Roadmap, what: str, op: str) -> None:
    """Record a change of the roadmap's rows: its audit entry, and its new version."""
    Roadmap.objects.filter(pk=roadmap.pk).update(changed_at=timezone.now())
    log_action(
        actor=actor,
        action=AuditAction.ROADMAP_CHANGED,
        target=roadmap,
        city=roadmap.city,
        data={"what": what, "op": op},
    )


def roadmap_update(
    *,
    actor: User,
    roadmap: Roadmap,
    summary: str,
    baseline: Assessment | None,
    follow_up: Assessment | None,
) -> Roadmap:
    """The roadmap's summary and the self-tests it is measured by: validated self-tests of
    the scheme's theme by the roadmap's city, the follow-up later than the baseline."""
    require(actor, Perm.EDIT_ROADMAP, roadmap)
    allowed = {a.pk: a for a in selectors.validated_selftests(roadmap)}
    for chosen, label in ((baseline, _("baseline")), (follow_up, _("follow-up"))):
        if chosen is not None and chosen.pk not in allowed:
            raise MentoringError(
                _("The %(which)s must be a validated self-test of this theme by %(city)s.")
                % {"which": label, "city": roadmap.city.name}
            )
    if (
        baseline is not None
        and follow_up is not None
        and allowed[follow_up.pk].created_at <= allowed[baseline.pk].created_at
    ):
        raise MentoringError(_("The follow-up must be a later self-test than the baseline."))
    if follow_up is not None and baseline is None:
        raise MentoringError(_("Choose a baseline before a follow-up."))
    with transaction.atomic():
        locked = Roadmap.objects.select_for_update().get(pk=roadmap.pk)
        locked.summary = summary.strip()
        locked.baseline = baseline
        locked.follow_up = follow_up
        _checked(locked).save()
        _touched(actor, locked, "roadmap", "changed")
    return locked


@dataclass(frozen=True)
class ObjectiveInput:
    title: str
    gap: str
    change_sought: str
    root_cause: str = ""
    key_factors: Sequence[Section] = ()
    indicator: Indicator | None = None


def objective_save(
    *,
    actor: User,
    roadmap: Roadmap,
    data: ObjectiveInput,
    objective: Objective | None = None,
) -> Objective:
    require(actor, Perm.EDIT_ROADMAP, roadmap)
    if objective is not None and objective.roadmap_id != roadmap.pk:
        raise MentoringError(_("This objective belongs to another roadmap."))
    allowed = {s.pk for s in selectors.key_factors(roadmap)}
    stray = [s for s in data.key_factors if s.pk not in allowed]
    if stray:
        raise MentoringError(
            _("Key factors must be those of the scheme's benchmark: %(names)s is not.")
            % {"names": ", ".join(translate(s.title) for s in stray)}
        )
    with transaction.atomic():
        target = objective or Objective(roadmap=roadmap)
        target.title = data.title.strip()
        target.gap = data.gap.strip()
        target.root_cause = data.root_cause.strip()
        target.change_sought = data.change_sought.strip()
        target.indicator = data.indicator
        _checked(target).save()
        target.key_factors.set(data.key_factors)
        _touched(actor, roadmap, "objective", "changed" if objective else "added")
    return target


@dataclass(frozen=True)
class ActionInput:
    title: str
    owner: str
    due_on: date
    starts_on: date | None = None
    partners: str = ""
    resources: str = ""
    funding_source: str = ""
    expected_output: str = ""
    status: str = "planned"
    evidence: str = ""


def action_save(
    *,
    actor: User,
    objective: Objective,
    data: ActionInput,
    action: Action | None = None,
) -> Action:
    roadmap = objective.roadmap
    require(actor, Perm.EDIT_ROADMAP, roadmap)
    if action is not None and action.objective.roadmap_id != roadmap.pk:
        raise MentoringError(_("This action belongs to another roadmap."))
    with transaction.atomic():
        target = action or Action()
        target.objective = objective
        for field in fields(ActionInput):
            value = getattr(data, field.name)
            setattr(target, field.name, value.strip() if isinstance(value, str) else value)
        _checked(target).save()
        _touched(actor, roadmap, "action", "changed" if action else "added")
    return target


@dataclass(frozen=True)
class MemberInput:
    name: str
    type: str
    organisation: str = ""
    role: str = ""


def member_save(
    *,
    actor: User,
    roadmap: Roadmap,
    data: MemberInput,
    member: SupportGroupMember | None = None,
) -> SupportGroupMember:
    require(actor, Perm.EDIT_ROADMAP, roadmap)
    if member is not None and member.roadmap_id != roadmap.pk:
        raise MentoringError(_("This member belongs to another roadmap's support group."))
    with transaction.atomic():
        target = member or SupportGroupMember(roadmap=roadmap)
        target.name = data.name.strip()
        target.organisation = data.organisation.strip()
        target.type = data.type
        target.role = data.role.strip()
        _checked(target).save()
        _touched(actor, roadmap, "support_group", "changed" if member else "added")
    return target


@dataclass(frozen=True)
class ReportInput:
    reported_on: date
    what_changed: str
    period: str = ""


def report_save(
    *,
    actor: User,
    roadmap: Roadmap,
    data: ReportInput,
    report: ProgressReport | None = None,
) -> ProgressReport:
    require(actor, Perm.EDIT_ROADMAP, roadmap)
    if report is not None and report.roadmap_id != roadmap.pk:
        raise MentoringError(_("This report belongs to another roadmap."))
    with transaction.atomic():
        target = report or ProgressReport(roadmap=roadmap, author=actor)
        target.reported_on = data.reported_on
        target.period = data.period.strip()
        target.what_changed = data.what_changed.strip()
        _checked(target).save()
        _touched(actor, roadmap, "progress_report", "changed" if report else "added")
    return target


def row_delete(
    *, actor: User, roadmap: Roadmap, row: Objective | Action | SupportGroupMember | ProgressReport
) -> None:
    """Delete one row of the roadmap (an objective goes with its actions)."""
    require(actor, Perm.EDIT_ROADMAP, roadmap)
    owner = row.objective.roadmap_id if isinstance(row, Action) else row.roadmap_id
    if owner != roadmap.pk:
        raise MentoringError(_("This belongs to another roadmap."))
    what = {
        Objective: "objective",
        Action: "action",
        SupportGroupMember: "support_group",
        ProgressReport: "progress_report",
    }[type(row)]
    with transaction.atomic():
        row.delete()
        _touched(actor, roadmap, what, "deleted")


def comment_add(*, actor: User, roadmap: Roadmap, body: str) -> RoadmapComment:
    require(actor, Perm.COMMENT_ROADMAP, roadmap)
    if not body.strip():
        raise MentoringError(_("Comment: write something first."))
    with transaction.atomic():
        comment = _checked(RoadmapComment(roadmap=roadmap, author=actor, body=body.strip()))
        comment.save()
        _touched(actor, roadmap, "comment", "added")
    return comment


@dataclass(frozen=True)
class VisitInput:
    visited_on: date
    who_came: str
    notes: str = ""
    recommendations: str = ""


def visit_save(
    *, actor: User, roadmap: Roadmap, data: VisitInput, visit: Visit | None = None
) -> Visit:
    """A visit to the roadmap's city, logged on its scheme."""
    require(actor, Perm.LOG_VISIT, roadmap)
    if visit is not None and (visit.scheme_id, visit.host_id) != (
        roadmap.scheme_id,
        roadmap.city_id,
    ):
        raise MentoringError(_("This visit was to another city."))
    with transaction.atomic():
        target = visit or Visit(scheme=roadmap.scheme, host=roadmap.city)
        target.visited_on = data.visited_on
        target.who_came = data.who_came.strip()
        target.notes = data.notes.strip()
        target.recommendations = data.recommendations.strip()
        _checked(target).save()
        _touched(actor, roadmap, "visit", "changed" if visit else "added")
    return target


def visit_delete(*, actor: User, roadmap: Roadmap, visit: Visit) -> None:
    require(actor, Perm.LOG_VISIT, roadmap)
    if (visit.scheme_id, visit.host_id) != (roadmap.scheme_id, roadmap.city_id):
        raise MentoringError(_("This visit was to another city."))
    with transaction.atomic():
        visit.delete()
        _touched(actor, roadmap, "visit", "deleted")


# ---------------------------------------------------------------------------------------
# Reminders


def _due_reminders(today: date) -> list[tuple[int, str, date]]:
    """(action id, before/after, due date) of every reminder that is due and not yet sent.

    The days are each scheme's own, so the actions are asked for scheme by scheme (a query
    each, not one per action)."""
    found: list[tuple[int, str, date]] = []
    open_actions = Action.objects.exclude(status__in=CLOSED_STATUSES)
    for scheme_id, before, after in Scheme.objects.values_list(
        "pk", "remind_days_before", "remind_days_after"
    ):
        mine = open_actions.filter(objective__roadmap__scheme_id=scheme_id)
        windows = {
            ReminderWhen.BEFORE: mine.filter(
                due_on__gte=today, due_on__lte=today + timedelta(days=before)
            ),
            ReminderWhen.AFTER: mine.filter(due_on__lte=today - timedelta(days=after)),
        }
        for when, actions in windows.items():
            sent = ActionReminder.objects.filter(
                action_id=models.OuterRef("pk"), when=when, due_on=models.OuterRef("due_on")
            )
            found += [
                (pk, when, due)
                for pk, due in actions.filter(~models.Exists(sent)).values_list("pk", "due_on")
            ]
    return found


def mentoring_reminders_send_due(today: date | None = None) -> int:
    """The background job: remind the implementing city's editors of each action due within
    its scheme's days before, or overdue by its days after, once per action per reminder.

    Returns how many reminders went out."""
    today = today or timezone.localdate()
    sent = 0
    for action_id, when, due_on in _due_reminders(today):
        with transaction.atomic():
            reminder, created = ActionReminder.objects.get_or_create(
                action_id=action_id, when=when, due_on=due_on
            )
            if not created:
                continue  # another run sent it in between
            action = Action.objects.select_related("objective__roadmap__city").get(pk=action_id)
            roadmap = action.objective.roadmap
            log_action(
                actor=None,
                action=AuditAction.ROADMAP_ACTION_REMINDED,
                target=roadmap,
                city=roadmap.city,
                data={"action": action.pk, "when": when},
            )
            announce(Kind.ACTION_DUE, target_id=reminder.pk, city_ids=[roadmap.city_id])
            sent += 1
    return sent
