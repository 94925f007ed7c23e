"""The city profile: Charter results beside peers, shared self-tests, practices, indicators;
only public data, as a page and as a PDF."""

import base64
import io
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from integratingcities.assessments.models import Answer, Assessment, AssessmentState
from integratingcities.assessments.services import scores_record
from integratingcities.cities.models import City
from integratingcities.downloads.urls import link
from integratingcities.frameworks.models import Framework, Item, ItemKind, Level
from integratingcities.frameworks.services import framework_import_path
from integratingcities.indicators.models import Indicator, IndicatorValue
from integratingcities.indicators.services import indicators_load
from integratingcities.lib.testing import CityFactory, People, client_for
from integratingcities.practices.models import Practice, PracticeTheme
from integratingcities.rounds.models import Round, RoundStatus

FRAMEWORKS = Path(settings.BASE_DIR) / "content" / "frameworks"
BENCHMARK = "anti-discrimination-job-market"


@pytest.fixture
def charter(db: None) -> Framework:
    return framework_import_path(path=FRAMEWORKS / "charter.v1.yaml", publish=True).framework


@pytest.fixture
def benchmark(db: None) -> Framework:
    return framework_import_path(path=FRAMEWORKS / f"{BENCHMARK}.v1.yaml", publish=True).framework


def _round(charter: Framework, year: int, **fields: object) -> Round:
    defaults: dict[str, object] = {
        "title": f"Charter survey {year}",
        "status": RoundStatus.PUBLISHED,
        "published_at": timezone.now() - timedelta(days=3650 - 365 * (year - 2016)),
    }
    return Round.objects.create(
        framework=charter,
        opens_on=date(year, 1, 1),
        closes_on=date(year, 3, 31),
        **(defaults | fields),
    )


def _rated(framework: Framework) -> list[Item]:
    return list(
        Item.objects.filter(
            section__framework=framework, kind=ItemKind.RATING, section__is_context=False
        ).order_by("section__position", "position")
    )


def _answers(
    framework: Framework,
    city: City,
    level: str | dict[str, str],
    *,
    round_: Round | None = None,
    state: str = AssessmentState.VALIDATED,
    evidence: str = "Evidence.",
    **fields: object,
) -> Assessment:
    """An assessment giving every rated item ``level`` (or item key: level), recorded as
    validation records it."""
    assessment = Assessment.objects.create(
        city=city,
        framework=framework,
        round=round_,
        state=state,
        validated_at=timezone.now() if state == AssessmentState.VALIDATED else None,
        **fields,
    )
    levels = {lv.key: lv for lv in Level.objects.filter(scale__framework=framework)}
    chosen = level if isinstance(level, dict) else {i.key: level for i in _rated(framework)}
    items = {i.key: i for i in _rated(framework)}
    Answer.objects.bulk_create(
        Answer(
            assessment=assessment,
            item=items[key],
            level=levels[value],
            evidence=evidence,
            is_answered=True,
            version=1,
        )
        for key, value in chosen.items()
    )
    if state == AssessmentState.VALIDATED:
        scores_record(assessments=[assessment])
    return assessment


def _cite(assessment: Assessment, key: str, text: str) -> None:
    item = Item.objects.get(section__framework=assessment.framework, key=key)
    Answer.objects.create(assessment=assessment, item=item, text=text, is_answered=True)


def _city(slug: str, country: str, population: int, born_abroad: str) -> City:
    return CityFactory.create(
        name=slug.title(),
        slug=slug,
        country=country,
        population=population,
        foreign_born_share=Decimal(born_abroad),
    )


def _page(slug: str = "ghent") -> str:
    response = client_for(None).get(reverse("cities:profile", args=[slug]))
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


@pytest.fixture
def peers(people: People, charter: Framework) -> Round:
    """Ghent (265,000, Belgium, 20% born abroad) went from "not at all" to "partly"; in the
    latest round Leuven (same band, country and share) answers "fully", Utrecht (same band)
    "not at all", Riga (a larger city) "partly"."""
    City.objects.filter(pk=people.ghent.pk).update(
        population=265_000, foreign_born_share=Decimal("20.0")
    )
    City.objects.filter(pk=people.riga.pk).update(population=600_000)
    leuven = _city("leuven", "BE", 300_000, "25.0")
    utrecht = _city("utrecht", "NL", 400_000, "12.0")
    before = _round(charter, 2024)
    latest = _round(charter, 2026)
    _answers(charter, people.ghent, "not_at_all", round_=before)
    _answers(charter, people.ghent, "partly", round_=latest)
    _answers(charter, leuven, "fully", round_=latest)
    _answers(charter, utrecht, "not_at_all", round_=latest)
    _answers(charter, people.riga, "partly", round_=latest)
    return latest


