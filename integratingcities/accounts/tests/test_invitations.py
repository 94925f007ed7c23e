import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from integratingcities.accounts.models import Invitation, Membership, Role, User
from integratingcities.accounts.services import invitation_send
from integratingcities.lib.testing import People, client_for

URL = reverse("accounts:invitations")


def _link() -> str:
    match = re.search(r"https?://\S+/accounts/invitation/\S+/", str(mail.outbox[-1].body))
    assert match, mail.outbox[-1].body
    return match.group(0).split("8000", 1)[-1] if "8000" in match.group(0) else match.group(0)


def _path_of_link() -> str:
    match = re.search(r"/accounts/invitation/[^/\s]+/", str(mail.outbox[-1].body))
    assert match
    return match.group(0)


def test_the_secretariat_invites_a_city_editor(people: People) -> None:
    client = client_for(people.secretariat)
    response = client.post(
        URL,
        {
            "email": "new.editor@gent.be",
            "name": "An Editor",
            "city": people.ghent.pk,
            "role": Role.EDITOR,
        },
        follow=True,
    )
    assert "Invitation sent to new.editor@gent.be" in response.content.decode()
    invitation = Invitation.objects.get(email="new.editor@gent.be")
    assert invitation.city == people.ghent
    assert invitation.invited_by == people.secretariat
    assert len(mail.outbox) == 1
    assert "City editor for Ghent" in mail.outbox[0].body
    assert not User.objects.filter(email="new.editor@gent.be").exists()


def test_the_invitee_sets_a_password_once_and_lands_on_their_city(people: People) -> None:
    invitation_send(
        email="new.editor@gent.be",
        name="An Editor",
        city=people.ghent,
        role=Role.EDITOR,
        as_secretariat=False,
        invited_by=people.secretariat,
    )
    link = _path_of_link()
    client = client_for(None)
    assert client.get(link).status_code == 200
    response = client.post(
        link,
        {
            "name": "An Editor",
            "password1": "Tulips-and-Belfries-2026",
            "password2": "Tulips-and-Belfries-2026",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("accounts:home")
    assert "Ghent" in response.content.decode()
    user = User.objects.get(email="new.editor@gent.be")
    assert user.check_password("Tulips-and-Belfries-2026")
    assert Membership.objects.get(user=user).role == Role.EDITOR
    # The link is spent.
    assert client_for(None).get(link).status_code == 404


def test_a_weak_or_mismatched_password_is_refused_with_a_reason(people: People) -> None:
    invitation_send(
        email="x@gent.be",
        name="",
        city=people.ghent,
        role=Role.VIEWER,
        as_secretariat=False,
        invited_by=people.secretariat,
    )
    link = _path_of_link()
    response = client_for(None).post(link, {"name": "X", "password1": "123", "password2": "123"})
    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    response = client_for(None).post(
        link, {"name": "X", "password1": "Tulips-and-Belfries-2026", "password2": "other-one-2026"}
    )
    assert "password2" in response.context["form"].errors
    assert not User.objects.filter(email="x@gent.be").exists()


def test_an_expired_link_is_refused(people: People) -> None:
    sent = invitation_send(
        email="late@gent.be",
        name="",
        city=people.ghent,
        role=Role.VIEWER,
        as_secretariat=False,
        invited_by=people.secretariat,
    )
    assert sent.invitation is not None
    Invitation.objects.filter(pk=sent.invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = client_for(None).get(_path_of_link())
    assert response.status_code == 404
    assert "cannot be used" in response.content.decode()


def test_a_person_with_an_account_gets_the_access_at_once(people: People) -> None:
    client = client_for(people.secretariat)
    client.post(URL, {"email": people.outsider.email, "city": people.ghent.pk, "role": "viewer"})
    assert Membership.objects.get(user=people.outsider, city=people.ghent).role == Role.VIEWER
    assert not Invitation.objects.exists()
    assert "You now have access for Ghent" in mail.outbox[-1].body


def test_the_secretariat_can_invite_to_the_secretariat(people: People) -> None:
    client_for(people.secretariat).post(
        URL, {"email": "colleague@eurocities.eu", "as_secretariat": "on"}
    )
    client_for(None).post(
        _path_of_link(),
        {
            "name": "Colleague",
            "password1": "Tulips-and-Belfries-2026",
            "password2": "Tulips-and-Belfries-2026",
        },
    )
    assert User.objects.get(email="colleague@eurocities.eu").is_staff


def test_a_city_invitation_needs_city_and_role(people: People) -> None:
    response = client_for(people.secretariat).post(URL, {"email": "a@b.eu"})
    errors = response.context["form"].errors
    assert "Choose the city" in errors["city"][0]
    assert "Choose what the person may do" in errors["role"][0]
    assert not Invitation.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("role", ["editor", "viewer", "reviewer", "outsider"])
def test_only_the_secretariat_invites(people: People, role: str) -> None:
    user = people.all_roles()[role]
    response = client_for(user).post(
        URL, {"email": "a@b.eu", "city": people.ghent.pk, "role": "editor"}
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()
