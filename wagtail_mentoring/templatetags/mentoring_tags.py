"""Template helpers of the front end and the emails."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

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


@register.filter
def others(members, user) -> list:
    """The members of a relationship other than ``user``, so a list of names
    can put its commas between them (never after the last shown)."""
    return [m for m in members if m.user_id is None or m.user_id != user.pk]


@register.filter
def partner_role(member) -> str:
    """How the viewer's partner is named: a peer is "your peer partner", not a
    "member" (peer programs pair members with each other)."""
    if member.role == "member":
        return _("Your peer partner")
    return member.get_role_display()


@register.filter
def before_full_stop(value) -> str:
    """``value`` without its final "." when a sentence ends right after it:
    "1:04 p.m." must not become "1:04 p.m.."."""
    return str(value).removesuffix(".")


@register.filter
def zoned(value, format_name: str = "DATETIME_FORMAT") -> str:
    """A time as its reader reads it: in the active zone (the viewer's on
    pages, the recipient's in emails), with the zone named so that people in
    different zones cannot misread it."""
    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{date_format(local, format_name)} ({timezone.get_current_timezone_name()})"


@register.simple_tag
def wm_show_messages() -> bool:
    """Whether this page shows Django messages itself (``SHOW_MESSAGES``)."""
    return show_messages()
