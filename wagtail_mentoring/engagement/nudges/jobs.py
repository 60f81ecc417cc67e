"""The periodic reminders and nudges. Each job may run any number of times:
every email has a key naming its occasion, so a second run sends nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Max, Prefetch
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_mentoring.engagement.models import (
    Feedback,
    FeedbackKind,
    Goal,
    GoalStatus,
    Meeting,
    MeetingStatus,
    MentorRequest,
)
from wagtail_mentoring.engagement.nudges.selectors import (
    active_pairs,
    members_prefetch,
    quiet_days,
    quiet_since,
)
from wagtail_mentoring.engagement.nudges.services import nudge_pair
from wagtail_mentoring.notifications.models import Category
from wagtail_mentoring.notifications.services import notify
from wagtail_mentoring.programs.models import (
    Relationship,
    RelationshipStatus,
)

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
#: Feedback is asked for a day after a meeting; meetings older than this
#: window are left alone (a first run must not ask about last year's).
FEEDBACK_WINDOW = timedelta(days=7)
#: An open goal without a check-in for this long gets a reminder, again after
#: each such stretch.
GOAL_CHECK_IN_DAYS = 14


def remind_meetings(now: datetime | None = None) -> int:
    """Remind each member of a meeting the day before and an hour before.

    A meeting within 24 hours gets the day-before reminder (not in its first
    hour: the invitation just arrived); within the hour, the hour reminder.
    A meeting moved to another time is reminded again.
    """
    now = now or timezone.now()
    meetings = (
        Meeting.objects.filter(
            status=MeetingStatus.SCHEDULED,
            relationship__status=RelationshipStatus.ACTIVE,
            starts_at__gt=now,
            starts_at__lte=now + DAY,
        )
        .select_related("relationship__program")
        .prefetch_related(
            Prefetch("relationship__members", queryset=members_prefetch().queryset)
        )
    )
    sent = 0
    for meeting in meetings:
        within_hour = meeting.starts_at <= now + HOUR
        if not within_hour and meeting.created_at > now - HOUR:
            continue
        context = {
            "meeting": meeting,
            "program": meeting.relationship.program,
            "within_hour": within_hour,
            "meeting_url": reverse(
                "wagtail_mentoring:meeting_detail",
                args=[meeting.relationship_id, meeting.pk],
            ),
        }
        for member in meeting.relationship.members.all():
            sent += bool(
                notify(
                    member.user,
                    "meeting_reminder_hour" if within_hour else "meeting_reminder_day",
                    meeting.pk,
                    int(meeting.starts_at.timestamp()),
                    category=Category.REMINDERS,
                    template="meeting_reminder",
                    context=context,
                    link=context["meeting_url"],
                )
            )
    return sent


def remind_requests(now: datetime | None = None) -> int:
    """Nudge mentors about requests waiting for their answer: once half the
    time to answer has passed, and again on its last day."""
    now = now or timezone.now()
    requests = (
        MentorRequest.objects.pending()
        .filter(expires_at__gt=now, sent_at__isnull=False)
        .select_related(
            "program",
            "mentee_enrollment__user",
            "mentor_enrollment__user__mentoring_profile",
        )
    )
    sent = 0
    for request in requests:
        if request.expires_at - now <= DAY:
            kind = "request_expiring"
        elif now >= request.sent_at + (request.expires_at - request.sent_at) / 2:
            kind = "request_unanswered"
        else:
            continue
        sent += bool(
            notify(
                request.mentor,
                kind,
                request.pk,
                int(request.expires_at.timestamp()),
                category=Category.REMINDERS,
                template="request_reminder",
                context={
                    "request": request,
                    "program": request.program,
                    "mentee": request.mentee,
                    "last_day": kind == "request_expiring",
                    "dashboard_url": reverse("wagtail_mentoring:my_mentoring"),
                },
                link=reverse("wagtail_mentoring:my_mentoring"),
            )
        )
    return sent


def nudge_quiet_pairs(now: datetime | None = None) -> int:
    """Nudge active pairs with no meeting for their program's *nudge quiet
    pairs after* days and none planned; again after each such stretch."""
    now = now or timezone.now()
    pairs: list[Relationship] = list(
        active_pairs(now).filter(program__nudge_after_days__gt=0)
    )
    sent = 0
    for relationship in pairs:
        limit = relationship.program.nudge_after_days
        days = quiet_days(relationship, now)
        if days < limit:
            continue
        since = quiet_since(relationship).date().isoformat()
        sent += nudge_pair(
            relationship,
            occurrence=f"quiet:{since}:{days // limit}",
            quiet_days=days,
            now=now,
        )
    return sent


def remind_feedback(now: datetime | None = None) -> int:
    """Ask each member of a held meeting for their feedback, once, a day
    after it ended, unless they already gave it."""
    now = now or timezone.now()
    meetings = (
        Meeting.objects.filter(
            status=MeetingStatus.HELD,
            relationship__status=RelationshipStatus.ACTIVE,
            starts_at__lte=now - DAY,
            starts_at__gt=now - DAY - FEEDBACK_WINDOW,
        )
        .select_related("relationship__program")
        .prefetch_related(
            Prefetch("relationship__members", queryset=members_prefetch().queryset),
            Prefetch(
                "feedback",
                queryset=Feedback.objects.filter(kind=FeedbackKind.MEETING).only(
                    "meeting_id", "author_id"
                ),
            ),
        )
        .order_by("pk")
    )
    sent = 0
    for meeting in meetings:
        if meeting.ends_at > now - DAY:
            continue
        given = {f.author_id for f in meeting.feedback.all()}
        link = reverse(
            "wagtail_mentoring:meeting_feedback",
            args=[meeting.relationship_id, meeting.pk],
        )
        for member in meeting.relationship.members.all():
            if member.user_id in given:
                continue
            sent += bool(
                notify(
                    member.user,
                    "feedback_due",
                    meeting.pk,
                    1,
                    category=Category.REMINDERS,
                    template="nudge",
                    context={
                        "subject": _("How was %(title)s?") % {"title": meeting.title},
                        "lines": [
                            _(
                                "Two minutes of feedback on your meeting helps "
                                "you both, and your program team, make the next "
                                "one better."
                            )
                        ],
                        "action_label": _("Give feedback"),
                        "action_url": link,
                    },
                    link=link,
                )
            )
    return sent


def remind_goal_check_ins(now: datetime | None = None) -> int:
    """Remind the owner of each open goal of an active pair that has had no
    check-in for ``GOAL_CHECK_IN_DAYS`` days (counted from its creation when
    it never had one); again after each further stretch."""
    now = now or timezone.now()
    goals = (
        Goal.objects.filter(
            status=GoalStatus.OPEN,
            relationship__status=RelationshipStatus.ACTIVE,
            owner__isnull=False,
        )
        .annotate(
            since=Coalesce(Max("check_ins__created_at"), "created_at"),
        )
        .filter(since__lte=now - timedelta(days=GOAL_CHECK_IN_DAYS))
        .select_related("relationship__program", "owner__mentoring_profile")
        .order_by("pk")
    )
    sent = 0
    for goal in goals:
        days = (now - goal.since).days
        link = reverse(
            "wagtail_mentoring:goal_detail", args=[goal.relationship_id, goal.pk]
        )
        sent += bool(
            notify(
                goal.owner,
                "goal_check_in",
                goal.pk,
                f"{goal.since.date().isoformat()}:{days // GOAL_CHECK_IN_DAYS}",
                category=Category.REMINDERS,
                template="nudge",
                context={
                    "subject": _("How is your goal going? %(title)s")
                    % {"title": goal.title},
                    "lines": [
                        _(
                            "Your goal “%(title)s” has had no check-in for "
                            "%(days)d days. A quick update keeps you and your "
                            "partner on track."
                        )
                        % {"title": goal.title, "days": days}
                    ],
                    "action_label": _("Check in"),
                    "action_url": link,
                },
                link=link,
            )
        )
    return sent
