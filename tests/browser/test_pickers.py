"""Lists people choose from, in a real browser: the time-zone list starts at
the browser's zone and filters as one types."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, make_hub, make_program, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(browser_context_args):
    # Chromium reports this zone by its old name, America/Buenos_Aires.
    return {**browser_context_args, "timezone_id": "America/Argentina/Buenos_Aires"}


def test_time_zone_list_starts_at_the_browsers_zone_and_filters(
    page, live_server, transactional_db, axe_check
):
    program = make_program(make_hub(), title="Engineering Mentoring")
    user = make_user("newbie", profile={"timezone": ""})
    sign_in(page, live_server, user.get_username(), PASSWORD, program.url + "apply/")
    select = page.get_by_role("combobox", name="Time zone")
    expect(select).to_have_value("America/Argentina/Buenos_Aires")
    axe_check(page)
    page.get_by_label("Filter by city or region").fill("tokyo")
    expect(select).to_have_value("Asia/Tokyo")
    assert select.locator("option:not([hidden])").count() < 5
