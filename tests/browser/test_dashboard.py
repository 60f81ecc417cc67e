"""The program dashboard in a real browser: the coordinator opens it from the
admin home panel, reads a year of the demo's history, switches program and
period, and the page passes axe (charts included)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_coordinator_reads_the_dashboard(page, live_server, demo_site, axe_check):
    sign_in(page, live_server, "coordinator", "changeme", "/admin/")
    panel = page.get_by_role("region", name="Mentoring: the last 30 days")
    expect(panel).to_be_visible()
    axe_check(page)
    panel.get_by_role("link", name="Open the dashboard").click()

    expect(page.get_by_role("heading", name="Program dashboard")).to_be_visible()
    page.get_by_label("Period", exact=True).select_option("365")
    page.get_by_role("button", name="Show").click()
    funnel = page.get_by_role("img", name="Funnel: how far the people who applied got")
    expect(funnel).to_be_visible()
    # The chart's numbers are in the table beside it, as text.
    table = page.get_by_role("table", name="Funnel")
    expect(table.get_by_role("rowheader", name="Applied")).to_be_visible()
    expect(
        page.get_by_role("img", name="Meetings held and early closures by month")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="By program")).to_be_visible()
    expect(
        page.get_by_role("rowheader", name="Engineering Mentoring 2025–26")
    ).to_be_visible()
    axe_check(page)

    # One program: the by-program table gives way to that program's figures.
    page.get_by_label("Program", exact=True).select_option(
        label="Engineering Mentoring 2025–26"
    )
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="By program")).to_have_count(0)
    expect(
        page.get_by_role("heading", name="Latest reasons for ending early")
    ).to_be_visible()
    page.screenshot(path="/tmp/wm-dashboard.png", full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download every table (XLSX)").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    page.get_by_role("link", name="Printable summary").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("summary")
    axe_check(page)


def test_hr_reads_the_splits_by_group(page, live_server, demo_site, axe_check):
    # HR may see equity reports: the funnel and the named surveys' answers by
    # consented group, small groups suppressed, and passes axe with them.
    sign_in(page, live_server, "hr", "changeme", "/admin/mentoring/dashboard/")
    page.get_by_label("Period", exact=True).select_option("365")
    page.get_by_role("button", name="Show").click()
    expect(
        page.get_by_role(
            "heading",
            name="The funnel, goals and early closures by self-identified group",
        )
    ).to_be_visible()
    surveys = page.get_by_role("region", name="Survey answers by self-identified group")
    expect(surveys).to_contain_text("Named surveys only")
    expect(surveys.get_by_role("table").first).to_be_visible()
    expect(surveys).to_contain_text("Suppressed")
    axe_check(page)
    with page.expect_download() as download:
        surveys.get_by_role(
            "link", name="Download the survey answers by group as CSV"
        ).click()
    assert "Gender" in download.value.path().read_text(encoding="utf-8-sig")
    # The other KPIs by group are computed when asked for.
    page.get_by_role("link", name="Split these figures by group").click()
    figures = page.get_by_role("region", name="Figures by Gender")
    expect(
        figures.get_by_role("columnheader", name="Median days to match")
    ).to_be_visible()
    expect(figures.get_by_role("rowheader", name="Everyone")).to_be_visible()
    expect(figures.get_by_role("rowheader", name="Woman")).to_be_visible()
    axe_check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these figures by group as CSV").click()
    assert "Meetings per pair per month" in download.value.path().read_text(
        encoding="utf-8-sig"
    )
