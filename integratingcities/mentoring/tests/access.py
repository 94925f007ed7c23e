"""Mentoring's rows of the access matrix (tests/test_access_matrix.py merges them).

Ghent implements scheme SCHEME with Tampere as its mentor; Riga (the outsider's city) mentors
Oslo in another scheme, so the outsider is a mentor of another scheme: Ghent's roadmap is a 404
to them, as if it did not exist.
"""

from collections.abc import Mapping
from datetime import date

from integratingcities.frameworks.models import Framework
from integratingcities.lib.testing import ApiCall as Call
from integratingcities.lib.testing import People, SignatoryFactory
from integratingcities.mentoring.models import (
    Action,
    Objective,
    ProgressReport,
    Roadmap,
    Scheme,
    SchemeCity,
    SchemeRole,
    SupportGroupMember,
    Visit,
)
from integratingcities.toolkits.models import Toolkit

ROLES = ["anonymous", "secretariat", "editor", "viewer", "reviewer", "outsider"]
PUBLIC = dict.fromkeys(ROLES, 200)
SECRETARIAT = {**dict.fromkeys(ROLES, 403), "anonymous": "login", "secretariat": 200}
# Ghent's roadmap: its members and the secretariat read it; the outsider mentors elsewhere.
READERS = {**dict.fromkeys(ROLES, 200), "anonymous": "login", "outsider": 404}
WRITERS = {**READERS, "viewer": 403, "reviewer": 403}

SCHEME, ROADMAP, OBJECTIVE, ACTION, MEMBER, REPORT, VISIT = 7400, 7401, 7402, 7403, 7404, 7405, 7406
OTHER_SCHEME, OTHER_ROADMAP = 7410, 7411
BENCHMARK = "anti-discrimination-job-market"
ROW: dict[str, object] = {"pk": ROADMAP}
SCHEME_KW: dict[str, object] = {"pk": SCHEME}

MATRIX: dict[str, tuple[dict[str, object], Mapping[str, object]]] = {
    "mentoring:list": ({}, PUBLIC),
    "mentoring:create": ({}, SECRETARIAT),
    "mentoring:scheme": (SCHEME_KW, PUBLIC),
    "mentoring:scheme_edit": (SCHEME_KW, SECRETARIAT),
    "mentoring:dashboard": (SCHEME_KW, READERS),
    "mentoring:roadmap": (ROW, READERS),
    "mentoring:roadmap_edit": (ROW, WRITERS),
    "mentoring:row_new": ({**ROW, "kind": "objectives"}, WRITERS),
    "mentoring:row_edit": ({**ROW, "kind": "actions", "row": ACTION}, WRITERS),
    "mentoring:action_new": ({**ROW, "objective": OBJECTIVE}, WRITERS),
    "mentoring:visit_new": (ROW, WRITERS),
    "mentoring:visit_edit": ({**ROW, "row": VISIT}, WRITERS),
}
ACTIONS: dict[str, tuple[dict[str, object], set[str]]] = {
    "mentoring:comment": (ROW, {"secretariat", "editor", "viewer", "reviewer"}),
    "mentoring:row_delete": ({**ROW, "kind": "members", "row": MEMBER}, {"secretariat", "editor"}),
    "mentoring:visit_delete": ({**ROW, "row": VISIT}, {"secretariat", "editor"}),
}
CONFIRMED = {"mentoring:row_delete", "mentoring:visit_delete"}

API_MATRIX: dict[tuple[str, str], list[Call]] = {
    ("GET", "/api/v1/schemes/"): [Call("/api/v1/schemes/", PUBLIC)],
    ("GET", "/api/v1/schemes/{scheme_id}"): [
        Call(f"/api/v1/schemes/{SCHEME}", PUBLIC),
        Call("/api/v1/schemes/999999", dict.fromkeys(ROLES, 404)),
    ],
}


def content(people: People) -> None:
    """The schemes, Ghent's roadmap and one row of each kind, at fixed keys."""
    framework = Framework.objects.get(lineage=BENCHMARK, version=1)
    toolkit, _created = Toolkit.objects.get_or_create(
        key=BENCHMARK, defaults={"title": framework.title}
    )
    tampere = SignatoryFactory.create(name="Tampere", slug="tampere", country="FI")
    oslo = SignatoryFactory.create(name="Oslo", slug="oslo", country="NO")
    dates = {"starts_on": date(2025, 1, 1), "ends_on": date(2027, 12, 31)}
    scheme = Scheme.objects.create(
        pk=SCHEME, name="Anti-discrimination", theme="Anti-discrimination", toolkit=toolkit, **dates
    )
    other = Scheme.objects.create(
        pk=OTHER_SCHEME, name="Other", theme="Anti-discrimination", toolkit=toolkit, **dates
    )
    SchemeCity.objects.bulk_create(
        [
            SchemeCity(scheme=scheme, city=tampere, role=SchemeRole.MENTOR),
            SchemeCity(scheme=scheme, city=people.ghent, role=SchemeRole.IMPLEMENTING),
            SchemeCity(scheme=other, city=people.riga, role=SchemeRole.MENTOR),
            SchemeCity(scheme=other, city=oslo, role=SchemeRole.IMPLEMENTING),
        ]
    )
    roadmap = Roadmap.objects.create(pk=ROADMAP, scheme=scheme, city=people.ghent)
    Roadmap.objects.create(pk=OTHER_ROADMAP, scheme=other, city=oslo)
    objective = Objective.objects.create(
        pk=OBJECTIVE, roadmap=roadmap, title="Fair hiring", gap="g", change_sought="c"
    )
    Action.objects.create(
        pk=ACTION, objective=objective, title="Train", owner="HR", due_on=date(2026, 6, 1)
    )
    SupportGroupMember.objects.create(pk=MEMBER, roadmap=roadmap, name="Union", type="trade_union")
    ProgressReport.objects.create(
        pk=REPORT, roadmap=roadmap, reported_on=date(2026, 1, 1), what_changed="w"
    )
    Visit.objects.create(
        pk=VISIT, scheme=scheme, host=people.ghent, visited_on=date(2025, 5, 1), who_came="w"
    )


from .access_matching import MATRIX as _matching  # noqa: E402  (the matching page, issue 15)

MATRIX.update(_matching)
