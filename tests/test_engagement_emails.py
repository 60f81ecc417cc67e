"""Every engagement email has a subject, a plain-text and an HTML part; user
text is escaped in HTML and left readable in plain text."""

import pytest
from django.core import mail

from tests.engagement_helpers import mentee, mentor, self_select, soon
from wagtail_mentoring.engagement import services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_now")]


def _check(message):
    assert message.subject.strip() and "\n" not in message.subject
    assert message.body.strip()
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html" and html.lstrip().startswith("<!doctype html>")
    assert "http://testserver/" in message.body
    assert 'href="http://testserver/' in html
    assert "&amp;lt;" not in html and "&lt;" not in message.body


def test_every_notification_has_both_parts(program, program_admin):
    self_select(program)
    me = mentee(program)
    first, second = mentor(program), mentor(program)
    r1 = services.send_request(me, first, me.user, note="A <b>bold</b> ask & more")
    r2 = services.send_request(me, second, me.user)
    services.decline_request(r1, first.user, reason="Too <busy>")
    relationship = services.accept_request(r2, second.user)
    services.schedule_meeting(relationship, me.user, title="1:1 <x>", starts_at=soon())
    services.send_message(relationship, me.user, body="Hi")
    services.extend_relationship(relationship, me.user, weeks=2)
    services.request_rematch(relationship, me.user, reason="Different goals")
    from wagtail_mentoring.engagement.tasks import send_request_emails

    asking = mentee(program)
    r3 = services.send_request(asking, mentor(program), asking.user)
    services.withdraw_request(r3, asking.user)
    send_request_emails(r3.pk, "expired")  # the wording of an expiry
    subjects = [m.subject for m in mail.outbox]
    for message in mail.outbox:
        _check(message)
    received = next(
        m for m in mail.outbox if "asks you to be their mentor" in m.subject
    )
    assert "A <b>bold</b> ask & more" in received.body
    assert "A &lt;b&gt;bold&lt;/b&gt; ask &amp; more" in received.alternatives[0][0]
    for expected in (
        "asks you to be their mentor",
        "An update on your mentor request",
        "You are matched",
        "Invitation:",
        "New message",
        "was extended",
        "has ended",
        "Rematch requested",
        "withdrew their request",
        "expired",
    ):
        assert any(expected in s for s in subjects), expected
