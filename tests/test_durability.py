"""Durability: no answer is lost when two editors save at once, or when the server is killed.

Two kinds of proof, as the issue asks ("a test saves while another editor saves, and one that
kills the server between two saves, and finds every answer"):

* ``TestConcurrentEditors``: two Ghent editors, each with a test client of their own in a thread
  of their own (and so a database connection of their own, committing for real), load the same
  section and post at the same moment. Saves to different questions both land; saves to the same
  question from the same version land once, and the other editor gets the conflict page (409)
  showing both versions. Never an exception, never "database is locked".
* ``test_after_an_autosave_conflict_the_next_save_keeps_the_other_answer``: the step after an
  autosave conflict, as answers.js takes it, must not overwrite the other editor's answer.
* ``test_answers_survive_the_server_being_killed_between_saves``: a real gunicorn serves a
  database made for the test; it is killed with SIGKILL right after each save is answered, and
  restarted. Every answer is then found, in the page and in the database.

On SQLite both run on a database file in WAL mode, as the site does; on PostgreSQL (DATABASE_URL)
on that server.
"""

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
import pytest
import requests
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from integratingcities.accounts.models import Membership, Role, User
from integratingcities.assessments.models import Answer, Assessment
from integratingcities.frameworks.models import Item
from integratingcities.frameworks.services import framework_import_path
from integratingcities.lib.testing import PASSWORD, UserFactory, client_for, make_people
from integratingcities.rounds.models import Round

BASE_DIR = Path(settings.BASE_DIR)
CHARTER = "content/frameworks/charter.v1.yaml"
SECTION = "policymaker"  # three rating questions
EDITOR = "editor.ghent@example.org"
WAIT = 10.0  # seconds: the bound of every single wait
ROUNDS = 3
AUTOSAVE = {"X-Autosave": "1"}

Fields = dict[str, list[str]]


# --- Reading a form as a browser would send it -------------------------------------------------


class _Forms(HTMLParser):
    """The POST forms of a page, each as the fields a browser would submit unchanged."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Fields] = []
        self._form: Fields | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {}
            self.forms.append(self._form)
        if self._form is None or not a.get("name"):
            return
        name = a["name"] or ""
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"radio", "checkbox"} and "checked" not in a:
                return
            self._form.setdefault(name, []).append(a.get("value") or "")
        elif tag == "textarea":
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None and self._form is not None:
            value = "".join(self._text)
            # A browser drops the line break that directly follows <textarea>.
            self._form.setdefault(self._textarea, []).append(value.removeprefix("\n"))
            self._textarea = None
        elif tag == "form":
            self._form = None


def form_with(html: str, field: str) -> Fields:
    """The POST form of the page that has a field named ``field`` (a regular expression)."""
    parser = _Forms()
    parser.feed(html)
    found = [form for form in parser.forms if any(re.fullmatch(field, name) for name in form)]
    assert found, f"no form with {field} in the page"
    return found[0]


def section_form(html: str) -> Fields:
    """The answer form (the page also has the log-out and language forms)."""
    return form_with(html, r"i\d+-version")


def version_of(form: Fields, item_pk: int) -> int:
    return int(form[f"i{item_pk}-version"][0])


def rating(item_pk: int, level: str, evidence: str) -> Fields:
    return {f"i{item_pk}-level": [level], f"i{item_pk}-evidence": [evidence]}


# --- Two editors saving at the same moment -----------------------------------------------------


@dataclass
class Site:
    assessment: Assessment
    editors: tuple[User, User]
    items: list[int]  # the section's questions, in order
    url: str


def ghent_site() -> Site:
    """The Charter, an open round, Ghent's assessment and two Ghent editors."""
    charter = framework_import_path(path=BASE_DIR / CHARTER, publish=True).framework
    people = make_people()
    second = UserFactory(email="second.editor.ghent@example.org", name="Second editor")
    Membership.objects.create(user=second, city=people.ghent, role=Role.EDITOR)
    survey = Round.objects.create(
        title="Survey 2026",
        framework=charter,
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 12, 31),
    )
    assessment = Assessment.objects.create(city=people.ghent, framework=charter, round=survey)
    items = list(
        Item.objects.filter(section__framework=charter, section__key=SECTION)
        .order_by("position")
        .values_list("pk", flat=True)
    )
    assert len(items) >= 2
    return Site(
        assessment=assessment,
        editors=(people.editor, second),
        items=items,
        url=reverse("assessments:section", args=[assessment.pk, SECTION]),
    )


