"""Messages, feedback and the relationship's course (end, rematch, extend,
completion at the end date)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.engagement_helpers import pair, soon
from tests.factories import make_user
from wagtail_mentoring.engagement import services
from wagtail_mentoring.engagement.models import (
    Feedback,
    Meeting,
    MeetingStatus,
    Message,
)
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.programs.models import Relationship, RelationshipStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_now")]


@pytest.fixture
def relationship(program, employee, other_employee):
    return pair(program, employee, other_employee)


@pytest.mark.parametrize("private", [True, False])
def test_message_email_hides_content_when_the_program_says_private(
    private, program, relationship, employee, other_employee
):
    program.messages_private = private
    program.save()
    services.send_message(relationship, employee, body="My secret <plan>")
    (email,) = mail.outbox
    assert email.to == [other_employee.email]
    html = email.alternatives[0][0]
    assert f"/mentoring/relationships/{relationship.pk}/messages/" in email.body
    if private:
        assert "secret" not in email.body and "secret" not in html
    else:
        assert "My secret <plan>" in email.body  # plain text, not HTML-escaped
        assert "My secret &lt;plan&gt;" in html


def test_bad_messages_are_refused(relationship, employee):
    for body, code in [("   ", "empty"), ("x" * 5001, "length")]:
        with pytest.raises(MentoringError) as excinfo:
            services.send_message(relationship, employee, body=body)
        assert excinfo.value.code == code
    with pytest.raises(MentoringError):
        services.send_message(relationship, make_user(), body="hi")
    assert not Message.objects.exists() and not mail.outbox


def test_meeting_feedback_after_the_meeting_once(relationship, employee):
    meeting = services.schedule_meeting(
        relationship, employee, title="Chat", starts_at=soon(1)
    )
    with pytest.raises(MentoringError) as excinfo:
        services.give_feedback(relationship, employee, rating=5, meeting=meeting)
    assert excinfo.value.code == "not_held"
    later = meeting.starts_at + timedelta(hours=2)
    services.give_feedback(
        relationship, employee, rating=4, comment="Useful", meeting=meeting, now=later
    )
    with pytest.raises(MentoringError) as excinfo:
        services.give_feedback(
            relationship, employee, rating=3, meeting=meeting, now=later
        )
    assert excinfo.value.code == "duplicate"
    assert Feedback.objects.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({"rating": 3, "visibility": "everyone"}, "visibility"),
        ({"rating": 3}, "too_early"),  # final feedback, relationship months away
    ],
)
def test_bad_feedback_is_refused(kwargs, code, relationship, employee):
    with pytest.raises(MentoringError) as excinfo:
        services.give_feedback(relationship, employee, **kwargs)
    assert excinfo.value.code == code
    assert not Feedback.objects.exists()


def test_end_early_needs_a_reason_tells_the_partner_and_cancels_meetings(
    relationship, employee, other_employee
):
    meeting = services.schedule_meeting(
        relationship, employee, title="Chat", starts_at=soon()
    )
    mail.outbox.clear()
    with pytest.raises(MentoringError) as excinfo:
        services.end_relationship(relationship, other_employee, reason="  ")
    assert excinfo.value.code == "reason"
    assert Relationship.objects.get(pk=relationship.pk).status == "active"
    services.end_relationship(relationship, other_employee, reason="New role abroad")
    relationship.refresh_from_db()
    assert relationship.status == RelationshipStatus.ENDED_EARLY
    assert relationship.end_reason == "New role abroad"
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.CANCELLED
    ended = [m for m in mail.outbox if "has ended" in m.subject]
    assert [m.to for m in ended] == [[employee.email]]
    assert "New role abroad" in ended[0].body
    # Final feedback is open once it has ended.
    services.give_feedback(relationship, employee, rating=4, visibility="admins")


def test_rematch_ends_and_tells_the_program_admins(
    relationship, employee, program_admin
):
    services.request_rematch(relationship, employee, reason="Different goals")
    relationship.refresh_from_db()
    assert relationship.status == RelationshipStatus.ENDED_EARLY
    assert relationship.rematch_requested_by == employee
    admin_mail = [m for m in mail.outbox if m.to == [program_admin.email]]
    assert admin_mail and "Rematch" in admin_mail[0].subject


def test_extend_within_the_program_limits(program, relationship, employee):
    program.max_extensions = 1
    program.max_extension_weeks = 8
    program.save()
    before = relationship.ends_on
    with pytest.raises(MentoringError) as excinfo:
        services.extend_relationship(relationship, employee, weeks=9)
    assert excinfo.value.code == "weeks"
    services.extend_relationship(relationship, employee, weeks=4)
    relationship.refresh_from_db()
    assert relationship.ends_on == before + timedelta(weeks=4)
    with pytest.raises(MentoringError) as excinfo:
        services.extend_relationship(relationship, employee, weeks=1)
    assert excinfo.value.code == "limit"
    relationship.refresh_from_db()
    assert relationship.extensions_used == 1


def test_relationships_complete_at_their_end_date(program, relationship, employee):
    from wagtail_mentoring.engagement.tasks import complete_ended_relationships
    from wagtail_mentoring.tasks import beat_schedule

    tasks = {entry["task"] for entry in beat_schedule().values()}
    assert "wagtail_mentoring.engagement.tasks.complete_ended_relationships" in tasks
    assert "wagtail_mentoring.engagement.tasks.expire_mentor_requests" in tasks

    still_running = pair(program)
    Relationship.objects.filter(pk=relationship.pk).update(
        ends_on=timezone.localdate() - timedelta(days=1)
    )
    assert complete_ended_relationships() == 1
    assert complete_ended_relationships() == 0  # idempotent
    relationship.refresh_from_db()
    still_running.refresh_from_db()
    assert relationship.status == RelationshipStatus.COMPLETED
    assert still_running.status == RelationshipStatus.ACTIVE
    completed = [m for m in mail.outbox if "complete" in m.subject]
    assert len(completed) == 2  # both members, asked for final feedback


def test_goal_owner_updates_and_drops(relationship, employee, other_employee):
    goal = services.create_goal(
        relationship,
        employee,
        title="Speak at a meetup",
        target_date=timezone.localdate() + timedelta(days=30),
    )
    with pytest.raises(MentoringError) as excinfo:
        services.update_goal(
            goal, other_employee, title="x", target_date=goal.target_date
        )
    assert excinfo.value.code == "not_owner"
    services.update_goal(
        goal,
        employee,
        title="Speak at two meetups",
        target_date=goal.target_date,
        status="dropped",
    )
    goal.refresh_from_db()
    assert goal.title == "Speak at two meetups" and goal.status == "dropped"
    with pytest.raises(MentoringError) as excinfo:
        services.check_in_goal(goal, employee, progress=50)
    assert excinfo.value.code == "dropped"
