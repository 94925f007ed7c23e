from typing import Any

from django.db.models import Prefetch, QuerySet

from integratingcities.permissions import visible_to

from .models import Framework, FrameworkKind, FrameworkStatus, Item, Level, Scale, Section


def visible_frameworks(user: Any) -> QuerySet[Framework]:
    """Published versions for everyone; drafts too for the secretariat."""
    return visible_to(user, Framework).order_by("kind", "lineage", "-version")


def with_content(frameworks: QuerySet[Framework]) -> QuerySet[Framework]:
    """Sections, items and scale levels in a fixed number of queries."""
    return frameworks.prefetch_related(
        Prefetch(
            "sections",
            queryset=Section.objects.order_by("position").prefetch_related(
                Prefetch("items", queryset=Item.objects.order_by("position"))
            ),
        ),
        Prefetch(
            "scales",
            queryset=Scale.objects.prefetch_related(
                Prefetch("levels", queryset=Level.objects.order_by("position"))
            ),
        ),
    )


def current_charter() -> Framework | None:
    return (
        with_content(
            Framework.objects.filter(kind=FrameworkKind.CHARTER, status=FrameworkStatus.PUBLISHED)
        )
        .order_by("-version")
        .first()
    )
