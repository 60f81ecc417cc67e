"""A community space with its cast, and events in it, for the events tests."""

from __future__ import annotations

import itertools
from datetime import timedelta

from django.utils import timezone

from tests.factories import make_user, site_root
from wagtail_mentoring.community.events.models import SpaceEvent
from wagtail_mentoring.community.models import CommunitySpacePage, SpaceMembership

_counter = itertools.count(1)
BERLIN = {"level": 3, "department": "Engineering", "timezone": "Europe/Berlin"}
TOKYO = {"level": 3, "department": "Sales", "timezone": "Asia/Tokyo"}


def make_space(**kwargs) -> CommunitySpacePage:
    n = next(_counter)
    kwargs.setdefault("title", f"Space {n}")
    kwargs.setdefault("slug", f"events-space-{n}")
    return site_root().add_child(instance=CommunitySpacePage(**kwargs))


def join(space, user, role="member", status="active") -> SpaceMembership:
    return SpaceMembership.objects.create(
        space=space, user=user, role=role, status=status
    )


def member(space, name=None, profile=None, **kwargs):
    user = make_user(name, profile=dict(profile or BERLIN), **kwargs)
    join(space, user)
    return user


def moderator(space, name=None):
    user = make_user(name, profile=dict(BERLIN))
    join(space, user, role="moderator")
    return user


def event(space, *, hours=48, length=2, capacity=None, by=None, **kwargs):
    """An event straight in the database (no emails), ``hours`` from now."""
    starts = timezone.now().replace(microsecond=0) + timedelta(hours=hours)
    return SpaceEvent.objects.create(
        space=space,
        title=kwargs.pop("title", "Design critique"),
        starts_at=starts,
        ends_at=starts + timedelta(hours=length),
        timezone=kwargs.pop("timezone", "Europe/Berlin"),
        capacity=capacity,
        created_by=by,
        **kwargs,
    )
