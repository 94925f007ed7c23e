from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from integratingcities.lib import page_cache
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


OUTLINE_SECONDS = 60 * 60


@dataclass(frozen=True)
class Outline:
    """What every page of a survey reads of its framework: the sections in order, each with
    ``item_count``; each section's questions in order, by section id; and each scale's levels
    in order, by scale id."""

    sections: list[Section]
    items: dict[int, list[Item]]
    levels: dict[int, list[Level]]

    def section(self, key: str) -> Section | None:
        return next((section for section in self.sections if section.key == key), None)


def outline(framework_id: int) -> Outline:
    """The framework's ``Outline``, kept in the shared cache under the frameworks' token (one
    cache read instead of three queries on each page an editor opens or saves; any change to
    a framework replaces the token, ``lib.page_cache``, and nothing else is read: a survey
    validated or a practice edited leaves it kept). Each call returns its own copy, which the
    caller may annotate."""
    return page_cache.kept(
        f"frameworks:outline:{framework_id}",
        lambda: _outline(framework_id),
        OUTLINE_SECONDS,
        apps=("frameworks",),
    )


def _outline(framework_id: int) -> Outline:
    items: dict[int, list[Item]] = defaultdict(list)
    for item in Item.objects.filter(section__framework_id=framework_id).order_by(
        "section_id", "position"
    ):
        items[item.section_id].append(item)
    levels: dict[int, list[Level]] = defaultdict(list)
    # By scale (in the scales' order, their key) and position: the levels' dict lists the
    # scales in that order.
    for level in Level.objects.filter(scale__framework_id=framework_id).order_by(
        "scale__key", "position"
    ):
        levels[level.scale_id].append(level)
    return Outline(
        sections=list(
            Section.objects.filter(framework_id=framework_id)
            .annotate(item_count=Count("items"))
            .order_by("position")
        ),
        items=dict(items),
        levels=dict(levels),
    )
