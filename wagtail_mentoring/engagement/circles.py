"""Group mentoring circles: one facilitator and several mentees in one space.

A circle is a :class:`~wagtail_mentoring.programs.models.Relationship` of a
group program: one member in the giving role (the mentor who facilitates) and
up to their capacity of mentees. Meetings, the message thread, goals, journey
progress and feedback are the relationship's, so every member shares them.

Every function here is one business action: it authorizes ``by``, runs in one
transaction, writes an audit entry, tells the people concerned through
``notifications.notify()`` after commit, or raises :class:`MentoringError` and
writes nothing. Seats are counted under a row lock on the circle (and the
mentee's application), so parallel joins never fill a circle past its size.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_mentoring import audit, dispatch
from wagtail_mentoring.engagement.services import cancel_upcoming_meetings
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.permissions import can_administer, require
from wagtail_mentoring.programs.models import (
    GIVING_ROLES,
    OPEN_RELATIONSHIP_STATUSES,
    Enrollment,
    EnrollmentStatus,
    ProgramKind,
    ProgramPage,
    Relationship,
    RelationshipMember,
    RelationshipStatus,
    Role,
)
from wagtail_mentoring.programs.services import (
    change_relationship_status,
    start_relationship,
)

TOPIC_MAX = 200

#: Someone joined or left a circle (``relationship``), inside the transaction:
#: journeys recount the circle's progress, which waits for every member.
members_changed = Signal()


def _notify(circle_id: int, event: str, subject_id, by_id) -> None:
    # Tasks call services, so services name their tasks.
    dispatch.enqueue(
        "wagtail_mentoring.engagement.tasks.send_circle_emails",
        circle_id,
        event,
        str(subject_id) if subject_id is not None else None,
        str(by_id) if by_id is not None else None,
        timezone.now().isoformat(),
    )


def _check_group(program: ProgramPage) -> None:
    if program.kind != ProgramKind.GROUP:
        raise MentoringError(
            _("%(program)s is not a group mentoring program.")
            % {"program": program.title},
            code="not_group",
        )


def _lock_circle(circle: Relationship) -> Relationship:
    """The circle under a row lock, with its members, or a refusal if closed."""
    circle = (
        Relationship.objects.select_for_update(of=("self",))
        .select_related("program")
        .get(pk=circle.pk)
    )
    _check_group(circle.program)
    if not circle.is_open:
        raise MentoringError(_("This circle has ended."), code="closed")
    return circle


def _members(circle: Relationship) -> list[RelationshipMember]:
    return list(
        RelationshipMember.objects.filter(relationship=circle)
        .select_related("user", "enrollment")
        .order_by("role", "pk")
    )


def _seats(circle: Relationship, members: list[RelationshipMember]) -> int:
    facilitator = next((m for m in members if m.role in GIVING_ROLES), None)
    enrollment = facilitator.enrollment if facilitator else None
    return (
        enrollment.capacity if enrollment and enrollment.capacity else None
    ) or circle.program.default_mentor_capacity


def _mentee_enrollment(program: ProgramPage, user, *, lock: bool) -> Enrollment:
    enrollments = Enrollment.objects.filter(
        program=program,
        user=user,
        role=Role.MENTEE,
        status=EnrollmentStatus.APPROVED,
    )
    if lock:
        enrollments = enrollments.select_for_update(of=("self",))
    enrollment = enrollments.first()
    if enrollment is None:
        raise MentoringError(
            _(
                "%(name)s needs an approved application as a mentee in "
                "%(program)s to join a circle."
            )
            % {"name": display_name(user), "program": program.title},
            code="not_enrolled",
        )
    return enrollment


def _check_free(program: ProgramPage, user, *, leaving: Relationship | None = None):
    """Refuse when ``user`` already has as many circles as a mentee may have."""
    held = (
        RelationshipMember.objects.filter(
            user=user,
            role=Role.MENTEE,
            relationship__program=program,
            relationship__status__in=OPEN_RELATIONSHIP_STATUSES,
        )
        .exclude(relationship=leaving)
        .count()
    )
    if held >= program.mentors_per_mentee:
        raise MentoringError(
            _("%(name)s is already in a circle of %(program)s.")
            % {"name": display_name(user), "program": program.title},
            code="already_in_circle",
        )


def _add(circle: Relationship, user, enrollment: Enrollment) -> RelationshipMember:
    members = _members(circle)
    if any(m.user_id == user.pk for m in members):
        raise MentoringError(
            _("%(name)s is already in this circle.") % {"name": display_name(user)},
            code="member",
        )
    taken = sum(1 for m in members if m.role not in GIVING_ROLES)
    if taken >= _seats(circle, members):
        raise MentoringError(_("This circle is full."), code="full")
    return RelationshipMember.objects.create(
        relationship=circle, user=user, role=Role.MENTEE, enrollment=enrollment
    )


def _check_active(user) -> None:
    if user is None or not user.is_active:
        raise MentoringError(
            _("This account is inactive and cannot take part in programs."),
            code="inactive_user",
        )


# --- Forming circles ------------------------------------------------------------


def form_circle(
    program: ProgramPage,
    facilitator,
    by,
    *,
    topic: str = "",
    open_to_join: bool = False,
) -> Relationship:
    """Open a circle led by ``facilitator`` (an approved mentor of ``program``).

    A program admin forms it, or the mentor themselves. A mentor leads one open
    circle per program: their capacity is its size.
    """
    _check_group(program)
    require(
        by is not None and (by.pk == facilitator.pk or can_administer(by, program)),
        _("Only the program's admins or the mentor can form this circle."),
    )
    topic = topic.strip()
    if len(topic) > TOPIC_MAX:
        raise MentoringError(_("The topic is too long."), code="topic")
    _check_active(facilitator)
    with transaction.atomic():
        mentor = (
            Enrollment.objects.select_for_update(of=("self",))
            .filter(
                program=program,
                user=facilitator,
                role=Role.MENTOR,
                status=EnrollmentStatus.APPROVED,
            )
            .first()
        )
        if mentor is None:
            raise MentoringError(
                _("%(name)s is not an approved mentor of %(program)s.")
                % {"name": display_name(facilitator), "program": program.title},
                code="not_enrolled",
            )
        if open_circle_of(program, facilitator) is not None:
            raise MentoringError(
                _("%(name)s already leads a circle in %(program)s.")
                % {"name": display_name(facilitator), "program": program.title},
                code="has_circle",
            )
        circle = start_relationship(program, [(facilitator, Role.MENTOR)], by)
        circle.topic = topic
        circle.open_to_join = open_to_join
        circle.save(update_fields=["topic", "open_to_join"])
        audit.record(
            circle,
            "wagtail_mentoring.circle.form",
            user=by,
            topic=topic,
            open_to_join=open_to_join,
        )
    return circle


def open_circle_of(program: ProgramPage, facilitator) -> Relationship | None:
    """The open circle ``facilitator`` leads in ``program``, if any."""
    return (
        Relationship.objects.open()
        .filter(
            program=program,
            members__user=facilitator,
            members__role__in=GIVING_ROLES,
        )
        .order_by("pk")
        .first()
    )


def update_circle(
    circle: Relationship, by, *, topic: str, open_to_join: bool
) -> Relationship:
    """The facilitator or a program admin changes the topic or opens/closes
    the circle to mentees joining themselves."""
    topic = topic.strip()
    if len(topic) > TOPIC_MAX:
        raise MentoringError(_("The topic is too long."), code="topic")
    with transaction.atomic():
        circle = _lock_circle(circle)
        facilitator = next(
            (m for m in _members(circle) if m.role in GIVING_ROLES), None
        )
        require(
            by is not None
            and (
                (facilitator is not None and facilitator.user_id == by.pk)
                or can_administer(by, circle.program)
            ),
            _("Only the facilitator or the program's admins can change the circle."),
        )
        circle.topic = topic
        circle.open_to_join = open_to_join
        circle.save(update_fields=["topic", "open_to_join"])
        audit.record(
            circle,
            "wagtail_mentoring.circle.update",
            user=by,
            topic=topic,
            open_to_join=open_to_join,
        )
    return circle


def add_to_circle(
    circle: Relationship, mentee, by, *, announce: bool = True
) -> RelationshipMember:
    """Put ``mentee`` into ``circle``: they join an open circle themselves, or
    a program admin places them (any circle with a seat). ``announce=False``
    when the caller tells them itself (publishing matches emails both sides).

    The circle's row is locked while seats are counted, and the mentee's
    application while their other circles are, so two joins at once can never
    fill a circle past its size or put one person in two circles.
    """
    require(by is not None, _("Sign in to join a circle."))
    with transaction.atomic():
        circle = _lock_circle(circle)
        program = circle.program
        admin = can_administer(by, program)
        require(
            by.pk == mentee.pk or admin,
            _("Only the program's admins can place someone else in a circle."),
        )
        if not admin and not circle.open_to_join:
            raise MentoringError(
                _("This circle is not open for joining."), code="not_open"
            )
        _check_active(mentee)
        enrollment = _mentee_enrollment(program, mentee, lock=True)
        _check_free(program, mentee)
        member = _add(circle, mentee, enrollment)
        members_changed.send(Relationship, relationship=circle)
        event = "joined" if by.pk == mentee.pk else "placed"
        audit.record(
            circle,
            f"wagtail_mentoring.circle.{event}",
            user=by,
            member=str(mentee.pk),
        )
        if announce:
            _notify(circle.pk, event, mentee.pk, by.pk)
    return member


def join_circle(circle: Relationship, by) -> RelationshipMember:
    """A mentee joins an open circle with a seat left."""
    return add_to_circle(circle, by, by)


def leave_circle(circle: Relationship, member_user, by, *, reason: str = "") -> None:
    """A mentee leaves (or a program admin takes them out of) a circle.

    The facilitator does not leave: ending the circle is :func:`end_circle`.
    What the member wrote (messages, goals, feedback) stays with the circle.
    """
    require(by is not None, _("Sign in to leave a circle."))
    with transaction.atomic():
        circle = _lock_circle(circle)
        require(
            by.pk == member_user.pk or can_administer(by, circle.program),
            _("Only the member or the program's admins can do that."),
        )
        member = (
            RelationshipMember.objects.select_for_update()
            .filter(relationship=circle, user=member_user)
            .first()
        )
        if member is None:
            raise MentoringError(
                _("%(name)s is not in this circle.")
                % {"name": display_name(member_user)},
                code="not_member",
            )
        if member.role in GIVING_ROLES:
            raise MentoringError(
                _("The facilitator cannot leave the circle; end it instead."),
                code="facilitator",
            )
        member.delete()
        members_changed.send(Relationship, relationship=circle)
        audit.record(
            circle,
            "wagtail_mentoring.circle.leave",
            user=by,
            member=str(member_user.pk),
            reason=reason.strip(),
        )
        _notify(circle.pk, "left", member_user.pk, by.pk)


def move_to_circle(
    source: Relationship, target: Relationship, member_user, by
) -> RelationshipMember:
    """A program admin moves a mentee from one circle of a program to another
    with a seat; both facilitators and the mentee are told."""
    require(by is not None, _("Only the program's admins can move people."))
    if source.pk == target.pk:
        raise MentoringError(
            _("Choose a different circle to move to."), code="same_circle"
        )
    with transaction.atomic():
        # Both rows, in primary-key order: two moves at once cannot deadlock.
        first, second = sorted([source, target], key=lambda c: c.pk)
        locked = {c.pk: _lock_circle(c) for c in (first, second)}
        source, target = locked[source.pk], locked[target.pk]
        require(
            can_administer(by, source.program),
            _("Only the program's admins can move people between circles."),
        )
        if source.program_id != target.program_id:
            raise MentoringError(
                _("Both circles must belong to the same program."),
                code="program",
            )
        member = (
            RelationshipMember.objects.select_for_update()
            .filter(relationship=source, user=member_user)
            .first()
        )
        if member is None or member.role in GIVING_ROLES:
            raise MentoringError(
                _("%(name)s is not a mentee of this circle.")
                % {"name": display_name(member_user)},
                code="not_member",
            )
        enrollment = member.enrollment
        member.delete()
        moved = _add(target, member_user, enrollment)
        for changed in (source, target):
            members_changed.send(Relationship, relationship=changed)
        audit.record(
            target,
            "wagtail_mentoring.circle.move",
            user=by,
            member=str(member_user.pk),
            source=source.pk,
        )
        _notify(source.pk, "moved_out", member_user.pk, by.pk)
        _notify(target.pk, "moved_in", member_user.pk, by.pk)
    return moved


def end_circle(circle: Relationship, by, *, reason: str, now=None) -> Relationship:
    """The facilitator or a program admin ends the circle for everyone: the
    upcoming meetings are cancelled and every member is told."""
    now = now or timezone.now()
    if not reason.strip():
        raise MentoringError(_("Please say why the circle ends."), code="reason")
    require(by is not None, _("Sign in to end a circle."))
    with transaction.atomic():
        circle = _lock_circle(circle)
        facilitator = next(
            (m for m in _members(circle) if m.role in GIVING_ROLES), None
        )
        require(
            (facilitator is not None and facilitator.user_id == by.pk)
            or can_administer(by, circle.program),
            _("Only the facilitator or the program's admins can end the circle."),
        )
        circle = change_relationship_status(
            circle, RelationshipStatus.ENDED_EARLY, by, reason=reason.strip()
        )
        cancel_upcoming_meetings(circle, now)
        audit.record(circle, "wagtail_mentoring.circle.end", user=by)
        _notify(circle.pk, "ended", None, by.pk)
    return circle
