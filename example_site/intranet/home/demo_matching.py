"""Demo data of the matching panel: who may run it, and a first run.

Deterministic and idempotent: the pool is topped up with mentors once (a small
demo company has few senior people with room left), then one run is made
synchronously (no Celery needed), so `make demo` opens a panel with proposals
to review and a few mentees left for the admin to pair by hand.
"""

from __future__ import annotations

import math

from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from wagtail_mentoring.matching import runs, services
from wagtail_mentoring.matching.models import MatchingRun
from wagtail_mentoring.matching.pools import load_pool
from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.programs.models import Enrollment, EnrollmentStatus, Role

#: Share of the mentees' places the mentors can fill in the demo's first run.
MENTOR_ROOM = 0.8


def seed_matching(program, admin) -> MatchingRun | None:
    """Give the program's coordinators the matching permission; run it once."""
    permission = Permission.objects.get(
        content_type__app_label="wagtail_mentoring", codename="run_matching"
    )
    for group in Group.objects.filter(name__in=["Engineering mentoring admins", "HR"]):
        group.permissions.add(permission)
    if MatchingRun.objects.filter(program=program).exists():
        return None
    _top_up_mentors(program)
    run = services.start_run(program, admin, enqueue=False)
    return runs.execute_run(run.pk)


def _top_up_mentors(program) -> None:
    pool = load_pool(program)
    target = math.ceil(sum(pool.mentee_slots) * MENTOR_ROOM)
    room = sum(pool.mentor_remaining)
    now = timezone.now()
    pending = Enrollment.objects.filter(
        program=program, role=Role.MENTOR, status=EnrollmentStatus.PENDING
    ).order_by("pk")
    for enrollment in pending:
        if room >= target:
            return
        enrollment.status = EnrollmentStatus.APPROVED
        enrollment.decided_at = now
        enrollment.save(update_fields=["status", "decided_at", "updated_at"])
        room += enrollment.capacity or program.default_mentor_capacity
    enrolled = Enrollment.objects.filter(program=program).values("user_id")
    seniors = (
        EmployeeProfile.objects.filter(user__is_active=True, level__gte=4)
        .exclude(user_id__in=enrolled)
        .exclude(user__is_superuser=True)
        .order_by("-level", "user_id")
    )
    for profile in seniors:
        if room >= target:
            return
        Enrollment.objects.create(
            user_id=profile.user_id,
            program=program,
            role=Role.MENTOR,
            capacity=2,
            status=EnrollmentStatus.APPROVED,
            decided_at=now,
            motivation="Happy to help a colleague grow.",
        )
        room += 2
