"""Emails of flash mentoring: invites, changes, reminders and feedback requests.

Each goes through ``notify()`` with a key naming the booking and its version
(the iCalendar SEQUENCE), so a retried task or a job run twice sends nothing
more.
"""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.urls import reverse
from django.utils import timezone

from wagtail_mentoring.engagement import ical
from wagtail_mentoring.engagement.office_hours.models import Booking, BookingStatus
from wagtail_mentoring.notifications.models import Category
from wagtail_mentoring.notifications.services import notify
from wagtail_mentoring.people.users import user_timezone

DAY = timedelta(days=1)
#: Feedback is asked for within this long after the conversation ended.
FEEDBACK_WINDOW = timedelta(days=3)


def booking_url(booking: Booking) -> str:
    return reverse("wagtail_mentoring:booking_detail", args=[booking.pk])


def booking_invite(booking: Booking, user) -> bytes:
    """The booking's calendar event, its times written in ``user``'s zone."""
    slot = booking.slot
    office_hours = slot.office_hours
    return ical.event_invite(
        uid=booking.ical_uid,
        sequence=booking.sequence,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        summary=office_hours.title,
        zone=user_timezone(user),
        organizer=slot.mentor,
        attendees=[booking.user] if booking.user else [],
        cancelled=booking.status == BookingStatus.CANCELLED,
        location=office_hours.location,
        description=booking.question,
    )


def _load(booking_id: int) -> Booking | None:
    return (
        Booking.objects.select_related(
            "slot__office_hours__program",
            "slot__mentor__mentoring_profile",
            "user__mentoring_profile",
            "continue_program",
        )
        .filter(pk=booking_id)
        .first()
    )


@shared_task(ignore_result=True)
def send_booking_emails(booking_id: int, event: str) -> int:
    """Tell the person who booked (with the invite or its cancellation) and
    the mentor about a booking, a move or a cancellation; or tell the person
    that the mentor suggests continuing."""
    booking = _load(booking_id)
    if booking is None:
        return 0
    slot = booking.slot
    context = {
        "booking": booking,
        "slot": slot,
        "office_hours": slot.office_hours,
        "program": slot.program,
        "event": event,
        "booking_url": booking_url(booking),
    }
    sent = 0
    if event == "continue":
        return int(
            bool(
                notify(
                    booking.user,
                    "booking_continue",
                    booking.pk,
                    booking.continue_program_id,
                    category=Category.ACTIVITY,
                    template="office_hours_update",
                    context={**context, "to_mentor": False},
                    link=context["booking_url"],
                )
            )
        )
    user = booking.user
    if user is not None:
        sent += bool(
            notify(
                user,
                "booking",
                booking.pk,
                booking.sequence,
                category=Category.ACTIVITY,
                template="office_hours_update",
                context={**context, "to_mentor": False},
                link=context["booking_url"],
                attachments=[
                    ("invite.ics", booking_invite(booking, user), "text/calendar")
                ],
            )
        )
    if event in ("booked", "rescheduled", "cancelled_by_booker"):
        sent += bool(
            notify(
                slot.mentor,
                "booking_for_mentor",
                booking.pk,
                booking.sequence,
                category=Category.ACTIVITY,
                template="office_hours_update",
                context={**context, "to_mentor": True},
                link=context["booking_url"],
            )
        )
    return sent


def remind_bookings(now=None) -> int:
    """Remind the person who booked a day before their conversation (or at
    once, when they booked it within the day)."""
    now = now or timezone.now()
    bookings = Booking.objects.filter(
        status=BookingStatus.BOOKED,
        slot__starts_at__gt=now,
        slot__starts_at__lte=now + DAY,
        slot__cancelled_at__isnull=True,
    ).select_related("slot__office_hours", "slot__program", "slot__mentor", "user")
    sent = 0
    for booking in bookings:
        sent += bool(
            notify(
                booking.user,
                "booking_reminder",
                booking.pk,
                int(booking.slot.starts_at.timestamp()),
                category=Category.REMINDERS,
                template="office_hours_reminder",
                context={
                    "booking": booking,
                    "slot": booking.slot,
                    "office_hours": booking.slot.office_hours,
                    "booking_url": booking_url(booking),
                },
                link=booking_url(booking),
            )
        )
    return sent


def ask_for_feedback(now=None) -> int:
    """Ask the person who booked how the conversation went, once."""
    now = now or timezone.now()
    bookings = Booking.objects.filter(
        status=BookingStatus.BOOKED,
        rating__isnull=True,
        slot__ends_at__lte=now,
        slot__ends_at__gt=now - FEEDBACK_WINDOW,
    ).select_related("slot__office_hours", "slot__mentor", "user")
    sent = 0
    for booking in bookings:
        sent += bool(
            notify(
                booking.user,
                "booking_feedback",
                booking.pk,
                0,
                category=Category.REMINDERS,
                template="office_hours_feedback",
                context={
                    "booking": booking,
                    "office_hours": booking.slot.office_hours,
                    "feedback_url": reverse(
                        "wagtail_mentoring:booking_feedback", args=[booking.pk]
                    ),
                },
                link=booking_url(booking),
            )
        )
    return sent


@shared_task(ignore_result=True)
def send_booking_reminders() -> int:
    """Periodic: office-hour conversations within the next day."""
    return remind_bookings()


@shared_task(ignore_result=True)
def send_booking_feedback_requests() -> int:
    """Periodic: conversations that ended, without the person's feedback."""
    return ask_for_feedback()
