"""Self-select matching: a mentee's ranked requests to mentors.

In a peer program a member asks another member the same way; either may be
asked by others meanwhile, and the first acceptance pairs them both, so every
other request either of them sent or received ends.

A mentee ranks up to ``program.max_requests`` mentors. Only the best-ranked
requests are *pending* with a mentor at any time (as many as the mentee still
needs mentors, usually one); the rest wait *queued*. When a pending request is
declined, expires or is withdrawn, the next one in rank order is sent. Capacity
is checked when the mentor accepts, under row locks on both enrollments, so two
acceptances at the same moment cannot overfill a mentor.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_mentoring import audit, dispatch
from wagtail_mentoring.engagement.models import (
    LIVE_REQUEST_STATUSES,
    MentorRequest,
    MentorRequestStatus,
)
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.permissions import can_administer, require
from wagtail_mentoring.programs.models import (
    GIVING_ROLES,
    OPEN_RELATIONSHIP_STATUSES,
    PARTNER_ROLE,
    Enrollment,
    EnrollmentStatus,
    MatchingMode,
    RelationshipMember,
    Role,
)
from wagtail_mentoring.programs.services import start_relationship
from wagtail_mentoring.sql import counted

SELF_SELECT_MODES = (MatchingMode.SELF_SELECT, MatchingMode.HYBRID)


def mentor_capacity(enrollment: Enrollment) -> int:
    if enrollment.role == Role.MEMBER:
        # A peer has as many partners as the program gives each member.
        return enrollment.program.mentors_per_mentee
    return enrollment.capacity or enrollment.program.default_mentor_capacity


def _open_in_role(user_id, role, program_id):
    return RelationshipMember.objects.filter(
        user_id=user_id,
        role=role,
        relationship__program_id=program_id,
        relationship__status__in=OPEN_RELATIONSHIP_STATUSES,
    )


def _open_memberships(enrollment: Enrollment):
    return _open_in_role(enrollment.user_id, enrollment.role, enrollment.program_id)


def remaining_capacity(enrollment: Enrollment) -> int:
    """Places a mentor (or sponsor) enrollment still has in its program."""
    return max(0, mentor_capacity(enrollment) - _open_memberships(enrollment).count())


def with_open_memberships(enrollments):
    """``enrollments`` with ``open_memberships`` (their open relationships in
    their role), read in the same query, for :func:`mentors_still_needed`."""
    open_ones = _open_in_role(
        OuterRef("user_id"), OuterRef("role"), OuterRef("program_id")
    )
    return enrollments.annotate(open_memberships=counted(open_ones, "user_id"))


def mentors_still_needed(enrollment: Enrollment) -> int:
    """How many more mentors a mentee enrollment may be matched with (counted
    now, unless the enrollment was read :func:`with_open_memberships`)."""
    needed = enrollment.program.mentors_per_mentee
    taken = getattr(enrollment, "open_memberships", None)
    if taken is None:
        taken = _open_memberships(enrollment).count()
    return max(0, needed - taken)


def _lock(*enrollments: Enrollment) -> list[Enrollment]:
    # Always lock in primary-key order so two transactions that need the same
    # rows wait for each other instead of deadlocking.
    rows = (
        Enrollment.objects.select_for_update(of=("self",))
        .filter(pk__in=[e.pk for e in enrollments])
        .select_related("program", "user")
        .order_by("pk")
    )
    by_pk = {row.pk: row for row in rows}
    return [by_pk[e.pk] for e in enrollments]


def _notify(request_id: int, event: str) -> None:
    # Tasks call these services, so services name their tasks.
    dispatch.enqueue(
        "wagtail_mentoring.engagement.tasks.send_request_emails", request_id, event
    )


def _close(request: MentorRequest, status: str, by=None, reason: str = "", now=None):
    request.status = status
    request.decided_at = now or timezone.now()
    request.decided_by = by
    request.decline_reason = reason
    request.save(update_fields=["status", "decided_at", "decided_by", "decline_reason"])


def _advance(mentee_enrollment: Enrollment, now=None) -> None:
    """Send the next queued requests while the mentee still needs mentors.

    Call with the mentee's enrollment row locked.
    """
    now = now or timezone.now()
    needed = mentors_still_needed(mentee_enrollment)
    live = list(
        MentorRequest.objects.filter(
            mentee_enrollment=mentee_enrollment, status__in=LIVE_REQUEST_STATUSES
        )
        .select_related("mentor_enrollment__program", "mentor_enrollment__user")
        .order_by("rank", "pk")
    )
    if needed == 0:
        for request in live:
            _close(request, MentorRequestStatus.CANCELLED, now=now)
        return
    pending = sum(1 for r in live if r.status == MentorRequestStatus.PENDING)
    expiry = timedelta(days=mentee_enrollment.program.request_expiry_days)
    for request in live:
        if pending >= needed:
            break
        if request.status != MentorRequestStatus.QUEUED:
            continue
        mentor = request.mentor_enrollment
        if (
            mentor.status != EnrollmentStatus.APPROVED
            or not mentor.user.is_active
            or remaining_capacity(mentor) == 0
        ):
            # The mentor filled up (or left) while this request waited.
            _close(
                request,
                MentorRequestStatus.CANCELLED,
                reason=_("The mentor has no places left."),
                now=now,
            )
            continue
        request.status = MentorRequestStatus.PENDING
        request.sent_at = now
        request.expires_at = now + expiry
        request.save(update_fields=["status", "sent_at", "expires_at"])
        _notify(request.pk, "received")
        pending += 1


def send_request(
    mentee_enrollment: Enrollment,
    mentor_enrollment: Enrollment,
    by,
    *,
    note: str = "",
    now=None,
) -> MentorRequest:
    """A mentee adds a mentor to the end of their ranked requests.

    The request goes to the mentor at once when the mentee has no other request
    waiting for an answer; otherwise it waits its turn.
    """
    now = now or timezone.now()
    program = mentee_enrollment.program
    require(
        by.pk == mentee_enrollment.user_id or can_administer(by, program),
        _("Only the mentee can ask a mentor."),
    )
    if program.matching_mode not in SELF_SELECT_MODES:
        raise MentoringError(
            _("In %(program)s the program admins propose matches.")
            % {"program": program.title},
            code="not_self_select",
        )
    if len(note) > 1000:
        raise MentoringError(
            _("Please keep the note under 1000 characters."), code="note"
        )
    with transaction.atomic():
        mentee_enrollment, mentor_enrollment = _lock(
            mentee_enrollment, mentor_enrollment
        )
        _validate_pair(mentee_enrollment, mentor_enrollment)
        live = MentorRequest.objects.filter(
            mentee_enrollment=mentee_enrollment, status__in=LIVE_REQUEST_STATUSES
        )
        if live.filter(mentor_enrollment=mentor_enrollment).exists():
            raise MentoringError(
                _("You have already asked this mentor."), code="duplicate"
            )
        if live.count() >= program.max_requests:
            raise MentoringError(
                _("You can rank at most %(n)d mentors at a time in this program.")
                % {"n": program.max_requests},
                code="limit",
            )
        if mentors_still_needed(mentee_enrollment) == 0:
            raise MentoringError(
                _("You already have a mentor in this program."), code="matched"
            )
        if remaining_capacity(mentor_enrollment) == 0:
            raise MentoringError(_("This mentor has no places left."), code="full")
        if MentorRequest.objects.filter(
            mentee_enrollment=mentor_enrollment,
            mentor_enrollment=mentee_enrollment,
            status=MentorRequestStatus.PENDING,
        ).exists():
            # Two peers asking each other: one acceptance is all it takes.
            raise MentoringError(
                _("They have already asked you: accept their request instead."),
                code="asked_you",
            )
        rank = (live.aggregate(top=Max("rank"))["top"] or 0) + 1
        try:
            with transaction.atomic():
                request = MentorRequest.objects.create(
                    program=program,
                    mentee_enrollment=mentee_enrollment,
                    mentor_enrollment=mentor_enrollment,
                    rank=rank,
                    note=note.strip(),
                    created_at=now,
                )
        except IntegrityError:
            raise MentoringError(
                _("You have already asked this mentor."), code="duplicate"
            )
        _advance(mentee_enrollment, now)
        audit.record(request, "wagtail_mentoring.request.send", user=by, rank=rank)
    request.refresh_from_db()
    return request


def _validate_pair(mentee: Enrollment, mentor: Enrollment) -> None:
    if mentee.status != EnrollmentStatus.APPROVED:
        raise MentoringError(
            _("Your application must be approved before you ask a mentor."),
            code="not_approved",
        )
    expected = PARTNER_ROLE.get(Role(mentee.role))
    if expected is None:
        raise MentoringError(
            _("Only mentees, sponsees and peer members ask for a partner."),
            code="role",
        )
    if (
        mentor.program_id != mentee.program_id
        or mentor.role != expected
        or mentor.status != EnrollmentStatus.APPROVED
        or not mentor.user.is_active
    ):
        raise MentoringError(
            _("This person is not available as a partner in this program."),
            code="not_available",
        )
    if mentor.user_id == mentee.user_id:
        raise MentoringError(_("You cannot ask yourself."), code="self")
    if not mentee.user.is_active:
        raise MentoringError(
            _("This account is inactive and cannot take part in programs."),
            code="inactive_user",
        )


def _get_locked(request: MentorRequest):
    """Lock both enrollments (pk order), then re-read the request."""
    mentee, mentor = _lock(request.mentee_enrollment, request.mentor_enrollment)
    request = (
        MentorRequest.objects.select_for_update()
        .select_related("program")
        .get(pk=request.pk)
    )
    return request, mentee, mentor


def _check_mentor(request: MentorRequest, mentor: Enrollment, by) -> None:
    require(
        by.pk == mentor.user_id or can_administer(by, request.program),
        _("Only the mentor who was asked can answer this request."),
    )


def _check_pending(request: MentorRequest, now) -> None:
    if request.status != MentorRequestStatus.PENDING:
        raise MentoringError(
            _("This request is no longer waiting for an answer (%(status)s).")
            % {"status": request.get_status_display().lower()},
            code="not_pending",
        )
    if request.expires_at and request.expires_at <= now:
        raise MentoringError(_("This request has expired."), code="expired")


def accept_request(request: MentorRequest, by, *, now=None):
    """The mentor (or a program admin on their behalf) accepts: a relationship
    starts. Refused if the mentor has no place left at this very moment."""

    now = now or timezone.now()
    with transaction.atomic():
        request, mentee, mentor = _get_locked(request)
        _check_mentor(request, mentor, by)
        _check_pending(request, now)
        if (
            mentee.status != EnrollmentStatus.APPROVED
            or mentor.status != EnrollmentStatus.APPROVED
        ):
            raise MentoringError(
                _("One of you has withdrawn from the program."),
                code="not_available",
            )
        if remaining_capacity(mentor) == 0:
            raise MentoringError(
                _("No place left: this mentor's capacity is already taken."),
                code="full",
            )
        if mentors_still_needed(mentee) == 0:
            raise MentoringError(
                _("This mentee already has a mentor in this program."),
                code="matched",
            )
        relationship = start_relationship(
            request.program,
            [(mentee.user, mentee.role), (mentor.user, mentor.role)],
            by,
            start=timezone.localdate(now),
        )
        request.relationship = relationship
        request.save(update_fields=["relationship"])
        _close(request, MentorRequestStatus.ACCEPTED, by=by, now=now)
        audit.record(request, "wagtail_mentoring.request.accept", user=by)
        _notify(request.pk, "accepted")
        if remaining_capacity(mentor) == 0:
            _release_waiting_for(mentor, now)
        _advance(mentee, now)
        if mentor.role == Role.MEMBER:
            # Peers ask and are asked: each one's other requests end too.
            if remaining_capacity(mentee) == 0:
                _release_waiting_for(mentee, now)
            _advance(mentor, now)
    return relationship


def _release_waiting_for(mentor: Enrollment, now) -> None:
    """A mentor just filled up: their other pending requests pass on."""
    others = list(
        MentorRequest.objects.filter(
            mentor_enrollment=mentor, status=MentorRequestStatus.PENDING
        ).values_list("pk", "mentee_enrollment_id")
    )
    if not others:
        return
    mentees = {
        e.pk: e
        for e in Enrollment.objects.select_for_update(of=("self",))
        .filter(pk__in=[m for _pk, m in others])
        .select_related("program", "user")
        .order_by("pk")
    }
    for pk, mentee_id in others:
        request = MentorRequest.objects.select_for_update().get(pk=pk)
        _close(
            request,
            MentorRequestStatus.DECLINED,
            reason=_("The mentor has no places left."),
            now=now,
        )
        _notify(request.pk, "declined")
        _advance(mentees[mentee_id], now)


def decline_request(
    request: MentorRequest, by, *, reason: str = "", now=None
) -> MentorRequest:
    """The mentor says no (optionally why); the mentee's next choice is asked."""
    now = now or timezone.now()
    if len(reason) > 1000:
        raise MentoringError(
            _("Please keep the reason under 1000 characters."), code="reason"
        )
    with transaction.atomic():
        request, mentee, mentor = _get_locked(request)
        _check_mentor(request, mentor, by)
        _check_pending(request, now)
        _close(request, MentorRequestStatus.DECLINED, by=by, reason=reason.strip())
        audit.record(request, "wagtail_mentoring.request.decline", user=by)
        _notify(request.pk, "declined")
        _advance(mentee, now)
    return request


