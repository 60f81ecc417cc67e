"""A mentee joins an open circle of a group program and finds the circle's
space with everyone in it, on a desktop and on a 390 px phone."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from wagtail_mentoring.programs.models import ProgramPage, Relationship

pytestmark = pytest.mark.browser

PASSWORD = "changeme"


@pytest.mark.parametrize("viewport", [None, {"width": 390, "height": 844}])
def test_join_an_open_circle(browser, live_server, demo_site, axe_check, viewport):
    User = get_user_model()
    program = ProgramPage.objects.get(slug="leading-together")
    circle = Relationship.objects.get(program=program, topic="First-time managers")
    assert circle.seats_left == 1
    joiner = User.objects.get(**{User.USERNAME_FIELD: "emp0019"})
    facilitator = circle.facilitator.user
    context = (
        browser.new_context(viewport=viewport) if viewport else browser.new_context()
    )
    page = context.new_page()
    sign_in(page, live_server, joiner.get_username(), PASSWORD, program.url)
    expect(page.get_by_role("heading", level=1, name=program.title)).to_be_visible()
    circles = page.get_by_role("region", name="Circles")
    card = circles.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name="First-time managers")
    )
    expect(card).to_contain_text(facilitator.get_full_name())
    expect(card).to_contain_text("1 of 4")
    # the full circle is not offered
    expect(circles).not_to_contain_text("Presenting with confidence")
    axe_check(page)
    if viewport:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"]
    card.get_by_role("button", name="Join").click()

    # The circle's space: the topic, the facilitator and every mentee.
    expect(page.get_by_role("heading", level=1)).to_have_text("First-time managers")
    expect(page.get_by_text("Welcome to the circle.")).to_be_visible()
    overview = page.get_by_role("region", name="Overview")
    expect(overview).to_contain_text(facilitator.get_full_name())
    for member in circle.circle_mentees:
        expect(overview).to_contain_text(member.user.get_full_name())
    expect(overview).to_contain_text(f"{joiner.get_full_name()} (you)")
    expect(page.get_by_role("link", name="Leave the circle")).to_be_visible()
    expect(page.get_by_text("the whole circle")).to_be_visible()  # a shared goal
    axe_check(page)
    if viewport:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"]
    assert circle.members.filter(user=joiner).exists()

    # The program page now shows the joiner's circle; the full one is gone.
    page.goto(live_server.url + program.url)
    expect(page.get_by_text("You are in the circle of")).to_be_visible()
    expect(page.get_by_role("button", name="Join")).to_have_count(0)
    expect(
        page.get_by_role("region", name="Circles").get_by_role(
            "heading", name="First-time managers"
        )
    ).to_have_count(0)

    # The messages of the circle: one thread, everyone's messages.
    page.get_by_role("link", name=re.compile("Open your circle")).click()
    page.get_by_role("link", name="Messages").click()
    expect(page.get_by_text("Welcome, everyone!")).to_be_visible()
    axe_check(page)
    context.close()
