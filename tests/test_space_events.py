"""Space events: scheduling, RSVPs with places and a waiting list, invites in
each person's own time zone, cancellations, the calendar feed."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from wagtail.log_actions import registry as log_registry

from tests.event_helpers import TOKYO, event, join, make_space, member, moderator
from tests.factories import make_user
from wagtail_mentoring.community.events import services
from wagtail_mentoring.community.events.models import EventRSVP, SpaceEvent
from wagtail_mentoring.engagement import services as engagement
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.people.users import user_email

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_now")]
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def _ics(message):
    (attachment,) = message.attachments
    filename, content, mimetype = attachment
    assert mimetype.startswith("text/calendar")
    return filename, Calendar.from_ical(content)


def _vevent(calendar):
    (component,) = calendar.walk("VEVENT")
    return component


def _next_week_at(hour, zone=BERLIN):
    day = timezone.now().astimezone(zone).date() + timedelta(days=7)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=zone)


def _schedule(space, by, **overrides):
    start = _next_week_at(17)
    arguments = {
        "title": "Lightning talks",
        "starts_at": start,
        "ends_at": start + timedelta(hours=1, minutes=30),
        "timezone_name": "Europe/Berlin",
        "place": "Room Ada, 3rd floor",
        "video_url": "https://meet.example.com/talks",
        "capacity": 20,
    }
    arguments.update(overrides)
    return services.schedule_event(space, by, **arguments)


def _audit(obj, action):
    return log_registry.get_logs_for_instance(obj).filter(action=action).exists()


# Scheduling -----------------------------------------------------------------


def test_moderator_schedules_and_members_hear_of_it():
    space = make_space(title="Frontend guild")
    organiser = moderator(space, "mona")
    alice = member(space, "alice")
    tokyo = member(space, "taro", profile=TOKYO)
    outsider = make_user("oscar")
    left = member(space, "lena")
    left.mentoring_space_memberships.update(status="left")
    mail.outbox.clear()

    scheduled = _schedule(space, organiser)

    assert SpaceEvent.objects.get().title == "Lightning talks"
    assert scheduled.created_by == organiser
    assert _audit(scheduled, "wagtail_mentoring.event.schedule")
    told = sorted(m.to[0] for m in mail.outbox)
    # Members only: not the organiser, an outsider or someone who left.
    assert told == sorted([user_email(alice), user_email(tokyo)])
    by_person = {m.to[0]: m for m in mail.outbox}
    # Each reads the time in their own zone: 17:00 Berlin is 01:00 in Tokyo.
    assert ", 5 p.m. – " in by_person[user_email(alice)].body
    assert "(Europe/Berlin)" in by_person[user_email(alice)].body
    assert ", 1 a.m." in by_person[user_email(tokyo)].subject
    assert "(Asia/Tokyo)" in by_person[user_email(tokyo)].body
    assert "New event in Frontend guild: Lightning talks" in (
        by_person[user_email(alice)].subject
    )
    assert user_email(outsider) not in told


def test_program_admins_of_the_tied_program_may_schedule(program, program_admin):
    space = make_space(program=program)
    _schedule(space, program_admin)
    assert SpaceEvent.objects.filter(space=space).count() == 1


@pytest.mark.parametrize("who", ["member", "other_moderator", "other_admin"])
def test_others_may_not_schedule_and_nothing_is_written(
    who, program, other_program_admin
):
    space = make_space(program=program)
    other_space = make_space()
    actor = {
        "member": lambda: member(space),
        "other_moderator": lambda: moderator(other_space),
        "other_admin": lambda: other_program_admin,
    }[who]()
    mail.outbox.clear()
    with pytest.raises(MentoringError) as refused:
        _schedule(space, actor)
    assert refused.value.code == "not_moderator"
    assert not SpaceEvent.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    "overrides, code",
    [
        ({"title": "   "}, "title"),
        ({"ends_at": _next_week_at(16)}, "order"),  # ends before it starts
        ({"ends_at": _next_week_at(17)}, "order"),  # ends as it starts
        ({"capacity": -1}, "capacity"),
        ({"capacity": 0}, "capacity"),
        ({"video_url": "javascript:alert(1)"}, "video_url"),
        ({"video_url": "meet the team"}, "video_url"),
        ({"timezone_name": "Mars/Olympus"}, "timezone"),
        (
            {
                "starts_at": timezone.now() - timedelta(hours=1),
                "ends_at": timezone.now() + timedelta(hours=1),
            },
            "past",
        ),
        ({"ends_at": _next_week_at(17) + timedelta(days=8)}, "length"),
    ],
)
def test_bad_event_input_is_refused_with_nothing_written(overrides, code):
    space = make_space()
    organiser = moderator(space)
    member(space)
    mail.outbox.clear()
    with pytest.raises(MentoringError) as refused:
        _schedule(space, organiser, **overrides)
    assert refused.value.code == code
    assert refused.value.messages[0]
    assert not SpaceEvent.objects.exists()
    assert mail.outbox == []


def test_an_archived_space_schedules_nothing_and_takes_no_answers():
    space = make_space()
    organiser = moderator(space)
    alice = member(space)
    planned = event(space, by=organiser)
    space.archived = True
    space.save()
    with pytest.raises(MentoringError) as refused:
        _schedule(space, organiser)
    assert refused.value.code == "archived"
    with pytest.raises(MentoringError) as refused:
        services.rsvp(planned, alice)
    assert refused.value.code == "archived"
    with pytest.raises(MentoringError):
        services.cancel_event(planned, organiser)
    assert SpaceEvent.objects.count() == 1
    assert not EventRSVP.objects.exists()
    assert not SpaceEvent.objects.get().is_cancelled


# RSVPs ----------------------------------------------------------------------


def test_going_sends_an_invite_in_the_members_own_time_zone():
    space = make_space()
    organiser = moderator(space, "mona")
    taro = member(space, "taro", profile=TOKYO)
    planned = _schedule(space, organiser)
    mail.outbox.clear()

    answer = services.rsvp(planned, taro)

    assert answer.status == "going"
    assert _audit(answer, "wagtail_mentoring.event.rsvp")
    (message,) = mail.outbox
    assert message.to == [user_email(taro)]
    filename, calendar = _ics(message)
    assert filename == "event-request.ics"
    assert calendar["method"] == "REQUEST"
    component = _vevent(calendar)
    start = component.decoded("dtstart")
    assert str(start.tzinfo) == "Asia/Tokyo"
    # 17:00 in Berlin, a week ahead, is 01:00 the next day in Tokyo.
    assert start == _next_week_at(17)
    assert (start.hour, start.minute) == (1, 0)
    assert str(component["location"]) == (
        "Room Ada, 3rd floor · https://meet.example.com/talks"
    )
    assert str(component["uid"]) == planned.ical_uid
    assert "Asia/Tokyo" in [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")]


def test_only_members_answer():
    space = make_space()
    planned = event(space)
    outsider = make_user("oscar")
    requested = make_user("rita")
    join(space, requested, status="requested")
    for person in (outsider, requested):
        with pytest.raises(MentoringError) as refused:
            services.rsvp(planned, person)
        assert refused.value.code == "not_member"
    assert not EventRSVP.objects.exists()


def test_rsvp_to_a_cancelled_or_started_event_is_refused():
    space = make_space()
    alice = member(space)
    cancelled = event(space, is_cancelled=True)
    started = event(space, hours=-1)
    over = event(space, hours=-30)
    cases = ((cancelled, "cancelled"), (started, "started"), (over, "started"))
    for target, code in cases:
        with pytest.raises(MentoringError) as refused:
            services.rsvp(target, alice)
        assert refused.value.code == code
    assert not EventRSVP.objects.exists()


def test_a_full_event_refuses_or_waitlists_then_a_freed_place_moves_up():
    space = make_space()
    organiser = moderator(space)
    first, second, third = member(space), member(space), member(space)
    planned = event(space, capacity=1, by=organiser)
    services.rsvp(planned, first)
    mail.outbox.clear()

    with pytest.raises(MentoringError) as refused:
        services.rsvp(planned, second)
    assert refused.value.code == "full"
    assert "all 1 places are taken" in refused.value.messages[0]
    assert EventRSVP.objects.filter(user=second).count() == 0
    assert mail.outbox == []

    waiting = services.rsvp(planned, second, waitlist=True)
    later = services.rsvp(planned, third, waitlist=True)
    assert (waiting.status, later.status) == ("waitlisted", "waitlisted")
    assert [m.subject for m in mail.outbox] == [
        "On the waiting list: Design critique"
    ] * 2
    assert all(not m.attachments for m in mail.outbox)
    with pytest.raises(MentoringError) as refused:
        services.rsvp(planned, second, waitlist=True)
    assert refused.value.code == "already_waiting"
    mail.outbox.clear()

    services.cancel_rsvp(planned, first)

    statuses = dict(EventRSVP.objects.values_list("user_id", "status"))
    assert statuses == {
        first.pk: "cancelled",
        second.pk: "going",  # first come, first served
        third.pk: "waitlisted",
    }
    by_person = {m.to[0]: m for m in mail.outbox}
    assert set(by_person) == {user_email(first), user_email(second)}
    filename, calendar = _ics(by_person[user_email(first)])
    assert (filename, calendar["method"]) == ("event-cancel.ics", "CANCEL")
    filename, calendar = _ics(by_person[user_email(second)])
    assert (filename, calendar["method"]) == ("event-request.ics", "REQUEST")
    assert EventRSVP.objects.filter(event=planned, status="going").count() == 1


def test_answering_again_after_cancelling_sends_a_new_invite():
    space = make_space()
    alice = member(space)
    planned = event(space)
    services.rsvp(planned, alice)
    services.cancel_rsvp(planned, alice)
    mail.outbox.clear()
    services.rsvp(planned, alice)
    (message,) = mail.outbox
    assert _ics(message)[1]["method"] == "REQUEST"
    assert EventRSVP.objects.get().version == 3
    with pytest.raises(MentoringError) as refused:
        services.rsvp(planned, alice)
    assert refused.value.code == "already_going"


def test_cancelling_without_an_answer_is_refused():
    space = make_space()
    alice = member(space)
    planned = event(space)
    with pytest.raises(MentoringError) as refused:
        services.cancel_rsvp(planned, alice)
    assert refused.value.code == "not_going"
    assert not EventRSVP.objects.exists()


# Changing and cancelling the event -----------------------------------------


def test_cancelling_the_event_sends_a_cancel_to_everyone_going():
    space = make_space()
    organiser = moderator(space)
    alice, bob, waiting = member(space), member(space), member(space)
    planned = event(space, capacity=2, by=organiser)
    for person in (alice, bob):
        services.rsvp(planned, person)
    services.rsvp(planned, waiting, waitlist=True)
    mail.outbox.clear()

    services.cancel_event(planned, organiser)

    planned.refresh_from_db()
    assert planned.is_cancelled and planned.sequence == 1
    assert _audit(planned, "wagtail_mentoring.event.cancel")
    by_person = {m.to[0]: m for m in mail.outbox}
    assert set(by_person) == {user_email(p) for p in (alice, bob, waiting)}
    for person in (alice, bob):
        filename, calendar = _ics(by_person[user_email(person)])
        assert calendar["method"] == "CANCEL"
        component = _vevent(calendar)
        assert str(component["uid"]) == planned.ical_uid
        assert component["sequence"] == 1
        assert str(component["status"]) == "CANCELLED"
    assert not by_person[user_email(waiting)].attachments
    assert by_person[user_email(waiting)].subject == "Cancelled: Design critique"
    # Cancelled twice: refused, nothing more sent.
    mail.outbox.clear()
    with pytest.raises(MentoringError):
        services.cancel_event(planned, organiser)
    assert mail.outbox == []


def test_moving_the_event_updates_every_invite_and_places_cannot_shrink_below_going():  # noqa: E501
    space = make_space()
    organiser = moderator(space)
    alice, bob = member(space), member(space)
    planned = _schedule(space, organiser, capacity=2)
    services.rsvp(planned, alice)
    services.rsvp(planned, bob)
    mail.outbox.clear()
    later = _next_week_at(18)
    arguments = {
        "title": "Lightning talks",
        "starts_at": later,
        "ends_at": later + timedelta(hours=1),
        "timezone_name": "Europe/Berlin",
    }
    with pytest.raises(MentoringError) as refused:
        services.edit_event(planned, organiser, capacity=1, **arguments)
    assert refused.value.code == "capacity_below_going"
    planned.refresh_from_db()
    assert (planned.capacity, planned.sequence) == (2, 0)
    assert mail.outbox == []

    services.edit_event(planned, organiser, capacity=3, **arguments)

    planned.refresh_from_db()
    assert (planned.starts_at, planned.sequence, planned.capacity) == (later, 1, 3)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        user_email(p) for p in (alice, bob)
    )
    component = _vevent(_ics(mail.outbox[0])[1])
    assert component["sequence"] == 1
    assert component.decoded("dtstart") == later
    assert mail.outbox[0].subject.startswith("Updated: Lightning talks")


def test_more_places_move_the_waiting_list_up():
    space = make_space()
    organiser = moderator(space)
    alice, bob = member(space), member(space)
    planned = _schedule(space, organiser, capacity=1)
    services.rsvp(planned, alice)
    services.rsvp(planned, bob, waitlist=True)
    services.edit_event(
        planned,
        organiser,
        title=planned.title,
        starts_at=planned.starts_at,
        ends_at=planned.ends_at,
        timezone_name=planned.timezone,
        capacity=None,
    )
    assert EventRSVP.objects.get(user=bob).status == "going"


# The calendar feed -----------------------------------------------------------


def test_events_i_am_going_to_join_my_calendar_feed(client, program):
    space = make_space()
    alice = member(space, "alice")
    going = event(space, title="Going")
    event(space, title="Not answered")
    dropped = event(space, title="Dropped")
    cancelled = event(space, title="Called off")
    services.rsvp(going, alice)
    services.rsvp(dropped, alice)
    services.cancel_rsvp(dropped, alice)
    services.rsvp(cancelled, alice)
    SpaceEvent.objects.filter(pk=cancelled.pk).update(is_cancelled=True)
    feed = engagement.create_calendar_feed(alice)

    response = client.get(reverse("wagtail_mentoring:calendar_feed", args=[feed.token]))

    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    titles = [str(c["summary"]) for c in calendar.walk("VEVENT")]
    assert titles == ["Going"]
    (component,) = calendar.walk("VEVENT")
    assert str(component["uid"]) == going.ical_uid
    assert "METHOD" not in calendar
