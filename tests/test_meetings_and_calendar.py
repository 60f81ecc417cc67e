"""Meetings: invites with a stable UID and growing SEQUENCE, the private feed."""

import zoneinfo
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from tests.engagement_helpers import pair, soon
from tests.factories import make_user
from wagtail_mentoring.engagement import services
from wagtail_mentoring.engagement.models import CalendarFeed, Meeting, MeetingStatus
from wagtail_mentoring.errors import MentoringError

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_now")]


@pytest.fixture
def relationship(program, employee, other_employee):
    return pair(program, employee, other_employee)


def _ics(message):
    (attachment,) = message.attachments
    filename, content, mimetype = attachment
    assert mimetype.startswith("text/calendar")
    return Calendar.from_ical(content)


def _event(calendar):
    (event,) = calendar.walk("VEVENT")
    return event


def test_schedule_reschedule_cancel_send_itip_updates(relationship, employee):
    start = soon(3, 9)
    meeting = services.schedule_meeting(
        relationship,
        employee,
        title="First chat",
        starts_at=start,
        duration_minutes=30,
        timezone_name="Europe/Berlin",
        location="Room 4",
        agenda="- Intros",
    )
    assert len(mail.outbox) == 2  # both members
    assert mail.outbox[0].alternatives  # an HTML part too
    calendar = _ics(mail.outbox[0])
    assert calendar["METHOD"] == "REQUEST"
    event = _event(calendar)
    uid = str(event["UID"])
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == start
    assert event.decoded("DTSTART").tzinfo.key == "Europe/Berlin"
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=30)
    assert calendar.walk("VTIMEZONE")  # clients need the zone definition

    services.reschedule_meeting(
        meeting,
        employee,
        title="First chat",
        starts_at=start + timedelta(days=1),
        duration_minutes=45,
        timezone_name="Europe/Berlin",
    )
    event = _event(_ics(mail.outbox[-1]))
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == 1
    assert "Updated" in mail.outbox[-1].subject

    services.cancel_meeting(meeting, employee)
    calendar = _ics(mail.outbox[-1])
    assert calendar["METHOD"] == "CANCEL"
    event = _event(calendar)
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == 2
    assert str(event["STATUS"]) == "CANCELLED"
    assert len(mail.outbox) == 6
    with pytest.raises(MentoringError) as excinfo:
        services.cancel_meeting(meeting, employee)
    assert excinfo.value.code == "cancelled"


def test_invite_email_reads_in_the_recipients_time_zone(relationship, employee):
    other = relationship.members.exclude(user=employee).get().user
    other.mentoring_profile.timezone = "America/New_York"
    other.mentoring_profile.save()
    start = timezone.make_aware(
        (timezone.now() + timedelta(days=10))
        .replace(tzinfo=None)
        .replace(hour=15, minute=0, second=0, microsecond=0),
        zoneinfo.ZoneInfo("Europe/Berlin"),
    )
    services.schedule_meeting(
        relationship,
        employee,
        title="Chat",
        starts_at=start,
        timezone_name="Europe/Berlin",
    )
    by_recipient = {m.to[0]: m for m in mail.outbox}
    ny_hour = start.astimezone(zoneinfo.ZoneInfo("America/New_York")).strftime("%-I")
    assert "America/New_York" in by_recipient[other.email].body
    assert f"{ny_hour}" in by_recipient[other.email].body
    assert "Europe/Berlin" in by_recipient[employee.email].body


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"starts_at": "past"}, "past"),
        ({"duration_minutes": 3}, "duration"),
        ({"timezone_name": "Mars/Base"}, "timezone"),
        ({"title": "  "}, "title"),
        ({"by": "outsider"}, "not_member"),
        ({"closed": True}, "closed"),
    ],
)
def test_bad_meetings_are_refused_and_nothing_is_sent(
    change, code, relationship, employee
):
    from wagtail_mentoring.programs.services import change_relationship_status

    kwargs = {
        "title": "Chat",
        "starts_at": soon(),
        "duration_minutes": 45,
        "timezone_name": "Europe/Berlin",
    }
    by = employee
    if change.get("starts_at") == "past":
        kwargs["starts_at"] = timezone.now() - timedelta(hours=1)
    elif change.get("by"):
        by = make_user()
    elif change.get("closed"):
        change_relationship_status(relationship, "completed", None)
    else:
        kwargs.update(change)
    with pytest.raises(MentoringError) as excinfo:
        services.schedule_meeting(relationship, by, **kwargs)
    assert excinfo.value.code == code
    assert not Meeting.objects.exists()
    assert not mail.outbox


def test_retried_invite_task_sends_nothing_twice(relationship, employee):
    from wagtail_mentoring.engagement.tasks import send_meeting_invites

    meeting = services.schedule_meeting(
        relationship, employee, title="Chat", starts_at=soon()
    )
    assert len(mail.outbox) == 2
    assert send_meeting_invites(meeting.pk, meeting.sequence) == 0
    assert send_meeting_invites(meeting.pk, meeting.sequence + 5) == 0  # stale
    assert len(mail.outbox) == 2


def test_calendar_feed_is_private_revocable_and_shows_meetings(
    client, relationship, employee, other_employee
):
    meeting = services.schedule_meeting(
        relationship,
        employee,
        title="Feed me",
        starts_at=soon(),
        timezone_name="Asia/Kolkata",
    )
    cancelled = services.schedule_meeting(
        relationship, employee, title="Dropped", starts_at=soon(4)
    )
    services.cancel_meeting(cancelled, employee)
    client.force_login(employee)
    calendar_url = reverse("wagtail_mentoring:calendar")
    # Opening the page changes nothing: the address is made on request (POST).
    assert client.get(calendar_url).context["feed"] is None
    assert not CalendarFeed.objects.filter(user=employee).exists()
    client.post(calendar_url, {"action": "create"})
    page = client.get(calendar_url)
    assert page.status_code == 200
    feed_url = page.context["feed_url"]
    client.logout()  # calendar apps do not sign in
    response = client.get(feed_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "no-store" in response["Cache-Control"]
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Feed me"]
    assert str(events[0]["UID"]) == meeting.ical_uid

    # The partner's feed shows it too; a stranger's feed does not.
    stranger = make_user()
    other_feed = services.create_calendar_feed(other_employee)
    stranger_feed = services.create_calendar_feed(stranger)
    url = lambda feed: reverse("wagtail_mentoring:calendar_feed", args=[feed.token])  # noqa: E731
    assert b"Feed me" in client.get(url(other_feed)).content
    assert b"Feed me" not in client.get(url(stranger_feed)).content

    client.force_login(employee)
    client.post(calendar_url, {"action": "revoke"})
    client.logout()
    assert client.get(feed_url).status_code == 404
    assert (
        client.get(
            reverse("wagtail_mentoring:calendar_feed", args=["guess"])
        ).status_code
        == 404
    )


def test_notes_are_saved_for_members_only(relationship, employee):
    meeting = services.schedule_meeting(
        relationship, employee, title="Chat", starts_at=soon()
    )
    services.save_meeting_notes(meeting, employee, notes="We talked about <b>x</b>")
    with pytest.raises(MentoringError):
        services.save_meeting_notes(meeting, make_user(), notes="hacked")
    meeting.refresh_from_db()
    assert meeting.notes == "We talked about <b>x</b>"
    assert meeting.status == MeetingStatus.SCHEDULED