def withdraw_request(request: MentorRequest, by, *, now=None) -> MentorRequest:
    """The mentee takes back a waiting or pending request."""
    now = now or timezone.now()
    with transaction.atomic():
        request, mentee, _mentor = _get_locked(request)
        require(
            by.pk == mentee.user_id or can_administer(by, request.program),
            _("Only the mentee who asked can withdraw this request."),
        )
        if not request.is_live:
            raise MentoringError(
                _("This request is already %(status)s.")
                % {"status": request.get_status_display().lower()},
                code="not_live",
            )
        was_pending = request.status == MentorRequestStatus.PENDING
        _close(request, MentorRequestStatus.WITHDRAWN, by=by, now=now)
        audit.record(request, "wagtail_mentoring.request.withdraw", user=by)
        if was_pending:
            _notify(request.pk, "withdrawn")
        _advance(mentee, now)
    return request


def expire_requests(now=None) -> int:
    """Expire pending requests past their deadline; each passes to the next
    choice. Safe to run twice: an expired request is no longer pending."""
    now = now or timezone.now()
    due = list(
        MentorRequest.objects.filter(
            status=MentorRequestStatus.PENDING, expires_at__lte=now
        ).values_list("pk", flat=True)
    )
    expired = 0
    for pk in due:
        with transaction.atomic():
            request = MentorRequest.objects.select_related(
                "mentee_enrollment", "mentor_enrollment"
            ).get(pk=pk)
            request, mentee, _mentor = _get_locked(request)
            if request.status != MentorRequestStatus.PENDING:
                continue  # answered meanwhile
            _close(request, MentorRequestStatus.EXPIRED, now=now)
            audit.record(request, "wagtail_mentoring.request.expire")
            _notify(request.pk, "expired")
            _advance(mentee, now)
            expired += 1
    return expired


def close_requests_of(enrollment: Enrollment, by=None, now=None) -> int:
    """An application was withdrawn: its live requests, sent or received,
    end; mentees waiting on it move on to their next choice. Call inside the
    withdrawing transaction."""
    now = now or timezone.now()
    peer = enrollment.role == Role.MEMBER
    received = Q(mentor_enrollment=enrollment)
    sent = Q(mentee_enrollment=enrollment)
    if peer:
        where = received | sent
    else:
        where = received if enrollment.role in GIVING_ROLES else sent
    live = MentorRequest.objects.filter(where, status__in=LIVE_REQUEST_STATUSES)
    closed = 0
    for request in live.select_related("mentee_enrollment").order_by("pk"):
        was_pending = request.status == MentorRequestStatus.PENDING
        _close(request, MentorRequestStatus.CANCELLED, by=by, now=now)
        closed += 1
        if request.mentor_enrollment_id == enrollment.pk:
            if was_pending:
                _notify(request.pk, "declined")
            (mentee,) = _lock(request.mentee_enrollment)
            _advance(mentee, now)
    return closed
