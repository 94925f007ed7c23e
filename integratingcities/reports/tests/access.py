"""The network report's rows of the access matrix (tests/test_access_matrix.py)."""

from datetime import date

from integratingcities.assessments.models import Answer
from integratingcities.frameworks.models import Item
from integratingcities.lib.testing import People
from integratingcities.reports.models import Edition, Highlight, Report, ReportText
from integratingcities.reports.selectors import snapshot

ROLES = ["anonymous", "secretariat", "editor", "viewer", "reviewer", "outsider"]
PUBLIC = dict.fromkeys(ROLES, 200)
SECRETARIAT = {**dict.fromkeys(ROLES, 403), "anonymous": "login", "secretariat": 200}
# The matrix's published round and Ghent's validated assessment in it.
PUBLISHED, VALIDATED = 1002, 2002
REPORT, EDITION, HIGHLIGHT, EVIDENCE = 7000, 7001, 7002, 7003
ROUND = {"pk": PUBLISHED}

MATRIX = {
    "reports:list": ({}, PUBLIC),
    "reports:edition": ({**ROUND, "number": 1}, PUBLIC),
    "reports:workspace": (ROUND, SECRETARIAT),
    "reports:write": ({**ROUND, "key": "section.summary"}, SECRETARIAT),
    "reports:commitment": ({**ROUND, "key": "communicate-commitment"}, SECRETARIAT),
    "reports:preview": (ROUND, SECRETARIAT),
}
ACTIONS = {
    "reports:cover": (ROUND, {"secretariat"}),
    "reports:highlight_add": (ROUND, {"secretariat"}),
    "reports:highlight_remove": ({**ROUND, "hid": HIGHLIGHT}, {"secretariat"}),
    "reports:highlight_move": ({**ROUND, "hid": HIGHLIGHT}, {"secretariat"}),
    "reports:publish": (ROUND, {"secretariat"}),
}
CONFIRMED = {"reports:publish"}


def content(people: People) -> None:
    item = Item.objects.get(section__framework__lineage="charter", key="communicate-commitment")
    evidence = Answer.objects.create(
        pk=EVIDENCE,
        assessment_id=VALIDATED,
        item=item,
        evidence="Ghent publishes its commitment.",
        is_answered=True,
        version=1,
    )
    report = Report.objects.create(pk=REPORT, round_id=PUBLISHED, title="The network report")
    ReportText.objects.create(report=report, key="section.summary", body="A summary.")
    Highlight.objects.create(pk=HIGHLIGHT, report=report, answer=evidence, text="Ghent does.")
    Edition.objects.create(
        pk=EDITION,
        report=report,
        number=1,
        published_on=date(2026, 6, 1),
        snapshot=snapshot(Report.objects.select_related("round__framework").get(pk=REPORT)),
    )
