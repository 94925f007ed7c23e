"""Helpers for the browser tests: visiting pages, logging in, axe, screenshots."""

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

_axe = Axe()

# The main pages. (screenshot name, path, heading the page must show)
PUBLIC_PAGES = [
    ("home", "/", "Cities that promise equal opportunities"),
    ("charter", "/charter/", "Integrating Cities Charter"),
    ("signatories", "/signatories/", "Signatory cities"),
    ("city", "/cities/ghent/", "Ghent"),
    ("survey", "/frameworks/charter/v1/", "Integrating Cities Charter"),
    ("about", "/about/", "The Integrating Cities process"),
    ("projects", "/projects/", "Projects"),
    ("project", "/projects/mixities/", "MIXITIES"),
    ("conferences", "/conferences/", "Integrating Cities conferences"),
    ("news", "/news/", "News"),
    ("news-item", "/news/unites-city-visits-first-milestones/", "UNITES"),
    ("login", "/accounts/login/", "Log in"),
    ("indicators", "/indicators/", "City indicators"),
    ("indicator", "/indicators/staff-migrant-background-share/", "City staff with a migrant"),
    ("city-indicators", "/indicators/cities/nuremberg/", "Indicators: Nuremberg"),
]
SECRETARIAT_PAGES = [
    ("invitations", "/accounts/invitations/", "Invite people"),
    ("account", "/accounts/", "Welcome"),
]
WIDTHS = {
    "desktop": {"width": 1280, "height": 800},
    "phone": {"width": 390, "height": 844},
}


def visit(page: Page, url: str) -> None:
    """Open a URL and insist on a successful answer."""
    response = page.goto(url)
    assert response is not None, url
    assert response.ok, f"{url} answered {response.status}"


def save_and_continue(page: Page) -> None:
    """Save a section and wait until the next page has loaded in full.

    A click returns once the navigation has begun; reading the next section's questions
    before its document is parsed would answer only the first few of them.
    """
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".form-errors")).to_have_count(0)


def submit_answers(page: Page) -> None:
    """Submit from the check page, which must first say that nothing is missing."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Check and submit")
    expect(page.locator("main")).to_contain_text("Everything required is answered.")
    assert_accessible(page)
    page.get_by_role("button", name="Submit the answers").click()
    expect(page.locator(".messages")).to_contain_text("Submitted")


def assert_accessible(page: Page) -> None:
    """Run axe-core (bundled with axe-playwright-python, so offline) on the current page."""
    results = _axe.run(page)
    if results.violations_count > 0:
        pytest.fail(
            f"axe found {results.violations_count} accessibility violation(s) on {page.url}:\n"
            + results.generate_report(),
            pytrace=False,
        )


def assert_no_horizontal_scroll(page: Page) -> None:
    """The page is no wider than the screen (document.documentElement.scrollWidth).

    The limit is window.innerWidth, but never more than the viewport the context was given:
    a mobile Chromium (is_mobile=True) widens innerWidth to fit content that overflows, which
    would hide the very fault this looks for.
    """
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    if page.viewport_size:
        inner_width = min(inner_width, page.viewport_size["width"])
    if scroll_width > inner_width + 1:
        wide = page.evaluate(
            """(limit) => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > limit + 1)
                .slice(-5).map(e => e.outerHTML.slice(0, 200))""",
            inner_width,
        )
        pytest.fail(
            f"{page.url} scrolls sideways at {inner_width}px: the page is {scroll_width}px wide."
            " Elements reaching past the edge (innermost last):\n" + "\n".join(wide),
            pytrace=False,
        )


_OFFSCREEN_FOCUSABLES = """() => {
    const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary,'
        + ' [tabindex]:not([tabindex="-1"])';
    const width = document.documentElement.clientWidth;
    const found = [];
    for (const element of document.querySelectorAll(selector)) {
        if (element.disabled || !element.checkVisibility({visibilityProperty: true})) continue;
        element.focus();
        if (document.activeElement !== element) continue;
        const box = element.getBoundingClientRect();
        if (box.right <= 0 || box.left >= width) found.push(element.outerHTML.slice(0, 200));
        element.blur();
    }
    window.scrollTo(0, 0);
    return found;
}"""


def offscreen_focusables(page: Page) -> list[str]:
    """Elements that keyboard focus can reach although they are off the screen (WCAG 2.4.7).

    Each focusable element is focused in turn, so that styles such as a skip link's :focus
    apply, and is reported if it is then still outside the screen's width.
    """
    return page.evaluate(_OFFSCREEN_FOCUSABLES)


def screenshot(page: Page, name: str) -> Path:
    """A full-page PNG in test-artifacts/screenshots/, named after the page and the width."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    path = SCREENSHOTS / f"{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page: Page, base_url: str, email: str, password: str) -> None:
    """Log in through the login form, as a person would."""
    visit(page, f"{base_url}/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label(re.compile(r"^Password")).fill(password)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base_url}/accounts/")
