"""Every URL and every API operation, tried as every role: who may see what (DESIGN section 7)."""

import copy
import importlib
import json
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from integratingcities.accounts.services import token_create
from integratingcities.api.api import api
from integratingcities.assessments.models import Answer, Assessment
from integratingcities.frameworks import services as framework_services
from integratingcities.frameworks.models import Framework, Item
from integratingcities.indicators.models import ImportBatch, Indicator, IndicatorValue
from integratingcities.indicators.services import indicators_load
from integratingcities.lib.testing import ApiCall as Call
from integratingcities.lib.testing import People, client_for, make_people
from integratingcities.network.models import NewsItem, NewsStatus, Project
from integratingcities.notifications.models import Kind, Notification
from integratingcities.practices.models import Practice
from integratingcities.rounds.models import Round

ROLES = ["anonymous", "secretariat", "editor", "viewer", "reviewer", "outsider"]
PUBLIC = dict.fromkeys(ROLES, 200)
LOGGED_IN = {**dict.fromkeys(ROLES, 200), "anonymous": "login"}
SECRETARIAT = {**dict.fromkeys(ROLES, 403), "anonymous": "login", "secretariat": 200}
GHENT_PRIVATE = {**dict.fromkeys(ROLES, 200), "anonymous": "login", "outsider": 403}
DRAFT = {**dict.fromkeys(ROLES, 404), "secretariat": 200}
GHENT_ANSWERS = {**GHENT_PRIVATE, "outsider": 404}
OPEN, PUBLISHED, ANSWERS, VALIDATED, SELFTEST = 1001, 1002, 2001, 2002, 3001
BENCHMARK = "anti-discrimination-job-market"
# A published practice, a draft of Ghent's, and an answer of Ghent's with evidence to propose.
PRACTICE, GHENT_DRAFT, EVIDENCE = "published-practice", "ghent-draft-practice", 4001
GHENT_DRAFT_EDIT = {**GHENT_PRIVATE, "viewer": 403, "reviewer": 403, "outsider": 404}
# A notification of Ghent's editor: nobody else may know it exists (the secretariat neither).
NOTE = 5001
EDITORS_NOTE = {**dict.fromkeys(ROLES, 404), "anonymous": "login", "editor": 302}
# A city indicator with a value of Ghent's (the catalogue is loaded from content/).
INDICATOR = "staff-migrant-background-share"
# An import holding a value of Ghent's population, an indicator open to the cities' editors.
IMPORT, IMPORTED_VALUE = 6001, 6002
# Entering a value: the secretariat, and the editors of a city (Ghent's, Riga's).
ENTER_VALUES = {**SECRETARIAT, "editor": 200, "outsider": 200}

