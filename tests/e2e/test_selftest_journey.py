"""A city takes a thematic benchmark twice, in a real browser, axe-core on every page."""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from integratingcities.assessments.models import Assessment
from integratingcities.lib.testing import PASSWORD, People

from .browser import assert_accessible, log_in, save_and_continue, submit_answers, visit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]
BENCHMARK = "/benchmarks/anti-discrimination-job-market/"


def _answer_every_section(page: Page, level: str, evidence: str) -> None:
    """Answer every guide question at one level, cite one context factor, and save."""
    for _section in range(12):
        if "/sections/" not in page.url:
            break
        for question in page.locator("fieldset.question").all():
            radios = question.locator("input[type=radio]")
            if radios.count():
                question.get_by_label(level, exact=True).check()
                if level in ("Yes", "Partly"):
                    question.get_by_label("Evidence").fill(evidence)
        if page.get_by_role("heading", level=1).inner_text() == "Context factors":
            page.locator("fieldset.question textarea").first.fill(
                "Equality law leaves recruitment rules to the region."
            )
        save_and_continue(page)
    submit_answers(page)


def test_a_city_tests_itself_twice_and_sees_its_progress(
    site: People, live_server, new_page: Callable[..., Page]
) -> None:
    base = live_server.url

    # Anyone reads the catalogue and the benchmark.
    visitor = new_page()
    visit(visitor, base + "/benchmarks/")
    expect(visitor.locator("table")).to_contain_text("content not loaded yet")
    assert_accessible(visitor)
    visitor.get_by_role(
        "link", name="Anti-discrimination strategies for the local job market"
    ).click()
    expect(visitor.get_by_role("heading", name=re.compile("Key factor 4"))).to_be_visible()
    expect(visitor.get_by_text("Safe Report Point").first).to_be_visible()
    assert_accessible(visitor)

    # The editor takes the self-test: "partly" everywhere, with evidence.
    editor = new_page()
    log_in(editor, base, site.editor.email, PASSWORD)
    visit(editor, base + BENCHMARK)
    editor.get_by_role("button", name="Start or continue a self-test").click()
    expect(editor.get_by_role("heading", level=1)).to_contain_text("Ghent")
    assert_accessible(editor)
    editor.get_by_role("link", name=re.compile("Clear and appropriate branding")).click()
    expect(editor.locator("fieldset.question").first).to_contain_text("Has the city")
    assert_accessible(editor)
    _answer_every_section(editor, "Partly", "A first step, taken in 2025.")
    first = Assessment.objects.get(city=site.ghent, round=None)

    # The secretariat validates it.
    secretariat = new_page()
    log_in(secretariat, base, site.secretariat.email, PASSWORD)
    visit(secretariat, base + f"/assessments/{first.pk}/")
    secretariat.get_by_role("link", name="Validate…").click()
    assert_accessible(secretariat)
    secretariat.get_by_role("button", name="Validate the answers").click()
    expect(secretariat.locator(".messages")).to_contain_text("Validated")

    # Its results: how near, what more to do, the context beside them.
    visit(editor, base + f"/benchmarks/self-tests/{first.pk}/")
    expect(editor.get_by_text("Overall score: 50 out of 100")).to_be_visible()
    expect(editor.locator("#context").locator("..")).to_contain_text("recruitment rules")
    expect(editor.locator("#todo").locator("..")).to_contain_text("Partly")
    chart = editor.locator("img[src*='/chart/scores.svg']")
    assert chart.evaluate("img => img.complete && img.naturalWidth > 0")
    assert_accessible(editor)

    # A year on, a second self-test: "yes" everywhere; the results show the progress.
    visit(editor, base + BENCHMARK)
    editor.get_by_role("button", name="Start or continue a self-test").click()
    editor.get_by_role("link", name=re.compile("Clear and appropriate branding")).click()
    _answer_every_section(editor, "Yes", "Adopted and running since 2026.")
    second = Assessment.objects.filter(city=site.ghent, round=None).latest("created_at")
    assert second.pk != first.pk
    visit(editor, base + f"/benchmarks/self-tests/{second.pk}/")
    progress = editor.locator("#progress").locator("..")
    expect(progress).to_contain_text("+50")
    expect(editor.locator("img[src*='/chart/progress.svg']")).to_be_visible()
    assert_accessible(editor)
    visit(editor, base + BENCHMARK)
    expect(editor.get_by_text("Your cities' self-tests")).to_be_visible()
    assert_accessible(editor)
