"""What flash mentoring holds about a person: the office hours they offered and
the conversations they booked."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.engagement.office_hours.models import (
    Booking,
    OfficeHours,
    OfficeHourSlot,
)
from wagtail_mentoring.personal_data import DETACH, PersonalData, when


class OfficeHoursData(PersonalData):
    erase_order = 35
    sections = {
        "office_hours": _("Office hours offered"),
        "bookings": _("Conversations booked"),
    }
    # Bookings and slots still count in the program's figures: the link goes,
    # the person's words are blanked.
    user_fields = {
        "OfficeHours.mentor": DETACH,
        "OfficeHourSlot.mentor": DETACH,
        "Booking.user": DETACH,
    }

    def export(self, user):
        offered = OfficeHours.objects.filter(mentor=user).select_related("program")
        booked = Booking.objects.filter(user=user).select_related(
            "slot__office_hours__program"
        )
        return {
            "office_hours": [
                {
                    "program": o.program.title,
                    "title": o.title,
                    "topics": o.topics,
                    "first_starts_at": when(o.first_starts_at),
                    "timezone": o.timezone,
                    "recurrence": o.recurrence,
                    "weeks": o.weeks,
                    "capacity": o.capacity,
                }
                for o in offered.order_by("pk")
            ],
            "bookings": [
                {
                    "program": b.slot.office_hours.program.title,
                    "title": b.slot.office_hours.title,
                    "starts_at": when(b.slot.starts_at),
                    "question": b.question,
                    "status": b.status,
                    "rating": b.rating,
                    "comment": b.comment,
                }
                for b in booked.order_by("pk")
            ],
        }

    def records(self, user):
        return {
            OfficeHours: OfficeHours.objects.filter(mentor=user).values_list(
                "pk", flat=True
            ),
            Booking: Booking.objects.filter(user=user).values_list("pk", flat=True),
        }

    def erase(self, user):
        OfficeHours.objects.filter(mentor=user).update(
            mentor=None, topics="", location=""
        )
        OfficeHourSlot.objects.filter(mentor=user).update(mentor=None)
        Booking.objects.filter(user=user).update(
            user=None, question="", comment="", cancel_reason=""
        )


personal_data = OfficeHoursData()
