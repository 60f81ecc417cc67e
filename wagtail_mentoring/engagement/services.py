"""Business actions of a relationship's space: meetings, goals, messages,
feedback and the relationship's end, extension or rematch.

Every function is one transaction that validates, writes, records an audit
entry and enqueues its notifications after commit, or raises
:class:`MentoringError` and writes nothing. Membership is checked here because
"members see their own relationships only" is data, not a permission; callers
check anything else (program admin rights).
"""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_mentoring import audit, dispatch
from wagtail_mentoring.engagement.mentor_requests import (  # noqa: F401 (re-exports)
    accept_request,
    decline_request,
    expire_requests,
    send_request,
    withdraw_request,
)
from wagtail_mentoring.engagement.models import (
    CalendarFeed,
    Feedback,
    FeedbackKind,
    FeedbackVisibility,
    Goal,
    GoalCheckIn,
    GoalStatus,
    Meeting,
    MeetingStatus,
    Message,
    new_feed_token,
)
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.people.users import local_today
from wagtail_mentoring.programs.models import (
    GIVING_ROLES,
    Relationship,
    RelationshipMember,
    RelationshipStatus,
)
from wagtail_mentoring.programs.services import change_relationship_status

#: How long before its planned end a pair may give final feedback.
FINAL_FEEDBACK_WINDOW = timedelta(days=14)
#: How long after its end My mentoring still asks a pair for final feedback.
FINAL_FEEDBACK_REMINDED_FOR = timedelta(days=60)

#: A goal was achieved (``goal``, ``by``), inside the transaction that marked it.
goal_achieved = Signal()


def _check_member(relationship: Relationship, user) -> None:
    if not relationship.members.filter(user=user).exists():
        raise MentoringError(
            _("Only members of this relationship can do that."), code="not_member"
        )


def _lock_open(relationship: Relationship, what: str) -> Relationship:
    # Read the status under a lock: the caller's copy may be stale.
    relationship = (
        Relationship.objects.select_for_update()
        .select_related("program")
        .get(pk=relationship.pk)
    )
    if not relationship.is_open:
        raise MentoringError(
            _("%(what)s only while the relationship is open.") % {"what": what},
            code="closed",
        )
    return relationship


def _on_commit(task_name: str, *args) -> None:
    # Tasks call these services, so services name their tasks.
    dispatch.enqueue(f"wagtail_mentoring.engagement.tasks.{task_name}", *args)


# Goals ---------------------------------------------------------------------


def create_goal(
    relationship: Relationship,
    owner,
    *,
    title: str,
    target_date,
    measure: str = "",
    why: str = "",
    source_step_id: str = "",
    shared: bool = False,
) -> Goal:
    """A member sets a SMART goal; it must be in the future and the pair open.

    In a circle a goal is either the member's own or ``shared`` by the circle.
    """
    _check_member(relationship, owner)
    if shared and not relationship.is_circle:
        raise MentoringError(_("Only a circle has shared goals."), code="not_circle")
    if not title.strip():
        raise MentoringError(_("Please name the goal."), code="title")
    if target_date < local_today(owner):
        raise MentoringError(_("The target date must not be in the past."), code="date")
    with transaction.atomic():
        relationship = Relationship.objects.select_for_update().get(pk=relationship.pk)
        if not relationship.is_open:
            raise MentoringError(
                _("Goals can only be added while the relationship is open."),
                code="closed",
            )
        goal = Goal.objects.create(
            relationship=relationship,
            owner=owner,
            title=title.strip(),
            target_date=target_date,
            measure=measure,
            why=why,
            source_step_id=source_step_id,
            shared=shared,
        )
        audit.record(goal, "wagtail_mentoring.goal.create", user=owner, shared=shared)
    return goal


def update_goal(
    goal: Goal,
    by,
    *,
    title: str,
    target_date,
    measure: str = "",
    why: str = "",
    status: str | None = None,
) -> Goal:
    """The goal's owner refines it, or marks it achieved or dropped."""
    if goal.owner_id != by.pk:
        raise MentoringError(
            _("Only the person who set a goal can change it."), code="not_owner"
        )
    if not title.strip():
        raise MentoringError(_("Please name the goal."), code="title")
    if status is not None and status not in GoalStatus.values:
        raise MentoringError(_("Unknown goal status."), code="status")
    with transaction.atomic():
        goal = Goal.objects.select_for_update().get(pk=goal.pk)
        if target_date != goal.target_date and target_date < local_today(by):
            raise MentoringError(
                _("The target date must not be in the past."), code="date"
            )
        goal.title = title.strip()
        goal.target_date = target_date
        goal.measure = measure
        goal.why = why
        was_achieved = goal.status == GoalStatus.ACHIEVED
        if status is not None:
            goal.status = status
        goal.save()
        audit.record(goal, "wagtail_mentoring.goal.update", user=by, status=goal.status)
        if goal.status == GoalStatus.ACHIEVED and not was_achieved:
            goal_achieved.send(sender=Goal, goal=goal, by=by)
    return goal


