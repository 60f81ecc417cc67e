"""How engagement reacts to events of the programs base."""

from __future__ import annotations

from wagtail_mentoring.engagement.mentor_requests import close_requests_of
from wagtail_mentoring.programs import signals as program_signals
from wagtail_mentoring.programs.models import Enrollment


def enrollment_withdrawn(sender, enrollment, by=None, **kwargs) -> None:
    # Self-select requests sent or received through it end with it.
    close_requests_of(enrollment, by=by)


def connect() -> None:
    program_signals.enrollment_withdrawn.connect(
        enrollment_withdrawn, sender=Enrollment, dispatch_uid="wm_engagement"
    )