def race(clients: list[Client], url: str, edits: list[Fields], *, autosave: bool) -> list[Any]:
    """Each editor loads the section; once all have loaded it, all post their edits at once.

    Each editor runs in a thread of its own, with a database connection of its own, closed at
    the end. A view's exception (the test client raises it) fails the test.
    """
    barrier = threading.Barrier(len(clients), timeout=WAIT)
    responses: list[Any] = [None] * len(clients)
    errors: list[BaseException] = []

    def editor(index: int) -> None:
        try:
            page = clients[index].get(url)
            assert page.status_code == 200, page.status_code
            data = section_form(page.content.decode())
            data.update(edits[index])
            barrier.wait()
            responses[index] = clients[index].post(
                url, data, headers=AUTOSAVE if autosave else None
            )
        except BaseException as error:
            errors.append(error)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=editor, args=(i,), daemon=True) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=3 * WAIT)
    assert not any(thread.is_alive() for thread in threads), "an editor's save never returned"
    assert not errors, errors
    for response in responses:
        assert b"database is locked" not in response.content
    return responses


def answers(assessment: Assessment) -> dict[int, Answer]:
    return {answer.item_id: answer for answer in Answer.objects.filter(assessment=assessment)}


def history_count(assessment: Assessment, item_pk: int) -> int:
    return Answer.history.filter(assessment_id=assessment.pk, item_id=item_pk).count()


MODES = [pytest.param(False, id="form"), pytest.param(True, id="autosave")]


@pytest.mark.usefixtures("shared_db")
class TestConcurrentEditors:
    @pytest.mark.parametrize("autosave", MODES)
    def test_saves_to_different_questions_both_land(self, autosave: bool) -> None:
        site = ghent_site()
        clients = [client_for(editor) for editor in site.editors]
        mine, theirs = site.items[0], site.items[1]
        ok = 200 if autosave else 302
        for number in range(1, ROUNDS + 1):
            edits = [
                rating(mine, "fully", f"First editor evidence, round {number}"),
                rating(theirs, "partly", f"Second editor evidence, round {number}"),
            ]
            responses = race(clients, site.url, edits, autosave=autosave)

            saved = answers(site.assessment)
            assert saved[mine].evidence == f"First editor evidence, round {number}"
            assert saved[mine].level.key == "fully"
            assert saved[theirs].evidence == f"Second editor evidence, round {number}"
            assert saved[theirs].level.key == "partly"
            assert (saved[mine].version, saved[theirs].version) == (number, number)
            assert saved[mine].updated_by == site.editors[0]
            assert saved[theirs].updated_by == site.editors[1]
            assert history_count(site.assessment, mine) == number
            assert history_count(site.assessment, theirs) == number
            # The one who saves second may be told that the other question changed under
            # them (their page still held its old answer), never that their own did.
            for response, own in zip(responses, [mine, theirs], strict=True):
                assert response.status_code in {ok, 409}, response.status_code
                if autosave:
                    body = response.json()
                    assert body["saved"] == 1
                    assert own not in body["conflicts"]
                    assert body["versions"][f"i{own}-version"] == number
            assert ok in {response.status_code for response in responses}

    @pytest.mark.parametrize("autosave", MODES)
    def test_saves_to_the_same_question_land_once_and_show_both_versions(
        self, autosave: bool
    ) -> None:
        site = ghent_site()
        clients = [client_for(editor) for editor in site.editors]
        item = site.items[0]
        ok = 200 if autosave else 302
        for number in range(1, ROUNDS + 1):
            texts = [f"First editor text, round {number}", f"Second editor text, round {number}"]
            edits = [rating(item, "fully", texts[0]), rating(item, "partly", texts[1])]
            responses = race(clients, site.url, edits, autosave=autosave)

            assert sorted(response.status_code for response in responses) == sorted([ok, 409])
            winner = next(i for i, r in enumerate(responses) if r.status_code == ok)
            loser = 1 - winner
            saved = answers(site.assessment)[item]
            assert saved.evidence == texts[winner]
            assert saved.level.key == ("fully", "partly")[winner]
            assert saved.updated_by == site.editors[winner]
            # Saved once, from the version both loaded, and recorded once.
            assert saved.version == number
            assert history_count(site.assessment, item) == number
            if autosave:
                assert responses[winner].json()["saved"] == 1
                body = responses[loser].json()
                assert body["saved"] == 0
                assert body["conflicts"] == [item]
            else:
                page = responses[loser].content.decode()
                form = section_form(page)
                # Theirs is in the form, at the version now saved; the loser's is beside it.
                assert form[f"i{item}-evidence"] == [texts[winner]]
                assert version_of(form, item) == number
                assert texts[loser] in page
                assert "Someone else saved some of these answers" in page


