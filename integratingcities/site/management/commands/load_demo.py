"""Load the shipped content (cities, their indicator values, network, frameworks) and one demo
login per role."""

from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from integratingcities.accounts.models import Membership, Role, User
from integratingcities.cities.models import City
from integratingcities.cities.services import cities_load
from integratingcities.frameworks.services import framework_import_path
from integratingcities.indicators.models import IndicatorValue
from integratingcities.indicators.seed import seed_values_load
from integratingcities.mentoring.demo import load_demo_schemes
from integratingcities.network.services import network_load
from integratingcities.practices.services import practices_load_path
from integratingcities.reports.demo import load_demo_report
from integratingcities.rounds.demo import load_demo_rounds
from integratingcities.toolkits.demo import load_demo_selftests
from integratingcities.toolkits.services import toolkits_load

CONTENT = Path(settings.BASE_DIR) / "content"
DEMO_PASSWORD = "integrating-demo"  # noqa: S105 - printed for the demo on purpose

# (e-mail, name, secretariat?, city slug, role)
DEMO_USERS = [
    ("secretariat@example.org", "Sam Secretariat", True, None, None),
    ("editor.ghent@example.org", "Eva Editor (Ghent)", False, "ghent", Role.EDITOR),
    ("viewer.ghent@example.org", "Vic Viewer (Ghent)", False, "ghent", Role.VIEWER),
    ("reviewer@example.org", "Rita Reviewer (for Ghent)", False, "ghent", Role.REVIEWER),
    ("editor.riga@example.org", "Rolands Editor (Riga)", False, "riga", Role.EDITOR),
]


def load_content() -> None:
    cities_load(yaml.safe_load((CONTENT / "cities.yaml").read_text()))
    # After the cities: the indicators, the figures of the sources, the populations.
    seed_values_load(CONTENT / "indicator_values.yaml", CONTENT / "populations.csv")
    network_load(yaml.safe_load((CONTENT / "network.yaml").read_text()))
    for path in sorted((CONTENT / "frameworks").glob("*.yaml")):
        framework_import_path(path=path, publish=True)
    toolkits_load(yaml.safe_load((CONTENT / "toolkits.yaml").read_text()))
    practices_load_path(CONTENT / "practices.yaml")


@transaction.atomic
def load_demo_users() -> None:
    for email, name, secretariat, city_slug, role in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email,
                password=DEMO_PASSWORD,
                name=name,
                is_staff=secretariat,
                is_superuser=secretariat,
            )
        if city_slug and role:
            Membership.objects.get_or_create(
                user=user, city=City.objects.get(slug=city_slug), defaults={"role": role}
            )


class Command(BaseCommand):
    help = "Load the shipped content and demo logins (safe to run again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-users", action="store_true", help="content only, no demo logins")

    def handle(self, *args: Any, no_users: bool, **options: Any) -> None:
        load_content()
        if not no_users:
            load_demo_users()
            load_demo_rounds(CONTENT / "demo" / "survey-2015.yaml")
            load_demo_report(CONTENT / "reports" / "charter-2015.yaml")
            load_demo_selftests()
            load_demo_schemes(CONTENT / "mentoring.yaml")  # after the self-tests: baselines
        self.stdout.write(
            f"Loaded {City.objects.count()} cities, {IndicatorValue.objects.count()} indicator "
            "values and the shipped frameworks."
        )
