"""Celery entry point: re-exports every domain's tasks for autodiscovery."""

from celery.schedules import crontab

from wagtail_mentoring.engagement.tasks import (  # noqa: F401
    complete_ended_relationships,
    expire_mentor_requests,
    mark_meetings_held,
    send_meeting_invites,
    send_message_notifications,
    send_relationship_emails,
    send_request_emails,
)
from wagtail_mentoring.journeys.tasks import refresh_journey_summaries  # noqa: F401
from wagtail_mentoring.matching.tasks import (  # noqa: F401
    fail_unclaimed_matching_runs,
    run_matching,
    send_match_emails,
)
from wagtail_mentoring.privacy.tasks import (  # noqa: F401
    apply_retention,
    end_participation_of_leavers,
)
from wagtail_mentoring.programs.tasks import send_decision_emails  # noqa: F401


def beat_schedule() -> dict:
    """Periodic jobs for the host's Celery beat::

    app.conf.beat_schedule = {**app.conf.beat_schedule, **beat_schedule()}
    """

    return {
        "wagtail-mentoring-expire-requests": {
            "task": "wagtail_mentoring.engagement.tasks.expire_mentor_requests",
            "schedule": crontab(minute="*/15"),
        },
        "wagtail-mentoring-meetings-held": {
            "task": "wagtail_mentoring.engagement.tasks.mark_meetings_held",
            "schedule": crontab(minute="*/15"),
        },
        "wagtail-mentoring-fail-unclaimed-runs": {
            "task": "wagtail_mentoring.matching.tasks.fail_unclaimed_matching_runs",
            "schedule": crontab(),  # every minute
        },
        "wagtail-mentoring-complete-relationships": {
            "task": "wagtail_mentoring.engagement.tasks.complete_ended_relationships",
            "schedule": crontab(hour=2, minute=30),
        },
        "wagtail-mentoring-retention": {
            "task": "wagtail_mentoring.privacy.tasks.apply_retention",
            "schedule": crontab(hour=3, minute=15),
        },
        "wagtail-mentoring-leavers": {
            "task": "wagtail_mentoring.privacy.tasks.end_participation_of_leavers",
            "schedule": crontab(hour=2, minute=15),
        },
    }
