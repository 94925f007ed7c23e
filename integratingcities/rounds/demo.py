"""Demonstration rounds: the 2015 survey (published) and a round in progress.

The evidence of the 2015 round is what "Cities and Migrants" (2015) credits to each city; the
levels are illustrative, chosen by a fixed rule, and labelled so wherever they are shown.
"""

import hashlib
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from integratingcities.accounts.models import User
from integratingcities.assessments.models import Answer, Assessment, AssessmentState
from integratingcities.assessments.services import scores_record
from integratingcities.cities.models import City
from integratingcities.frameworks.models import Framework, ItemKind, Level

from .models import Round, RoundStatus

TITLE_2015 = "Charter monitoring survey 2015"
TITLE_OPEN = "Charter monitoring survey 2017 (demonstration)"


def _pick(*parts: str) -> int:
    """A stable pseudo-random number from its inputs, so the demo is the same every time."""
    return int(hashlib.sha256("/".join(parts).encode()).hexdigest()[:8], 16)


def _illustrative_level(
    levels: dict[str, Level], city: str, item: str, evidence: bool
) -> Level | None:
    """Fully or partly where the report credits the city with something; otherwise no level:
    the report's silence is not a "not at all", so the commitment stays unanswered."""
    if not evidence:
        return None
    return levels["fully"] if _pick(city, item) % 10 < 6 else levels["partly"]


@transaction.atomic
def load_demo_rounds(evidence_file: Path) -> None:
    charter = (
        Framework.objects.filter(lineage="charter", status="published").order_by("-version").first()
    )
    if charter is None or Round.objects.filter(title=TITLE_2015).exists():
        return
    data: dict[str, Any] = yaml.safe_load(evidence_file.read_text())
    items = list(charter.sections.all().prefetch_related("items").order_by("position"))
    levels = {lvl.key: lvl for lvl in Level.objects.filter(scale__framework=charter)}
    past = Round.objects.create(
        title=TITLE_2015,
        framework=charter,
        opens_on=date(2014, 12, 1),
        closes_on=date(2015, 4, 30),
        status=RoundStatus.PUBLISHED,
        is_illustrative=True,
        # When "Cities and Migrants" came out, not when the demo was loaded.
        published_at=timezone.make_aware(datetime(2015, 12, 1, 12, 0)),
    )
    cities = {city.slug: city for city in City.objects.filter(slug__in=data["cities"])}
    answers = []
    invited_at = timezone.now()  # one moment, as round_invite gives a round's surveys
    for slug, entry in data["cities"].items():
        assessment = Assessment.objects.create(
            city=cities[slug],
            framework=charter,
            round=past,
            created_at=invited_at,
            state=AssessmentState.VALIDATED,
            is_illustrative=True,
            submitted_at=timezone.now(),
            validated_at=timezone.now(),
            last_activity_at=timezone.now(),
        )
        evidence = entry.get("evidence") or {}
        links = (data.get("links") or {}).get(slug) or {}
        texts = entry.get("answers") or {}
        challenges = entry.get("challenges") or {}
        for section in items:
            for item in section.items.all():
                answer = Answer(assessment=assessment, item=item, version=1)
                if item.kind == ItemKind.RATING:
                    given = evidence.get(item.key) or []
                    answer.evidence = "\n\n".join(given)
                    answer.links = links.get(item.key) or []
                    answer.level = _illustrative_level(levels, slug, item.key, bool(given))
                elif item.kind == ItemKind.TEXT:
                    if section.key == "challenges":
                        role = item.key.removeprefix("challenge-").replace("-", "_")
                        answer.text = "\n".join(challenges.get(role) or [])
                    else:
                        answer.text = (texts.get(section.key) or {}).get(item.key, "")
                answer.is_answered = answer.has_content()
                if answer.is_answered:
                    answers.append(answer)
    bulk_create_with_history(answers, Answer)  # a history row each, as every save makes
    past.assessments.recount_answered()  # the response board's counts, which bulk writes skip
    scores_record(assessments=list(past.assessments.all()))
    _open_round(charter, levels)


def _open_round(charter: Framework, levels: dict[str, Level]) -> None:
    today = timezone.localdate()
    current = Round.objects.create(
        title=TITLE_OPEN,
        framework=charter,
        opens_on=today - timedelta(days=30),
        closes_on=today + timedelta(days=60),
        status=RoundStatus.OPEN,
        is_illustrative=True,
    )
    signatories = City.objects.filter(signed_latest__isnull=False).order_by("name")
    states = [AssessmentState.SUBMITTED, AssessmentState.IN_PROGRESS, AssessmentState.INVITED]
    editor = User.objects.filter(email="editor.ghent@example.org").first()
    rated = list(
        charter.sections.filter(items__kind=ItemKind.RATING).values_list("items", flat=True)
    )
    invited_at = timezone.now()
    for index, city in enumerate(signatories[:12]):
        state = AssessmentState.IN_PROGRESS if city.slug == "ghent" else states[index % 3]
        if city.slug == "riga":
            state = AssessmentState.INVITED
        assessment = Assessment.objects.create(
            city=city,
            framework=charter,
            round=current,
            created_at=invited_at,
            state=state,
            is_illustrative=True,
            last_activity_at=None if state == AssessmentState.INVITED else timezone.now(),
            submitted_at=timezone.now() if state == AssessmentState.SUBMITTED else None,
        )
        if state == AssessmentState.INVITED:
            continue
        count = len(rated) if state == AssessmentState.SUBMITTED else 4
        author = editor if city.slug == "ghent" else None
        bulk_create_with_history(
            [
                Answer(
                    assessment=assessment,
                    item_id=item_id,
                    version=1,
                    is_answered=True,
                    level=levels["partly"],
                    evidence="Illustrative evidence for the demonstration round.",
                    updated_by=author,
                )
                for item_id in rated[:count]
            ],
            Answer,
            default_user=author,
        )
    current.assessments.recount_answered()
