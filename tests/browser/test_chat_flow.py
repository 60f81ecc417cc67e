"""Connecting a Slack channel in the admin, in a browser: the list, the form,
the connection's page with *Send test*, against a real local HTTP peer."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.chat_peer import ChatPeer
from wagtail_mentoring.notifications.models import ChatConnection

pytestmark = pytest.mark.browser

PASSWORD = "changeme"


@pytest.fixture
def peer(settings):
    peer = ChatPeer()
    settings.WAGTAIL_MENTORING = peer.settings()
    yield peer
    peer.close()


def test_connect_and_test_a_slack_channel(
    page, live_server, demo_site, peer, axe_check
):
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    sign_in(
        page,
        live_server,
        admin.get_username(),
        PASSWORD,
        "/admin/mentoring/chat_connections/",
    )
    expect(page.get_by_role("heading", name="Chat connections").first).to_be_visible()
    # The demo's switched-off examples are listed.
    expect(page.get_by_role("link", name="Mentoring team (Slack)")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="Add chat connection").first.click()
    expect(page.get_by_label("Webhook URL or bot token")).to_be_visible()
    axe_check(page)
    page.get_by_label("Name").fill("Mentoring admins")
    page.get_by_label("Kind").select_option("slack_webhook")
    page.get_by_label("Program administration: the weekly at-risk summary").check()
    page.get_by_label("Webhook URL or bot token").fill(peer.url("/services/T/B/tail"))
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("link", name="Mentoring admins")).to_be_visible()
    connection = ChatConnection.objects.get(name="Mentoring admins")
    assert connection.program is None and connection.topics == ["admin"]

    page.get_by_role("link", name="Mentoring admins").click()
    expect(page.get_by_text("••••tail")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Send test").click()
    expect(page.get_by_text("The test message was posted.")).to_be_visible()
    axe_check(page)
    (request,) = peer.requests
    assert request.body["text"] == "Test message from the mentoring platform"

    page.goto(
        f"{live_server.url}/admin/mentoring/chat_connections/edit/{connection.pk}/"
    )
    expect(page.get_by_text("Saved: ••••tail")).to_be_visible()
    assert page.get_by_label("Webhook URL or bot token").input_value() == ""
    axe_check(page)
