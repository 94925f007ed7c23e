"""Malformed and hostile values sent to the benchmark pages: upload, self-test start, sharing.

A refused upload names the path inside the file and the reason, and writes nothing (frameworks
and catalogue entries are counted before and after). Django's test client raises a view's
exception instead of answering 500, so a crash fails the test with its traceback.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from integratingcities.assessments.models import Assessment
from integratingcities.frameworks.models import Framework
from integratingcities.frameworks.services import framework_import_path
from integratingcities.lib.testing import People, client_for
from integratingcities.toolkits.models import Toolkit
from tests.test_hostile_input import HUGE, NUL, SCRIPT, SQL

BENCHMARK = Path(settings.BASE_DIR) / "content/frameworks/anti-discrimination-job-market.v1.yaml"
VALID = BENCHMARK.read_text()
CONTEXT_AS_RATING = (
    "key: national-legislation-policy\n        kind: rating\n        scale: benchmark"
)


@pytest.fixture
def benchmark(db: None) -> Framework:
    return framework_import_path(path=BENCHMARK, publish=True).framework


def _counts() -> tuple[int, int, int]:
    return Framework.objects.count(), Toolkit.objects.count(), Assessment.objects.count()


UPLOADS = [
    ("empty.yaml", b"", "file"),
    ("nul.yaml", b"schema: x\x00", "not text"),
    ("latin1.yaml", "titre: é".encode("latin-1"), "UTF-8"),
    ("not-yaml.yaml", b"a: [unclosed", "not valid YAML"),
    ("list.yaml", b"- 1\n- 2\n", "$"),
    ("script.yaml", SCRIPT.encode(), "$"),
    ("evil.yaml", b"!!python/object/apply:os.system ['true']", "not valid YAML"),
    ("bomb.yaml", b"a: &a [" + b"x," * 50 + b"]\nb: &b [*a,*a,*a,*a]\nc: [*b,*b,*b,*b]", "aliases"),
    ("huge.yaml", HUGE.encode() * 200, "2 MB"),
    ("wrong.exe", VALID.encode(), ".yaml"),
    (
        "published.yaml",
        VALID.replace("title: Anti-discrimination", "title: Changed", 1).encode(),
        "$.version",
    ),
    (
        "follows-nothing.yaml",
        VALID.replace("version: 1\n", "version: 3\nprevious_version: 2\n", 1).encode(),
        "previous_version",
    ),
    (
        "rating-context.yaml",
        VALID.replace("version: 1\n", "version: 4\n", 1)
        .replace("key: national-legislation-policy\n        kind: text", CONTEXT_AS_RATING, 1)
        .encode(),
        "context factor",
    ),
]


@pytest.mark.parametrize(("name", "content", "reason"), UPLOADS, ids=[u[0] for u in UPLOADS])
def test_a_hostile_upload_is_refused_and_nothing_written(
    people: People, benchmark: Framework, name: str, content: bytes, reason: str
) -> None:
    before = _counts()
    response = client_for(people.secretariat).post(
        reverse("toolkits:upload"), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert _counts() == before


@pytest.mark.parametrize("value", ["", NUL, SQL, "-1", "99999999999999999999", SCRIPT, "1.5"])
def test_hostile_start_and_sharing_values(people: People, benchmark: Framework, value: str) -> None:
    client = client_for(people.editor)
    response = client.post(reverse("toolkits:start", args=[benchmark.lineage]), {"city": value})
    assert response.status_code == 302
    assert not Assessment.objects.exists()
    own = Assessment.objects.create(city=people.ghent, framework=benchmark)
    response = client.post(reverse("toolkits:sharing", args=[own.pk]), {"share": value})
    assert response.status_code == 302
    for kind in (value or "x", "progress"):
        url = f"/benchmarks/self-tests/{own.pk}/chart/{kind}.svg"
        assert client.get(url).status_code == 404


def test_a_charter_assessment_has_no_benchmark_results(
    people: People, benchmark: Framework
) -> None:
    charter = framework_import_path(
        path=Path(settings.BASE_DIR) / "content/frameworks/charter.v1.yaml", publish=True
    ).framework
    survey = Assessment.objects.create(city=people.ghent, framework=charter)
    assert client_for(people.editor).get(f"/benchmarks/self-tests/{survey.pk}/").status_code == 404
    start = reverse("toolkits:start", args=["charter"])
    client_for(people.editor).post(start, {"city": people.ghent.pk})
    assert Assessment.objects.count() == 1


BILLION_LAUGHS = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [
        f"{name}: &{name} [{','.join(['*' + previous] * 9)}]"
        for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
    ]
).encode()


def test_a_yaml_alias_bomb_is_refused_before_it_is_expanded(
    people: People, benchmark: Framework
) -> None:
    """About 500 bytes standing for 9**9 strings: refused at the first anchor, nothing built."""
    assert len(BILLION_LAUGHS) < 600
    before = _counts()
    response = client_for(people.secretariat).post(
        reverse("toolkits:upload"), {"file": SimpleUploadedFile("laughs.yaml", BILLION_LAUGHS)}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "line 1, column 4" in page
    assert "anchors (&amp;) and aliases (*) are not accepted" in page
    assert "lol" not in page
    assert _counts() == before
