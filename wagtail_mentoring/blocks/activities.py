"""Activities inside a journey step: what a pair discusses, writes and does.

Built from Wagtail's core block types only (translation tools extract their
text); computed values live on ``StructValue`` subclasses.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.forms.utils import ErrorList
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

from wagtail_mentoring.blocks.content import PREVIEW_TEMPLATE

TEXT_FEATURES = ["h3", "bold", "italic", "link", "ol", "ul"]


class Audience(models.TextChoices):
    """Who a step (or a reflection) is for."""

    BOTH = "both", _("Both")
    MENTOR = "mentor", _("Mentor (or sponsor)")
    MENTEE = "mentee", _("Mentee (or sponsee)")


class ConversationPromptsValue(blocks.StructValue):
    @property
    def questions(self) -> list[str]:
        return [str(p) for p in self.get("prompts") or [] if str(p).strip()]


class ConversationPromptsBlock(blocks.StructBlock):
    """Questions the pair talks about; they are put on their next meeting's agenda."""

    heading = blocks.CharBlock(
        default=_("Talk about this in your next meeting"), label=_("Heading")
    )
    prompts = blocks.ListBlock(
        blocks.CharBlock(label=_("Question")),
        min_num=1,
        label=_("Questions"),
        help_text=_("Open questions work best: “What…”, “How…”, “When did you…”."),
    )

    class Meta:
        icon = "comment"
        label = _("Conversation prompts")
        template = "wagtail_mentoring/blocks/conversation_prompts.html"
        value_class = ConversationPromptsValue
        description = _(
            "Questions the pair discusses; they appear on the agenda of the "
            "pair's next meeting."
        )
        preview_value = {
            "heading": "Talk about this in your next meeting",
            "prompts": [
                "What would you like to be known for in two years?",
                "Which strength do you use least at the moment?",
            ],
        }
        preview_template = PREVIEW_TEMPLATE


class ReflectionValue(blocks.StructValue):
    def is_for(self, role_audience: str) -> bool:
        return self.get("who") in (Audience.BOTH, role_audience)


class ReflectionBlock(blocks.StructBlock):
    """A question each member answers in writing."""

    question = blocks.CharBlock(label=_("Question"))
    guidance = blocks.TextBlock(
        required=False,
        rows=2,
        label=_("Guidance"),
        help_text=_("A hint on how to answer, shown under the question."),
    )
    who = blocks.ChoiceBlock(
        choices=Audience.choices,
        default=Audience.BOTH,
        label=_("Who answers"),
    )
    shared_with_pair = blocks.BooleanBlock(
        required=False,
        default=True,
        label=_("Share answers within the pair"),
        help_text=_("Program admins never see the answers, only that they exist."),
    )

    class Meta:
        icon = "edit"
        label = _("Reflection")
        template = "wagtail_mentoring/blocks/reflection.html"
        value_class = ReflectionValue
        description = _("A question each member answers in writing.")
        preview_value = {
            "question": "What did you learn about yourself this month?",
            "guidance": "Two or three sentences are enough.",
            "who": "both",
            "shared_with_pair": True,
        }
        preview_template = PREVIEW_TEMPLATE


class GoalSettingValue(blocks.StructValue):
    @property
    def default_target_date(self):
        return timezone.localdate() + timedelta(weeks=self.get("default_weeks") or 8)


class GoalSettingBlock(blocks.StructBlock):
    """Walks a member through a SMART goal and creates it in the relationship."""

    intro = blocks.RichTextBlock(
        features=TEXT_FEATURES,
        required=False,
        label=_("Introduction"),
        default=(
            "<p>A good goal is <b>specific</b>, <b>measurable</b>, "
            "<b>achievable</b>, <b>relevant</b> and <b>time-bound</b>.</p>"
        ),
    )
    title_example = blocks.CharBlock(
        required=False,
        label=_("Example goal"),
        help_text=_("Shown as an example in the goal field."),
        default=_("Give a talk at the engineering all-hands"),
    )
    measure_example = blocks.CharBlock(
        required=False,
        label=_("Example measure"),
        default=_("Talk given, with feedback from three colleagues"),
    )
    default_weeks = blocks.IntegerBlock(
        min_value=1,
        max_value=104,
        default=8,
        label=_("Suggested time frame (weeks)"),
    )

    class Meta:
        icon = "crosshairs"
        label = _("Goal setting")
        template = "wagtail_mentoring/blocks/goal_setting.html"
        value_class = GoalSettingValue
        description = _(
            "Guides a member through a SMART goal; the goal appears in the "
            "pair's relationship space."
        )
        preview_value = {
            "intro": "<p>Set one goal for the next two months.</p>",
            "title_example": "Lead a design review",
            "measure_example": "Review held and notes shared",
            "default_weeks": 8,
        }
        preview_template = PREVIEW_TEMPLATE


class ChecklistValue(blocks.StructValue):
    @property
    def item_ids(self) -> list[str]:
        return [child.id for child in self.get("items").bound_blocks]


