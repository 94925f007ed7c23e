"""The city profile's rows of the access matrix (tests/test_access_matrix.py)."""

from integratingcities.assessments.models import Assessment, AssessmentState
from integratingcities.frameworks.models import Framework
from integratingcities.lib.testing import People

ROLES = ["anonymous", "secretariat", "editor", "viewer", "reviewer", "outsider"]
PUBLIC = dict.fromkeys(ROLES, 200)
# Ghent's shared, validated self-test: the profile shows it to everyone.
SHARED_SELFTEST = 7101
GHENT_ASSESSMENTS = (SHARED_SELFTEST,)  # listed by the API to Ghent's people

MATRIX = {
    "cities:profile": ({"slug": "ghent"}, PUBLIC),
}


def content(people: People) -> None:
    benchmark = Framework.objects.get(lineage="anti-discrimination-job-market", version=1)
    Assessment.objects.create(
        pk=SHARED_SELFTEST,
        city=people.ghent,
        framework=benchmark,
        state=AssessmentState.VALIDATED,
        share_evidence=True,
    )
