"""Background jobs of the engagement domain: emails and periodic upkeep.

Every email task is idempotent under retry: each goes through
``notifications.services.notify`` with a key naming the event and the
recipient, so a retried or duplicated task finds it recorded and sends nothing.
"""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model
from django.urls import reverse

from wagtail_mentoring.engagement import ical, manager_loop_in
from wagtail_mentoring.engagement.models import (
    Meeting,
    MentorRequest,
    Message,
)
from wagtail_mentoring.engagement.services import (
    complete_due_relationships,
    expire_requests,
)
from wagtail_mentoring.engagement.services import mark_meetings_held as mark
from wagtail_mentoring.notifications.models import Category
from wagtail_mentoring.notifications.services import notify
from wagtail_mentoring.people.users import user_timezone
from wagtail_mentoring.programs.models import GIVING_ROLES, Relationship


def _relationship_url(relationship_id: int) -> str:
    return reverse("wagtail_mentoring:relationship", args=[relationship_id])


@shared_task(ignore_result=True)
def send_manager_loop_in() -> int:
    """Periodic (monthly): participants' managers hear how actively their
    reports take part, in the programs that loop managers in."""
    return manager_loop_in.send_manager_loop_in()


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
        "peer": request.mentor_enrollment.role == "member",
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
        sent += bool(
            notify(
                user,
                "request",
                request.pk,
                event,
                category=Category.ACTIVITY,
                template="request_update",
                context={
                    **context,
                    "is_mentor": user.pk == request.mentor_enrollment.user_id,
                },
                link=context["dashboard_url"],
            )
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
        sent += bool(
            notify(
                user,
                "meeting",
                meeting.pk,
                meeting.sequence,
                category=Category.ACTIVITY,
                template="meeting_invite",
                context={**context, "meeting_tz": user_timezone(user)},
                link=context["meeting_url"],
                attachments=[(f"meeting-{method}.ics", attachment, "text/calendar")],
            )
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
        sent += bool(
            notify(
                member.user,
                "message",
                message.pk,
                "new",
                category=Category.ACTIVITY,
                template="message_received",
                context=context,
                link=context["thread_url"],
            )
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
        sent += bool(
            notify(
                user,
                "relationship",
                relationship.pk,
                f"{event}:{relationship.extensions_used}",
                category=Category.ADMIN if event == "rematch" else Category.ACTIVITY,
                template="relationship_update",
                context=context,
                link=context["admin_url" if event == "rematch" else "relationship_url"],
            )
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


#: Who hears of each change to a circle: the person it is about ("subject"),
#: the facilitator, or every member still in the circle.
CIRCLE_AUDIENCE = {
    "joined": ("facilitator",),
    "placed": ("subject", "facilitator"),
    "left": ("subject", "facilitator"),
    "moved_out": ("facilitator",),
    "moved_in": ("subject", "facilitator"),
    "ended": ("members",),
}


@shared_task(ignore_result=True)
def send_circle_emails(
    circle_id: int, event: str, subject_id=None, by_id=None, occurrence: str = ""
) -> int:
    """Tell the people concerned that someone joined, was placed in, left or
    moved between circles, or that a circle ended; never the one who acted.
    ``occurrence`` (when it happened) keeps a retried task from sending twice."""

    circle = Relationship.objects.select_related("program").filter(pk=circle_id).first()
    if circle is None or event not in CIRCLE_AUDIENCE:
        return 0
    members = list(
        circle.members.select_related("user").exclude(user=None).order_by("pk")
    )
    users = get_user_model().objects.filter(
        pk__in=[pk for pk in (subject_id, by_id) if pk is not None]
    )
    people = {str(u.pk): u for u in users}
    subject, by = people.get(str(subject_id)), people.get(str(by_id))
    audience = CIRCLE_AUDIENCE[event]
    recipients = []
    if "subject" in audience and subject is not None:
        recipients.append(subject)
    if "facilitator" in audience:
        recipients += [m.user for m in members if m.role in GIVING_ROLES]
    if "members" in audience:
        recipients += [m.user for m in members]
    context = {
        "circle": circle,
        "program": circle.program,
        "event": event,
        "subject": subject,
        "by": by,
        "circle_url": _relationship_url(circle.pk),
        "program_url": circle.program.url or "",
    }
    sent, seen = 0, set()
    for user in recipients:
        if user.pk in seen or (by is not None and user.pk == by.pk):
            continue
        seen.add(user.pk)
        sent += bool(
            notify(
                user,
                "circle",
                circle.pk,
                f"{event}:{subject_id or ''}:{occurrence}",
                category=Category.ACTIVITY,
                template="circle_update",
                context={**context, "still_member": user in [m.user for m in members]},
                link=context["circle_url"],
            )
        )
    return sent
