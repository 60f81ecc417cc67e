"""Flash mentoring: office hours, bookings, their rules, emails and screens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from tests.engagement_helpers import PROFILE, self_select
from tests.factories import make_enrollment, make_program, make_user
from tests.office_hours_helpers import (
    BERLIN,
    flash_mentor,
    flash_program,
    local_start,
    publish,
)
from wagtail_mentoring.engagement.mentor_requests import send_request  # noqa: F401
from wagtail_mentoring.engagement.models import MentorRequest
from wagtail_mentoring.engagement.office_hours import services
from wagtail_mentoring.engagement.office_hours.models import (
    Booking,
    BookingStatus,
    OfficeHours,
    OfficeHourSlot,
)
from wagtail_mentoring.engagement.office_hours.tasks import (
    ask_for_feedback,
    remind_bookings,
)
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.programs.models import EnrollmentStatus
from wagtail_mentoring.programs.services import withdraw_application

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_now")]


@pytest.fixture
def flash(hub):
    return flash_program(hub)


@pytest.fixture
def host(flash):
    return flash_mentor(flash, "hostess")


@pytest.fixture
def guest(db):
    return make_user("guest", profile=dict(PROFILE, timezone="America/New_York"))


def _counts():
    return (
        OfficeHours.objects.count(),
        OfficeHourSlot.objects.count(),
        Booking.objects.count(),
        list(Booking.objects.values_list("status", "slot_id", "sequence")),
        ModelLogEntry.objects.count(),
    )


# --- Publishing ----------------------------------------------------------------


def test_weekly_office_hours_keep_their_local_time_across_a_clock_change(host):
    # Europe/Berlin leaves summer time on Sunday 31 October 2027: 10:00 there
    # is 08:00 UTC on the 26th and 09:00 UTC on 2 November (hand-computed).
    office_hours = services.publish_office_hours(
        host,
        host.user,
        title="Tuesday talks",
        starts=datetime(2027, 10, 26, 10, 0),
        ends=datetime(2027, 10, 26, 10, 45),
        timezone_name=BERLIN,
        recurrence="weekly",
        weeks=3,
        now=datetime(2027, 10, 1, tzinfo=UTC),
    )
    starts = list(office_hours.slots.values_list("starts_at", flat=True))
    assert starts == [
        datetime(2027, 10, 26, 8, 0, tzinfo=UTC),
        datetime(2027, 11, 2, 9, 0, tzinfo=UTC),
        datetime(2027, 11, 9, 9, 0, tzinfo=UTC),
    ]
    assert office_hours.duration_minutes == 45
    assert ModelLogEntry.objects.filter(
        action="wagtail_mentoring.office_hours.publish", user_id=host.user_id
    ).exists()


@pytest.mark.parametrize(
    "change, code",
    [
        ({"minutes": -30}, "order"),
        ({"days": -1}, "past"),
        ({"minutes": 5}, "length"),
        ({"capacity": 0}, "range"),
        ({"weekly_limit": 0}, "range"),
        ({"title": " "}, "title"),
        ({"timezone_name": "Mars/Olympus"}, "timezone"),
    ],
)
def test_bad_office_hours_are_refused_with_nothing_written(host, change, code):
    before = _counts()
    with pytest.raises(MentoringError) as refusal:
        publish(host, **change)
    assert refusal.value.code == code
    assert _counts() == before


def test_overlapping_office_hours_of_a_mentor_are_refused(host):
    publish(host, recurrence="weekly", weeks=2)
    before = _counts()
    with pytest.raises(MentoringError, match="overlaps") as refusal:
        # The second week of the series, shifted by 15 minutes.
        publish(host, days=10, minutes=30, title="Clash")
    assert refusal.value.code == "overlap"
    assert _counts() == before


def test_only_approved_mentors_of_flash_programs_publish(hub, flash, host):
    other = make_user("nosy")
    with pytest.raises(MentoringError):
        services.publish_office_hours(
            host,
            other,
            title="x",
            starts=datetime(2030, 1, 1, 10),
            ends=datetime(2030, 1, 1, 11),
            timezone_name=BERLIN,
        )
    pending = make_enrollment(make_user(), flash, "mentor")
    with pytest.raises(MentoringError) as refusal:
        publish(pending)
    assert refusal.value.code == "not_mentor"
    one_to_one = make_program(hub)
    ordinary = make_enrollment(
        make_user(), one_to_one, "mentor", status=EnrollmentStatus.APPROVED
    )
    with pytest.raises(MentoringError) as refusal:
        publish(ordinary)
    assert refusal.value.code == "kind"
    assert OfficeHours.objects.count() == 0


# --- Booking -----------------------------------------------------------------------


def _slot(office_hours, index=0):
    return office_hours.slots.order_by("starts_at")[index]


def test_booking_sends_the_invite_in_the_bookers_time_zone(host, guest):
    slot = _slot(publish(host, hour=10))
    booking = services.book_slot(slot, guest, question="Moving to management")
    assert booking.status == BookingStatus.BOOKED
    by_recipient = {m.to[0]: m for m in mail.outbox}
    invite = by_recipient["guest@example.com"]
    ics = next(a for a in invite.attachments if a[0] == "invite.ics")[1]
    if isinstance(ics, bytes):
        ics = ics.decode()
    # 10:00 in Berlin is 04:00 in New York (6 hours behind, both on summer or
    # both on winter time except for a week or two a year).
    assert "DTSTART;TZID=America/New_York:" in ics
    assert "METHOD:REQUEST" in ics
    assert "Moving to management" in by_recipient["hostess@example.com"].body
    assert ModelLogEntry.objects.filter(
        action="wagtail_mentoring.office_hours.book", user_id=guest.pk
    ).exists()


def test_a_full_slot_refuses_the_next_booking(host, guest):
    slot = _slot(publish(host, capacity=2))
    services.book_slot(slot, guest)
    services.book_slot(slot, make_user())
    before = _counts()
    with pytest.raises(MentoringError, match="full"):
        services.book_slot(slot, make_user())
    assert _counts() == before


def test_group_office_hours_take_several_people(host):
    slot = _slot(publish(host, capacity=3))
    for _ in range(3):
        services.book_slot(slot, make_user())
    assert slot.bookings.filter(status="booked").count() == 3


@pytest.mark.parametrize("weekday", range(7))
def test_the_weekly_limit_counts_every_slot_of_the_mentors_week(host, weekday):
    # Monday 00:00 and Sunday 23:00 of one week in the mentor's zone share it;
    # the next Monday 00:00 starts another week.  Run on every weekday, late in
    # the evening UTC, when Berlin is already a day ahead.
    today = datetime(2027, 6, 7, 22, 30, tzinfo=UTC) + timedelta(days=weekday)
    with time_machine.travel(today, tick=False):
        _the_weekly_limit(host)


def _the_weekly_limit(host):
    ahead = 14 - local_start(0).weekday()
    monday = publish(
        host, days=ahead, hour=0, minutes=20, weekly_limit=1, book_ahead_days=30
    )
    sunday = publish(
        host, days=ahead + 6, hour=23, weekly_limit=1, book_ahead_days=30, title="Sun"
    )
    next_monday = publish(
        host, days=ahead + 7, hour=0, weekly_limit=1, book_ahead_days=30, title="Next"
    )
    services.book_slot(_slot(sunday), make_user())
    before = _counts()
    with pytest.raises(MentoringError) as refusal:
        services.book_slot(_slot(monday), make_user())
    assert refusal.value.code == "weekly_limit"
    assert _counts() == before
    assert (
        services.book_slot(_slot(next_monday), make_user()).status
        == BookingStatus.BOOKED
    )


def test_booking_refusals_write_nothing(host, guest):
    slot = _slot(publish(host, days=3, book_ahead_days=14, cutoff_hours=12))
    far = _slot(publish(host, days=30, book_ahead_days=14, title="Far"))
    services.book_slot(slot, guest)
    before = _counts()
    for target, who, code in (
        (slot, guest, "duplicate"),
        (slot, host.user, "self"),
        (far, guest, "too_early"),
    ):
        with pytest.raises(MentoringError) as refusal:
            services.book_slot(target, who)
        assert refusal.value.code == code
    with pytest.raises(MentoringError) as refusal:
        services.book_slot(slot, make_user(), now=slot.starts_at + timedelta(minutes=1))
    assert refusal.value.code == "past"
    with pytest.raises(MentoringError) as refusal:
        services.book_slot(slot, make_user(), now=slot.starts_at - timedelta(hours=2))
    assert refusal.value.code == "cutoff"
    assert _counts() == before


def test_cancel_before_the_cut_off_and_not_after(host, guest):
    slot = _slot(publish(host, cutoff_hours=12))
    booking = services.book_slot(slot, guest)
    before = _counts()
    with pytest.raises(MentoringError) as refusal:
        services.cancel_booking(booking, guest, now=slot.starts_at - timedelta(hours=2))
    assert refusal.value.code == "cutoff"
    assert _counts() == before
    with pytest.raises(MentoringError):
        services.cancel_booking(booking, make_user())
    assert _counts() == before
    mail.outbox.clear()
    services.cancel_booking(booking, guest, reason="Clash")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.sequence == 1
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == ["Cancelled: Career conversations"] * 2
    ics = next(
        a[1] for m in mail.outbox if m.to == ["guest@example.com"]
        for a in m.attachments
    )  # fmt: skip
    assert "METHOD:CANCEL" in (ics.decode() if isinstance(ics, bytes) else ics)
    # A freed seat can be booked again.
    services.book_slot(slot, make_user())


def test_the_mentor_may_cancel_after_the_cut_off(host, guest):
    slot = _slot(publish(host, cutoff_hours=12))
    booking = services.book_slot(slot, guest)
    services.cancel_booking(booking, host.user, now=slot.starts_at - timedelta(hours=1))
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED


def test_reschedule_moves_the_booking_and_keeps_the_calendar_event(host, guest):
    office_hours = publish(host, recurrence="weekly", weeks=2, capacity=1)
    first, second = _slot(office_hours, 0), _slot(office_hours, 1)
    booking = services.book_slot(first, guest)
    uid = booking.uid
    services.reschedule_booking(booking, second, guest)
    booking.refresh_from_db()
    assert booking.slot_id == second.pk and booking.uid == uid
    assert booking.sequence == 1
    # Someone takes the freed time; moving back into a full slot is refused.
    services.book_slot(first, make_user())
    before = _counts()
    with pytest.raises(MentoringError, match="full"):
        services.reschedule_booking(booking, first, guest)
    assert _counts() == before


def test_no_shows_are_recorded_by_the_mentor_after_the_start(host, guest):
    slot = _slot(publish(host))
    booking = services.book_slot(slot, guest)
    with pytest.raises(MentoringError) as refusal:
        services.record_no_show(booking, host.user)
    assert refusal.value.code == "future"
    with pytest.raises(MentoringError):
        services.record_no_show(booking, guest, now=slot.ends_at)
    services.record_no_show(booking, host.user, now=slot.ends_at)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.NO_SHOW


def test_feedback_after_the_conversation_once(host, guest):
    slot = _slot(publish(host))
    booking = services.book_slot(slot, guest)
    with pytest.raises(MentoringError) as refusal:
        services.give_booking_feedback(booking, guest, rating=5)
    assert refusal.value.code == "not_held"
    services.give_booking_feedback(booking, guest, rating=4, now=slot.ends_at)
    with pytest.raises(MentoringError) as refusal:
        services.give_booking_feedback(booking, guest, rating=1, now=slot.ends_at)
    assert refusal.value.code == "duplicate"
    assert Booking.objects.get(pk=booking.pk).rating == 4


def test_lets_continue_opens_a_mentor_request(hub, host, guest):
    slot = _slot(publish(host))
    booking = services.book_slot(slot, guest)
    one_to_one = self_select(make_program(hub, title="Career mentoring"))
    make_enrollment(
        host.user, one_to_one, "mentor", status=EnrollmentStatus.APPROVED, capacity=2
    )
    after = slot.ends_at
    with pytest.raises(MentoringError):
        services.suggest_continuing(booking, guest, one_to_one, now=after)
    services.suggest_continuing(booking, host.user, one_to_one, now=after)
    assert any("Let's continue" in m.subject for m in mail.outbox)
    # Not yet a mentee of that program: told to apply first, nothing sent.
    with pytest.raises(MentoringError) as refusal:
        services.accept_continuing(booking, guest)
    assert refusal.value.code == "not_enrolled"
    assert MentorRequest.objects.count() == 0
    make_enrollment(guest, one_to_one, "mentee", status=EnrollmentStatus.APPROVED)
    request = services.accept_continuing(booking, guest)
    assert request.mentor_enrollment.user == host.user
    assert request.mentee_enrollment.user == guest
    assert request.status == "pending"


def test_a_mentor_who_leaves_the_program_has_future_bookings_cancelled(host, guest):
    slot = _slot(publish(host))
    booking = services.book_slot(slot, guest)
    mail.outbox.clear()
    withdraw_application(host, host.user)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert OfficeHourSlot.objects.get(pk=slot.pk).cancelled_at is not None
    (notice,) = [m for m in mail.outbox if m.to == ["guest@example.com"]]
    assert "no longer offers office hours" in notice.body


def test_a_deactivated_mentor_has_future_bookings_cancelled(host, guest):
    booking = services.book_slot(_slot(publish(host)), guest)
    host.user.is_active = False
    host.user.save()
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED
    assert any("left the organisation" in m.body for m in mail.outbox)


# --- Periodic jobs --------------------------------------------------------------


def test_reminders_and_feedback_requests_are_sent_once(host, guest):
    slot = _slot(publish(host, days=1, hour=12, cutoff_hours=0))
    booking = services.book_slot(slot, guest)
    mail.outbox.clear()
    now = slot.starts_at - timedelta(hours=3)
    assert remind_bookings(now) == 1
    assert remind_bookings(now) == 0
    assert [m.subject for m in mail.outbox] == ["Soon: Career conversations"]
    later = slot.ends_at + timedelta(hours=1)
    assert ask_for_feedback(later) == 1
    assert ask_for_feedback(later) == 0
    assert reverse("wagtail_mentoring:booking_feedback", args=[booking.pk]) in (
        mail.outbox[-1].body
    )


# --- Screens ------------------------------------------------------------------


def test_the_flash_program_page_offers_booking_instead_of_applying(
    client, flash, host, guest
):
    client.force_login(guest)
    html = client.get(flash.url).content.decode()
    assert "Book a conversation" in html
    assert reverse("wagtail_mentoring:office_hours") + f"?program={flash.pk}" in html
    assert ">Apply<" not in html
    assert flash.roles == ["mentor"]


def test_browse_book_and_cancel_over_http(client, host, guest):
    publish(host, topics="career moves, public speaking")
    publish(host, days=4, topics="budgets", title="Finance chats")
    client.force_login(guest)
    listing = client.get(reverse("wagtail_mentoring:office_hours"), {"q": "public"})
    html = listing.content.decode()
    assert "Career conversations" in html and "Finance chats" not in html
    slot = OfficeHourSlot.objects.get(office_hours__title="Career conversations")
    url = reverse("wagtail_mentoring:book_slot", args=[slot.pk])
    response = client.post(url, {"question": "Public speaking nerves"})
    booking = Booking.objects.get(user=guest)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "wagtail_mentoring:booking_detail", args=[booking.pk]
    )
    # Booking twice: a clear message, nothing written.
    again = client.post(url, {"question": ""})
    assert again.status_code == 400
    assert "already booked" in again.content.decode()
    assert Booking.objects.count() == 1
    ics = client.get(reverse("wagtail_mentoring:booking_ics", args=[booking.pk]))
    assert b"TZID=America/New_York" in ics.content
    cancel_url = reverse("wagtail_mentoring:cancel_booking", args=[booking.pk])
    cancelled = client.post(cancel_url, {})
    assert cancelled.status_code == 302, cancelled.content.decode()[-2000:]
    assert Booking.objects.get().status == BookingStatus.CANCELLED


def test_other_people_cannot_see_a_booking(client, host, guest):
    booking = services.book_slot(_slot(publish(host)), guest, question="PRIVATE-Q")
    client.force_login(make_user("stranger"))
    response = client.get(
        reverse("wagtail_mentoring:booking_detail", args=[booking.pk])
    )
    assert response.status_code == 404
    client.force_login(host.user)
    response = client.get(
        reverse("wagtail_mentoring:booking_detail", args=[booking.pk])
    )
    assert "PRIVATE-Q" in response.content.decode()


def test_the_slot_list_takes_the_same_queries_for_more_slots(
    client, flash, guest, django_assert_max_num_queries
):
    client.force_login(guest)
    url = reverse("wagtail_mentoring:office_hours")
    for n in range(2):
        publish(flash_mentor(flash), days=2 + n, capacity=2)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for n in range(10):
        mentor = flash_mentor(flash)
        publish(mentor, days=2 + n % 5, hour=8 + n % 8, capacity=2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("wm-card") >= 12


def test_the_mentor_publishes_office_hours_on_their_page(client, host):
    client.force_login(host.user)
    url = reverse("wagtail_mentoring:my_office_hours")
    day = (timezone.now() + timedelta(days=5)).date()
    data = {
        "title": "Ask me anything",
        "topics": "product",
        "day": day.isoformat(),
        "start_time": "14:00",
        "end_time": "13:00",
        "timezone": BERLIN,
        "recurrence": "once",
        "weeks": 1,
        "capacity": 1,
        "book_ahead_days": 14,
        "weekly_limit": 5,
        "cutoff_hours": 12,
        "location": "",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "must end after it starts" in response.content.decode()
    assert OfficeHours.objects.count() == 0
    response = client.post(url, dict(data, end_time="14:30"))
    assert response.status_code == 302
    assert OfficeHourSlot.objects.get().office_hours.title == "Ask me anything"
