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
from django.http import Http404
from django.utils import timezone
from wagtail import hooks

from wagtail_mentoring.conf import mentoring_settings
from wagtail_mentoring.engagement.mentor_requests import SELF_SELECT_MODES
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
    Message,
)
from wagtail_mentoring.engagement.services import (
    FINAL_FEEDBACK_REMINDED_FOR,
    FINAL_FEEDBACK_WINDOW,
)
from wagtail_mentoring.programs.models import (
    OPEN_RELATIONSHIP_STATUSES,
    Enrollment,
    EnrollmentStatus,
    ProgramKind,
    Relationship,
    RelationshipMember,
    RelationshipStatus,
    Role,
)
from wagtail_mentoring.programs.selectors import attach_programs
from wagtail_mentoring.sql import compiled_once, counted

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
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    found = _member_relationship(user.pk, pk)
    if not found:
        raise Http404
    return found[0]


@compiled_once
def _member_relationship(user_key, pk):
    return (
        Relationship.objects.filter(members__user=user_key, pk=pk)
        .select_related("program")
        .prefetch_related(_members_prefetch())
        .distinct()
    )


def partners(relationship: Relationship, user) -> list[RelationshipMember]:
    return [m for m in relationship.members.all() if m.user_id != user.pk]


def my_membership(relationship: Relationship, user) -> RelationshipMember | None:
    return next((m for m in relationship.members.all() if m.user_id == user.pk), None)


def next_meeting(relationship: Relationship, now=None) -> Meeting | None:
    found = _next_meeting(relationship.pk, now or timezone.now())
    return found[0] if found else None


@compiled_once
def _next_meeting(relationship_key, now):
    return Meeting.objects.filter(
        relationship=relationship_key, status=MeetingStatus.SCHEDULED, starts_at__gt=now
    ).order_by("starts_at", "pk")[:1]


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
    return _awaiting_feedback(relationship.pk, user.pk, timezone.now(), limit=limit)


@compiled_once
def _awaiting_feedback(relationship_key, user_key, now, *, limit):
    given = Feedback.objects.filter(
        meeting=OuterRef("pk"), author=user_key, kind=FeedbackKind.MEETING
    )
    return (
        Meeting.objects.filter(relationship=relationship_key, starts_at__lte=now)
        .exclude(status=MeetingStatus.CANCELLED)
        .exclude(Exists(given))
        .order_by("-starts_at", "-pk")[:limit]
    )


def gave_final_feedback(relationship: Relationship, user) -> bool:
    return bool(_final_feedback_of(relationship.pk, user.pk))


@compiled_once
def _final_feedback_of(relationship_key, user_key):
    return Feedback.objects.filter(
        relationship=relationship_key, author=user_key, kind=FeedbackKind.FINAL
    ).values_list("pk", flat=True)[:1]


def visible_feedback(relationship: Relationship, user):
    """Feedback ``user`` may read in the space: their own, and their partner's
    when the partner chose to share it."""
    return (
        Feedback.objects.filter(relationship=relationship)
        .filter(Q(author=user) | Q(visibility=FeedbackVisibility.PARTNER))
        .select_related("author", "meeting")
    )


#: The relationship page's lists, from SQL compiled once: ``goal_rows(key)``,
#: ``feedback_rows(key, user_key)``.
goal_rows = compiled_once(goals_of)
feedback_rows = compiled_once(visible_feedback)


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


