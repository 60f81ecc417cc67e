"""A course's instructors: who of the course's learners takes part, and how far.

An instructor (or administrator) of a course sees, for the pages the course
placed, each learner of the course who linked an intranet account: their
applications to a placed program and their progress in a placed journey. The
member list comes from the launches and, on request, from the platform's
Names and Roles Provisioning Service.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from lti_tool.models import LtiContext, LtiMembership
from lti_tool.services.nrps import sync_memberships

from wagtail_mentoring.community.models import CommunitySpacePage
from wagtail_mentoring.journeys.models import JourneyProgress, LearningJourneyPage
from wagtail_mentoring.programs.models import Enrollment, ProgramPage

from .models import CoursePlacement


def is_instructor(user, context: LtiContext) -> bool:
    """Whether ``user`` teaches (or administers) the course, as the LMS says."""
    return (
        LtiMembership.objects.filter(
            context=context, user__auth_user=user, is_active=True
        )
        .filter(Q(is_instructor=True) | Q(is_administrator=True))
        .exists()
    )


def course_programs(context_ids) -> list[ProgramPage]:
    """The programs courses placed: a program page, one of its journeys, or
    one of its community spaces (a cohort's space names its program)."""
    page_ids = list(
        CoursePlacement.objects.filter(context_id__in=list(context_ids)).values_list(
            "page_id", flat=True
        )
    )
    if not page_ids:
        return []
    spaces = CommunitySpacePage.objects.filter(pk__in=page_ids).values("program")
    return list(
        ProgramPage.objects.filter(
            Q(pk__in=page_ids)
            | Q(journey__in=page_ids)
            | Q(mentor_journey__in=page_ids)
            | Q(mentee_journey__in=page_ids)
            | Q(pk__in=spaces)
        )
        .distinct()
        .order_by("path")
    )


def report_audience(user, program):
    """The report audience the LTI tool grants (``permissions.report_scope``):
    an instructor of a course that placed ``program`` sees the part of its
    reports that covers the course's learners (``None``: no such course)."""
    taught = list(
        LtiMembership.objects.filter(user__auth_user=user, is_active=True)
        .filter(Q(is_instructor=True) | Q(is_administrator=True))
        .values_list("context_id", flat=True)
    )
    courses = [
        context_id
        for context_id in taught
        if any(p.pk == program.pk for p in course_programs([context_id]))
    ]
    if not courses:
        return None
    return set(
        LtiMembership.objects.filter(
            context_id__in=courses,
            is_active=True,
            is_learner=True,
            user__auth_user__isnull=False,
        ).values_list("user__auth_user", flat=True)
    )


def record_placement(context: LtiContext, page) -> None:
    CoursePlacement.objects.get_or_create(context=context, page_id=page.pk)


@dataclass
class LearnerRow:
    name: str
    linked: bool
    cells: list[str] = field(default_factory=list)


def report(context: LtiContext):
    """The placed pages, and one row per learner of the course."""
    pages = [
        p.page.specific
        for p in CoursePlacement.objects.filter(context=context)
        .select_related("page")
        .order_by("page__path")
    ]
    memberships = list(
        LtiMembership.objects.filter(context=context, is_active=True, is_learner=True)
        .select_related("user__auth_user")
        .order_by("user__name", "user__sub")
    )
    users = [m.user.auth_user for m in memberships if m.user.auth_user_id]
    programs = [p for p in pages if isinstance(p, ProgramPage)]
    journeys = [p for p in pages if isinstance(p, LearningJourneyPage)]
    enrollments = {
        (e.user_id, e.program_id): e
        for e in Enrollment.objects.filter(user__in=users, program__in=programs)
    }
    progress = {}
    for row in JourneyProgress.objects.filter(
        journey__in=journeys, relationship__members__user__in=users
    ).values("journey_id", "relationship__members__user", "steps_done", "steps_total"):
        progress[(row["relationship__members__user"], row["journey_id"])] = row
    rows = []
    for membership in memberships:
        lti_user = membership.user
        person = lti_user.auth_user
        row = LearnerRow(name=lti_user.name or lti_user.sub, linked=person is not None)
        for page in pages:
            if person is None:
                row.cells.append("")
            elif isinstance(page, ProgramPage):
                enrollment = enrollments.get((person.pk, page.pk))
                row.cells.append(enrollment.get_status_display() if enrollment else "—")
            elif isinstance(page, LearningJourneyPage):
                done = progress.get((person.pk, page.pk))
                row.cells.append(
                    f"{done['steps_done']}/{done['steps_total']}" if done else "—"
                )
            else:
                row.cells.append("")
        rows.append(row)
    return pages, rows


def linked_learners(context: LtiContext) -> list:
    """The intranet accounts of the course's active learners who linked one."""
    memberships = LtiMembership.objects.filter(
        context=context, is_active=True, is_learner=True, user__auth_user__isnull=False
    ).select_related("user__auth_user")
    return [m.user.auth_user for m in memberships.order_by("user__name", "user__sub")]


def refresh_members(context: LtiContext) -> int:
    """Fetch the course's members from the platform (NRPS); how many it lists."""
    sync_memberships(context)
    return LtiMembership.objects.filter(context=context).count()
