"""The activity summary: held meetings, messages and feedback ratings per
program and whole UTC day (``ActivityDay``), refreshed by a periodic task.

The dashboard adds up whole UTC days from the summary and counts the rest of
each period live: the partial days at its edges (periods are whole days of the
viewer's time zone) and everything since the last complete UTC day. So its
figures equal the live computation as of the last refresh, whatever the time
zone; a change to an already summarised day (a meeting marked held, moved or
deleted) marks that day stale and shows at the next refresh.

A refresh is incremental: it recounts the stale days and the days completed
since the last refresh, nothing else. The first one counts everything.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import partial

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from wagtail_mentoring.analytics.models import (
    ActivityDay,
    ActivitySummaryState,
    StaleActivityDay,
)
from wagtail_mentoring.engagement.meeting_changes import meeting_saved
from wagtail_mentoring.engagement.models import (
    Feedback,
    Meeting,
    MeetingStatus,
    Message,
)

#: How often the periodic job refreshes the summary (minutes); the dashboard
#: says so beside the time of the last refresh.
REFRESH_MINUTES = 15

#: The counted columns of ``ActivityDay``.
COLUMNS = ["meetings_held", "messages"] + [f"rating_{n}" for n in range(1, 6)]


def utc_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def state() -> ActivitySummaryState | None:
    """The summary's state, or ``None`` before its first refresh."""
    found = ActivitySummaryState.objects.filter(complete_until__isnull=False).first()
    return found


def due(now: datetime | None = None) -> bool:
    """Whether the summary missed its refreshes (never made, or older than two
    intervals): the dashboard then asks for one through the dispatcher, so it
    is kept without a Celery beat or cron job too."""
    current = state()
    now = now or timezone.now()
    return current is None or current.refreshed_at < now - timedelta(
        minutes=2 * REFRESH_MINUTES
    )


def mark_stale(*moments) -> None:
    """Note the UTC days of ``moments`` (datetimes, ``None`` ignored) as changed:
    the next refresh recounts those already summarised (days before today)."""
    today = utc_day(timezone.now())
    days = {utc_day(m) for m in moments if m is not None} - {None}
    days = sorted(d for d in days if d < today)
    if days:
        StaleActivityDay.objects.bulk_create(
            [StaleActivityDay(day=d) for d in days], ignore_conflicts=True
        )


def _changed(*moments) -> None:
    # Once the change is committed: a rolled-back one changed nothing.
    transaction.on_commit(partial(mark_stale, *moments))


def _meeting_saved(sender, instance, before, now, **kwargs) -> None:
    # The day it was counted on too, to recount it if the meeting moved.
    _changed(before.starts_at, now.starts_at)


def _meeting_deleted(sender, instance, **kwargs) -> None:
    _changed(instance.__dict__.get("starts_at"))


def _created_row_changed(sender, instance, **kwargs) -> None:
    _changed(instance.__dict__.get("created_at"))


def connect() -> None:
    """Changes to meetings, messages and feedback mark their days stale."""
    meeting_saved.connect(_meeting_saved, sender=Meeting, dispatch_uid="wm_summary_ms")
    post_delete.connect(_meeting_deleted, sender=Meeting, dispatch_uid="wm_summary_md")
    for model in (Message, Feedback):
        for signal in (post_save, post_delete):
            signal.connect(
                _created_row_changed,
                sender=model,
                dispatch_uid=f"wm_summary_{model.__name__}_{signal is post_save}",
            )


def refresh(now: datetime | None = None) -> int:
    """Bring the summary up to the last complete UTC day; returns the number of
    days recounted. Safe to run at any time and twice at once (the second waits
    for the first, then finds little to do)."""
    now = now or timezone.now()
    today = utc_day(now)
    with transaction.atomic():
        current, _created = (
            ActivitySummaryState.objects.select_for_update().get_or_create(pk=1)
        )
        stale = list(
            StaleActivityDay.objects.select_for_update().values_list("pk", "day")
        )
        if current.complete_until is None:
            ranges = [(None, today)]
            ActivityDay.objects.all().delete()
            recounted = None
        else:
            days = {d for _pk, d in stale if d < today}
            days.update(_days(current.complete_until, today))
            ranges = _ranges(days)
            recounted = len(days)
        for low, high in ranges:
            _recount(low, high)
        StaleActivityDay.objects.filter(pk__in=[pk for pk, _day in stale]).delete()
        current.complete_until = max(today, current.complete_until or today)
        current.refreshed_at = now
        current.save()
    if recounted is None:
        recounted = len(set(ActivityDay.objects.values_list("day", flat=True)))
    return recounted


def _days(first: date, end: date) -> list[date]:
    return [first + timedelta(n) for n in range((end - first).days)]


def _ranges(days) -> list[tuple[date, date]]:
    """Consecutive days as ``[first, end)`` ranges."""
    ranges = []
    for day in sorted(days):
        if ranges and ranges[-1][1] == day:
            ranges[-1] = (ranges[-1][0], day + timedelta(1))
        else:
            ranges.append((day, day + timedelta(1)))
    return ranges


def _recount(low: date | None, high: date) -> None:
    """Replace the summary of the UTC days ``[low, high)`` (from the first
    record when ``low`` is None) by a fresh count: one grouped query a table."""
    rows: dict[tuple[int, date], dict[str, int]] = {}

    def add(queryset, when, column_of):
        window = Q(**{f"{when}__lt": utc_start(high)})
        if low is not None:
            window &= Q(**{f"{when}__gte": utc_start(low)})
        extra = ["rating"] if column_of is None else []
        grouped = (
            queryset.filter(window)
            .annotate(day=TruncDate(when, tzinfo=UTC))
            .values("relationship__program_id", "day", *extra)
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in grouped:
            column = column_of or f"rating_{row['rating']}"
            if column not in COLUMNS:
                continue  # a rating outside 1–5 (the form never lets one in)
            key = (row["relationship__program_id"], row["day"])
            counts = rows.setdefault(key, dict.fromkeys(COLUMNS, 0))
            counts[column] += row["n"]

    add(Meeting.objects.filter(status=MeetingStatus.HELD), "starts_at", "meetings_held")
    add(Message.objects.all(), "created_at", "messages")
    add(Feedback.objects.all(), "created_at", None)
    old = ActivityDay.objects.filter(day__lt=high)
    if low is not None:
        old = old.filter(day__gte=low)
    old.delete()
    ActivityDay.objects.bulk_create(
        [
            ActivityDay(program_id=program, day=day, **counts)
            for (program, day), counts in rows.items()
        ],
        batch_size=5000,
    )


__all__ = [
    "COLUMNS",
    "REFRESH_MINUTES",
    "connect",
    "due",
    "mark_stale",
    "refresh",
    "state",
]
