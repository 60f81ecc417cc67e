"""Webhooks: signed deliveries to a real receiver, retries, disabling, SSRF."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.engagement_helpers import pair
from tests.factories import make_user
from tests.webhook_receiver import Receiver
from wagtail_mentoring.engagement import services as engagement
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.programs.models import RelationshipStatus
from wagtail_mentoring.programs.services import change_relationship_status
from wagtail_mentoring.webhooks import events, services, targets
from wagtail_mentoring.webhooks.models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
)

pytestmark = pytest.mark.django_db
MANAGE = [
    "wagtailadmin.access_admin",
    "wagtail_mentoring.view_webhookendpoint",
    "wagtail_mentoring.add_webhookendpoint",
    "wagtail_mentoring.change_webhookendpoint",
]


@pytest.fixture
def local_targets(settings):
    settings.WAGTAIL_MENTORING = {
        "WEBHOOK_ALLOW_PRIVATE_TARGETS": True,
        "WEBHOOK_RETRY_SECONDS": 60,
        "WEBHOOK_MAX_ATTEMPTS": 3,
        "WEBHOOK_DISABLE_AFTER_FAILURES": 4,
    }


@pytest.fixture
def receiver(local_targets):
    with Receiver() as r:
        yield r


def _endpoint(receiver, event_types=(events.RELATIONSHIP_STARTED,)):
    endpoint = WebhookEndpoint.objects.create(
        name="Warehouse", url=receiver.url, events=list(event_types)
    )
    receiver.secret = endpoint.secret
    return endpoint


def test_a_relationship_start_is_delivered_signed_and_verified(
    receiver, program, on_commit_now
):
    _endpoint(receiver, [events.RELATIONSHIP_STARTED, events.RELATIONSHIP_ENDED])
    relationship = pair(program)
    assert receiver.refused == []
    [payload] = receiver.received
    assert payload["type"] == "relationship.started"
    assert payload["data"]["relationship"]["id"] == relationship.pk
    assert {m["role"] for m in payload["data"]["relationship"]["members"]} == {
        "mentee",
        "mentor",
    }
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    [attempt] = delivery.attempt_log.all()
    assert (attempt.number, attempt.status_code, attempt.response_excerpt) == (
        1,
        200,
        "ok",
    )
    assert receiver.headers[0]["webhook-id"] == delivery.message_id

    change_relationship_status(
        relationship, RelationshipStatus.ENDED_EARLY, None, reason="Moved on"
    )
    assert [p["type"] for p in receiver.received] == [
        "relationship.started",
        "relationship.ended",
    ]
    # Never what people wrote: the end reason stays out.
    assert "Moved on" not in str(receiver.received)


def test_a_wrong_secret_fails_verification_at_the_receiver(
    receiver, program, on_commit_now
):
    _endpoint(receiver)
    receiver.secret = "whsec_" + "A" * 43 + "="
    pair(program)
    assert receiver.received == []
    assert len(receiver.refused) == 1
    assert WebhookDelivery.objects.get().status == DeliveryStatus.PENDING


def test_unsubscribed_events_are_not_sent(receiver, program, on_commit_now):
    _endpoint(receiver, [events.GOAL_ACHIEVED])
    pair(program)
    assert WebhookDelivery.objects.count() == 0


def test_goal_achieved_carries_no_wording(receiver, program, on_commit_now):
    _endpoint(receiver, [events.GOAL_ACHIEVED])
    relationship = pair(program)
    member = relationship.members.first().user
    goal = engagement.create_goal(
        relationship,
        member,
        title="Secret ambition",
        target_date=timezone.localdate() + timedelta(days=30),
    )
    engagement.check_in_goal(goal, member, progress=100)
    [payload] = receiver.received
    assert payload["data"] == {"goal": {"id": goal.pk, "relationship": relationship.pk}}
    assert "Secret ambition" not in str(receiver.headers) + str(payload)


def test_failures_back_off_exponentially_then_give_up(receiver, program, on_commit_now):
    _endpoint(receiver)
    receiver.status = 503
    pair(program)
    delivery = WebhookDelivery.objects.get()
    first = delivery.next_attempt_at
    assert delivery.attempts == 1 and delivery.status == DeliveryStatus.PENDING
    # Not due yet: nothing is sent.
    assert services.retry_due_deliveries(now=timezone.now()) == 0
    assert services.retry_due_deliveries(now=first + timedelta(seconds=1)) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    # 60 s after the first failure, 120 s after the second.
    gap = delivery.next_attempt_at - delivery.attempt_log.get(number=2).at
    assert timedelta(seconds=119) < gap <= timedelta(seconds=121)
    services.retry_due_deliveries(now=delivery.next_attempt_at + timedelta(seconds=1))
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.status) == (3, DeliveryStatus.FAILED)
    assert len(receiver.received) == 3  # each verified, each answered 503


def test_repeated_failures_disable_the_endpoint_and_tell_its_admins(
    receiver, program, on_commit_now
):
    admin = make_user("webmaster", perms=MANAGE)
    endpoint = _endpoint(receiver)
    receiver.status = 500
    for _ in range(4):
        pair(program)
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert endpoint.consecutive_failures == 4
    [message] = mail.outbox
    assert admin.email in message.to
    assert "Warehouse" in message.subject
    # Disabled: a new event is not even queued.
    pair(program)
    assert len(receiver.received) == 4


def test_an_admin_redelivers_a_failed_event(client, receiver, program, on_commit_now):
    admin = make_user("webmaster", perms=MANAGE)
    _endpoint(receiver)
    receiver.status = 500
    pair(program)
    delivery = WebhookDelivery.objects.get()
    receiver.status = 200
    client.force_login(admin)
    response = client.post(
        reverse("wm_webhook_deliveries:redeliver", args=[delivery.pk])
    )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert [a.status_code for a in delivery.attempt_log.order_by("number")] == [
        500,
        200,
    ]
    # The same message id: the receiver can tell it is the same event.
    assert receiver.headers[0]["webhook-id"] == receiver.headers[1]["webhook-id"]


def test_redelivery_takes_the_permission(client, receiver, program, on_commit_now):
    viewer = make_user(
        "viewer",
        perms=["wagtailadmin.access_admin", "wagtail_mentoring.view_webhookendpoint"],
    )
    _endpoint(receiver)
    receiver.status = 500
    pair(program)
    delivery = WebhookDelivery.objects.get()
    client.force_login(viewer)
    url = reverse("wm_webhook_deliveries:redeliver", args=[delivery.pk])
    assert client.post(url).status_code in (302, 403)  # Wagtail: back to admin
    assert delivery.attempt_log.count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",  # not https
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data",  # cloud metadata
        "https://[::1]/hook",
        "https://[::ffff:192.168.0.1]/hook",
        "https://user:pw@example.com/hook",
    ],
)
def test_private_and_insecure_targets_are_refused(url):
    with pytest.raises(MentoringError):
        targets.check(url)


def test_a_name_resolving_to_a_private_address_is_refused(monkeypatch):
    # Every address a name resolves to is checked, not just the first.
    def fake(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    with pytest.raises(MentoringError, match="10.0.0.5"):
        targets.check("https://hooks.example.com/x")


def test_the_admin_form_refuses_a_private_target_and_writes_nothing(client):
    admin = make_user("webmaster", perms=MANAGE)
    client.force_login(admin)
    response = client.post(
        reverse("wm_webhooks:add"),
        {"name": "Intranet", "url": "https://127.0.0.1/x", "events": ["goal.achieved"]},
    )
    assert response.status_code == 200
    assert "private, loopback or link-local" in response.content.decode()
    assert WebhookEndpoint.objects.count() == 0


def test_a_delivery_to_a_target_that_became_private_is_refused(
    receiver, program, on_commit_now, settings
):
    _endpoint(receiver)
    # Saved while allowed; the setting is gone at delivery time.
    settings.WAGTAIL_MENTORING = {"WEBHOOK_ALLOW_PRIVATE_TARGETS": False}
    pair(program)
    assert receiver.received == []
    attempt = WebhookDelivery.objects.get().attempt_log.get()
    assert "https://" in attempt.error


def test_webhook_admin_pages_need_the_permission(client, receiver, program):
    nobody = make_user("nobody", admin_access=True)
    endpoint = _endpoint(receiver)
    client.force_login(nobody)
    for name, args in (
        ("wm_webhooks:index", []),
        ("wm_webhooks:inspect", [endpoint.pk]),
        ("wm_webhook_deliveries:index", []),
    ):
        assert client.get(reverse(name, args=args)).status_code in (302, 403, 404)
    viewer = make_user("webmaster", perms=MANAGE)
    client.force_login(viewer)
    page = client.get(reverse("wm_webhooks:inspect", args=[endpoint.pk]))
    assert endpoint.secret in page.content.decode()
