"""The demo's 2015 levels are illustrative: the report's silence is never a "Not at all", and
no named city is ranked on them in public."""

from django.core.management import call_command
from django.urls import reverse

from integratingcities.assessments.models import Answer
from integratingcities.lib.testing import client_for
from integratingcities.rounds.demo import TITLE_2015
from integratingcities.rounds.models import Round


def test_the_2015_round_invents_no_not_at_all_and_ranks_no_city(db: None) -> None:
    call_command("load_demo", verbosity=0)
    past = Round.objects.get(title=TITLE_2015)
    assert past.is_illustrative
    answers = Answer.objects.filter(assessment__round=past, level__isnull=False)
    assert answers.exists()
    assert not answers.filter(level__key="not_at_all").exists()
    assert not answers.filter(evidence="").exists()  # a level only where the report says something
    page = client_for(None).get(reverse("rounds:city_results", args=[past.pk, "genoa"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Not at all" not in html.split("What Genoa answered")[1]
    assert "Rank" not in html
    assert "illustrative" in html
