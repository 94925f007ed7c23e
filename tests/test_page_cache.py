"""Whole public pages kept for anonymous visitors (lib/page_cache.py), and never stale.

The page cache is off in the other tests (a kept page carries no template context, which tests
read on a second visit) and on here; these tests say what it keeps, for whom, and what makes a
kept page stale. A test's own transaction never commits, so there a write makes the pages stale
at once; ``committed`` runs the real rule (stale once the write's transaction commits).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django_tasks import task_backends
from django_tasks.backends.dummy import DummyBackend

from integratingcities.assessments.models import Assessment, AssessmentState
from integratingcities.assessments.services import (
    AnswerInput,
    answers_save,
    assessment_submit,
    assessment_validate,
)
from integratingcities.cities.models import City
from integratingcities.cities.services import city_save
from integratingcities.frameworks.models import Framework, Item, Level
from integratingcities.frameworks.services import framework_import_path
from integratingcities.lib import page_cache
from integratingcities.lib.page_cache import GENERATION_KEY
from integratingcities.lib.testing import People, client_for
from integratingcities.practices.models import PracticeStatus
from integratingcities.practices.services import practice_publish
from integratingcities.practices.tests.factories import PracticeFactory
from integratingcities.rounds.services import round_open

SIGNATORIES = "/signatories/"


@pytest.fixture(autouse=True)
def page_cache_on(settings: Any) -> None:
    """Off in the other tests (pyproject.toml): a kept page has no template context to read."""
    settings.PAGE_CACHE_SECONDS = 300


def _generation() -> Any:
    return cache.get(GENERATION_KEY)


@pytest.mark.django_db
def test_a_second_visitor_is_answered_from_the_cache_without_a_query(
    people: People, django_assert_num_queries: Any
) -> None:
    first = Client().get(SIGNATORIES)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = Client().get(SIGNATORIES)
    assert second.status_code == 200
    assert second.content == first.content
    for header in ("Content-Type", "ETag", "Content-Language", "Vary", "Cache-Control"):
        assert second[header] == first[header], header


@pytest.mark.django_db
def test_the_query_is_one_key_whatever_its_order(
    people: People, django_assert_num_queries: Any
) -> None:
    assert Client().get(SIGNATORIES, QUERY_STRING="sort=-signed&country=BE").status_code == 200
    with django_assert_num_queries(0):
        again = Client().get(SIGNATORIES, QUERY_STRING="country=BE&sort=-signed")
    assert again.status_code == 200
    # Another query is another page.
    assert b"Ghent" not in Client().get(SIGNATORIES, {"country": "LV"}).content


@pytest.mark.django_db
def test_a_repeat_with_the_etag_is_a_304_without_rendering(
    people: People, django_assert_num_queries: Any
) -> None:
    etag = Client().get(SIGNATORIES)["ETag"]
    with django_assert_num_queries(0):
        again = Client().get(SIGNATORIES, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.django_db
def test_head_is_answered_from_the_page_a_get_kept(
    people: People, django_assert_num_queries: Any
) -> None:
    etag = Client().get(SIGNATORIES)["ETag"]
    with django_assert_num_queries(0):
        head = Client().head(SIGNATORIES)
    assert head.status_code == 200
    assert head["ETag"] == etag
    assert head.content == b""


@pytest.mark.django_db
def test_each_language_is_kept_apart(people: People) -> None:
    for language in ("fr", "de", "en", "fr"):
        by_header = Client().get(SIGNATORIES, headers={"accept-language": language})
        assert by_header["Content-Language"] == language
        by_cookie = Client()
        by_cookie.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        assert by_cookie.get(SIGNATORIES)["Content-Language"] == language


@pytest.mark.django_db
def test_a_logged_in_person_never_gets_the_visitors_page_nor_the_reverse(
    people: People,
) -> None:
    visitor = Client().get(SIGNATORIES)
    editor = client_for(people.editor).get(SIGNATORIES)
    assert "private" in editor["Cache-Control"]
    assert b"csrfmiddlewaretoken" in editor.content  # the logged-in language form
    assert b"csrfmiddlewaretoken" not in visitor.content
    again = Client().get(SIGNATORIES)
    assert b"csrfmiddlewaretoken" not in again.content
    assert again.content == visitor.content


@pytest.mark.django_db
def test_a_request_with_another_cookie_or_credentials_goes_to_the_view(
    people: People, django_assert_num_queries: Any
) -> None:
    Client().get(SIGNATORIES)
    with_message = Client()
    with_message.cookies["messages"] = "something"
    with django_assert_num_queries(3):  # the page's own queries: rendered
        with_message.get(SIGNATORIES)
    with django_assert_num_queries(3):
        Client().get(SIGNATORIES, headers={"authorization": "Bearer something"})


@pytest.mark.django_db
def test_a_response_that_sets_a_cookie_is_never_kept(people: People) -> None:
    login = reverse("accounts:login")
    assert Client().get(login).cookies
    # Kept, it would have come back without its cookie.
    assert Client().get(login).cookies


@pytest.mark.django_db
def test_nothing_is_kept_when_it_is_turned_off(
    people: People, settings: Any, django_assert_num_queries: Any
) -> None:
    settings.PAGE_CACHE_SECONDS = 0
    Client().get(SIGNATORIES)
    with django_assert_num_queries(3):
        Client().get(SIGNATORIES)


@pytest.mark.django_db
def test_editing_a_city_shows_at_once(people: People) -> None:
    assert b"Gent" not in Client().get("/cities/").content
    ghent = City.objects.get(pk=people.ghent.pk)
    ghent.name = "Gent"
    city_save(city=ghent, user=people.secretariat)
    assert b"Gent" in Client().get("/cities/").content


@pytest.mark.django_db
def test_a_write_that_sends_no_signal_shows_at_once(people: People) -> None:
    Client().get("/cities/")
    City.objects.filter(pk=people.ghent.pk).update(name="Gand")
    assert b"Gand" in Client().get("/cities/").content


@pytest.mark.django_db
def test_the_library_is_kept_though_its_counts_are_read_with_a_cte(
    people: People, django_assert_num_queries: Any
) -> None:
    PracticeFactory.create_batch(3, commitments=["workforce-diversity"])
    library = reverse("practices:library")
    first = Client().get(library)
    with django_assert_num_queries(0):
        assert Client().get(library).content == first.content


@pytest.mark.django_db
def test_raw_sql_on_a_public_table_bumps_and_other_tables_do_not(people: People) -> None:
    Client().get(SIGNATORIES)
    before = _generation()
    with connection.cursor() as cursor:
        cursor.execute("WITH n AS (SELECT 1) SELECT * FROM n")
        cursor.execute("UPDATE accounts_user SET name = name")
        cursor.execute("DELETE FROM django_session")
    assert _generation() == before
    with connection.cursor() as cursor:
        cursor.execute("update cities_city set name = name")
    assert _generation() != before


@pytest.mark.django_db
def test_publishing_a_practice_shows_at_once(people: People) -> None:
    proposed = PracticeFactory.create(
        city=people.ghent, title="Jobs fair for newcomers", status=PracticeStatus.PROPOSED
    )
    library = reverse("practices:library")
    assert b"Jobs fair for newcomers" not in Client().get(library).content
    practice_publish(practice=proposed, user=people.secretariat)
    assert b"Jobs fair for newcomers" in Client().get(library).content


@pytest.mark.django_db
def test_the_command_makes_every_kept_page_stale(people: People) -> None:
    Client().get(SIGNATORIES)
    before = _generation()
    call_command("clear_page_cache", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _generation() not in (None, before)


@pytest.mark.django_db
def test_what_is_kept_for_some_apps_is_made_again_after_writes_to_them_only(
    people: People,
) -> None:
    made: list[int] = []

    def make() -> int:
        made.append(1)
        return len(made)

    def read() -> int:
        return page_cache.kept("test:drawn", make, 60, apps=("indicators", "cities"))

    assert read() == 1 and read() == 1
    # Another public app, a survey validated: the pages are stale, this is not.
    before = _generation()
    practice = PracticeFactory.create(city=people.ghent, status=PracticeStatus.PROPOSED)
    practice_publish(practice=practice, user=people.secretariat)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE assessments_assessment SET state = state")
    assert _generation() != before
    assert read() == 1
    # A write to one of its apps, with or without a signal.
    City.objects.filter(pk=people.ghent.pk).update(name="Gand")
    assert read() == 2 and read() == 2
    with connection.cursor() as cursor:
        cursor.execute("UPDATE indicators_indicator SET name = name")
    assert read() == 3
    # bump() (the command), and a write the watcher cannot place.
    call_command("clear_page_cache", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert read() == 4
    with connection.cursor() as cursor:
        cursor.execute("WITH n AS (SELECT 1) UPDATE cities_city SET name = name")
    assert read() == 5
    # Its tokens lost from the cache: made again, never stale.
    cache.delete(page_cache._app_key("cities"))
    assert read() == 6 and read() == 6
    with pytest.raises(ValueError, match="accounts"):
        page_cache.kept("test:nowhere", lambda: 0, 60, apps=("accounts",))


@pytest.mark.django_db
def test_a_value_that_keep_refuses_is_made_each_time() -> None:
    made: list[int] = []

    def read() -> int:
        return page_cache.kept(
            "test:odd", lambda: made.append(1) or len(made), 60, keep=lambda n: n % 2 == 0
        )

    assert [read(), read(), read(), read()] == [1, 2, 2, 2]


# --- the rule after a real commit ---------------------------------------------------------


@pytest.fixture
def committed(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Writes make pages stale when their transaction commits, as outside a test: each
    ``with committed():`` block is one transaction, committed at its end (its callbacks run
    and are cleared, as Django does on a commit)."""
    monkeypatch.setattr(page_cache, "_in_test_transaction", lambda connection: False)

    @contextmanager
    def block() -> Iterator[None]:
        start = len(connection.run_on_commit)
        yield
        callbacks = connection.run_on_commit[start:]
        del connection.run_on_commit[start:]
        for _savepoints, callback, _robust in callbacks:
            callback()

    return block


