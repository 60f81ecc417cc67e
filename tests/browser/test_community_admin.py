"""The admin screens around spaces and cohorts, as the coordinator uses them:
the reported-posts queue of the program's space and the program's cohorts,
each passing axe."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_coordinator_reviews_reports_and_cohorts(
    page, live_server, demo_site, axe_check
):
    sign_in(
        page, live_server, "coordinator", "changeme", "/admin/mentoring/space_reports/"
    )
    expect(page.get_by_role("heading", name="Reported posts").first).to_be_visible()
    # The demo's program space has a reported post waiting for a decision.
    expect(page.get_by_role("table")).to_be_visible()
    axe_check(page)

    page.goto(f"{live_server.url}/admin/mentoring/cohorts/")
    expect(page.get_by_role("heading", name="Cohorts").first).to_be_visible()
    expect(page.get_by_text("Spring").first).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Add cohort").first.click()
    expect(page.get_by_label("Name")).to_be_visible()
    axe_check(page)
