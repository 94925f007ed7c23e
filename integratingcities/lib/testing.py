"""Factories and the cast of people the tests use: one per role, and an outsider."""

from dataclasses import dataclass
from datetime import date
from typing import Any

import factory
from django.test import Client

from integratingcities.accounts.models import Membership, Role, User
from integratingcities.cities.models import City

PASSWORD = "a-long-test-password-42"  # noqa: S105


class CityFactory(factory.django.DjangoModelFactory[City]):
    class Meta:
        model = City
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"City {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))
    country = "BE"


class SignatoryFactory(CityFactory):
    signed_earliest = date(2010, 2, 1)
    signed_latest = date(2013, 3, 31)


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(user: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            user.save()


@dataclass
class People:
    ghent: City
    riga: City
    secretariat: User
    editor: User
    viewer: User
    reviewer: User
    outsider: User  # editor of Riga: a user of another city

    def all_roles(self) -> dict[str, User | None]:
        return {
            "anonymous": None,
            "secretariat": self.secretariat,
            "editor": self.editor,
            "viewer": self.viewer,
            "reviewer": self.reviewer,
            "outsider": self.outsider,
        }


def make_people() -> People:
    ghent = SignatoryFactory.create(name="Ghent", slug="ghent", country="BE")
    riga = SignatoryFactory.create(name="Riga", slug="riga", country="LV")
    people = People(
        ghent=ghent,
        riga=riga,
        secretariat=UserFactory.create(
            email="secretariat@example.org", is_staff=True, is_superuser=True
        ),
        editor=UserFactory.create(email="editor.ghent@example.org"),
        viewer=UserFactory.create(email="viewer.ghent@example.org"),
        reviewer=UserFactory.create(email="reviewer@example.org"),
        outsider=UserFactory.create(email="editor.riga@example.org"),
    )
    Membership.objects.create(user=people.editor, city=ghent, role=Role.EDITOR)
    Membership.objects.create(user=people.viewer, city=ghent, role=Role.VIEWER)
    Membership.objects.create(user=people.reviewer, city=ghent, role=Role.REVIEWER)
    Membership.objects.create(user=people.outsider, city=riga, role=Role.EDITOR)
    return people


def another_editor(city: City) -> User:
    """A second editor of the city, for saves that meet."""
    editor = UserFactory.create(email=f"second.editor.{city.slug}@example.org")
    Membership.objects.get_or_create(user=editor, city=city, role=Role.EDITOR)
    return editor


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def main_content(response: Any) -> str:
    """What a page shows in its ``<main>``, up to its first form token: a signed-in page carries
    a CSRF token that differs from visit to visit, so two visits compare equal only without it."""
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    return page[page.index("<main") :].split('name="csrfmiddlewaretoken"')[0]


@dataclass(frozen=True)
class ApiCall:
    """One call of the access matrix's API rows: path, expected status per role."""

    path: str
    expected: dict[str, int]
    body: object = None  # sent as JSON, for operations that take one
