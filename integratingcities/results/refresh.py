"""After a validation: the peer statistics it made stale, computed once, before any visitor.

Called by the validation service once its transaction has committed. The pages keep computing
them lazily too (``stored.standing``): this only spares the first visitor the wait, and does
nothing when another process has computed them already.
"""

from __future__ import annotations

from integratingcities.assessments.models import Assessment, AssessmentKind
from integratingcities.frameworks.models import Framework

from .models import PeerStatistics
from .rounds import round_standing
from .selftests import peer_standing


def refresh_after_validation(assessment_id: int) -> None:
    """For the new validation stamp: the statistics of a round whose results were visited (a
    round open for answers, where nobody reads them, is not scored again at each of its
    validations); or of the self-test's framework version (the city reads its results next),
    and of every other version of its lineage whose results were visited."""
    assessment = (
        Assessment.objects.select_related("framework", "round").filter(pk=assessment_id).first()
    )
    if assessment is None:
        return
    if assessment.round is not None:
        if PeerStatistics.objects.filter(scope=f"round:{assessment.round_id}").exists():
            round_standing(assessment.round, assessment.city_id)
    elif assessment.kind == AssessmentKind.SELF_TEST:
        versions = {
            f"selftest:{pk}": pk
            for pk in Framework.objects.filter(lineage=assessment.framework.lineage).values_list(
                "pk", flat=True
            )
        }
        visited = set(
            PeerStatistics.objects.filter(scope__in=list(versions)).values_list("scope", flat=True)
        )
        frameworks = Framework.objects.filter(
            pk__in={assessment.framework_id} | {versions[scope] for scope in visited}
        )
        for framework in frameworks:
            peer_standing(framework, assessment.city_id)
