"""Each relationship's first and last held meeting, kept on the relationship
for reports, follows every change to its meetings; the dashboard's figures that
read it stay equal to the ones worked out from the meetings by hand."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_enrollment, make_user
from wagtail_mentoring.analytics import kpis
from wagtail_mentoring.analytics.models import StaleActivityDay
from wagtail_mentoring.engagement import meeting_marks
from wagtail_mentoring.engagement.models import Meeting
from wagtail_mentoring.programs.models import Relationship, RelationshipMember


def at(month, day, year=2026):
    return timezone.make_aware(datetime(year, month, day, 10))


@pytest.fixture
def pair(program):
    mentee = make_enrollment(
        make_user("mia"), program, "mentee", status="approved", created_at=at(8, 1)
    )
    mentor = make_enrollment(make_user("max"), program, "mentor", status="approved")
    relationship = Relationship.objects.create(
        program=program, status="active", created_at=at(8, 10)
    )
    for enrollment, role in ((mentee, "mentee"), (mentor, "mentor")):
        RelationshipMember.objects.create(
            relationship=relationship,
            user=enrollment.user,
            role=role,
            enrollment=enrollment,
        )
    return relationship


def marks(relationship):
    relationship.refresh_from_db()
    return relationship.first_met_at, relationship.last_met_at


def updates_of_relationships(queries):
    table = Relationship._meta.db_table
    return [q for q in queries if q["sql"].startswith(f'UPDATE "{table}"')]


def meet(relationship, when, status="held"):
    return Meeting.objects.create(
        relationship=relationship, title="Catch-up", starts_at=when, status=status
    )


def test_marks_follow_every_change_to_held_meetings(pair):
    assert marks(pair) == (None, None)
    planned = meet(pair, at(10, 1), status="scheduled")
    assert marks(pair) == (None, None)

    september = meet(pair, at(9, 1))
    assert marks(pair) == (at(9, 1), at(9, 1))
    planned.status = "held"
    planned.save()
    assert marks(pair) == (at(9, 1), at(10, 1))

    # Moved, then cancelled, then deleted: each recounts from what is left.
    september.starts_at = at(10, 20)
    september.save()
    assert marks(pair) == (at(10, 1), at(10, 20))
    september = Meeting.objects.get(pk=september.pk)
    september.status = "cancelled"
    september.save()
    assert marks(pair) == (at(10, 1), at(10, 1))
    Meeting.objects.get(pk=planned.pk).delete()
    assert marks(pair) == (None, None)


def test_saves_that_cannot_change_the_marks_write_nothing_more(pair):
    meeting = meet(pair, at(9, 1))
    meeting = Meeting.objects.get(pk=meeting.pk)
    meeting.title = "Career chat"
    with CaptureQueriesContext(connection) as queries:
        meeting.save()
    assert not updates_of_relationships(queries)

    planned = meet(pair, at(12, 20), status="scheduled")
    planned.title = "Planning"
    with CaptureQueriesContext(connection) as queries:
        planned.save()
    assert not updates_of_relationships(queries)
    planned.status = "held"
    with CaptureQueriesContext(connection) as queries:
        planned.save()
    assert len(updates_of_relationships(queries)) == 1


def test_recount_catches_up_with_meetings_written_in_bulk(pair, program):
    other = Relationship.objects.create(program=program, status="active")
    Meeting.objects.bulk_create(
        [
            Meeting(relationship=pair, title="a", starts_at=at(9, 3), status="held"),
            Meeting(relationship=pair, title="b", starts_at=at(11, 3), status="held"),
            Meeting(relationship=other, title="c", starts_at=at(9, 9), status="missed"),
        ]
    )
    assert marks(pair) == (None, None)
    assert meeting_marks.recount(Relationship.objects.all()) == 2
    assert marks(pair) == (at(9, 3), at(11, 3))
    assert marks(other) == (None, None)


def test_a_past_period_counts_the_last_meeting_before_its_end(pair, program):
    # Met in September and again in November, after the period ends: at the
    # end of October the pair had been quiet since 1 September (60 days).
    meet(pair, at(9, 1))
    meet(pair, at(11, 15))
    period = kpis.Period(date(2026, 10, 1), date(2026, 10, 30))
    quiet = kpis.compute(program.__class__.objects.filter(pk=program.pk), period).quiet
    assert dict(quiet.rows) == {
        "0–14 days": 0,
        "15–30 days": 0,
        "31–60 days": 1,
        "61 days or more": 0,
        "No meeting yet": 0,
    }
    # Today the pair last met on 15 November.
    assert marks(pair)[1] == at(11, 15)


def stale_days():
    return sorted(StaleActivityDay.objects.values_list("day", flat=True))


def test_one_record_serves_the_marks_and_the_summary_save_after_save(
    pair, django_capture_on_commit_callbacks
):
    # Both recount from what the meeting was before each save: moved twice on
    # the same instance, the second move starts from the first one's day.
    meeting = meet(pair, at(9, 1, year=2025))
    with django_capture_on_commit_callbacks(execute=True):
        meeting.starts_at = at(9, 2, year=2025)
        meeting.save()
    assert stale_days() == [date(2025, 9, 1), date(2025, 9, 2)]
    StaleActivityDay.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        meeting.starts_at = at(9, 3, year=2025)
        meeting.save()
    assert stale_days() == [date(2025, 9, 2), date(2025, 9, 3)]
    assert marks(pair) == (at(9, 3, year=2025), at(9, 3, year=2025))
