"""Who may do what with a space's events.

Small predicates over the space's membership. The community domain's own
space policy (moderators, closed spaces) is the one source; these delegate
to it where it exists and say so in one place otherwise.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q

from wagtail_mentoring.community.models import (
    MODERATE_ALL,
    MembershipRole,
    MembershipStatus,
    SpaceMembership,
)
from wagtail_mentoring.notifications.models import Category
from wagtail_mentoring.permissions import _group_ids, can_administer, is_active_user

COMMUNITY = Category.COMMUNITY
REMINDERS = Category.REMINDERS


def _membership(space, user):
    if not is_active_user(user):
        return None
    return SpaceMembership.objects.filter(
        space_id=space.pk, user=user, status=MembershipStatus.ACTIVE
    ).first()


def is_member(space, user) -> bool:
    """An active member of ``space``."""
    return _membership(space, user) is not None


def can_manage_events(space, user) -> bool:
    """The space's moderators: moderator members, its moderators group, the
    tied program's admins, and whoever moderates every space."""
    if not is_active_user(user):
        return False
    if user.is_superuser or user.has_perm(MODERATE_ALL):
        return True
    membership = _membership(space, user)
    if membership is not None and membership.role == MembershipRole.MODERATOR:
        return True
    if space.moderator_group_id and space.moderator_group_id in _group_ids(user):
        return True
    return bool(space.program_id and can_administer(user, space.program))


def can_view(space, user) -> bool:
    """An open space's events are for everyone signed in; a closed space's
    only for its members and moderators (the others get a 404)."""
    if not is_active_user(user):
        return False
    if not space.is_closed:
        return True
    return is_member(space, user) or can_manage_events(space, user)


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
