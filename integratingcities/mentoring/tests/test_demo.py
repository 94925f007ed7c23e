"""The demo's schemes: the seeds' partnerships, labelled illustrative, loaded once."""

import pytest
from django.urls import reverse
from django.utils import timezone

from integratingcities.lib.testing import client_for
from integratingcities.mentoring.demo import load_demo_schemes
from integratingcities.mentoring.models import Action, Roadmap, Scheme, SchemeCity
from integratingcities.mentoring.selectors import action_state
from integratingcities.site.management.commands.load_demo import (
    CONTENT,
    load_content,
    load_demo_users,
)
from integratingcities.toolkits.demo import load_demo_selftests


@pytest.mark.django_db
def test_the_seeds_partnerships_load_once_and_say_they_are_illustrative() -> None:
    load_content()
    load_demo_users()
    load_demo_selftests()
    assert load_demo_schemes(CONTENT / "mentoring.yaml") == 9
    assert load_demo_schemes(CONTENT / "mentoring.yaml") == 0  # safe to run twice
    for project, partners in (("ImpleMentoring", 14), ("CITIES GROW", 16)):
        schemes = Scheme.objects.filter(project=project)
        assert schemes.count() == 4
        cities = SchemeCity.objects.filter(scheme__in=schemes).values("city").distinct()
        assert cities.count() == partners
    assert not Scheme.objects.filter(is_illustrative=False).exists()
    implementoring = Scheme.objects.filter(project="ImpleMentoring").first()
    assert implementoring is not None and implementoring.facilitator == "MigrationWork CIC"
    roadmap = Roadmap.objects.get(scheme__project="Demonstration", city__slug="ghent")
    assert roadmap.baseline is not None and roadmap.follow_up is not None
    today = timezone.localdate()
    states = [action_state(a, today) for a in Action.objects.filter(objective__roadmap=roadmap)]
    assert states.count("late") == 1 and "done" in states
    listing = client_for(None).get(reverse("mentoring:list")).content.decode()
    assert "illustrative: who mentored whom is not in the sources" in listing
    editor = client_for(roadmap.city.memberships.get(role="editor").user)
    page = editor.get(roadmap.get_absolute_url()).content.decode()
    assert "1 action is late" in page
    assert "Minderhedenforum" in page
