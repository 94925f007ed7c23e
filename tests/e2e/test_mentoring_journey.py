"""A mentoring scheme as people live it.

The secretariat asks the platform to match mentors to gaps on the anti-discrimination benchmark
and forms the proposed scheme (Tampere mentoring Ghent);
Ghent's editor writes the roadmap (an objective tied to a key factor of its baseline self-test,
actions, a support group member), logs the mentors' visit and a progress report, lets an action
go late and sees the flag; the dashboard counts it and compares baseline and follow-up. axe-core
checks every page on the way.
"""

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.urls import get_resolver
from django.utils import timezone
from playwright.sync_api import Page, expect

from integratingcities.cities.models import City
from integratingcities.frameworks.models import Framework, Section
from integratingcities.lib.testing import PASSWORD, People
from integratingcities.mentoring.models import Action, Roadmap, Scheme
from integratingcities.mentoring.tests.factories import LINEAGE, selftest

from .browser import (
    WIDTHS,
    assert_accessible,
    assert_no_horizontal_scroll,
    log_in,
    screenshot,
    visit,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


def _photograph(page: Page, url: str, name: str) -> None:
    """Both widths: axe-core, no sideways scrolling on a phone, a screenshot for review."""
    for device, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        visit(page, url)
        assert_accessible(page)
        if device == "phone":
            assert_no_horizontal_scroll(page)
        screenshot(page, name)
    page.set_viewport_size(WIDTHS["desktop"])


def test_a_scheme_is_formed_a_roadmap_written_and_monitored(
    site: People, live_server, settings, new_page: Callable[..., Page]
) -> None:
    base = live_server.url
    settings.SITE_URL = base
    # Import every view before the browser's first page: some pull in SciPy and matplotlib,
    # seconds on a busy machine, which the first page would otherwise spend against its timeout.
    assert get_resolver().url_patterns
    framework = Framework.objects.get(lineage=LINEAGE, version=1)
    selftest(framework, site.ghent, "partly", days_ago=300)  # the baseline
    factor = Section.objects.filter(framework=framework, is_context=False).order_by("position")[0]
    today = timezone.localdate()

    # Tampere meets the benchmark fully: a mentor for Ghent's gaps.
    tampere = City.objects.get(slug="tampere")
    selftest(framework, tampere, "yes", days_ago=200)

    # The secretariat asks the platform to match mentors to gaps and forms the proposed scheme.
    secretariat = new_page()
    log_in(secretariat, base, site.secretariat.email, PASSWORD)
    visit(secretariat, base + "/mentoring/")
    assert_accessible(secretariat)
    secretariat.get_by_role("link", name="Match mentors to gaps").click()
    assert_accessible(secretariat)
    secretariat.get_by_label("Implementing cities").fill("Ghent")
    secretariat.get_by_label(re.compile("^Cities willing to mentor")).fill("Tampere, 1")
    secretariat.get_by_role("button", name="Propose schemes").click()
    expect(secretariat.get_by_role("heading", name="Proposal 1: Tampere mentors")).to_be_visible()
    expect(secretariat.locator("main")).to_contain_text("Tampere meets")  # the reasons, in words
    assert_accessible(secretariat)
    secretariat.get_by_role("button", name="Accept or change proposal 1").click()
    assert_accessible(secretariat)
    secretariat.get_by_label("Name of the scheme").fill("Fair jobs mentoring")
    secretariat.get_by_label("Project").fill("Integrating Cities 2026")
    secretariat.get_by_label("Facilitator").fill("MigrationWork CIC")
    secretariat.get_by_label("Starts on").fill((today - timedelta(days=200)).isoformat())
    secretariat.get_by_label("Ends on").fill((today + timedelta(days=500)).isoformat())
    secretariat.get_by_role("button", name="Accept and form this scheme").click()
    expect(secretariat.locator("main")).to_contain_text("Tampere")
    assert_accessible(secretariat)
    scheme = Scheme.objects.get(name="Fair jobs mentoring")
    roadmap = Roadmap.objects.get(scheme=scheme, city=site.ghent)
    assert roadmap.baseline is not None

    # Ghent's editor writes the roadmap.
    editor = new_page()
    log_in(editor, base, site.editor.email, PASSWORD)
    visit(editor, base + scheme.get_absolute_url())
    editor.get_by_role("link", name="Roadmap of Ghent").click()
    expect(editor.get_by_role("heading", name="Roadmap of Ghent", level=1)).to_be_visible()
    assert_accessible(editor)
    editor.get_by_role("link", name="Add an objective").click()
    assert_accessible(editor)
    editor.get_by_label(re.compile(r"^Objective")).fill("Diversity targets in city recruitment")
    editor.get_by_label(factor.title["en"]).check()
    editor.get_by_label(re.compile(r"^Gap")).fill("No data on the background of new hires")
    editor.get_by_label(re.compile(r"^Root cause")).fill("No shared definition")
    editor.get_by_label(re.compile(r"^Change sought")).fill("Targets in the HR plan")
    editor.get_by_role("button", name="Save").click()
    expect(editor.locator(".messages")).to_contain_text("Saved.")

    editor.get_by_role("link", name=re.compile("^Add an action")).click()
    editor.get_by_label(re.compile(r"^Action")).fill("Survey of new hires")
    editor.get_by_label(re.compile(r"^Owner")).fill("HR department")
    editor.get_by_role("button", name="Save").click()  # without a due date
    expect(editor.locator(".field-error")).to_contain_text("This field is required.")
    assert_accessible(editor)
    editor.get_by_label(re.compile(r"^Due on")).fill((today + timedelta(days=30)).isoformat())
    editor.get_by_role("button", name="Save").click()
    expect(editor.locator(".messages")).to_contain_text("Saved.")

    editor.get_by_role("link", name="Add a member").click()
    editor.get_by_label(re.compile(r"^Person or organisation")).fill("Minderhedenforum")
    editor.get_by_label(re.compile(r"^Type")).select_option(label="Migrant organisation")
    editor.get_by_label(re.compile(r"^Role in the group")).fill("Adviser")
    editor.get_by_role("button", name="Save").click()
    expect(editor.locator("#support-group ~ .table-wrap").first).to_contain_text("Minderhedenforum")

    editor.get_by_role("link", name="Log a visit").click()
    assert_accessible(editor)
    editor.get_by_label(re.compile(r"^Date")).fill((today - timedelta(days=40)).isoformat())
    editor.get_by_label(re.compile(r"^Who came")).fill("Tampere and MigrationWork CIC")
    editor.get_by_label(re.compile(r"^Recommendations")).fill("- Start with a voluntary survey")
    editor.get_by_role("button", name="Save").click()
    expect(editor.locator("main")).to_contain_text("Tampere and MigrationWork CIC")

    editor.get_by_role("link", name="Write a progress report").click()
    editor.get_by_label(re.compile(r"^Date")).fill(today.isoformat())
    editor.get_by_label(re.compile(r"^What changed")).fill("The survey form is **agreed**.")
    editor.get_by_role("button", name="Save").click()
    expect(editor.locator("#progress ~ .mentoring-log").first).to_contain_text(
        "The survey form is agreed."
    )

    # The action goes late: its due date passes (moved into the past), and the flag shows.
    expect(editor.locator("main")).not_to_contain_text("action is late")
    action = Action.objects.get(objective__roadmap=roadmap)
    editor.get_by_role("link", name="Change Survey of new hires").click()
    editor.get_by_label(re.compile(r"^Due on")).fill((today - timedelta(days=2)).isoformat())
    editor.get_by_role("button", name="Save").click()
    expect(editor.locator("main")).to_contain_text("1 action is late")
    expect(editor.locator("tr.action-late")).to_contain_text("Late")
    assert Action.objects.get(pk=action.pk).due_on < today
    assert_accessible(editor)

    # The dashboard: one late action, and the baseline beside the follow-up per key factor.
    editor.get_by_role("link", name="Monitoring dashboard").click()
    expect(editor.get_by_role("heading", name="Monitoring: Fair jobs mentoring")).to_be_visible()
    counts = editor.locator("table").first.locator("tbody tr").first
    expect(counts.locator("td").nth(1)).to_contain_text("1")
    expect(editor.locator("main")).to_contain_text(factor.title["en"])
    expect(editor.get_by_role("img", name="Timeline of the actions of Ghent")).to_be_visible()
    assert_accessible(editor)
    _photograph(editor, editor.url, "mentoring-dashboard")
    _photograph(editor, base + roadmap.get_absolute_url(), "mentoring-roadmap")
    _photograph(editor, base + "/mentoring/", "mentoring-schemes")

    # Riga's editor, in no role in this scheme, is told it does not exist.
    outsider = new_page()
    log_in(outsider, base, site.outsider.email, PASSWORD)
    response = outsider.goto(base + roadmap.get_absolute_url())
    assert response is not None and response.status == 404
