import json
from typing import Any

import pytest

from integratingcities.accounts.services import token_create
from integratingcities.assessments.models import Answer, Assessment, AssessmentState
from integratingcities.lib.testing import People, client_for
from integratingcities.rounds.models import Round


def _put(client, assessment: Assessment, payload: object, token: str = ""):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.put(
        f"/api/v1/assessments/{assessment.pk}/answers",
        data=json.dumps(payload),
        content_type="application/json",
        headers=headers,
    )


@pytest.fixture
def editor_token(people: People) -> str:
    return token_create(user=people.editor, name="spreadsheet")[1]


def test_an_editor_writes_answers_with_a_token(
    people: People, ghent_assessment: Assessment, editor_token: str
) -> None:
    client = client_for(None)
    response = _put(
        client,
        ghent_assessment,
        [
            {
                "item": "communicate-commitment",
                "level": "fully",
                "evidence": "Plan",
                "links": ["https://stad.gent"],
            },
        ],
        editor_token,
    )
    assert response.status_code == 200, response.content
    assert response.json()["versions"] == {"communicate-commitment": 1}
    read = client.get(
        f"/api/v1/assessments/{ghent_assessment.pk}",
        headers={"Authorization": f"Bearer {editor_token}"},
    ).json()
    assert read["answers"][0]["evidence"] == "Plan"
    assert Answer.objects.get().updated_by == people.editor


def test_a_stale_version_is_a_conflict_not_an_overwrite(
    people: People, ghent_assessment: Assessment, editor_token: str
) -> None:
    client = client_for(None)
    _put(
        client,
        ghent_assessment,
        [{"item": "communicate-commitment", "evidence": "A"}],
        editor_token,
    )
    stale = _put(
        client,
        ghent_assessment,
        [{"item": "communicate-commitment", "evidence": "B", "version": 0}],
        editor_token,
    )
    assert stale.status_code == 409
    assert stale.json()["conflicts"] == ["communicate-commitment"]
    assert Answer.objects.get().evidence == "A"


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"item": "nope"}, "[0].item"),
        ({"item": "communicate-commitment", "level": "brilliant"}, "[0].level"),
        ({"item": "communicate-commitment", "links": ["javascript:alert(1)"]}, "[0].links"),
        ({"item": "communicate-commitment", "evidence": "x" * 20001}, "[0].evidence"),
        ({"item": "communicate-commitment", "evidence": "a\x00b"}, "[0].evidence"),
    ],
)
def test_bad_answers_are_refused_naming_the_field(
    people: People,
    ghent_assessment: Assessment,
    editor_token: str,
    answer: dict[str, object],
    message: str,
) -> None:
    response = _put(client_for(None), ghent_assessment, [answer], editor_token)
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert not Answer.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "reviewer", "outsider"])
def test_only_the_citys_editors_write(
    people: People, ghent_assessment: Assessment, role: str
) -> None:
    user = people.all_roles()[role]
    assert user is not None
    token = token_create(user=user, name="t")[1]
    response = _put(
        client_for(None),
        ghent_assessment,
        [{"item": "communicate-commitment", "evidence": "x"}],
        token,
    )
    assert response.status_code == (404 if role == "outsider" else 403)
    assert not Answer.objects.exists()


def test_no_token_no_access(ghent_assessment: Assessment) -> None:
    client = client_for(None)
    assert client.get(f"/api/v1/assessments/{ghent_assessment.pk}").status_code == 401
    assert _put(client, ghent_assessment, [], "ic_wrong").status_code == 401


def test_submit_checks_requirements(
    people: People, ghent_assessment: Assessment, editor_token: str
) -> None:
    response = client_for(None).post(
        f"/api/v1/assessments/{ghent_assessment.pk}/submit",
        headers={"Authorization": f"Bearer {editor_token}"},
    )
    assert response.status_code == 409
    assert "still need attention" in response.json()["detail"]
    ghent_assessment.refresh_from_db()
    assert ghent_assessment.state == AssessmentState.INVITED


