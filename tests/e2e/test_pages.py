"""The main pages at desktop and phone width: no sideways scrolling, axe passes, screenshots.

Full-page screenshots go to test-artifacts/screenshots/<page>-<width>.png (git-ignored).
"""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from integratingcities.accounts.models import Role
from integratingcities.accounts.services import invitation_send
from integratingcities.lib.testing import PASSWORD, People

from .browser import (
    PUBLIC_PAGES,
    SECRETARIAT_PAGES,
    WIDTHS,
    assert_accessible,
    assert_no_horizontal_scroll,
    log_in,
    offscreen_focusables,
    screenshot,
    visit,
)

pytestmark = [
    pytest.mark.browser,
    # WhiteNoise looks for collected static files; the live server serves them from the finders.
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


def _check(page: Page, base_url: str, name: str, path: str, heading: str) -> None:
    visit(page, base_url + path)
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    screenshot(page, name)


@pytest.mark.parametrize("device", list(WIDTHS))
def test_the_main_pages_fit_the_screen_and_pass_axe(
    site: People, live_server, new_page: Callable[..., Page], device: str
) -> None:
    base = live_server.url
    invitation_send(  # so that the list of invitations is not empty
        email="new.viewer@stad.gent",
        name="Vera Viewer",
        city=site.ghent,
        role=Role.VIEWER,
        as_secretariat=False,
        invited_by=site.secretariat,
    )
    phone = device == "phone"
    visitor = new_page(viewport=WIDTHS[device], is_mobile=phone, has_touch=phone)
    for name, path, heading in PUBLIC_PAGES:
        _check(visitor, base, name, path, heading)

    secretariat = new_page(viewport=WIDTHS[device], is_mobile=phone, has_touch=phone)
    log_in(secretariat, base, site.secretariat.email, PASSWORD)
    for name, path, heading in SECRETARIAT_PAGES:
        _check(secretariat, base, name, path, heading)


def test_the_checks_catch_faults(new_page: Callable[..., Page]) -> None:
    """axe and the width check do find faults: a passing page means something."""
    page = new_page(viewport=WIDTHS["phone"], is_mobile=True)
    page.set_content(
        '<html lang="en"><head><meta name="viewport" content="width=device-width">'
        "<title>Faulty</title></head><body><main><h1>Faulty</h1>"
        '<input type="text"><div style="width:600px">wide</div>'
        '<a href="#" style="position:absolute;left:-999px">hidden</a></main></body></html>'
    )
    with pytest.raises(pytest.fail.Exception, match="label"):
        assert_accessible(page)
    with pytest.raises(pytest.fail.Exception, match="scrolls sideways at 390px"):
        assert_no_horizontal_scroll(page)
    assert offscreen_focusables(page) == [
        '<a href="#" style="position:absolute;left:-999px">hidden</a>'
    ]