def test_the_profile_ranks_the_city_in_each_peer_group_and_shows_the_change(
    peers: Round,
) -> None:
    page = _page()
    assert "Charter survey 2026" in page
    assert "2nd of 4 responding cities" in page
    assert "2nd of 3 cities of 250,000 to 500,000 inhabitants" in page
    assert "2nd of 2 cities in Belgium" in page
    assert "2nd of 2 cities where 20-30% of the residents were born abroad" in page
    # The change since the previous round: every role from 0 to 50.
    assert "In Charter survey 2024" in page
    assert page.count('data-label="Change">+50</td>') == 5
    # The distributions as charts (overall per group, each role in the network), with tables.
    assert page.count('<img src="data:image/svg+xml;base64,') == 2
    assert "Ghent's overall score in each peer group</caption>" in page
    assert "Ghent among cities in Belgium</caption>" in page
    assert "illustrative" not in page.lower()


def test_the_city_page_links_to_its_profile(people: People) -> None:
    page = client_for(None).get(reverse("cities:detail", args=["ghent"])).content.decode()
    assert reverse("cities:profile", args=["ghent"]) in page


def test_illustrative_levels_rank_no_city(peers: Round) -> None:
    Round.objects.filter(pk=peers.pk).update(is_illustrative=True)
    page = _page()
    assert "2nd of" not in page
    assert "Not ranked, as the levels are illustrative" in page
    charts = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert len(charts) == 2
    for chart in charts:  # the charts place the city nowhere, and say why
        svg = base64.b64decode(chart).decode()
        assert "Ghent" not in svg
        assert "Illustrative levels" in svg
    assert "Illustrative: the levels of this round are demonstration data" in page


def test_too_few_answers_is_not_a_score(people: People, charter: Framework) -> None:
    latest = _round(charter, 2026)
    one = _rated(charter)[0].key
    _answers(charter, people.ghent, {one: "fully"}, round_=latest)
    _answers(charter, people.riga, "partly", round_=latest)
    page = _page()
    assert "not enough answers" in page
    assert "not ranked (not enough answers to score); 1 other responding cities have a score" in (
        page
    )


def test_a_shared_validated_self_test_shows_scores_gaps_practices_and_context(
    people: People, benchmark: Framework
) -> None:
    factors = {i.key: i.section.key for i in _rated(benchmark)}
    first = next(iter(factors.values()))
    levels = {key: "yes" if section == first else "no" for key, section in factors.items()}
    ghent = _answers(benchmark, people.ghent, levels, share_evidence=True)
    _cite(ghent, "national-legislation-policy", "A federal law limits what the city may ask.")
    weak = next(section for section in factors.values() if section != first)
    practice = Practice.objects.create(
        key="mentoring-jobseekers",
        title="Mentoring for jobseekers",
        city=people.riga,
        summary="s",
        source="report-2015",
        status="published",
    )
    PracticeTheme.objects.create(practice=practice, lineage=BENCHMARK, section_key=weak)
    # Riga's self-test is validated but not shared: it is nobody's peer in public.
    _answers(benchmark, people.riga, "partly")
    page = _page()
    assert str(benchmark.title["en"]) in page
    assert "Overall score: 14 out of 100." in page  # one key factor of seven is met
    assert page.count('data-label="Ghent">100</td>') == 1
    assert "What more to do" in page
    assert "Mentoring for jobseekers" in page
    assert "A federal law limits what the city may ask." in page
    assert "none of the other cities that share a validated self-test has a score yet" in page
    Assessment.objects.filter(city=people.riga).update(share_evidence=True)
    assert "of 2 cities that share a validated self-test" in _page()


def test_a_city_counts_by_its_latest_self_test_only(people: People, benchmark: Framework) -> None:
    """Riga shared an earlier self-test, not its latest: its score is no longer shown."""
    _answers(benchmark, people.ghent, "partly", share_evidence=True)
    _answers(benchmark, people.riga, "yes", share_evidence=True)
    assert "of 2 cities that share a validated self-test" in _page()
    _answers(benchmark, people.riga, "no")
    assert "none of the other cities that share a validated self-test has a score yet" in _page()


def test_hidden_data_is_never_shown(
    people: People, charter: Framework, benchmark: Framework
) -> None:
    draft_round = _round(charter, 2026, status=RoundStatus.CLOSED, title="DRAFT-ROUND-TITLE")
    _answers(charter, people.ghent, "fully", round_=draft_round, evidence="DRAFT-ROUND-EVIDENCE")
    published = _round(charter, 2025, title="PUBLISHED-UNVALIDATED")
    _answers(charter, people.ghent, "fully", round_=published, state=AssessmentState.SUBMITTED)
    unshared = _answers(benchmark, people.ghent, "yes")
    _cite(unshared, "data-availability", "UNSHARED-CONTEXT-SECRET")
    submitted = _answers(
        benchmark, people.ghent, "no", state=AssessmentState.SUBMITTED, share_evidence=True
    )
    _cite(submitted, "data-availability", "UNVALIDATED-CONTEXT-SECRET")
    Practice.objects.create(
        key="ghent-draft",
        title="DRAFT-PRACTICE-TITLE",
        city=people.ghent,
        summary="s",
        source="submitted",
    )
    for role in ("anonymous", "secretariat", "editor"):
        page = client_for(people.all_roles()[role]).get(reverse("cities:profile", args=["ghent"]))
        text = page.content.decode()
        for secret in (
            "DRAFT-ROUND",
            "PUBLISHED-UNVALIDATED",
            "UNSHARED-CONTEXT-SECRET",
            "UNVALIDATED-CONTEXT-SECRET",
            "DRAFT-PRACTICE-TITLE",
        ):
            assert secret not in text, (role, secret)
        assert "No Charter results: the city has no validated answers in a published round." in (
            text
        )
        assert "the city shares no validated self-test of a benchmark" in text


