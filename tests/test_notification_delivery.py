"""The delivery log: every notification is recorded under a deterministic key
before it is sent, so nothing is sent twice; failures are retried with backoff
and never block the others; leavers get nothing."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from tests.engagement_helpers import pair, soon
from tests.factories import make_user
from wagtail_mentoring.engagement import services as engagement
from wagtail_mentoring.engagement.tasks import send_meeting_invites
from wagtail_mentoring.notifications import services
from wagtail_mentoring.notifications.models import (
    Category,
    Delivery,
    DeliveryStatus,
)
from wagtail_mentoring.notifications.services import notify, retry_due
from wagtail_mentoring.people.users import user_email

pytestmark = pytest.mark.django_db

FAILING = "tests.test_notification_delivery.FailingBackend"


class FailingBackend(EmailBackend):
    """Refuses mail to anyone whose address starts with "bounce"."""

    def send_messages(self, messages):
        for message in messages:
            if any(to.startswith("bounce") for to in message.to):
                raise ConnectionRefusedError("SMTP server said no")
        return super().send_messages(messages)


def _notify(user, occurrence="first"):
    return notify(
        user,
        "test",
        "thing-1",
        occurrence,
        category=Category.ACTIVITY,
        template="digest",
        context={"items": [], "frequency": "Test"},
    )


def test_a_notification_is_recorded_then_sent_once():
    user = make_user("ada")
    delivery = _notify(user)
    assert delivery.key == f"test:thing-1:first:{user.pk}"
    assert len(mail.outbox) == 1
    # The same notification again (a retried task, a second run) sends nothing.
    assert _notify(user) is None
    assert len(mail.outbox) == 1
    row = Delivery.objects.get()
    assert row.status == DeliveryStatus.SENT and row.sent_at and row.attempts == 1
    # The words are dropped once sent; the log keeps who was told what.
    assert row.body_text == "" and row.body_html == "" and row.subject
    # Another occurrence is another notification.
    _notify(user, occurrence="second")
    assert len(mail.outbox) == 2


def test_leavers_and_empty_links_get_nothing():
    leaver = make_user("gone", active=False)
    assert _notify(leaver) is None
    assert _notify(None) is None
    assert not mail.outbox and not Delivery.objects.exists()


@override_settings(EMAIL_BACKEND=FAILING)
def test_a_failed_send_is_retried_with_backoff_without_blocking_others():
    bouncing, fine = make_user("bounce"), make_user("fine")
    failed = _notify(bouncing)
    _notify(fine)
    # The failure did not stop the next person's email.
    assert [m.to for m in mail.outbox] == [[user_email(fine)]]
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.FAILED
    assert "SMTP server said no" in failed.last_error
    assert failed.next_attempt_at > timezone.now()
    assert failed.body_text  # kept to send the very same message later
    # Before the backoff has passed, the retry job leaves it alone.
    assert retry_due() == 0
    # The second attempt fails too: the wait grows.
    first_wait = failed.next_attempt_at - timezone.now()
    retry_due(now=failed.next_attempt_at)
    failed.refresh_from_db()
    assert failed.attempts == 2
    assert failed.next_attempt_at - timezone.now() > first_wait
    # The server recovers: the next due retry sends it, once.
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
    ):
        assert retry_due(now=failed.next_attempt_at) == 1
        assert retry_due(now=failed.next_attempt_at + timedelta(days=1)) == 0
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.SENT and failed.attempts == 3
    assert len(mail.outbox) == 2


@override_settings(EMAIL_BACKEND=FAILING)
def test_retries_give_up_and_skip_people_who_left():
    bouncing = make_user("bounce2")
    delivery = _notify(bouncing)
    for _ in services.RETRY_DELAYS:
        delivery.refresh_from_db()
        retry_due(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == len(services.RETRY_DELAYS) + 1
    assert delivery.next_attempt_at is None  # given up
    assert retry_due(now=timezone.now() + timedelta(days=30)) == 0

    other = make_user("bounce3")
    delivery = _notify(other)
    type(other).objects.filter(pk=other.pk).update(is_active=False)  # left
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
    ):
        retry_due(now=timezone.now() + timedelta(hours=1))
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SKIPPED
    assert not mail.outbox


def test_a_pending_delivery_whose_sender_vanished_is_sent_by_the_retry_job():
    user = make_user("orphan")
    Delivery.objects.create(
        key="test:orphan:1:x",
        kind="test",
        category=Category.ACTIVITY,
        recipient=user,
        subject="Left behind",
        body_text="Hello",
        created_at=timezone.now() - timedelta(hours=1),
    )
    assert retry_due() == 1
    assert mail.outbox[0].subject == "Left behind"
    assert retry_due() == 0


@pytest.mark.usefixtures("on_commit_now")
def test_existing_emails_go_through_the_log_and_a_duplicate_task_sends_nothing(
    program,
):
    relationship = pair(program)
    member = relationship.members.first().user
    meeting = engagement.schedule_meeting(
        relationship, member, title="Chat", starts_at=soon()
    )
    assert len(mail.outbox) == 2
    send_meeting_invites(meeting.pk, meeting.sequence)  # the task delivered twice
    assert len(mail.outbox) == 2
    assert Delivery.objects.filter(kind="meeting", status="sent").count() == 2
    # Every email carries one-click unsubscribe for its category (RFC 8058).
    message = mail.outbox[0]
    assert message.extra_headers["List-Unsubscribe-Post"] == (
        "List-Unsubscribe=One-Click"
    )
    assert message.extra_headers["List-Unsubscribe"].startswith("<http://testserver/")
    assert "Unsubscribe" in message.body


def test_a_member_deactivated_gets_no_meeting_invite(program):
    relationship = pair(program)
    mentee_user, mentor_user = [m.user for m in relationship.members.order_by("role")]
    type(mentor_user).objects.filter(pk=mentor_user.pk).update(is_active=False)
    meeting = engagement.schedule_meeting(
        relationship, mentee_user, title="Chat", starts_at=soon()
    )
    send_meeting_invites(meeting.pk, meeting.sequence)
    assert [m.to for m in mail.outbox] == [[user_email(mentee_user)]]
    assert not Delivery.objects.filter(recipient=mentor_user).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL concurrency"
)
def test_two_workers_at_once_send_one_email():
    user = make_user("racer")
    barrier = threading.Barrier(4)
    results = []

    def work():
        try:
            barrier.wait()
            results.append(_notify(user))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(r is not None for r in results) == 1
    assert len(mail.outbox) == 1
    assert Delivery.objects.count() == 1