def check_in_goal(goal: Goal, by, *, progress: int, note: str = "") -> GoalCheckIn:
    """A member reports progress (0–100); 100 marks the goal achieved."""
    _check_member(goal.relationship, by)
    if not 0 <= progress <= 100:
        raise MentoringError(_("Progress is a percentage from 0 to 100."), code="range")
    with transaction.atomic():
        goal = Goal.objects.select_for_update().get(pk=goal.pk)
        if goal.status == GoalStatus.DROPPED:
            raise MentoringError(
                _("This goal was dropped; reopen it to check in."), code="dropped"
            )
        check_in = GoalCheckIn.objects.create(
            goal=goal, author=by, progress=progress, note=note
        )
        goal.progress = progress
        was_achieved = goal.status == GoalStatus.ACHIEVED
        if progress == 100:
            goal.status = GoalStatus.ACHIEVED
        elif goal.status == GoalStatus.ACHIEVED:
            goal.status = GoalStatus.OPEN
        goal.save(update_fields=["progress", "status", "updated_at"])
        audit.record(
            goal, "wagtail_mentoring.goal.check_in", user=by, progress=progress
        )
        if goal.status == GoalStatus.ACHIEVED and not was_achieved:
            goal_achieved.send(sender=Goal, goal=goal, by=by)
    return check_in


# Meetings ------------------------------------------------------------------


def _validate_meeting(
    *,
    title: str,
    starts_at,
    duration_minutes: int,
    timezone_name: str,
    now,
    upcoming: bool = True,
) -> None:
    """Checks every meeting passes; ``upcoming`` ones must also start later."""
    if not title.strip():
        raise MentoringError(_("Please give the meeting a title."), code="title")
    if timezone.is_naive(starts_at):
        raise MentoringError(_("The start time needs a time zone."), code="naive")
    if upcoming and starts_at <= now:
        raise MentoringError(_("Meetings must start in the future."), code="past")
    if not 5 <= duration_minutes <= 480:
        raise MentoringError(
            _("A meeting lasts between 5 minutes and 8 hours."), code="duration"
        )
    if timezone_name and timezone_name not in zoneinfo.available_timezones():
        raise MentoringError(
            _("%(tz)s is not a known time zone.") % {"tz": timezone_name},
            code="timezone",
        )


def schedule_meeting(
    relationship: Relationship,
    by,
    *,
    title: str,
    starts_at,
    duration_minutes: int = 45,
    timezone_name: str = "",
    location: str = "",
    agenda: str = "",
    now=None,
) -> Meeting:
    """A member schedules a meeting; every member gets an iCalendar invite."""
    now = now or timezone.now()
    _check_member(relationship, by)
    _validate_meeting(
        title=title,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        timezone_name=timezone_name,
        now=now,
    )
    with transaction.atomic():
        relationship = _lock_open(relationship, _("Meetings can be scheduled"))
        meeting = Meeting.objects.create(
            relationship=relationship,
            title=title.strip(),
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            timezone=timezone_name,
            location=location.strip(),
            agenda=agenda,
            created_by=by,
        )
        audit.record(meeting, "wagtail_mentoring.meeting.schedule", user=by)
        _on_commit("send_meeting_invites", meeting.pk, meeting.sequence)
    return meeting


def log_past_meeting(
    relationship: Relationship,
    by,
    *,
    title: str,
    starts_at,
    duration_minutes: int = 45,
    timezone_name: str = "",
    notes: str = "",
    now=None,
) -> Meeting:
    """A member records a meeting the pair had without scheduling it here.

    It is saved as held (no invitations: it is over), so journey steps that
    wait for the pair to meet see it and its feedback opens at once.
    """
    now = now or timezone.now()
    _check_member(relationship, by)
    _validate_meeting(
        title=title,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        timezone_name=timezone_name,
        now=now,
        upcoming=False,
    )
    if starts_at + timedelta(minutes=duration_minutes) > now:
        raise MentoringError(
            _("Only a meeting that is over can be logged; schedule one to come."),
            code="future",
        )
    with transaction.atomic():
        relationship = _lock_open(relationship, _("Meetings can be logged"))
        started = relationship.started_on
        if started and timezone.localdate(starts_at) < started:
            raise MentoringError(
                _("That is before your relationship started."), code="too_early"
            )
        meeting = Meeting(
            relationship=relationship,
            title=title.strip(),
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            timezone=timezone_name,
            notes=notes,
            status=MeetingStatus.HELD,
            created_by=by,
        )
        meeting.save()
        audit.record(meeting, "wagtail_mentoring.meeting.log", user=by)
    return meeting


