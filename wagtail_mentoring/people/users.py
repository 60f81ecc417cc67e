"""User-model independent helpers: never assume ``username`` or ``email`` exist."""

from __future__ import annotations

import zoneinfo
from contextlib import contextmanager
from functools import reduce
from operator import and_, or_

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from wagtail.admin.utils import get_user_display_name

from wagtail_mentoring.personal_data import FORMER_PARTICIPANT
from wagtail_mentoring.sql import compiled_once


def display_name(user) -> str:
    """The user's name; "a former participant" where the link is empty
    because their data was erased or the host deleted their account."""
    if user is None:
        return str(FORMER_PARTICIPANT)
    return get_user_display_name(user)


def first_name(user) -> str:
    """How a page greets someone: their first name, else their display name."""
    if user is None:
        return display_name(user)
    return (getattr(user, "first_name", "") or "").strip() or display_name(user)


def user_email(user) -> str:
    """The address to notify, or "" when the user model has none."""
    field = get_user_model().get_email_field_name()
    return getattr(user, field, "") or ""


def name_ordering() -> list[str]:
    """ORDER BY fields that sort users by name on any user model."""
    User = get_user_model()
    names = {f.name for f in User._meta.get_fields()}
    fields = [f for f in ("last_name", "first_name") if f in names]
    return fields + [User.USERNAME_FIELD]


def name_search_fields(prefix: str = "") -> list[str]:
    """Lookups to search users by name/identifier on any user model."""
    User = get_user_model()
    names = {f.name for f in User._meta.get_fields()}
    candidates = ["first_name", "last_name", User.USERNAME_FIELD]
    email = User.get_email_field_name()
    if email in names:
        candidates.append(email)
    return [f"{prefix}{f}" for f in dict.fromkeys(candidates) if f in names]


def terms_query(query: str, fields) -> Q:
    """Every word of ``query`` in some of ``fields``: "Lena Mensah" finds her
    although no single field holds both words. One ``Q`` (used in a single
    ``filter()``), so words about people in a to-many relation must match
    the same person."""
    words = query.split()
    if not words or not fields:
        return Q()
    return reduce(
        and_,
        (
            reduce(or_, (Q(**{f"{field}__icontains": word}) for field in fields))
            for word in words
        ),
    )


def mentoring_profile(user):
    """``user.mentoring_profile``, or None: cached on ``user`` as the
    attribute caches it, and read, the first time, from SQL compiled once
    (every page asks, for the viewer's time zone)."""
    if user is None or user.pk is None:
        return None
    related = _profile_model()._meta.get_field("user").remote_field
    if not related.is_cached(user):
        rows = _profile_of(user.pk)
        profile = rows[0] if rows else None
        if profile is not None:
            related.field.set_cached_value(profile, user)
        related.set_cached_value(user, profile)
    return related.get_cached_value(user)


@compiled_once
def _profile_of(user_key):
    return _profile_model().objects.filter(user=user_key)


def _profile_model():
    # the profile's module imports this one: the model comes from the registry
    return apps.get_model("wagtail_mentoring", "EmployeeProfile")


def user_timezone(user):
    """The zone ``user`` reads times in: their profile's, else the site's."""
    profile = mentoring_profile(user)
    name = getattr(profile, "timezone", "") or ""
    try:
        return zoneinfo.ZoneInfo(name) if name else timezone.get_current_timezone()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_current_timezone()


def local_today(user):
    """Today where ``user`` is: the date their forms offer as "today", so a
    service checks "not in the future" against the same day."""
    return timezone.localdate(timezone=user_timezone(user))


@contextmanager
def viewer_time_zone(request):
    """Render times in the signed-in viewer's zone (the site's for others)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        yield
        return
    with timezone.override(user_timezone(user)):
        yield


class ReadsInViewerTimeZone:
    """A page mixin: the page renders its times in the viewer's time zone.

    Wagtail returns a lazy ``TemplateResponse`` that Django renders after the
    view has returned, outside any zone a view activated; render it here.
    """

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            with viewer_time_zone(request):
                response.render()
        return response
