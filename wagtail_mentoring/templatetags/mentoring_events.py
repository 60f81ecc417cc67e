"""The space page's "Upcoming events" block reads its events through here:
blocks hold no queries, and the block needs no import of the events domain."""

from django import template

from wagtail_mentoring.community.events import selectors

register = template.Library()


@register.simple_tag
def upcoming_space_events(space, limit=3):
    """The next ``limit`` events of ``space`` (cancelled ones left out)."""
    if space is None or not getattr(space, "pk", None):
        return []
    return list(selectors.upcoming(space).filter(is_cancelled=False)[: int(limit)])
