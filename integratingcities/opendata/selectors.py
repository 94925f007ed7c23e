"""What is published as open data, and under which licence."""

from collections import defaultdict

from django.db.models import Count, Q, QuerySet

from integratingcities.assessments.models import Assessment, AssessmentState
from integratingcities.frameworks.models import Framework, FrameworkKind, FrameworkStatus
from integratingcities.rounds.models import Round, RoundStatus

from .models import OpenDataSettings


def licence_settings() -> OpenDataSettings:
    """The secretariat's choice, or the defaults (CC BY 4.0) until it saves one."""
    return OpenDataSettings.objects.filter(pk=1).first() or OpenDataSettings(pk=1)


def published_rounds() -> QuerySet[Round]:
    """Rounds whose results are published: their validated answers are open data."""
    return (
        Round.objects.filter(status=RoundStatus.PUBLISHED)
        .select_related("framework")
        .order_by("-opens_on", "title")
    )


def shared_benchmarks() -> list[tuple[Framework, list[int], bool]]:
    """Each published benchmark of which a city shared a validated self-test: its latest
    published version, the ids of every version of its lineage, and whether any shared
    self-test is illustrative (two queries)."""
    found = dict(
        Assessment.objects.self_tests()
        .filter(
            state=AssessmentState.VALIDATED,
            share_evidence=True,
            framework__kind=FrameworkKind.BENCHMARK,
        )
        .order_by()
        .values("framework__lineage")
        .annotate(illustrative=Count("pk", filter=Q(is_illustrative=True)))
        .values_list("framework__lineage", "illustrative")
    )
    latest: dict[str, Framework] = {}
    versions: dict[str, list[int]] = defaultdict(list)
    for framework in Framework.objects.filter(
        lineage__in=list(found), kind=FrameworkKind.BENCHMARK
    ).order_by("lineage", "-version"):
        versions[framework.lineage].append(framework.pk)
        if framework.status == FrameworkStatus.PUBLISHED:
            latest.setdefault(framework.lineage, framework)
    return [
        (latest[lineage], versions[lineage], bool(found[lineage])) for lineage in sorted(latest)
    ]
