"""The survey as people live it: each step tells the next person by e-mail, and they act on it.

The secretariat opens a round; the editor follows the e-mail, starts from last time's answers
and submits; the reviewer follows theirs, comments beside an answer and asks for changes; the
editor answers the comment and submits again; the secretariat validates after the confirmation
page and publishes; the history reads as sentences. axe-core checks every page on the way, and
the home page of each role, the review page and the history are photographed at both widths.
"""

import re
from collections.abc import Callable
from datetime import date

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from integratingcities.accounts.models import User
from integratingcities.assessments.models import Answer, Assessment, AssessmentState
from integratingcities.frameworks.models import Framework, Item, ItemKind, Level
from integratingcities.lib.testing import PASSWORD, People
from integratingcities.rounds.models import Round, RoundStatus

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


def _answer_everything(assessment: Assessment) -> None:
    """A complete set of answers, as a city would have given last time."""
    answers = []
    items = Item.objects.filter(section__framework_id=assessment.framework_id)
    for item in items.select_related("scale"):
        answer = Answer(assessment=assessment, item=item, is_answered=True, version=1)
        if item.kind == ItemKind.RATING and item.scale is not None:
            levels = list(Level.objects.filter(scale=item.scale).order_by("position"))
            answer.level = next((lv for lv in levels if lv.key == "fully"), levels[0])
            answer.evidence = "Integration plan 2022-2026, adopted by the council."
        elif item.kind in {ItemKind.SINGLE_CHOICE, ItemKind.MULTIPLE_CHOICE}:
            answer.choices = [item.options[0]["key"]]
        elif item.kind == ItemKind.NUMBER:
            low = item.number_min if item.number_min is not None else 0
            high = item.number_max if item.number_max is not None else 10_000
            answer.number = min(max(low, 2024), high)
        else:
            answer.text = "A unit in the mayor's office coordinates integration."
        answers.append(answer)
    Answer.objects.bulk_create(answers)


def _last_round(site: People) -> Round:
    charter = Framework.objects.get(lineage="charter", version=1)
    earlier = Round.objects.create(
        title="Charter survey 2024",
        framework=charter,
        opens_on=date(2024, 1, 8),
        closes_on=date(2024, 6, 30),
        status=RoundStatus.PUBLISHED,
    )
    assessment = Assessment.objects.create(
        city=site.ghent, framework=charter, round=earlier, state=AssessmentState.VALIDATED
    )
    _answer_everything(assessment)
    return earlier


def _link_in_mail(to: User, subject: str) -> str:
    """The link of the last e-mail to this person with this subject (the path only)."""
    found = [m for m in mail.outbox if m.to == [to.email] and subject in m.subject]
    assert found, f"no e-mail to {to.email} about {subject!r}: {[m.subject for m in mail.outbox]}"
    match = re.search(r"https?://[^/\s]+(/\S*)", found[-1].body)
    assert match, found[-1].body
    return match.group(1)


def _photograph(page: Page, base: str, path: str, name: str) -> None:
    for device, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        visit(page, base + path)
        assert_accessible(page)
        if device == "phone":
            assert_no_horizontal_scroll(page)
        screenshot(page, name)
    page.set_viewport_size(WIDTHS["desktop"])


