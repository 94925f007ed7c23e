from datetime import date
from pathlib import Path

import pytest

from integratingcities.lib.testing import People
from integratingcities.practices.models import Practice
from integratingcities.reports.demo import ReportContentError, report_load
from integratingcities.reports.models import Edition, Highlight
from integratingcities.rounds.models import Round

CONTENT = """
title: "Cities and Migrants"
subtitle: "Implementing the Integrating Cities Charter"
published_on: 2015-12-01
illustrative: "The levels behind the charts are illustrative."
sections:
  summary: |
    Cities **keep** their promises.
  next_steps: |
    The network meets again.
roles:
  policymaker: |
    Cities state their commitment.
commitments:
  equal-access-non-discrimination:
    trends: |
      Action plans spread.
    highlights:
      - city: ghent
        text: "Ghent monitors its action plan every year."
        practice: ghent-action-plan
"""


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "charter-2015.yaml"
    path.write_text(text)
    return path


def test_the_content_file_becomes_edition_1_once(
    tmp_path: Path, people: People, published_round: Round, ghent_practice: Practice
) -> None:
    path = _file(tmp_path, CONTENT)
    edition = report_load(path, published_round, people.secretariat)
    assert edition is not None
    assert edition.number == 1
    assert edition.published_on == date(2015, 12, 1)
    frozen = edition.snapshot
    assert frozen["title"] == "Cities and Migrants"
    assert frozen["sections"]["summary"].startswith("Cities **keep**")
    policymaker = next(r for r in frozen["roles"] if r["key"] == "policymaker")
    assert policymaker["overview"] == "Cities state their commitment."
    commitment = next(
        c for c in policymaker["commitments"] if c["key"] == "equal-access-non-discrimination"
    )
    assert commitment["trends"] == "Action plans spread."
    assert commitment["highlights"] == [
        {
            "city": "Ghent",
            "city_slug": "ghent",
            "text": "Ghent monitors its action plan every year.",
            "practice": {
                "key": "ghent-action-plan",
                "title": "Ghent's action plan against discrimination",
            },
        }
    ]
    # The round is not really illustrative here, so no chart is labelled so.
    assert frozen["illustrative"] == ""
    assert report_load(path, published_round, people.secretariat) is None  # safe to run twice
    assert Edition.objects.count() == 1
    assert Highlight.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("city: ghent", "city: riga"),
            "commitments.equal-access-non-discrimination.highlights[0]: "
            "riga has no validated answer with evidence",
        ),
        (
            ("practice: ghent-action-plan", "practice: nowhere"),
            "highlights[0].practice: no published",
        ),
        (("  summary: |", "  gossip: |"), "sections.gossip: no such section"),
        (("published_on: 2015-12-01", "published_on: soon"), "published_on: a date"),
        (("  policymaker: |", "  mayor: |"), "roles.mayor: no such role"),
    ],
)
def test_a_wrong_content_file_is_refused_saying_where(
    tmp_path: Path,
    people: People,
    published_round: Round,
    ghent_practice: Practice,
    change: tuple[str, str],
    message: str,
) -> None:
    path = _file(tmp_path, CONTENT.replace(*change))
    with pytest.raises(ReportContentError, match=message.replace("[", r"\[").replace("]", r"\]")):
        report_load(path, published_round, people.secretariat)
    assert not Edition.objects.exists()
    assert not Highlight.objects.exists()  # nothing half-written
