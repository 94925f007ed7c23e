"""Pages that never strand anyone: the Save bar never hides the field in focus (WCAG 2.4.11),
and pages print their content without menus or buttons."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page

from integratingcities.assessments.models import Assessment
from integratingcities.frameworks.models import Framework, FrameworkKind, FrameworkStatus
from integratingcities.lib.testing import PASSWORD, People
from integratingcities.rounds.services import round_open

from .browser import WIDTHS, log_in, visit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

# The control in focus, if it is a field of the answers' form, and where it is beside the bar.
_FOCUSED_FIELD = """() => {
    const focused = document.activeElement;
    const bar = document.querySelector('.save-bar');
    if (bar.contains(focused)) return 'bar';
    if (!focused.closest('form[data-autosave]')) return null;
    const box = focused.getBoundingClientRect();
    return {field: focused.name || focused.outerHTML.slice(0, 80), bottom: box.bottom,
            barTop: bar.getBoundingClientRect().top};
}"""


def _open_survey_of_ghent(site: People) -> str:
    charter = Framework.objects.get(kind=FrameworkKind.CHARTER, status=FrameworkStatus.PUBLISHED)
    survey_round = round_open(
        title="Survey",
        framework=charter,
        opens_on=date.today(),
        closes_on=date.today() + timedelta(days=30),
        cities=[site.ghent],
        user=site.secretariat,
        notify=False,
    )
    assessment = Assessment.objects.get(round=survey_round, city=site.ghent)
    section = charter.sections.filter(items__isnull=False).distinct().first()
    assert section is not None
    return f"/assessments/{assessment.pk}/sections/{section.key}/"


@pytest.mark.parametrize("device", list(WIDTHS))
def test_the_save_bar_never_hides_the_field_in_focus(
    site: People, live_server, new_page: Callable[..., Page], device: str
) -> None:
    path = _open_survey_of_ghent(site)
    phone = device == "phone"
    page = new_page(viewport=WIDTHS[device], is_mobile=phone, has_touch=phone)
    log_in(page, live_server.url, site.editor.email, PASSWORD)
    visit(page, live_server.url + path)
    page.locator("main h1").focus()
    fields, hidden = 0, []
    for _ in range(300):
        page.keyboard.press("Tab")
        where = page.evaluate(_FOCUSED_FIELD)
        if where == "bar":
            break
        if where is None:
            continue
        fields += 1
        if where["bottom"] > where["barTop"] + 0.5:
            hidden.append(where)
    assert fields >= 3, "the keyboard reached no fields of the section"
    assert not hidden, f"At {WIDTHS[device]['width']}px the Save bar covers: {hidden}"


def test_pages_print_their_content_without_menus_or_buttons(
    site: People, live_server, new_page: Callable[..., Page]
) -> None:
    page = new_page(viewport=WIDTHS["desktop"])
    log_in(page, live_server.url, site.editor.email, PASSWORD)
    visit(page, live_server.url + _open_survey_of_ghent(site))
    page.evaluate(
        """() => { const a = document.createElement('a'); a.id = 'outside';
        a.href = 'https://example.org/plan.pdf'; a.textContent = 'The plan';
        document.querySelector('main').append(a); }"""
    )
    page.emulate_media(media="print")
    shown = page.evaluate(
        """() => [...document.querySelectorAll(
            'nav, .language-form, .save-bar, button, .skip-link, form[role=search]')]
            .filter(e => e.checkVisibility()).map(e => e.outerHTML.slice(0, 80))"""
    )
    assert shown == []
    assert page.locator("main h1").is_visible()
    assert page.locator("fieldset.question").first.is_visible()
    after = page.evaluate("getComputedStyle(document.getElementById('outside'), '::after').content")
    assert "https://example.org/plan.pdf" in after
