"""The sponsor accountability nudge: a sponsor with an open sponsorship and
no advocacy logged this quarter is reminded once a quarter. It lives here, not
in engagement.nudges: engagement and sponsorship never import each other."""

from __future__ import annotations

from datetime import date, datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_mentoring.notifications.models import Category
from wagtail_mentoring.notifications.services import notify
from wagtail_mentoring.programs.models import (
    RelationshipMember,
    RelationshipStatus,
    Role,
)
from wagtail_mentoring.sponsorship.models import AdvocacyAction
from wagtail_mentoring.sponsorship.reports import quarter_label, quarter_start


def remind_idle_sponsors(now: datetime | None = None) -> int:
    """Remind each sponsor of an active sponsorship who logged no advocacy in
    the program since the quarter began, once the program's *nudge sponsors
    without advocacy after* days of the quarter have passed. Same "quarter"
    as the accountability report (calendar quarters)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start = quarter_start(today)
    into = (today - start).days
    sponsors = (
        RelationshipMember.objects.filter(
            role=Role.SPONSOR,
            user__is_active=True,
            relationship__status=RelationshipStatus.ACTIVE,
            relationship__program__nudge_sponsors_after_days__gt=0,
            relationship__program__nudge_sponsors_after_days__lte=into,
        )
        .select_related("user__mentoring_profile", "relationship__program")
        .order_by("relationship__program_id", "user_id", "pk")
    )
    active = _advocates_since(start)
    sent = 0
    for member in sponsors:
        program = member.relationship.program
        if (member.user_id, program.pk) in active:
            continue
        link = reverse("wagtail_mentoring:sponsorship")
        # One reminder per sponsor, program and quarter, however many sponsees.
        sent += bool(
            notify(
                member.user,
                "sponsor_advocacy",
                program.pk,
                quarter_label(start),
                category=Category.REMINDERS,
                template="nudge",
                context={
                    "program": program,
                    "since": start,
                    "subject": _("No advocacy logged this quarter (%(program)s)")
                    % {"program": program.title},
                    "lines": [
                        _(
                            "As a sponsor in %(program)s you commit to speak up "
                            "for your sponsee. Nothing has been logged since "
                            "%(since)s: an endorsement, an introduction or a "
                            "stretch-assignment nomination counts."
                        )
                        % {"program": program.title, "since": start.isoformat()}
                    ],
                    "action_label": _("Log an advocacy action"),
                    "action_url": link,
                },
                link=link,
            )
        )
    return sent


def _advocates_since(start: date) -> set:
    """``(sponsor id, program id)`` of everyone who logged advocacy since ``start``."""
    return set(
        AdvocacyAction.objects.filter(occurred_on__gte=start, sponsor__isnull=False)
        .values_list("sponsor_id", "relationship__program_id")
        .distinct()
    )
