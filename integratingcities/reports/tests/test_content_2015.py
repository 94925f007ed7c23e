"""The 2015 report's content file (content/reports/charter-2015.yaml), checked against the other
content files without the reports app: its shape, its references, and the city-linked facts of
"Cities and Migrants" (2015), each of which must be in its place in the demo."""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings

CONTENT = Path(settings.BASE_DIR) / "content"
REPORT = CONTENT / "reports" / "charter-2015.yaml"
SURVEY = CONTENT / "demo" / "survey-2015.yaml"

# The tests read files only; the mark is for the shared fixture that empties the database cache.
pytestmark = pytest.mark.django_db

TOP_KEYS = {"title", "subtitle", "published_on", "illustrative", "sections", "roles", "commitments"}
SECTION_KEYS = {
    "foreword",
    "summary",
    "organisation",
    "trends",
    "debates",
    "national",
    "charter_use",
    "challenges",
    "next_steps",
    "method",
}
COMMITMENT_KEYS = {"trends", "highlights"}
HIGHLIGHT_KEYS = {"city", "text", "practice"}

# (city slug, a phrase or figure the 2015 report credits to that city). Each must be in the
# city's entry of survey-2015.yaml, in a highlight of the city, or in a paragraph of the report's
# narrative that names the city.
FACTS_2015 = [
    ("barcelona", "358,357"),
    ("barcelona", "22.2%"),
    ("barcelona", "team of 110"),
    ("barcelona", "SAIER"),
    ("barcelona", "anti-rumour"),
    ("barcelona", "electoral roll"),
    ("barcelona", "detention centre"),
    ("brno", "citizens without frontiers"),
    ("brno", "Brno expat centre"),
    ("brno", "Ukraine and Syria"),
    ("genoa", "vice-mayor"),
    ("genoa", "training day"),
    ("ghent", "5,656"),
    ("ghent", "7,191"),
    ("ghent", "ten point action plan"),
    ("ghent", "IN-Ghent"),
    ("ghent", "Roma mediators"),
    ("ghent", "European Social Fund"),
    ("helsinki", "Virka-info"),
    ("helsinki", "HERIEC"),
    ("helsinki", "Anu Riila"),
    ("leipzig", "June 2014"),
    ("leipzig", "intercultural weeks"),
    ("leipzig", "Christin Rettke"),
    ("lisbon", "Mouraria"),
    ("lisbon", "Todos festival"),
    ("lisbon", "interfaith harmony"),
    ("london", "Mayor's Annual Equality Report"),
    ("london", "London Strategic Migration Partnership"),
    ("london", "Immigration Act 2014"),
    ("malmo", "anti-discrimination clause in all its tenders"),
    ("malmo", "unaccompanied minors"),
    ("munich", "just under 90%"),
    ("munich", "9.8%"),
    ("munich", "10.3%"),
    ("munich", "December 2013"),
    ("nantes", "Buydis"),
    ("nantes", "10%"),
    ("nantes", "national diversity label"),
    ("nantes", "elderly migrants"),
    ("nuremberg", "29.2%"),
    ("nuremberg", "41%"),
    ("nuremberg", "October 2015"),
    ("nuremberg", "ARN-IB"),
    ("nuremberg", "Erlangen"),
    ("nuremberg", "Stay in Nuremberg"),
    ("oslo", "OXLO Business Charter"),
    ("oslo", "OXLO Breakfast Club"),
    ("oslo", "International House"),
    ("oslo", "kindergarten"),
    ("oulu", "participate and impact"),
    ("oulu", "May 2013"),
    ("oulu", "autumn 2015"),
    ("riga", "1,232"),
    ("riga", "2012-2017"),
    ("riga", "2009"),
    ("rotterdam", "We Society"),
    ("rotterdam", "social impact clause"),
    ("rotterdam", "Poland and Bulgaria"),
    ("stockholm", "8,942"),
    ("stockholm", "3,000"),
    ("stockholm", "early 2015"),
    ("tampere", "22.9%"),
    ("tampere", "56.2%"),
    ("tampere", "city of the year"),
    ("tampere", "summer jobs"),
    ("tampere", "November 2014"),
    ("toulouse", "March 2012"),
    ("toulouse", "observatory of discrimination"),
    ("toulouse", "alert system"),
    ("toulouse", "priority neighbourhoods"),
    ("vienna", "500 signatures"),
    ("vienna", "34%"),
    ("vienna", "StartWien"),
    ("vienna", "MA 17"),
    ("vienna", "December 2014"),
    ("vienna", "more than a third"),
    ("vienna", "20 funding programmes"),
    ("toronto", "newcomers' day"),
    ("lyon", "Buydis"),
    ("montpellier", "since the first report"),
    ("brussels", "since the first report"),
]


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    data = _load(REPORT)
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def survey() -> dict[str, Any]:
    data = _load(SURVEY)
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def charter() -> dict[str, Any]:
    data = _load(CONTENT / "frameworks" / "charter.v1.yaml")
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def city_names() -> dict[str, str]:
    return {city["slug"]: city["name"] for city in _load(CONTENT / "cities.yaml")["cities"]}