@pytest.mark.parametrize(
    "same_question",
    [pytest.param(True, id="same-question"), pytest.param(False, id="another-question")],
)
def test_after_an_autosave_conflict_the_next_save_keeps_the_other_answer(
    db: None, same_question: bool
) -> None:
    """After an autosave conflict, the editor's next save must not replace the other answer.

    Two editors have the section open. The first's autosave saves a question. The second's
    autosave (of the same question, or of another one: the whole form is posted, so the first
    question goes along with its old answer) is refused with 409 for that question. answers.js
    then writes every version of the response into the form's hidden fields, the conflicting
    question's included, and tells the editor to press Save "to see both versions". The form
    still holds the old answer to that question, so the next save must be refused again, not
    replace what the first editor saved.
    """
    site = ghent_site()
    first, second = (client_for(editor) for editor in site.editors)
    theirs = site.items[0]
    mine = theirs if same_question else site.items[1]
    first_form = section_form(first.get(site.url).content.decode())
    second_form = section_form(second.get(site.url).content.decode())

    first_form.update(rating(theirs, "fully", "The first editor evidence"))
    assert first.post(site.url, first_form, headers=AUTOSAVE).status_code == 200
    second_form.update(rating(mine, "partly", "The second editor evidence"))
    conflict = second.post(site.url, second_form, headers=AUTOSAVE)
    if same_question:
        assert conflict.status_code == 409
        assert conflict.json()["conflicts"] == [theirs]
    else:  # the question the second editor did not touch is left as the first one saved it
        assert conflict.status_code == 200
        assert conflict.json()["conflicts"] == []
        assert answers(site.assessment)[mine].evidence == "The second editor evidence"
    for name, version in conflict.json()["versions"].items():  # what answers.js does
        second_form[name] = [str(version)]

    response = second.post(site.url, second_form)  # the editor presses Save, as told

    assert answers(site.assessment)[theirs].evidence == "The first editor evidence"
    assert answers(site.assessment)[theirs].updated_by == site.editors[0]
    if same_question:
        assert response.status_code == 409
        assert "The first editor evidence" in response.content.decode()
        assert "The second editor evidence" in response.content.decode()
    else:
        assert answers(site.assessment)[mine].evidence == "The second editor evidence"


# --- Killing the server between two saves ------------------------------------------------------

SETUP = f"""
import json
from datetime import date
from django.core.management import call_command
from integratingcities.assessments.models import Assessment
from integratingcities.frameworks.models import Framework
from integratingcities.lib.testing import make_people
from integratingcities.rounds.models import Round

call_command("migrate", verbosity=0)
call_command("import_framework", {CHARTER!r}, "--publish")
charter = Framework.objects.get()
people = make_people()
survey = Round.objects.create(
    title="Survey 2026", framework=charter, opens_on=date(2026, 1, 1), closes_on=date(2026, 12, 31)
)
assessment = Assessment.objects.create(city=people.ghent, framework=charter, round=survey)
print(json.dumps({{"assessment": assessment.pk}}))
"""

