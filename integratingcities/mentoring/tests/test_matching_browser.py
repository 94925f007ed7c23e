"""The matching page in a browser: axe finds nothing on the form, the proposals and the errors,
and a proposal, changed, becomes a scheme (the forms are plain GET and POST)."""

from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect

from integratingcities.lib.testing import PASSWORD, People, SignatoryFactory, make_people
from integratingcities.mentoring.models import Scheme, SchemeRole
from tests.e2e import conftest as e2e
from tests.e2e.browser import assert_accessible, log_in, visit

from . import factories
from .test_matching_page import DATA, LEADING, selftest

pytestmark = pytest.mark.browser
# The browser fixtures of tests/e2e, which this app's tests do not see otherwise.
playwright, browser, new_context = e2e.playwright, e2e.browser, e2e.new_context
page_fixture = e2e.new_page


@pytest.fixture
def site(transactional_db: None) -> People:
    people = make_people()
    framework = factories.benchmark()
    tampere = SignatoryFactory.create(name="Tampere", slug="tampere", country="FI")
    SignatoryFactory.create(name="Vienna", slug="vienna", country="AT")
    selftest(framework, people.ghent, {})
    selftest(framework, people.riga, {DATA: "no", LEADING: "partly"}, illustrative=True)
    selftest(framework, tampere, {LEADING: "no"})
    return people


def test_a_proposal_is_read_checked_and_accepted(
    site: People, live_server: object, page_fixture: Callable[..., Page]
) -> None:
    base = str(live_server)
    page = page_fixture()
    log_in(page, base, site.secretariat.email, PASSWORD)
    visit(page, f"{base}/mentoring/matching/")
    assert_accessible(page)
    page.get_by_label("Implementing cities").fill("Riga\nTampere\nVienna")
    page.get_by_label("Cities willing to mentor").fill("Ghent, 2")
    page.get_by_role("button", name="Propose schemes").click()
    expect(page.get_by_role("heading", name="Proposal 1: Ghent mentors")).to_be_visible()
    expect(page.get_by_role("heading", name="Cannot be matched yet")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Accept or change proposal 1").click()
    expect(page.get_by_role("heading", name="Accept a proposed scheme")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Project").fill("CITIES GROW")
    page.get_by_label("Tampere").uncheck()  # changed before it is accepted
    page.get_by_role("button", name="Accept and form this scheme").click()
    scheme = Scheme.objects.get()
    expect(page).to_have_url(f"{base}{scheme.get_absolute_url()}")
    roles = dict(scheme.members.values_list("city__slug", "role"))
    assert roles == {"ghent": SchemeRole.MENTOR, "riga": SchemeRole.IMPLEMENTING}


def test_bad_input_is_shown_accessibly(
    site: People, live_server: object, page_fixture: Callable[..., Page]
) -> None:
    base = str(live_server)
    page = page_fixture()
    log_in(page, base, site.secretariat.email, PASSWORD)
    query = urlencode(
        {
            "benchmark": factories.LINEAGE,
            "implementing": "Atlantis\nRiga",
            "mentors": "Riga, none",
            "scheme_size": 5,
        }
    )
    visit(page, f"{base}/mentoring/matching/?{query}")
    expect(page.get_by_text("Line 1: no city called “Atlantis”.")).to_be_visible()
    assert_accessible(page)