# url name -> (kwargs, expected status per role)
MATRIX: dict[str, tuple[dict[str, object], Mapping[str, object]]] = {
    "site:home": ({}, PUBLIC),
    "frameworks:charter": ({}, PUBLIC),
    "frameworks:list": ({}, PUBLIC),
    "frameworks:detail": ({"lineage": "charter", "version": 1}, PUBLIC),
    "cities:signatories": ({}, PUBLIC),
    "cities:list": ({}, PUBLIC),
    "cities:detail": ({"slug": "ghent"}, PUBLIC),
    "cities:team": ({"slug": "ghent"}, GHENT_PRIVATE),
    "cities:create": ({}, SECRETARIAT),
    "cities:edit": ({"slug": "ghent"}, SECRETARIAT),
    "network:process": ({}, PUBLIC),
    "network:projects": ({}, PUBLIC),
    "network:project": ({"slug": "mixities"}, PUBLIC),
    "network:conferences": ({}, PUBLIC),
    "network:news": ({}, PUBLIC),
    "network:news_detail": ({"slug": "published-news"}, PUBLIC),
    "network:news_manage": ({}, SECRETARIAT),
    "network:news_create": ({}, SECRETARIAT),
    "network:news_edit": ({"slug": "published-news"}, SECRETARIAT),
    "accounts:home": ({}, LOGGED_IN),
    "accounts:login": ({}, {**PUBLIC, **dict.fromkeys(ROLES[1:], 302)}),
    "accounts:password_reset": ({}, PUBLIC),
    "accounts:password_reset_done": ({}, PUBLIC),
    "accounts:password_reset_confirm": ({"uidb64": "MQ", "token": "bad-token"}, PUBLIC),
    "accounts:password_reset_complete": ({}, PUBLIC),
    "accounts:invitations": ({}, SECRETARIAT),
    "accounts:tokens": ({}, LOGGED_IN),
    "accounts:accept_invitation": ({"token": "not-a-token"}, dict.fromkeys(ROLES, 404)),
    "rounds:list": ({}, PUBLIC),
    "rounds:create": ({}, SECRETARIAT),
    "rounds:board": ({"pk": OPEN}, SECRETARIAT),
    "rounds:results": ({"pk": PUBLISHED}, PUBLIC),
    "rounds:chart": ({"pk": PUBLISHED, "key": "policymaker"}, PUBLIC),
    "rounds:city_results": ({"pk": PUBLISHED, "slug": "ghent"}, PUBLIC),
    "assessments:list": ({}, LOGGED_IN),
    "assessments:detail": ({"pk": ANSWERS}, GHENT_ANSWERS),
    "assessments:section": ({"pk": ANSWERS, "key": "policymaker"}, GHENT_ANSWERS),
    "assessments:review": ({"pk": ANSWERS}, GHENT_ANSWERS),
    "assessments:history": ({"pk": ANSWERS}, GHENT_ANSWERS),
    "toolkits:catalogue": ({}, PUBLIC),
    "toolkits:upload": ({}, SECRETARIAT),
    "toolkits:benchmark": ({"key": BENCHMARK}, PUBLIC),
    "toolkits:version": ({"key": BENCHMARK, "version": 2}, DRAFT),
    "toolkits:results": ({"pk": SELFTEST}, GHENT_ANSWERS),
    "toolkits:chart": ({"pk": SELFTEST, "kind": "scores"}, GHENT_ANSWERS),
    "practices:library": ({}, PUBLIC),
    "practices:export_csv": ({}, PUBLIC),
    "practices:export_json": ({}, PUBLIC),
    "practices:proposals": ({}, LOGGED_IN),
    "practices:detail": ({"key": PRACTICE}, PUBLIC),
    "practices:edit": ({"key": GHENT_DRAFT}, GHENT_DRAFT_EDIT),
    "notifications:list": ({}, LOGGED_IN),
    "notifications:settings": ({}, LOGGED_IN),
    "notifications:open": ({"pk": NOTE}, EDITORS_NOTE),
    "indicators:list": ({}, PUBLIC),
    "indicators:detail": ({"key": INDICATOR}, PUBLIC),
    "indicators:chart": ({"key": INDICATOR}, PUBLIC),
    "indicators:city": ({"slug": "ghent"}, PUBLIC),
    "indicators:city_chart": ({"slug": "ghent", "key": INDICATOR}, PUBLIC),
    "indicators:manage": ({}, SECRETARIAT),
    "indicators:import": ({}, SECRETARIAT),
    "indicators:template_csv": ({}, SECRETARIAT),
    "indicators:template_xlsx": ({}, SECRETARIAT),
    "indicators:values": ({}, SECRETARIAT),
    "indicators:value_new": ({}, ENTER_VALUES),
    "indicators:indicator_new": ({}, SECRETARIAT),
    "indicators:indicator_edit": ({"key": INDICATOR}, SECRETARIAT),
    "indicators:export_csv": ({}, PUBLIC),
}
# Actions that only take POST: (url name, kwargs, who may).
ACTIONS: dict[str, tuple[dict[str, object], set[str]]] = {
    "rounds:remind": ({"pk": OPEN}, {"secretariat"}),
    "rounds:close": ({"pk": OPEN}, {"secretariat"}),
    "rounds:publish": ({"pk": OPEN}, {"secretariat"}),
    "rounds:invite": ({"pk": OPEN}, {"secretariat"}),
    "rounds:correct": ({"pk": PUBLISHED}, {"secretariat"}),
    "assessments:submit": ({"pk": ANSWERS}, {"editor"}),
    "assessments:carry_over": ({"pk": ANSWERS}, {"editor"}),
    "assessments:comment": ({"pk": ANSWERS}, {"secretariat", "reviewer"}),
    "assessments:reply": ({"pk": ANSWERS}, {"editor"}),
    "assessments:request_changes": ({"pk": ANSWERS}, {"secretariat", "reviewer"}),
    "assessments:validate": ({"pk": ANSWERS}, {"secretariat", "reviewer"}),
    "assessments:reopen": ({"pk": ANSWERS}, {"secretariat"}),
    "toolkits:publish": ({"key": BENCHMARK, "version": 2}, {"secretariat"}),
    # Any city editor may start a self-test, for a city they edit (the outsider edits Riga).
    "toolkits:start": ({"key": BENCHMARK}, {"editor", "outsider"}),
    "toolkits:sharing": ({"pk": SELFTEST}, {"editor"}),
    "practices:propose": ({"answer_id": EVIDENCE}, {"editor"}),
    "practices:submit": ({"key": GHENT_DRAFT}, {"editor"}),
    "practices:publish": ({"key": GHENT_DRAFT}, {"secretariat"}),
    "practices:send_back": ({"key": GHENT_DRAFT}, {"secretariat"}),
    "notifications:mark_all_read": ({}, set(ROLES) - {"anonymous"}),
    "indicators:import_undo": ({"pk": IMPORT}, {"secretariat"}),
    # The secretariat, and the editors of the value's city where the indicator is open to them.
    "indicators:value_delete": ({"pk": IMPORTED_VALUE}, {"secretariat", "editor"}),
}
# Names that are not pages of their own (POST-only endpoints, third-party apps).
CONFIRMED = {
    "indicators:import_undo",
    "indicators:value_delete",
    "assessments:validate",
    "assessments:request_changes",
    "rounds:close",
    "rounds:publish",
}
NOT_PAGES = {"accounts:logout", "set_language", *ACTIONS}

