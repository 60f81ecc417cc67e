"""Template filters of the sponsorship screens and reports."""

from __future__ import annotations

from django import template

from wagtail_mentoring.people.users import display_name

register = template.Library()


@register.filter
def person(user) -> str:
    """A user's display name on any user model; "a former participant" for an
    empty link."""
    return display_name(user or None)


@register.filter
def percent(value) -> str:
    """0.4231 → "42.3 %"; empty for no value."""
    if value is None or value == "":
        return "—"
    return f"{value * 100:.1f} %"


@register.filter
def ratio(value) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}"


@register.filter
def at(sequence, index):
    """``row.counts|at:key`` — a dict or list item in a template."""
    try:
        return sequence[index]
    except (KeyError, IndexError, TypeError):
        return None


@register.filter
def points(value) -> str:
    """A difference of two rates in percentage points: 0.052 → "+5.2"."""
    if value is None:
        return "—"
    return f"{value * 100:+.1f}"
