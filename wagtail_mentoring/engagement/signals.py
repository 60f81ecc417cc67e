"""How engagement reacts to events of the programs base and of the host's users."""

from __future__ import annotations

from django.conf import settings
from django.db.models.signals import post_save

from wagtail_mentoring.engagement import leaving, meeting_changes, meeting_marks
from wagtail_mentoring.engagement.mentor_requests import close_requests_of
from wagtail_mentoring.engagement.office_hours import signals as office_hours
from wagtail_mentoring.programs import signals as program_signals
from wagtail_mentoring.programs.models import Enrollment


def enrollment_withdrawn(sender, enrollment, by=None, **kwargs) -> None:
    # Self-select requests sent or received through it end with it.
    close_requests_of(enrollment, by=by)


def connect() -> None:
    meeting_changes.connect()
    meeting_marks.connect()
    program_signals.enrollment_withdrawn.connect(
        enrollment_withdrawn, sender=Enrollment, dispatch_uid="wm_engagement"
    )
    program_signals.enrollment_withdrawn.connect(
        office_hours.enrollment_withdrawn,
        sender=Enrollment,
        dispatch_uid="wm_office_hours",
    )
    post_save.connect(
        office_hours.user_saved,
        sender=settings.AUTH_USER_MODEL,
        dispatch_uid="wm_office_hours_leaving",
    )
    # A deactivated account (SSO offboarding) ends its relationships.
    post_save.connect(
        leaving.user_saved,
        sender=settings.AUTH_USER_MODEL,
        dispatch_uid="wm_engagement_leaving",
    )
