"""Enrolling a course's roster (Names and Roles) into a program or a cohort.

One action, previewed first, that may run any number of times: course members
linked to an intranet account take part at once (``enroll_participants``);
those the site may link by their email (``LINK_BY_EMAIL``, the same rule as a
launch) are linked, then take part; the others get a pending enrolment that
their first launch finishes. Whoever already takes part, or is already
pending, is left as they are.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from lti_tool.models import LtiContext, LtiMembership, LtiUser

from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.permissions import (
    administered_programs,
    require,
    require_program_admin,
)
from wagtail_mentoring.programs.models import Cohort, Enrollment, ProgramPage, Role
from wagtail_mentoring.programs.services import enroll_participants

from . import course, people
from .models import PendingEnrolment

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Destination:
    """Where the course goes: a program, or one of its cohorts."""

    program: ProgramPage
    cohort: Cohort | None = None

    @property
    def value(self) -> str:
        return f"c:{self.cohort.pk}" if self.cohort else f"p:{self.program.pk}"

    @property
    def label(self) -> str:
        if self.cohort is None:
            return self.program.title
        return _("%(program)s · cohort %(cohort)s") % {
            "program": self.program.title,
            "cohort": self.cohort.name,
        }


def destinations(context: LtiContext, by) -> list[Destination]:
    """The programs the course placed that ``by`` runs, and their cohorts."""
    programs = course.course_programs([context.pk])
    allowed = set(
        administered_programs(by)
        .filter(pk__in=[p.pk for p in programs])
        .values_list("pk", flat=True)
    )
    programs = [p for p in programs if p.pk in allowed]
    cohorts: dict[int, list[Cohort]] = {}
    for cohort in Cohort.objects.filter(program__in=programs).order_by(
        "starts_on", "pk"
    ):
        cohorts.setdefault(cohort.program_id, []).append(cohort)
    found = []
    for program in programs:
        found.append(Destination(program))
        found.extend(Destination(program, c) for c in cohorts.get(program.pk, []))
    return found


def destination(context: LtiContext, by, value: str) -> Destination | None:
    return next((d for d in destinations(context, by) if d.value == value), None)


@dataclass
class RosterPlan:
    """Who of the course's learners an enrolment adds, and who it leaves."""

    destination: Destination
    role: str
    #: linked intranet accounts that will take part
    new: list = field(default_factory=list)
    #: course accounts the site links by email, with the account they get
    by_email: list[tuple[LtiUser, object]] = field(default_factory=list)
    #: linked accounts that already take part in that role
    already: list = field(default_factory=list)
    #: course accounts nobody can link yet: enrolled at their first launch
    unlinked: list[LtiUser] = field(default_factory=list)
    #: of those, the ones an earlier enrolment already left pending
    pending: list[LtiUser] = field(default_factory=list)

    @property
    def role_label(self) -> str:
        return Role(self.role).label


def _learners(context: LtiContext):
    return list(
        LtiMembership.objects.filter(context=context, is_active=True, is_learner=True)
        .select_related("user__auth_user")
        .order_by("user__name", "user__sub")
    )


def preview(context: LtiContext, target: Destination, role: str, *, by) -> RosterPlan:
    """What enrolling the course's learners would do; writes nothing."""
    program = target.program
    require_program_admin(by, program)
    require(role in Role.values, _("Unknown role."), code="role")
    plan = RosterPlan(target, role)
    memberships = _learners(context)
    linked = [
        m.user.auth_user
        for m in memberships
        if m.user.auth_user_id and m.user.auth_user.is_active
    ]
    taking_part = set(
        Enrollment.objects.filter(program=program, role=role, user__in=linked)
        .live()
        .values_list("user_id", flat=True)
    )
    pending = set(
        PendingEnrolment.objects.filter(
            program=program, role=role, lti_user__in=[m.user for m in memberships]
        ).values_list("lti_user_id", flat=True)
    )
    matches = people.email_matches(
        [m.user for m in memberships if not m.user.auth_user_id]
    )
    for membership in memberships:
        lti_user = membership.user
        user = lti_user.auth_user
        if user is not None:
            if not user.is_active:
                continue  # people who left are never enrolled
            (plan.already if user.pk in taking_part else plan.new).append(user)
            continue
        match = matches.get(lti_user.pk)
        if match is not None:
            plan.by_email.append((lti_user, match))
        elif lti_user.pk in pending:
            plan.pending.append(lti_user)
        else:
            plan.unlinked.append(lti_user)
    # Someone linked by email may already take part (applied on the intranet).
    matched = [user for _lti, user in plan.by_email]
    already = set(
        Enrollment.objects.filter(program=program, role=role, user__in=matched)
        .live()
        .values_list("user_id", flat=True)
    )
    plan.already += [u for u in matched if u.pk in already]
    return plan


@dataclass
class RosterResult:
    enrolled: int = 0
    linked: int = 0
    already: int = 0
    pending: int = 0


def enrol(context: LtiContext, target: Destination, role: str, *, by) -> RosterResult:
    """Enrol the course's learners into ``target`` as ``role`` (program admins).

    All or nothing; running it again adds only who is new since.
    """
    result = RosterResult()
    with transaction.atomic():
        plan = preview(context, target, role, by=by)
        users = list(plan.new)
        for lti_user, user in plan.by_email:
            try:
                users.append(people.link(lti_user, user, how="email (roster)"))
            except PermissionError:
                continue  # linked meanwhile by a launch: counted next time
            result.linked += 1
        created, skipped = enroll_participants(
            target.program, users, role, by=by, cohort=target.cohort
        )
        result.enrolled = len(created)
        result.already = len({u.pk for u in plan.already} | {u.pk for u in skipped})
        for lti_user in plan.unlinked:
            _obj, made = PendingEnrolment.objects.get_or_create(
                lti_user=lti_user,
                program=target.program,
                role=role,
                defaults={
                    "context": context,
                    "cohort": target.cohort,
                    "requested_by": by,
                },
            )
            result.pending += int(made)
    return result


def enrol_pending(lti_user: LtiUser, user) -> list[Enrollment]:
    """At a launch: finish the enrolments waiting for this course account.

    Each is done in the name of the program admin who asked for it (refused,
    and dropped, if they no longer run the program).
    """
    done = []
    waiting = PendingEnrolment.objects.filter(lti_user=lti_user).select_related(
        "program", "cohort", "requested_by"
    )
    for pending in waiting:
        try:
            with transaction.atomic():
                created, _skipped = enroll_participants(
                    pending.program,
                    [user],
                    pending.role,
                    by=pending.requested_by,
                    cohort=pending.cohort,
                )
                pending.delete()
        except (MentoringError, IntegrityError) as error:
            logger.warning(
                "Pending enrolment %s not done: %s", pending.pk, error, exc_info=False
            )
            PendingEnrolment.objects.filter(pk=pending.pk).delete()
            continue
        done += created
    return done