def _roles(charter: dict[str, Any]) -> dict[str, list[str]]:
    """Role key -> its commitment keys: the sections whose items are rated."""
    return {
        section["key"]: [item["key"] for item in section["items"]]
        for section in charter["sections"]
        if any(item.get("kind") == "rating" for item in section["items"])
    }


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _narrative(report: dict[str, Any]) -> Iterator[str]:
    yield from _strings(report["sections"])
    yield from _strings(report["roles"])
    for entry in report["commitments"].values():
        yield entry.get("trends") or ""


def test_every_key_is_one_the_loader_reads(report: dict[str, Any], charter: dict[str, Any]) -> None:
    assert set(report) == TOP_KEYS
    assert set(report["sections"]) == SECTION_KEYS
    roles = _roles(charter)
    assert set(report["roles"]) == set(roles)
    assert set(report["commitments"]) == {key for keys in roles.values() for key in keys}
    for key, entry in report["commitments"].items():
        assert set(entry) <= COMMITMENT_KEYS, key
        assert entry["trends"].strip(), key
        for highlight in entry["highlights"]:
            assert set(highlight) <= HIGHLIGHT_KEYS and {"city", "text"} <= set(highlight), key
            assert highlight["text"].strip(), key
    assert str(report["published_on"]) == "2015-12-01"
    assert "illustrative" in report["illustrative"]


def test_every_text_is_markdown_without_headings(report: dict[str, Any]) -> None:
    # The page gives each text its heading; a heading inside would break the outline.
    for text in _narrative(report):
        assert text.strip()
        assert not re.search(r"^\s*#", text, re.M), text[:60]


def test_every_city_exists(
    report: dict[str, Any], survey: dict[str, Any], city_names: dict[str, str]
) -> None:
    highlighted = {
        highlight["city"]
        for entry in report["commitments"].values()
        for highlight in entry["highlights"]
    }
    assert highlighted <= set(city_names)
    assert set(survey["cities"]) <= set(city_names)
    assert len(survey["cities"]) == 20


def test_a_highlight_names_only_a_city_with_evidence_for_that_commitment(
    report: dict[str, Any], survey: dict[str, Any]
) -> None:
    for key, entry in report["commitments"].items():
        for highlight in entry["highlights"]:
            evidence = (survey["cities"][highlight["city"]].get("evidence") or {}).get(key)
            assert evidence, f"{highlight['city']} has no evidence for {key}"


def test_every_practice_exists_and_is_the_citys(report: dict[str, Any]) -> None:
    practices = {p["key"]: p for p in _load(CONTENT / "practices.yaml")["practices"]}
    for entry in report["commitments"].values():
        for highlight in entry["highlights"]:
            if "practice" not in highlight:
                continue
            practice = practices.get(highlight["practice"])
            assert practice is not None, highlight["practice"]
            cities = {practice["city"], *(practice.get("other_cities") or [])}
            assert highlight["city"] in cities, highlight["practice"]


def test_every_city_linked_fact_of_the_report_is_in_its_place(
    report: dict[str, Any], survey: dict[str, Any], city_names: dict[str, str]
) -> None:
    highlights: dict[str, list[str]] = {}
    for entry in report["commitments"].values():
        for highlight in entry["highlights"]:
            highlights.setdefault(highlight["city"], []).append(highlight["text"])
    # Texts that may carry a fact of a city they name: a narrative paragraph, a highlight, or
    # another city's entry (Lyon is in Nantes' evidence).
    naming = [
        *(part for text in _narrative(report) for part in re.split(r"\n\s*\n", text)),
        *(text for texts in highlights.values() for text in texts),
        *_strings(survey["cities"]),
    ]
    missing = []
    for slug, phrase in FACTS_2015:
        places = [
            *_strings(survey["cities"].get(slug, {})),
            *_strings((survey.get("links") or {}).get(slug, {})),
            *highlights.get(slug, []),
            *(text for text in naming if city_names[slug] in text),
        ]
        if not any(phrase.lower() in place.lower() for place in places):
            missing.append((slug, phrase))
    assert not missing
