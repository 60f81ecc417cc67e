"""Periodic work of analytics."""

from celery import shared_task

from wagtail_mentoring.analytics import summary


@shared_task(ignore_result=True)
def refresh_activity_summary() -> int:
    """Periodic: bring the dashboard's activity summary up to date (the days
    changed or completed since the last refresh)."""
    return summary.refresh()
