"""Read-side queries of the engagement domain: a constant number of SQL
queries per page, however much data there is."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from wagtail import hooks

from wagtail_mentoring.conf import mentoring_settings
from wagtail_mentoring.engagement.models import (
    LIVE_REQUEST_STATUSES,
    Feedback,
    FeedbackKind,
    FeedbackVisibility,
    Goal,
    GoalStatus,
    Meeting,
    MeetingStatus,
    MentorRequest,
    MentorRequestStatus,
)
from wagtail_mentoring.programs.models import (
    OPEN_RELATIONSHIP_STATUSES,
    Enrollment,
    EnrollmentStatus,
    Relationship,
    RelationshipMember,
)
from wagtail_mentoring.programs.selectors import attach_programs

#: Hook: ``fn(queryset) -> queryset`` loads what a domain shows on a member's
#: relationship cards (one select/prefetch per domain keeps the queries fixed).
RELATIONSHIP_CARDS = "wagtail_mentoring_relationship_cards"
#: Hook: ``fn() -> names`` of a program's relations (e.g. its journey pages) the
#: relationship cards read; they come with the programs of "My mentoring"'s lists
#: (:func:`attach_card_programs`), read once for all of the page's lists.
RELATIONSHIP_CARD_PROGRAM_FIELDS = "wagtail_mentoring_relationship_card_program_fields"


def _members_prefetch():
    return Prefetch(
        "members",
        # A circle's space shows each member's title and its seats left.
        queryset=RelationshipMember.objects.select_related(
            "user", "user__mentoring_profile", "enrollment"
        ).order_by("role", "pk"),
    )


def member_relationship(user, pk: int) -> Relationship:
    """``user``'s relationship ``pk`` or 404: someone else's does not exist."""
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(
        Relationship.objects.filter(members__user=user)
        .select_related("program")
        .prefetch_related(_members_prefetch())
        .distinct(),
        pk=pk,
    )


def partners(relationship: Relationship, user) -> list[RelationshipMember]:
    return [m for m in relationship.members.all() if m.user_id != user.pk]


def my_membership(relationship: Relationship, user) -> RelationshipMember | None:
    return next((m for m in relationship.members.all() if m.user_id == user.pk), None)


def next_meeting(relationship: Relationship, now=None) -> Meeting | None:
    now = now or timezone.now()
    return (
        relationship.meetings.filter(status=MeetingStatus.SCHEDULED, starts_at__gt=now)
        .order_by("starts_at")
        .first()
    )


def goals_of(relationship: Relationship):
    return (
        Goal.objects.filter(relationship=relationship)
        .select_related("owner")
        .annotate(last_check_in=Max("check_ins__created_at"))
        .order_by("status", "target_date", "pk")
    )


def meetings_of(relationship: Relationship, user):
    """Meetings of the pair, with whether ``user`` already gave feedback."""
    return (
        Meeting.objects.filter(relationship=relationship)
        .annotate(
            my_feedback=Count(
                "feedback",
                filter=Q(feedback__author=user, feedback__kind=FeedbackKind.MEETING),
            )
        )
        .order_by("-starts_at", "-pk")
    )


def meetings_awaiting_feedback(relationship: Relationship, user, limit: int = 5):
    """Meetings that took place on which ``user`` has not given feedback yet,
    most recent first: the links the relationship page offers."""
    given = Feedback.objects.filter(
        meeting=OuterRef("pk"), author=user, kind=FeedbackKind.MEETING
    )
    return list(
        Meeting.objects.filter(relationship=relationship, starts_at__lte=timezone.now())
        .exclude(status=MeetingStatus.CANCELLED)
        .exclude(Exists(given))
        .order_by("-starts_at", "-pk")[:limit]
    )


def gave_final_feedback(relationship: Relationship, user) -> bool:
    return Feedback.objects.filter(
        relationship=relationship, author=user, kind=FeedbackKind.FINAL
    ).exists()


def visible_feedback(relationship: Relationship, user):
    """Feedback ``user`` may read in the space: their own, and their partner's
    when the partner chose to share it."""
    return (
        Feedback.objects.filter(relationship=relationship)
        .filter(Q(author=user) | Q(visibility=FeedbackVisibility.PARTNER))
        .select_related("author", "meeting")
    )


def thread(relationship: Relationship):
    return relationship.messages.select_related("author").order_by("created_at", "pk")


def has_unread(relationship: Relationship, user) -> bool:
    """Did the partner write since ``user`` last read the thread?"""
    read_at = (
        RelationshipMember.objects.filter(relationship=relationship, user=user)
        .values_list("messages_read_at", flat=True)
        .first()
    )
    messages = relationship.messages.exclude(author=user)
    if read_at is not None:
        messages = messages.filter(created_at__gt=read_at)
    return messages.exists()


def dashboard(user, now=None, *, also=()) -> dict:
    """Everything "My mentoring" shows, attention-first.

    The programs of its lists, and of ``also`` (the page's other lists), are
    read in one query for all of them (see :func:`attach_card_programs`).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    seven_days_on = now + timedelta(days=7)

    requests_to_answer = list(
        MentorRequest.objects.filter(
            mentor_enrollment__user=user, status=MentorRequestStatus.PENDING
        )
        .select_related("mentee_enrollment__user__mentoring_profile")
        .order_by("expires_at", "pk")
    )
    my_requests = list(
        MentorRequest.objects.filter(
            mentee_enrollment__user=user, status__in=LIVE_REQUEST_STATUSES
        )
        .select_related("mentor_enrollment__user")
        .order_by("program_id", "rank", "pk")
    )
    memberships = list(
        RelationshipMember.objects.filter(
            user=user, relationship__status__in=OPEN_RELATIONSHIP_STATUSES
        )
        .select_related("relationship")
        .annotate(
            unread=Count(
                "relationship__messages",
                filter=~Q(relationship__messages__author=user)
                & (
                    Q(messages_read_at__isnull=True)
                    | Q(relationship__messages__created_at__gt=F("messages_read_at"))
                ),
            )
        )
    )
    unread = [m for m in memberships if m.unread]
    # One read of the meetings around now serves two lists: the next 7 days'
    # (of open pairs) and the past month's that wait for the viewer's feedback.
    meetings = list(
        Meeting.objects.filter(
            relationship__members__user=user,
            status=MeetingStatus.SCHEDULED,
            starts_at__gte=now - timedelta(days=30),
            starts_at__lt=seven_days_on,
        )
        .select_related("relationship")
        .annotate(
            my_feedback=Exists(
                Feedback.objects.filter(meeting=OuterRef("pk"), author=user)
            )
        )
        .order_by("starts_at", "pk")
    )
    meetings_next_7_days = [
        m
        for m in meetings
        if m.starts_at >= now - timedelta(hours=1)
        and m.relationship.status in OPEN_RELATIONSHIP_STATUSES
    ]
    feedback_due = [
        m for m in reversed(meetings) if m.starts_at < now and not m.my_feedback
    ][:5]
    stale_before = now - timedelta(days=mentoring_settings.GOAL_CHECK_IN_DAYS)
    overdue_goals = list(
        Goal.objects.filter(
            owner=user,
            status=GoalStatus.OPEN,
            relationship__status__in=OPEN_RELATIONSHIP_STATUSES,
        )
        .annotate(last_check_in=Max("check_ins__created_at"))
        .filter(
            Q(target_date__lt=today)
            | Q(last_check_in__lt=stale_before)
            | Q(last_check_in__isnull=True, created_at__lt=stale_before)
        )
        .order_by("target_date")
    )
    waiting_programs = {r.mentee_enrollment_id for r in my_requests}
    applications = list(
        Enrollment.objects.filter(
            user=user,
            status=EnrollmentStatus.APPROVED,
            program__matching_mode__in=["self_select", "hybrid"],
        )
        .filter(
            Q(role__in=["mentee", "sponsee"]) | Q(role="member", program__kind="peer")
        )
        .annotate(
            open_relationships=Count(
                "program__relationships",
                filter=Q(
                    program__relationships__status__in=OPEN_RELATIONSHIP_STATUSES,
                    program__relationships__members__user=user,
                    program__relationships__members__role=F("role"),
                ),
                distinct=True,
            )
        )
    )
    final_feedback_due = list(
        Relationship.objects.filter(members__user=user)
        .filter(
            Q(
                status__in=["completed", "ended_early"],
                ended_at__gte=now - timedelta(60),
            )
            | Q(
                status__in=OPEN_RELATIONSHIP_STATUSES,
                ends_on__lte=today + timedelta(days=14),
            )
        )
        .exclude(feedback__author=user, feedback__kind=FeedbackKind.FINAL)
        .distinct()
    )
    attach_card_programs(
        [
            *requests_to_answer,
            *my_requests,
            *(m.relationship for m in memberships),
            *(m.relationship for m in meetings_next_7_days),
            *applications,
            *final_feedback_due,
            *also,
        ]
    )
    find_a_mentor = [
        e
        for e in applications
        if e.pk not in waiting_programs
        and e.open_relationships < e.program.mentors_per_mentee
    ]
    attention = bool(
        requests_to_answer
        or meetings_next_7_days
        or overdue_goals
        or unread
        or feedback_due
        or find_a_mentor
        or final_feedback_due
    )
    return {
        "requests_to_answer": requests_to_answer,
        "my_requests": my_requests,
        "meetings_next_7_days": meetings_next_7_days,
        "feedback_due": feedback_due,
        "overdue_goals": overdue_goals,
        "unread": unread,
        "find_a_mentor": find_a_mentor,
        "final_feedback_due": final_feedback_due,
        "needs_attention": attention,
        "today": today,
    }


def _count(queryset):
    """How many rows of ``queryset`` (correlated to the outer row), 0 for none."""
    return Coalesce(
        Subquery(
            queryset.values("relationship").annotate(n=Count("pk")).values("n")[:1]
        ),
        0,
    )


def attach_card_programs(objects) -> None:
    """Give ``objects`` their programs in one query, with the pages the
    relationship cards read from a program
    (:data:`RELATIONSHIP_CARD_PROGRAM_FIELDS`)."""
    related = [
        name
        for fields in hooks.get_hooks(RELATIONSHIP_CARD_PROGRAM_FIELDS)
        for name in fields()
    ]
    attach_programs(objects, related)


def relationships_for_dashboard(user):
    """All of ``user``'s relationships with partners, next meeting and goal
    counts, and what other domains show on the cards (:data:`RELATIONSHIP_CARDS`),
    in a fixed number of queries. Their programs are not read: give the page's
    rows to :func:`attach_card_programs` (or :func:`dashboard`'s ``also``)."""
    now = timezone.now()
    # Correlated subqueries, not joins: joining goals and meetings multiplies
    # their rows (a year of meetings times the goals) under a GROUP BY of every
    # program and journey column, and the paginator's count repeated it.
    goals = Goal.objects.filter(relationship=OuterRef("pk")).order_by()
    relationships = (
        Relationship.objects.filter(members__user=user)
        .prefetch_related(_members_prefetch())
        .annotate(
            goals_total=_count(goals),
            goals_done=_count(goals.filter(status=GoalStatus.ACHIEVED)),
            next_meeting_at=Subquery(
                Meeting.objects.filter(
                    relationship=OuterRef("pk"),
                    status=MeetingStatus.SCHEDULED,
                    starts_at__gt=now,
                )
                .order_by("starts_at")
                .values("starts_at")[:1]
            ),
        )
        .order_by("-created_at", "-pk")
    )
    for load_card_data in hooks.get_hooks(RELATIONSHIP_CARDS):
        relationships = load_card_data(relationships)
    return relationships
