"""Goals and check-ins within a relationship."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_user
from wagtail_mentoring.engagement import services
from wagtail_mentoring.engagement.models import Goal, GoalStatus
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.programs.services import (
    change_relationship_status,
    start_relationship,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(program, employee, other_employee):
    return start_relationship(
        program, [(employee, "mentee"), (other_employee, "mentor")], other_employee
    )


def test_member_sets_a_goal_and_checks_in(pair, employee):
    goal = services.create_goal(
        pair,
        employee,
        title="Give a tech talk",
        target_date=timezone.localdate() + timedelta(days=60),
    )
    services.check_in_goal(goal, employee, progress=40, note="Outline done")
    goal.refresh_from_db()
    assert goal.progress == 40 and goal.status == GoalStatus.OPEN
    services.check_in_goal(goal, employee, progress=100)
    goal.refresh_from_db()
    assert goal.status == GoalStatus.ACHIEVED
    assert goal.check_ins.count() == 2


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("outsider", "not_member"),
        ("past", "date"),
        ("closed", "closed"),
        ("blank", "title"),
    ],
)
def test_refused_goals_write_nothing(case, code, pair, employee):
    user, title, target = employee, "Learn Rust", timezone.localdate() + timedelta(1)
    if case == "outsider":
        user = make_user()
    elif case == "past":
        target = timezone.localdate() - timedelta(days=1)
    elif case == "closed":
        change_relationship_status(pair, "completed", None)
    elif case == "blank":
        title = "   "
    with pytest.raises(MentoringError) as excinfo:
        services.create_goal(pair, user, title=title, target_date=target)
    assert excinfo.value.code == code
    assert not Goal.objects.exists()


def test_check_in_out_of_range_is_refused(pair, employee):
    goal = services.create_goal(
        pair, employee, title="x", target_date=timezone.localdate() + timedelta(days=7)
    )
    with pytest.raises(MentoringError):
        services.check_in_goal(goal, employee, progress=101)
    assert not goal.check_ins.exists()


def test_meetings_whose_time_passed_become_held_once(pair, employee):
    from wagtail_mentoring.engagement.models import Meeting, MeetingStatus

    now = timezone.now()
    past = Meeting.objects.create(
        relationship=pair, title="Done", starts_at=now - timedelta(hours=3)
    )
    running = Meeting.objects.create(
        relationship=pair, title="Now", starts_at=now - timedelta(minutes=10)
    )
    cancelled = Meeting.objects.create(
        relationship=pair,
        title="Off",
        starts_at=now - timedelta(days=1),
        status=MeetingStatus.CANCELLED,
    )
    assert services.mark_meetings_held(now) == 1
    assert services.mark_meetings_held(now) == 0
    statuses = dict(Meeting.objects.values_list("pk", "status"))
    assert statuses == {
        past.pk: MeetingStatus.HELD,
        running.pk: MeetingStatus.SCHEDULED,
        cancelled.pk: MeetingStatus.CANCELLED,
    }
