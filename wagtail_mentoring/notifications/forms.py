"""The *Notification settings* form."""

from __future__ import annotations

from django import forms

from wagtail_mentoring.notifications.models import NotificationPreferences


class NotificationPreferencesForm(forms.ModelForm):
    class Meta:
        model = NotificationPreferences
        fields = [
            "activity",
            "reminders",
            "admin",
            "community",
            "digest_hour",
            "digest_weekday",
        ]
        widgets = {
            "activity": forms.RadioSelect,
            "reminders": forms.RadioSelect,
            "admin": forms.RadioSelect,
            "community": forms.RadioSelect,
            "digest_hour": forms.Select(
                choices=[(h, f"{h:02d}:00") for h in range(24)]
            ),
        }