def reschedule_meeting(
    meeting: Meeting,
    by,
    *,
    title: str,
    starts_at,
    duration_minutes: int,
    timezone_name: str = "",
    location: str = "",
    agenda: str = "",
    now=None,
) -> Meeting:
    """Move or edit an upcoming meeting; the invite is re-sent as an update
    (same UID, SEQUENCE + 1)."""
    now = now or timezone.now()
    _check_member(meeting.relationship, by)
    _validate_meeting(
        title=title,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        timezone_name=timezone_name,
        now=now,
    )
    with transaction.atomic():
        _lock_open(meeting.relationship, _("Meetings can be changed"))
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _check_changeable(meeting, now)
        meeting.title = title.strip()
        meeting.starts_at = starts_at
        meeting.duration_minutes = duration_minutes
        meeting.timezone = timezone_name
        meeting.location = location.strip()
        meeting.agenda = agenda
        meeting.sequence += 1
        meeting.save()
        audit.record(
            meeting,
            "wagtail_mentoring.meeting.reschedule",
            user=by,
            starts_at=starts_at.isoformat(),
        )
        _on_commit("send_meeting_invites", meeting.pk, meeting.sequence)
    return meeting


def _check_changeable(meeting: Meeting, now) -> None:
    if meeting.is_cancelled:
        raise MentoringError(_("This meeting was cancelled."), code="cancelled")
    if meeting.starts_at <= now:
        raise MentoringError(_("This meeting has already started."), code="started")


def cancel_meeting(meeting: Meeting, by, *, now=None) -> Meeting:
    """Cancel an upcoming meeting; members get an iCalendar CANCEL."""
    now = now or timezone.now()
    _check_member(meeting.relationship, by)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _check_changeable(meeting, now)
        _cancel(meeting, now)
        audit.record(meeting, "wagtail_mentoring.meeting.cancel", user=by)
    return meeting


def _cancel(meeting: Meeting, now) -> None:
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_at = now
    meeting.sequence += 1
    meeting.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
    _on_commit("send_meeting_invites", meeting.pk, meeting.sequence)


def save_meeting_notes(meeting: Meeting, by, *, notes: str) -> Meeting:
    """Members keep shared notes of a meeting; nobody else ever reads them."""
    _check_member(meeting.relationship, by)
    if len(notes) > 20000:
        raise MentoringError(_("The notes are too long."), code="length")
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        meeting.notes = notes
        meeting.save(update_fields=["notes", "updated_at"])
        # The audit entry says that notes changed, never what they say.
        audit.record(meeting, "wagtail_mentoring.meeting.notes", user=by)
    return meeting


# Messages ------------------------------------------------------------------


def send_message(relationship: Relationship, by, *, body: str, now=None) -> Message:
    """A member writes to the thread; the others are emailed a link."""
    now = now or timezone.now()
    _check_member(relationship, by)
    body = body.strip()
    if not body:
        raise MentoringError(_("Please write a message."), code="empty")
    if len(body) > 5000:
        raise MentoringError(
            _("Please keep a message under 5000 characters."), code="length"
        )
    with transaction.atomic():
        relationship = _lock_open(relationship, _("Messages can be sent"))
        message = Message.objects.create(
            relationship=relationship, author=by, body=body, created_at=now
        )
        RelationshipMember.objects.filter(relationship=relationship, user=by).update(
            messages_read_at=now
        )
        audit.record(message, "wagtail_mentoring.message.send", user=by)
        _on_commit("send_message_notifications", message.pk)
    return message


def mark_thread_read(relationship: Relationship, user, now=None) -> None:
    """Remember that ``user`` has read the thread up to now (no audit entry)."""
    RelationshipMember.objects.filter(relationship=relationship, user=user).update(
        messages_read_at=now or timezone.now()
    )


# Feedback ------------------------------------------------------------------


