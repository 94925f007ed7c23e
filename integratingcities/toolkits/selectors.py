"""Reads for toolkits: the catalogue, a benchmark's content, a city's self-tests.

A self-test's results are the results module's (``integratingcities.results.selftests``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from integratingcities.assessments.models import Assessment
from integratingcities.frameworks.models import (
    Framework,
    FrameworkKind,
    FrameworkStatus,
    Level,
    Section,
)
from integratingcities.frameworks.selectors import outline

from .models import Toolkit


def catalogue(*, drafts: bool = False) -> tuple[list[Toolkit], dict[str, Framework]]:
    """The toolkits a reader may see, and the benchmark version shown for each.

    A toolkit shows its latest published version. An uploaded benchmark creates its toolkit at
    once, as a draft: a toolkit whose versions are all drafts is left out until one is published,
    unless ``drafts`` (the secretariat's view), where it comes with its latest draft. A toolkit
    with no version at all is a catalogue entry whose content is not loaded yet: it is listed.
    """
    published: dict[str, Framework] = {}
    draft: dict[str, Framework] = {}
    for framework in Framework.objects.filter(kind=FrameworkKind.BENCHMARK).order_by(
        "lineage", "version"
    ):
        if framework.status == FrameworkStatus.PUBLISHED:
            published[framework.lineage] = framework
        else:
            draft[framework.lineage] = framework
    latest = {**draft, **published} if drafts else published
    toolkits = [
        toolkit
        # The file's order (by project and year) first: an entry whose year is not known stays
        # beside its project's others instead of sorting by NULL.
        for toolkit in Toolkit.objects.select_related("project").order_by("position", "year", "key")
        if toolkit.key in latest or toolkit.key not in draft
    ]
    return toolkits, latest


@dataclass(frozen=True)
class BenchmarkContent:
    """What a benchmark's page shows of its structure, from the framework's kept outline (one
    cache read, where five queries re-read the framework and built a model per row): the
    sections in order, each with its ``questions``, and each scale's levels."""

    sections: list[Section]
    scale_levels: list[list[Level]]


def benchmark_content(framework: Framework) -> BenchmarkContent:
    found = outline(framework.pk)
    for section in found.sections:
        section.questions = found.items.get(section.pk, [])  # type: ignore[attr-defined]
    return BenchmarkContent(found.sections, list(found.levels.values()))


def selftests_of(city_id: int, lineage: str) -> QuerySet[Assessment]:
    return (
        Assessment.objects.self_tests()
        .filter(city_id=city_id, framework__lineage=lineage)
        .select_related("framework")
        .order_by("-created_at")
    )
