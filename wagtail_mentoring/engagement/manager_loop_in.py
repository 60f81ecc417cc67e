"""The manager loop-in: once a month, each manager of participants of the
programs that opted in hears which of their reports take part and how
actively — meetings held (in the last 30 days and since the start) and goals
set. Never a message, a note or a goal's text; the partner's name only when
the participant allows it (``partner_visible_to_manager`` on their profile).

One email per manager and month (the delivery key names the month), through
``notify()``: the manager's notification preferences apply, and a run twice
sends nothing more.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from wagtail_mentoring.engagement.models import Goal, Meeting, MeetingStatus
from wagtail_mentoring.notifications.models import Category
from wagtail_mentoring.notifications.services import notify
from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.programs.models import (
    OPEN_RELATIONSHIP_STATUSES,
    RelationshipMember,
)

#: Meetings "lately": the loop-in's window.
RECENT_DAYS = 30


def send_manager_loop_in(now: datetime | None = None) -> int:
    """Send this month's loop-in to every manager with a report taking part in
    a program that loops managers in; returns the number of emails sent."""
    now = now or timezone.now()
    month = timezone.localtime(now).strftime("%Y-%m")
    members = list(
        RelationshipMember.objects.filter(
            relationship__program__manager_loop_in=True,
            relationship__program__live=True,
            relationship__status__in=OPEN_RELATIONSHIP_STATUSES,
            user__is_active=True,
        )
        .select_related("user", "relationship__program")
        .order_by("relationship__program__title", "pk")
    )
    if not members:
        return 0
    relationship_ids = {m.relationship_id for m in members}
    meetings = {
        row["relationship_id"]: row
        for row in Meeting.objects.filter(
            relationship_id__in=relationship_ids, status=MeetingStatus.HELD
        )
        .values("relationship_id")
        .annotate(
            held=Count("pk"),
            lately=Count(
                "pk", filter=Q(starts_at__gte=now - timedelta(days=RECENT_DAYS))
            ),
        )
    }
    goals = dict(
        Goal.objects.filter(relationship_id__in=relationship_ids)
        .values_list("relationship_id")
        .annotate(n=Count("pk"))
    )
    partners: dict = {}
    for other in RelationshipMember.objects.filter(
        relationship_id__in=relationship_ids, user__isnull=False
    ).select_related("user"):
        partners.setdefault(other.relationship_id, []).append(other)
    profiles = {
        p.user_id: p
        for p in EmployeeProfile.objects.filter(
            user_id__in={m.user_id for m in members}, manager__isnull=False
        )
    }
    by_manager: dict = {}
    for member in members:
        profile = profiles.get(member.user_id)
        if profile is None:
            continue
        counts = meetings.get(member.relationship_id, {})
        names = ""
        if profile.partner_visible_to_manager:
            names = ", ".join(
                display_name(other.user)
                for other in partners.get(member.relationship_id, [])
                if other.user_id != member.user_id
            )
        by_manager.setdefault(profile.manager_id, []).append(
            {
                "name": display_name(member.user),
                "program": member.relationship.program.title,
                "role": member.get_role_display(),
                "since": member.relationship.started_on,
                "meetings": counts.get("held", 0),
                "meetings_lately": counts.get("lately", 0),
                "goals": goals.get(member.relationship_id, 0),
                "partners": names,
            }
        )
    sent = 0
    for manager in get_user_model().objects.filter(pk__in=by_manager, is_active=True):
        reports = by_manager[manager.pk]
        sent += bool(
            notify(
                manager,
                "manager_loop_in",
                "month",
                month,
                category=Category.ACTIVITY,
                template="manager_loop_in",
                context={
                    "reports": sorted(reports, key=lambda r: (r["name"], r["program"])),
                    "recent_days": RECENT_DAYS,
                },
            )
        )
    return sent
