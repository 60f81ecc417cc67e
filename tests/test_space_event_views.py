"""The pages of space events: who sees what, RSVP over HTTP, the organiser's
forms with bad input, the .ics download and the space page's block."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from tests.event_helpers import TOKYO, event, join, make_space, member, moderator
from tests.factories import make_user
from wagtail_mentoring.blocks.community import SpaceContentBlock
from wagtail_mentoring.community.events.models import EventRSVP, SpaceEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_now")]


def _as(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def _url(name, *args):
    return reverse(f"wagtail_mentoring:{name}", args=args)


@pytest.fixture
def closed():
    space = make_space(title="Leadership circle", membership_policy="request")
    return space


def test_anonymous_people_are_asked_to_sign_in(client, closed):
    planned = event(closed)
    for url in (
        _url("space_events", closed.pk),
        _url("space_event", planned.pk),
        _url("space_event_ics", planned.pk),
        _url("space_event_new", closed.pk),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]


def test_a_closed_space_s_events_do_not_exist_for_outsiders(client, closed):
    planned = event(closed, title="Secret offsite")
    outsider = make_user("oscar")
    requested = make_user("rita")
    join(closed, requested, status="requested")
    for person in (outsider, requested):
        client.force_login(person)
        for url in (
            _url("space_events", closed.pk),
            _url("space_event", planned.pk),
            _url("space_event_ics", planned.pk),
            _url("space_event_edit", planned.pk),
        ):
            response = client.get(url)
            assert response.status_code == 404
            assert b"Secret offsite" not in response.content
        response = client.post(_url("space_event_rsvp", planned.pk))
        assert response.status_code == 404
    assert not EventRSVP.objects.exists()


def test_open_space_shows_counts_to_all_and_names_to_members(client):
    space = make_space(title="Open guild")
    alice = member(space, "alice")
    planned = event(space, title="Pairing hour", capacity=5)
    EventRSVP.objects.create(event=planned, user=alice, status="going")
    client.force_login(make_user("oscar"))

    response = client.get(_url("space_event", planned.pk))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Pairing hour" in body
    assert "1 person" in body and "4 of 5 left" in body
    assert "Alice Tester" not in body
    assert "Join the space to say you are going." in body
    # Not a member: the answer is refused with a message, nothing written.
    response = client.post(_url("space_event_rsvp", planned.pk), follow=True)
    assert "Join the space to answer its events." in response.content.decode()
    assert EventRSVP.objects.count() == 1

    client.force_login(member(space, "bea"))
    body = client.get(_url("space_event", planned.pk)).content.decode()
    assert "Alice Tester" in body


def test_rsvp_flow_over_http_with_a_full_event(client):
    space = make_space()
    first, second = member(space, "first"), member(space, "second")
    planned = event(space, capacity=1)
    client.force_login(first)
    response = client.post(
        _url("space_event_rsvp", planned.pk), {"action": "going"}, follow=True
    )
    assert "You are going." in response.content.decode()
    assert EventRSVP.objects.get(user=first).status == "going"

    client.force_login(second)
    body = client.get(_url("space_event", planned.pk)).content.decode()
    assert "All places are taken." in body and "Join the waiting list" in body
    # Asking for a place anyway (a stale page): refused with the reason.
    response = client.post(
        _url("space_event_rsvp", planned.pk), {"action": "going"}, follow=True
    )
    assert "This event is full" in response.content.decode()
    assert not EventRSVP.objects.filter(user=second).exists()
    response = client.post(
        _url("space_event_rsvp", planned.pk), {"action": "waitlist"}, follow=True
    )
    assert "You are on the waiting list" in response.content.decode()

    client.force_login(first)
    client.post(_url("space_event_rsvp", planned.pk), {"action": "cancel"})
    assert dict(EventRSVP.objects.values_list("user_id", "status")) == {
        first.pk: "cancelled",
        second.pk: "going",
    }


def test_get_never_answers(client):
    space = make_space()
    alice = member(space)
    planned = event(space)
    client.force_login(alice)
    assert client.get(_url("space_event_rsvp", planned.pk)).status_code == 405
    assert not EventRSVP.objects.exists()


def _form(**overrides):
    day = (timezone.now() + timedelta(days=10)).date()
    data = {
        "title": "Architecture review",
        "description": "Bring a diagram.",
        "starts_at": f"{day}T15:00",
        "ends_at": f"{day}T16:30",
        "timezone": "Europe/Berlin",
        "place": "Room Ada",
        "video_url": "https://meet.example.com/arch",
        "capacity": "12",
    }
    data.update(overrides)
    return data


def test_moderator_schedules_through_the_form(client):
    space = make_space()
    organiser = moderator(space)
    client.force_login(organiser)
    assert client.get(_url("space_event_new", space.pk)).status_code == 200
    response = client.post(_url("space_event_new", space.pk), _form())
    created = SpaceEvent.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("space_event", created.pk)
    local = created.starts_at.astimezone(ZoneInfo("Europe/Berlin"))
    assert (local.hour, local.minute) == (15, 0)
    assert created.ends_at - created.starts_at == timedelta(minutes=90)
    assert (created.capacity, created.timezone) == (12, "Europe/Berlin")


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"ends_at": "2099-01-01T10:00", "starts_at": "2099-01-01T11:00"},
         "The event must end after it starts."),
        ({"capacity": "-3"}, "Places must be at least 1"),
        ({"video_url": "not a link"}, "The video link must be a web address"),
        ({"title": ""}, "This field is required."),
    ],
)  # fmt: skip
def test_bad_form_input_says_why_and_writes_nothing(client, overrides, message):
    space = make_space()
    client.force_login(moderator(space))
    response = client.post(_url("space_event_new", space.pk), _form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SpaceEvent.objects.exists()


def test_members_cannot_open_the_organiser_forms(client):
    space = make_space()
    planned = event(space)
    client.force_login(member(space))
    for url in (
        _url("space_event_new", space.pk),
        _url("space_event_edit", planned.pk),
        _url("space_event_cancel", planned.pk),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, _form()).status_code == 404
    planned.refresh_from_db()
    assert not planned.is_cancelled and planned.sequence == 0
    assert SpaceEvent.objects.count() == 1


def test_moderator_cancels_through_the_page(client):
    space = make_space()
    organiser = moderator(space)
    planned = event(space, by=organiser)
    client.force_login(organiser)
    response = client.post(_url("space_event_cancel", planned.pk))
    assert response.status_code == 302
    planned.refresh_from_db()
    assert planned.is_cancelled
    body = client.get(_url("space_event", planned.pk)).content.decode()
    assert "This event is cancelled." in body


def test_add_to_calendar_is_in_the_reader_s_zone(client):
    space = make_space()
    taro = member(space, "taro", profile=TOKYO)
    planned = event(space, title="Retro")
    client.force_login(taro)
    response = client.get(_url("space_event_ics", planned.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert calendar["method"] == "PUBLISH"
    (component,) = calendar.walk("VEVENT")
    assert str(component.decoded("dtstart").tzinfo) == "Asia/Tokyo"
    assert component.decoded("dtstart") == planned.starts_at


def test_the_list_costs_the_same_queries_for_many_events(
    client, django_assert_max_num_queries
):
    space = make_space()
    alice = member(space)
    for n in range(3):
        planned = event(space, hours=24 + n, title=f"Event {n}")
        EventRSVP.objects.create(event=planned, user=alice, status="going")
    client.force_login(alice)
    client.get(_url("space_events", space.pk))  # warm caches (site, session)
    with django_assert_max_num_queries(12) as few:
        assert client.get(_url("space_events", space.pk)).status_code == 200
    for n in range(15):
        planned = event(space, hours=60 + n, title=f"Later {n}")
        EventRSVP.objects.create(event=planned, user=alice, status="going")
        event(space, hours=-100 - n, title=f"Past {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(_url("space_events", space.pk))
    body = response.content.decode()
    assert body.count("You are going") == 18
    assert "Past 0" in body


def test_the_space_page_block_lists_the_next_events():
    space = make_space(title="Block guild")
    member(space, "alice")
    event(space, hours=30, title="Second")
    event(space, hours=20, title="First")
    event(space, hours=40, title="Third")
    event(space, hours=10, title="Called off", is_cancelled=True)
    block = SpaceContentBlock().child_blocks["upcoming_events"]
    value = block.to_python({"heading": "Coming up", "limit": 2})

    body = block.render(value, context={"page": space, "request": _as(make_user())})

    assert "Coming up" in body
    assert body.index("First") < body.index("Second")
    assert "Third" not in body and "Called off" not in body
    assert _url("space_events", space.pk) in body
    assert _url("space_event", space.events.get(title="First").pk) in body


def test_the_block_of_a_closed_space_shows_outsiders_no_event():
    space = make_space(membership_policy="invitation")
    event(space, hours=20, title="Board offsite")
    insider = member(space)
    block = SpaceContentBlock().child_blocks["upcoming_events"]
    value = block.to_python({"heading": "Coming up", "limit": 3})
    for person, shown in ((make_user(), False), (insider, True)):
        body = block.render(value, context={"page": space, "request": _as(person)})
        assert ("Board offsite" in body) is shown
