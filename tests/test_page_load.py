"""What the load benchmark (benchmarks/load.py) found on our pages, kept fixed:
queries whose rows or number grow with a pair's history."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_user
from wagtail_mentoring.engagement.models import Goal, GoalStatus, Meeting, MeetingStatus
from wagtail_mentoring.engagement.selectors import relationships_for_dashboard
from wagtail_mentoring.programs import services


def _history(relationship, owner, goals: int, meetings: int) -> None:
    now = timezone.now()
    for i in range(goals):
        Goal.objects.create(
            relationship=relationship,
            owner=owner,
            title=f"goal {i}",
            target_date=timezone.localdate() + timedelta(days=30),
            status=GoalStatus.ACHIEVED if i % 3 == 0 else GoalStatus.OPEN,
        )
    for i in range(meetings):
        Meeting.objects.create(
            relationship=relationship,
            title=f"meeting {i}",
            # Half held in the past, half to come (the first in 2 days).
            starts_at=now + timedelta(days=2 * i - meetings + 2),
            status=MeetingStatus.SCHEDULED,
            created_by=owner,
        )


def test_my_mentoring_cards_count_goals_and_next_meeting_without_joining_them(
    client, employee, program
):
    partner = make_user()
    relationship = services.start_relationship(
        program, [(employee, "mentee"), (partner, "mentor")], partner
    )
    _history(relationship, employee, goals=6, meetings=8)
    Meeting.objects.create(  # sooner, but cancelled: not the next meeting
        relationship=relationship,
        title="cancelled",
        starts_at=timezone.now() + timedelta(days=1),
        status=MeetingStatus.CANCELLED,
        created_by=employee,
    )

    [card] = relationships_for_dashboard(employee)
    assert (card.goals_total, card.goals_done) == (6, 2)
    expected = Meeting.objects.filter(
        relationship=relationship,
        status=MeetingStatus.SCHEDULED,
        starts_at__gt=timezone.now(),
    ).order_by("starts_at")[0]
    assert card.next_meeting_at == expected.starts_at

    # One row per relationship: goals × meetings joined under a GROUP BY
    # would read 6 × 9 rows for this pair, and a year of history thousands.
    query = relationships_for_dashboard(employee).query
    sql = str(query)
    assert f'JOIN "{Goal._meta.db_table}"' not in sql
    assert f'JOIN "{Meeting._meta.db_table}"' not in sql
    assert query.group_by is None


def test_my_mentoring_queries_stay_constant_as_a_pairs_history_grows(
    client, employee, program
):
    partner = make_user()
    relationship = services.start_relationship(
        program, [(employee, "mentee"), (partner, "mentor")], partner
    )
    client.force_login(employee)
    url = reverse("wagtail_mentoring:my_mentoring")
    _history(relationship, employee, goals=1, meetings=1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _history(relationship, employee, goals=20, meetings=30)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert b"8 of 21 goals achieved" in response.content
