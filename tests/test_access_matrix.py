"""Every URL, tried as every role: who may see what (DESIGN section 7)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from integratingcities.assessments.models import Answer, Assessment
from integratingcities.frameworks.models import Framework, Item
from integratingcities.frameworks.services import framework_import_path
from integratingcities.lib.testing import People, client_for
from integratingcities.network.models import NewsItem, NewsStatus, Project
from integratingcities.practices.models import Practice
from integratingcities.rounds.models import Round

ROLES = ["anonymous", "secretariat", "editor", "viewer", "reviewer", "outsider"]
PUBLIC = dict.fromkeys(ROLES, 200)
LOGGED_IN = {**dict.fromkeys(ROLES, 200), "anonymous": "login"}
SECRETARIAT = {**dict.fromkeys(ROLES, 403), "anonymous": "login", "secretariat": 200}
GHENT_PRIVATE = {**dict.fromkeys(ROLES, 200), "anonymous": "login", "outsider": 403}
DRAFT = {**dict.fromkeys(ROLES, 404), "secretariat": 200}
GHENT_ANSWERS = {**GHENT_PRIVATE, "outsider": 404}
OPEN, PUBLISHED, ANSWERS, SELFTEST = 1001, 1002, 2001, 3001
BENCHMARK = "anti-discrimination-job-market"
# A published practice, a draft of Ghent's, and an answer of Ghent's with evidence to propose.
PRACTICE, GHENT_DRAFT, EVIDENCE = "published-practice", "ghent-draft-practice", 4001
GHENT_DRAFT_EDIT = {**GHENT_PRIVATE, "viewer": 403, "reviewer": 403, "outsider": 404}

# url name -> (kwargs, expected status per role)
MATRIX: dict[str, tuple[dict[str, object], dict[str, object]]] = {
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
}
# Actions that only take POST: (url name, kwargs, who may).
ACTIONS = {
    "rounds:remind": ({"pk": OPEN}, {"secretariat"}),
    "rounds:close": ({"pk": OPEN}, {"secretariat"}),
    "rounds:publish": ({"pk": OPEN}, {"secretariat"}),
    "rounds:invite": ({"pk": OPEN}, {"secretariat"}),
    "assessments:submit": ({"pk": ANSWERS}, {"editor"}),
    "assessments:comment": ({"pk": ANSWERS}, {"secretariat", "reviewer"}),
    "assessments:request_changes": ({"pk": ANSWERS}, {"secretariat", "reviewer"}),
    "assessments:validate": ({"pk": ANSWERS}, {"secretariat", "reviewer"}),
    "toolkits:publish": ({"key": BENCHMARK, "version": 2}, {"secretariat"}),
    # Any city editor may start a self-test, for a city they edit (the outsider edits Riga).
    "toolkits:start": ({"key": BENCHMARK}, {"editor", "outsider"}),
    "toolkits:sharing": ({"pk": SELFTEST}, {"editor"}),
    "practices:propose": ({"answer_id": EVIDENCE}, {"editor"}),
    "practices:submit": ({"key": GHENT_DRAFT}, {"editor"}),
    "practices:publish": ({"key": GHENT_DRAFT}, {"secretariat"}),
    "practices:send_back": ({"key": GHENT_DRAFT}, {"secretariat"}),
}
# Names that are not pages of their own (POST-only endpoints, third-party apps).
NOT_PAGES = {"accounts:logout", "set_language", *ACTIONS}


@pytest.fixture
def content(people: People) -> None:
    charter = framework_import_path(
        path=Path(settings.BASE_DIR) / "content/frameworks/charter.v1.yaml", publish=True
    ).framework
    dates = {"opens_on": "2026-01-01", "closes_on": "2026-12-31", "framework": charter}
    Round.objects.create(pk=OPEN, title="Open", **dates)
    published = Round.objects.create(pk=PUBLISHED, title="Done", status="published", **dates)
    Assessment.objects.create(pk=ANSWERS, city=people.ghent, framework=charter, round_id=OPEN)
    Assessment.objects.create(
        city=people.ghent, framework=charter, round=published, state="validated"
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
    benchmark = framework_import_path(
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


def _names(patterns: list[object], namespace: str = "") -> set[str]:
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
    assert client.get(url).status_code in {302, 403, 404, 405}
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
