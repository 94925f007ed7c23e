"""Keyboard use: focus never lands on something the person cannot see."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from integratingcities.lib.testing import PASSWORD, People

from .browser import PUBLIC_PAGES, SECRETARIAT_PAGES, WIDTHS, log_in, offscreen_focusables, visit

pytestmark = [
    pytest.mark.browser,
    # WhiteNoise looks for collected static files; the live server serves them from the finders.
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


@pytest.mark.parametrize("device", list(WIDTHS))
def test_keyboard_focus_never_lands_off_the_screen(
    site: People, live_server, new_page: Callable[..., Page], device: str
) -> None:
    """Whatever a keyboard user can Tab to is on the screen when it has focus (WCAG 2.4.7)."""
    base = live_server.url
    phone = device == "phone"
    problems: list[str] = []
    visitor = new_page(viewport=WIDTHS[device], is_mobile=phone, has_touch=phone)
    for _name, path, _heading in PUBLIC_PAGES:
        visit(visitor, base + path)
        problems += [f"{path}: {html}" for html in offscreen_focusables(visitor)]
    secretariat = new_page(viewport=WIDTHS[device], is_mobile=phone, has_touch=phone)
    log_in(secretariat, base, site.secretariat.email, PASSWORD)
    for _name, path, _heading in SECRETARIAT_PAGES:
        visit(secretariat, base + path)
        problems += [f"{path}: {html}" for html in offscreen_focusables(secretariat)]
    assert not problems, (
        f"At {WIDTHS[device]['width']}px, keyboard focus reaches elements off the screen:\n"
        + "\n".join(problems)
    )
