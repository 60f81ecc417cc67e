"""Builders for the employee-experience tests."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.factories import make_enrollment, make_user
from wagtail_mentoring.programs.models import EnrollmentStatus, MatchingMode
from wagtail_mentoring.programs.services import start_relationship

PROFILE = {
    "level": 3,
    "department": "Engineering",
    "timezone": "Europe/Berlin",
    "languages": ["en"],
}


def self_select(program, **fields):
    program.matching_mode = MatchingMode.SELF_SELECT
    for name, value in fields.items():
        setattr(program, name, value)
    program.save()
    return program


def mentor(program, name=None, capacity=1, **profile):
    user = make_user(name, profile=dict(PROFILE, level=6, **profile))
    return make_enrollment(
        user, program, "mentor", status=EnrollmentStatus.APPROVED, capacity=capacity
    )


def mentee(program, name=None):
    user = make_user(name, profile=dict(PROFILE))
    return make_enrollment(user, program, "mentee", status=EnrollmentStatus.APPROVED)


def pair(program, mentee_user=None, mentor_user=None):
    mentee_user = mentee_user or make_user(profile=dict(PROFILE))
    mentor_user = mentor_user or make_user(profile=dict(PROFILE, level=6))
    return start_relationship(
        program, [(mentee_user, "mentee"), (mentor_user, "mentor")], mentor_user
    )


def soon(days=2, hour=10):
    return (timezone.now() + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )
