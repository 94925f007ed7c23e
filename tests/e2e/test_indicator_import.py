"""Importing city indicator values in a real browser: the template, a file with one bad row and
its report, the corrected file, undoing the import and importing again; axe on every page."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from integratingcities.indicators.models import ImportBatch, IndicatorValue
from integratingcities.indicators.services import indicators_load
from integratingcities.lib.testing import PASSWORD, People

from .browser import assert_accessible, log_in, visit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

INDICATOR = "trainees-migrant-background-share"
TRAINEES = "City trainees with a migrant background"


def _import(page: Page, name: str, data: bytes) -> None:
    page.get_by_label(re.compile(r"^File")).set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": data}
    )
    page.get_by_role("button", name="Check and import").click()


def test_values_are_imported_corrected_undone_and_imported_again(
    site: People, live_server, new_page: Callable[..., Page]
) -> None:
    base = live_server.url
    indicators_load(Path(settings.BASE_DIR) / "content/indicators.yaml")
    ours = IndicatorValue.objects.filter(indicator__key=INDICATOR, city__in=[site.ghent, site.riga])
    assert not ours.exists()
    others = IndicatorValue.objects.filter(indicator__key=INDICATOR).count()  # seeded
    page = new_page()
    log_in(page, base, site.secretariat.email, PASSWORD)

    # The secretariat opens the indicators' management and the import page.
    visit(page, base + "/indicators/manage/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Manage city indicators")
    assert_accessible(page)
    page.get_by_role("link", name="Import values").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import indicator values")
    assert_accessible(page)

    # ... downloads the CSV template: the columns, and two example rows marked illustrative.
    with page.expect_download() as download:
        page.get_by_role("link", name="template as CSV").click()
    template = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    header = template[0]
    assert header == "city,indicator,year,date,value,unit,basis,source,note,illustrative"
    assert len(template) == 3 and all(row.endswith(",yes") for row in template[1:])

    # ... fills it in with a decimal comma in one row, and imports it.
    rows = [
        f"ghent,{INDICATOR},2001,,12.5,percent,,HR report 2001,,no",
        f'ghent,{INDICATOR},2002,,"13,5",percent,,HR report 2002,,no',
        f"riga,{INDICATOR},2002,,8,percent,,HR report 2002,,no",
    ]
    _import(page, "trainees.csv", "\n".join([header, *rows]).encode())
    expect(page.get_by_role("heading", name="Nothing was imported")).to_be_visible()
    report = page.get_by_role("table", name="Problems in the file, by row and column")
    expect(report.locator("tbody tr")).to_have_count(1)
    expect(report.locator("tbody tr")).to_contain_text("3")
    expect(report.locator("tbody tr")).to_contain_text("value")
    expect(report.locator("tbody tr")).to_contain_text(
        "“13,5” has a decimal comma: write the number with a point, as 13.5."
    )
    assert_accessible(page)
    assert not ImportBatch.objects.exists()

    # ... corrects the row and imports the file: the values are listed.
    rows[1] = rows[1].replace('"13,5"', "13.5")
    _import(page, "trainees.csv", "\n".join([header, *rows]).encode())
    expect(page.locator(".messages")).to_contain_text("3 values imported from trainees.csv.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Indicator values")
    expect(page.locator("tbody tr")).to_have_count(3)
    expect(page.locator("tbody")).to_contain_text("13.5%")
    assert_accessible(page)

    # ... undoes it, after reading what will be deleted.
    page.get_by_role("link", name="Undo this import…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Undo the import of “trainees.csv”?")
    expect(page.locator("main")).to_contain_text("Ghent, Riga")
    assert_accessible(page)
    page.get_by_role("button", name="Undo the import").click()
    expect(page.locator(".messages")).to_contain_text(
        "The import of trainees.csv is undone: 3 values deleted."
    )
    expect(page.get_by_role("table", name=re.compile("Imports of values"))).to_contain_text(
        "Undone on"
    )
    assert_accessible(page)
    assert not ours.exists()

    # ... and imports it again: the secretariat's list shows the values.
    page.get_by_role("link", name="Import values").click()
    _import(page, "trainees.csv", "\n".join([header, *rows]).encode())
    expect(page.locator(".messages")).to_contain_text("3 values imported")
    visit(page, base + "/indicators/manage/values/")
    page.get_by_label("Indicator", exact=True).select_option(
        label="City trainees with a migrant background"
    )
    page.get_by_role("button", name="Show").click()
    values = page.locator("tbody tr")
    expect(values).to_have_count(others + 3)
    expect(values.filter(has_text="Ghent")).to_have_count(2)
    expect(values.filter(has_text="Riga")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("12.5%")
    expect(page.locator("tbody")).to_contain_text("HR report 2002")
    assert_accessible(page)
    assert ours.count() == 3

    # Anyone reads the imported series as a chart over time, with its table.
    visitor = new_page()
    visit(visitor, base + "/indicators/cities/ghent/")
    trainees = visitor.locator("section", has=visitor.get_by_role("heading", name=TRAINEES))
    chart = trainees.locator("img[src$='.svg']").first
    expect(chart).to_be_visible()
    assert chart.evaluate("img => img.complete && img.naturalWidth > 0")
    expect(trainees.locator("table")).to_contain_text("12.5%")
    expect(trainees.locator("table")).to_contain_text("13.5%")
    assert_accessible(visitor)

    # One value by hand: the form names each field in its errors; deleting asks first.
    page.get_by_role("link", name="Enter a value").click()
    assert_accessible(page)
    page.get_by_label(re.compile(r"^Year")).fill("20015")
    page.get_by_role("button", name="Save the value").click()
    expect(page.locator(".field-error")).to_contain_text(
        ["City: name the city.", "Year: a year between 1900 and 2100, such as 2015."]
    )
    assert_accessible(page)
    visit(page, base + f"/indicators/manage/values/?city={site.ghent.pk}")
    page.get_by_role("link", name=re.compile(f"^Delete… Ghent, {TRAINEES}, 2001$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Delete {TRAINEES} of Ghent for 2001?"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Delete the value").click()
    expect(page.locator(".messages")).to_contain_text(f"Deleted: Ghent, {TRAINEES}, 2001.")
    assert ours.count() == 2
