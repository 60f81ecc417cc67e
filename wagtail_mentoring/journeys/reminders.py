"""The journey reminder: "your journey's next step" for a pair whose journey
has not moved for a while. It lives here, not in engagement.nudges, because
engagement must not import journeys; journeys may use notifications."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_mentoring.engagement.nudges.selectors import members_prefetch
from wagtail_mentoring.journeys.models import JourneyProgress
from wagtail_mentoring.notifications.models import Category
from wagtail_mentoring.notifications.services import notify
from wagtail_mentoring.programs.models import RelationshipStatus

#: Journeys have no planned dates, so the reminder follows inactivity: a pair
#: whose journey has not moved for this many days, again after each stretch.
JOURNEY_STEP_DAYS = 14


def remind_journey_steps(now: datetime | None = None) -> int:
    """Remind the members following an unfinished journey of its next step
    when it has not moved for ``JOURNEY_STEP_DAYS``. Returns emails sent."""
    now = now or timezone.now()
    summaries = (
        JourneyProgress.objects.filter(
            completed_at__isnull=True,
            relationship__status=RelationshipStatus.ACTIVE,
            journey__live=True,
            last_activity_at__lte=now - timedelta(days=JOURNEY_STEP_DAYS),
        )
        .exclude(current_step_id="")
        .select_related("journey", "relationship__program")
        .prefetch_related(
            Prefetch("relationship__members", queryset=members_prefetch().queryset)
        )
        .order_by("pk")
    )
    sent = 0
    for summary in summaries:
        journey = summary.journey.specific
        days = (now - summary.last_activity_at).days
        if not journey.url:  # not reachable on any site
            continue
        link = journey.url + journey.reverse_subpage(
            "step", args=[summary.current_step_id]
        )
        # A mentor-only or mentee-only journey: only its followers are told.
        followers = set(summary.members or {})
        for member in summary.relationship.members.all():
            if followers and str(member.user_id) not in followers:
                continue
            sent += bool(
                notify(
                    member.user,
                    "journey_step",
                    summary.pk,
                    f"{summary.last_activity_at.date().isoformat()}:"
                    f"{days // JOURNEY_STEP_DAYS}",
                    category=Category.REMINDERS,
                    template="nudge",
                    context={
                        "journey": journey,
                        "step_title": summary.current_step_title or journey.title,
                        "days": days,
                        "program": summary.relationship.program,
                        "subject": _("Your next step: %(step)s")
                        % {"step": summary.current_step_title or journey.title},
                        "lines": [
                            _(
                                "Your journey “%(journey)s” has not moved for "
                                "%(days)d days. Your next step is “%(step)s”."
                            )
                            % {
                                "journey": journey.title,
                                "days": days,
                                "step": summary.current_step_title,
                            }
                        ],
                        "action_label": _("Continue the journey"),
                        "action_url": link,
                    },
                    link=link,
                )
            )
    return sent
