"""Periodic reminders and nudges (Celery ``shared_task``s)."""

from __future__ import annotations

from celery import shared_task

from wagtail_mentoring.engagement.nudges import jobs


@shared_task(ignore_result=True)
def send_meeting_reminders() -> int:
    """Periodic: meetings tomorrow and within the hour."""
    return jobs.remind_meetings()


@shared_task(ignore_result=True)
def send_request_reminders() -> int:
    """Periodic: requests waiting for a mentor's answer."""
    return jobs.remind_requests()


@shared_task(ignore_result=True)
def nudge_quiet_pairs() -> int:
    """Periodic: pairs that have not met for a while."""
    return jobs.nudge_quiet_pairs()


@shared_task(ignore_result=True)
def send_feedback_reminders() -> int:
    """Periodic: held meetings a day ago without the member's feedback."""
    return jobs.remind_feedback()


@shared_task(ignore_result=True)
def send_goal_check_in_reminders() -> int:
    """Periodic: open goals without a recent check-in."""
    return jobs.remind_goal_check_ins()


@shared_task(ignore_result=True)
def nudge_mentees_without_requests() -> int:
    """Periodic: mentees who chose nobody yet."""
    return jobs.nudge_mentees_without_requests()


@shared_task(ignore_result=True)
def nudge_incomplete_profiles() -> int:
    """Periodic: new participants whose profile is incomplete."""
    return jobs.nudge_incomplete_profiles()


@shared_task(ignore_result=True)
def send_admin_at_risk_digest() -> int:
    """Periodic (weekly): at-risk pairs for their program admins."""
    return jobs.send_admin_at_risk_digest()
