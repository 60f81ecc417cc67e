"""Template helpers of the front end and the emails."""

from __future__ import annotations

from django import template
from django.conf import settings

from wagtail_mentoring.look import show_messages
from wagtail_mentoring.people.users import display_name as _display_name

register = template.Library()


@register.filter
def display_name(user) -> str:
    """A user's name on any user model (never assumes ``username``); "a former
    participant" for an empty link."""
    return _display_name(user or None)


@register.filter
def absolute(path: str) -> str:
    """``path`` prefixed with the site's base URL, for links in emails."""

    return f"{getattr(settings, 'WAGTAILADMIN_BASE_URL', '') or ''}{path}"


@register.simple_tag
def wm_show_messages() -> bool:
    """Whether this page shows Django messages itself (``SHOW_MESSAGES``)."""
    return show_messages()