ANSWERS_SQL = """
SELECT i.key, l.key, a.evidence, a.version
FROM assessments_answer a
JOIN frameworks_item i ON i.id = a.item_id
LEFT JOIN frameworks_level l ON l.id = a.level_id
WHERE a.assessment_id = {pk}
ORDER BY i.position
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def throwaway_database(tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database: a SQLite file, or a PostgreSQL database on the server
    DATABASE_URL names (dropped afterwards)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path / 'durable.sqlite3'}"
        return
    import psycopg

    params = dj_database_url.parse(url)
    name = f"ic_durability_{uuid.uuid4().hex[:12]}"
    server = {
        "dbname": "postgres",
        "user": params["USER"] or None,
        "password": params["PASSWORD"] or None,
        "host": params["HOST"] or None,
        "port": params["PORT"] or None,
        "connect_timeout": int(WAIT),
    }
    with psycopg.connect(**server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(**server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def read_answers(database_url: str, assessment_pk: int) -> list[tuple[Any, ...]]:
    """The answers as stored, read straight from the database, not through the site."""
    sql = ANSWERS_SQL.format(pk=int(assessment_pk))
    if database_url.startswith("sqlite:"):
        path = dj_database_url.parse(database_url)["NAME"]
        with closing(sqlite3.connect(path, timeout=WAIT)) as db:
            return [tuple(row) for row in db.execute(sql)]
    import psycopg

    with psycopg.connect(database_url, connect_timeout=int(WAIT)) as db:
        return [tuple(row) for row in db.execute(sql)]


class Server:
    """gunicorn in a process group of its own, as production runs it (see README)."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 (fixed arguments)
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "config.wsgi",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    "1",
                    "--timeout",
                    "30",
                    "--no-control-socket",
                ],
                cwd=BASE_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 2 * WAIT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the server stopped:\n{self.tail()}"
            try:
                if requests.get(f"{self.base}/accounts/login/", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        pytest.fail(f"the server did not start within {2 * WAIT:.0f} s:\n{self.tail()}")

    def kill(self) -> None:
        """SIGKILL to the master and its worker at once: no shutdown, no flushing, a crash."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=WAIT)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


def test_answers_survive_the_server_being_killed_between_saves(
    throwaway_database: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": throwaway_database,
        "DEBUG": "false",
        "SECRET_KEY": "durability-test-secret-not-for-production",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "STATIC_MANIFEST": "false",
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp_path / "server.log"
    http = requests.Session()

    with ExitStack() as cleanup:

        def spawn() -> Server:
            server = Server(env, log)
            cleanup.callback(server.kill)
            return server

        def start() -> Server:
            server = spawn()
            server.wait_ready()
            return server

        # The first server boots (imports the site, not touching the database) while the
        # database is made: migrations, the Charter, Ghent, its editor, a round, an assessment.
        server = spawn()
        setup = subprocess.run(  # noqa: S603 (fixed arguments)
            [sys.executable, "manage.py", "shell", "-v", "0", "-c", SETUP],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=6 * WAIT,
            check=False,
        )
        assert setup.returncode == 0, setup.stdout + setup.stderr
        assessment_pk = int(json.loads(setup.stdout.strip().splitlines()[-1])["assessment"])
        server.wait_ready()

        def section(server: Server) -> tuple[str, Fields]:
            url = f"{server.base}/assessments/{assessment_pk}/sections/{SECTION}/"
            page = http.get(url, timeout=WAIT, allow_redirects=False)
            assert page.status_code == 200, (page.status_code, server.tail())
            return url, section_form(page.text)

        def save(server: Server, edit: Callable[[list[int]], Fields]) -> list[int]:
            url, form = section(server)
            items = [int(n) for n in re.findall(r"^i(\d+)-version$", "\n".join(form), re.M)]
            form.update(edit(items))
            form["save"] = [""]
            response = http.post(url, data=form, timeout=WAIT, allow_redirects=False)
            assert response.status_code == 302, (response.status_code, server.tail())
            assert response.headers["Location"].endswith(f"/sections/{SECTION}/")
            return items

        # First server: log in, save answer A, and kill the server as soon as it has answered.
        login = http.get(f"{server.base}/accounts/login/", timeout=WAIT)
        credentials = form_with(login.text, "username")
        credentials.update({"username": [EDITOR], "password": [PASSWORD]})
        response = http.post(
            f"{server.base}/accounts/login/", data=credentials, timeout=WAIT, allow_redirects=False
        )
        assert response.status_code == 302, (response.status_code, server.tail())
        items = save(server, lambda items: rating(items[0], "fully", "Evidence A: a strategy."))
        server.kill()

        # Second server, same database: the session and answer A are there; save answer B on
        # the version a fresh page gives, and kill again.
        server = start()
        _, form = section(server)
        assert form[f"i{items[0]}-evidence"] == ["Evidence A: a strategy."]
        assert version_of(form, items[0]) == 1
        save(server, lambda items: rating(items[1], "partly", "Evidence B: a service."))
        server.kill()

        # Third server: both answers, with their evidence, in the page.
        server = start()
        _, form = section(server)
        assert form[f"i{items[0]}-level"] == ["fully"]
        assert form[f"i{items[0]}-evidence"] == ["Evidence A: a strategy."]
        assert form[f"i{items[1]}-level"] == ["partly"]
        assert form[f"i{items[1]}-evidence"] == ["Evidence B: a service."]
        assert (version_of(form, items[0]), version_of(form, items[1])) == (1, 1)
        server.kill()

    # And in the database itself.
    stored = read_answers(throwaway_database, assessment_pk)
    assert [row[1:] for row in stored] == [
        ("fully", "Evidence A: a strategy.", 1),
        ("partly", "Evidence B: a service.", 1),
    ]