def final_feedback_opens_on(relationship: Relationship):
    """The day final feedback opens: two weeks before the planned end, or at
    once when the relationship has ended; ``None`` while no end is planned."""
    if not relationship.is_open:
        return relationship.ended_at and timezone.localdate(relationship.ended_at)
    if relationship.ends_on is None:
        return None
    return relationship.ends_on - FINAL_FEEDBACK_WINDOW


def final_feedback_is_open(relationship: Relationship, now=None) -> bool:
    if not relationship.is_open:
        return True
    opens = final_feedback_opens_on(relationship)
    return opens is not None and timezone.localdate(now or timezone.now()) >= opens


def give_feedback(
    relationship: Relationship,
    by,
    *,
    rating: int,
    comment: str = "",
    visibility: str = FeedbackVisibility.PARTNER,
    meeting: Meeting | None = None,
    now=None,
) -> Feedback:
    """Rate a meeting that took place, or the relationship at its end.

    ``visibility`` is the author's choice: shared with the partner, or only for
    the program admins.
    """
    now = now or timezone.now()
    _check_member(relationship, by)
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise MentoringError(_("Please rate from 1 to 5."), code="rating")
    if visibility not in FeedbackVisibility.values:
        raise MentoringError(_("Please choose who sees it."), code="visibility")
    if len(comment) > 4000:
        raise MentoringError(_("The comment is too long."), code="length")
    if meeting is not None:
        if meeting.relationship_id != relationship.pk:
            raise MentoringError(
                _("That meeting belongs to another relationship."), code="meeting"
            )
        if meeting.is_cancelled or meeting.starts_at > now:
            raise MentoringError(
                _("Feedback is for meetings that took place."), code="not_held"
            )
        kind = FeedbackKind.MEETING
        duplicate = Feedback.objects.filter(author=by, meeting=meeting, kind=kind)
    else:
        relationship.refresh_from_db(fields=["status", "ends_on"])
        if not final_feedback_is_open(relationship, now):
            raise MentoringError(
                _("Final feedback opens two weeks before the relationship ends."),
                code="too_early",
            )
        kind = FeedbackKind.FINAL
        duplicate = Feedback.objects.filter(
            author=by, relationship=relationship, kind=kind
        )
    if duplicate.exists():
        raise MentoringError(_("You already gave this feedback."), code="duplicate")
    try:
        with transaction.atomic():
            feedback = Feedback.objects.create(
                relationship=relationship,
                meeting=meeting,
                author=by,
                kind=kind,
                rating=rating,
                comment=comment.strip(),
                visibility=visibility,
                created_at=now,
            )
            audit.record(
                feedback,
                "wagtail_mentoring.feedback.give",
                user=by,
                kind=kind,
                visibility=visibility,
            )
    except IntegrityError:
        raise MentoringError(_("You already gave this feedback."), code="duplicate")
    return feedback


# The relationship's course -------------------------------------------------


def cancel_upcoming_meetings(relationship: Relationship, now) -> None:
    """Cancel the relationship's meetings still to come (it ends); members get
    the calendar cancellation. Call inside the ending transaction."""
    for meeting in Meeting.objects.select_for_update().filter(
        relationship=relationship,
        status=MeetingStatus.SCHEDULED,
        starts_at__gt=now,
    ):
        _cancel(meeting, now)


def _check_not_circle_mentee(relationship: Relationship, by) -> None:
    # One mentee must not end the circle of all the others: they leave it.
    if (
        relationship.is_circle
        and not relationship.members.filter(user=by, role__in=GIVING_ROLES).exists()
    ):
        raise MentoringError(
            _("Leave the circle instead: its facilitator ends it for everyone."),
            code="circle_member",
        )


def end_relationship(relationship: Relationship, by, *, reason: str, now=None):
    """A member ends the relationship early; a reason is required and the
    partner is told. Upcoming meetings are cancelled. In a circle only the
    facilitator ends it (mentees leave)."""

    now = now or timezone.now()
    _check_member(relationship, by)
    _check_not_circle_mentee(relationship, by)
    if not reason.strip():
        raise MentoringError(_("Please say why the relationship ends."), code="reason")
    with transaction.atomic():
        relationship = change_relationship_status(
            relationship, RelationshipStatus.ENDED_EARLY, by, reason=reason.strip()
        )
        cancel_upcoming_meetings(relationship, now)
        _on_commit("send_relationship_emails", relationship.pk, "ended", str(by.pk))
    return relationship


