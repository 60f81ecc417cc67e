"""The stages of a development track, as StreamField blocks."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks import StructBlockValidationError


class EntryRule:
    """What a person must have done before a stage opens to them."""

    NONE = "none"
    FINISHED_JOURNEY = "finished_journey"
    COMPLETED_PROGRAM = "completed_program"
    TAKING_PART = "taking_part"
    SPONSORSHIP_NOMINATION = "sponsorship_nomination"
    PREVIOUS_STAGE = "previous_stage"

    choices = [
        (NONE, _("Open to everyone")),
        (PREVIOUS_STAGE, _("Finished the previous stage")),
        (FINISHED_JOURNEY, _("Finished the journey chosen below")),
        (COMPLETED_PROGRAM, _("Completed the program chosen below")),
        (TAKING_PART, _("Approved in the program chosen below")),
        (SPONSORSHIP_NOMINATION, _("Has an approved sponsorship nomination")),
    ]
    #: Rules that name a page (the "rule page" of the stage).
    WITH_PAGE = frozenset({FINISHED_JOURNEY, COMPLETED_PROGRAM, TAKING_PART})


class StageBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), max_length=120)
    description = blocks.TextBlock(label=_("what happens here"), required=False)
    page = blocks.PageChooserBlock(
        label=_("program, journey or space"),
        required=False,
        help_text=_(
            "What the stage is about. A program stage is done once the person "
            "completed it; a journey stage once they finished it."
        ),
    )
    entry_rule = blocks.ChoiceBlock(
        label=_("opens when"),
        choices=EntryRule.choices,
        default=EntryRule.PREVIOUS_STAGE,
    )
    rule_page = blocks.PageChooserBlock(
        label=_("journey or program of the rule"),
        required=False,
        page_type=[
            "wagtail_mentoring.LearningJourneyPage",
            "wagtail_mentoring.ProgramPage",
        ],
    )

    class Meta:
        icon = "list-ol"
        label = _("stage")

    def clean(self, value):
        value = super().clean(value)
        if value["entry_rule"] in EntryRule.WITH_PAGE and value["rule_page"] is None:
            raise StructBlockValidationError(
                block_errors={
                    "rule_page": ValidationError(
                        _("This rule needs a journey or program.")
                    )
                }
            )
        return value


class TrackBlock(blocks.StreamBlock):
    stage = StageBlock()
