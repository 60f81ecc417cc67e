"""A colleague joins a space, posts, replies and reports; a moderator hides the
post; on a phone-sized screen, with axe on every page."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from wagtail_mentoring.community.models import (
    CommunitySpacePage,
    Post,
    PostReport,
    SpaceMembership,
    Thread,
)

pytestmark = pytest.mark.browser

PASSWORD = "changeme"
PHONE = {"width": 390, "height": 844}


def _fits(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


def test_join_post_reply_report_and_hide(browser, live_server, demo_site, axe_check):
    space = CommunitySpacePage.objects.get(slug="women-in-engineering")
    members = SpaceMembership.objects.filter(space=space)
    moderator = members.filter(role="moderator", user__is_active=True).first().user
    newcomer = (
        get_user_model()
        .objects.filter(is_active=True, is_superuser=False)
        .exclude(mentoring_space_memberships__space=space)
        .exclude(groups__isnull=False)
        .order_by("pk")
        .first()
    )

    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server, newcomer.get_username(), PASSWORD, space.url)
    expect(page.get_by_role("heading", level=1, name=space.title)).to_be_visible()
    axe_check(page)
    _fits(page)
    page.get_by_role("button", name="Join this space").click()
    expect(page.get_by_text(f"Welcome to {space.title}.")).to_be_visible()
    assert members.get(user=newcomer).status == "active"

    # A new discussion, with a question mark.
    page.get_by_role("link", name="Start a discussion").click()
    axe_check(page)
    _fits(page)
    page.get_by_label("Title").fill("Finding a mentor outside my team")
    page.get_by_label("What would you like to discuss?").fill(
        "Has anyone had a mentor from **another department**? <script>x</script>"
    )
    page.get_by_label(re.compile("This is a question")).check()
    page.get_by_role("button", name="Post").click()
    expect(
        page.get_by_role("heading", level=1, name="Finding a mentor outside my team")
    ).to_be_visible()
    expect(page.locator(".wm-post__body strong")).to_have_text("another department")
    expect(page.get_by_text("<script>x</script>")).to_be_visible()
    axe_check(page)
    _fits(page)
    assert Thread.objects.get(
        title="Finding a mentor outside my team", space=space
    ).is_question

    # A reply in someone else's discussion, then a report of its first post.
    thread = Thread.objects.filter(space=space).exclude(author=newcomer).first()
    first = thread.posts.order_by("created_at", "pk").first()
    page.goto(live_server.url + space.url)
    page.get_by_role("link", name=thread.title).click()
    axe_check(page)
    page.get_by_label("Your reply").fill("Thank you, this helps me a lot.")
    page.get_by_role("button", name="Reply").click()
    expect(page.get_by_text("Thank you, this helps me a lot.")).to_be_visible()
    page.goto(f"{live_server.url}/mentoring/spaces/{space.pk}/threads/{thread.pk}/")
    page.locator(f"#post-{first.pk}").get_by_role("link", name="Report").click()
    axe_check(page)
    _fits(page)
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("Tell the moderators what is wrong")).to_be_visible()
    page.get_by_label("What is wrong with this post?").fill("Shares a salary figure.")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("The moderators will look at this post.")).to_be_visible()
    assert PostReport.objects.get(post=first, reporter=newcomer).status == "open"

    # The moderator hides it, with a reason; it stays for moderators, marked.
    mod_context = browser.new_context(viewport=PHONE)
    mod_page = mod_context.new_page()
    thread_path = f"/mentoring/spaces/{space.pk}/threads/{thread.pk}/"
    sign_in(mod_page, live_server, moderator.get_username(), PASSWORD, thread_path)
    mod_page.locator(f"#post-{first.pk}").get_by_role("link", name="Hide").click()
    axe_check(mod_page)
    _fits(mod_page)
    mod_page.get_by_label("Why is this post hidden?").fill("Personal data")
    mod_page.get_by_role("button", name="Hide post").click()
    expect(mod_page.locator(f"#post-{first.pk}")).to_contain_text(
        "Only moderators see this post"
    )
    axe_check(mod_page)
    first.refresh_from_db()
    assert first.hidden and first.hidden_by == moderator
    assert Post.objects.filter(pk=first.pk).exists()

    # The member no longer sees it.
    page.goto(live_server.url + thread_path)
    expect(page.locator(f"#post-{first.pk}")).to_have_count(0)
    mod_context.close()
    context.close()
