"""Forms members fill in on a journey step."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.journeys.services import MAX_REFLECTION_LENGTH


class ReflectionForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_REFLECTION_LENGTH,
    )


class StepGoalForm(forms.Form):
    title = forms.CharField(
        label=_("My goal"),
        max_length=200,
        help_text=_("Specific: what exactly will you do?"),
    )
    measure = forms.CharField(
        label=_("How I will know I got there"),
        max_length=300,
        required=False,
        help_text=_("Measurable: what will be different?"),
    )
    why = forms.CharField(
        label=_("Why it matters to me"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Achievable and relevant: why now, and why you?"),
    )
    target_date = forms.DateField(
        label=_("Target date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Time-bound: by when?"),
    )
