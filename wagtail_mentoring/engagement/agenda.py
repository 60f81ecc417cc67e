"""The agenda a new meeting starts with: conversation prompts for the pair."""

from __future__ import annotations

from wagtail import hooks

from wagtail_mentoring.programs.models import Relationship

#: Hook: ``fn(relationship) -> list[str]`` adds prompts to a new meeting's
#: agenda (journeys adds those of the pair's next step; a host may add its own).
AGENDA_PROMPTS = "wagtail_mentoring_agenda_prompts"


def program_prompts(relationship: Relationship) -> list[str]:
    """Conversation prompts the program's editors wrote (its *Program* tab)."""
    prompts = getattr(relationship.program, "conversation_prompts", None) or []
    return [str(block.value).strip() for block in prompts if str(block.value).strip()]


def conversation_prompts(relationship: Relationship) -> list[str]:
    """What the pair could talk about next: the program's prompts, then those
    of their journey's next step (and the host's), without repeats."""
    prompts = program_prompts(relationship)
    for extra_prompts in hooks.get_hooks(AGENDA_PROMPTS):
        prompts += extra_prompts(relationship)
    return list(dict.fromkeys(prompts))


def default_agenda(relationship: Relationship) -> str:
    return "\n".join(f"- {prompt}" for prompt in conversation_prompts(relationship))
