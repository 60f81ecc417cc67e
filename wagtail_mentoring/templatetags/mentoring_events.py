"""The space page's "Upcoming events" block reads its events through here:
blocks hold no queries, and the block needs no import of the events domain."""

from django import template

from wagtail_mentoring.community.events import rules, selectors

register = template.Library()


@register.simple_tag
def upcoming_space_events(space, user, limit=3):
    """The next ``limit`` events of ``space`` (cancelled ones left out), for
    someone who may read the space: the page's blocks show to everyone, a
    closed space's events only to its members and moderators."""
    if space is None or not getattr(space, "pk", None):
        return []
    if not rules.can_view(space, user):
        return []
    return list(selectors.upcoming(space).filter(is_cancelled=False)[: int(limit)])