def dashboard(user, now=None, *, also=(), enrollments=None, relationships=None) -> dict:
    """Everything "My mentoring" shows, attention-first.

    ``enrollments`` and ``relationships`` are all of ``user``'s, when the page's
    lists hold them whole, as most people's do (``relationships`` from
    :func:`relationships_for_dashboard`). The open memberships with their unread
    messages, the applications to find a mentor for and the final feedback due
    are then read from those rows, not queried again. The programs of every
    list, and of ``also`` (the page's other rows), are read in one query for
    all of them (see :func:`attach_card_programs`).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    seven_days_on = now + timedelta(days=7)
    if enrollments is None:
        # a person's applications over the years: tens, where pages cut at 25;
        # in the order of the page's list
        enrollments = Enrollment.objects.filter(user=user).order_by(
            "-created_at", "-pk"
        )
    enrollments = list(enrollments)
    approved = [e for e in enrollments if e.status == EnrollmentStatus.APPROVED]
    programs = attach_card_programs([*also, *approved, *(relationships or ())])

    requests_to_answer, my_requests = _requests(enrollments, now)
    if relationships is None:
        memberships = _open_memberships(user)
        final_feedback_due = _final_feedback_due(user, now, today)
    else:
        memberships = [
            _with_unread(my_membership(r, user), r.unread)
            for r in relationships
            if r.status in OPEN_RELATIONSHIP_STATUSES
        ]
        final_feedback_due = [
            r
            for r in relationships
            if _final_feedback_is_due(r, now, today) and not r.gave_final_feedback
        ]
    unread = [m for m in memberships if m.unread]
    # One read of the meetings around now serves two lists: the next 7 days'
    # (of open pairs) and the past month's that wait for the viewer's feedback.
    meetings = _meetings_around(user.pk, now - timedelta(days=30), seven_days_on)
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
    overdue_goals = _overdue_goals(user.pk, today, stale_before)
    # Their programs are the viewer's: read above, unless a list was cut short.
    attach_card_programs(
        [
            *requests_to_answer,
            *my_requests,
            *(m.relationship for m in memberships),
            *(m.relationship for m in meetings_next_7_days),
            *final_feedback_due,
        ],
        known=programs,
    )
    waiting = {r.mentee_enrollment_id for r in my_requests}
    find_a_mentor = [
        e
        for e in _seeking(approved)
        if e.pk not in waiting
        and _open_in(e, memberships) < e.program.mentors_per_mentee
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


@compiled_once
def _meetings_around(user_key, since, until):
    """Scheduled meetings of ``user_key``'s relationships from ``since`` to
    ``until``, each with ``my_feedback``: whether they gave feedback on it."""
    return (
        Meeting.objects.filter(
            relationship__members__user=user_key,
            status=MeetingStatus.SCHEDULED,
            starts_at__gte=since,
            starts_at__lt=until,
        )
        .select_related("relationship")
        .annotate(
            my_feedback=Exists(
                Feedback.objects.filter(meeting=OuterRef("pk"), author=user_key)
            )
        )
        .order_by("starts_at", "pk")
    )


@compiled_once
def _overdue_goals(user_key, today, stale_before):
    """Open goals of ``user_key``'s open relationships past their date or
    without a check-in since ``stale_before``."""
    return (
        Goal.objects.filter(
            owner=user_key,
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


def _requests(enrollments, now) -> tuple[list, list]:
    """Requests waiting for the viewer's answer, and their own live ones, in
    one query on the keys of all their applications (``enrollments``), where
    every request of theirs hangs."""
    mine = {e.pk for e in enrollments}
    if not mine:
        return [], []
    rows = _requests_of(tuple(sorted(mine)))
    to_answer = sorted(
        (
            r
            for r in rows
            if r.mentor_enrollment_id in mine
            and r.status == MentorRequestStatus.PENDING
        ),
        # as PostgreSQL orders them: no expiry last
        key=lambda r: (r.expires_at is None, r.expires_at or now, r.pk),
    )
    own = sorted(
        (r for r in rows if r.mentee_enrollment_id in mine),
        key=lambda r: (r.program_id, r.rank, r.pk),
    )
    return to_answer, own


@compiled_once
def _requests_of(enrollment_keys):
    return MentorRequest.objects.filter(
        Q(mentor_enrollment__in=enrollment_keys, status=MentorRequestStatus.PENDING)
        | Q(mentee_enrollment__in=enrollment_keys, status__in=LIVE_REQUEST_STATUSES)
    ).select_related(
        "mentee_enrollment__user__mentoring_profile", "mentor_enrollment__user"
    )


def _open_memberships(user) -> list[RelationshipMember]:
    """``user``'s memberships of open relationships, each with ``unread``: the
    messages others wrote since ``user`` last read the thread."""
    return list(
        RelationshipMember.objects.filter(
            user=user, relationship__status__in=OPEN_RELATIONSHIP_STATUSES
        )
        .select_related("relationship")
        # as the relationship cards: the newest first
        .order_by("-relationship__created_at", "-relationship_id")
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


def _with_unread(membership: RelationshipMember, unread: int) -> RelationshipMember:
    membership.unread = unread
    return membership


def _final_feedback_is_due(relationship: Relationship, now, today) -> bool:
    """Ended lately, or ends soon: time to say how it went (the windows of
    :mod:`.services`; :func:`_final_feedback_due` asks the same in SQL)."""
    if relationship.status in (
        RelationshipStatus.COMPLETED,
        RelationshipStatus.ENDED_EARLY,
    ):
        return (
            relationship.ended_at is not None
            and relationship.ended_at >= now - FINAL_FEEDBACK_REMINDED_FOR
        )
    return (
        relationship.status in OPEN_RELATIONSHIP_STATUSES
        and relationship.ends_on is not None
        and relationship.ends_on <= today + FINAL_FEEDBACK_WINDOW
    )


def _final_feedback_due(user, now, today) -> list[Relationship]:
    """:func:`_final_feedback_is_due` relationships of ``user`` without their
    final feedback, in SQL."""
    return list(
        Relationship.objects.filter(members__user=user)
        .filter(
            Q(
                status__in=[
                    RelationshipStatus.COMPLETED,
                    RelationshipStatus.ENDED_EARLY,
                ],
                ended_at__gte=now - FINAL_FEEDBACK_REMINDED_FOR,
            )
            | Q(
                status__in=OPEN_RELATIONSHIP_STATUSES,
                ends_on__lte=today + FINAL_FEEDBACK_WINDOW,
            )
        )
        .exclude(feedback__author=user, feedback__kind=FeedbackKind.FINAL)
        .distinct()
        .order_by("-created_at", "-pk")
    )


def _seeking(approved) -> list[Enrollment]:
    """Approved applications that may look for a mentor (or a peer partner)
    themselves; their programs attached."""
    return [
        e
        for e in approved
        if e.program.matching_mode in SELF_SELECT_MODES
        and (
            e.role in (Role.MENTEE, Role.SPONSEE)
            or (e.role == Role.MEMBER and e.program.kind == ProgramKind.PEER)
        )
    ]


def _open_in(enrollment: Enrollment, memberships) -> int:
    """How many of ``memberships`` (open) are in the application's program and role."""
    return sum(
        1
        for m in memberships
        if m.relationship.program_id == enrollment.program_id
        and m.role == enrollment.role
    )


