"""The agenda a new meeting starts with: conversation prompts for the pair."""

from __future__ import annotations

from wagtail import hooks

from wagtail_mentoring.programs.models import Relationship

#: Hook: ``fn(relationship) -> list[str]`` adds prompts to a new meeting's
#: agenda (a host may add its own). Called once per pair: a job that nudges
#: thousands of pairs calls it thousands of times, so prefer the next hook.
AGENDA_PROMPTS = "wagtail_mentoring_agenda_prompts"
#: Hook: ``fn(relationships: list) -> {pk: list[str]}``, the same for many
#: pairs at once in a fixed number of queries (journeys adds those of each
#: pair's next step).
AGENDA_PROMPTS_FOR_PAIRS = "wagtail_mentoring_agenda_prompts_for_pairs"


def program_prompts(relationship: Relationship) -> list[str]:
    """Conversation prompts the program's editors wrote (its *Program* tab)."""
    prompts = getattr(relationship.program, "conversation_prompts", None) or []
    return [str(block.value).strip() for block in prompts if str(block.value).strip()]


def conversation_prompts(relationship: Relationship) -> list[str]:
    """What the pair could talk about next: the program's prompts, then those
    of their journey's next step (and the host's), without repeats."""
    return conversation_prompts_for([relationship])[relationship.pk]


def conversation_prompts_for(relationships: list[Relationship]) -> dict:
    """``{pk: prompts}`` of :func:`conversation_prompts` for many pairs, in a
    number of queries that does not grow with them (``program`` loaded)."""
    found = [hook(relationships) for hook in hooks.get_hooks(AGENDA_PROMPTS_FOR_PAIRS)]
    by_program: dict = {}
    result = {}
    for relationship in relationships:
        if relationship.program_id not in by_program:
            by_program[relationship.program_id] = program_prompts(relationship)
        prompts = list(by_program[relationship.program_id])
        for extra in found:
            prompts += extra.get(relationship.pk, [])
        for extra_prompts in hooks.get_hooks(AGENDA_PROMPTS):
            prompts += extra_prompts(relationship)
        result[relationship.pk] = list(dict.fromkeys(prompts))
    return result


def default_agenda(relationship: Relationship) -> str:
    return "\n".join(f"- {prompt}" for prompt in conversation_prompts(relationship))
