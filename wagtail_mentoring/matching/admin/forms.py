"""Forms of the matching panel."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.conf import mentoring_settings
from wagtail_mentoring.matching.engine import DEFAULT_WEIGHTS, FACTORS
from wagtail_mentoring.matching.models import ProgramMatchingSettings
from wagtail_mentoring.matching.reasons import FACTOR_LABELS
from wagtail_mentoring.matching.services import MAX_WEIGHT, SETTING_FIELDS
from wagtail_mentoring.programs.models import CIRCLE_TOPIC_MAX, Cohort


class WeightInput(forms.NumberInput):
    """A slider with its value shown beside it (``wm-weight`` controller)."""

    input_type = "range"
    template_name = "wagtail_mentoring/matching/widgets/weight.html"


class SettingsForm(forms.ModelForm):
    """Weights (one slider per factor) and the hard rules of a program."""

    fairness_dimension = forms.ChoiceField(
        label=_("Fairness report by"), required=False
    )

    class Meta:
        model = ProgramMatchingSettings
        fields = list(SETTING_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        weights = self.instance.weights or {}
        self.weight_names = []
        for factor in FACTORS:
            name = f"weight_{factor}"
            self.fields[name] = forms.FloatField(
                label=FACTOR_LABELS[factor],
                min_value=0,
                max_value=MAX_WEIGHT,
                initial=float(weights.get(factor, DEFAULT_WEIGHTS[factor])),
                widget=WeightInput(attrs={"min": 0, "max": MAX_WEIGHT, "step": 0.5}),
            )
            self.weight_names.append(name)
        self.fields["weight_topic"].help_text = _(
            "Group programs: how well a mentee's goals fit the topic a mentor gave "
            "their circle. Counts only in runs where some mentor gave one."
        )
        self.fields["fairness_dimension"].choices = [("", _("None"))] + [
            (name, name.replace("_", " ").capitalize())
            for name in mentoring_settings.DEMOGRAPHIC_DIMENSIONS
        ]
        self.fields["unmatched_priority"].widget.attrs.update(
            {"min": 1, "max": 2, "step": 0.05}
        )

    @property
    def weight_fields(self):
        return [self[name] for name in self.weight_names]

    @property
    def rule_fields(self):
        return [
            self[name]
            for name in (
                "min_seniority",
                "ideal_level_gap",
                "reporting_line_depth",
                "exclude_same_manager",
                "department_rule",
                "require_shared_language",
                "max_timezone_hours",
                "min_score",
            )
        ]

    @property
    def fairness_fields(self):
        return [
            self[name]
            for name in ("floor_first", "unmatched_priority", "fairness_dimension")
        ]

    def clean(self):
        data = super().clean()
        weights = [data.get(name) for name in self.weight_names]
        if all(w is not None for w in weights) and not any(w > 0 for w in weights):
            raise forms.ValidationError(
                _("At least one factor needs a weight above 0.")
            )
        return data

    @property
    def weights(self) -> dict[str, float]:
        return {factor: self.cleaned_data[f"weight_{factor}"] for factor in FACTORS}

    @property
    def values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in SETTING_FIELDS}


class RunForm(forms.Form):
    fresh = forms.BooleanField(
        label=_("Fresh solve (ignore earlier proposals)"), required=False
    )
    cohort = forms.ModelChoiceField(
        label=_("Cohort"),
        queryset=Cohort.objects.none(),
        required=False,
        empty_label=_("Everyone in the program"),
    )

    def __init__(self, *args, program=None, **kwargs):
        super().__init__(*args, **kwargs)
        cohorts = Cohort.objects.filter(program=program).order_by("starts_on", "pk")
        self.fields["cohort"].queryset = cohorts
        self.fields["cohort"].label_from_instance = lambda c: c.name


class ApproveAboveForm(forms.Form):
    min_score = forms.IntegerField(
        label=_("Approve every proposed pair scoring at least (%)"),
        min_value=0,
        max_value=100,
        initial=70,
    )


class ManualPairForm(forms.Form):
    q = forms.CharField(
        label=_("Find"),
        required=False,
        max_length=200,
        help_text=_("Name, job title, department or location: every word must match."),
    )
    mentee = forms.TypedChoiceField(label=_("Mentee"), coerce=int)
    mentor = forms.TypedChoiceField(
        label=_("Mentor"), coerce=int, widget=forms.RadioSelect
    )
    justification = forms.CharField(
        label=_("Justification"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the pair breaks one of the program's rules."),
    )

    def __init__(self, *args, mentees, options, labels=None, **kwargs):
        super().__init__(*args, **kwargs)
        labels = labels or {}
        self.fields["mentee"].label = labels.get("mentee", self.fields["mentee"].label)
        self.fields["mentor"].label = labels.get("mentor", self.fields["mentor"].label)
        self.fields["mentee"].choices = [("", "---------")] + mentees
        self.fields["mentor"].choices = [
            (option.enrollment.pk, option.enrollment.pk) for option in options
        ]


class PublishForm(forms.Form):
    message = forms.CharField(
        label=_("Message to both people"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Sent by email to each mentee and mentor, after a greeting that names "
            "their new partner."
        ),
    )


class CircleTopicForm(forms.Form):
    """The topic a group program's mentor gave the circle they lead."""

    circle_topic = forms.CharField(
        label=_("Circle topic"),
        required=False,
        max_length=CIRCLE_TOPIC_MAX,
        help_text=_(
            "What the circle is about, for example: Moving into people management. "
            "The next matching run scores mentees' fit with it and the circle "
            "formed when its pairs are published takes it; a circle already "
            "formed keeps its own topic (change it in the circle's settings)."
        ),
    )