def test_published_results_only(people: People, open_round: Round) -> None:
    client = client_for(None)
    assert client.get(f"/api/v1/rounds/{open_round.pk}/results").status_code == 404
    assert client.get("/api/v1/rounds/").json() == []
    open_round.status = "published"
    open_round.save()
    body = client.get(f"/api/v1/rounds/{open_round.pk}/results").json()
    assert body["responding_cities"] == 0
    assert [s["section"] for s in body["sections"]] == [
        "policymaker",
        "service_provider",
        "employer",
        "buyer",
    ]


def test_the_list_reads_every_listed_assessments_answers_in_one_query(
    people: People, open_round: Round
) -> None:
    """The secretariat's list gives a page of assessments with their answers: as many queries
    for eight as for two (each assessment's answers were a query of their own)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from integratingcities.frameworks.models import Item
    from integratingcities.lib.testing import CityFactory

    items = list(Item.objects.filter(section__framework=open_round.framework)[:3])

    def listed(count: int) -> tuple[int, dict[str, Any]]:
        for n in range(Assessment.objects.count(), count):
            assessment = Assessment.objects.create(
                city=CityFactory.create(name=f"Town {n}"),
                framework=open_round.framework,
                round=open_round,
            )
            for item in items:
                Answer.objects.create(assessment=assessment, item=item, evidence=f"E{n}")
        client = client_for(people.secretariat)
        with CaptureQueriesContext(connection) as context:
            body = client.get("/api/v1/assessments/").json()
        return len(context.captured_queries), body

    few, _body = listed(2)
    many, body = listed(8)
    assert few == many
    assert body["count"] == 8 and len(body["items"]) == 8
    for assessment in body["items"]:
        assert [a["item"] for a in assessment["answers"]] == [item.key for item in items]
        n = int(Assessment.objects.get(pk=assessment["id"]).city.name.split()[-1])
        assert {a["evidence"] for a in assessment["answers"]} == {f"E{n}"}


def test_the_list_is_paged_and_leaves_no_assessment_out(people: People, open_round: Round) -> None:
    """Every assessment of the secretariat's cities is on a page, newest first, each once: the
    list stopped at the newest hundred."""
    from integratingcities.lib.testing import CityFactory

    made = {
        Assessment.objects.create(
            city=CityFactory.create(name=f"Town {n}"),
            framework=open_round.framework,
            round=open_round,
        ).pk
        for n in range(55)
    }
    client = client_for(people.secretariat)
    first = client.get("/api/v1/assessments/").json()
    second = client.get("/api/v1/assessments/", {"page": 2}).json()
    assert first["count"] == second["count"] == Assessment.objects.count() >= 55
    assert len(first["items"]) == 50
    listed = [a["id"] for a in first["items"] + second["items"]]
    assert len(listed) == len(set(listed)) == first["count"]
    assert made <= set(listed)
    created = dict(Assessment.objects.values_list("pk", "created_at"))
    assert [created[pk] for pk in listed] == sorted(created.values(), reverse=True)
    # A city's editor sees only the assessments of the city.
    own = client_for(people.editor).get("/api/v1/assessments/").json()
    assert {a["city"] for a in own["items"]} <= {"ghent"} and own["count"] == len(own["items"])


def test_the_list_gives_each_answers_lists_as_saved(people: People, open_round: Round) -> None:
    """An answer's choices and links (read as their JSON text, most of them empty) are the
    lists saved, empty or not, the same in the list as in the assessment alone."""
    from integratingcities.frameworks.models import Item

    assessment = Assessment.objects.create(
        city=people.ghent, framework=open_round.framework, round=open_round
    )
    first, second, third = Item.objects.filter(section__framework=open_round.framework)[:3]
    saved = {
        first.key: (["a", 'b, "c"'], ["https://stad.gent/é?q=[]"]),
        second.key: ([], []),
        third.key: (["[]"], []),
    }
    for item in (first, second, third):
        choices, links = saved[item.key]
        Answer.objects.create(assessment=assessment, item=item, choices=choices, links=links)
    client = client_for(people.secretariat)
    listed = next(
        a for a in client.get("/api/v1/assessments/").json()["items"] if a["id"] == assessment.pk
    )
    alone = client.get(f"/api/v1/assessments/{assessment.pk}").json()
    assert listed == alone
    assert {a["item"]: (a["choices"], a["links"]) for a in listed["answers"]} == saved
