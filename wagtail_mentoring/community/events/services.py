"""Business actions of space events: schedule, edit, cancel, RSVP.

Each function authorizes its actor (``by``), runs in one transaction, records
an audit entry and enqueues its emails after commit, or raises
:class:`MentoringError` with a message for the person and writes nothing.
Places are counted under a row lock on the event, so two people taking the
last place at the same moment cannot both get it.
"""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_mentoring import audit, dispatch
from wagtail_mentoring.community.events import rules
from wagtail_mentoring.community.events.models import (
    EventRSVP,
    RSVPStatus,
    SpaceEvent,
)
from wagtail_mentoring.errors import MentoringError

#: The longest event a space can schedule (a multi-day offsite at most).
MAX_LENGTH = timedelta(days=7)
TITLE_MAX = 200
PLACE_MAX = 300
ACTIVE = (RSVPStatus.GOING, RSVPStatus.WAITLISTED)
_url = URLValidator(schemes=["http", "https"])


def _on_commit(task_name: str, *args) -> None:
    # Tasks call these services' models, so services name their tasks.
    dispatch.enqueue(f"wagtail_mentoring.community.events.tasks.{task_name}", *args)


def _validate(
    *,
    title: str,
    starts_at,
    ends_at,
    timezone_name: str,
    place: str,
    video_url: str,
    capacity,
    now,
) -> None:
    if not title.strip():
        raise MentoringError(_("Please give the event a title."), code="title")
    if len(title.strip()) > TITLE_MAX:
        raise MentoringError(
            _("The title is too long (at most %(n)s characters).") % {"n": TITLE_MAX},
            code="title",
        )
    if starts_at is None or ends_at is None:
        raise MentoringError(_("Please give a start and an end."), code="when")
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise MentoringError(_("The times need a time zone."), code="naive")
    if not timezone_name or timezone_name not in zoneinfo.available_timezones():
        raise MentoringError(
            _("%(tz)s is not a known time zone.") % {"tz": timezone_name or "—"},
            code="timezone",
        )
    if starts_at <= now:
        raise MentoringError(_("Events must start in the future."), code="past")
    if ends_at <= starts_at:
        raise MentoringError(_("The event must end after it starts."), code="order")
    if ends_at - starts_at > MAX_LENGTH:
        raise MentoringError(_("An event lasts at most seven days."), code="length")
    if len(place) > PLACE_MAX:
        raise MentoringError(_("The place is too long."), code="place")
    if video_url:
        try:
            _url(video_url)
        except ValidationError:
            raise MentoringError(
                _("The video link must be a web address (https://…)."),
                code="video_url",
            ) from None
    if capacity is not None and capacity < 1:
        raise MentoringError(
            _("Places must be at least 1, or empty for no limit."), code="capacity"
        )


def _check_manager(space, by) -> None:
    if not rules.can_manage_events(space, by):
        raise MentoringError(
            _("Only the space's moderators can schedule or change its events."),
            code="not_moderator",
        )


def _check_open_space(space) -> None:
    if rules.is_archived(space):
        raise MentoringError(
            _("This space is archived: it is read-only."), code="archived"
        )


def schedule_event(
    space,
    by,
    *,
    title: str,
    starts_at,
    ends_at,
    timezone_name: str,
    description: str = "",
    place: str = "",
    video_url: str = "",
    capacity: int | None = None,
    now=None,
) -> SpaceEvent:
    """A moderator schedules an event; the space's members are told."""
    now = now or timezone.now()
    _check_manager(space, by)
    _check_open_space(space)
    place, video_url = place.strip(), video_url.strip()
    _validate(
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        timezone_name=timezone_name,
        place=place,
        video_url=video_url,
        capacity=capacity,
        now=now,
    )
    with transaction.atomic():
        event = SpaceEvent.objects.create(
            space=space,
            title=title.strip(),
            description=description.strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            timezone=timezone_name,
            place=place,
            video_url=video_url,
            capacity=capacity,
            created_by=by,
        )
        audit.record(event, "wagtail_mentoring.event.schedule", user=by)
        _on_commit("send_new_event_notices", event.pk)
    return event


def _lock(event: SpaceEvent) -> SpaceEvent:
    return (
        SpaceEvent.objects.select_for_update().select_related("space").get(pk=event.pk)
    )


def _going(event: SpaceEvent) -> int:
    return EventRSVP.objects.filter(event=event, status=RSVPStatus.GOING).count()


def _promote_waitlisted(event: SpaceEvent, by) -> list[EventRSVP]:
    """Give free places to the waiting list, first come first served (the
    event row is locked by the caller)."""
    if event.capacity is None:
        free = None
    else:
        free = event.capacity - _going(event)
        if free <= 0:
            return []
    waiting = (
        EventRSVP.objects.select_for_update()
        .filter(event=event, status=RSVPStatus.WAITLISTED)
        .order_by("updated_at", "pk")
    )
    promoted = list(waiting if free is None else waiting[:free])
    for rsvp in promoted:
        _set_status(rsvp, RSVPStatus.GOING)
        audit.record(rsvp, "wagtail_mentoring.event.promote", user=by, event=event.pk)
        _on_commit("send_rsvp_notice", rsvp.pk, rsvp.version)
    return promoted


def _set_status(rsvp: EventRSVP, status: str) -> None:
    rsvp.status = status
    rsvp.version += 1
    rsvp.updated_at = timezone.now()
    rsvp.save(update_fields=["status", "version", "updated_at"])


