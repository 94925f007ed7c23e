"""The practice library in a real browser, axe-core on every page it visits: searching and
filtering as a visitor, and one city's evidence on its way to publication."""

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from integratingcities.assessments.models import Answer, Assessment
from integratingcities.assessments.services import AnswerInput, answers_save
from integratingcities.frameworks.models import Framework, Item, Level
from integratingcities.lib.testing import PASSWORD, People
from integratingcities.practices.models import Practice
from integratingcities.rounds.models import Round

from .browser import assert_accessible, assert_no_horizontal_scroll, log_in, visit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

EVIDENCE = (
    "Ghent's welcome desk pairs every newcomer with a volunteer buddy for six months. "
    "Two hundred pairs met in 2025."
)


def test_a_visitor_searches_filters_and_reads_a_practice(
    site: People, live_server, new_page: Callable[..., Page]
) -> None:
    base = live_server.url
    visitor = new_page()
    visit(visitor, base + "/")
    visitor.get_by_role("navigation", name="Main").get_by_role("link", name="Practices").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Practice library")
    assert_accessible(visitor)

    # Words are stemmed: "monitoring" also finds what "monitors".
    visitor.get_by_label("Search the practices").fill("monitoring")
    visitor.get_by_role("button", name="Search", exact=True).click()
    expect(visitor).to_have_url(re.compile(r"\?q=monitoring"))
    status = visitor.get_by_role("status")
    expect(status).to_contain_text(re.compile(r"\d+ practices?"))
    searched = int(re.search(r"(\d+) practice", status.inner_text()).group(1))  # type: ignore[union-attr]
    assert searched > 0
    assert_accessible(visitor)

    # A filter narrows the list; its options say how many practices each gives.
    role = visitor.get_by_label("Role")
    employer = role.locator("option", has_text="Cities as employers")
    expect(employer).to_have_text(re.compile(r"\(\d+\)$"))
    role.select_option(label=employer.inner_text())
    visitor.get_by_role("button", name="Apply filters").click()
    expect(visitor).to_have_url(re.compile(r"role=employer"))
    filtered = int(re.search(r"(\d+) practice", status.inner_text()).group(1))  # type: ignore[union-attr]
    assert 0 < filtered <= searched
    expect(visitor.locator(".active-filters")).to_contain_text("Role")
    assert_accessible(visitor)

    # The address can be shared: opened anew, it gives the same list.
    shared = new_page()
    visit(shared, visitor.url)
    expect(shared.get_by_role("status")).to_have_text(status.inner_text())

    # A practice's own page, with its source and related practices.
    first = visitor.locator(".practice-card h2 a").first
    title = first.inner_text()
    first.click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(title)
    expect(visitor.get_by_role("heading", name="Related practices")).to_be_visible()
    expect(visitor.locator("aside")).to_contain_text("Source")
    assert_accessible(visitor)

    # The downloads keep the search.
    visit(visitor, base + "/practices/?q=monitoring&role=employer")
    csv_link = visitor.get_by_role("link", name="CSV")
    assert csv_link.get_attribute("href") == "/practices/practices.csv?q=monitoring&role=employer"

    # A city's round results suggest practices of cities that meet what it does not.
    round_, practice = _round_with_a_gap(site)
    visit(visitor, base + f"/rounds/{round_.pk}/results/ghent/")
    gaps = visitor.get_by_role("region", name="Practices for what is not fully met yet")
    expect(gaps.get_by_role("link", name=practice.title)).to_be_visible()
    assert_accessible(visitor)

    # On a phone, the library fits the screen.
    phone = new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    visit(phone, base + "/practices/?q=monitoring")
    assert_no_horizontal_scroll(phone)
    assert_accessible(phone)


def _round_with_a_gap(site: People) -> tuple[Round, Practice]:
    """A published round where Ghent partly meets a commitment that another city, with a
    published practice for it, fully meets."""
    practice = (
        Practice.objects.filter(status="published", themes__lineage="charter")
        .exclude(city=site.ghent)
        .select_related("city")
        .order_by("key")
        .first()
    )
    assert practice is not None
    commitment = practice.themes.filter(lineage="charter").first().item_key  # type: ignore[union-attr]
    charter = Framework.objects.get(lineage="charter", status="published")
    round_ = Round.objects.create(
        title="Charter survey 2024",
        framework=charter,
        opens_on=date(2024, 1, 1),
        closes_on=date(2024, 6, 30),
        status="published",
    )
    item = Item.objects.get(section__framework=charter, key=commitment)
    for city, level in ((site.ghent, "partly"), (practice.city, "fully")):
        assessment = Assessment.objects.create(
            city=city, framework=charter, round=round_, state="validated"
        )
        Answer.objects.create(
            assessment=assessment,
            item=item,
            level=Level.objects.get(scale__framework=charter, key=level),
            evidence="Evidence.",
            is_answered=True,
        )
    return round_, practice