def test_each_step_tells_the_next_person_who_acts_on_it(
    site: People, live_server, settings, new_page: Callable[..., Page]
) -> None:
    base = live_server.url
    settings.SITE_URL = base
    _last_round(site)

    # The secretariat opens the round; Ghent's editor and viewer are told by e-mail.
    secretariat = new_page()
    log_in(secretariat, base, site.secretariat.email, PASSWORD)
    visit(secretariat, base + "/rounds/new/")
    secretariat.get_by_label("Title").fill("Charter survey 2026")
    secretariat.get_by_label("Framework version").select_option(
        label="Integrating Cities Charter (v1)"
    )
    secretariat.get_by_label("Opens on").fill("2026-01-05")
    secretariat.get_by_label("Closes on").fill("2099-12-20")
    secretariat.get_by_label(re.compile("Remind cities")).fill("14, 3")
    secretariat.get_by_label("Cities by name or short name").fill("Ghent")
    secretariat.get_by_role("button", name="Continue: check who is invited").click()
    expect(secretariat.locator("main")).to_contain_text("1 city will be invited.")
    secretariat.get_by_role("button", name="Open the round and invite 1 city").click()
    expect(secretariat.locator(".messages")).to_contain_text("1 cities are invited")
    round_ = Round.objects.get(title="Charter survey 2026")
    assert round_.reminder_days == [14, 3]
    assessment = Assessment.objects.get(round=round_, city=site.ghent)
    invitation = _link_in_mail(site.editor, "Charter survey 2026: Ghent is invited")
    assert invitation == f"/assessments/{assessment.pk}/"
    assert _link_in_mail(site.viewer, "Ghent is invited") == invitation

    # The editor follows the e-mail, starts from last time's answers and sees them marked.
    editor = new_page()
    log_in(editor, base, site.editor.email, PASSWORD)
    expect(editor.get_by_role("heading", name="New for you")).to_be_visible()
    expect(editor.locator("main")).to_contain_text("Charter survey 2026: Ghent is invited")
    assert_accessible(editor)
    visit(editor, base + invitation)
    expect(editor.get_by_role("heading", name="Start from last time's answers")).to_be_visible()
    assert_accessible(editor)
    editor.get_by_role("button", name="Start from these answers").click()
    expect(editor.locator(".messages")).to_contain_text("carried over from")
    editor.get_by_role("link", name="Cities as policymakers").click()
    first = editor.locator("fieldset.question").first
    expect(first).to_contain_text("Carried over, please confirm")
    expect(first).to_contain_text("Last time (Charter survey 2024)")
    assert_accessible(editor)
    first.get_by_label("I have checked this answer").check()
    editor.get_by_role("button", name="Save", exact=True).click()
    expect(editor.locator(".messages")).to_contain_text("Saved")
    expect(editor.locator("fieldset.question").first).not_to_contain_text(
        "Carried over, please confirm"
    )
    visit(editor, base + f"/assessments/{assessment.pk}/review/")
    assert_accessible(editor)
    editor.get_by_role("button", name="Submit the answers").click()
    expect(editor.locator(".messages")).to_contain_text("Submitted")

    # The reviewer follows the e-mail, comments beside an answer and asks for changes.
    review_link = _link_in_mail(site.reviewer, "Ghent submitted its answers")
    assert not [m for m in mail.outbox if m.to == [site.outsider.email]]  # Riga: nothing
    reviewer = new_page()
    log_in(reviewer, base, site.reviewer.email, PASSWORD)
    expect(reviewer.locator("main")).to_contain_text("Ghent submitted its answers")
    visit(reviewer, base + review_link)
    assert_accessible(reviewer)
    visit(reviewer, base + f"/assessments/{assessment.pk}/sections/employer/")
    answer = reviewer.locator("section.question").first
    expect(answer.locator(".level").first).to_have_text("Fully")
    answer.get_by_label("Your comment on this answer").fill("Please give this year's figures.")
    answer.get_by_role("button", name="Add comment").click()
    expect(reviewer.locator("section.question").first.locator(".comment")).to_contain_text(
        "Please give this year's figures."
    )
    assert_accessible(reviewer)
    visit(reviewer, base + f"/assessments/{assessment.pk}/")
    reviewer.get_by_role("link", name="Request changes…").click()
    expect(reviewer.locator("main")).to_contain_text("Please give this year's figures.")
    assert_accessible(reviewer)
    reviewer.get_by_role("button", name="Send the answers back for changes").click()
    expect(reviewer.locator(".messages")).to_contain_text("Changes requested")

    # The editor's e-mail carries the comment; they answer it and submit again.
    changes = [m for m in mail.outbox if m.to == [site.editor.email] and "Changes" in m.subject]
    assert changes and "Please give this year's figures." in changes[-1].body
    visit(editor, base + _link_in_mail(site.editor, "Changes asked for"))
    editor.get_by_role("link", name="Cities as employers").click()
    question = editor.locator("fieldset.question").first
    expect(question.locator("li.comment")).to_contain_text("Please give this year's figures.")
    question.get_by_label("Your answer to the comment").fill("Added to the evidence: 9% in 2026.")
    question.get_by_role("button", name="Answer the comment").click()
    expect(editor.locator(".messages")).to_contain_text("Answer to the comment added")
    visit(editor, base + f"/assessments/{assessment.pk}/review/")
    editor.get_by_role("button", name="Submit the answers").click()
    expect(editor.locator(".messages")).to_contain_text("Submitted")
    assert _link_in_mail(site.reviewer, "Ghent submitted its answers to Charter survey 2026 again")

    # The secretariat validates after the confirmation page, closes and publishes.
    visit(secretariat, base + f"/assessments/{assessment.pk}/")
    secretariat.get_by_role("link", name="Validate…").click()
    expect(secretariat.get_by_text("Everything required is answered.")).to_be_visible()
    assert_accessible(secretariat)
    secretariat.get_by_role("button", name="Validate the answers").click()
    expect(secretariat.locator(".messages")).to_contain_text("Validated")
    assert _link_in_mail(site.editor, "Validated: Ghent") == invitation
    visit(secretariat, base + f"/rounds/{round_.pk}/")
    secretariat.get_by_role("link", name="Close the round…").click()
    secretariat.get_by_role("button", name="Close the round").click()
    secretariat.get_by_role("link", name="Publish the results…").click()
    secretariat.get_by_role("button", name="Publish the results").click()
    expect(secretariat.locator(".messages")).to_contain_text("published")
    results = _link_in_mail(site.viewer, "Results published: Charter survey 2026")
    assert results == f"/rounds/{round_.pk}/results/"

    # The history tells the story in sentences.
    visit(editor, base + f"/assessments/{assessment.pk}/history/")
    story = editor.locator("main")
    for sentence in (
        "started from the answers of “Charter survey 2024”",
        "submitted the answers",
        "asked for changes (1 comment)",
        "validated the answers",
    ):
        expect(story).to_contain_text(sentence)
    assert_accessible(editor)

    # Nobody of another city heard anything; the editor's notifications are all listed.
    assert not [m for m in mail.outbox if m.to == [site.outsider.email]]
    visit(editor, base + "/notifications/")
    expect(editor.locator(".notifications li")).to_have_count(4)
    assert_accessible(editor)

    # Each role's home page, the review page and the history, at desktop and phone width.
    viewer = new_page()
    log_in(viewer, base, site.viewer.email, PASSWORD)
    for page, role in ((secretariat, "secretariat"), (editor, "editor"), (viewer, "viewer")):
        _photograph(page, base, "/accounts/", f"home-{role}")
    _photograph(reviewer, base, "/accounts/", "home-reviewer")
    _photograph(reviewer, base, f"/assessments/{assessment.pk}/sections/employer/", "review")
    _photograph(reviewer, base, f"/assessments/{assessment.pk}/history/", "history")
