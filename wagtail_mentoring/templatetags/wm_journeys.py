"""Template helpers for journey pages and the relationship dashboard."""

from __future__ import annotations

import posixpath

from django import template

from wagtail_mentoring.journeys.selectors import journey_cards as cards

register = template.Library()


@register.filter
def lookup(mapping, key):
    """``mapping[key]`` or ``None``: block templates find their own state."""
    if not mapping:
        return None
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.simple_tag(takes_context=True)
def journey_cards(context, relationship):
    """The pair's journeys with their progress and the signed-in member's part
    (see ``selectors.journey_cards``)."""
    request = context.get("request")
    viewer = getattr(request, "user", None)
    return cards(relationship, viewer if getattr(viewer, "pk", None) else None, request)


@register.filter
def contains(collection, item) -> bool:
    return bool(collection) and item in collection


@register.filter
def basename(path) -> str:
    return posixpath.basename(str(path or ""))


@register.simple_tag(takes_context=True)
def block_state(context):
    """The viewing member's state of the block being rendered, if any.

    Block templates also render in previews and the block picker, where there
    is no member: then this is ``None`` and the template shows the content only.
    """
    states = context.get("block_states")
    block_id = context.get("block_id") or context.get("id")
    if not states or not block_id:
        return None
    return states.get(block_id)
