"""The agenda a new meeting starts with: conversation prompts for the pair."""

from __future__ import annotations

from wagtail_mentoring.programs.models import Relationship


def program_prompts(relationship: Relationship) -> list[str]:
    """Conversation prompts the program's editors wrote (its *Program* tab)."""
    prompts = getattr(relationship.program, "conversation_prompts", None) or []
    return [str(block.value).strip() for block in prompts if str(block.value).strip()]


def journey_prompts(relationship: Relationship) -> list[str]:
    """Prompts of the pair's current learning-journey step (issue 6 fills this in)."""
    return []


def default_agenda(relationship: Relationship) -> str:
    prompts = program_prompts(relationship) + journey_prompts(relationship)
    return "\n".join(f"- {prompt}" for prompt in dict.fromkeys(prompts))
