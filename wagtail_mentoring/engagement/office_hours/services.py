"""Business actions of flash mentoring: publish office hours, book, cancel,
reschedule, record no-shows and feedback, suggest continuing.

Every booking change locks the mentor's enrollment row first, then the slot
rows (in primary-key order), so two people booking the last seat, or the last
booking of the mentor's week, at the same moment wait for each other: one
gets it, the other a clear refusal. Nothing is written when a rule refuses.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_mentoring import audit, dispatch
from wagtail_mentoring.engagement import mentor_requests
from wagtail_mentoring.engagement.office_hours.models import (
    Booking,
    BookingStatus,
    OfficeHours,
    OfficeHourSlot,
    Recurrence,
)
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.permissions import can_administer, is_active_user, require
from wagtail_mentoring.programs.models import (
    Enrollment,
    EnrollmentStatus,
    ProgramKind,
    ProgramPage,
    Role,
)

MAX_TEXT = 500


def _notify(booking_id: int, event: str) -> None:
    dispatch.enqueue(
        "wagtail_mentoring.engagement.office_hours.tasks.send_booking_emails",
        booking_id,
        event,
    )


def _zone(name: str):
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise MentoringError(
            _("“%(zone)s” is not a time zone we know.") % {"zone": name},
            code="timezone",
        ) from None


def _lock_enrollment(pk: int) -> Enrollment:
    return (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("program", "user")
        .get(pk=pk)
    )


def _require_mentor_or_admin(by, office_hours: OfficeHours, message: str) -> None:
    require(
        is_active_user(by)
        and (
            by.pk == office_hours.mentor_id or can_administer(by, office_hours.program)
        ),
        message,
    )


def _overlapping(mentor_id, starts_at, ends_at, exclude_slot=None):
    slots = OfficeHourSlot.objects.open().filter(
        mentor_id=mentor_id, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if exclude_slot is not None:
        slots = slots.exclude(pk=exclude_slot)
    return slots


def publish_office_hours(
    enrollment: Enrollment,
    by,
    *,
    title: str,
    starts: datetime,
    ends: datetime,
    timezone_name: str,
    recurrence: str = Recurrence.ONCE,
    weeks: int = 1,
    capacity: int = 1,
    topics: str = "",
    book_ahead_days: int = 14,
    weekly_limit: int = 5,
    cutoff_hours: int = 12,
    location: str = "",
    now=None,
) -> OfficeHours:
    """A mentor of a flash program offers conversations.

    ``starts`` and ``ends`` are naive wall-clock times of the first slot in
    ``timezone_name`` (the mentor's zone); a weekly series repeats them at the
    same local time for ``weeks`` weeks, across daylight-saving changes.
    """
    now = now or timezone.now()
    program = enrollment.program
    require(
        is_active_user(by)
        and (by.pk == enrollment.user_id or can_administer(by, program)),
        _("Only the mentor can publish their office hours."),
    )
    if program.kind != ProgramKind.FLASH:
        raise MentoringError(
            _("Office hours belong to flash mentoring programs."), code="kind"
        )
    title = title.strip()
    if not title or len(title) > 200:
        raise MentoringError(
            _("Give the office hours a title (at most 200 characters)."),
            code="title",
        )
    if len(topics) > 300 or len(location) > 300:
        raise MentoringError(
            _("Please keep topics and place under 300 characters."), code="text"
        )
    zone = _zone(timezone_name)
    if ends <= starts:
        raise MentoringError(_("The slot must end after it starts."), code="order")
    minutes = int((ends - starts).total_seconds() // 60)
    if not 10 <= minutes <= 240:
        raise MentoringError(
            _("A slot lasts between 10 minutes and 4 hours."), code="length"
        )
    if recurrence not in Recurrence.values:
        raise MentoringError(_("Choose how often it repeats."), code="recurrence")
    weeks = weeks if recurrence == Recurrence.WEEKLY else 1
    for value, low, high, message in (
        (weeks, 1, 26, _("A weekly series runs for 1 to 26 weeks.")),
        (capacity, 1, 50, _("A slot takes 1 to 50 people.")),
        (book_ahead_days, 1, 180, _("People may book 1 to 180 days ahead.")),
        (weekly_limit, 1, 100, _("The weekly limit is 1 to 100 bookings.")),
        (cutoff_hours, 0, 168, _("Changes close 0 to 168 hours before a slot.")),
    ):
        if not low <= value <= high:
            raise MentoringError(message, code="range")
    occurrences = []
    for week in range(weeks):
        # Add days to the wall-clock time, then localise: 10:00 stays 10:00
        # after the clocks change.
        local_start = (starts + timedelta(weeks=week)).replace(tzinfo=zone)
        local_end = (ends + timedelta(weeks=week)).replace(tzinfo=zone)
        occurrences.append(
            (
                local_start.astimezone(zoneinfo.ZoneInfo("UTC")),
                local_end.astimezone(zoneinfo.ZoneInfo("UTC")),
            )
        )
    if occurrences[0][0] <= now:
        raise MentoringError(_("The first slot must be in the future."), code="past")
    with transaction.atomic():
        enrollment = _lock_enrollment(enrollment.pk)
        if (
            enrollment.role != Role.MENTOR
            or enrollment.status != EnrollmentStatus.APPROVED
            or not enrollment.user.is_active
        ):
            raise MentoringError(
                _("Only approved mentors of the program publish office hours."),
                code="not_mentor",
            )
        for slot_start, slot_end in occurrences:
            clash = _overlapping(enrollment.user_id, slot_start, slot_end).first()
            if clash is not None:
                raise MentoringError(
                    _("This overlaps your office hours “%(title)s” on %(when)s.")
                    % {
                        "title": clash.office_hours.title,
                        "when": timezone.localtime(clash.starts_at, zone).strftime(
                            "%Y-%m-%d %H:%M"
                        ),
                    },
                    code="overlap",
                )
        office_hours = OfficeHours.objects.create(
            program=program,
            mentor_enrollment=enrollment,
            mentor=enrollment.user,
            title=title,
            topics=topics.strip(),
            timezone=timezone_name,
            first_starts_at=occurrences[0][0],
            duration_minutes=minutes,
            recurrence=recurrence,
            weeks=weeks,
            capacity=capacity,
            book_ahead_days=book_ahead_days,
            weekly_limit=weekly_limit,
            cutoff_hours=cutoff_hours,
            location=location.strip(),
            created_at=now,
        )
        OfficeHourSlot.objects.bulk_create(
            OfficeHourSlot(
                office_hours=office_hours,
                program=program,
                mentor=enrollment.user,
                starts_at=slot_start,
                ends_at=slot_end,
                capacity=capacity,
            )
            for slot_start, slot_end in occurrences
        )
        audit.record(
            office_hours,
            "wagtail_mentoring.office_hours.publish",
            user=by,
            slots=len(occurrences),
        )
    return office_hours


def _week_bounds(slot: OfficeHourSlot):
    """Monday 00:00 to the next Monday in the mentor's zone, around ``slot``."""
    zone = _zone(slot.office_hours.timezone)
    local = timezone.localtime(slot.starts_at, zone)
    monday = (local - timedelta(days=local.weekday())).date()
    start = datetime.combine(monday, datetime.min.time()).replace(tzinfo=zone)
    return start, start + timedelta(days=7)


def _check_bookable(slot: OfficeHourSlot, by, now, *, ignore: Booking | None = None):
    """Every rule a booking of ``slot`` must pass; ``slot`` is locked."""
    office_hours = slot.office_hours
    if slot.cancelled_at is not None:
        raise MentoringError(_("This slot was cancelled."), code="cancelled")
    if slot.starts_at <= now:
        raise MentoringError(_("This slot has already started."), code="past")
    if slot.change_deadline() <= now:
        raise MentoringError(
            _("Bookings for this slot closed %(hours)d hours before it.")
            % {"hours": office_hours.cutoff_hours},
            code="cutoff",
        )
    if slot.starts_at > now + timedelta(days=office_hours.book_ahead_days):
        raise MentoringError(
            _("This slot opens for booking %(days)d days before it.")
            % {"days": office_hours.book_ahead_days},
            code="too_early",
        )
    if slot.mentor_id == by.pk:
        raise MentoringError(_("You cannot book your own office hours."), code="self")
    booked = slot.bookings.filter(status=BookingStatus.BOOKED)
    if ignore is not None:
        booked = booked.exclude(pk=ignore.pk)
    if booked.filter(user=by).exists():
        raise MentoringError(_("You have already booked this slot."), code="duplicate")
    if booked.count() >= slot.capacity:
        raise MentoringError(_("This slot is full."), code="full")
    week_start, week_end = _week_bounds(slot)
    that_week = Booking.objects.filter(
        slot__mentor_id=slot.mentor_id,
        slot__program_id=slot.program_id,
        slot__starts_at__gte=week_start,
        slot__starts_at__lt=week_end,
        status=BookingStatus.BOOKED,
    )
    if ignore is not None:
        that_week = that_week.exclude(pk=ignore.pk)
    if that_week.count() >= office_hours.weekly_limit:
        raise MentoringError(
            _("This mentor takes at most %(n)d bookings a week; that week is full.")
            % {"n": office_hours.weekly_limit},
            code="weekly_limit",
        )
    clash = Booking.objects.filter(
        user=by,
        status=BookingStatus.BOOKED,
        slot__starts_at__lt=slot.ends_at,
        slot__ends_at__gt=slot.starts_at,
    )
    if ignore is not None:
        clash = clash.exclude(pk=ignore.pk)
    if clash.exists():
        raise MentoringError(
            _("You already have another booking at that time."), code="overlap"
        )


def _lock_slots(*slots: OfficeHourSlot) -> list[OfficeHourSlot]:
    """Lock the mentor's enrollment (it serialises their weekly limit), then
    the slots in primary-key order, and re-read them."""
    enrollment_ids = sorted({s.office_hours.mentor_enrollment_id for s in slots})
    for pk in enrollment_ids:
        _lock_enrollment(pk)
    rows = {
        s.pk: s
        for s in OfficeHourSlot.objects.select_for_update(of=("self",))
        .select_related("office_hours", "program")
        .filter(pk__in=[s.pk for s in slots])
        .order_by("pk")
    }
    return [rows[s.pk] for s in slots]


def book_slot(slot: OfficeHourSlot, by, *, question: str = "", now=None) -> Booking:
    """An employee books a seat in ``slot`` (and gets the invite)."""
    now = now or timezone.now()
    require(is_active_user(by), _("Sign in with an active account to book."))
    if len(question) > MAX_TEXT:
        raise MentoringError(
            _("Please keep your question under %(n)d characters.") % {"n": MAX_TEXT},
            code="question",
        )
    with transaction.atomic():
        (slot,) = _lock_slots(slot)
        _check_bookable(slot, by, now)
        try:
            with transaction.atomic():
                booking = Booking.objects.create(
                    slot=slot, user=by, question=question.strip(), created_at=now
                )
        except IntegrityError:
            raise MentoringError(
                _("You have already booked this slot."), code="duplicate"
            ) from None
        audit.record(booking, "wagtail_mentoring.office_hours.book", user=by)
        _notify(booking.pk, "booked")
    return booking


def _lock_booking(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("slot__office_hours__program", "user")
        .get(pk=booking.pk)
    )


def cancel_booking(booking: Booking, by, *, reason: str = "", now=None) -> Booking:
    """The person who booked (until the cut-off), the mentor or a program
    admin (until the slot starts) cancels a booking; the other side is told."""
    now = now or timezone.now()
    if len(reason) > 300:
        raise MentoringError(
            _("Please keep the reason under 300 characters."), code="reason"
        )
    with transaction.atomic():
        (slot,) = _lock_slots(booking.slot)
        booking = _lock_booking(booking)
        office_hours = slot.office_hours
        is_booker = by is not None and by.pk == booking.user_id
        require(
            is_active_user(by)
            and (
                is_booker
                or by.pk == office_hours.mentor_id
                or can_administer(by, office_hours.program)
            ),
            _("Only the person who booked or the mentor can cancel this booking."),
        )
        if booking.status != BookingStatus.BOOKED:
            raise MentoringError(
                _("This booking is already %(status)s.")
                % {"status": booking.get_status_display().lower()},
                code="not_booked",
            )
        if slot.starts_at <= now:
            raise MentoringError(_("This slot has already started."), code="past")
        if is_booker and slot.change_deadline() <= now:
            raise MentoringError(
                _("Changes closed %(hours)d hours before the slot; please tell the "
                  "mentor instead.") % {"hours": office_hours.cutoff_hours},
                code="cutoff",
            )  # fmt: skip
        _cancel(booking, reason.strip(), now)
        audit.record(
            booking, "wagtail_mentoring.office_hours.cancel", user=by, reason=reason
        )
        _notify(booking.pk, "cancelled_by_booker" if is_booker else "cancelled")
    return booking


def _cancel(booking: Booking, reason: str, now) -> None:
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.cancel_reason = reason
    booking.sequence += 1
    booking.save(update_fields=["status", "cancelled_at", "cancel_reason", "sequence"])


def reschedule_booking(
    booking: Booking, new_slot: OfficeHourSlot, by, *, now=None
) -> Booking:
    """Move a booking to another slot of the same mentor and program, before
    the cut-off; the invite is updated (same calendar event)."""
    now = now or timezone.now()
    with transaction.atomic():
        old_slot, new_slot = _lock_slots(booking.slot, new_slot)
        booking = _lock_booking(booking)
        require(
            is_active_user(by) and by.pk == booking.user_id,
            _("Only the person who booked can move this booking."),
        )
        if booking.status != BookingStatus.BOOKED:
            raise MentoringError(
                _("This booking is already %(status)s.")
                % {"status": booking.get_status_display().lower()},
                code="not_booked",
            )
        if old_slot.change_deadline() <= now:
            raise MentoringError(
                _("Changes closed %(hours)d hours before the slot.")
                % {"hours": old_slot.office_hours.cutoff_hours},
                code="cutoff",
            )
        if new_slot.pk == old_slot.pk:
            raise MentoringError(_("Choose a different slot."), code="same")
        if (
            new_slot.mentor_id != old_slot.mentor_id
            or new_slot.program_id != old_slot.program_id
        ):
            raise MentoringError(
                _("You can move a booking only to another slot of the same mentor."),
                code="other_mentor",
            )
        _check_bookable(new_slot, by, now, ignore=booking)
        booking.slot = new_slot
        booking.sequence += 1
        booking.save(update_fields=["slot", "sequence"])
        audit.record(
            booking,
            "wagtail_mentoring.office_hours.reschedule",
            user=by,
            from_slot=old_slot.pk,
        )
        _notify(booking.pk, "rescheduled")
    return booking


def record_no_show(booking: Booking, by, *, now=None) -> Booking:
    """The mentor (or a program admin) records that the person did not come."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _lock_booking(booking)
        office_hours = booking.slot.office_hours
        _require_mentor_or_admin(
            by, office_hours, _("Only the mentor can record a missed conversation.")
        )
        if booking.status != BookingStatus.BOOKED:
            raise MentoringError(
                _("This booking is %(status)s.")
                % {"status": booking.get_status_display().lower()},
                code="not_booked",
            )
        if booking.slot.starts_at > now:
            raise MentoringError(
                _("You can record a no-show once the slot has started."),
                code="future",
            )
        booking.status = BookingStatus.NO_SHOW
        booking.save(update_fields=["status"])
        audit.record(booking, "wagtail_mentoring.office_hours.no_show", user=by)
    return booking


def give_booking_feedback(
    booking: Booking, by, *, rating: int, comment: str = "", now=None
) -> Booking:
    """The person who booked rates the conversation once it has ended."""
    now = now or timezone.now()
    if rating not in range(1, 6):
        raise MentoringError(_("Choose a rating from 1 to 5."), code="rating")
    if len(comment) > 4000:
        raise MentoringError(
            _("Please keep the comment under 4000 characters."), code="comment"
        )
    with transaction.atomic():
        booking = _lock_booking(booking)
        require(
            is_active_user(by) and by.pk == booking.user_id,
            _("Only the person who booked can give feedback on it."),
        )
        if booking.status != BookingStatus.BOOKED or booking.slot.ends_at > now:
            raise MentoringError(
                _("Feedback opens once the conversation has taken place."),
                code="not_held",
            )
        if booking.rating is not None:
            raise MentoringError(
                _("You have already given feedback on this conversation."),
                code="duplicate",
            )
        booking.rating = rating
        booking.comment = comment.strip()
        booking.save(update_fields=["rating", "comment"])
        audit.record(booking, "wagtail_mentoring.office_hours.feedback", user=by)
    return booking


def continue_programs(booking: Booking):
    """One-to-one programs where the mentor takes mentees by request: where a
    flash conversation can continue."""
    return (
        ProgramPage.objects.live()
        .filter(
            kind__in=[ProgramKind.ONE_TO_ONE, ProgramKind.REVERSE],
            matching_mode__in=mentor_requests.SELF_SELECT_MODES,
            enrollments__user_id=booking.slot.mentor_id,
            enrollments__role=Role.MENTOR,
            enrollments__status=EnrollmentStatus.APPROVED,
        )
        .distinct()
    )


def suggest_continuing(
    booking: Booking, by, program: ProgramPage, *, now=None
) -> Booking:
    """The mentor offers to continue as a one-to-one pair in ``program``."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _lock_booking(booking)
        office_hours = booking.slot.office_hours
        require(
            is_active_user(by) and by.pk == office_hours.mentor_id,
            _("Only the mentor can suggest continuing."),
        )
        if booking.status != BookingStatus.BOOKED or booking.slot.starts_at > now:
            raise MentoringError(
                _("Suggest continuing after the conversation."), code="not_held"
            )
        if not continue_programs(booking).filter(pk=program.pk).exists():
            raise MentoringError(
                _("You are not a mentor taking requests in %(program)s.")
                % {"program": program.title},
                code="program",
            )
        booking.continue_program = program
        booking.save(update_fields=["continue_program"])
        audit.record(
            booking,
            "wagtail_mentoring.office_hours.suggest_continuing",
            user=by,
            program=program.pk,
        )
        _notify(booking.pk, "continue")
    return booking


def accept_continuing(booking: Booking, by, *, now=None):
    """The person who booked takes up the mentor's offer: a mentor request in
    the one-to-one program, through the self-select services."""
    booking = Booking.objects.select_related("slot", "continue_program", "user").get(
        pk=booking.pk
    )
    require(
        is_active_user(by) and by.pk == booking.user_id,
        _("Only the person who booked can take up this offer."),
    )
    program = booking.continue_program
    if program is None:
        raise MentoringError(
            _("The mentor has not suggested continuing."), code="no_offer"
        )
    mentee = Enrollment.objects.filter(
        user=by, program=program, role=Role.MENTEE, status=EnrollmentStatus.APPROVED
    ).first()
    if mentee is None:
        raise MentoringError(
            _("Apply to %(program)s as a mentee first; once you are approved you "
              "can ask this mentor.") % {"program": program.title},
            code="not_enrolled",
        )  # fmt: skip
    mentor = Enrollment.objects.filter(
        user_id=booking.slot.mentor_id,
        program=program,
        role=Role.MENTOR,
        status=EnrollmentStatus.APPROVED,
    ).first()
    if mentor is None:
        raise MentoringError(
            _("This mentor no longer takes mentees in %(program)s.")
            % {"program": program.title},
            code="not_available",
        )
    return mentor_requests.send_request(
        mentee,
        mentor,
        by,
        note=_("We met in flash mentoring: “%(title)s”.")
        % {"title": booking.slot.office_hours.title},
        now=now,
    )


def cancel_future_slots(mentor, *, program=None, reason: str, now=None) -> int:
    """The mentor left (the program, or the organisation): their future slots
    close and everyone booked is told. The package's own action; idempotent."""
    now = now or timezone.now()
    slots = OfficeHourSlot.objects.open().filter(mentor=mentor, starts_at__gt=now)
    if program is not None:
        slots = slots.filter(program=program)
    cancelled = 0
    with transaction.atomic():
        # The same order as a booking: the mentor's enrollments, then slots.
        for pk in sorted(
            set(slots.values_list("office_hours__mentor_enrollment_id", flat=True))
        ):
            _lock_enrollment(pk)
        for slot in slots.select_for_update(of=("self",)).order_by("pk"):
            slot.cancelled_at = now
            slot.save(update_fields=["cancelled_at"])
            for booking in slot.bookings.filter(status=BookingStatus.BOOKED):
                _cancel(booking, reason, now)
                audit.record(
                    booking, "wagtail_mentoring.office_hours.cancel", reason=reason
                )
                _notify(booking.pk, "cancelled")
                cancelled += 1
    return cancelled


def cancel_bookings_of(user, *, reason: str, now=None) -> int:
    """A person who left has their future bookings released (seats free up)."""
    now = now or timezone.now()
    cancelled = 0
    with transaction.atomic():
        for booking in Booking.objects.select_for_update(of=("self",)).filter(
            user=user, status=BookingStatus.BOOKED, slot__starts_at__gt=now
        ):
            _cancel(booking, reason, now)
            audit.record(
                booking, "wagtail_mentoring.office_hours.cancel", reason=reason
            )
            _notify(booking.pk, "cancelled_by_booker")
            cancelled += 1
    return cancelled
