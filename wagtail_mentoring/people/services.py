"""Business actions on employee profiles."""

from __future__ import annotations

from wagtail_mentoring.people.models import EmployeeProfile


def get_profile(user) -> EmployeeProfile:
    """The user's profile, created empty on first use."""
    profile, _created = EmployeeProfile.objects.get_or_create(user=user)
    return profile