class ChecklistBlock(blocks.StructBlock):
    heading = blocks.CharBlock(required=False, label=_("Heading"))
    items = blocks.ListBlock(
        blocks.CharBlock(label=_("Item")), min_num=1, label=_("Items")
    )

    class Meta:
        icon = "tasks"
        label = _("Checklist")
        template = "wagtail_mentoring/blocks/checklist.html"
        value_class = ChecklistValue
        description = _(
            "Things to do; with “when ticked off”, every item must be ticked first."
        )
        preview_value = {
            "heading": "Before your first meeting",
            "items": ["Book a 45-minute slot", "Read each other's profile"],
        }
        preview_template = PREVIEW_TEMPLATE


class QuizChoiceBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Answer"))
    correct = blocks.BooleanBlock(required=False, label=_("Correct"))
    feedback = blocks.CharBlock(
        required=False,
        label=_("Feedback"),
        help_text=_("Shown when someone picks this answer."),
    )

    class Meta:
        icon = "radio-full"
        label = _("Answer")


class QuizQuestionValue(blocks.StructValue):
    @cached_property
    def choice_items(self) -> list[tuple[str, blocks.StructValue]]:
        """``(choice id, choice)`` pairs; ids are stable across revisions."""
        return [(child.id, child.value) for child in self.get("choices").bound_blocks]

    @property
    def correct_ids(self) -> set[str]:
        return {cid for cid, choice in self.choice_items if choice.get("correct")}

    def grade(self, chosen: set[str]) -> bool:
        return bool(chosen) and chosen == self.correct_ids


class QuizQuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"))
    multiple = blocks.BooleanBlock(
        required=False,
        label=_("Several answers are correct"),
        help_text=_("Shows checkboxes instead of radio buttons."),
    )
    choices = blocks.ListBlock(QuizChoiceBlock(), min_num=2, label=_("Answers"))
    explanation = blocks.TextBlock(
        required=False,
        rows=2,
        label=_("Explanation"),
        help_text=_("Shown after answering, whatever the answer."),
    )

    class Meta:
        icon = "help"
        label = _("Question")
        value_class = QuizQuestionValue

    def clean(self, value):
        value = super().clean(value)
        correct = sum(1 for c in value["choices"] if c.get("correct"))
        if correct == 0:
            message = _("Mark at least one answer as correct.")
        elif correct > 1 and not value.get("multiple"):
            message = _(
                "Only one answer may be correct, or tick “Several answers are correct”."
            )
        else:
            return value
        raise StructBlockValidationError(
            non_block_errors=ErrorList([ValidationError(message)])
        )


class QuizValue(blocks.StructValue):
    @cached_property
    def question_items(self) -> list[tuple[str, QuizQuestionValue]]:
        return [(child.id, child.value) for child in self.get("questions").bound_blocks]

    def grade(self, answers: dict[str, list[str]]) -> tuple[int, dict[str, bool]]:
        """Score in percent and, per question id, whether it was right."""
        results = {
            qid: question.grade(set(answers.get(qid, [])))
            for qid, question in self.question_items
        }
        total = len(results) or 1
        return round(100 * sum(results.values()) / total), results

    def passes(self, score: int) -> bool:
        return score >= (self.get("pass_mark") or 0)


class QuizBlock(blocks.StructBlock):
    """Single- or multiple-choice questions with feedback per answer."""

    title = blocks.CharBlock(default=_("Check your understanding"), label=_("Title"))
    questions = blocks.ListBlock(QuizQuestionBlock(), min_num=1, label=_("Questions"))
    pass_mark = blocks.IntegerBlock(
        min_value=0,
        max_value=100,
        default=100,
        label=_("Pass mark (%)"),
        help_text=_("People can try again until they pass."),
    )

    class Meta:
        icon = "pick"
        label = _("Quiz")
        template = "wagtail_mentoring/blocks/quiz.html"
        value_class = QuizValue
        description = _("Single- or multiple-choice questions with feedback.")
        preview_value = {
            "title": "Check your understanding",
            "pass_mark": 100,
            "questions": [
                {
                    "question": "Who leads the conversation in mentoring?",
                    "multiple": False,
                    "choices": [
                        {
                            "text": "The mentee",
                            "correct": True,
                            "feedback": "Yes: it is the mentee's development.",
                        },
                        {
                            "text": "The mentor",
                            "correct": False,
                            "feedback": "The mentor guides; the mentee leads.",
                        },
                    ],
                    "explanation": "",
                }
            ],
        }
        preview_template = PREVIEW_TEMPLATE


class MilestoneBlock(blocks.StructBlock):
    """A moment to celebrate, shown as reached once the step is done."""

    title = blocks.CharBlock(label=_("Milestone"))
    message = blocks.TextBlock(
        required=False,
        rows=2,
        label=_("Message when reached"),
        default=_("Well done: take a moment to notice how far you have come."),
    )

    class Meta:
        icon = "success"
        label = _("Milestone")
        template = "wagtail_mentoring/blocks/milestone.html"
        description = _("Marks a moment to celebrate in the journey.")
        preview_value = {
            "title": "Halfway there",
            "message": "Three months in: look back at your first goal.",
        }
        preview_template = PREVIEW_TEMPLATE
