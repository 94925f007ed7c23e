import re

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core import mail
from django.urls import reverse

from integratingcities.accounts.models import User
from integratingcities.lib.testing import PASSWORD, People, client_for

LOGIN = reverse("accounts:login")


def test_login_with_email_and_password(people: People) -> None:
    client = client_for(None)
    response = client.post(LOGIN, {"username": people.editor.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")
    home = client.get(reverse("accounts:home"))
    assert "Ghent" in home.content.decode()
    assert "City editor" in home.content.decode()


def test_a_wrong_password_says_so(people: People) -> None:
    response = client_for(None).post(LOGIN, {"username": people.editor.email, "password": "no"})
    assert response.status_code == 200
    assert "correct" in response.content.decode()


def test_repeated_failures_are_throttled(people: People) -> None:
    client = client_for(None)
    for _ in range(5):
        client.post(LOGIN, {"username": people.editor.email, "password": "wrong"})
    response = client.post(LOGIN, {"username": people.editor.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()


def test_passwords_are_hashed_with_argon2(db: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = User.objects.create_user(email="hash@example.org", password="Tulips-and-Belfries-2026")
    assert identify_hasher(user.password).algorithm == "argon2"


def test_the_project_settings_hash_with_argon2() -> None:
    from config import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_password_reset_sends_a_working_link(people: People) -> None:
    client = client_for(None)
    response = client.post(reverse("accounts:password_reset"), {"email": people.viewer.email})
    assert response.status_code == 302
    link = re.search(r"/accounts/password-reset/[^/\s]+/[^/\s]+/", str(mail.outbox[0].body))
    assert link
    form_page = client.get(link.group(0), follow=True)
    assert form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_url,
        {"new_password1": "Canals-of-Gent-2026", "new_password2": "Canals-of-Gent-2026"},
    )
    assert done.status_code == 302
    people.viewer.refresh_from_db()
    assert people.viewer.check_password("Canals-of-Gent-2026")


def test_password_reset_does_not_reveal_unknown_addresses(db: None) -> None:
    response = client_for(None).post(
        reverse("accounts:password_reset"), {"email": "nobody@example.org"}
    )
    assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.parametrize("role", ["secretariat", "editor", "viewer", "reviewer", "outsider"])
def test_logout_is_a_post(people: People, role: str) -> None:
    client = client_for(people.all_roles()[role])
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 302


@pytest.mark.parametrize("url", ["/admin/login/", "/accounts/login/"])
def test_an_overlong_login_name_is_no_server_error(db: None, url: str) -> None:
    from axes.models import AccessAttempt

    response = client_for(None).post(url, {"username": "x" * 300, "password": "p"})
    assert response.status_code == 200
    assert all(len(a.username or "") <= 255 for a in AccessAttempt.objects.all())


@pytest.fixture
def hashing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every use of the password hasher: checking a password, or the decoy hash Django computes
    for an unknown name (so that the answer takes as long)."""
    from django.contrib.auth.hashers import MD5PasswordHasher

    calls: list[str] = []
    verify, encode = MD5PasswordHasher.verify, MD5PasswordHasher.encode

    def counted_verify(self: MD5PasswordHasher, password: str, encoded: str) -> bool:
        calls.append("verify")
        return verify(self, password, encoded)

    def counted_encode(self: MD5PasswordHasher, password: str, salt: str) -> str:
        calls.append("encode")
        return encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "verify", counted_verify)
    monkeypatch.setattr(MD5PasswordHasher, "encode", counted_encode)
    return calls


def _locked_out(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 429 and "Too many failed attempts" in response.content.decode()


def test_a_flood_of_names_from_one_address_is_stopped_before_hashing(
    people: People,
    settings,
    hashing: list[str],  # type: ignore[no-untyped-def]
) -> None:
    limit = settings.AXES_IP_FAILURE_LIMIT
    assert limit > settings.AXES_FAILURE_LIMIT
    client = client_for(None)
    for number in range(limit - 1):
        response = client.post(LOGIN, {"username": f"nobody{number}@example.org", "password": "x"})
        assert response.status_code == 200, number
    assert _locked_out(client.post(LOGIN, {"username": "last@example.org", "password": "x"}))
    assert len(hashing) == limit  # one hash per failure until then
    hashing.clear()
    assert _locked_out(client.post(LOGIN, {"username": "more@example.org", "password": "x"}))
    assert _locked_out(client.post(LOGIN, {"username": people.editor.email, "password": PASSWORD}))
    assert hashing == []
    other_machine = client_for(None)
    response = other_machine.post(
        LOGIN, {"username": people.editor.email, "password": PASSWORD}, REMOTE_ADDR="198.51.100.7"
    )
    assert response.status_code == 302


def test_a_login_does_not_wipe_the_failures_of_its_address(
    people: People,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    client = client_for(None)
    for number in range(settings.AXES_IP_FAILURE_LIMIT - 1):
        client.post(LOGIN, {"username": f"nobody{number}@example.org", "password": "x"})
    response = client.post(LOGIN, {"username": people.viewer.email, "password": PASSWORD})
    assert response.status_code == 302
    client.post(reverse("accounts:logout"))
    assert _locked_out(client.post(LOGIN, {"username": "again@example.org", "password": "x"}))


def test_behind_a_proxy_the_client_address_is_the_one_the_proxy_saw(
    people: People,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.PROXY_COUNT = 1
    client = client_for(None)
    for number in range(settings.AXES_IP_FAILURE_LIMIT):
        client.post(
            LOGIN,
            {"username": f"nobody{number}@example.org", "password": "x"},
            HTTP_X_FORWARDED_FOR=f"10.0.0.{number}, 203.0.113.5",  # the left part is made up
        )
    credentials = {"username": people.editor.email, "password": PASSWORD}
    assert _locked_out(client.post(LOGIN, credentials, HTTP_X_FORWARDED_FOR="203.0.113.5"))
    response = client_for(None).post(LOGIN, credentials, HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert response.status_code == 302


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_the_address_is_not_case_sensitive(people: People, url: str) -> None:
    client = client_for(None)
    response = client.post(url, {"username": "Secretariat@Example.ORG", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(people.secretariat.pk)


def test_case_variants_of_one_address_share_its_lockout(people: People) -> None:
    client = client_for(None)
    for variant in [
        "Editor.Ghent@example.org",
        "EDITOR.GHENT@EXAMPLE.ORG",
        "editor.Ghent@example.org",
        "Editor.ghent@Example.org",
        "eDitor.ghent@example.org",
    ]:
        client.post(LOGIN, {"username": variant, "password": "wrong"})
    assert _locked_out(client.post(LOGIN, {"username": people.editor.email, "password": PASSWORD}))


def test_addresses_differing_only_by_case_resolve_the_same_way_every_time(db: None) -> None:
    from integratingcities.lib.testing import UserFactory

    older = UserFactory(email="Dup@example.org")
    newer = UserFactory(email="dup@example.org")
    assert User.objects.get_by_natural_key("Dup@example.org") == older
    assert User.objects.get_by_natural_key("dup@example.org") == newer
    assert User.objects.get_by_natural_key("DUP@EXAMPLE.ORG") == older
    with pytest.raises(User.DoesNotExist):
        User.objects.get_by_natural_key("nobody@example.org")
