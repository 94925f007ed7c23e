"""Writing the network report: its narrative, its highlights and its published editions.

Each service checks who acts (``Perm.MANAGE_REPORTS``) and the state, writes an audit entry
inside its transaction, and raises ``ReportError`` with the reason when a rule refuses the step.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from integratingcities.assessments.models import Answer, AssessmentState
from integratingcities.audit.models import Action
from integratingcities.audit.services import log_action
from integratingcities.frameworks.models import ItemKind
from integratingcities.lib.errors import DomainError
from integratingcities.permissions import Perm, require
from integratingcities.practices.models import Practice
from integratingcities.rounds.models import Round

from . import selectors
from .models import Edition, Highlight, Report, ReportText


class ReportError(DomainError):
    """A report step the rules refuse now; the message says why."""


def _report(round_: Round) -> Report:
    """The round's report, created with its defaults on the first write, and locked."""
    report, _created = Report.objects.get_or_create(
        round=round_, defaults={"title": round_.title[:200]}
    )
    return Report.objects.select_for_update().select_related("round").get(pk=report.pk)


@transaction.atomic
def report_cover_save(
    *,
    round_: Round,
    actor: Any,
    title: str,
    subtitle: str = "",
    network: str = "",
    illustrative_note: str = "",
) -> Report:
    require(actor, Perm.MANAGE_REPORTS)
    if not title.strip():
        raise ReportError(_("A report needs a title."))
    report = _report(round_)
    report.title = title.strip()
    report.subtitle = subtitle.strip()
    report.network = network.strip()
    report.illustrative_note = illustrative_note.strip()
    report.full_clean()
    report.save()
    log_action(actor=actor, action=Action.REPORT_TEXT_SAVED, target=report, data={"key": "cover"})
    return report


@transaction.atomic
def report_text_save(*, round_: Round, actor: Any, key: str, text: str) -> ReportText:
    """Save one narrative part (Markdown; sanitised when shown, never here)."""
    require(actor, Perm.MANAGE_REPORTS)
    if key not in selectors.text_keys(round_):
        raise ReportError(_("This report has no part called “%(key)s”.") % {"key": key})
    report = _report(round_)
    part, _created = ReportText.objects.update_or_create(
        report=report, key=key, defaults={"body": text.strip(), "updated_by": actor}
    )
    log_action(actor=actor, action=Action.REPORT_TEXT_SAVED, target=report, data={"key": key})
    return part


@transaction.atomic
def highlight_add(
    *, round_: Round, actor: Any, answer: Answer, text: str, practice: Practice | None = None
) -> Highlight:
    """Highlight a city's validated evidence under its commitment, in the secretariat's words."""
    require(actor, Perm.MANAGE_REPORTS)
    report = _report(round_)
    if (
        answer.assessment.round_id != round_.pk
        or answer.assessment.state != AssessmentState.VALIDATED
        or answer.item.kind != ItemKind.RATING
        or not answer.evidence.strip()
    ):
        raise ReportError(
            _("Only a validated answer with evidence, given in this round, can be highlighted.")
        )
    if not text.strip():
        raise ReportError(_("Write the highlight's text."))
    if practice is not None and not practice.is_published:
        raise ReportError(_("Only a published practice of the library can be linked."))
    if report.highlights.filter(answer=answer).exists():
        raise ReportError(
            _("%(city)s's evidence on this commitment is highlighted already.")
            % {"city": answer.assessment.city.name}
        )
    last = report.highlights.filter(answer__item_id=answer.item_id).aggregate(n=Max("position"))
    highlight = Highlight.objects.create(
        report=report,
        answer=answer,
        text=text.strip(),
        practice=practice,
        position=(last["n"] or 0) + 1,
    )
    log_action(
        actor=actor,
        action=Action.REPORT_HIGHLIGHT_ADDED,
        target=report,
        city=answer.assessment.city,
        data={"commitment": answer.item.key, "highlight": highlight.pk},
    )
    return highlight


@transaction.atomic
def highlight_remove(*, highlight: Highlight, actor: Any) -> None:
    require(actor, Perm.MANAGE_REPORTS)
    report = _report(highlight.report.round)
    log_action(
        actor=actor,
        action=Action.REPORT_HIGHLIGHT_REMOVED,
        target=report,
        city=highlight.answer.assessment.city,
        data={"commitment": highlight.answer.item.key, "highlight": highlight.pk},
    )
    highlight.delete()


@transaction.atomic
def highlight_move(*, highlight: Highlight, actor: Any, up: bool) -> bool:
    """Swap a highlight with its neighbour under the same commitment; False at either end."""
    require(actor, Perm.MANAGE_REPORTS)
    report = _report(highlight.report.round)
    siblings = list(
        report.highlights.filter(answer__item_id=highlight.answer.item_id).order_by(
            "position", "pk"
        )
    )
    index = next(i for i, h in enumerate(siblings) if h.pk == highlight.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(siblings):
        return False
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        if sibling.position != position:
            sibling.position = position
            sibling.save(update_fields=["position"])
    log_action(
        actor=actor,
        action=Action.REPORT_HIGHLIGHT_MOVED,
        target=report,
        data={"highlight": highlight.pk, "direction": "up" if up else "down"},
    )
    return True


@transaction.atomic
def edition_publish(
    *, report: Report, actor: Any, note: str = "", published_on: date | None = None
) -> Edition:
    """Freeze what the report shows now as its next edition.

    The round's results must be published; an edition needs at least a summary; a correction
    (edition 2 and later) says what changed and must change something.
    """
    require(actor, Perm.MANAGE_REPORTS)
    report = _report(report.round)
    if not report.round.is_published:
        raise ReportError(
            _("Publish the round's results first: a report cites published results only.")
        )
    # As stored: JSON-compatible, so that it compares equal with an edition read back.
    frozen = json.loads(json.dumps(selectors.snapshot(report), cls=DjangoJSONEncoder))
    if not frozen["sections"]["summary"]:
        raise ReportError(_("Write the summary first: an edition needs at least a summary."))
    previous = report.editions.order_by("-number").first()
    if previous is not None:
        if not note.strip():
            raise ReportError(
                _("Say what changed since edition %(number)d: readers of it are told.")
                % {"number": previous.number}
            )
        if previous.snapshot == frozen:
            raise ReportError(
                _("Nothing has changed since edition %(number)d.") % {"number": previous.number}
            )
    edition = Edition.objects.create(
        report=report,
        number=(previous.number + 1) if previous else 1,
        published_on=published_on or timezone.localdate(),
        published_by=actor if getattr(actor, "pk", None) else None,
        note=note.strip(),
        snapshot=frozen,
    )
    log_action(
        actor=actor,
        action=Action.REPORT_EDITION_PUBLISHED,
        target=report,
        to_state=str(edition.number),
        reason=note,
        data={"edition": edition.number},
    )
    return edition