# Apps added later keep their rows beside their code, in ``<app>/tests/access.py``: optional
# MATRIX, ACTIONS, CONFIRMED, NOT_PAGES and API_MATRIX (same shapes as here), and
# ``content(people)`` making the objects their rows name. The role names are ROLES above.
PLUGGED = ["downloads", "reports", "opendata", "compare", "mentoring", "cities"]
_PLUGS = []
for _app in PLUGGED:
    try:
        _PLUGS.append(importlib.import_module(f"integratingcities.{_app}.tests.access"))
    except ModuleNotFoundError as missing:
        if missing.name != f"integratingcities.{_app}.tests.access":
            raise
for _plug in _PLUGS:
    MATRIX.update(getattr(_plug, "MATRIX", {}))
    ACTIONS.update(getattr(_plug, "ACTIONS", {}))
    CONFIRMED |= set(getattr(_plug, "CONFIRMED", ()))
    NOT_PAGES |= {*getattr(_plug, "NOT_PAGES", ()), *getattr(_plug, "ACTIONS", {})}


@pytest.fixture(scope="module")
def world(module_db: None) -> People:
    """The people and the content every test here reads, made once for the module."""
    people = make_people()
    _make_content(people)
    return people


@pytest.fixture
def people(world: People, db: None) -> People:
    """The module's people, copied for each test, which may change them in memory."""
    return copy.deepcopy(world)


@pytest.fixture
def content(people: People) -> None:
    """The module's content (``world``): named by the tests that read it."""


