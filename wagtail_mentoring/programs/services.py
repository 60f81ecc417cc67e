"""Business actions on applications and relationships.

Each function is one transaction: it validates, writes, logs to the audit trail
and enqueues notifications after commit, or raises :class:`MentoringError` and
writes nothing. Each authorizes its actor (``by``) itself, so page views, the
admin, the API, tasks and management commands cannot differ; ``by=None`` means
the package's own scheduled jobs.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_mentoring import audit, dispatch
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.permissions import can_administer, require, require_program_admin
from wagtail_mentoring.programs import signals
from wagtail_mentoring.programs.cohorts import current_cohort, participants_changed
from wagtail_mentoring.programs.models import (
    CIRCLE_TOPIC_MAX,
    GIVING_ROLES,
    Enrollment,
    EnrollmentStatus,
    ProgramKind,
    ProgramPage,
    Relationship,
    RelationshipMember,
    RelationshipStatus,
    Role,
)
from wagtail_mentoring.programs.tasks import send_decision_emails


def _check_active(user) -> None:
    if not user.is_active:
        raise MentoringError(
            _("This account is inactive and cannot take part in programs."),
            code="inactive_user",
        )


def apply_to_program(
    user,
    program: ProgramPage,
    role: str,
    *,
    answers: dict | None = None,
    motivation: str = "",
    capacity: int | None = None,
    circle_topic: str = "",
    now=None,
    by=None,
    via_nomination: bool = False,
) -> Enrollment:
    """Apply ``user`` to ``program`` in ``role``; approved at once if no review.

    ``by`` is who acted when it is not the applicant (a nominator); sponsees of
    a sponsorship program only join ``via_nomination`` (see sponsorship.services).
    ``circle_topic`` is kept for mentors of group programs only (the circle they
    will lead); anyone else has no circle to name.
    """
    now = now or timezone.now()
    require(
        by is None or by.pk == user.pk or via_nomination,
        _("People apply to programs themselves."),
    )
    _check_active(user)
    if (
        role == Role.SPONSEE
        and program.kind == ProgramKind.SPONSORSHIP
        and not via_nomination
    ):
        raise MentoringError(
            _(
                "Sponsees join %(program)s by nomination: ask your manager, HR or "
                "a sponsor to nominate you, or nominate yourself with evidence."
            )
            % {"program": program.title},
            code="nomination_required",
        )
    if not program.live:
        raise MentoringError(_("This program is not published."), code="not_live")
    if not program.is_open(now):
        raise MentoringError(
            _("Applications for %(program)s are closed.") % {"program": program.title},
            code="closed",
        )
    if role not in program.roles:
        raise MentoringError(
            _("%(program)s does not take applications as %(role)s.")
            % {
                "program": program.title,
                "role": Role(role).label if role in Role.values else role,
            },
            code="role_not_allowed",
        )
    if role in GIVING_ROLES:
        capacity = capacity or program.default_mentor_capacity
        if not 1 <= capacity <= program.max_mentor_capacity:
            raise MentoringError(
                _("Capacity must be between 1 and %(max)d.")
                % {"max": program.max_mentor_capacity},
                code="capacity",
            )
    else:
        capacity = None
    circle_topic = clean_circle_topic(program, role, circle_topic)

    auto_approve = not program.requires_approval
    try:
        with transaction.atomic():
            # Lock the user's rows so two quick submits cannot both pass the check.
            existing = (
                Enrollment.objects.select_for_update()
                .filter(user=user, program=program, role=role)
                .live()
            )
            if existing.exists():
                raise MentoringError(
                    _("You have already applied to %(program)s as %(role)s.")
                    % {"program": program.title, "role": Role(role).label},
                    code="duplicate",
                )
            enrollment = Enrollment.objects.create(
                user=user,
                program=program,
                role=role,
                capacity=capacity,
                circle_topic=circle_topic,
                answers=answers or {},
                motivation=motivation,
                created_at=now,
                status=EnrollmentStatus.APPROVED
                if auto_approve
                else EnrollmentStatus.PENDING,
                decided_at=now if auto_approve else None,
                cohort=current_cohort(program, timezone.localdate(now)),
            )
            audit.record(
                enrollment, "wagtail_mentoring.apply", user=by or user, role=role
            )
            participants_changed([enrollment])
            if auto_approve:
                signals.enrollments_approved.send(
                    Enrollment, enrollments=[enrollment], by=by
                )
    except IntegrityError:
        # The partial unique constraint caught a race the lock could not see
        # (no row to lock yet): same answer as the check above.
        raise MentoringError(
            _("You have already applied to %(program)s as %(role)s.")
            % {"program": program.title, "role": Role(role).label},
            code="duplicate",
        )
    return enrollment


def clean_circle_topic(program: ProgramPage, role: str, topic: str) -> str:
    """``topic`` stripped; empty unless ``role`` leads circles in ``program``."""
    topic = (topic or "").strip()
    if program.kind != ProgramKind.GROUP or role not in GIVING_ROLES:
        return ""
    if len(topic) > CIRCLE_TOPIC_MAX:
        raise MentoringError(
            _("The circle's topic is too long (%(max)d characters at most).")
            % {"max": CIRCLE_TOPIC_MAX},
            code="circle_topic",
        )
    return topic


def set_circle_topic(enrollment: Enrollment, topic: str, by) -> Enrollment:
    """A program admin changes the topic a mentor gave for their circle (the
    next matching run and the circle formed from it use the new one)."""
    require_program_admin(by, enrollment.program)
    topic = (topic or "").strip()
    require(
        enrollment.program.kind == ProgramKind.GROUP
        and enrollment.role in GIVING_ROLES,
        _("Only mentors of group programs lead a circle with a topic."),
        code="circle_topic",
    )
    topic = clean_circle_topic(enrollment.program, enrollment.role, topic)
    with transaction.atomic():
        enrollment.circle_topic = topic
        enrollment.save(update_fields=["circle_topic", "updated_at"])
        audit.record(enrollment, "wagtail_mentoring.circle_topic", user=by, topic=topic)
    return enrollment


def enroll_participants(
    program: ProgramPage, users: Iterable, role: str, *, by, now=None, cohort=None
) -> tuple[list[Enrollment], list]:
    """A program admin enrols people in ``role`` at once, approved.

    For a group brought in together (a course's learners): people already taking
    part in that role, and inactive accounts, are skipped, so running it again
    enrols only the newcomers. They join ``cohort`` when given (one of the
    program's), else the cohort a new application would join. Returns the new
    enrollments and the skipped users.
    """
    require_program_admin(by, program)
    require(role in Role.values, _("Unknown role."), code="role")
    require(
        cohort is None or cohort.program_id == program.pk,
        _("Only cohorts of %(program)s can be chosen.") % {"program": program.title},
        code="other_program",
    )
    now = now or timezone.now()
    cohort = cohort or current_cohort(program, timezone.localdate(now))
    created, skipped = [], []
    with transaction.atomic():
        for user in users:
            taking_part = (
                Enrollment.objects.select_for_update()
                .filter(user=user, program=program, role=role)
                .live()
                .exists()
            )
            if taking_part or not user.is_active:
                skipped.append(user)
                continue
            enrollment = Enrollment.objects.create(
                user=user,
                program=program,
                role=role,
                created_at=now,
                status=EnrollmentStatus.APPROVED,
                decided_at=now,
                cohort=cohort,
            )
            audit.record(enrollment, "wagtail_mentoring.enroll", user=by, role=role)
            created.append(enrollment)
        if created:
            participants_changed(created)
            signals.enrollments_approved.send(Enrollment, enrollments=created, by=by)
    return created, skipped


def withdraw_application(enrollment: Enrollment, by) -> Enrollment:
    """The applicant (or a program admin) takes back a pending or approved
    application; ``by=None`` when the package does it for someone who left."""
    require(
        by is None
        or by.pk == enrollment.user_id
        or can_administer(by, enrollment.program),
        _("Only the applicant can withdraw this application."),
    )
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        refusal = enrollment.withdrawal_refusal()
        if refusal is not None:
            raise refusal
        enrollment.status = EnrollmentStatus.WITHDRAWN
        enrollment.save(update_fields=["status", "updated_at"])
        audit.record(enrollment, "wagtail_mentoring.withdraw", user=by)
        signals.enrollment_withdrawn.send(Enrollment, enrollment=enrollment, by=by)
        participants_changed([enrollment])
    return enrollment


def _decide(enrollments, by, status: str, note: str, action: str) -> list[Enrollment]:
    ids = [e.pk for e in enrollments]
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            # Only these rows: the applicant may be a former participant (an
            # empty link), and PostgreSQL locks no outer join's empty side.
            Enrollment.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .select_related("user", "program")
            .order_by("pk")
        )
        for program in {e.program for e in rows}:
            require_program_admin(by, program)
        not_pending = [e for e in rows if e.status != EnrollmentStatus.PENDING]
        if not_pending:
            raise MentoringError(
                _("Only pending applications can be decided; %(n)d already were.")
                % {"n": len(not_pending)},
                code="not_pending",
            )
        inactive = [e for e in rows if not e.user.is_active]
        if inactive and status == EnrollmentStatus.APPROVED:
            raise MentoringError(
                _("%(n)d applicant(s) are inactive and cannot be approved.")
                % {"n": len(inactive)},
                code="inactive_user",
            )
        for enrollment in rows:
            enrollment.status = status
            enrollment.decided_at = now
            enrollment.decided_by = by
            enrollment.decision_note = note
        Enrollment.objects.bulk_update(
            rows, ["status", "decided_at", "decided_by", "decision_note", "updated_at"]
        )
        for enrollment in rows:
            audit.record(enrollment, action, user=by, note=note)
        participants_changed(rows)
        if status == EnrollmentStatus.APPROVED:
            signals.enrollments_approved.send(Enrollment, enrollments=rows, by=by)
        dispatch.enqueue(send_decision_emails, [e.pk for e in rows])
    return rows


def approve_enrollment(enrollment: Enrollment, by, note: str = "") -> Enrollment:
    """A program admin accepts a pending application."""
    return approve_enrollments([enrollment], by, note)[0]


def decline_enrollment(enrollment: Enrollment, by, note: str = "") -> Enrollment:
    """A program admin turns down a pending application."""
    return decline_enrollments([enrollment], by, note)[0]


def approve_enrollments(enrollments: Iterable[Enrollment], by, note: str = ""):
    """Approve several pending applications at once, all or nothing."""
    return _decide(
        list(enrollments),
        by,
        EnrollmentStatus.APPROVED,
        note,
        "wagtail_mentoring.approve",
    )


def decline_enrollments(enrollments: Iterable[Enrollment], by, note: str = ""):
    """Decline several pending applications at once, all or nothing."""
    return _decide(
        list(enrollments),
        by,
        EnrollmentStatus.DECLINED,
        note,
        "wagtail_mentoring.decline",
    )


def start_relationship(
    program: ProgramPage, members: list[tuple[object, str]], by, *, start=None
) -> Relationship:
    """Create an active relationship between ``members`` ((user, role) pairs).

    Started by a program admin, or by the pair's mentor or sponsor: accepting a
    request or picking a sponsee is how the giving side says yes. Peers are
    equals: the member who accepts the other's request starts it.
    """
    start = start or timezone.localdate()
    peers = program.kind == ProgramKind.PEER
    giving = {
        getattr(u, "pk", u)
        for u, role in members
        if role in GIVING_ROLES or (peers and role == Role.MEMBER)
    }
    require(
        by is not None and (by.pk in giving or can_administer(by, program)),
        _("Only the program's admins or the mentor can start this relationship."),
    )
    if len({getattr(u, "pk", u) for u, _role in members}) != len(members):
        raise MentoringError(
            _("A person cannot be matched with themselves."), code="self"
        )
    for user, _role in members:
        _check_active(user)
    with transaction.atomic():
        relationship = Relationship.objects.create(
            program=program,
            status=RelationshipStatus.ACTIVE,
            started_on=start,
            ends_on=start + timedelta(weeks=program.duration_weeks),
            created_by=by,
        )
        enrollments = {
            (e.user_id, e.role): e
            for e in Enrollment.objects.filter(
                program=program, user__in=[u for u, _r in members]
            ).live()
        }
        RelationshipMember.objects.bulk_create(
            RelationshipMember(
                relationship=relationship,
                user=user,
                role=role,
                enrollment=enrollments.get((user.pk, role)),
            )
            for user, role in members
        )
        audit.record(relationship, "wagtail_mentoring.relationship.start", user=by)
        signals.relationship_started.send(
            Relationship, relationship=relationship, by=by
        )
    return relationship


def change_relationship_status(
    relationship: Relationship, status: str, by, *, reason: str = ""
) -> Relationship:
    """Move a relationship along its lifecycle; ending early needs a reason.

    A member or a program admin changes it (``by=None``: the package's jobs).
    """
    with transaction.atomic():
        relationship = (
            Relationship.objects.select_for_update()
            .select_related("program")
            .get(pk=relationship.pk)
        )
        require(
            by is None
            or relationship.members.filter(user=by).exists()
            or can_administer(by, relationship.program),
            _("Only the members or the program's admins can change this."),
        )
        if not relationship.can_become(status):
            raise MentoringError(
                _("A %(from)s relationship cannot become %(to)s.")
                % {
                    "from": relationship.get_status_display().lower(),
                    "to": RelationshipStatus(status).label.lower(),
                },
                code="transition",
            )
        if status == RelationshipStatus.ENDED_EARLY and not reason.strip():
            raise MentoringError(
                _("Please say why the relationship ends."), code="reason"
            )
        previous = relationship.status
        relationship.status = status
        if status in (RelationshipStatus.COMPLETED, RelationshipStatus.ENDED_EARLY):
            relationship.ended_at = timezone.now()
            relationship.end_reason = reason
        relationship.save()
        audit.record(
            relationship,
            "wagtail_mentoring.relationship.status",
            user=by,
            previous=previous,
            status=status,
            reason=reason,
        )
        signals.relationship_status_changed.send(
            Relationship, relationship=relationship, previous=previous, by=by
        )
    return relationship
