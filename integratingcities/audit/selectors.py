"""Reading the audit trail, and saying each entry in words."""

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from integratingcities.assessments.models import AssessmentState
from integratingcities.frameworks.models import FrameworkStatus
from integratingcities.practices.models import PracticeStatus
from integratingcities.rounds.models import RoundStatus

from .models import Action, AuditEntry


def entries_for(target: models.Model) -> QuerySet[AuditEntry]:
    """The entries about one object, oldest first."""
    return AuditEntry.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=target.pk
    ).select_related("actor")


# The states each kind of target moves through, to name them by their labels.
_STATES: dict[str, type[models.TextChoices]] = {
    "assessment": AssessmentState,
    "round": RoundStatus,
    "practice": PracticeStatus,
    "framework": FrameworkStatus,
}

# Decisions only the secretariat takes: said so when the person is no longer known.
_SECRETARIAT_ACTIONS = {
    Action.ASSESSMENT_VALIDATED,
    Action.ASSESSMENT_CORRECTED,
    Action.ROUND_OPENED,
    Action.ROUND_CITIES_INVITED,
    Action.ROUND_REMINDED,
    Action.ROUND_CLOSED,
    Action.ROUND_PUBLISHED,
    Action.ROUND_CORRECTED,
    Action.PRACTICE_PUBLISHED,
    Action.PRACTICE_SENT_BACK,
    Action.FRAMEWORK_IMPORTED,
    Action.FRAMEWORK_PUBLISHED,
}


def state_label(action: str, value: str) -> str:
    """A state value of the entry's kind of target as people read it (never the key)."""
    choices = _STATES.get(action.partition(".")[0])
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    return value


def _count(data: Mapping[str, Any], *keys: str) -> int | None:
    """The first count found under ``keys``: a number, or the length of a list of ids."""
    for key in keys:
        value = data.get(key)
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            return value
        if isinstance(value, list):
            return len(value)
    return None


def _states(entry: AuditEntry) -> dict[str, str]:
    return {
        "from_state": state_label(entry.action, entry.from_state),
        "to_state": state_label(entry.action, entry.to_state),
    }


def _changes_requested(entry: AuditEntry, who: dict[str, Any]) -> str:
    count = _count(entry.data, "count", "comments")
    if count is None:
        return _("%(actor)s asked for changes") % who
    return ngettext(
        "%(actor)s asked for changes (%(count)d comment)",
        "%(actor)s asked for changes (%(count)d comments)",
        count,
    ) % {**who, "count": count}


def _corrected(entry: AuditEntry, who: dict[str, Any]) -> str:
    if entry.from_state and entry.to_state and entry.from_state != entry.to_state:
        return _("%(actor)s took the validation back (%(from_state)s → %(to_state)s)") % {
            **who,
            **_states(entry),
        }
    return _("%(actor)s took the validation back") % who


def _sharing(entry: AuditEntry, who: dict[str, Any]) -> str:
    shared = entry.data.get("share_evidence", entry.data.get("shared"))
    if shared is True:
        return _("%(actor)s chose to share the evidence with other cities") % who
    if shared is False:
        return _("%(actor)s stopped sharing the evidence with other cities") % who
    return _("%(actor)s changed whether the evidence is shared with other cities") % who


def _carried_over(entry: AuditEntry, who: dict[str, Any]) -> str:
    """E.g. "Eva Editor started from the answers of “Survey 2024” (12 answers carried over)"."""
    title = entry.data.get("source_title")
    day = entry.data.get("source_date")
    if isinstance(title, str) and title:
        source = _("the answers of “%(title)s”") % {"title": title}
    elif isinstance(day, str) and day:
        try:
            shown = formats.date_format(date.fromisoformat(day), "DATE_FORMAT")
        except ValueError:
            shown = day
        source = _("the answers of the self-test of %(date)s") % {"date": shown}
    else:
        source = _("earlier answers")
    count = _count(entry.data, "count")
    if count is None:
        return _("%(actor)s started from %(source)s") % {**who, "source": source}
    return ngettext(
        "%(actor)s started from %(source)s (%(count)d answer carried over)",
        "%(actor)s started from %(source)s (%(count)d answers carried over)",
        count,
    ) % {**who, "source": source, "count": count}


def _invited(entry: AuditEntry, who: dict[str, Any]) -> str:
    count = _count(entry.data, "count", "cities")
    if count is None:
        return _("%(actor)s invited cities") % who
    return ngettext(
        "%(actor)s invited %(count)d city", "%(actor)s invited %(count)d cities", count
    ) % {**who, "count": count}


def _reminded(entry: AuditEntry, who: dict[str, Any]) -> str:
    count = _count(entry.data, "count", "cities")
    days = entry.data.get("days_before")
    if entry.actor_id is None and isinstance(days, int) and count is not None:
        # Sent by the background job on a day the secretariat chose.
        return ngettext(
            "The platform sent the reminder due %(days)d days before the deadline to %(count)d "
            "city",
            "The platform sent the reminder due %(days)d days before the deadline to %(count)d "
            "cities",
            count,
        ) % {"days": days, "count": count}
    if count is None:
        return _("%(actor)s sent a reminder") % who
    return ngettext(
        "%(actor)s reminded %(count)d city", "%(actor)s reminded %(count)d cities", count
    ) % {**who, "count": count}


