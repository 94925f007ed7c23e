"""What mentor matching reads from the database, in a fixed number of queries.

Every figure comes from the results module: each city's latest validated self-test of the
benchmark's lineage and its headline per key factor (``results.selftests.peer_set``, cached per
validation), what the benchmark scores (``results.scores.scheme_for``) and the figures peer
groups are drawn from (``results.peers.city_figures``). Only the reasons need more: how many
guide questions each implementing city answered at the lowest level, per key factor.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Count

from integratingcities.assessments.models import Answer, Assessment
from integratingcities.cities.models import City
from integratingcities.frameworks.models import (
    Framework,
    FrameworkKind,
    FrameworkStatus,
    ItemKind,
    Level,
    Section,
)
from integratingcities.lib.translation import translate
from integratingcities.results.peers import city_figures
from integratingcities.results.scores import scheme_for
from integratingcities.results.selftests import peer_set

from .matching import SIMILARITY_KINDS, Factor, Mentor, Profile, Proposal, match


def benchmarks() -> list[Framework]:
    """The latest published version of each benchmark: what cities test themselves against."""
    latest: dict[str, Framework] = {}
    for framework in Framework.objects.filter(
        kind=FrameworkKind.BENCHMARK, status=FrameworkStatus.PUBLISHED
    ).order_by("lineage", "version"):
        latest[framework.lineage] = framework
    return sorted(latest.values(), key=lambda framework: translate(framework.title))


@dataclass(frozen=True)
class CityLabel:
    pk: int
    name: str
    slug: str


@dataclass(frozen=True)
class Inputs:
    framework: Framework
    factors: list[Factor]
    titles: dict[str, str]  # key factor: its title, in the active language
    lowest_label: str  # the lowest level of the benchmark's scale ("no")
    profiles: dict[int, Profile]  # per city with a validated self-test of the lineage
    illustrative: frozenset[int]  # cities whose self-test is illustrative
    cities: dict[int, CityLabel]
    not_yet: list[int]  # cities asked for without a validated self-test

    def profile(self, city_id: int) -> Profile | None:
        return self.profiles.get(city_id)


def matching_inputs(
    framework: Framework, city_ids: Collection[int], implementing: Collection[int] = ()
) -> Inputs:
    """The profiles of ``city_ids`` for ``framework``; lowest-level counts for ``implementing``.

    About ten queries however many cities (fewer when the peers are cached).
    """
    wanted = set(city_ids)
    of = scheme_for(framework)
    sections = list(
        Section.objects.filter(framework=framework, is_context=False)
        .order_by("position")
        .values_list("key", "title")
    )
    titles = {key: translate(title) for key, title in sections}
    factors = [
        Factor(key, of.section_weights[key], of.sizes[key].items)
        for key, _title in sections
        if key in of.sizes
    ]

    peers = {
        peer.city_id: peer
        for peer in peer_set(framework, of).by_assessment.values()
        if peer.city_id in wanted
    }
    lowest_levels, lowest_label = _lowest_levels(framework)
    counts: dict[tuple[int, str], int] = {}
    asked = [peers[pk].assessment_id for pk in implementing if pk in peers]
    if asked and lowest_levels:
        for assessment_id, key, n in (
            Answer.objects.filter(
                assessment_id__in=asked,
                level_id__in=lowest_levels,
                item__kind=ItemKind.RATING,
                item__section__is_context=False,
            )
            .order_by()
            .values_list("assessment_id", "item__section__key")
            .annotate(n=Count("pk"))
        ):
            counts[(assessment_id, key)] = n

    figures = city_figures(City.objects.filter(pk__in=wanted))
    profiles = {}
    for pk, peer in peers.items():
        values = figures[pk].group_values()[1:] if pk in figures else ()
        profiles[pk] = Profile(
            pk,
            dict(peer.headlines),
            {factor.key: counts.get((peer.assessment_id, factor.key), 0) for factor in factors},
            {
                kind: value
                for kind, value in zip(SIMILARITY_KINDS, values, strict=True)
                if value is not None
            },
        )
    illustrative = frozenset(
        Assessment.objects.filter(
            pk__in=[peer.assessment_id for peer in peers.values()], is_illustrative=True
        ).values_list("city_id", flat=True)
    )
    cities = {
        pk: CityLabel(pk, name, slug)
        for pk, name, slug in City.objects.filter(pk__in=wanted).values_list("pk", "name", "slug")
    }
    return Inputs(
        framework=framework,
        factors=factors,
        titles=titles,
        lowest_label=lowest_label,
        profiles=profiles,
        illustrative=illustrative,
        cities=cities,
        not_yet=sorted(
            (pk for pk in wanted if pk not in peers),
            key=lambda pk: cities[pk].name if pk in cities else "",
        ),
    )


def propose(
    framework: Framework, implementing: list[int], capacities: dict[int, int], scheme_size: int
) -> tuple[Inputs, Proposal]:
    """Proposed schemes for these implementing cities and willing mentors (city id: capacity),
    with what they were made from. Cities without a validated self-test are left out of the
    matching and named in ``Inputs.not_yet``."""
    inputs = matching_inputs(framework, [*implementing, *capacities], implementing)
    proposal = match(
        [p for pk in implementing if (p := inputs.profile(pk)) is not None],
        [
            Mentor(p, capacity)
            for pk, capacity in capacities.items()
            if (p := inputs.profile(pk)) is not None
        ],
        inputs.factors,
        scheme_size,
    )
    return inputs, proposal


def _lowest_levels(framework: Framework) -> tuple[set[int], str]:
    """The levels at the bottom of their scale across the lineage (its self-tests may be of an
    earlier version), and the label of this version's lowest level."""
    rows = list(
        Level.objects.filter(scale__framework__lineage=framework.lineage, score__isnull=False)
        .order_by("score")
        .values_list("pk", "scale_id", "score", "label", "scale__framework_id")
    )
    bottom: dict[int, float] = {}
    for _pk, scale, score, _label, _framework in rows:
        bottom.setdefault(scale, float(score or 0))  # the query leaves out levels without one
    lowest = {pk for pk, scale, score, _label, _f in rows if float(score or 0) <= bottom[scale]}
    label = next(
        (translate(label) for pk, _s, _sc, label, f in rows if f == framework.pk and pk in lowest),
        "",
    )
    return lowest, label