def _make_content(people: People) -> None:
    charter = framework_services.framework_import_path(
        path=Path(settings.BASE_DIR) / "content/frameworks/charter.v1.yaml", publish=True
    ).framework
    dates = {"opens_on": "2026-01-01", "closes_on": "2026-12-31", "framework": charter}
    Round.objects.create(pk=OPEN, title="Open", **dates)
    published = Round.objects.create(pk=PUBLISHED, title="Done", status="published", **dates)
    Assessment.objects.create(pk=ANSWERS, city=people.ghent, framework=charter, round_id=OPEN)
    Assessment.objects.create(
        pk=VALIDATED, city=people.ghent, framework=charter, round=published, state="validated"
    )
    Project.objects.create(slug="mixities", name="MIXITIES")
    NewsItem.objects.create(
        slug="published-news",
        title="Out",
        summary="s",
        body="b",
        status=NewsStatus.PUBLISHED,
        published_at="2024-01-01T00:00Z",
    )
    NewsItem.objects.create(slug="draft-news", title="Draft", summary="s", body="b")
    benchmark = framework_services.framework_import_path(
        path=Path(settings.BASE_DIR) / f"content/frameworks/{BENCHMARK}.v1.yaml", publish=True
    ).framework
    Assessment.objects.create(pk=SELFTEST, city=people.ghent, framework=benchmark)
    draft = Framework.objects.get(pk=benchmark.pk)
    draft.pk, draft.version, draft.status = None, 2, "draft"
    draft.save()
    item = Item.objects.get(section__framework=charter, key="workforce-diversity")
    Answer.objects.create(pk=EVIDENCE, assessment_id=ANSWERS, item=item, evidence="Targets.")
    practice = {"summary": "s", "source": "report-2015"}
    Practice.objects.create(
        key=PRACTICE, title="Out", city=people.riga, status="published", **practice
    )
    Practice.objects.create(key=GHENT_DRAFT, title="Draft", city=people.ghent, **practice)
    Notification.objects.create(
        pk=NOTE,
        recipient=people.editor,
        kind=Kind.CHANGES_REQUESTED,
        subject="Changes asked for",
        body="b",
        url=reverse("assessments:detail", kwargs={"pk": ANSWERS}),
    )
    indicators_load(Path(settings.BASE_DIR) / "content/indicators.yaml")
    IndicatorValue.objects.get_or_create(
        indicator=Indicator.objects.get(key=INDICATOR),
        city=people.ghent,
        year=2014,
        defaults={"value": 10, "basis": "migrant_background", "source": "HR survey"},
    )
    population = Indicator.objects.get(key="population")
    population.cities_may_enter = True
    population.save()
    IndicatorValue.objects.create(
        pk=IMPORTED_VALUE,
        indicator=population,
        city=people.ghent,
        year=2015,
        value=259_000,
        basis="all_residents",
        source="Statbel",
        batch=ImportBatch.objects.create(pk=IMPORT, file_name="ghent.csv", file_format="csv"),
    )
    for plug in _PLUGS:
        if hasattr(plug, "content"):
            plug.content(people)


