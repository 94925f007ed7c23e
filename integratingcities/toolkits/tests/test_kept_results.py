"""A validated self-test's results are kept as HTML per data generation: a repeat visit, by
anyone who may see them, neither reads the answers nor scores them, and any change to what they
show is seen at once. A draft's results, whose answers change without a new generation, are made
on every visit."""

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integratingcities.assessments.models import Answer, AssessmentState
from integratingcities.assessments.services import assessment_validate
from integratingcities.frameworks.models import Framework, Level
from integratingcities.frameworks.services import framework_import_path
from integratingcities.lib.testing import People, SignatoryFactory, client_for
from integratingcities.results.refresh import refresh_after_validation

from .test_toolkits import FILE, _selftest

pytestmark = pytest.mark.django_db
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
SHARING_FORM = 'name="share"'

ALL_YES = {"data-migrant-figures": "yes", "data-collector": "yes", "data-regular-updates": "yes"}
ALL_NO = {"data-migrant-figures": "no", "data-use-required": "no", "data-resources": "no"}


@pytest.fixture
def benchmark(db: None) -> Framework:
    return framework_import_path(path=FILE, publish=True).framework


def _answer_reads(captured: Any) -> int:
    return sum(1 for query in captured if 'FROM "assessments_answer"' in query["sql"])


def _body(html: str) -> str:
    """The results, without what is the reader's own (the menus, the sharing form)."""
    results = html.split('<ul class="breadcrumbs">')[1].split("</main>")[0]
    return results.split('<section aria-labelledby="sharing"')[0].rstrip()


def test_a_validated_selftests_results_are_kept_for_everyone_who_may_see_them(
    people: People, benchmark: Framework
) -> None:
    _selftest(benchmark, SignatoryFactory.create(country="BE"), ALL_YES)
    own = _selftest(benchmark, people.ghent, ALL_NO)
    url = reverse("toolkits:results", args=[own.pk])
    refresh_after_validation(own.pk)  # the worker's job: the peer statistics stored
    editor = client_for(people.editor)
    with CaptureQueriesContext(connection) as captured:
        first = editor.get(url).content.decode()
    assert _answer_reads(captured) > 0  # made once, to be kept
    assert SHARING_FORM in first
    with CaptureQueriesContext(connection) as captured:
        again = editor.get(url).content.decode()
    assert _answer_reads(captured) == 0
    assert CSRF.sub("", again) == CSRF.sub("", first)
    # Another reader of the city gets the same results, without the editor's form.
    seen = client_for(people.viewer).get(url).content.decode()
    assert SHARING_FORM not in seen
    assert _body(seen) == _body(first)


def test_kept_results_show_a_new_peer_at_once(people: People, benchmark: Framework) -> None:
    _selftest(benchmark, SignatoryFactory.create(country="BE"), ALL_YES)
    own = _selftest(benchmark, people.ghent, ALL_NO)
    url = reverse("toolkits:results", args=[own.pk])
    client = client_for(people.editor)
    assert "Compared with 1 other city" in client.get(url).content.decode()
    _selftest(benchmark, people.riga, ALL_YES)
    assert "Compared with 2 other cities" in client.get(url).content.decode()


def test_a_drafts_results_follow_each_answer_saved(people: People, benchmark: Framework) -> None:
    draft = _selftest(benchmark, people.ghent, ALL_NO, state=AssessmentState.IN_PROGRESS)
    url = reverse("toolkits:results", args=[draft.pk])
    client = client_for(people.editor)
    client.get(url)  # the peers' statistics computed and stored
    before = client.get(url).content.decode()
    # A draft's answer changed without a new generation (as a save does, lib/page_cache.py).
    yes = Level.objects.get(scale__framework=benchmark, key="yes")
    Answer.objects.filter(assessment=draft, item__key="data-migrant-figures").update(level=yes)
    with CaptureQueriesContext(connection) as captured:
        after = client.get(url).content.decode()
    assert _answer_reads(captured) > 0
    assert _body(after) != _body(before)


def test_results_compared_with_an_earlier_draft_follow_its_answers(
    people: People, benchmark: Framework
) -> None:
    earlier = _selftest(
        benchmark, people.ghent, ALL_NO, state=AssessmentState.IN_PROGRESS, days_ago=20
    )
    own = _selftest(benchmark, people.ghent, ALL_YES)
    url = reverse("toolkits:results", args=[own.pk])
    client = client_for(people.editor)
    client.get(url)  # the peers' statistics computed and stored
    before = client.get(url).content.decode()
    assert "Previous self-test" in before
    yes = Level.objects.get(scale__framework=benchmark, key="yes")
    Answer.objects.filter(assessment=earlier).update(level=yes)  # a draft's answers, unseen
    after = client.get(url).content.decode()
    assert _body(after) != _body(before)


def test_after_a_validation_the_worker_makes_the_results_its_city_reads_next(
    people: People, benchmark: Framework, django_capture_on_commit_callbacks: Any
) -> None:
    _selftest(benchmark, SignatoryFactory.create(country="BE"), ALL_YES, share=True)
    own = _selftest(benchmark, people.ghent, ALL_NO, state=AssessmentState.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):  # the worker's job, at once here
        assessment_validate(assessment=own, user=people.secretariat, reason="Checked")
    url = reverse("toolkits:results", args=[own.pk])
    kept = {}
    for language in ("en", "fr", "de"):
        client = client_for(people.editor)
        client.cookies["django_language"] = language
        with CaptureQueriesContext(connection) as captured:
            kept[language] = client.get(url).content.decode()
        assert _answer_reads(captured) == 0, language  # made by the worker, in each language
        assert f'<html lang="{language}">' in kept[language]
    cache.clear()  # what the worker made is what a visit makes
    assert _body(client_for(people.editor).get(url).content.decode()) == _body(kept["en"])
