"""Front-end forms of sponsorship (validation of shape; rules live in services)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.people.picker import PersonPickerField
from wagtail_mentoring.people.users import display_name, name_ordering
from wagtail_mentoring.programs.models import ProgramPage
from wagtail_mentoring.sponsorship.models import (
    AdvocacyKind,
    OpportunityKind,
    ReadinessEvidence,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        profile = getattr(obj, "mentoring_profile", None)
        extra = f" — {profile.title}, {profile.department}" if profile else ""
        return f"{display_name(obj)}{extra}".rstrip(", ")


class EvidenceChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return f"{obj.achievement} ({obj.metric})" if obj.metric else obj.achievement


class NominationForm(forms.Form):
    program = forms.ModelChoiceField(
        label=_("Sponsorship program"), queryset=ProgramPage.objects.none()
    )
    nominee = PersonPickerField(
        label=_("Who do you nominate?"),
        queryset=get_user_model().objects.none(),
        help_text=_("Type a name, department or job title, then pick the person."),
    )
    reason = forms.CharField(
        label=_("Why this person, and why now?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=_("Required unless you nominate yourself."),
    )
    evidence = EvidenceChoiceField(
        label=_("Readiness evidence (self-nominations)"),
        queryset=ReadinessEvidence.objects.none(),
        required=False,
    )

    def __init__(self, *args, programs, candidates, evidence, search_url="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
        if programs.count() == 1:
            self.fields["program"].initial = programs.first().pk
        self.fields["nominee"].queryset = candidates
        self.fields["nominee"].offer(
            self.add_prefix("nominee"),
            self.data if self.is_bound else {},
            self.initial.get("nominee"),
            search_url=search_url,
        )
        self.fields["evidence"].queryset = evidence

    @staticmethod
    def searching(data) -> bool:
        """The "Search" button of the nominee picker was pressed (no JS)."""
        return "nominee_search" in data


class EvidenceForm(forms.ModelForm):
    link = forms.URLField(
        label=_("Link"), required=False, max_length=200, assume_scheme="https"
    )

    class Meta:
        model = ReadinessEvidence
        fields = ["achievement", "metric", "link", "endorsed_by", "achieved_on"]
        widgets = {"achieved_on": DateInput()}


class CommitmentForm(forms.Form):
    statement = forms.CharField(
        label=_("I commit to"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
    advocacy_goals = forms.CharField(
        label=_("Advocacy goals"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
    review_date = forms.DateField(label=_("We review this on"), widget=DateInput())


class AdvocacyForm(forms.Form):
    kind = forms.ChoiceField(label=_("What did you do?"), choices=AdvocacyKind.choices)
    occurred_on = forms.DateField(
        label=_("When"), widget=DateInput(), initial=timezone.localdate
    )
    audience = forms.CharField(label=_("To whom"), max_length=200)
    description = forms.CharField(
        label=_("Details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
    confidential = forms.BooleanField(
        label=_("Confidential: hide this action from the sponsee"), required=False
    )
    evidence = EvidenceChoiceField(
        label=_("Evidence you cited"),
        queryset=ReadinessEvidence.objects.none(),
        required=False,
    )

    def __init__(self, *args, evidence, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].queryset = evidence


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )


class OpportunityForm(forms.Form):
    program = forms.ModelChoiceField(
        label=_("Program"), queryset=ProgramPage.objects.none()
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=OpportunityKind.choices)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
    eligibility = forms.CharField(
        label=_("Who may be nominated"), required=False, max_length=300
    )
    min_level = forms.IntegerField(
        label=_("Minimum career level"), required=False, min_value=1, max_value=20
    )
    deadline = forms.DateField(label=_("Nominations close"), widget=DateInput())

    def __init__(self, *args, programs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs.order_by("title")
        if programs.count() == 1:
            self.fields["program"].initial = programs.first().pk


class OpportunityNominationForm(forms.Form):
    nominee = PersonChoiceField(
        label=_("Your sponsee"), queryset=get_user_model().objects.none()
    )
    note = forms.CharField(
        label=_("Why they fit"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
    confidential = forms.BooleanField(
        label=_("Confidential until decided: hide it from the sponsee"),
        required=False,
    )

    def __init__(self, *args, sponsees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominee"].queryset = sponsees.order_by(*name_ordering())
