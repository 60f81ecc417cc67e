"""Background jobs of the engagement domain: emails and periodic upkeep.

Every email task is idempotent under retry: a :class:`NotificationReceipt` with
a key naming the event and the recipient is written in the same transaction as
the send, so a retried or duplicated task finds it and sends nothing.
"""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from wagtail_mentoring.engagement import ical
from wagtail_mentoring.engagement.models import (
    Meeting,
    MentorRequest,
    Message,
    NotificationReceipt,
)
from wagtail_mentoring.engagement.services import (
    complete_due_relationships,
    expire_requests,
)
from wagtail_mentoring.engagement.services import mark_meetings_held as mark
from wagtail_mentoring.notifications import send_to_user
from wagtail_mentoring.people.users import user_timezone
from wagtail_mentoring.programs.models import Relationship


def send_once(key: str, user, template: str, context: dict, attachments=None) -> bool:
    """Send ``template`` to ``user`` unless the receipt ``key`` exists.

    Keys end with ``:<recipient pk>``: erasing a person finds theirs by it.
    """

    # Nobody to tell behind an empty link (a former participant).
    if user is None or not user.is_active:
        return False
    with transaction.atomic():
        _receipt, created = NotificationReceipt.objects.get_or_create(key=key)
        if not created:
            return False
        # Dates in the email read in the recipient's own time zone.
        with timezone.override(user_timezone(user)):
            send_to_user(
                user,
                f"wagtail_mentoring/emails/{template}",
                context,
                attachments=attachments,
            )
    return True


def _relationship_url(relationship_id: int) -> str:
    return reverse("wagtail_mentoring:relationship", args=[relationship_id])


@shared_task(ignore_result=True)
def send_request_emails(request_id: int, event: str) -> int:
    """Tell the mentor about a new (or withdrawn) request, the mentee about
    the answer, and both about an acceptance."""

    request = (
        MentorRequest.objects.select_related(
            "program", "mentee_enrollment__user", "mentor_enrollment__user"
        )
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        return 0
    mentee, mentor = request.mentee, request.mentor
    recipients = {
        "received": [mentor],
        "withdrawn": [mentor],
        "declined": [mentee],
        "expired": [mentee],
        "accepted": [mentee, mentor],
    }[event]
    context = {
        "request": request,
        "program": request.program,
        "mentee": mentee,
        "mentor": mentor,
        "event": event,
        "dashboard_url": reverse("wagtail_mentoring:my_mentoring"),
        "relationship_url": _relationship_url(request.relationship_id)
        if request.relationship_id
        else "",
        "find_url": reverse(
            "wagtail_mentoring:find_mentor", args=[request.mentee_enrollment_id]
        ),
    }
    sent = 0
    for user in recipients:
        if user is None:  # a former participant
            continue
        sent += send_once(
            f"request:{request.pk}:{event}:{user.pk}",
            user,
            "request_update",
            {**context, "is_mentor": user.pk == request.mentor_enrollment.user_id},
        )
    return sent


@shared_task(ignore_result=True)
def send_meeting_invites(meeting_id: int, sequence: int) -> int:
    """Email each member the invite (REQUEST) or cancellation (CANCEL) with an
    .ics attachment. Skips stale versions: only the current SEQUENCE is sent."""

    meeting = (
        Meeting.objects.select_related("relationship__program", "created_by")
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None or meeting.sequence != sequence:
        return 0
    members = [
        m.user
        for m in meeting.relationship.members.select_related("user__mentoring_profile")
        .exclude(user=None)
        .order_by("pk")
    ]
    attachment = ical.invite(meeting, members)
    method = "cancel" if meeting.is_cancelled else "request"
    context = {
        "meeting": meeting,
        "program": meeting.relationship.program,
        "cancelled": meeting.is_cancelled,
        "updated": meeting.sequence > 0,
        "meeting_url": reverse(
            "wagtail_mentoring:meeting_detail",
            args=[meeting.relationship_id, meeting.pk],
        ),
    }
    sent = 0
    for user in members:
        sent += send_once(
            f"meeting:{meeting.pk}:{meeting.sequence}:{user.pk}",
            user,
            "meeting_invite",
            {**context, "meeting_tz": user_timezone(user)},
            attachments=[(f"meeting-{method}.ics", attachment, "text/calendar")],
        )
    return sent


@shared_task(ignore_result=True)
def send_message_notifications(message_id: int) -> int:
    """Tell the other members a message arrived; the content is left out when
    the program keeps messages private."""

    message = (
        Message.objects.select_related("relationship__program", "author")
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        return 0
    relationship = message.relationship
    context = {
        "message": message,
        "author": message.author,
        "program": relationship.program,
        "private": relationship.program.messages_private,
        "thread_url": reverse("wagtail_mentoring:messages", args=[relationship.pk]),
    }
    sent = 0
    for member in (
        relationship.members.select_related("user")
        .exclude(user=None)
        .exclude(user_id=message.author_id)
    ):
        sent += send_once(
            f"message:{message.pk}:{member.user_id}",
            member.user,
            "message_received",
            context,
        )
    return sent


@shared_task(ignore_result=True)
def send_relationship_emails(relationship_id: int, event: str, by_id=None) -> int:
    """Ended early (to the partner), rematch (to the program admins), extended
    (to the partner), completed (to everyone, asking for final feedback), left
    (a member left the organisation or stopped taking part: to the others)."""

    relationship = (
        Relationship.objects.select_related("program", "program__admin_group")
        .filter(pk=relationship_id)
        .first()
    )
    if relationship is None:
        return 0
    members = [
        m.user for m in relationship.members.select_related("user").exclude(user=None)
    ]
    by_pk = str(by_id) if by_id is not None else None
    if event == "rematch":
        group = relationship.program.admin_group
        recipients = (
            list(get_user_model().objects.filter(groups=group, is_active=True))
            if group
            else []
        )
    elif event == "completed":
        recipients = members
    else:
        recipients = [u for u in members if str(u.pk) != by_pk]
    by = next((u for u in members if str(u.pk) == by_pk), None)
    context = {
        "relationship": relationship,
        "program": relationship.program,
        "by": by,
        "event": event,
        "relationship_url": _relationship_url(relationship.pk),
        "admin_url": reverse("wm_relationships:inspect", args=[relationship.pk]),
    }
    sent = 0
    for user in recipients:
        sent += send_once(
            f"relationship:{relationship.pk}:{event}:"
            f"{relationship.extensions_used}:{user.pk}",
            user,
            "relationship_update",
            context,
        )
    return sent


@shared_task(ignore_result=True)
def expire_mentor_requests() -> int:
    """Periodic: pending requests past their deadline pass to the next choice."""

    return expire_requests()


@shared_task(ignore_result=True)
def mark_meetings_held() -> int:
    """Periodic: meetings whose time has passed count as held."""

    return mark()


@shared_task(ignore_result=True)
def complete_ended_relationships() -> int:
    """Periodic: relationships past their planned end become completed."""

    return len(complete_due_relationships())
