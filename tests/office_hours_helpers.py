"""Builders for the flash-mentoring tests."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

from django.utils import timezone

from tests.engagement_helpers import PROFILE
from tests.factories import make_enrollment, make_program, make_user
from wagtail_mentoring.engagement.office_hours import services
from wagtail_mentoring.programs.models import EnrollmentStatus, ProgramKind

BERLIN = "Europe/Berlin"


def flash_program(hub, **kwargs):
    kwargs.setdefault("title", "Flash mentoring")
    return make_program(hub, kind=ProgramKind.FLASH, **kwargs)


def flash_mentor(program, name=None, zone=BERLIN):
    user = make_user(name, profile=dict(PROFILE, level=6, timezone=zone))
    return make_enrollment(user, program, "mentor", status=EnrollmentStatus.APPROVED)


def local_start(days=3, hour=10, zone=BERLIN) -> datetime:
    """A naive wall-clock time ``days`` from now at ``hour`` in ``zone``."""
    day = timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(zone)).date()
    return datetime.combine(day + timedelta(days=days), datetime.min.time()).replace(
        hour=hour
    )


def publish(enrollment, *, days=3, hour=10, minutes=30, **kwargs):
    starts = local_start(days, hour)
    kwargs.setdefault("title", "Career conversations")
    kwargs.setdefault("timezone_name", BERLIN)
    return services.publish_office_hours(
        enrollment,
        enrollment.user,
        starts=starts,
        ends=starts + timedelta(minutes=minutes),
        **kwargs,
    )
