"""What notifications hold about a person: their settings and what they were sent."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.notifications.models import (
    Delivery,
    NotificationPreferences,
    NotificationWording,
)
from wagtail_mentoring.personal_data import CLEAR, DELETE, PersonalData, when


class NotificationsData(PersonalData):
    erase_order = 40
    sections = {
        "notification_settings": _("Notification settings"),
        "notifications": _("Notifications sent to you"),
    }
    user_fields = {
        "Delivery.recipient": DELETE,
        "NotificationPreferences.user": DELETE,
        # Who last changed a program's wording: the wording is the program's.
        "NotificationWording.updated_by": CLEAR,
    }

    def export(self, user):
        prefs = NotificationPreferences.objects.filter(user=user).first()
        return {
            "notification_settings": {
                "activity": prefs.activity,
                "reminders": prefs.reminders,
                "admin": prefs.admin,
                "digest_hour": prefs.digest_hour,
                "digest_weekday": prefs.digest_weekday,
                "slack_dm": prefs.slack_dm,
            }
            if prefs
            else None,
            "notifications": [
                {
                    "kind": d.kind,
                    "subject": d.subject,
                    "status": d.status,
                    "created_at": when(d.created_at),
                    "sent_at": when(d.sent_at),
                }
                for d in Delivery.objects.filter(recipient=user).order_by("pk")
            ],
        }

    def erase(self, user) -> None:
        Delivery.objects.filter(recipient=user).delete()
        NotificationPreferences.objects.filter(user=user).delete()
        NotificationWording.objects.filter(updated_by=user).update(updated_by=None)


personal_data = NotificationsData()
