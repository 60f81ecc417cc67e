"""Every time a person reads is in their own zone, with the zone named; emails
use the recipient's zone. Expected strings are built with zoneinfo directly."""

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from tests.engagement_helpers import mentee, mentor, self_select
from tests.journey_data import make_journey
from wagtail_mentoring.engagement import services
from wagtail_mentoring.engagement.models import Meeting
from wagtail_mentoring.programs.services import start_relationship

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_now")]


def _as_read_in(moment, zone: str) -> str:
    local = moment.astimezone(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None)
    return f"{date_format(local, 'DATETIME_FORMAT')} ({zone})"


def _text(response) -> str:
    return " ".join(response.content.decode().split())


def test_journey_page_and_my_mentoring_show_the_next_meeting_alike(
    client, hub, program, employee, other_employee
):
    """The employee lives in Berlin (the site runs on UTC)."""
    journey = make_journey(hub)
    program.journey = journey
    program.save()
    pair = start_relationship(
        program, [(employee, "mentee"), (other_employee, "mentor")], other_employee
    )
    # 23:30 UTC is already the next day in Berlin: a UTC page reads a day early.
    starts = (timezone.now() + timedelta(days=5)).replace(
        hour=23, minute=30, second=0, microsecond=0
    )
    Meeting.objects.create(relationship=pair, title="Monthly chat", starts_at=starts)
    expected = _as_read_in(starts, "Europe/Berlin")
    client.force_login(employee)
    assert expected in _text(client.get(journey.url))
    assert expected in _text(client.get(reverse("wagtail_mentoring:my_mentoring")))


def test_request_deadline_reads_in_each_persons_zone(client, program):
    self_select(program, request_expiry_days=7)
    me = mentee(program, "mia")  # Europe/Berlin
    tokyo = mentor(program, "taro", timezone="Asia/Tokyo")
    request = services.send_request(me, tokyo, me.user)
    # The mentor's email names the deadline in Tokyo time.
    (email,) = mail.outbox
    assert email.to == [tokyo.user.email]
    assert _as_read_in(request.expires_at, "Asia/Tokyo") in " ".join(email.body.split())
    html = " ".join(email.alternatives[0][0].split())
    assert _as_read_in(request.expires_at, "Asia/Tokyo") in html
    # The mentee reads it in Berlin time, on My mentoring and Find a mentor.
    client.force_login(me.user)
    expected = _as_read_in(request.expires_at, "Europe/Berlin")
    find = reverse("wagtail_mentoring:find_mentor", args=[me.pk])
    assert expected in _text(client.get(find))
    # The mentor reads it in Tokyo time on their own page.
    client.force_login(tokyo.user)
    body = _text(client.get(reverse("wagtail_mentoring:my_mentoring")))
    assert _as_read_in(request.expires_at, "Asia/Tokyo") in body


def test_program_page_dates_read_in_the_viewers_zone(client, program, employee):
    program.enrollment_closes_at = datetime(2031, 3, 1, 23, 30, tzinfo=UTC)
    program.save()
    client.force_login(employee)
    body = _text(client.get(program.url))
    assert _as_read_in(program.enrollment_closes_at, "Europe/Berlin") in body
