"""Keyboard use: focus never lands on something the person cannot see."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from integratingcities.assessments.models import Answer, Assessment
from integratingcities.frameworks.models import Framework, Item
from integratingcities.lib.testing import PASSWORD, People
from integratingcities.rounds.services import round_open

from .browser import (
    PUBLIC_PAGES,
    SECRETARIAT_PAGES,
    WIDTHS,
    assert_accessible,
    log_in,
    offscreen_focusables,
    visit,
)

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


# What has keyboard focus: enough to decide the next key, as a person reading the screen would.
_FOCUSED = """() => {
    const el = document.activeElement;
    const question = el.closest('fieldset.question');
    return {
        tag: el.tagName.toLowerCase(), type: el.type || '', name: el.name || '',
        text: (el.innerText || el.value || '').trim().slice(0, 40),
        empty: !el.value, checked: !!el.checked,
        question: question ? question.id : null,
        groupAnswered: el.type === 'radio'
            ? !!document.querySelector(`input[name="${el.name}"]:checked`) : false,
    };
}"""


def test_a_whole_section_is_answered_with_the_keyboard_alone(
    site: People, live_server, new_page: Callable[..., Page]
) -> None:
    """Tab, Space and typing only: every question answered, then saved with Enter."""
    charter = Framework.objects.get(lineage="charter", version=1)
    survey = round_open(
        title="Survey",
        framework=charter,
        opens_on=date.today(),
        closes_on=date.today() + timedelta(days=30),
        cities=[site.ghent],
        user=site.secretariat,
        notify=False,
    )
    assessment = Assessment.objects.get(round=survey, city=site.ghent)
    base = live_server.url
    editor = new_page()
    log_in(editor, base, site.editor.email, PASSWORD)
    visit(editor, base + f"/assessments/{assessment.pk}/sections/policymaker/")
    assert_accessible(editor)

    saved = False
    for _press in range(400):
        editor.keyboard.press("Tab")
        focused = editor.evaluate(_FOCUSED)
        if focused["tag"] == "button" and focused["text"] == "Save":
            editor.keyboard.press("Enter")
            saved = True
            break
        if focused["question"] is None:
            continue
        if focused["type"] == "radio" and not focused["groupAnswered"]:
            editor.keyboard.press("Space")  # the first level: "Fully"
        elif focused["tag"] == "textarea" and focused["empty"]:
            if focused["name"].endswith("-links"):
                editor.keyboard.type("www.gent.be/integratie")
            else:
                editor.keyboard.type("Adopted by the council in 2024.")
    assert saved, "Tab never reached the Save button"
    expect(editor.locator(".messages")).to_contain_text("Saved")

    items = Item.objects.filter(section__framework=charter, section__key="policymaker")
    answers = Answer.objects.filter(assessment=assessment, item__in=items)
    assert answers.filter(is_answered=True).count() == items.count()
    assert all(answer.level is not None and answer.evidence for answer in answers)
    assert all(answer.links == ["https://www.gent.be/integratie"] for answer in answers)

    # Autosave speaks in the page's own (translated) words.
    evidence = editor.locator("fieldset.question").first.get_by_label("Evidence")
    evidence.press("End")
    editor.keyboard.type(" Renewed in 2026.")
    status = editor.locator("[data-save-status]")
    expect(status).to_have_text("Unsaved changes.")
    expect(status).to_contain_text("Saved automatically at", timeout=10_000)
    assert "{time}" not in status.inner_text()
