"""Questions a program asks: applicants (application questions) and
participants (surveys). Answers are keyed by the block id, which is stable
across revisions; each block builds its own form field."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

#: What a survey's rating question measures for the dashboards.
MEASURES = [
    ("", _("Nothing in particular")),
    ("satisfaction", _("Satisfaction with the program")),
    ("growth", _("Self-rated growth (asked before and after)")),
]
RATING_CHOICES = [(n, str(n)) for n in range(1, 6)]
NPS_CHOICES = [(n, str(n)) for n in range(0, 11)]


def _scale_field(choices, **options) -> forms.TypedChoiceField:
    # Numbers in a row of radio buttons, answered as an int the dashboards add up.
    return forms.TypedChoiceField(
        choices=choices,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "wm-scale"}),
        **options,
    )


class _QuestionBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Question"))
    help_text = blocks.CharBlock(required=False, label=_("Help text"))
    required = blocks.BooleanBlock(required=False, default=True, label=_("Required"))

    def field_options(self, value) -> dict:
        return {
            "label": value["label"],
            "help_text": value.get("help_text") or "",
            "required": bool(value.get("required")),
        }

    def form_field(self, value) -> forms.Field:
        return forms.CharField(max_length=300, **self.field_options(value))


class ShortAnswerBlock(_QuestionBlock):
    class Meta:
        icon = "pick"
        label = _("Short answer")
        preview_value = {"label": "Which team are you in?", "required": True}


class LongAnswerBlock(_QuestionBlock):
    def form_field(self, value):
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 4}),
            max_length=4000,
            **self.field_options(value),
        )

    class Meta:
        icon = "doc-full"
        label = _("Long answer")
        preview_value = {"label": "What do you hope to learn?", "required": True}


class ChoiceQuestionBlock(_QuestionBlock):
    choices = blocks.ListBlock(
        blocks.CharBlock(label=_("Choice")), min_num=2, label=_("Choices")
    )
    multiple = blocks.BooleanBlock(required=False, label=_("Allow several answers"))

    def form_field(self, value):
        choices = [(c, c) for c in value["choices"]]
        if value.get("multiple"):
            return forms.MultipleChoiceField(
                choices=choices,
                widget=forms.CheckboxSelectMultiple,
                **self.field_options(value),
            )
        return forms.ChoiceField(
            choices=choices, widget=forms.RadioSelect, **self.field_options(value)
        )

    class Meta:
        icon = "list-ul"
        label = _("Choice")
        preview_value = {
            "label": "How often can you meet?",
            "choices": ["Weekly", "Every two weeks", "Monthly"],
        }


class RatingQuestionBlock(_QuestionBlock):
    """One to five; the dashboards read the ones marked as satisfaction or
    self-rated growth."""

    measures = blocks.ChoiceBlock(
        choices=MEASURES,
        required=False,
        label=_("Shown on the dashboard as"),
        help_text=_(
            "Growth: ask the same question in the start and the end survey; "
            "the dashboard compares the answers before and after."
        ),
    )

    def form_field(self, value):
        return _scale_field(RATING_CHOICES, **self.field_options(value))

    class Meta:
        icon = "pick"
        label = _("Rating (1–5)")
        preview_value = {
            "label": "How satisfied are you with the program?",
            "measures": "satisfaction",
        }


class ScaleQuestionBlock(_QuestionBlock):
    minimum = blocks.IntegerBlock(default=1, min_value=0, label=_("From"))
    maximum = blocks.IntegerBlock(default=10, max_value=20, label=_("To"))
    low_label = blocks.CharBlock(required=False, label=_("Label of the lowest"))
    high_label = blocks.CharBlock(required=False, label=_("Label of the highest"))

    def clean(self, value):
        value = super().clean(value)
        if value["minimum"] >= value["maximum"]:
            raise blocks.StructBlockValidationError(
                block_errors={
                    "maximum": forms.ValidationError(
                        _("The top of the scale must be above its bottom.")
                    )
                }
            )
        return value

    def form_field(self, value):
        low, high = value.get("low_label"), value.get("high_label")
        choices = []
        for n in range(value["minimum"], value["maximum"] + 1):
            label = str(n)
            if n == value["minimum"] and low:
                label = f"{n} ({low})"
            elif n == value["maximum"] and high:
                label = f"{n} ({high})"
            choices.append((n, label))
        return _scale_field(choices, **self.field_options(value))

    class Meta:
        icon = "order"
        label = _("Scale")
        preview_value = {
            "label": "How confident do you feel leading a meeting?",
            "minimum": 1,
            "maximum": 10,
        }


class NpsQuestionBlock(_QuestionBlock):
    """Net promoter score: 0–10, "how likely are you to recommend…"."""

    def form_field(self, value):
        options = self.field_options(value)
        options["help_text"] = options["help_text"] or _(
            "0 = not at all likely, 10 = extremely likely"
        )
        return _scale_field(NPS_CHOICES, **options)

    class Meta:
        icon = "success"
        label = _("Recommend (NPS 0–10)")
        preview_value = {
            "label": "How likely are you to recommend this program to a colleague?"
        }


class ApplicationQuestionBlock(blocks.StreamBlock):
    short_answer = ShortAnswerBlock()
    long_answer = LongAnswerBlock()
    choice = ChoiceQuestionBlock()

    class Meta:
        icon = "help"


class SurveyQuestionBlock(blocks.StreamBlock):
    """The application questions plus the ones a survey measures with."""

    rating = RatingQuestionBlock()
    scale = ScaleQuestionBlock()
    nps = NpsQuestionBlock()
    choice = ChoiceQuestionBlock()
    short_answer = ShortAnswerBlock()
    long_answer = LongAnswerBlock()

    class Meta:
        icon = "help"