def _ghent_survey(site: People) -> Assessment:
    charter = Framework.objects.get(lineage="charter", status="published")
    today = date.today()
    round_ = Round.objects.create(
        title="Charter survey 2026",
        framework=charter,
        opens_on=today - timedelta(days=10),
        closes_on=today + timedelta(days=50),
    )
    assessment = Assessment.objects.create(city=site.ghent, framework=charter, round=round_)
    item = Item.objects.get(section__framework=charter, key="needs-understood")
    partly = Level.objects.get(scale__framework=charter, key="partly")
    answers_save(
        assessment=assessment,
        user=site.editor,
        inputs={item: AnswerInput(level=partly, evidence=EVIDENCE)},
        base_versions={},
    )
    return assessment


def test_a_citys_evidence_becomes_a_published_practice(
    site: People, live_server, settings, new_page: Callable[..., Page]
) -> None:
    base = live_server.url
    settings.SITE_URL = base
    assessment = _ghent_survey(site)

    # The editor proposes the evidence from the survey, in one step.
    editor = new_page()
    log_in(editor, base, site.editor.email, PASSWORD)
    visit(editor, base + f"/assessments/{assessment.pk}/sections/service_provider/")
    assert_accessible(editor)
    editor.get_by_role("button", name="Propose as a practice").click()
    expect(editor.locator(".messages")).to_contain_text("A draft practice is made")
    expect(editor.get_by_role("heading", level=1)).to_contain_text("welcome desk pairs")
    expect(editor.get_by_text("Not published")).to_be_visible()
    assert_accessible(editor)
    practice = Practice.objects.get(from_answer__assessment=assessment)

    # ... adds what the library asks for and sends it to the secretariat.
    editor.get_by_role("link", name="Edit").click()
    assert_accessible(editor)
    editor.get_by_label("For whom").fill("Newcomers of every origin, and volunteers of Ghent")
    editor.get_by_role("button", name="Save and send to the secretariat").click()
    expect(editor.locator(".messages")).to_contain_text("sent to the secretariat")
    assert_accessible(editor)

    # The secretariat finds it among the proposals and sends it back with a comment.
    secretariat = new_page()
    log_in(secretariat, base, site.secretariat.email, PASSWORD)
    visit(secretariat, base + "/practices/proposals/")
    assert_accessible(secretariat)
    secretariat.get_by_role("link", name=practice.title).click()
    assert_accessible(secretariat)
    secretariat.get_by_label("Comment for the city").fill("Please add the results of 2025.")
    secretariat.get_by_role("button", name="Send back with this comment").click()
    expect(secretariat.locator(".messages")).to_contain_text("Sent back to the city")

    # The editor reads the comment, edits and proposes again.
    visit(editor, base + practice.get_absolute_url())
    expect(editor.locator(".comment")).to_contain_text("Please add the results of 2025.")
    assert_accessible(editor)
    editor.get_by_role("link", name="Edit").click()
    editor.get_by_label("Results and indicators of success").fill(
        "Two hundred pairs met in 2025; **nine in ten** newcomers would recommend it."
    )
    editor.get_by_role("textbox", name=re.compile(r"^Title")).fill(
        "Ghent pairs newcomers with volunteer buddies"
    )
    editor.get_by_role("button", name="Save and send to the secretariat").click()
    expect(editor.locator(".messages")).to_contain_text("sent to the secretariat")

    # The secretariat publishes.
    visit(secretariat, base + practice.get_absolute_url())
    secretariat.get_by_role("button", name="Publish").click()
    expect(secretariat.locator(".messages")).to_contain_text("Published")
    assert_accessible(secretariat)

    # Anybody finds it in the library, credited to Ghent.
    visitor = new_page()
    visit(visitor, base + "/practices/")
    visitor.get_by_label("Search the practices").fill("volunteer buddies")
    visitor.get_by_role("button", name="Search", exact=True).click()
    visitor.get_by_role("link", name="Ghent pairs newcomers with volunteer buddies").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(
        "Ghent pairs newcomers with volunteer buddies"
    )
    expect(visitor.locator("strong", has_text="nine in ten")).to_be_visible()
    expect(visitor.locator(".practice-meta")).to_contain_text("Ghent")
    assert_accessible(visitor)
    visit(visitor, base + "/cities/ghent/")
    expect(visitor.get_by_role("link", name="Ghent pairs newcomers with volunteer buddies"))
    assert_accessible(visitor)
