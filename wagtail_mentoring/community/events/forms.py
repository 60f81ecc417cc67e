"""Forms of space events: the organiser's event form."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.engagement.forms import DATETIME_LOCAL
from wagtail_mentoring.people.models import timezone_choices


def _when(label, help_text=""):
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format=DATETIME_LOCAL
        ),
        help_text=help_text,
    )


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What it is about and who it is for. Shared in the invite."),
    )
    starts_at = _when(_("Starts"), _("Local time in the time zone below."))
    ends_at = _when(_("Ends"))
    timezone = forms.ChoiceField(label=_("Time zone"))
    place = forms.CharField(
        label=_("Place"),
        max_length=300,
        required=False,
        help_text=_("A room or an address; leave empty for an online event."),
    )
    video_url = forms.CharField(
        label=_("Video link"),
        max_length=500,
        required=False,
        widget=forms.URLInput(),
        help_text=_("https://… (Teams, Zoom, Meet)."),
    )
    capacity = forms.IntegerField(
        label=_("Places"),
        required=False,
        help_text=_("Leave empty for no limit."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = timezone_choices(
            current=self.initial.get("timezone") or ""
        )

    def clean(self):
        cleaned = super().clean()
        tz = cleaned.get("timezone")
        if tz:
            # The browser sends wall-clock times; they mean that time in ``tz``.
            zone = zoneinfo.ZoneInfo(tz)
            for name in ("starts_at", "ends_at"):
                value = cleaned.get(name)
                if value is None:
                    continue
                wall = timezone.make_naive(value) if timezone.is_aware(value) else value
                cleaned[name] = timezone.make_aware(wall, zone)
        return cleaned

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "timezone_name": data["timezone"],
            "place": data["place"],
            "video_url": data["video_url"],
            "capacity": data["capacity"],
        }

    @classmethod
    def initial_for(cls, event) -> dict:
        zone = zoneinfo.ZoneInfo(event.timezone or "UTC")
        return {
            "title": event.title,
            "description": event.description,
            "starts_at": event.starts_at.astimezone(zone).replace(tzinfo=None),
            "ends_at": event.ends_at.astimezone(zone).replace(tzinfo=None),
            "timezone": event.timezone or "UTC",
            "place": event.place,
            "video_url": event.video_url,
            "capacity": event.capacity,
        }
