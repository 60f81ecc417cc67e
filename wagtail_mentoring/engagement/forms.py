"""Front-end forms of the relationship space; services do the real checks."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.engagement.models import FeedbackVisibility, GoalStatus
from wagtail_mentoring.people.models import timezone_choices

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format=DATETIME_LOCAL
        ),
        help_text=_("Local time in the time zone below."),
    )
    timezone = forms.ChoiceField(label=_("Time zone"))
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=5, max_value=480, initial=45
    )
    location = forms.CharField(
        label=_("Where"),
        max_length=300,
        required=False,
        help_text=_("A room or a video link."),
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
        help_text=_("Shared with your partner and in the calendar invite."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = timezone_choices(
            current=self.initial.get("timezone") or ""
        )

    def clean(self):
        cleaned = super().clean()
        starts, tz = cleaned.get("starts_at"), cleaned.get("timezone")
        if starts and tz:
            # The browser sends wall-clock time; it means that time in ``tz``.
            wall = timezone.make_naive(starts) if timezone.is_aware(starts) else starts
            cleaned["starts_at"] = timezone.make_aware(wall, zoneinfo.ZoneInfo(tz))
        return cleaned

    @classmethod
    def initial_for(cls, meeting) -> dict:
        zone = zoneinfo.ZoneInfo(meeting.timezone or "UTC")
        return {
            "title": meeting.title,
            "starts_at": meeting.starts_at.astimezone(zone).replace(tzinfo=None),
            "timezone": meeting.timezone or "UTC",
            "duration_minutes": meeting.duration_minutes,
            "location": meeting.location,
            "agenda": meeting.agenda,
        }


class PastMeetingForm(MeetingForm):
    """A meeting the pair already had: when, how long, and optional notes."""

    location = None
    agenda = None
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
        help_text=_("Only you and your partner can read these."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].label = _("When did it start?")


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
        help_text=_("Only you and your partner can read these."),
    )


class GoalForm(forms.Form):
    title = forms.CharField(
        label=_("Goal"), max_length=200, help_text=_("Specific: what will you do?")
    )
    measure = forms.CharField(
        label=_("How will you know?"),
        max_length=300,
        required=False,
        help_text=_("Measurable: what does done look like?"),
    )
    why = forms.CharField(
        label=_("Why does it matter?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text=_("Achievable and relevant to you."),
    )
    target_date = forms.DateField(
        label=_("Target date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Time-bound: by when?"),
    )
    shared = forms.BooleanField(
        label=_("A goal of the whole circle"),
        required=False,
        help_text=_("Every member works on it; otherwise it is your own goal."),
    )

    def __init__(self, *args, circle: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not circle:
            del self.fields["shared"]


class GoalEditForm(GoalForm):
    status = forms.ChoiceField(label=_("Status"), choices=GoalStatus.choices)


class CheckInForm(forms.Form):
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"step": 5}),
    )
    note = forms.CharField(
        label=_("What happened since last time?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        coerce=int,
        choices=[(i, str(i)) for i in range(5, 0, -1)],
        widget=forms.RadioSelect,
        help_text=_("5 = excellent, 1 = poor."),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )
    visibility = forms.ChoiceField(
        label=_("Who sees it"),
        choices=FeedbackVisibility.choices,
        initial=FeedbackVisibility.PARTNER,
        widget=forms.RadioSelect,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}), max_length=1000
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=_("Shown to the mentee."),
    )


class ExtendForm(forms.Form):
    weeks = forms.IntegerField(label=_("Extend by (weeks)"), min_value=1)

    def __init__(self, *args, max_weeks: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["weeks"].max_value = max_weeks
        self.fields["weeks"].widget.attrs["max"] = max_weeks
        self.fields["weeks"].validators.append(
            forms.IntegerField(max_value=max_weeks).validators[-1]
        )


class RequestForm(forms.Form):
    note = forms.CharField(
        label=_("A short note to the mentor"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=_("What you hope to learn from them."),
    )
