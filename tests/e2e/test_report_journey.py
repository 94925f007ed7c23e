"""The network report as its readers and the secretariat live it, and the other pages of the
issue (city profile, comparison, open data) at both widths.

A visitor reads the demo's 2015 report, edition 1, and takes its PDF; the secretariat picks one
more highlight from the cities' evidence, rewrites the summary, previews and publishes edition 2
with a note of what changed; the visitor then finds edition 1 saying that a newer one exists.
axe-core checks every page on the way; the pages are photographed at 1280 and 390 px.
"""

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from integratingcities.lib.testing import PASSWORD, People
from integratingcities.reports.demo import load_demo_report
from integratingcities.reports.models import Edition
from integratingcities.rounds.demo import TITLE_2015, load_demo_rounds
from integratingcities.rounds.models import Round

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
CONTENT = Path(settings.BASE_DIR) / "content"


@pytest.fixture
def report_2015(site: People) -> Round:
    load_demo_rounds(CONTENT / "demo" / "survey-2015.yaml")
    assert load_demo_report(CONTENT / "reports" / "charter-2015.yaml") is not None
    return Round.objects.get(title=TITLE_2015)


def _look(page: Page, name: str) -> None:
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    screenshot(page, name)


def test_the_secretariat_publishes_a_corrected_edition_that_readers_find(
    site: People, report_2015: Round, live_server, new_page: Callable[..., Page]
) -> None:
    base = live_server.url
    reader = new_page(viewport=WIDTHS["desktop"])
    visit(reader, base + "/reports/")
    _look(reader, "reports-list")
    reader.get_by_role("link", name=re.compile("Cities and Migrants")).first.click()
    expect(reader.get_by_role("heading", level=1)).to_contain_text("Cities and Migrants")
    expect(reader.locator("main")).to_contain_text("illustrative")
    expect(reader.locator("main")).to_contain_text("Barcelona")
    _look(reader, "report-edition")

    pdf_link = reader.get_by_role("link", name="Download PDF")
    # Made at once here (the tests run tasks immediately); a report of 20 cities takes seconds.
    pdf = reader.request.get(base + str(pdf_link.get_attribute("href")), timeout=120_000)
    assert pdf.ok
    assert pdf.headers["content-type"] == "application/pdf", pdf.text()[-3000:]
    assert pdf.body().startswith(b"%PDF")

    secretariat = new_page(viewport=WIDTHS["desktop"])
    log_in(secretariat, base, site.secretariat.email, PASSWORD)
    visit(secretariat, f"{base}/reports/{report_2015.pk}/")
    _look(secretariat, "report-workspace")
    # One more highlight, from a city's validated evidence on a commitment.
    secretariat.get_by_role("link", name=re.compile("recruitment|workforce", re.I)).first.click()
    _look(secretariat, "report-commitment")
    before = secretariat.locator("ol.highlights > li").count()
    secretariat.get_by_role("button", name=re.compile(r"^Highlight .+'s evidence$")).first.click()
    expect(secretariat.locator("ol.highlights > li")).to_have_count(before + 1)

    visit(secretariat, f"{base}/reports/{report_2015.pk}/")
    secretariat.get_by_role("link", name=re.compile("^Write “Summary”")).click()
    secretariat.get_by_label("Text").fill(
        "Twenty cities answered the 2015 survey. **Corrected**: one more practice highlighted."
    )
    secretariat.get_by_role("button", name="Save").click()
    visit(secretariat, f"{base}/reports/{report_2015.pk}/preview/")
    expect(secretariat.locator("main")).to_contain_text("Corrected")
    expect(secretariat.locator("main")).to_contain_text("only the secretariat sees it")

    visit(secretariat, f"{base}/reports/{report_2015.pk}/publish/")
    expect(secretariat.get_by_role("heading", level=1)).to_have_text("Publish edition 2")
    _look(secretariat, "report-publish")
    secretariat.get_by_role("button", name="Publish the edition").click()
    # A correction says what changed, for the readers of edition 1.
    expect(secretariat.get_by_role("alert").or_(secretariat.locator(".messages"))).to_contain_text(
        "Say what changed since edition 1"
    )
    secretariat.get_by_label("What changed since the last edition").fill(
        "The summary is rewritten and one more practice is highlighted."
    )
    secretariat.get_by_role("button", name="Publish the edition").click()
    expect(secretariat.locator("main")).to_contain_text("What changed in edition 2")
    assert Edition.objects.filter(report__round=report_2015).count() == 2

    # A new visit (public pages may be kept by a browser or a proxy for a minute).
    reader = new_page(viewport=WIDTHS["desktop"])
    visit(reader, f"{base}/reports/{report_2015.pk}/editions/1/")
    expect(reader.locator("main")).to_contain_text("A newer edition of this report exists")
    expect(reader.locator("main")).not_to_contain_text("Corrected")  # edition 1 kept as it was
    reader.get_by_role("link", name=re.compile("edition 2, published on")).click()
    expect(reader.locator("main")).to_contain_text("Corrected")
    _look(reader, "report-edition-2")


@pytest.mark.parametrize("device", list(WIDTHS))
def test_the_report_profile_comparison_and_open_data_pages_fit_and_pass_axe(
    site: People, report_2015: Round, live_server, new_page: Callable[..., Page], device: str
) -> None:
    phone = device == "phone"
    page = new_page(viewport=WIDTHS[device], is_mobile=phone, has_touch=phone)
    base = live_server.url
    pages = [
        ("report", f"/reports/{report_2015.pk}/editions/1/", "Cities and Migrants"),
        ("profile", "/cities/barcelona/profile/", "Barcelona"),
        ("compare", "/compare/", "Compare"),
        ("open-data", "/open-data/", "Open data"),
    ]
    for name, path, heading in pages:
        visit(page, base + path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        _look(page, name)
