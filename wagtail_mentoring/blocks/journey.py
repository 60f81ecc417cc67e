"""Blocks of a learning journey: steps, and the content a step is made of.

Every block is built from Wagtail's core block types only, so translation tools
(wagtail-localize) can extract their text. Values that templates and services
compute (a step's prompts, a quiz's correct answers…) live on ``StructValue``
subclasses, so the logic is in one place and templates stay dumb.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.forms.utils import ErrorList
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock

from wagtail_mentoring.blocks.activities import (
    TEXT_FEATURES,
    Audience,
    ChecklistBlock,
    ConversationPromptsBlock,
    GoalSettingBlock,
    MilestoneBlock,
    QuizBlock,
    QuizQuestionBlock,
    ReflectionBlock,
)
from wagtail_mentoring.blocks.content import (
    PREVIEW_TEMPLATE,
    CalloutBlock,
    DocumentBlock,
    ResourceLinksBlock,
)

__all__ = [
    "Audience",
    "ChecklistBlock",
    "CompletionRule",
    "ConversationPromptsBlock",
    "GoalSettingBlock",
    "JourneyStepBlock",
    "JourneyStepsBlock",
    "MilestoneBlock",
    "QuizBlock",
    "QuizQuestionBlock",
    "ReflectionBlock",
    "StepBodyBlock",
]


class CompletionRule(models.TextChoices):
    """When a step counts as done."""

    VIEW = "view", _("When opened")
    CHECK = "check", _("When ticked off")
    ANSWER = "answer", _("When every question is answered")
    MEETING = "meeting", _("When the pair has met")


#: Body blocks a member acts on, and how each one is "done".
INTERACTIVE_BLOCKS = ("reflection", "quiz", "goal", "checklist")


class StepBodyBlock(blocks.StreamBlock):
    """What a step contains: content to read and things to do."""

    paragraph = blocks.RichTextBlock(
        features=TEXT_FEATURES,
        icon="pilcrow",
        label=_("Text"),
        preview_value="<p>Before you meet, think about what you want to get out "
        "of the program.</p>",
        preview_template=PREVIEW_TEMPLATE,
        description=_("Formatted text with headings, lists and links."),
    )
    image = ImageBlock(
        label=_("Image"), description=_("A picture with alternative text.")
    )
    document = DocumentBlock()
    embed = EmbedBlock(
        icon="media",
        label=_("Video or embed"),
        help_text=_("The address of a video (YouTube, Vimeo…) or other embed."),
        description=_("A video or other embeddable content from its address."),
    )
    links = ResourceLinksBlock()
    callout = CalloutBlock()
    prompts = ConversationPromptsBlock()
    reflection = ReflectionBlock()
    goal = GoalSettingBlock()
    checklist = ChecklistBlock()
    quiz = QuizBlock()
    milestone = MilestoneBlock()

    class Meta:
        icon = "doc-full"
        label = _("Step content")
        block_counts = {"goal": {"max_num": 1}}


class JourneyStepValue(blocks.StructValue):
    @property
    def is_pair_step(self) -> bool:
        """Done once for the pair (a meeting), not once per member."""
        return self.get("completion") == CompletionRule.MEETING

    def is_for(self, role_audience: str) -> bool:
        return self.get("audience") in (Audience.BOTH, role_audience)

    def children(self, block_type: str) -> list:
        """``(block id, value)`` of the body's blocks of ``block_type``."""
        return [
            (child.id, child.value)
            for child in self.get("body") or []
            if child.block_type == block_type
        ]

    @property
    def audience_label(self) -> str:
        return Audience(self.get("audience")).label

    @property
    def completion_label(self) -> str:
        return CompletionRule(self.get("completion")).label

    @property
    def prompts(self) -> list[str]:
        return [q for _id, value in self.children("prompts") for q in value.questions]

    @property
    def minutes_label(self) -> str:
        minutes = self.get("minutes") or 0
        if minutes < 60:
            return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
        hours, rest = divmod(minutes, 60)
        label = ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
        if rest:
            label += " " + ngettext("%(n)d minute", "%(n)d minutes", rest) % {"n": rest}
        return label


class JourneyStepBlock(blocks.StructBlock):
    """One step of a learning journey; progress is keyed by its block id."""

    title = blocks.CharBlock(max_length=120, label=_("Title"))
    summary = blocks.TextBlock(
        required=False,
        rows=2,
        max_length=400,
        label=_("Summary"),
        help_text=_("One or two sentences shown in the journey's overview."),
    )
    minutes = blocks.IntegerBlock(
        min_value=1,
        max_value=600,
        default=30,
        label=_("Estimated minutes"),
    )
    audience = blocks.ChoiceBlock(
        choices=Audience.choices,
        default=Audience.BOTH,
        label=_("For"),
        help_text=_("Steps for one role are shown to the other as “for your mentor”."),
    )
    completion = blocks.ChoiceBlock(
        choices=CompletionRule.choices,
        default=CompletionRule.CHECK,
        label=_("Done"),
        help_text=_(
            "“When every question is answered” needs a reflection, quiz or goal "
            "below; “when the pair has met” is done once for the pair, when a "
            "meeting is marked as held."
        ),
    )
    body = StepBodyBlock(required=False, label=_("Content"))

    class Meta:
        icon = "list-ol"
        label = _("Journey step")
        template = "wagtail_mentoring/blocks/journey_step.html"
        value_class = JourneyStepValue
        form_classname = "wm-journey-step"
        description = _(
            "A step of the journey: something to read, discuss or do, and when "
            "it counts as done."
        )
        preview_value = {
            "title": "Get to know each other",
            "summary": "Share your stories and agree how you will work together.",
            "minutes": 45,
            "audience": "both",
            "completion": "meeting",
            "body": [
                (
                    "prompts",
                    {
                        "heading": "Talk about this in your next meeting",
                        "prompts": [
                            "What brought you to this program?",
                            "How do you like to receive feedback?",
                        ],
                    },
                )
            ],
        }
        preview_template = PREVIEW_TEMPLATE

    def clean(self, value):
        value = super().clean(value)
        if value.get("completion") == CompletionRule.ANSWER and not any(
            child.block_type in ("reflection", "quiz", "goal")
            for child in value.get("body") or []
        ):
            raise StructBlockValidationError(
                non_block_errors=ErrorList(
                    [
                        ValidationError(
                            _(
                                "“When every question is answered” needs a "
                                "reflection, quiz or goal setting in the content."
                            )
                        )
                    ]
                )
            )
        return value


class JourneyStepsBlock(blocks.StreamBlock):
    step = JourneyStepBlock()

    class Meta:
        icon = "list-ol"