def test_published_practices_and_indicators_are_listed(people: People) -> None:
    Practice.objects.create(
        key="ghent-welcome",
        title="Welcome desk for newcomers",
        city=people.ghent,
        summary="s",
        source="report-2015",
        status="published",
    )
    indicators_load(Path(settings.BASE_DIR) / "content/indicators.yaml")
    staff = Indicator.objects.get(key="staff-migrant-background-share")
    for city, value in ((people.ghent, 8), (people.riga, 4), (CityFactory.create(), 6)):
        IndicatorValue.objects.create(
            indicator=staff,
            city=city,
            year=2020,
            value=value,
            basis=staff.basis,
            source=f"HR survey of {city.name}",
        )
    page = _page()
    assert reverse("practices:detail", args=["ghent-welcome"]) in page
    assert "Welcome desk for newcomers" in page
    assert staff.name in page
    assert "HR survey of Ghent" in page
    assert "8.0%" in page  # the value
    assert "5.0%" in page  # the median of the other two cities in 2020


def test_a_city_with_nothing_yet_says_what_is_missing(people: People) -> None:
    page = _page("riga")
    assert "Not in this profile yet" in page
    assert "No Charter results" in page
    assert "No benchmark results" in page
    assert "No published practice of the city in the library." in page
    assert "No indicator value for the city." in page
    assert "Population not known" in page


def test_an_unknown_city_is_not_found(people: People) -> None:
    assert client_for(None).get(reverse("cities:profile", args=["nowhere"])).status_code == 404


def _network(charter: Framework, benchmark: Framework, n: int) -> None:
    latest = Round.objects.filter(title="Charter survey 2026").first() or _round(charter, 2026)
    for number in range(n):
        city = _city(f"peer-{n}-{number}", "BE", 260_000 + number, "21.0")
        _answers(charter, city, "fully" if number % 2 else "partly", round_=latest)
        _answers(benchmark, city, "partly", share_evidence=number % 3 == 0)


def _queries(people: People, *, clear: bool = True) -> int:
    from django.core.cache import cache

    if clear:
        cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client_for(None).get(reverse("cities:profile", args=["ghent"])).status_code == 200
    return len(captured)


def test_the_query_count_does_not_grow_with_the_cities(
    people: People, charter: Framework, benchmark: Framework
) -> None:
    City.objects.filter(pk=people.ghent.pk).update(
        population=265_000, foreign_born_share=Decimal("20.0")
    )
    latest = _round(charter, 2026)
    _round(charter, 2024)
    _answers(charter, people.ghent, "partly", round_=latest)
    _answers(benchmark, people.ghent, "partly", share_evidence=True)
    _network(charter, benchmark, 5)
    five = _queries(people), _queries(people, clear=False)
    _network(charter, benchmark, 45)
    fifty = _queries(people), _queries(people, clear=False)
    assert five == fifty
    # The first visit after a change computes the stored statistics (of every peer, and of the
    # peers that share their self-test); later ones read them.
    assert fifty[0] <= 75
    assert fifty[1] <= 35


def test_the_pdf_is_made_through_the_downloads_link(peers: Round) -> None:
    client = client_for(None)
    url = link("cities.profile_pdf", slug="ghent")
    finished = client.get(url, follow=True)
    assert finished.status_code == 200
    served = client.get(url)
    assert served["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(served.content))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Ghent: city profile" in text
    assert "2nd of 3 cities of 250,000 to 500,000 inhabitants" in text
    assert 2 <= len(reader.pages) <= 8
    # Tagged (PDF/UA): each chart is a figure whose text alternative a screen reader reads.
    catalogue: Any = reader.trailer["/Root"]
    figures = _tagged(catalogue["/StructTreeRoot"], "/Figure")
    assert len(figures) == 2
    assert all(str(figure["/Alt"]).startswith("Dot chart:") for figure in figures)


def _tagged(node: Any, kind: str) -> list[Any]:
    """The elements of a PDF's structure tree of one kind."""
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, list):
        return [found for child in node for found in _tagged(child, kind)]
    if not isinstance(node, dict):
        return []
    own = [node] if node.get("/S") == kind else []
    return own + (_tagged(node["/K"], kind) if "/K" in node else [])


def test_no_pdf_of_an_unknown_city(people: People) -> None:
    response = client_for(people.editor).get(link("cities.profile_pdf", slug="nowhere"))
    assert response.status_code == 404
