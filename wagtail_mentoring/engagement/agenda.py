"""The agenda a new meeting starts with: conversation prompts for the pair."""

from __future__ import annotations

from wagtail_mentoring.programs.models import Relationship


def program_prompts(relationship: Relationship) -> list[str]:
    """Conversation prompts the program's editors wrote (its *Program* tab)."""
    prompts = getattr(relationship.program, "conversation_prompts", None) or []
    return [str(block.value).strip() for block in prompts if str(block.value).strip()]


def journey_prompts(relationship: Relationship) -> list[str]:
    """Conversation prompts of the pair's next unfinished learning-journey step."""
    from wagtail_mentoring.journeys.selectors import pair_prompts

    return pair_prompts(relationship)


def default_agenda(relationship: Relationship) -> str:
    prompts = program_prompts(relationship) + journey_prompts(relationship)
    return "\n".join(f"- {prompt}" for prompt in dict.fromkeys(prompts))
