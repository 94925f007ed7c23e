"""A signed-in person stays signed in until their session expires or is deleted; the menu counts
their unread notifications (both read by prepared queries on every request)."""

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from integratingcities.lib.testing import People, client_for
from integratingcities.notifications.models import Kind, Notification

HOME = reverse("accounts:home")


def test_a_session_keeps_its_person_until_it_expires(people: People) -> None:
    client = client_for(people.editor)
    assert client.get(HOME).status_code == 200
    assert client.get(HOME).status_code == 200  # read again, by the kept query

    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(HOME)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_deleted_session_signs_its_person_out(people: People) -> None:
    client = client_for(people.editor)
    assert client.get(HOME).status_code == 200
    Session.objects.all().delete()
    assert client.get(HOME).status_code == 302


def test_the_menu_counts_unread_notifications(people: People) -> None:
    client = client_for(people.editor)
    assert " new</span>" not in client.get(HOME).content.decode()

    for subject in ("One", "Two", "Three"):
        Notification.objects.create(
            recipient=people.editor, kind=Kind.values[0], subject=subject, body="-", url="/"
        )
    Notification.objects.create(
        recipient=people.secretariat, kind=Kind.values[0], subject="Not yours", body="-", url="/"
    )
    assert "3 new</span>" in client.get(HOME).content.decode()

    Notification.objects.filter(subject="One").update(read_at=timezone.now())
    assert "2 new</span>" in client.get(HOME).content.decode()
    assert "1 new</span>" in client_for(people.secretariat).get(HOME).content.decode()
