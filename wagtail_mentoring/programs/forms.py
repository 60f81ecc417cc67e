"""Front-end forms: the application and the profile it completes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.people.models import (
    EmployeeProfile,
    Interest,
    Skill,
    timezone_choices,
)
from wagtail_mentoring.people.timezones import TimezoneSelect
from wagtail_mentoring.programs.models import (
    CIRCLE_TOPIC_MAX,
    GIVING_ROLES,
    ProgramKind,
    ProgramPage,
)

QUESTION_PREFIX = "q_"


class ProfileForm(forms.ModelForm):
    """The profile fields matching needs, completed while applying."""

    class Meta:
        model = EmployeeProfile
        fields = [
            "title",
            "level",
            "department",
            "location",
            "timezone",
            "languages",
            "skills",
            "skills_wanted",
            "interests",
            "availability",
            "goals",
        ]
        widgets = {
            "skills": forms.CheckboxSelectMultiple,
            "skills_wanted": forms.CheckboxSelectMultiple,
            "interests": forms.CheckboxSelectMultiple,
            # Declared here, not swapped in __init__: a widget replaced after
            # the field is built has no options, and an empty list is submitted.
            "languages": forms.SelectMultiple(attrs={"size": 6}),
            "goals": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"] = forms.ChoiceField(
            label=_("Time zone"),
            choices=[("", _("Choose your time zone"))]
            + timezone_choices(current=self.instance.timezone),
            widget=TimezoneSelect(
                attrs={
                    "data-wm-timezone": "",
                    "data-wm-filter-label": _("Filter by city or region"),
                }
            ),
            help_text=_(
                "Type a city to jump to it; your browser's zone is offered first."
            ),
        )
        for name in EmployeeProfile.REQUIRED_FOR_MATCHING:
            self.fields[name].required = True
        # A host that has not built its skills or interests taxonomy yet: an
        # empty list of checkboxes asks a question nobody can answer.
        has_skills = Skill.objects.exists()
        for name, present in (
            ("skills", has_skills),
            ("skills_wanted", has_skills),
            ("interests", Interest.objects.exists()),
        ):
            if not present:
                del self.fields[name]


class ApplicationForm(forms.Form):
    """Role, capacity, motivation and the program's own questions."""

    role = forms.ChoiceField(label=_("I want to join as"), widget=forms.RadioSelect)
    capacity = forms.IntegerField(
        label=_("How many people can you take on?"),
        required=False,
        min_value=1,
        help_text=_("Mentors and sponsors only."),
    )
    circle_topic = forms.CharField(
        label=_("Your circle's topic"),
        required=False,
        max_length=CIRCLE_TOPIC_MAX,
        help_text=_(
            "Mentors only: what the circle you lead will be about, for example: "
            "Moving into people management. Mentees whose goals fit it are more "
            "likely to be matched to your circle."
        ),
    )
    motivation = forms.CharField(
        label=_("Why do you want to join?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )

    def __init__(self, *args, program: ProgramPage, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        # Sponsees join sponsorship programs by nomination (sponsorship app).
        self.fields["role"].choices = [
            (role, label)
            for role, label in program.role_choices()
            if not (role == "sponsee" and program.kind == "sponsorship")
        ]
        if len(program.roles) == 1:
            self.fields["role"].initial = program.roles[0]
        if not GIVING_ROLES.intersection(program.roles):
            del self.fields["capacity"]
        else:
            self.fields["capacity"].max_value = program.max_mentor_capacity
            self.fields["capacity"].initial = program.default_mentor_capacity
            self.fields["capacity"].widget.attrs["max"] = program.max_mentor_capacity
        # Only a group program's mentors lead a circle that a topic could name.
        if program.kind != ProgramKind.GROUP or not GIVING_ROLES.intersection(
            program.roles
        ):
            del self.fields["circle_topic"]
        for block_id, block in program.questions:
            self.fields[QUESTION_PREFIX + block_id] = _question_field(block)

    def answers(self) -> dict:
        return {
            name[len(QUESTION_PREFIX) :]: value
            for name, value in self.cleaned_data.items()
            if name.startswith(QUESTION_PREFIX) and value not in ("", [], None)
        }

    def question_fields(self):
        return [f for f in self if f.name.startswith(QUESTION_PREFIX)]


def _question_field(block) -> forms.Field:
    return block.block.form_field(block.value)
