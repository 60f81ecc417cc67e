"""The network map (admin) and My network (front end) in a browser, with axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

PASSWORD = "changeme"


@pytest.fixture
def company(transactional_db):
    """The demo company, big enough for every demo module (the community demo
    samples 70 people)."""
    from django.core.management import call_command

    call_command("seed_demo", employees=80, verbosity=0)


def test_network_map_is_readable_by_keyboard_and_without_script(
    page, live_server, company, axe_check
):
    sign_in(page, live_server, "hr", PASSWORD, "/admin/mentoring/network/")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Network map"))
    svg = page.locator("svg[aria-labelledby='wm-network-title wm-network-desc']")
    expect(svg).to_be_visible()
    expect(page.get_by_role("table").first).to_be_visible()
    axe_check(page)
    # Every group is a link in the tab order, leading to its row in the table.
    first = svg.locator("a").first
    first.focus()
    expect(first).to_be_focused()
    target = first.get_attribute("href")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(target) + "$"))
    expect(page.locator(target)).to_be_visible()
    # The switch: locations instead of departments.
    page.get_by_label("Show").select_option("location")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("caption").first).to_have_text("Locations")
    axe_check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename.startswith("network-location-")


def test_my_network_on_a_phone(page, live_server, company, axe_check):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "emp0002", PASSWORD, "/mentoring/")
    expect(page.get_by_role("heading", name="My network")).to_be_visible()
    axe_check(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"My mentoring scrolls sideways on a phone ({width}px)"


def test_the_map_on_a_phone(page, live_server, company, axe_check):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "hr", PASSWORD, "/admin/mentoring/network/")
    expect(page.locator("svg[aria-labelledby]")).to_be_visible()
    axe_check(page)
