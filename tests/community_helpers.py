"""Builders for community-space tests (any user model)."""

from __future__ import annotations

from wagtail_mentoring.community.models import (
    CommunitySpacePage,
    MembershipRole,
    MembershipStatus,
    SpaceMembership,
)


def make_space(parent, **kwargs) -> CommunitySpacePage:
    kwargs.setdefault("title", "Women in Engineering")
    kwargs.setdefault("slug", kwargs["title"].lower().replace(" ", "-"))
    kwargs.setdefault("membership_policy", "open")
    space = parent.add_child(instance=CommunitySpacePage(**kwargs))
    space.save_revision().publish()
    return CommunitySpacePage.objects.get(pk=space.pk)


def add_member(space, user, role=MembershipRole.MEMBER, status=MembershipStatus.ACTIVE):
    membership, _ = SpaceMembership.objects.update_or_create(
        space=space, user=user, defaults={"role": role, "status": status}
    )
    user.__dict__.pop("_wm_space_memberships", None)
    return membership
