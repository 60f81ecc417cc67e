"""Slack and Microsoft Teams: connections managed in the admin, posts through
the delivery log (retry with backoff, once only), against a real local HTTP
peer; nothing about one person ever reaches a shared channel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection as db
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from tests.chat_peer import ChatPeer
from tests.engagement_helpers import pair
from tests.factories import make_program
from tests.test_admin_digest import _quiet, _wednesday
from wagtail_mentoring.engagement.nudges import jobs
from wagtail_mentoring.engagement.nudges.services import nudge_pair
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.notifications import sharing
from wagtail_mentoring.notifications.models import (
    ChatConnection,
    Delivery,
    DeliveryStatus,
)
from wagtail_mentoring.notifications.services import retry_due, update_preferences
from wagtail_mentoring.people.users import display_name, user_email
from wagtail_mentoring.programs.chat_connections import (
    create_chat_connection,
    send_test_message,
    update_chat_connection,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def peer(settings):
    peer = ChatPeer()
    settings.WAGTAIL_MENTORING = peer.settings()
    yield peer
    peer.close()


def _connect(by, peer, program=None, kind="slack_webhook", **kwargs):
    kwargs.setdefault("topics", ["admin", "announcements"])
    secret = peer.url("/services/T1/B1/abcd1234")
    if kind == "slack_bot":
        secret = "xoxb-1-2-tokentail"
        kwargs.setdefault("slack_channel", "C0123ABCD")
    if kind == "teams_webhook":
        secret = peer.url("/workflows/abc/triggers/manual/run?sig=xyz9")
    return create_chat_connection(
        by, name="Admins", kind=kind, program=program, secret=secret, **kwargs
    )


# --- Posting -------------------------------------------------------------------


def test_at_risk_counts_go_to_the_channels_once_without_names(
    peer, program, program_admin, superuser
):
    program.title = "R&D <Platform>"
    program.save_revision().publish()
    quiet = _quiet(program)
    slack = _connect(program_admin, peer, program)
    teams = _connect(superuser, peer, kind="teams_webhook")  # site-wide
    _connect(program_admin, peer, program, topics=["announcements"])  # not admin
    now = _wednesday()

    assert jobs.send_admin_at_risk_digest(now) == 1  # the admin's email
    jobs.send_admin_at_risk_digest(now)  # the job runs twice: nothing more
    assert len(mail.outbox) == 1
    by_path = {r.path: r for r in peer.requests}
    assert len(peer.requests) == 2 and len(by_path) == 2

    posted = by_path["/services/T1/B1/abcd1234"]
    assert posted.headers["Content-Type"] == "application/json; charset=utf-8"
    # Slack mrkdwn: its control characters escaped.
    title = "R&amp;D &lt;Platform&gt;: 1 pair may need a hand this week"
    assert posted.body["text"] == title
    section, actions = posted.body["blocks"]
    assert section["text"]["type"] == "mrkdwn"
    assert section["text"]["text"].startswith(f"*{title}*\n")
    button = actions["elements"][0]
    assert button["url"].endswith(reverse("wm_at_risk:index"))

    card = by_path["/workflows/abc/triggers/manual/run?sig=xyz9"].body
    assert card["type"] == "message"
    (attachment,) = card["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    content = attachment["content"]
    assert content["type"] == "AdaptiveCard"
    assert content["body"][0]["text"] == (
        "R&D <Platform>: 1 pair may need a hand this week"
    )
    assert content["actions"][0]["type"] == "Action.OpenUrl"

    # Who is at risk stays in the admins' own email.
    names = [display_name(m.user) for m in quiet.members.all()]
    for request in peer.requests:
        assert not any(name in str(request.body) for name in names)
    assert names[0] in mail.outbox[0].body
    for connection in (slack, teams):
        delivery = Delivery.objects.get(connection=connection)
        assert delivery.status == DeliveryStatus.SENT and delivery.recipient is None
        assert delivery.body_text == ""  # the words go once sent
        connection.refresh_from_db()
        assert connection.last_success_at is not None


def test_a_failing_channel_is_retried_with_backoff_and_blocks_nothing(
    peer, program, program_admin
):
    _quiet(program)
    connection = _connect(program_admin, peer, program)
    peer.answer(500, b"internal_error")
    now = _wednesday()

    jobs.send_admin_at_risk_digest(now)
    assert len(mail.outbox) == 1  # the email went all the same
    delivery = Delivery.objects.get(connection=connection)
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1
    assert delivery.last_error == "HTTP 500: internal_error"
    waited = delivery.next_attempt_at - timezone.now()
    assert timedelta(minutes=4) < waited <= timedelta(minutes=5)
    connection.refresh_from_db()
    assert connection.last_error == "HTTP 500: internal_error"
    assert connection.last_failure_at and not connection.last_success_at

    assert retry_due() == 0  # not yet due
    assert len(peer.requests) == 1
    peer.answer(200)
    assert retry_due(timezone.now() + timedelta(minutes=6)) == 1
    assert retry_due(timezone.now() + timedelta(minutes=6)) == 0
    assert len(peer.requests) == 2
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2
    connection.refresh_from_db()
    assert connection.last_success_at > connection.last_failure_at


def test_timeouts_redirects_and_slack_api_errors_are_recorded(
    peer, program, program_admin, settings
):
    settings.WAGTAIL_MENTORING = peer.settings(CHAT_TIMEOUT_SECONDS=0.2)
    connection = _connect(program_admin, peer, program)

    peer.answer(200, delay=1)
    assert send_test_message(connection, program_admin).last_error == (
        "No answer in time."
    )
    elsewhere = peer.url("/elsewhere")
    peer.answer(302, b"", location=elsewhere)
    assert send_test_message(connection, program_admin).last_error == "HTTP 302:"
    assert [r.path for r in peer.requests].count("/elsewhere") == 0  # not followed

    bot = _connect(program_admin, peer, program, kind="slack_bot")
    peer.answer(200, b'{"ok": false, "error": "channel_not_found"}')
    delivery = send_test_message(bot, program_admin)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == "Slack: channel_not_found"
    request = peer.requests[-1]
    assert request.path == "/api/chat.postMessage"
    assert request.headers["Authorization"] == "Bearer xoxb-1-2-tokentail"
    assert request.body["channel"] == "C0123ABCD"
    peer.answer(200, b'{"ok": true}')
    assert send_test_message(bot, program_admin).status == DeliveryStatus.SENT


def test_a_huge_answer_is_read_only_so_far(peer, program, program_admin):
    connection = _connect(program_admin, peer, program)
    peer.answer(400, b"x" * 1_000_000)
    delivery = send_test_message(connection, program_admin)
    assert delivery.status == DeliveryStatus.FAILED
    assert len(delivery.last_error) < 400


def test_personal_kinds_never_reach_a_channel(peer, program, program_admin):
    connection = _connect(program_admin, peer, program)
    relationship = pair(program)
    before = Delivery.objects.count()
    for kind in ("pair_nudge", "message", "feedback_due", "admin_at_risk"):
        with pytest.raises(ValueError, match="not a shareable"):
            sharing.share(kind, 1, "x", title="t", text="t", program_id=program.pk)
        with pytest.raises(ValueError):
            sharing.post_to(connection, kind, 1, "x", title="t", text="t")
    assert Delivery.objects.count() == before
    # A real personal notification goes to the people only.
    nudge_pair(relationship, by=program_admin)
    assert len(mail.outbox) == 2
    assert not Delivery.objects.filter(connection__isnull=False).exists()
    assert peer.requests == []


def test_a_switched_off_connection_gets_nothing_but_its_test(
    peer, program, program_admin
):
    _quiet(program)
    connection = _connect(program_admin, peer, program, active=False)
    jobs.send_admin_at_risk_digest(_wednesday())
    assert peer.requests == []
    assert send_test_message(connection, program_admin).status == DeliveryStatus.SENT
    assert len(peer.requests) == 1
    assert "never anything about one person" in peer.requests[0].body["text"] + str(
        peer.requests[0].body["blocks"]
    )


def test_a_new_program_is_announced_once(peer, hub, superuser, on_commit_now):
    connection = _connect(superuser, peer, topics=["announcements"])
    program = make_program(hub, title="Women in Tech", live=False)
    program.save_revision().publish()
    program.save_revision().publish()  # an edit later: not news
    (request,) = peer.requests
    assert request.body["text"] == "New program: Women in Tech"
    assert Delivery.objects.get(connection=connection).kind == "program_announcement"


# --- Validation and permissions ------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "secret", "message"),
    [
        ("slack_webhook", "http://hooks.slack.com/services/x", "https://"),
        ("slack_webhook", "https://evil.example/services/x", "evil.example is not"),
        ("teams_webhook", "https://webhook.office.com.evil.example/x", "is not"),
        ("slack_webhook", "https://user:pw@hooks.slack.com/x", "not a valid URL"),
        ("slack_bot", "not-a-token", "xoxb-"),
    ],
)
def test_bad_connections_write_nothing(program, program_admin, kind, secret, message):
    with pytest.raises(MentoringError, match=message):
        create_chat_connection(
            program_admin, name="X", kind=kind, program=program, secret=secret
        )
    assert not ChatConnection.objects.exists()
    assert not ModelLogEntry.objects.filter(action__startswith="wagtail_mentoring.chat")


def test_allowed_hosts_by_default(program, program_admin):
    for url in (
        "https://hooks.slack.com/services/T/B/x",
        "https://acme.webhook.office.com/webhookb2/x",
        "https://prod-12.westeurope.logic.azure.com:443/workflows/x",
        "https://default1.environment.api.powerplatform.com/powerautomate/x",
    ):
        create_chat_connection(
            program_admin, name=url, kind="teams_webhook", program=program, secret=url
        )
    assert ChatConnection.objects.count() == 4


def test_who_manages_which_connection(
    program, other_program, program_admin, other_program_admin, superuser
):
    url = "https://hooks.slack.com/services/T/B/x"
    with pytest.raises(MentoringError, match="every program"):
        create_chat_connection(
            program_admin, name="X", kind="slack_webhook", secret=url
        )
    with pytest.raises(MentoringError, match="Only the admins"):
        create_chat_connection(
            other_program_admin,
            name="X",
            kind="slack_webhook",
            program=program,
            secret=url,
        )
    ours = create_chat_connection(
        program_admin, name="X", kind="slack_webhook", program=program, secret=url
    )
    with pytest.raises(MentoringError):
        update_chat_connection(ours, other_program_admin, name="Hijacked")
    with pytest.raises(MentoringError):
        send_test_message(ours, other_program_admin)
    assert ChatConnection.objects.get().name == "X"
    assert not Delivery.objects.exists()
    create_chat_connection(superuser, name="All", kind="slack_webhook", secret=url)


# --- Admin ---------------------------------------------------------------------


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_connect_test_and_see_status_in_the_admin(peer, program, program_admin):
    client = _client(program_admin)
    secret = peer.url("/services/T1/B1/SECRETTAIL")
    form = {
        "name": "Engineering admins",
        "kind": "slack_webhook",
        "program": program.pk,
        "topics": ["admin"],
        "secret": secret,
        "active": "on",
    }
    response = client.post(reverse("wm_chat_connections:add"), form)
    assert response.status_code == 302
    connection = ChatConnection.objects.get()
    assert connection.secret == secret and connection.topics == ["admin"]

    inspect = reverse("wm_chat_connections:inspect", args=[connection.pk])
    for url in (
        inspect,
        reverse("wm_chat_connections:index"),
        reverse("wm_chat_connections:edit", args=[connection.pk]),
    ):
        body = client.get(url).content.decode()
        assert "SECRETTAIL" not in body and "/services/T1" not in body
    assert "••••TAIL" in client.get(inspect).content.decode()

    test = reverse("wm_chat_connections:send_test", args=[connection.pk])
    assert client.get(test).status_code == 405
    page = client.post(test, follow=True).content.decode()
    assert "The test message was posted." in page
    assert len(peer.requests) == 1
    assert ModelLogEntry.objects.filter(action="wagtail_mentoring.chat.test").exists()

    peer.answer(404, b"no_service")
    page = client.post(test, follow=True).content.decode()
    assert "The test message was not posted: HTTP 404: no_service" in page
    index = client.get(reverse("wm_chat_connections:index")).content.decode()
    assert "Failing" in index and "HTTP 404: no_service" in index
    assert page.count("HTTP 404: no_service") >= 2  # message and recent posts

    # An empty secret on edit keeps the saved one.
    edit = reverse("wm_chat_connections:edit", args=[connection.pk])
    response = client.post(edit, {**form, "name": "Renamed", "secret": ""})
    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.name == "Renamed" and connection.secret == secret


def test_the_admin_form_refuses_bad_urls_and_writes_nothing(
    peer, program, program_admin
):
    client = _client(program_admin)
    for secret in ("http://hooks.slack.com/services/x", "https://evil.example/x"):
        response = client.post(
            reverse("wm_chat_connections:add"),
            {
                "name": "X",
                "kind": "slack_webhook",
                "program": program.pk,
                "secret": secret,
            },  # fmt: skip
        )
        assert response.status_code == 200
        assert "The chat connection could not be created" in response.content.decode()
    assert not ChatConnection.objects.exists()
    # A program admin cannot make a site-wide one: the program is required.
    response = client.post(
        reverse("wm_chat_connections:add"),
        {"name": "X", "kind": "slack_webhook", "secret": peer.url()},
    )
    assert response.status_code == 200 and not ChatConnection.objects.exists()


def test_another_programs_admin_finds_nothing(
    peer, program, program_admin, other_program_admin, superuser, employee
):
    connection = _connect(program_admin, peer, program)
    site_wide = _connect(superuser, peer)
    other = _client(other_program_admin)
    for name in ("inspect", "edit", "delete"):
        url = reverse(f"wm_chat_connections:{name}", args=[connection.pk])
        assert other.get(url).status_code == 404
        assert other.post(url, {"name": "Hijacked"}).status_code == 404
    test = reverse("wm_chat_connections:send_test", args=[connection.pk])
    assert other.post(test).status_code == 404
    listing = other.get(reverse("wm_chat_connections:index")).content.decode()
    assert "Admins" not in listing
    # The program's admin does not see the site-wide one.
    own = _client(program_admin)
    url = reverse("wm_chat_connections:inspect", args=[site_wide.pk])
    assert own.get(url).status_code == 404
    assert peer.requests == [] and ChatConnection.objects.count() == 2
    employee_client = _client(employee)
    assert employee_client.get(reverse("wm_chat_connections:index")).status_code == 302
    # Deleting goes through the service and the audit log.
    delete = reverse("wm_chat_connections:delete", args=[connection.pk])
    assert own.post(delete).status_code == 302
    assert not ChatConnection.objects.filter(pk=connection.pk).exists()
    assert ModelLogEntry.objects.filter(action="wagtail_mentoring.chat.delete").exists()


def test_the_listing_costs_the_same_queries_for_more_connections(
    peer, hub, superuser, django_assert_max_num_queries
):
    client = _client(superuser)
    url = reverse("wm_chat_connections:index")

    _connect(superuser, peer, make_program(hub))
    with CaptureQueriesContext(db) as queries:
        assert client.get(url).status_code == 200
    few = len(queries)
    for _ in range(5):
        _connect(superuser, peer, make_program(hub))
    with django_assert_max_num_queries(few):
        client.get(url)


# --- Slack direct messages -----------------------------------------------------


def test_people_may_choose_slack_direct_messages(
    peer, program, superuser, program_admin, employee
):
    client = _client(employee)
    settings_url = reverse("wagtail_mentoring:notification_settings")
    assert "Slack direct message" not in client.get(settings_url).content.decode()
    # The site-wide bot makes the choice available.
    _connect(superuser, peer, kind="slack_bot", topics=[])
    assert "Slack direct message" in client.get(settings_url).content.decode()
    form = {
        "activity": "immediately",
        "reminders": "immediately",
        "admin": "immediately",
        "community": "immediately",
        "digest_hour": "8",
        "digest_weekday": "0",
        "slack_dm": "on",
    }
    assert client.post(settings_url, form).status_code == 302
    peer.replies = {
        "/api/users.lookupByEmail": b'{"ok": true, "user": {"id": "U0ERIN"}}',
        "/api/chat.postMessage": b'{"ok": true}',
    }
    relationship = pair(program)
    mentee = relationship.members.get(role="mentee").user
    update_preferences(mentee, by=mentee, slack_dm=True)
    mail.outbox.clear()

    nudge_pair(relationship, by=program_admin)
    # The mentee gets a DM, the mentor (who did not choose it) an email.
    assert len(mail.outbox) == 1 and mail.outbox[0].to != [user_email(mentee)]
    lookup, message = peer.requests
    assert lookup.path == "/api/users.lookupByEmail"
    assert lookup.body == {"email": user_email(mentee)}
    assert lookup.headers["Authorization"] == "Bearer xoxb-1-2-tokentail"
    assert message.body["channel"] == "U0ERIN"
    assert message.body["text"] == f"Time to meet again ({program.title})"
    # Slack takes only absolute links in a button.
    button = message.body["blocks"][-1]["elements"][0]
    assert button["url"].startswith("http://testserver/")
    delivery = Delivery.objects.get(recipient=mentee, kind="pair_nudge")
    assert delivery.channel == "slack_dm" and delivery.status == DeliveryStatus.SENT

    # Someone Slack does not know: recorded, retried like an email.
    peer.replies["/api/users.lookupByEmail"] = (
        b'{"ok": false, "error": "users_not_found"}'
    )
    nudge_pair(relationship, by=program_admin, occurrence="again")
    failed = Delivery.objects.get(recipient=mentee, key__contains="again")
    assert failed.status == DeliveryStatus.FAILED
    assert failed.last_error == "Slack: users_not_found"
