"""The open data's rows of the access matrix (tests/test_access_matrix.py)."""

from django.utils import timezone

from integratingcities.assessments.models import Answer, Assessment
from integratingcities.frameworks.models import Framework, Item, Level
from integratingcities.lib.testing import ApiCall as Call
from integratingcities.lib.testing import People

ROLES = ["anonymous", "secretariat", "editor", "viewer", "reviewer", "outsider"]
PUBLIC = dict.fromkeys(ROLES, 200)
SECRETARIAT = {**dict.fromkeys(ROLES, 403), "anonymous": "login", "secretariat": 200}
# An open round's files: the secretariat may export it (validated answers only), nobody else
# may know it exists.
DRAFT = {**dict.fromkeys(ROLES, 404), "secretariat": 200}
NOBODY = dict.fromkeys(ROLES, 404)
OPEN, PUBLISHED = 1001, 1002  # the rounds of tests/test_access_matrix.py
BENCHMARK = "anti-discrimination-job-market"
SHARED_SELFTEST = 7300
RIGA_ASSESSMENTS = (SHARED_SELFTEST,)  # listed by the API to Riga's editor and the secretariat

MATRIX = {
    "opendata:index": ({}, PUBLIC),
    "opendata:settings": ({}, SECRETARIAT),
    "opendata:datapackage": ({}, PUBLIC),
    "opendata:round_answers": ({"pk": PUBLISHED}, PUBLIC),
    "opendata:round_summary": ({"pk": OPEN}, DRAFT),
    "opendata:round_json": ({"pk": PUBLISHED}, PUBLIC),
    "opendata:benchmark_answers": ({"lineage": BENCHMARK}, PUBLIC),
    "opendata:benchmark_summary": ({"lineage": BENCHMARK}, PUBLIC),
    "opendata:benchmark_json": ({"lineage": "no-such-benchmark"}, NOBODY),
    "practices:export_xlsx": ({}, PUBLIC),
}

API_MATRIX = {
    ("GET", "/api/v1/open-data/"): [Call("/api/v1/open-data/", PUBLIC)],
    ("GET", "/api/v1/rounds/{round_id}/answers"): [
        Call(f"/api/v1/rounds/{PUBLISHED}/answers", PUBLIC),
        Call(f"/api/v1/rounds/{OPEN}/answers", NOBODY),
    ],
    ("GET", "/api/v1/benchmarks/{lineage}/answers"): [
        Call(f"/api/v1/benchmarks/{BENCHMARK}/answers", PUBLIC),
        Call("/api/v1/benchmarks/no-such-benchmark/answers", NOBODY),
    ],
}


def content(people: People) -> None:
    """Riga's validated self-test of the benchmark, shared, with one answer."""
    framework = Framework.objects.get(lineage=BENCHMARK, version=1)
    now = timezone.now()
    selftest = Assessment.objects.create(
        pk=SHARED_SELFTEST,
        city=people.riga,
        framework=framework,
        state="validated",
        share_evidence=True,
        submitted_at=now,
        validated_at=now,
    )
    item = Item.objects.filter(section__framework=framework, kind="rating").first()
    assert item is not None and item.scale_id is not None
    Answer.objects.create(
        assessment=selftest,
        item=item,
        level=Level.objects.filter(scale_id=item.scale_id).first(),
        evidence="A plan.",
        is_answered=True,
    )
