"""A course page of an LMS frames the tool; the learner opens their program.

The platform (tests/lti_platform.py) serves the course page on another site
(127.0.0.1 against the intranet's localhost) with the tool in an iframe: the
OIDC login initiation, the platform's auto-posting authorization response and
the launch all run inside the frame, without a single cookie of the intranet,
as in a browser that blocks third-party cookies. The learner then continues in
a window of its own and lands on the program page signed in.
"""

from __future__ import annotations

import pytest
from lti_tool.models import LtiRegistration, LtiUser
from playwright.sync_api import expect

from tests.factories import make_hub, make_program, make_user
from tests.lti_platform import Platform

pytestmark = pytest.mark.browser


@pytest.fixture
def platform(transactional_db, live_server, settings):
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    platform = Platform()
    platform.tool_url = live_server.url
    platform.register()
    yield platform
    platform.stop()


def test_the_tool_launches_inside_the_course_frame(
    page, live_server, platform, axe_check
):
    program = make_program(make_hub(), title="Engineering Mentoring")
    person = make_user("lee")
    LtiUser.objects.create(
        registration=LtiRegistration.objects.get(), sub="learner-1", auth_user=person
    )
    platform.browser_claims = {"custom": {"page_id": str(program.pk)}}
    page.goto(f"{platform.issuer}/course")
    frame = page.frame_locator("iframe")
    open_link = frame.get_by_role("link", name="Open Engineering Mentoring")
    expect(open_link).to_be_visible()
    # The framed launch needed no cookie of the intranet's.
    assert not [c for c in page.context.cookies() if c["domain"] == "localhost"]
    with page.expect_popup() as popup_info:
        open_link.click()
    window = popup_info.value
    window.wait_for_load_state()
    assert window.url == f"{live_server.url}{program.url}"
    expect(window.get_by_role("heading", name="Engineering Mentoring")).to_be_visible()
    axe_check(window)


def test_a_host_page_refuses_to_be_framed_by_the_platform(page, live_server, platform):
    program = make_program(make_hub(), title="Engineering Mentoring")
    response = page.request.get(f"{live_server.url}{program.url}")
    assert response.headers.get("x-frame-options") == "DENY"
    launch = page.request.post(f"{live_server.url}/lti/launch/", form={})
    assert launch.status == 403
    assert launch.headers["content-security-policy"] == (
        f"frame-ancestors {platform.issuer}"
    )
