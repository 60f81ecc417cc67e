"""Business actions on employee profiles."""

from __future__ import annotations

from wagtail_mentoring.people.models import EmployeeProfile


def profile_of(user) -> EmployeeProfile:
    """The user's profile; an unsaved one for a host user who has none yet, so
    that reading a form never writes (saving the form creates it)."""
    return EmployeeProfile.objects.filter(user=user).first() or EmployeeProfile(
        user=user
    )
