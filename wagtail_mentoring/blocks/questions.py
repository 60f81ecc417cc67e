"""Questions a program asks applicants; answers are keyed by the block id."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class _QuestionBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Question"))
    help_text = blocks.CharBlock(required=False, label=_("Help text"))
    required = blocks.BooleanBlock(required=False, default=True, label=_("Required"))


class ShortAnswerBlock(_QuestionBlock):
    class Meta:
        icon = "pick"
        label = _("Short answer")
        preview_value = {"label": "Which team are you in?", "required": True}


class LongAnswerBlock(_QuestionBlock):
    class Meta:
        icon = "doc-full"
        label = _("Long answer")
        preview_value = {"label": "What do you hope to learn?", "required": True}


class ChoiceQuestionBlock(_QuestionBlock):
    choices = blocks.ListBlock(
        blocks.CharBlock(label=_("Choice")), min_num=2, label=_("Choices")
    )
    multiple = blocks.BooleanBlock(required=False, label=_("Allow several answers"))

    class Meta:
        icon = "list-ul"
        label = _("Choice")
        preview_value = {
            "label": "How often can you meet?",
            "choices": ["Weekly", "Every two weeks", "Monthly"],
        }


class ApplicationQuestionBlock(blocks.StreamBlock):
    short_answer = ShortAnswerBlock()
    long_answer = LongAnswerBlock()
    choice = ChoiceQuestionBlock()

    class Meta:
        icon = "help"
