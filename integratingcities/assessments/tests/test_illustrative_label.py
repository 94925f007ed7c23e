"""A survey section page says when its levels are illustrative."""

from django.urls import reverse

from integratingcities.assessments.models import Assessment
from integratingcities.lib.testing import People, client_for
from integratingcities.rounds.models import Round


def test_the_section_page_says_the_levels_are_illustrative(
    people: People, ghent_assessment: Assessment, open_round: Round
) -> None:
    url = reverse("assessments:section", args=[ghent_assessment.pk, "policymaker"])
    label = "Illustrative levels: demonstration data"
    for user in (people.editor, people.reviewer):
        assert label not in client_for(user).get(url).content.decode()
    Round.objects.filter(pk=open_round.pk).update(is_illustrative=True)
    for user in (people.editor, people.reviewer):
        assert label in client_for(user).get(url).content.decode()
