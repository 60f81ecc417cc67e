"""Who may do what with a space's events: the space's own policy
(``wagtail_mentoring.permissions``) read in the words of events."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q

from wagtail_mentoring.community.models import MembershipStatus, SpaceMembership
from wagtail_mentoring.notifications.models import Category
from wagtail_mentoring.permissions import (
    can_moderate_space,
    can_read_space,
    is_space_member,
)

COMMUNITY = Category.COMMUNITY
REMINDERS = Category.REMINDERS


def is_member(space, user) -> bool:
    """An active member of ``space``: only members answer its events."""
    return is_space_member(user, space)


def can_manage_events(space, user) -> bool:
    """The space's moderators (moderator members, its moderators group, the
    tied program's admins, the community team) schedule and change events."""
    return can_moderate_space(user, space)


def can_view(space, user) -> bool:
    """An open space's events are for everyone signed in; a closed space's
    only for its members and moderators (the others get a 404)."""
    return can_read_space(user, space)


def sees_names(space, user) -> bool:
    """Who is going is for members (and moderators) only."""
    return is_member(space, user) or can_manage_events(space, user)


def is_archived(space) -> bool:
    return bool(space.archived)


def active_members(space):
    """Active, signed-up people of ``space`` (for the new-event notice)."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            mentoring_space_memberships__space=space,
            mentoring_space_memberships__status=MembershipStatus.ACTIVE,
        )
        .select_related("mentoring_profile")
        .order_by("pk")
    )


def member_of_event_space() -> Q:
    """For an RSVP queryset: the person is still an active member of the
    event's space (people who left get no reminders)."""
    return Q(
        Exists(
            SpaceMembership.objects.filter(
                space_id=OuterRef("event__space_id"),
                user_id=OuterRef("user_id"),
                status=MembershipStatus.ACTIVE,
            )
        )
    )
