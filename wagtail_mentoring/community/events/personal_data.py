"""What space events hold about a person: their answers (RSVPs) and the
events they organised."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.community.events.models import EventRSVP, SpaceEvent
from wagtail_mentoring.personal_data import CLEAR, DELETE, PersonalData, when


class SpaceEventData(PersonalData):
    erase_order = 30
    sections = {
        "event_answers": _("Event answers"),
        "events_organised": _("Events organised"),
    }
    user_fields = {
        "EventRSVP.user": DELETE,
        "SpaceEvent.created_by": CLEAR,
    }

    def export(self, user):
        answers = (
            EventRSVP.objects.filter(user=user)
            .select_related("event__space")
            .order_by("created_at", "pk")
        )
        organised = SpaceEvent.objects.filter(created_by=user).order_by(
            "starts_at", "pk"
        )
        return {
            "event_answers": [
                {
                    "event": a.event.title,
                    "space": a.event.space.title,
                    "starts_at": when(a.event.starts_at),
                    "answer": a.status,
                    "answered_at": when(a.updated_at),
                }
                for a in answers
            ],
            "events_organised": [
                {
                    "id": e.pk,
                    "title": e.title,
                    "starts_at": when(e.starts_at),
                    "cancelled": e.is_cancelled,
                }
                for e in organised
            ],
        }

    def erase(self, user):
        # The event stays for the others going; only who organised it goes.
        SpaceEvent.objects.filter(created_by=user).update(created_by=None)
        EventRSVP.objects.filter(user=user).delete()


personal_data = SpaceEventData()