def _simple(message: object) -> Callable[[AuditEntry, dict[str, Any]], str]:
    return lambda entry, who: str(message) % who


def _edition(entry: AuditEntry, who: dict[str, Any]) -> str:
    number = (entry.data or {}).get("edition")
    if not isinstance(number, int):
        return _("%(actor)s published an edition of the report") % who
    return _("%(actor)s published edition %(number)d of the report") % {**who, "number": number}


def _action_reminded(entry: AuditEntry, who: dict[str, Any]) -> str:
    if entry.actor is None:  # the scheduled job
        return _("The platform reminded the city of an action of its roadmap")
    return _("%(actor)s reminded the city of an action of its roadmap") % who


# Each sentence without its full stop: the reason, where given, follows a colon.
_SENTENCES: dict[str, Callable[[AuditEntry, dict[str, Any]], str]] = {
    Action.ASSESSMENT_STARTED: _simple(gettext_lazy("%(actor)s started the answers")),
    Action.ASSESSMENT_SUBMITTED: _simple(gettext_lazy("%(actor)s submitted the answers")),
    Action.ASSESSMENT_CHANGES_REQUESTED: _changes_requested,
    Action.ASSESSMENT_VALIDATED: _simple(gettext_lazy("%(actor)s validated the answers")),
    Action.ASSESSMENT_CORRECTED: _corrected,
    Action.ASSESSMENT_COMMENT_ADDED: _simple(gettext_lazy("%(actor)s added a comment")),
    Action.ASSESSMENT_SHARING_CHANGED: _sharing,
    Action.ASSESSMENT_CARRIED_OVER: _carried_over,
    Action.ROUND_OPENED: _simple(gettext_lazy("%(actor)s opened the round")),
    Action.ROUND_CITIES_INVITED: _invited,
    Action.ROUND_REMINDED: _reminded,
    Action.ROUND_CLOSED: _simple(gettext_lazy("%(actor)s closed the round")),
    Action.ROUND_PUBLISHED: _simple(gettext_lazy("%(actor)s published the round's results")),
    Action.ROUND_CORRECTED: _simple(
        gettext_lazy("%(actor)s corrected the round's published results")
    ),
    Action.PRACTICE_PROPOSED: _simple(
        gettext_lazy("%(actor)s proposed the practice for publication")
    ),
    Action.PRACTICE_PUBLISHED: _simple(gettext_lazy("%(actor)s published the practice")),
    Action.PRACTICE_SENT_BACK: _simple(
        gettext_lazy("%(actor)s sent the practice back to the city")
    ),
    Action.PRACTICE_WITHDRAWN: _simple(gettext_lazy("%(actor)s withdrew the practice")),
    Action.FRAMEWORK_IMPORTED: _simple(gettext_lazy("%(actor)s imported the framework")),
    Action.FRAMEWORK_PUBLISHED: _simple(gettext_lazy("%(actor)s published the framework")),
    Action.REPORT_TEXT_SAVED: _simple(gettext_lazy("%(actor)s saved a part of the report")),
    Action.REPORT_HIGHLIGHT_ADDED: _simple(
        gettext_lazy("%(actor)s highlighted a city's evidence in the report")
    ),
    Action.REPORT_HIGHLIGHT_REMOVED: _simple(
        gettext_lazy("%(actor)s removed a highlight from the report")
    ),
    Action.REPORT_HIGHLIGHT_MOVED: _simple(
        gettext_lazy("%(actor)s moved a highlight of the report")
    ),
    Action.REPORT_EDITION_PUBLISHED: _edition,
    Action.SCHEME_CREATED: _simple(gettext_lazy("%(actor)s formed the mentoring scheme")),
    Action.SCHEME_CHANGED: _simple(gettext_lazy("%(actor)s changed the mentoring scheme")),
    Action.ROADMAP_CHANGED: _simple(gettext_lazy("%(actor)s changed the roadmap")),
    Action.ROADMAP_ACTION_REMINDED: _action_reminded,
}


def actor_name(entry: AuditEntry) -> str:
    """Who did it: the person's name, else who alone could have done it."""
    if entry.actor is not None:
        return str(entry.actor)
    if entry.action in _SECRETARIAT_ACTIONS:
        return _("The secretariat")
    return _("Someone")


def describe(entry: AuditEntry) -> str:
    """The entry as one sentence, e.g. "Rui Reviewer asked for changes (2 comments)."

    States are named by their labels; a stated reason follows a colon.
    """
    who = {"actor": actor_name(entry)}
    sentence = _SENTENCES.get(entry.action)
    if sentence is not None:
        event = sentence(entry, who)
    elif entry.from_state or entry.to_state:
        event = _("%(actor)s changed the state from %(from_state)s to %(to_state)s") % {
            **who,
            **_states(entry),
        }
    else:
        event = f"{who['actor']}: {entry.get_action_display()}"
    reason = entry.reason.strip().rstrip(".")
    if reason:
        return _("%(event)s: %(reason)s.") % {"event": event, "reason": reason}
    return _("%(event)s.") % {"event": event}