@pytest.fixture
def charter(db: None) -> Framework:
    return framework_import_path(
        path=Path(settings.BASE_DIR) / "content/frameworks/charter.v1.yaml", publish=True
    ).framework


def _answer_everything(assessment: Assessment, people: People) -> None:
    fully = Level.objects.get(scale__framework=assessment.framework, key="fully")
    inputs = {}
    for item in Item.objects.filter(section__framework=assessment.framework):
        if item.kind == "rating":
            inputs[item] = AnswerInput(level=fully, evidence="We do it.")
        elif item.kind in ("single_choice", "multiple_choice"):
            inputs[item] = AnswerInput(choices=(item.options[0]["key"],))
        elif item.kind == "number":
            inputs[item] = AnswerInput(number=Decimal(3))
        else:
            inputs[item] = AnswerInput(text="Text.")
    answers_save(assessment=assessment, user=people.editor, inputs=inputs, base_versions={})


@pytest.mark.django_db
def test_a_write_makes_pages_stale_only_once_committed(people: People, committed: Any) -> None:
    Client().get(SIGNATORIES)
    before = _generation()
    with committed():
        with transaction.atomic():
            City.objects.filter(pk=people.ghent.pk).update(name="Gand")
            assert _generation() == before, "not before the commit: a page read now is old"
        assert _generation() == before
    assert _generation() != before


