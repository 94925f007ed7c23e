"""A framework's outline is kept under the frameworks' token: writes to other apps (a survey
validated, a practice edited) leave it kept, and a change to the framework is seen at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from integratingcities.frameworks.models import Framework, Section
from integratingcities.frameworks.selectors import outline
from integratingcities.frameworks.services import framework_import_path
from integratingcities.lib import page_cache
from integratingcities.toolkits.tests.test_toolkits import FILE

pytestmark = pytest.mark.django_db


def _framework_reads(captured: CaptureQueriesContext) -> int:
    return sum(1 for query in captured if 'FROM "frameworks_' in query["sql"])


@pytest.fixture
def benchmark(db: None) -> Framework:
    return framework_import_path(path=FILE, publish=True).framework


def test_the_outline_outlives_writes_to_other_apps(benchmark: Framework) -> None:
    outline(benchmark.pk)
    page_cache.bump_apps(["assessments", "results", "practices", "cities"])
    with CaptureQueriesContext(connection) as captured:
        kept = outline(benchmark.pk)
    assert _framework_reads(captured) == 0
    assert [s.key for s in kept.sections] == list(
        Section.objects.filter(framework=benchmark)
        .order_by("position")
        .values_list("key", flat=True)
    )


def test_a_changed_framework_is_read_again(benchmark: Framework) -> None:
    first = outline(benchmark.pk).sections[0]
    Section.objects.filter(pk=first.pk).update(title="A new title")
    with CaptureQueriesContext(connection) as captured:
        again = outline(benchmark.pk)
    assert _framework_reads(captured) == 3
    assert again.sections[0].title == "A new title"


def test_a_bump_makes_it_stale_too(benchmark: Framework) -> None:
    outline(benchmark.pk)
    page_cache.bump()
    with CaptureQueriesContext(connection) as captured:
        outline(benchmark.pk)
    assert _framework_reads(captured) == 3
