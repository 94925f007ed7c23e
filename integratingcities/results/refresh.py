"""After a validation: the peer statistics it made stale, computed once, before any visitor.

Called by the validation service once its transaction has committed. The pages keep computing
them lazily too (``stored.standing``): this only spares the first visitor the wait, and does
nothing when another process has computed them already.
"""

from __future__ import annotations

from integratingcities.assessments.models import Assessment, AssessmentKind
from integratingcities.frameworks.models import Framework
from integratingcities.rounds.models import Round

from .models import PeerStatistics
from .rounds import ResultFilters, counted_assessments, round_results, round_standing
from .selftests import peer_standing, shared_standing


def refresh_after_validation(assessment_id: int) -> None:
    """For the new validation stamp: the statistics of a round whose results were visited (a
    round open for answers, where nobody reads them, is not scored again at each of its
    validations); or of the self-test's framework version (the city reads its results next),
    and of every other version of its lineage whose results were visited, and of the versions
    whose city profiles were (``shared_standing``)."""
    assessment = (
        Assessment.objects.select_related("framework", "round").filter(pk=assessment_id).first()
    )
    if assessment is None:
        return
    if assessment.round is not None:
        if PeerStatistics.objects.filter(scope=f"round:{assessment.round_id}").exists():
            warm_round(assessment.round)
    elif assessment.kind == AssessmentKind.SELF_TEST:
        pks = Framework.objects.filter(lineage=assessment.framework.lineage).values_list(
            "pk", flat=True
        )
        versions = {f"selftest:{pk}": pk for pk in pks}
        shared = {f"selftest-shared:{pk}": pk for pk in pks}
        visited = set(
            PeerStatistics.objects.filter(scope__in=[*versions, *shared]).values_list(
                "scope", flat=True
            )
        )
        frameworks = Framework.objects.filter(
            pk__in={assessment.framework_id} | {versions[s] for s in visited if s in versions}
        )
        for framework in frameworks:
            peer_standing(framework, assessment.city_id)
        # The city profiles' statistics (of the cities that share), where profiles were read.
        for framework in Framework.objects.filter(
            pk__in=[shared[s] for s in visited & set(shared)]
        ):
            shared_standing(framework, assessment.city_id)


def warm_round(round_: Round | int) -> None:
    """What a round's results pages compute first, computed now: its peer statistics and the
    unfiltered level counts (each seconds of SQL at 20,000 cities). After publication, and
    after a validation in a round whose results were visited."""
    if isinstance(round_, int):
        found = Round.objects.filter(pk=round_).first()
        if found is None:
            return
        round_ = found
    everyone = ResultFilters()
    round_results(round_, everyone)
    city_id = counted_assessments(round_, everyone).values_list("city_id", flat=True).first()
    if city_id is not None:
        round_standing(round_, city_id)
