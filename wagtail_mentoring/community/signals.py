"""Spaces follow their program's participants, and catch up when published."""

from __future__ import annotations

from wagtail.signals import page_published

from wagtail_mentoring.community import cohorts, services
from wagtail_mentoring.community.models import CommunitySpacePage
from wagtail_mentoring.programs import signals as program_signals


def enrollments_approved(sender, enrollments, **kwargs) -> None:
    services.follow_approved_enrollments(enrollments)


def enrollment_withdrawn(sender, enrollment, **kwargs) -> None:
    services.follow_withdrawn_enrollment(enrollment)


def space_published(sender, instance, **kwargs) -> None:
    # Tying a space to a program (or untying it) takes effect on publishing:
    # its current participants become members at once.
    services.sync_program_space(instance)


def connect() -> None:
    cohorts.connect()
    program_signals.enrollments_approved.connect(
        enrollments_approved, dispatch_uid="wm_community_approved"
    )
    program_signals.enrollment_withdrawn.connect(
        enrollment_withdrawn, dispatch_uid="wm_community_withdrawn"
    )
    page_published.connect(
        space_published, sender=CommunitySpacePage, dispatch_uid="wm_community_space"
    )
