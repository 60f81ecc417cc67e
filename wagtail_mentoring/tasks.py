"""Celery entry point: re-exports every domain's tasks for autodiscovery, and
lists the periodic jobs once for Celery beat (``beat_schedule()``) and for
cron hosts (``manage.py mentoring_run_jobs``)."""

from celery.schedules import crontab

from wagtail_mentoring.analytics.summary import REFRESH_MINUTES
from wagtail_mentoring.analytics.tasks import refresh_activity_summary  # noqa: F401
from wagtail_mentoring.community.events.tasks import (  # noqa: F401
    send_event_reminders,
    send_event_updates,
    send_new_event_notices,
    send_rsvp_notice,
)
from wagtail_mentoring.engagement.nudges.tasks import (  # noqa: F401
    nudge_incomplete_profiles,
    nudge_mentees_without_requests,
    nudge_quiet_pairs,
    send_admin_at_risk_digest,
    send_feedback_reminders,
    send_goal_check_in_reminders,
    send_meeting_reminders,
    send_request_reminders,
)
from wagtail_mentoring.engagement.office_hours.tasks import (  # noqa: F401
    send_booking_emails,
    send_booking_feedback_requests,
    send_booking_reminders,
)
from wagtail_mentoring.engagement.tasks import (  # noqa: F401
    complete_ended_relationships,
    expire_mentor_requests,
    mark_meetings_held,
    send_manager_loop_in,
    send_meeting_invites,
    send_message_notifications,
    send_relationship_emails,
    send_request_emails,
)
from wagtail_mentoring.journeys.tasks import (  # noqa: F401
    refresh_journey_summaries,
    send_journey_step_reminders,
)
from wagtail_mentoring.matching.tasks import (  # noqa: F401
    fail_unclaimed_matching_runs,
    run_matching,
    send_match_emails,
)
from wagtail_mentoring.notifications.tasks import (  # noqa: F401
    retry_failed_notifications,
    send_notification_digests,
)
from wagtail_mentoring.people.tasks import run_scheduled_hris_imports  # noqa: F401
from wagtail_mentoring.privacy.tasks import (  # noqa: F401
    apply_retention,
    end_participation_of_leavers,
)
from wagtail_mentoring.programs.tasks import send_decision_emails  # noqa: F401
from wagtail_mentoring.sponsorship.tasks import nudge_idle_sponsors  # noqa: F401
from wagtail_mentoring.surveys.tasks import (  # noqa: F401
    send_survey_reminders,
    send_surveys,
)
from wagtail_mentoring.webhooks.tasks import (  # noqa: F401
    deliver_webhook,
    retry_webhooks,
)

#: Every periodic job: its name (``mentoring_run_jobs --job NAME``), its task
#: and how often beat runs it. Every job may run any number of times: a second
#: run finds nothing left to do and sends nothing.
PERIODIC_JOBS = {
    "expire-requests": (expire_mentor_requests, crontab(minute="*/15")),
    "meetings-held": (mark_meetings_held, crontab(minute="*/15")),
    "fail-unclaimed-runs": (fail_unclaimed_matching_runs, crontab()),  # each minute
    "complete-relationships": (
        complete_ended_relationships,
        crontab(hour=2, minute=30),
    ),
    "retention": (apply_retention, crontab(hour=3, minute=15)),
    # Before "leavers", so people the HRIS file deactivated leave the same night.
    "hris-imports": (run_scheduled_hris_imports, crontab(hour=1, minute=45)),
    "leavers": (end_participation_of_leavers, crontab(hour=2, minute=15)),
    # Within 15 minutes of "a day before" and "an hour before".
    "meeting-reminders": (send_meeting_reminders, crontab(minute="*/15")),
    "event-reminders": (send_event_reminders, crontab(minute="*/15")),
    "request-reminders": (send_request_reminders, crontab(minute=5)),
    "quiet-pairs": (nudge_quiet_pairs, crontab(hour=9, minute=0)),
    "feedback-reminders": (send_feedback_reminders, crontab(minute=20)),
    "goal-check-ins": (send_goal_check_in_reminders, crontab(hour=9, minute=10)),
    "journey-steps": (send_journey_step_reminders, crontab(hour=9, minute=20)),
    "mentees-without-requests": (
        nudge_mentees_without_requests,
        crontab(hour=9, minute=30),
    ),
    "idle-sponsors": (nudge_idle_sponsors, crontab(hour=9, minute=40)),
    "incomplete-profiles": (nudge_incomplete_profiles, crontab(hour=9, minute=50)),
    # Weekly; the job itself waits for Monday 07:00 (for cron hosts).
    "admin-at-risk": (
        send_admin_at_risk_digest,
        crontab(day_of_week=1, hour=7, minute=5),
    ),
    # Within the day before a flash conversation; feedback once it ended.
    "booking-reminders": (send_booking_reminders, crontab(minute="*/15")),
    "booking-feedback": (send_booking_feedback_requests, crontab(minute=25)),
    # Monthly; one email per manager and month, whenever it runs.
    "manager-loop-in": (send_manager_loop_in, crontab(day_of_month=1, hour=8)),
    # Surveys go out the day a relationship reaches their moment; reminders
    # a week later.
    "surveys": (send_surveys, crontab(hour=8, minute=40)),
    "survey-reminders": (send_survey_reminders, crontab(hour=8, minute=50)),
    "retry-notifications": (retry_failed_notifications, crontab(minute="*/5")),
    # Webhook deliveries whose backoff has passed.
    "retry-webhooks": (retry_webhooks, crontab()),  # each minute
    # Hourly: each person's digest goes at their own local hour.
    "digests": (send_notification_digests, crontab(minute=0)),
    # The dashboard's summary; the page shows its time and this interval.
    "dashboard-summary": (
        refresh_activity_summary,
        crontab(minute=f"*/{REFRESH_MINUTES}"),
    ),
}


def register_periodic_job(name: str, task, schedule) -> None:
    """Add an optional app's periodic job (from its ``AppConfig.ready()``), so
    beat and ``mentoring_run_jobs`` run it like the package's own."""
    PERIODIC_JOBS.setdefault(name, (task, schedule))


def beat_schedule() -> dict:
    """Periodic jobs for the host's Celery beat::

    app.conf.beat_schedule = {**app.conf.beat_schedule, **beat_schedule()}
    """

    return {
        f"wagtail-mentoring-{name}": {"task": task.name, "schedule": schedule}
        for name, (task, schedule) in PERIODIC_JOBS.items()
    }
