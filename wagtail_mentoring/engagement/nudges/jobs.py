"""The periodic reminders and nudges. Each job may run any number of times:
every email has a key naming its occasion, so a second run sends nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import (
    Exists,
    Max,
    OuterRef,
    Prefetch,
    Q,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wagtail_mentoring.engagement.agenda import conversation_prompts_for
from wagtail_mentoring.engagement.mentor_requests import SELF_SELECT_MODES
from wagtail_mentoring.engagement.models import (
    Feedback,
    FeedbackKind,
    Goal,
    GoalStatus,
    Meeting,
    MeetingStatus,
    MentorRequest,
)
from wagtail_mentoring.engagement.nudges.at_risk import pairs_at_risk
from wagtail_mentoring.engagement.nudges.selectors import (
    BATCH_SIZE,
    attach_programs,
    in_batches,
    members_prefetch,
    quiet_days,
    quiet_since,
    with_meeting_dates,
)
from wagtail_mentoring.engagement.nudges.services import nudge_pair
from wagtail_mentoring.notifications.kinds import AT_RISK_SUMMARY
from wagtail_mentoring.notifications.models import Category, Delivery
from wagtail_mentoring.notifications.services import delivery_key, notify
from wagtail_mentoring.notifications.sharing import share
from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.programs.models import (
    Enrollment,
    EnrollmentStatus,
    ProgramPage,
    Relationship,
    RelationshipMember,
    RelationshipStatus,
    Role,
)

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
#: Feedback is asked for a day after a meeting; meetings older than this
#: window are left alone (a first run must not ask about last year's).
FEEDBACK_WINDOW = timedelta(days=7)
#: An open goal without a check-in for this long gets a reminder, again after
#: each such stretch.
GOAL_CHECK_IN_DAYS = 14
#: The profile nudge is for new participants: people approved longer ago
#: than the program's delay plus this are left alone.
NEW_PARTICIPANT_WINDOW = timedelta(days=30)
#: Pairs per program listed in the admins' weekly email (the screen has all).
AT_RISK_IN_DIGEST = 10


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


def nudge_quiet_pairs(now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Nudge active pairs with no meeting for their program's *nudge quiet
    pairs after* days and none planned; again after each such stretch.

    A batch of pairs costs a fixed number of queries (pairs, members, the
    nudges already sent, the journey prompts of the rest) plus the emails
    it sends: a day on which most quiet pairs were nudged already is cheap.
    """
    now = now or timezone.now()
    pairs = with_meeting_dates(
        Relationship.objects.filter(
            status=RelationshipStatus.ACTIVE, program__nudge_after_days__gt=0
        ),
        now,
    )
    sent = 0
    programs: dict = {}
    for batch in in_batches(pairs, batch_size):
        attach_programs(batch, programs)
        quiet = []
        for relationship in batch:
            limit = relationship.program.nudge_after_days
            days = quiet_days(relationship, now)
            if days >= limit:
                since = quiet_since(relationship).date().isoformat()
                quiet.append((relationship, f"quiet:{since}:{days // limit}", days))
        if not quiet:
            continue
        prefetch_related_objects([r for r, _o, _d in quiet], members_prefetch())
        keys = {
            (r.pk, delivery_key("pair_nudge", r.pk, occurrence, m.user))
            for r, occurrence, _d in quiet
            for m in r.members.all()
            if m.user.is_active
        }
        done = set(
            Delivery.objects.filter(key__in=[k for _pk, k in keys]).values_list(
                "key", flat=True
            )
        )
        waiting = {pk for pk, key in keys if key not in done}
        due = [item for item in quiet if item[0].pk in waiting]
        if not due:
            continue
        prompts = conversation_prompts_for([r for r, _o, _d in due])
        for relationship, occurrence, days in due:
            sent += nudge_pair(
                relationship,
                occurrence=occurrence,
                quiet_days=days,
                now=now,
                prompts=prompts[relationship.pk],
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
                        "meeting": meeting,
                        "program": meeting.relationship.program,
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
                    "goal": goal,
                    "days": days,
                    "program": goal.relationship.program,
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


def _approved_before(days_field: str, now: datetime):
    """Approved enrollments of active people in programs whose ``days_field``
    is on (> 0), annotated with ``approved_at`` (the decision, else the
    application); each caller compares it with its program's delay."""
    return (
        Enrollment.objects.filter(
            status=EnrollmentStatus.APPROVED,
            user__is_active=True,
            **{f"program__{days_field}__gt": 0},
        )
        .annotate(approved_at=Coalesce("decided_at", "created_at"))
        .select_related("program", "user__mentoring_profile")
        .order_by("pk")
    )


def nudge_mentees_without_requests(now: datetime | None = None) -> int:
    """Encourage, once, each approved mentee of a program where mentees choose
    who has asked nobody (and is in no pair there) for the program's
    *nudge mentees who sent no request after* days."""
    now = now or timezone.now()
    asked = MentorRequest.objects.filter(mentee_enrollment=OuterRef("pk"))
    paired = RelationshipMember.objects.filter(
        user=OuterRef("user"),
        relationship__program=OuterRef("program"),
        role=Role.MENTEE,
    )
    mentees = [
        enrollment
        for enrollment in _approved_before("nudge_no_request_after_days", now)
        .filter(role=Role.MENTEE, program__matching_mode__in=SELF_SELECT_MODES)
        .exclude(Exists(asked))
        .exclude(Exists(paired))
        if enrollment.approved_at
        <= now - timedelta(days=enrollment.program.nudge_no_request_after_days)
    ]
    sent = 0
    for enrollment in mentees:
        link = reverse("wagtail_mentoring:find_mentor", args=[enrollment.pk])
        sent += bool(
            notify(
                enrollment.user,
                "no_request",
                enrollment.pk,
                1,
                category=Category.REMINDERS,
                template="nudge",
                context={
                    "program": enrollment.program,
                    "subject": _("Find your mentor in %(program)s")
                    % {"program": enrollment.program.title},
                    "lines": [
                        _(
                            "You joined %(program)s but have not asked a mentor "
                            "yet. Your suggestions are ready: pick someone whose "
                            "experience you want to learn from and send a short "
                            "request."
                        )
                        % {"program": enrollment.program.title}
                    ],
                    "action_label": _("See my suggested mentors"),
                    "action_url": link,
                },
                link=link,
            )
        )
    return sent


def _missing_profile_fields(user) -> list[str]:
    profile = getattr(user, "mentoring_profile", None)
    return [
        str(EmployeeProfile._meta.get_field(name).verbose_name)
        for name in EmployeeProfile.REQUIRED_FOR_MATCHING
        if profile is None or not getattr(profile, name)
    ]


def _incomplete_profile() -> Q:
    """Enrollments whose person's profile lacks a field matching needs."""
    missing = Q(user__mentoring_profile__isnull=True)
    for name in EmployeeProfile.REQUIRED_FOR_MATCHING:
        field = f"user__mentoring_profile__{name}"
        missing |= Q(**{f"{field}__isnull": True})
        if EmployeeProfile._meta.get_field(name).get_internal_type() == "CharField":
            missing |= Q(**{field: ""})
    return missing


def nudge_incomplete_profiles(now: datetime | None = None) -> int:
    """Remind, once, each new participant whose profile lacks what matching
    needs (``EmployeeProfile.REQUIRED_FOR_MATCHING``), the program's *nudge
    incomplete profiles after* days after their approval."""
    now = now or timezone.now()
    # New participants only: approved within the delay plus the window (the
    # longest delay, 365 days, bounds the query; each program's is checked below).
    enrollments = (
        _approved_before("nudge_profile_after_days", now)
        .filter(approved_at__gt=now - NEW_PARTICIPANT_WINDOW - timedelta(days=365))
        .filter(_incomplete_profile())
    )
    sent = 0
    link = reverse("wagtail_mentoring:my_mentoring")
    for enrollment in enrollments:
        delay = timedelta(days=enrollment.program.nudge_profile_after_days)
        missing = _missing_profile_fields(enrollment.user)
        if not (now - delay - NEW_PARTICIPANT_WINDOW < enrollment.approved_at):
            continue
        if enrollment.approved_at > now - delay or not missing:
            continue
        # One reminder per person, whatever the number of their programs.
        sent += bool(
            notify(
                enrollment.user,
                "profile_incomplete",
                "profile",
                1,
                category=Category.REMINDERS,
                template="nudge",
                context={
                    "missing": missing,
                    "subject": _("Complete your mentoring profile"),
                    "lines": [
                        _(
                            "Your program team can only match you once your "
                            "profile is complete. Still missing: %(fields)s."
                        )
                        % {"fields": ", ".join(missing)}
                    ],
                    "action_label": _("Open My mentoring"),
                    "action_url": link,
                },
                link=link,
            )
        )
    return sent


def send_admin_at_risk_digest(now: datetime | None = None) -> int:
    """Weekly (from Monday 07:00, site time): each member of a program's admin
    group gets one email listing the at-risk pairs of the programs they
    administer, with the reasons and a link to *At-risk pairs*. Nobody gets
    an empty one; the key names the ISO week, so it goes once a week."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.weekday() == 0 and local.hour < 7:
        return 0
    year, week, _day = local.isocalendar()
    programs = {p.pk: p for p in ProgramPage.objects.filter(admin_group__isnull=False)}
    if not programs:
        return 0
    by_program: dict = {}
    for item in pairs_at_risk(
        Relationship.objects.filter(program__in=list(programs)), now
    ):
        by_program.setdefault(item.relationship.program_id, []).append(item)
    if not by_program:
        return 0
    User = get_user_model()
    memberships = User.groups.through.objects.filter(
        group_id__in={programs[pk].admin_group_id for pk in by_program}
    ).values_list(User.groups.field.m2m_field_name(), "group_id")
    admins: dict = {}
    for user_id, group_id in memberships:
        admins.setdefault(user_id, set()).add(group_id)
    users = User.objects.filter(pk__in=admins, is_active=True).select_related(
        "mentoring_profile"
    )
    at_risk_url = reverse("wm_at_risk:index")
    sent = 0
    for user in users.order_by("pk"):
        groups = []
        for pk, items in by_program.items():
            if programs[pk].admin_group_id not in admins[user.pk]:
                continue
            shown = items[:AT_RISK_IN_DIGEST]
            for item in shown:
                item.names = " & ".join(
                    display_name(m.user) for m in item.relationship.members.all()
                )
            groups.append(
                {
                    "program": programs[pk],
                    "pairs": shown,
                    "more": len(items) - len(shown),
                }
            )
        groups.sort(key=lambda g: g["program"].title)
        sent += bool(
            notify(
                user,
                "admin_at_risk",
                "week",
                f"{year}-W{week:02d}",
                category=Category.ADMIN,
                template="admin_at_risk",
                context={
                    "programs": groups,
                    "total": sum(len(by_program[g["program"].pk]) for g in groups),
                    "at_risk_url": at_risk_url,
                },
                link=at_risk_url,
            )
        )
    _share_at_risk_counts(programs, by_program, f"{year}-W{week:02d}", at_risk_url)
    return sent


def _share_at_risk_counts(programs, by_program, week: str, at_risk_url: str) -> None:
    """The admins' chat channels get each program's count: no names, no
    reasons (those stay in the admins' own email and screen)."""
    for pk, items in sorted(by_program.items()):
        share(
            AT_RISK_SUMMARY.name,
            pk,
            week,
            program_id=pk,
            title=ngettext(
                "%(program)s: %(count)s pair may need a hand this week",
                "%(program)s: %(count)s pairs may need a hand this week",
                len(items),
            )
            % {"program": programs[pk].title, "count": len(items)},
            text=_("Program admins find them, with the reasons, in At-risk pairs."),
            link=at_risk_url,
        )
