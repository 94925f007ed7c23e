"""Whom a round invites, at any size of network: a group narrowed by filters, cities by name,
and a confirmation that says how many before anything is sent."""

import re
from datetime import date
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from integratingcities.assessments.models import Assessment
from integratingcities.cities.models import City, Network
from integratingcities.frameworks.models import Framework
from integratingcities.lib import scoring
from integratingcities.lib.testing import CityFactory, People, SignatoryFactory, client_for
from integratingcities.rounds.models import Round
from integratingcities.rounds.selectors import Invitation, InviteGroup
from integratingcities.rounds.services import InvitationError, invited_cities, round_open

NEW = reverse("rounds:create")


def _data(charter: Framework, **invitation: Any) -> dict[str, Any]:
    return {
        "title": "Survey 2027",
        "framework": charter.pk,
        "opens_on": "2027-01-01",
        "closes_on": "2027-06-30",
        "reminder_days": "14, 3",
        **invitation,
    }


def _invited(round_: Round) -> set[str]:
    return set(round_.assessments.values_list("city__slug", flat=True))


def _messages(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_form_lists_no_city_whatever_the_size_of_the_network(
    people: People, charter: Framework, django_assert_max_num_queries: Any
) -> None:
    CityFactory.create_batch(300)
    client = client_for(people.secretariat)
    with django_assert_max_num_queries(12):
        html = client.get(NEW).content.decode()
    assert 'type="checkbox"' not in html
    assert "City 1" not in html
    assert 'name="names"' in html
    assert 'name="group" value="signatories"' in html
    assert 'name="review"' in html


def test_cities_by_name_then_a_confirmation_then_the_round(
    people: People, charter: Framework
) -> None:
    client = client_for(people.secretariat)
    data = _data(charter, names="ghent\n  RIGA , Ghent\r\n")
    review = client.post(NEW, {**data, "review": "1"})
    assert review.status_code == 200
    html = review.content.decode()
    assert "2 cities will be invited." in html
    assert "Open the round and invite 2 cities" in html
    assert not Round.objects.exists()
    # The confirmation posts the same fields again, without asking for a review.
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    assert fields["title"] == "Survey 2027"
    assert "review" not in fields
    opened = client.post(NEW, {**data})
    assert opened.status_code == 302
    new_round = Round.objects.get()
    assert _invited(new_round) == {"ghent", "riga"}
    assert "The round is open and 2 cities are invited." in _messages(opened)


def test_names_that_are_no_city_are_each_named(people: People, charter: Framework) -> None:
    response = client_for(people.secretariat).post(
        NEW, _data(charter, names="Ghent, Gnet; Rigaa", review="1")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["names"]
    assert "“Gnet”, “Rigaa”" in errors[0]
    assert "short names" in errors[0]
    assert 'id="id_names_error"' in response.content.decode()
    assert not Round.objects.exists()


def test_a_name_two_cities_share_asks_for_the_short_name(
    people: People, charter: Framework
) -> None:
    CityFactory.create(name="Valencia", slug="valencia", country="ES")
    CityFactory.create(name="Valencia", slug="valencia-ve", country="VE")
    form = client_for(people.secretariat).post(NEW, _data(charter, names="valencia-ve, VALENCIA"))
    # "valencia" is also a short name: it is that city. Typed as a name only, it is ambiguous.
    assert form.status_code == 302
    assert _invited(Round.objects.get()) == {"valencia", "valencia-ve"}
    CityFactory.create(name="Córdoba", slug="cordoba", country="ES")
    CityFactory.create(name="Córdoba", slug="cordoba-ar", country="AR")
    response = client_for(people.secretariat).post(NEW, _data(charter, names="córdoba"))
    assert response.context["form"].errors["names"] == [
        "Several cities are called “córdoba”: give one of their short names (cordoba, cordoba-ar)."
    ]


def test_a_group_narrowed_by_country_size_and_network(people: People, charter: Framework) -> None:
    network = Network.objects.create(slug="wg", name="Working group on migrants")
    big = SignatoryFactory.create(name="Berlin", slug="berlin", country="DE", population=3_800_000)
    SignatoryFactory.create(name="Jena", slug="jena", country="DE", population=110_000)
    CityFactory.create(name="Hamburg", slug="hamburg", country="DE", population=1_900_000)
    big.networks.add(network)

    def reached(**fields: Any) -> set[str]:
        return set(invited_cities(Invitation(**fields)).values_list("slug", flat=True))

    signatories = InviteGroup.SIGNATORIES
    assert reached(group=signatories) == {"ghent", "riga", "berlin", "jena"}
    assert reached(group=InviteGroup.ALL, country="DE") == {"berlin", "jena", "hamburg"}
    assert reached(group=signatories, country="DE", band=scoring.Band.VERY_LARGE) == {"berlin"}
    assert reached(group=InviteGroup.ALL, network=network.pk) == {"berlin"}
    # A named city is invited whatever the filters say.
    assert reached(group=signatories, country="DE", band=scoring.Band.SMALL, names=("Riga",)) == {
        "jena",
        "riga",
    }
    with pytest.raises(InvitationError) as nobody:
        invited_cities(Invitation(group=signatories, country="FR"))
    assert nobody.value.field == "group"


def test_every_signatory_is_counted_on_the_confirmation(people: People, charter: Framework) -> None:
    SignatoryFactory.create_batch(40)
    CityFactory.create_batch(5)  # not signatories
    client = client_for(people.secretariat)
    data = _data(charter, group="signatories")
    html = client.post(NEW, {**data, "review": "1"}).content.decode()
    assert "42 cities will be invited." in html
    assert "… and 12 more cities." in html  # 30 names are listed
    # Ghent has an editor, Riga's outsider is its editor: the 40 others have none.
    assert "40 of them have no editor" in html
    assert client.post(NEW, data).status_code == 302
    assert Round.objects.get().assessments.count() == 42


def test_filters_without_a_group_and_an_empty_invitation_are_refused(
    people: People, charter: Framework
) -> None:
    client = client_for(people.secretariat)
    narrowed = client.post(NEW, _data(charter, country="BE", names="Riga"))
    assert "choose the group they narrow" in narrowed.context["form"].errors["group"][0]
    empty = client.post(NEW, _data(charter, review="1"))
    assert "required" in empty.context["form"].errors["cities"][0]
    assert 'id="id_cities_error"' in empty.content.decode()
    assert not Round.objects.exists()


def test_change_shows_the_form_again_as_it_was_filled(people: People, charter: Framework) -> None:
    response = client_for(people.secretariat).post(
        NEW, _data(charter, group="signatories", country="LV", names="Ghent", change="1")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Survey 2027"' in html
    assert re.search(r'value="signatories"[^>]*checked|checked[^>]*value="signatories"', html)
    assert '<option value="LV" selected>' in html
    assert "\nGhent</textarea>" in html
    assert not Round.objects.exists()


def test_scripts_open_a_round_by_invitation_through_the_service(
    people: People, charter: Framework
) -> None:
    with pytest.raises(InvitationError):
        round_open(
            title="Survey",
            framework=charter,
            opens_on=date(2027, 1, 1),
            closes_on=date(2027, 2, 1),
            user=people.secretariat,
            invitation=Invitation(names=("Atlantis",)),
        )
    assert not Round.objects.exists()
    opened = round_open(
        title="Survey",
        framework=charter,
        opens_on=date(2027, 1, 1),
        closes_on=date(2027, 2, 1),
        user=people.secretariat,
        cities=[people.ghent],
        invitation=Invitation(group=InviteGroup.SIGNATORIES),
        notify=False,
    )
    assert _invited(opened) == {"ghent", "riga"}


def test_the_board_invites_more_cities_by_name(people: People, open_round: Round) -> None:
    Assessment.objects.create(city=people.ghent, framework=open_round.framework, round=open_round)
    SignatoryFactory.create(name="Lyon", slug="lyon", country="FR")
    client = client_for(people.secretariat)
    board = reverse("rounds:board", args=[open_round.pk])
    assert 'name="names"' in client.get(board).content.decode()
    url = reverse("rounds:invite", args=[open_round.pk])
    refused = client.post(url, {"names": "Riga\nLyonn"})
    assert any("“Lyonn”" in message for message in _messages(refused))
    assert _invited(open_round) == {"ghent"}
    invited = client.post(url, {"names": "Riga, lyon, Ghent"})
    assert _messages(invited)[-1] == "2 cities invited."
    assert _invited(open_round) == {"ghent", "riga", "lyon"}
    assert City.objects.count() == 3
