"""Forms of flash mentoring; the services enforce every rule again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.engagement.office_hours.models import Recurrence
from wagtail_mentoring.people.models import Skill
from wagtail_mentoring.people.timezones import TimezoneSelect, timezone_choices


class SlotFilterForm(forms.Form):
    q = forms.CharField(label=_("Topic"), required=False, max_length=100)
    skill = forms.ModelChoiceField(
        label=_("Skill"),
        queryset=Skill.objects.order_by("name"),
        required=False,
        empty_label=_("Any skill"),
    )
    day = forms.DateField(
        label=_("On or after"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    part_of_day = forms.ChoiceField(
        label=_("Time of day (your time)"),
        required=False,
        choices=[
            ("", _("Any time")),
            ("morning", _("Morning (before 12:00)")),
            ("afternoon", _("Afternoon (12:00–17:00)")),
            ("evening", _("Evening (after 17:00)")),
        ],
    )


class BookingForm(forms.Form):
    question = forms.CharField(
        label=_("What would you like to talk about?"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional; the mentor sees it before you meet."),
    )


class OfficeHoursForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    topics = forms.CharField(
        label=_("Topics"),
        max_length=300,
        required=False,
        help_text=_("Comma-separated, e.g. “career moves, public speaking”."),
    )
    day = forms.DateField(
        label=_("Date of the first slot"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    start_time = forms.TimeField(
        label=_("Starts"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    end_time = forms.TimeField(
        label=_("Ends"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    timezone = forms.ChoiceField(label=_("Your time zone"))
    recurrence = forms.ChoiceField(
        label=_("Repeats"), choices=Recurrence.choices, initial=Recurrence.ONCE
    )
    weeks = forms.IntegerField(
        label=_("For how many weeks"), min_value=1, max_value=26, initial=4
    )
    capacity = forms.IntegerField(
        label=_("People per slot"),
        min_value=1,
        max_value=50,
        initial=1,
        help_text=_("1 for a conversation; more for group office hours."),
    )
    book_ahead_days = forms.IntegerField(
        label=_("Bookable days ahead"), min_value=1, max_value=180, initial=14
    )
    weekly_limit = forms.IntegerField(
        label=_("Bookings per week at most"), min_value=1, max_value=100, initial=5
    )
    cutoff_hours = forms.IntegerField(
        label=_("Bookings can change until (hours before)"),
        min_value=0,
        max_value=168,
        initial=12,
    )
    location = forms.CharField(
        label=_("Where"),
        max_length=300,
        required=False,
        help_text=_("A room or a video link."),
    )

    def __init__(self, *args, current_zone: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = timezone_choices(current=current_zone)
        self.fields["timezone"].widget = TimezoneSelect(
            choices=self.fields["timezone"].choices
        )
        if current_zone:
            self.fields["timezone"].initial = current_zone


class NoteForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How useful was the conversation?"),
        coerce=int,
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