def request_rematch(relationship: Relationship, by, *, reason: str, now=None):
    """A member asks for a different partner: the relationship ends early, the
    program admins are told, and the member's application stays approved so
    they can be matched (or choose) again."""
    now = now or timezone.now()
    _check_member(relationship, by)
    _check_not_circle_mentee(relationship, by)
    if not reason.strip():
        raise MentoringError(
            _("Please say why you would like a different match."), code="reason"
        )
    with transaction.atomic():
        relationship = end_relationship(
            relationship,
            by,
            reason=_("Rematch requested: %(reason)s") % {"reason": reason.strip()},
            now=now,
        )
        relationship.rematch_requested_by = by
        relationship.save(update_fields=["rematch_requested_by"])
        audit.record(relationship, "wagtail_mentoring.relationship.rematch", user=by)
        _on_commit("send_relationship_emails", relationship.pk, "rematch", str(by.pk))
    return relationship


def extend_relationship(relationship: Relationship, by, *, weeks: int):
    """A member extends the planned end, within the program's limits."""
    _check_member(relationship, by)
    with transaction.atomic():
        relationship = _lock_open(relationship, _("Relationships can be extended"))
        program = relationship.program
        if relationship.extensions_used >= program.max_extensions:
            raise MentoringError(
                _("This program allows no more extensions."), code="limit"
            )
        if not 1 <= weeks <= program.max_extension_weeks:
            raise MentoringError(
                _("An extension is 1 to %(max)d weeks.")
                % {"max": program.max_extension_weeks},
                code="weeks",
            )
        start_from = max(
            relationship.ends_on or timezone.localdate(), timezone.localdate()
        )
        previous = relationship.ends_on
        relationship.ends_on = start_from + timedelta(weeks=weeks)
        relationship.extensions_used += 1
        relationship.save(update_fields=["ends_on", "extensions_used"])
        audit.record(
            relationship,
            "wagtail_mentoring.relationship.extend",
            user=by,
            previous=previous.isoformat() if previous else None,
            ends_on=relationship.ends_on.isoformat(),
        )
        _on_commit("send_relationship_emails", relationship.pk, "extended", str(by.pk))
    return relationship


def complete_due_relationships(today=None) -> list[int]:
    """Complete open relationships whose planned end date has passed.

    Run daily by Celery beat; safe to run twice (completed ones are skipped).
    """

    today = today or timezone.localdate()
    now = timezone.now()
    due = list(
        Relationship.objects.filter(
            status__in=[RelationshipStatus.ACTIVE, RelationshipStatus.PAUSED],
            ends_on__lt=today,
        ).values_list("pk", flat=True)
    )
    done = []
    for pk in due:
        with transaction.atomic():
            relationship = Relationship.objects.select_for_update().get(pk=pk)
            if not relationship.can_become(RelationshipStatus.COMPLETED):
                continue
            change_relationship_status(relationship, RelationshipStatus.COMPLETED, None)
            cancel_upcoming_meetings(relationship, now)
            _on_commit("send_relationship_emails", pk, "completed", None)
            done.append(pk)
    return done


def mark_meetings_held(now=None) -> int:
    """Scheduled meetings whose end has passed become held.

    Run by Celery beat. Each meeting is saved on its own (not a bulk update) so
    that what reacts to a held meeting — a journey's "pair has met" steps — sees
    it. Safe to run twice: held meetings are no longer scheduled.
    """
    now = now or timezone.now()
    held = 0
    candidates = Meeting.objects.filter(
        status=MeetingStatus.SCHEDULED, starts_at__lte=now
    ).values_list("pk", flat=True)
    for pk in list(candidates):
        with transaction.atomic():
            meeting = Meeting.objects.select_for_update().get(pk=pk)
            if meeting.status != MeetingStatus.SCHEDULED or meeting.ends_at > now:
                continue
            meeting.status = MeetingStatus.HELD
            meeting.save(update_fields=["status", "updated_at"])
            held += 1
    return held


# Calendar feed -------------------------------------------------------------


def calendar_feed(user):
    """The user's private calendar feed, or ``None`` until they create one."""
    return CalendarFeed.objects.filter(user=user).first()


def create_calendar_feed(user):
    """Make the user's private calendar feed (a second call returns it)."""
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


def revoke_calendar_feed(user):
    """Replace the feed token: the old URL stops working at once."""

    with transaction.atomic():
        feed, _created = CalendarFeed.objects.select_for_update().get_or_create(
            user=user
        )
        feed.token = new_feed_token()
        feed.created_at = timezone.now()
        feed.save(update_fields=["token", "created_at"])
        audit.record(feed, "wagtail_mentoring.calendar.revoke", user=user)
    return feed
