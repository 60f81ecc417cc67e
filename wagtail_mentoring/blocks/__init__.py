"""Every StreamField block of the package, grouped by where editors use them."""

from wagtail_mentoring.blocks.content import ContentBlock
from wagtail_mentoring.blocks.journey import JourneyStepBlock, JourneyStepsBlock
from wagtail_mentoring.blocks.program import ProgramContentBlock
from wagtail_mentoring.blocks.questions import ApplicationQuestionBlock

__all__ = [
    "ApplicationQuestionBlock",
    "ContentBlock",
    "JourneyStepBlock",
    "JourneyStepsBlock",
    "ProgramContentBlock",
]