def edit_event(
    event: SpaceEvent,
    by,
    *,
    title: str,
    starts_at,
    ends_at,
    timezone_name: str,
    description: str = "",
    place: str = "",
    video_url: str = "",
    capacity: int | None = None,
    now=None,
) -> SpaceEvent:
    """A moderator changes an upcoming event; everyone going gets the update."""
    now = now or timezone.now()
    _check_manager(event.space, by)
    _check_open_space(event.space)
    place, video_url = place.strip(), video_url.strip()
    _validate(
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        timezone_name=timezone_name,
        place=place,
        video_url=video_url,
        capacity=capacity,
        now=now,
    )
    with transaction.atomic():
        event = _lock(event)
        _check_changeable(event, now)
        going = _going(event)
        if capacity is not None and capacity < going:
            raise MentoringError(
                _(
                    "%(n)s people are already going: places cannot be fewer. "
                    "Cancel the event, or keep at least %(n)s places."
                )
                % {"n": going},
                code="capacity_below_going",
            )
        event.title = title.strip()
        event.description = description.strip()
        event.starts_at, event.ends_at = starts_at, ends_at
        event.timezone = timezone_name
        event.place, event.video_url = place, video_url
        event.capacity = capacity
        event.sequence += 1
        event.save()
        audit.record(event, "wagtail_mentoring.event.edit", user=by)
        _promote_waitlisted(event, by)
        _on_commit("send_event_updates", event.pk, event.sequence)
    return event


def _check_changeable(event: SpaceEvent, now) -> None:
    if event.is_cancelled:
        raise MentoringError(_("This event is cancelled."), code="cancelled")
    if event.starts_at <= now:
        raise MentoringError(
            _("This event has already started; it cannot change."), code="started"
        )


def cancel_event(event: SpaceEvent, by, *, now=None) -> SpaceEvent:
    """A moderator cancels an upcoming event; everyone going gets a
    cancellation that removes it from their calendar."""
    now = now or timezone.now()
    _check_manager(event.space, by)
    _check_open_space(event.space)
    with transaction.atomic():
        event = _lock(event)
        _check_changeable(event, now)
        event.is_cancelled = True
        event.cancelled_at = now
        event.sequence += 1
        event.save(update_fields=["is_cancelled", "cancelled_at", "sequence"])
        audit.record(event, "wagtail_mentoring.event.cancel", user=by)
        _on_commit("send_event_updates", event.pk, event.sequence)
    return event


def _check_can_answer(event: SpaceEvent, by, now) -> None:
    if not rules.is_member(event.space, by):
        raise MentoringError(
            _("Join the space to answer its events."), code="not_member"
        )
    _check_open_space(event.space)
    if event.is_cancelled:
        raise MentoringError(_("This event is cancelled."), code="cancelled")
    if event.starts_at <= now:
        raise MentoringError(_("This event has already started."), code="started")


def rsvp(event: SpaceEvent, by, *, waitlist: bool = False, now=None) -> EventRSVP:
    """A member says they are going. When every place is taken they are
    refused with a clear message, or put on the waiting list if they asked
    for it (``waitlist``); a freed place goes to the waiting list in order."""
    now = now or timezone.now()
    _check_can_answer(event, by, now)
    with transaction.atomic():
        event = _lock(event)
        _check_can_answer(event, by, now)
        answer = (
            EventRSVP.objects.select_for_update().filter(event=event, user=by).first()
        )
        if answer is not None and answer.status == RSVPStatus.GOING:
            raise MentoringError(_("You are already going."), code="already_going")
        if answer is not None and answer.status == RSVPStatus.WAITLISTED:
            raise MentoringError(
                _("You are already on the waiting list."), code="already_waiting"
            )
        full = event.capacity is not None and _going(event) >= event.capacity
        if full and not waitlist:
            raise MentoringError(
                _(
                    "This event is full: all %(n)s places are taken. You can "
                    "join the waiting list instead."
                )
                % {"n": event.capacity},
                code="full",
            )
        status = RSVPStatus.WAITLISTED if full else RSVPStatus.GOING
        if answer is None:
            answer = EventRSVP.objects.create(
                event=event, user=by, status=status, version=1
            )
        else:
            _set_status(answer, status)
        audit.record(
            answer,
            "wagtail_mentoring.event.rsvp",
            user=by,
            label=event.title,
            status=status,
        )
        _on_commit("send_rsvp_notice", answer.pk, answer.version)
    return answer


def cancel_rsvp(event: SpaceEvent, by, *, now=None) -> EventRSVP:
    """A member is no longer going (or leaves the waiting list); their place
    goes to the first person waiting."""
    now = now or timezone.now()
    _check_open_space(event.space)
    if event.starts_at <= now:
        raise MentoringError(_("This event has already started."), code="started")
    with transaction.atomic():
        event = _lock(event)
        answer = (
            EventRSVP.objects.select_for_update()
            .filter(event=event, user=by, status__in=ACTIVE)
            .first()
        )
        if answer is None:
            raise MentoringError(_("You had not said you are going."), code="not_going")
        was_going = answer.status == RSVPStatus.GOING
        _set_status(answer, RSVPStatus.CANCELLED)
        audit.record(
            answer, "wagtail_mentoring.event.rsvp_cancel", user=by, label=event.title
        )
        _on_commit("send_rsvp_notice", answer.pk, answer.version)
        if was_going and not event.is_cancelled:
            _promote_waitlisted(event, by)
    return answer