def attach_card_programs(objects, known=None) -> dict:
    """Give ``objects`` their programs in one query, with the pages the
    relationship cards read from a program
    (:data:`RELATIONSHIP_CARD_PROGRAM_FIELDS`); returns them by key, for
    ``known`` of the next call."""
    related = [
        name
        for fields in hooks.get_hooks(RELATIONSHIP_CARD_PROGRAM_FIELDS)
        for name in fields()
    ]
    return attach_programs(objects, related, known)


def dashboard_relationships_head(user, limit: int) -> list[Relationship]:
    """The first ``limit`` rows of :func:`relationships_for_dashboard`, from
    SQL compiled once (the page's busiest query)."""
    return _dashboard_head(
        user.pk,
        timezone.now(),
        limit=limit,
        cards=tuple(hooks.get_hooks(RELATIONSHIP_CARDS)),
    )


@compiled_once
def _dashboard_head(user_key, now, *, limit, cards):
    return relationships_for_dashboard(user_key, now, cards)[:limit]


def relationships_for_dashboard(user, now=None, cards=None):
    """All of ``user``'s relationships with partners, next meeting and goal
    counts, ``unread`` (messages others wrote since ``user`` last read the
    thread), ``gave_final_feedback``, and what other domains show on the cards
    (:data:`RELATIONSHIP_CARDS`, or the ``cards`` loaders given), in a fixed
    number of queries. Their programs are not read: give the page's rows to
    :func:`attach_card_programs` (or :func:`dashboard`'s ``also``). ``user``
    may be a user's key."""
    now = now or timezone.now()
    read_since = RelationshipMember.objects.filter(
        relationship=OuterRef("relationship"),
        user=user,
        messages_read_at__gte=OuterRef("created_at"),
    )
    # Correlated subqueries, not joins: joining goals and meetings multiplies
    # their rows (a year of meetings times the goals) under a GROUP BY of every
    # program and journey column, and the paginator's count repeated it.
    goals = Goal.objects.filter(relationship=OuterRef("pk")).order_by()
    relationships = (
        Relationship.objects.filter(members__user=user)
        .prefetch_related(_members_prefetch())
        .annotate(
            goals_total=counted(goals, "relationship"),
            goals_done=counted(
                goals.filter(status=GoalStatus.ACHIEVED), "relationship"
            ),
            next_meeting_at=Subquery(
                Meeting.objects.filter(
                    relationship=OuterRef("pk"),
                    status=MeetingStatus.SCHEDULED,
                    starts_at__gt=now,
                )
                .order_by("starts_at")
                .values("starts_at")[:1]
            ),
            unread=counted(
                Message.objects.filter(relationship=OuterRef("pk"))
                .exclude(author=user)
                .exclude(Exists(read_since)),
                "relationship",
            ),
            gave_final_feedback=Exists(
                Feedback.objects.filter(
                    relationship=OuterRef("pk"), author=user, kind=FeedbackKind.FINAL
                )
            ),
        )
        .order_by("-created_at", "-pk")
    )
    if cards is None:
        cards = hooks.get_hooks(RELATIONSHIP_CARDS)
    for load_card_data in cards:
        relationships = load_card_data(relationships)
    return relationships
