"""Journeys through the site in a real browser, with axe-core on every page they visit."""

import re
from collections.abc import Callable

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from integratingcities.lib.testing import PASSWORD, People

from .browser import assert_accessible, log_in, visit

pytestmark = [
    pytest.mark.browser,
    # WhiteNoise looks for collected static files; the live server serves them from the finders.
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

INVITEE = "nieuwe.redacteur@stad.gent"
INVITEE_NAME = "Nele Nieuwe"
INVITEE_PASSWORD = "Tulips-and-Belfries-2026"
FRENCH_SIGNATORIES = ["Montpellier", "Nantes", "Paris", "Rennes", "Toulouse"]


def _rows(page: Page) -> list[str]:
    """The city names in the signatories table, top to bottom."""
    return page.locator("table tbody th[scope=row]").all_inner_texts()


def _invitation_link(base_url: str) -> str:
    assert len(mail.outbox) == 1, [message.subject for message in mail.outbox]
    message = mail.outbox[0]
    assert message.to == [INVITEE]
    match = re.search(r"https?://\S+/accounts/invitation/[^/\s]+/", message.body)
    assert match, message.body
    assert match.group(0).startswith(base_url + "/"), "the link is built on settings.SITE_URL"
    return match.group(0)


def test_the_secretariat_invites_an_editor_who_joins_and_the_public_reads_the_charter(
    site: People, live_server, settings, new_page: Callable[..., Page]
) -> None:
    base = live_server.url
    settings.SITE_URL = base  # the e-mailed link must point at the live server

    # The secretariat logs in through the form, from the home page.
    secretariat = new_page()
    visit(secretariat, base + "/")
    expect(secretariat.get_by_role("heading", level=1)).to_be_visible()
    assert secretariat.evaluate("getComputedStyle(document.body).margin") == "0px", "CSS loads"
    assert_accessible(secretariat)
    secretariat.get_by_role("link", name="Log in").click()
    expect(secretariat).to_have_url(base + "/accounts/login/")
    assert_accessible(secretariat)
    secretariat.get_by_label("E-mail address").fill(site.secretariat.email)
    secretariat.get_by_label(re.compile(r"^Password")).fill(PASSWORD)
    secretariat.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(secretariat).to_have_url(base + "/accounts/")
    assert_accessible(secretariat)

    # Invitations: a new city editor for Ghent.
    secretariat.get_by_role("navigation", name="Account").get_by_role(
        "link", name="Invitations"
    ).click()
    expect(secretariat).to_have_url(base + "/accounts/invitations/")
    expect(secretariat.get_by_role("heading", name="Invite people")).to_be_visible()
    assert_accessible(secretariat)
    secretariat.get_by_label("E-mail address").fill(INVITEE)
    secretariat.get_by_label("Name", exact=True).fill(INVITEE_NAME)
    secretariat.get_by_label("City", exact=True).fill("Ghent")
    secretariat.get_by_label("Role in that city").select_option(label="City editor")
    secretariat.get_by_role("button", name="Send invitation").click()
    expect(secretariat.get_by_role("status")).to_contain_text(f"Invitation sent to {INVITEE}.")
    sent = secretariat.get_by_role("row").filter(has_text=INVITEE)
    expect(sent).to_contain_text("City editor · Ghent")
    expect(sent).to_contain_text("waiting")
    assert_accessible(secretariat)
    link = _invitation_link(base)

    # The invitee opens the link in a browser of their own and chooses a password.
    invitee = new_page()
    visit(invitee, link)
    expect(invitee.get_by_role("main")).to_contain_text(f"{INVITEE}: City editor for Ghent")
    expect(invitee.get_by_label("Your name")).to_have_value(INVITEE_NAME)
    assert_accessible(invitee)
    invitee.locator("#id_password1").fill(INVITEE_PASSWORD)
    invitee.get_by_label("Password again").fill(INVITEE_PASSWORD)
    invitee.get_by_role("button", name="Set password and log in").click()

    # Logged in, on their account page, with Ghent and their role.
    expect(invitee).to_have_url(base + "/accounts/")
    expect(invitee.get_by_role("status")).to_contain_text("you are logged in")
    expect(invitee.get_by_role("heading", level=1)).to_have_text(f"Welcome, {INVITEE_NAME}")
    ghent_card = invitee.locator(".card").filter(has=invitee.get_by_role("heading", name="Ghent"))
    expect(ghent_card).to_contain_text("Your role: City editor")
    expect(invitee.get_by_role("navigation", name="Account")).to_contain_text(INVITEE_NAME)
    assert_accessible(invitee)

    # Through to Ghent's page and its team, where they are listed.
    ghent_card.get_by_role("link", name="Ghent").click()
    expect(invitee).to_have_url(base + "/cities/ghent/")
    expect(invitee.get_by_role("heading", level=1)).to_contain_text("Ghent")
    assert_accessible(invitee)
    invitee.get_by_role("link", name="Team").click()
    expect(invitee).to_have_url(base + "/cities/ghent/team/")
    me = invitee.get_by_role("row").filter(has_text=INVITEE)
    expect(me).to_contain_text(INVITEE_NAME)
    expect(me).to_contain_text("City editor")
    assert_accessible(invitee)

    # The secretariat sees the invitation accepted; the link does not work a second time.
    secretariat.reload()
    expect(secretariat.get_by_role("row").filter(has_text=INVITEE)).to_contain_text("accepted")
    spent = new_page()
    assert spent.goto(link).status == 404  # type: ignore[union-attr]
    assert_accessible(spent)

    # An anonymous visitor reads the Charter: four roles, eleven commitments.
    visitor = new_page()
    visit(visitor, base + "/")
    visitor.get_by_role("navigation", name="Main").get_by_role("link", name="The Charter").click()
    expect(visitor).to_have_url(base + "/charter/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Integrating Cities Charter")
    expect(visitor.locator("section.role-block h3")).to_have_text(
        [
            "Cities as policymakers",
            "Cities as service providers",
            "Cities as employers",
            "Cities as buyers of goods and services",
        ]
    )
    expect(visitor.locator("ol.commitments > li")).to_have_count(11)
    assert_accessible(visitor)

    # The signatories: all 35, then those of France.
    visitor.get_by_role("link", name="Who has signed").click()
    expect(visitor).to_have_url(base + "/signatories/")
    expect(visitor.locator("table tbody tr")).to_have_count(35)
    expect(visitor.get_by_role("status")).to_have_text("35 signatory cities")
    assert_accessible(visitor)
    visitor.get_by_label("Country").select_option(label="France")
    visitor.get_by_role("button", name="Filter").click()
    expect(visitor).to_have_url(re.compile(r"/signatories/\?country=FR"))
    expect(visitor.locator("table tbody tr")).to_have_count(len(FRENCH_SIGNATORIES))
    assert _rows(visitor) == FRENCH_SIGNATORIES
    expect(visitor.get_by_role("status")).to_have_text("5 signatory cities")
    expect(visitor.get_by_label("Country")).to_have_value("FR")
    assert_accessible(visitor)

    # Back to all of them, sorted by signature: Nuremberg (October 2015) signed last.
    visitor.get_by_role("link", name="Show all").click()
    expect(visitor.locator("table tbody tr")).to_have_count(35)
    signed = visitor.get_by_role("columnheader", name=re.compile("Signed the Charter"))
    signed.get_by_role("link").click()
    expect(signed).to_have_attribute("aria-sort", "ascending")
    expect(visitor.locator("table tbody tr")).to_have_count(35)
    ascending = _rows(visitor)
    assert ascending[-1] == "Nuremberg"
    assert ascending[:27] == sorted(ascending[:27]), "the 2010-2013 signatories, by name"
    last = visitor.locator("table tbody tr").last
    expect(last).to_contain_text("October 2015")
    assert_accessible(visitor)
    signed.get_by_role("link").click()
    expect(signed).to_have_attribute("aria-sort", "descending")
    descending = _rows(visitor)
    assert descending[0] == "Nuremberg"
    assert set(descending) == set(ascending)
    expect(visitor.locator("table tbody tr").first).to_contain_text("October 2015")
    assert_accessible(visitor)

    # And opens a city page.
    visitor.get_by_role("link", name="Nuremberg").click()
    expect(visitor).to_have_url(base + "/cities/nuremberg/")
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("Nuremberg")
    expect(visitor.get_by_role("complementary")).to_contain_text("Signed October 2015")
    expect(visitor.get_by_role("link", name="Team")).to_have_count(0)
    assert_accessible(visitor)


def test_the_forms_work_without_javascript(
    site: People, live_server, new_page: Callable[..., Page]
) -> None:
    base = live_server.url
    page = new_page(java_script_enabled=False)

    # Log in (POST), with a wrong password first: the form answers with an error.
    visit(page, base + "/accounts/login/")
    page.get_by_label("E-mail address").fill(site.editor.email)
    page.get_by_label(re.compile(r"^Password")).fill("not-the-password")
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    log_in(page, base, site.editor.email, PASSWORD)
    expect(page.get_by_role("heading", name="Ghent")).to_be_visible()

    # Filter and sort the signatories (GET).
    visit(page, base + "/signatories/")
    expect(page.locator("table tbody tr")).to_have_count(35)
    page.get_by_label("Country").select_option(label="France")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"\?country=FR"))
    assert _rows(page) == FRENCH_SIGNATORIES
    city = page.get_by_role("columnheader", name=re.compile("^City"))
    expect(city).to_have_attribute("aria-sort", "ascending")
    city.get_by_role("link").click()
    expect(city).to_have_attribute("aria-sort", "descending")
    expect(page).to_have_url(re.compile(r"\?country=FR&sort=-name"))
    assert _rows(page) == FRENCH_SIGNATORIES[::-1]

    # Log out (POST).
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("navigation", name="Account")).to_contain_text("Log in")
