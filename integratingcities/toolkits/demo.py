"""Demonstration self-tests of the shipped benchmark, labelled illustrative wherever shown.

The cities are those the benchmark itself cites as examples. Where a city is an example under a
key factor, its evidence there is that example (a fact from the toolkit) and its answers lean to
"yes". The levels are chosen by a fixed rule; every other evidence says it is illustrative.
Ghent has two self-tests, a year apart, so that progress has something to show.
"""

import hashlib
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from integratingcities.assessments.models import (
    Answer,
    Assessment,
    AssessmentKind,
    AssessmentState,
)
from integratingcities.assessments.services import scores_record
from integratingcities.cities.models import City
from integratingcities.frameworks.models import Framework, ItemKind, Level
from integratingcities.lib.translation import translate

LINEAGE = "anti-discrimination-job-market"
ILLUSTRATIVE = "Illustrative answer for the demonstration: not the city's own self-assessment."


def _pick(*parts: str) -> int:
    return int(hashlib.sha256("/".join(parts).encode()).hexdigest()[:8], 16)


def _level(levels: dict[str, Level], *parts: str, lift: int = 0) -> Level:
    roll = min(_pick(*parts) % 10 + lift, 9)
    if roll < 1:
        return levels["dont_know"]
    if roll < 4:
        return levels["no"]
    if roll < 7:
        return levels["partly"]
    return levels["yes"]


def _selftest(
    framework: Framework,
    city: City,
    levels: dict[str, Level],
    examples: dict[tuple[str, str], str],
    *,
    when: datetime,
    seed: str,
    lift: int = 0,
) -> Assessment:
    assessment = Assessment.objects.create(
        city=city,
        framework=framework,
        kind=AssessmentKind.SELF_TEST,
        state=AssessmentState.VALIDATED,
        is_illustrative=True,
        share_evidence=True,
        last_activity_at=when,
        submitted_at=when,
        validated_at=when + timedelta(days=7),
    )
    Assessment.objects.filter(pk=assessment.pk).update(created_at=when - timedelta(days=30))
    answers = []
    for section in framework.sections.all():
        for item in section.items.all():
            if item.kind != ItemKind.RATING:
                continue
            example = examples.get((city.slug, section.key))
            level = _level(levels, seed, city.slug, item.key, lift=lift + (3 if example else 0))
            evidence = "" if not level.requires_evidence else example or ILLUSTRATIVE
            answers.append(
                Answer(
                    assessment=assessment,
                    item=item,
                    level=level,
                    evidence=evidence,
                    is_answered=True,
                    version=1,
                )
            )
    bulk_create_with_history(answers, Answer, default_date=when)  # a history row each
    Assessment.objects.filter(pk=assessment.pk).recount_answered()  # bulk writes skip it
    scores_record(assessments=[assessment])
    return assessment


@transaction.atomic
def load_demo_selftests() -> None:
    framework = (
        Framework.objects.filter(lineage=LINEAGE, status="published").order_by("-version").first()
    )
    if framework is None or Assessment.objects.filter(framework__lineage=LINEAGE).exists():
        return
    framework = Framework.objects.prefetch_related("sections__items").get(pk=framework.pk)
    levels = {level.key: level for level in Level.objects.filter(scale__framework=framework)}
    examples: dict[tuple[str, str], str] = {}
    for section in framework.sections.all():
        for example in section.examples:
            slug: Any = example.get("city_slug")
            if slug and (slug, section.key) not in examples:
                examples[(slug, section.key)] = translate(example["text"])
    cities = {city.slug: city for city in City.objects.filter(slug__in={s for s, _ in examples})}
    now = timezone.now()
    for slug, city in sorted(cities.items()):
        if slug == "ghent":
            continue
        _selftest(framework, city, levels, examples, when=now - timedelta(days=90), seed="2025")
    ghent = cities.get("ghent")
    if ghent is not None:
        # The earlier self-test has no examples credited: the toolkit describes Ghent as it is now.
        _selftest(framework, ghent, levels, {}, when=now - timedelta(days=460), seed="2024")
        _selftest(
            framework, ghent, levels, examples, when=now - timedelta(days=60), seed="2025", lift=1
        )
