"""The Charter monitoring journey in a real browser, axe-core on every page it visits."""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from integratingcities.assessments.models import Answer, Assessment
from integratingcities.lib.testing import PASSWORD, People
from integratingcities.rounds.models import Round

from .browser import assert_accessible, log_in, save_and_continue, submit_answers, visit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


def _fill_section(page: Page) -> None:
    """Answer every question of the section on screen, as an editor would."""
    for question in page.locator("fieldset.question").all():
        radios = question.locator("input[type=radio]")
        if radios.count():
            radios.first.check()
        boxes = question.locator("input[type=checkbox]")
        if boxes.count():
            boxes.first.check()
        number = question.locator("input[inputmode=decimal]")
        if number.count():  # a year between 1900 and 2100, or a count or share
            number.fill("2024" if "year" in question.inner_text().lower() else "2,5")
        for area in question.locator("textarea").all():
            name = area.get_attribute("name") or ""
            if not name.endswith("-links") and not area.input_value():
                area.fill("Set out in the integration plan adopted in 2024.")


def test_a_round_from_opening_to_published_results(
    site: People, live_server, settings, new_page: Callable[..., Page]
) -> None:
    base = live_server.url
    settings.SITE_URL = base

    # The secretariat opens a round and invites Ghent.
    secretariat = new_page()
    log_in(secretariat, base, site.secretariat.email, PASSWORD)
    visit(secretariat, base + "/rounds/new/")
    assert_accessible(secretariat)
    secretariat.get_by_label("Title").fill("Charter survey 2026")
    secretariat.get_by_label("Framework version").select_option(
        label="Integrating Cities Charter (v1)"
    )
    secretariat.get_by_label("Opens on").fill("2026-01-05")
    secretariat.get_by_label("Closes on").fill("2026-12-20")
    secretariat.get_by_label("Cities by name or short name").fill("Ghent")
    secretariat.get_by_role("button", name="Continue: check who is invited").click()
    expect(secretariat.locator("main")).to_contain_text("1 city will be invited.")
    assert_accessible(secretariat)
    secretariat.get_by_role("button", name="Open the round and invite 1 city").click()
    expect(secretariat.get_by_role("heading", level=1)).to_contain_text("Charter survey 2026")
    expect(secretariat.locator("table")).to_contain_text("Invited")
    assert_accessible(secretariat)
    round_ = Round.objects.get(title="Charter survey 2026")

    # The editor fills part of the survey, leaves, comes back and finds the answers.
    editor = new_page()
    log_in(editor, base, site.editor.email, PASSWORD)
    assert_accessible(editor)
    editor.get_by_role("link", name=re.compile("^Charter survey 2026: Ghent$")).click()
    assert_accessible(editor)
    editor.get_by_role("link", name="Cities as policymakers").click()
    assert_accessible(editor)
    first = editor.locator("fieldset.question").first
    first.get_by_label("Fully").check()
    first.get_by_label("Evidence").fill("Ghent's integration plan, adopted in 2024.")
    editor.get_by_role("button", name="Save", exact=True).click()
    expect(editor.locator(".messages")).to_contain_text("Saved")
    visit(editor, base + "/")
    visit(editor, base + "/accounts/")
    editor.get_by_role("link", name=re.compile("^Charter survey 2026: Ghent$")).click()
    expect(editor.locator("label[for=progress]")).to_contain_text("1 of")
    editor.get_by_role("link", name="Cities as policymakers").click()
    expect(editor.locator("fieldset.question").first.get_by_label("Evidence")).to_have_value(
        "Ghent's integration plan, adopted in 2024."
    )

    # ... finishes every section and submits.
    for _section in range(20):
        if "/sections/" not in editor.url:
            break
        _fill_section(editor)
        save_and_continue(editor)
    submit_answers(editor)
    assessment = Assessment.objects.get(round=round_, city=site.ghent)
    assert assessment.state == "submitted"

    # The secretariat reads the answers as text and asks for a change beside one of them.
    visit(secretariat, base + f"/assessments/{assessment.pk}/sections/employer/")
    expect(secretariat.locator("input[type=radio]")).to_have_count(0)
    first = secretariat.locator("section.question").first
    expect(first.locator(".level")).to_have_text("Fully")
    assert_accessible(secretariat)
    first.get_by_label("Your comment on this answer").fill("Please give this year's figures.")
    first.get_by_role("button", name="Add comment").click()
    expect(secretariat.locator("section.question").first.locator(".comment")).to_contain_text(
        "Please give this year's figures."
    )
    assert_accessible(secretariat)
    visit(secretariat, base + f"/assessments/{assessment.pk}/")
    assert_accessible(secretariat)
    secretariat.get_by_role("link", name="Request changes…").click()
    expect(secretariat.locator("main")).to_contain_text("Please give this year's figures.")
    assert_accessible(secretariat)
    secretariat.get_by_role("button", name="Send the answers back for changes").click()
    expect(secretariat.locator(".messages")).to_contain_text("Changes requested")

    # The editor sees the comment beside the answer, fixes it and resubmits.
    visit(editor, base + f"/assessments/{assessment.pk}/")
    expect(editor.locator(".comment").first).to_contain_text("asked for changes")
    editor.get_by_role("link", name="Cities as employers").click()
    expect(editor.locator(".comment")).to_contain_text("Please give this year's figures.")
    assert_accessible(editor)
    question = editor.locator("fieldset.question").first
    question.get_by_label("Your answer to the comment").fill("Added to the evidence.")
    question.get_by_role("button", name="Answer the comment").click()
    expect(editor.locator(".messages")).to_contain_text("Answer to the comment added")
    expect(editor.locator("fieldset.question").first.locator(".comment")).to_have_count(2)
    editor.locator("fieldset.question").first.get_by_label("Evidence").fill(
        "Staff with a migrant background: 9% in 2026."
    )
    editor.get_by_role("button", name="Save", exact=True).click()
    visit(editor, base + f"/assessments/{assessment.pk}/review/")
    editor.get_by_role("button", name="Submit the answers").click()
    expect(editor.locator(".messages")).to_contain_text("Submitted")
    assert Answer.history.filter(evidence__contains="9% in 2026").exists()
    for path in (f"/assessments/{assessment.pk}/history/", "/assessments/", "/accounts/tokens/"):
        visit(editor, base + path)
        assert_accessible(editor)
    expect(editor.locator("table")).to_be_visible()

    # The secretariat validates, closes and publishes.
    visit(secretariat, base + f"/assessments/{assessment.pk}/")
    secretariat.get_by_role("link", name="Validate…").click()
    expect(secretariat.get_by_text("Everything required is answered.")).to_be_visible()
    assert_accessible(secretariat)
    secretariat.get_by_role("button", name="Validate the answers").click()
    expect(secretariat.locator(".messages")).to_contain_text("Validated")
    visit(secretariat, base + "/rounds/")
    assert_accessible(secretariat)
    visit(secretariat, base + f"/rounds/{round_.pk}/")
    secretariat.get_by_role("button", name="Remind all who have not submitted").click()
    expect(secretariat.locator(".messages")).to_contain_text("Reminders sent")
    secretariat.get_by_role("link", name="Close the round…").click()
    expect(secretariat.get_by_role("heading", level=1)).to_contain_text("Close")
    assert_accessible(secretariat)
    secretariat.get_by_role("button", name="Close the round").click()
    secretariat.get_by_role("link", name="Publish the results…").click()
    expect(secretariat.get_by_text("1 city will be counted (validated).")).to_be_visible()
    assert_accessible(secretariat)
    secretariat.get_by_role("button", name="Publish the results").click()
    expect(secretariat.locator(".messages")).to_contain_text("published")
    assert_accessible(secretariat)

    # An anonymous visitor sees the result chart.
    visitor = new_page()
    visit(visitor, base + f"/rounds/{round_.pk}/results/")
    expect(visitor.get_by_text("1 responding city")).to_be_visible()
    chart = visitor.locator("img[src*='/chart/policymaker.svg']")
    expect(chart).to_be_visible()
    assert chart.evaluate("img => img.complete && img.naturalWidth > 0")
    assert_accessible(visitor)
    visitor.get_by_role("link", name="Ghent").click()
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("Ghent")
    assert_accessible(visitor)

    # Published results change only through a correction, with its reason, marked as revised.
    visit(secretariat, base + f"/assessments/{assessment.pk}/")
    expect(secretariat.get_by_text("Take the validation back")).to_have_count(0)
    visit(secretariat, base + f"/rounds/{round_.pk}/")
    secretariat.get_by_text("Correct the published results").click()
    assert_accessible(secretariat)
    secretariat.get_by_label("Why the published results must be corrected").fill(
        "Ghent's employer answers were validated before the figures arrived."
    )
    secretariat.get_by_role("button", name="Take the results back for a correction").click()
    expect(secretariat.locator(".messages")).to_contain_text("taken back for a correction")
    visit(secretariat, base + f"/assessments/{assessment.pk}/")
    secretariat.get_by_text("Take the validation back").first.click()
    assert_accessible(secretariat)
    secretariat.get_by_label("Why the validation is taken back").fill("Figures still missing.")
    secretariat.get_by_role("button", name="Take the validation back").click()
    expect(secretariat.locator(".messages")).to_contain_text("validation is taken back")
    secretariat.get_by_role("link", name="Validate…").click()
    secretariat.get_by_role("button", name="Validate the answers").click()
    visit(secretariat, base + f"/assessments/{assessment.pk}/history/")
    expect(secretariat.locator("main")).to_contain_text("took the validation back")
    expect(secretariat.locator("main")).to_contain_text("Figures still missing.")
    assert_accessible(secretariat)
    visit(secretariat, base + f"/rounds/{round_.pk}/")
    secretariat.get_by_role("link", name="Publish the corrected results…").click()
    secretariat.get_by_role("button", name="Publish the corrected results").click()
    visit(visitor, base + f"/rounds/{round_.pk}/results/")
    expect(visitor.get_by_text("Revised results")).to_be_visible()
    assert_accessible(visitor)
