"""Read-side queries of the programs domain, shared by views, admin and API."""

from __future__ import annotations

from django.utils import timezone

from wagtail_mentoring.programs.models import (
    Enrollment,
    ProgramPage,
)


def hub_programs(hub, user) -> list[ProgramPage]:
    """Published programs under ``hub``, with ``open_now`` and ``my_enrollments``."""
    programs = list(
        ProgramPage.objects.child_of(hub).live().public().specific().order_by("path")
    )
    mine: dict[int, list[Enrollment]] = {}
    if user.is_authenticated:
        for enrollment in Enrollment.objects.filter(
            user=user, program__in=programs
        ).live():
            mine.setdefault(enrollment.program_id, []).append(enrollment)
    now = timezone.now()
    for program in programs:
        program.open_now = program.is_open(now)
        program.my_enrollments = mine.get(program.pk, [])
    return programs


def my_enrollments(user):
    return (
        Enrollment.objects.filter(user=user)
        .with_matched()
        .select_related("program")
        .order_by("-created_at", "-pk")
    )
