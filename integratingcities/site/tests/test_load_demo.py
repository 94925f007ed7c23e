import pytest
from django.core.management import call_command

from integratingcities.accounts.models import Membership, User
from integratingcities.assessments.models import Assessment, AssessmentState
from integratingcities.cities.models import City
from integratingcities.frameworks.models import Framework
from integratingcities.network.models import Conference, NewsItem, Project

SIGNATORIES_OCTOBER_2015 = (
    "Amsterdam, Athens, Barcelona, Belfast, Berlin, Brussels, Copenhagen, Dublin, Genoa, Ghent, "
    "Helsinki, Lisbon, Leipzig, London, Madrid, Malmo, Manchester, Milan, Montpellier, Munich, "
    "Nantes, Nuremberg, Oulu, Oslo, Paris, Rennes, Riga, Rome, Rotterdam, Stockholm, Tampere, "
    "The Hague, Toulouse, Toronto, Utrecht"
).split(", ")
SURVEY_2015 = (
    "Barcelona Brno Genoa Ghent Helsinki Leipzig Lisbon London Malmo Munich Nantes Nuremberg "
    "Oslo Oulu Riga Rotterdam Stockholm Tampere Toulouse Vienna"
).split()


@pytest.fixture(scope="module")
def demo(module_db: None) -> None:
    """The demo, loaded once for the module (four seconds a time)."""
    call_command("load_demo", verbosity=0)


@pytest.fixture
def loaded(demo: None, db: None) -> None:
    """The module's demo: each test reads it in a savepoint of its own."""


def test_it_loads_the_35_signatories_of_october_2015(loaded: None) -> None:
    signatories = City.objects.filter(signed_latest__isnull=False)
    assert sorted(signatories.values_list("name", flat=True)) == sorted(SIGNATORIES_OCTOBER_2015)
    nuremberg = City.objects.get(slug="nuremberg")
    assert nuremberg.signature_period == "October 2015"
    assert City.objects.get(slug="toronto").country_code == "CA"


def test_unknown_figures_stay_unknown(loaded: None) -> None:
    assert not City.objects.filter(population=0).exists()
    barcelona = City.objects.get(slug="barcelona")
    assert str(barcelona.foreign_born_share) == "22.2"
    assert barcelona.foreign_born_year == 2014
    assert barcelona.foreign_born_source


def test_it_loads_the_network_work(loaded: None) -> None:
    assert set(Project.objects.values_list("slug", flat=True)) >= {
        "inti-cities",
        "dive",
        "mixities",
        "implementoring",
        "cities-grow",
        "unites",
    }
    survey = Project.objects.get(slug="survey-2015")
    assert sorted(survey.partners.values_list("city__name", flat=True)) == sorted(SURVEY_2015)
    assert Project.objects.get(slug="mixities").partners.count() == 16
    assert Project.objects.get(slug="implementoring").partners.count() == 14
    london = Conference.objects.get(number=4)
    assert (london.host.slug, str(london.starts_on)) == ("london", "2010-02-22")
    assert NewsItem.objects.published().count() == 2
    assert Framework.objects.get(lineage="charter").is_published


def test_it_creates_one_demo_login_per_role_and_runs_twice(loaded: None) -> None:
    call_command("load_demo", verbosity=0)
    assert User.objects.get(email="secretariat@example.org").is_staff
    roles = set(Membership.objects.values_list("user__email", "city__slug", "role"))
    assert roles == {
        ("editor.ghent@example.org", "ghent", "editor"),
        ("viewer.ghent@example.org", "ghent", "viewer"),
        ("reviewer@example.org", "ghent", "reviewer"),
        ("editor.riga@example.org", "riga", "editor"),
    }
    assert City.objects.count() == City.objects.values("slug").distinct().count()


def test_validated_demo_assessments_carry_their_scores(loaded: None) -> None:
    validated = Assessment.objects.filter(state=AssessmentState.VALIDATED)
    assert validated.self_tests().count() == 10  # nine example cities, Ghent twice
    assert not validated.filter(scores__isnull=True).exists()
