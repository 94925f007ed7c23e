"""The open data page and its licence form in Chromium: axe passes, no sideways scrolling."""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

from integratingcities.lib.testing import PASSWORD, People

from .conftest import World

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]
CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))


@pytest.fixture
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{CHROMIUM} is missing; CI must not skip browser tests.", pytrace=False)
        pytest.skip(f"{CHROMIUM} is missing: the browser tests need Debian's chromium package.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        found = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-background-networking"]
        )
        yield found
        found.close()


@pytest.fixture
def site(transactional_db: None, world: World, people: People) -> World:
    """The world on a database the live server shares; the secretariat may log in (made
    before the browser starts: Playwright runs an event loop, where the ORM may not)."""
    people.secretariat.set_password(PASSWORD)
    people.secretariat.save()
    return world


@pytest.mark.parametrize("width", [1280, 375])
def test_the_open_data_pages_pass_axe(
    live_server: object, site: World, people: People, browser: object, width: int
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    base = live_server.url  # type: ignore[attr-defined]
    page = browser.new_page(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    with override_settings(AXES_ENABLED=False):
        response = page.goto(base + "/open-data/")
        assert response is not None and response.ok
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
        assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
        page.goto(base + "/accounts/login/")
        page.get_by_label("E-mail address").fill(people.secretariat.email)
        page.get_by_label(re.compile(r"^Password")).fill(PASSWORD)
        page.get_by_role("main").get_by_role("button", name="Log in").click()
        page.wait_for_url(base + "/accounts/")
        response = page.goto(base + "/open-data/settings/")
        assert response is not None and response.ok
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