def _names(patterns: Sequence[object], namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in {"admin", "api"}:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_every_page_is_in_the_matrix() -> None:
    assert _names(get_resolver().url_patterns) - NOT_PAGES == set(MATRIX)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_who_may_see_what(content: None, people: People, name: str, role: str) -> None:
    kwargs, expectations = MATRIX[name]
    url = reverse(name, kwargs=kwargs)
    response = client_for(people.all_roles()[role]).get(url)
    expected = expectations[role]
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == expected, f"{role} on {url}"


@pytest.mark.parametrize("role", ROLES)
def test_drafts_are_for_the_secretariat_only(content: None, people: People, role: str) -> None:
    client = client_for(people.all_roles()[role])
    news = client.get(reverse("network:news_detail", kwargs={"slug": "draft-news"}))
    assert news.status_code == DRAFT[role]


@pytest.mark.parametrize("role", ROLES)
def test_draft_frameworks_are_for_the_secretariat_only(
    content: None, people: People, role: str
) -> None:
    from integratingcities.frameworks.models import Framework

    charter = Framework.objects.get(lineage="charter")
    charter.pk, charter.version, charter.status = None, 2, "draft"
    charter.save()
    client = client_for(people.all_roles()[role])
    page = client.get(reverse("frameworks:detail", kwargs={"lineage": "charter", "version": 2}))
    api = client.get("/api/v1/frameworks/charter/2")
    assert page.status_code == DRAFT[role]
    assert api.status_code == DRAFT[role]


@pytest.mark.parametrize("role", ROLES)
def test_the_admin_is_for_the_secretariat_only(people: People, role: str) -> None:
    response = client_for(people.all_roles()[role]).get("/admin/cities/city/")
    if role == "secretariat":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_who_may_act(content: None, people: People, name: str, role: str) -> None:
    kwargs, allowed = ACTIONS[name]
    client = client_for(people.all_roles()[role])
    url = reverse(name, kwargs=kwargs)
    # Decisions that cannot be undone by a click ask first: their page is for who may act.
    confirms = name in CONFIRMED and role in allowed
    assert client.get(url).status_code in ({200} if confirms else {302, 403, 404, 405})
    response = client.post(url, {})
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    elif role in allowed:
        assert response.status_code == 302  # acted, or explained why not, then back
    else:
        assert response.status_code in {403, 404}


@pytest.mark.parametrize("role", ROLES)
def test_practice_drafts_are_for_their_city_and_the_secretariat(
    content: None, people: People, role: str
) -> None:
    client = client_for(people.all_roles()[role])
    expected = 404 if role in {"anonymous", "outsider"} else 200
    page = client.get(reverse("practices:detail", kwargs={"key": GHENT_DRAFT}))
    api = client.get(f"/api/v1/practices/{GHENT_DRAFT}")
    assert page.status_code == expected
    assert api.status_code == expected
    assert client.get(f"/api/v1/practices/{PRACTICE}").status_code == 200


# The API: every operation of the OpenAPI schema, as every role, logged in by a personal token
# and by the browser session. Public reads are 200; what the person may not know exists is a 404;
# a step on a visible object that the person may not take is a 403; without credentials, 401.

API_PUBLIC = dict.fromkeys(ROLES, 200)
API_LOGGED_IN = {**API_PUBLIC, "anonymous": 401}
API_NOT_PUBLISHED = dict.fromkeys(ROLES, 404)  # an open round's results, even for the secretariat
API_DRAFT = {**dict.fromkeys(ROLES, 404), "secretariat": 200}
API_GHENT_PRACTICE_DRAFT = {**API_PUBLIC, "anonymous": 404, "outsider": 404}
API_GHENT_ANSWERS = {**API_LOGGED_IN, "outsider": 404}
# Only the city's editors answer for it; the secretariat and the city's other people see them.
API_GHENT_ANSWER = {**API_GHENT_ANSWERS, "secretariat": 403, "viewer": 403, "reviewer": 403}
# The editor may submit, and is told what is still missing: nothing is answered yet.
API_GHENT_SUBMIT = {**API_GHENT_ANSWER, "editor": 409}


# (method, path as in the OpenAPI schema) -> the calls made of it
API_MATRIX: dict[tuple[str, str], list[Call]] = {
    ("GET", "/api/v1/cities/"): [Call("/api/v1/cities/", API_PUBLIC)],
    ("GET", "/api/v1/cities/{slug}"): [Call("/api/v1/cities/ghent", API_PUBLIC)],
    ("GET", "/api/v1/frameworks/"): [Call("/api/v1/frameworks/", API_PUBLIC)],
    ("GET", "/api/v1/frameworks/{lineage}/{version}"): [
        Call("/api/v1/frameworks/charter/1", API_PUBLIC),
        Call(f"/api/v1/frameworks/{BENCHMARK}/2", API_DRAFT),
    ],
    ("GET", "/api/v1/rounds/"): [Call("/api/v1/rounds/", API_PUBLIC)],
    ("GET", "/api/v1/rounds/{round_id}/results"): [
        Call(f"/api/v1/rounds/{PUBLISHED}/results", API_PUBLIC),
        Call(f"/api/v1/rounds/{OPEN}/results", API_NOT_PUBLISHED),
    ],
    ("GET", "/api/v1/assessments/"): [Call("/api/v1/assessments/", API_LOGGED_IN)],
    ("GET", "/api/v1/assessments/{assessment_id}"): [
        Call(f"/api/v1/assessments/{ANSWERS}", API_GHENT_ANSWERS),
        Call(f"/api/v1/assessments/{SELFTEST}", API_GHENT_ANSWERS),
    ],
    ("PUT", "/api/v1/assessments/{assessment_id}/answers"): [
        Call(f"/api/v1/assessments/{ANSWERS}/answers", API_GHENT_ANSWER, body=[]),
    ],
    ("POST", "/api/v1/assessments/{assessment_id}/submit"): [
        Call(f"/api/v1/assessments/{ANSWERS}/submit", API_GHENT_SUBMIT),
    ],
    ("GET", "/api/v1/practices/"): [Call("/api/v1/practices/", API_PUBLIC)],
    ("GET", "/api/v1/practices/facets"): [Call("/api/v1/practices/facets", API_PUBLIC)],
    ("GET", "/api/v1/practices/{key}"): [
        Call(f"/api/v1/practices/{PRACTICE}", API_PUBLIC),
        Call(f"/api/v1/practices/{GHENT_DRAFT}", API_GHENT_PRACTICE_DRAFT),
    ],
    ("GET", "/api/v1/indicators/"): [Call("/api/v1/indicators/", API_PUBLIC)],
    ("GET", "/api/v1/indicators/{key}/values"): [
        Call(f"/api/v1/indicators/{INDICATOR}/values", API_PUBLIC),
        Call("/api/v1/indicators/no-such-indicator/values", dict.fromkeys(ROLES, 404)),
    ],
    ("GET", "/api/v1/cities/{slug}/indicators"): [
        Call("/api/v1/cities/ghent/indicators", API_PUBLIC)
    ],
}
for _plug in _PLUGS:
    API_MATRIX.update(getattr(_plug, "API_MATRIX", {}))
API_CALLS = [
    pytest.param(method, template, call, id=f"{method} {call.path}")
    for (method, template), calls in API_MATRIX.items()
    for call in calls
]
# Who calls: nobody, or each logged-in role by a personal token and by the browser session.
CALLERS = [
    pytest.param("anonymous", "", id="anonymous"),
    *(
        pytest.param(role, via, id=f"{role}-{via}")
        for role in ROLES[1:]
        for via in ("token", "session")
    ),
]


@cache
def _operations() -> dict[tuple[str, str], dict[str, Any]]:
    schema = api.get_openapi_schema()
    return {
        (method.upper(), path): operation
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    }


def test_every_api_operation_is_in_the_matrix() -> None:
    operations = _operations()
    assert set(operations) == set(API_MATRIX)
    for key, operation in operations.items():
        takes_body = "requestBody" in operation
        assert all((call.body is not None) == takes_body for call in API_MATRIX[key]), key


def _call(people: People, role: str, via: str, method: str, path: str, body: object = None) -> Any:
    user = people.all_roles()[role]
    headers: dict[str, str] = {}
    if via == "token":
        assert user is not None
        headers["Authorization"] = f"Bearer {token_create(user=user, name='matrix')[1]}"
        user = None
    data = b"" if body is None else json.dumps(body)
    return client_for(user).generic(
        method, path, data, content_type="application/json", headers=headers
    )


@pytest.mark.parametrize(("role", "via"), CALLERS)
@pytest.mark.parametrize(("method", "template", "call"), API_CALLS)
def test_who_may_call_what(
    request: pytest.FixtureRequest,
    content: None,
    people: People,
    method: str,
    template: str,
    call: Call,
    role: str,
    via: str,
) -> None:
    expected = call.expected[role]
    response = _call(people, role, via, method, call.path, call.body)
    assert response.status_code == expected, (role, via, response.content[:300])
    if response.status_code >= 400:
        assert "detail" in response.json()


# What the API's lists hold, per role: only what the person may know exists.
# Ghent's assessments, with those the plugged apps make (their GHENT_ASSESSMENTS).
EVERY_ASSESSMENT = frozenset(
    {str(ANSWERS), str(VALIDATED), str(SELFTEST)}
    | {str(pk) for plug in _PLUGS for pk in getattr(plug, "GHENT_ASSESSMENTS", ())}
)
# Riga's, made by the plugged apps (their RIGA_ASSESSMENTS): its editor (the outsider) sees them.
RIGA_ASSESSMENTS = frozenset(
    str(pk) for plug in _PLUGS for pk in getattr(plug, "RIGA_ASSESSMENTS", ())
)
LIST_FRAMEWORKS = frozenset({"charter/1", f"{BENCHMARK}/1"})
API_LISTS: dict[str, dict[str, frozenset[str]]] = {
    "/api/v1/assessments/": {
        **dict.fromkeys(["editor", "viewer", "reviewer"], EVERY_ASSESSMENT),
        "secretariat": EVERY_ASSESSMENT | RIGA_ASSESSMENTS,
        "outsider": RIGA_ASSESSMENTS,
    },
    "/api/v1/rounds/": {
        **dict.fromkeys(ROLES, frozenset({str(PUBLISHED)})),
        "secretariat": frozenset({str(OPEN), str(PUBLISHED)}),
    },
    "/api/v1/frameworks/": {
        **dict.fromkeys(ROLES, LIST_FRAMEWORKS),
        "secretariat": LIST_FRAMEWORKS | {f"{BENCHMARK}/2"},
    },
    # The library lists published practices only: a city's drafts, for nobody.
    "/api/v1/practices/": dict.fromkeys(ROLES, frozenset({PRACTICE})),
}


def _listed(path: str, body: Any) -> set[str]:
    rows = body["items"] if isinstance(body, dict) else body
    if path == "/api/v1/frameworks/":
        return {f"{row['lineage']}/{row['version']}" for row in rows}
    return {str(row["key"] if "key" in row else row["id"]) for row in rows}


@pytest.mark.parametrize(("role", "via"), CALLERS)
@pytest.mark.parametrize("path", sorted(API_LISTS))
def test_api_lists_hold_only_what_the_person_may_know_exists(
    request: pytest.FixtureRequest, content: None, people: People, path: str, role: str, via: str
) -> None:
    expected = API_LISTS[path].get(role)
    response = _call(people, role, via, "GET", path)
    if expected is None:
        assert response.status_code == 401
    else:
        assert response.status_code == 200
        assert _listed(path, response.json()) == expected


def test_api_writes_by_session_need_the_csrf_token(content: None, people: People) -> None:
    """A browser session writes only with the CSRF token; a personal token needs none."""
    client = client_for(people.editor)
    client.handler.enforce_csrf_checks = True
    writes = [(key, call) for key, calls in API_MATRIX.items() for call in calls if key[0] != "GET"]
    assert writes
    for (method, _template), call in writes:
        body = b"" if call.body is None else json.dumps(call.body)
        response = client.generic(method, call.path, body, content_type="application/json")
        assert response.status_code == 403, call.path
        assert "CSRF" in response.json()["detail"]
        by_token = _call(people, "editor", "token", method, call.path, call.body)
        assert by_token.status_code == call.expected["editor"], call.path