@pytest.mark.django_db
def test_draft_answers_leave_pages_alone_and_each_step_of_the_workflow_does_not(
    people: People, charter: Framework, committed: Any
) -> None:
    with committed():
        round_ = round_open(
            title="Survey 2026",
            framework=charter,
            opens_on=date(2026, 1, 1),
            closes_on=date(2099, 12, 31),
            cities=[people.ghent],
            user=people.secretariat,
        )
    assessment = Assessment.objects.get(round=round_, city=people.ghent)
    with committed():
        _answer_everything(assessment, people)  # the first save starts the answers
    started = _generation()
    with committed():
        item = Item.objects.filter(section__framework=charter, kind="rating").first()
        assert item is not None
        level = Level.objects.get(scale__framework=charter, key="partly")
        answers_save(
            assessment=assessment,
            user=people.editor,
            inputs={item: AnswerInput(level=level, evidence="Half of it.")},
            base_versions={item.pk: 1},
        )
    assert _generation() == started, "a draft save makes no page stale"

    with committed():
        submitted = assessment_submit(assessment=assessment, user=people.editor)
    assert submitted.state == AssessmentState.SUBMITTED
    assert _generation() != started
    at_submission = _generation()
    with committed():
        assessment_validate(assessment=submitted, user=people.secretariat)
    assert _generation() != at_submission


@pytest.mark.django_db
def test_a_validated_answer_that_changes_makes_pages_stale(
    people: People, charter: Framework, committed: Any
) -> None:
    with committed():
        round_open(
            title="Survey 2026",
            framework=charter,
            opens_on=date(2026, 1, 1),
            closes_on=date(2099, 12, 31),
            cities=[people.ghent],
            user=people.secretariat,
        )
    assessment = Assessment.objects.get(city=people.ghent)
    with committed():
        _answer_everything(assessment, people)
    answer = assessment.answers.select_related("assessment").first()
    assert answer is not None
    with committed():
        answer.text = "Changed while still a draft."
        answer.save()
    draft = _generation()
    assert draft is not None
    with committed():
        Assessment.objects.filter(pk=assessment.pk).update(state=AssessmentState.VALIDATED)
    validated = _generation()
    assert validated != draft, "a state changed by an UPDATE makes pages stale"
    with committed():
        answer.text = "Corrected after validation."
        answer.save()
    assert _generation() != validated


@pytest.mark.django_db
def test_what_is_kept_for_an_app_is_made_again_once_its_write_commits(
    people: People, committed: Any
) -> None:
    made: list[int] = []

    def read() -> int:
        def make() -> int:
            made.append(1)
            return len(made)

        return page_cache.kept("test:drawn", make, 60, apps=("cities",))

    assert read() == 1
    with committed():
        City.objects.filter(pk=people.ghent.pk).update(name="Gand")
        PracticeFactory.create(city=people.ghent)
        assert read() == 1  # not committed yet
    assert read() == 2
    with committed():
        PracticeFactory.create(city=people.riga)
    assert read() == 2


@pytest.mark.django_db
def test_the_worker_makes_again_what_pages_keep_after_a_migrate_or_a_clearing() -> None:
    dummy = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with override_settings(TASKS=dummy):
        backend = task_backends["default"]
        assert isinstance(backend, DummyBackend)
        call_command("clear_page_cache", stdout=open("/dev/null", "w"))  # noqa: SIM115
        cleared = sorted(result.task.name for result in backend.results)
        backend.clear()
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
        migrated = sorted(result.task.name for result in backend.results)
    assert cleared == migrated == ["count_library", "warm_indicator_pages"]
