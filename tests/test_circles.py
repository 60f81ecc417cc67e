"""Group mentoring circles: forming, joining, placing, leaving, moving, ending,
and what members share (meetings, messages, goals, feedback)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from wagtail.models import PageLogEntry  # noqa: F401 (Wagtail's log models load)

from tests.engagement_helpers import PROFILE, mentee, mentor, soon
from tests.factories import make_enrollment, make_program, make_user
from wagtail_mentoring.engagement import circles, services
from wagtail_mentoring.engagement.models import Goal, Meeting, Message
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.programs.models import (
    EnrollmentStatus,
    ProgramKind,
    Relationship,
    RelationshipMember,
    RelationshipStatus,
    places_taken,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_now")]


@pytest.fixture
def group(hub):
    return make_program(
        hub, title="Leading Together", slug="leading", kind=ProgramKind.GROUP
    )


@pytest.fixture
def facilitator(group):
    return mentor(group, "fiona", capacity=3)


@pytest.fixture
def circle(group, facilitator):
    return circles.form_circle(
        group, facilitator.user, facilitator.user, topic="Leading", open_to_join=True
    )


@pytest.fixture
def group_admin(group):
    return make_user("gina", admin_access=True, groups=[group.admin_group])


def _snapshot():
    """Everything a refused action must leave as it was."""
    return (
        sorted(
            RelationshipMember.objects.values_list("relationship_id", "user_id", "role")
        ),
        sorted(Relationship.objects.values_list("pk", "status", "topic")),
        len(mail.outbox),
    )


def _log_actions(circle):
    from wagtail.models import ModelLogEntry

    return list(
        ModelLogEntry.objects.filter(object_id=str(circle.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_form_circle_makes_a_relationship_with_the_facilitator(circle, facilitator):
    assert circle.is_circle
    assert circle.status == RelationshipStatus.ACTIVE
    assert [(m.user_id, m.role) for m in circle.members.all()] == [
        (facilitator.user_id, "mentor")
    ]
    assert circle.seats == 3 and circle.seats_left == 3
    assert circle.topic == "Leading" and circle.open_to_join
    assert "wagtail_mentoring.circle.form" in _log_actions(circle)


def test_a_mentor_leads_one_open_circle(group, circle, facilitator):
    before = _snapshot()
    with pytest.raises(MentoringError, match="already leads a circle"):
        circles.form_circle(group, facilitator.user, facilitator.user)
    assert _snapshot() == before


def test_form_circle_refusals(group, program, facilitator, employee):
    before = _snapshot()
    # someone else cannot form a circle for the mentor
    with pytest.raises(MentoringError, match="admins or the mentor"):
        circles.form_circle(group, facilitator.user, employee)
    # not a group program
    with pytest.raises(MentoringError, match="not a group mentoring program"):
        circles.form_circle(program, facilitator.user, facilitator.user)
    # not a mentor of the program
    with pytest.raises(MentoringError, match="not an approved mentor"):
        circles.form_circle(group, employee, employee)
    assert _snapshot() == before


def test_mentees_join_until_full_and_the_facilitator_is_told(
    group, circle, facilitator
):
    joiners = [mentee(group, f"joiner{i}").user for i in range(3)]
    for user in joiners:
        circles.join_circle(circle, user)
    circle.refresh_from_db()
    assert {m.user_id for m in circle.circle_mentees} == {u.pk for u in joiners}
    assert circle.seats_left == 0
    assert [m.to for m in mail.outbox] == [[facilitator.user.email]] * 3
    latecomer = mentee(group, "late").user
    before = _snapshot()
    with pytest.raises(MentoringError, match="full"):
        circles.join_circle(circle, latecomer)
    assert _snapshot() == before
    # the facilitator's capacity is used up by the circle
    assert places_taken(group)[(facilitator.user_id, "mentor")] == 3


def test_join_refusals_write_nothing(group, circle, employee, other_program):
    outsider = employee  # no application in the group program
    pending = make_user("penny", profile=dict(PROFILE))
    make_enrollment(pending, group, "mentee")  # still pending
    member = mentee(group, "mia").user
    circles.join_circle(circle, member)
    max_user = mentor(group, "max", capacity=2).user
    other = circles.form_circle(group, max_user, max_user, open_to_join=True)
    before = _snapshot()
    with pytest.raises(MentoringError, match="approved application"):
        circles.join_circle(circle, outsider)
    with pytest.raises(MentoringError, match="approved application"):
        circles.join_circle(circle, pending)
    with pytest.raises(MentoringError, match="already in this circle|already in a"):
        circles.join_circle(circle, member)
    # a second circle while in one: refused
    with pytest.raises(MentoringError, match="already in a circle"):
        circles.join_circle(other, member)
    assert _snapshot() == before


def test_closed_circles_refuse_joining_but_admins_place(
    group, circle, facilitator, group_admin
):
    circles.update_circle(circle, facilitator.user, topic="Leading", open_to_join=False)
    someone = mentee(group, "sam").user
    before = _snapshot()
    with pytest.raises(MentoringError, match="not open for joining"):
        circles.join_circle(circle, someone)
    # another mentee cannot place someone
    other = mentee(group, "ola").user
    with pytest.raises(MentoringError, match="Only the program's admins"):
        circles.add_to_circle(circle, someone, other)
    assert _snapshot() == before
    circles.add_to_circle(circle, someone, group_admin)
    assert circle.members.filter(user=someone, role="mentee").exists()
    # the placed person and the facilitator are told, the admin is not
    recipients = {tuple(m.to) for m in mail.outbox}
    assert (someone.email,) in recipients or not someone.email
    assert "wagtail_mentoring.circle.placed" in _log_actions(circle)


def test_leave_keeps_what_the_member_wrote(group, circle, facilitator):
    member = mentee(group, "lea").user
    circles.join_circle(circle, member)
    services.send_message(circle, member, body="Hello circle")
    mail.outbox.clear()
    stranger = mentee(group, "stan").user
    before = _snapshot()
    with pytest.raises(MentoringError, match="Only the member"):
        circles.leave_circle(circle, member, stranger)
    with pytest.raises(MentoringError, match="facilitator cannot leave"):
        circles.leave_circle(circle, facilitator.user, facilitator.user)
    assert _snapshot() == before
    circles.leave_circle(circle, member, member, reason="New role")
    assert not circle.members.filter(user=member).exists()
    assert Message.objects.filter(relationship=circle, author=member).exists()
    assert len(mail.outbox) == 1  # the facilitator
    assert "wagtail_mentoring.circle.leave" in _log_actions(circle)
    # their seat is free again
    circle.refresh_from_db()
    assert circle.seats_left == 3


def test_move_between_circles(group, circle, facilitator, group_admin):
    second_mentor = mentor(group, "nora", capacity=1)
    second = circles.form_circle(group, second_mentor.user, group_admin, topic="Sales")
    member = mentee(group, "milo").user
    circles.join_circle(circle, member)
    before = _snapshot()
    with pytest.raises(MentoringError, match="admins can move"):
        circles.move_to_circle(circle, second, member, facilitator.user)
    with pytest.raises(MentoringError, match="different circle"):
        circles.move_to_circle(circle, circle, member, group_admin)
    assert _snapshot() == before
    mail.outbox.clear()
    circles.move_to_circle(circle, second, member, group_admin)
    assert not circle.members.filter(user=member).exists()
    assert second.members.filter(user=member, role="mentee").exists()
    # both facilitators and the mentee are told
    assert len(mail.outbox) == 3
    # the second circle is now full: moving another one in is refused
    other = mentee(group, "otto").user
    circles.join_circle(circle, other)
    before = _snapshot()
    with pytest.raises(MentoringError, match="full"):
        circles.move_to_circle(circle, second, other, group_admin)
    assert _snapshot() == before


def test_end_circle_tells_every_member_and_cancels_meetings(
    group, circle, facilitator, group_admin
):
    members = [mentee(group, f"end{i}").user for i in range(2)]
    for user in members:
        circles.join_circle(circle, user)
    meeting = services.schedule_meeting(
        circle,
        facilitator.user,
        title="Circle kick-off",
        starts_at=soon(3),
        duration_minutes=60,
        timezone_name="Europe/Berlin",
    )
    before = _snapshot()
    with pytest.raises(MentoringError, match="Only the facilitator"):
        circles.end_circle(circle, members[0], reason="Bored")
    with pytest.raises(MentoringError, match="say why"):
        circles.end_circle(circle, facilitator.user, reason=" ")
    assert _snapshot() == before
    mail.outbox.clear()
    circles.end_circle(circle, facilitator.user, reason="The season is over")
    circle.refresh_from_db()
    assert circle.status == RelationshipStatus.ENDED_EARLY
    meeting.refresh_from_db()
    assert meeting.is_cancelled
    subjects = [m.subject for m in mail.outbox]
    assert sum("circle" in s and "ended" in s for s in subjects) == 2  # the mentees
    with pytest.raises(MentoringError, match="has ended"):
        circles.join_circle(circle, mentee(group, "after").user)


def test_meeting_invite_reaches_every_member(group, circle, facilitator):
    members = [mentee(group, f"inv{i}").user for i in range(3)]
    for user in members:
        circles.join_circle(circle, user)
    mail.outbox.clear()
    services.schedule_meeting(
        circle,
        members[0],
        title="Peer review",
        starts_at=soon(4),
        duration_minutes=45,
        timezone_name="Europe/Berlin",
    )
    assert len(mail.outbox) == 4
    for message in mail.outbox:
        (attachment,) = message.attachments
        assert attachment[2].startswith("text/calendar")
        body = attachment[1]
        body = body.decode() if isinstance(body, bytes) else body
        # every member is an attendee of the one event
        assert body.count("ATTENDEE") == 4


def test_messages_reach_every_other_member(group, circle, facilitator):
    members = [mentee(group, f"msg{i}").user for i in range(2)]
    for user in members:
        circles.join_circle(circle, user)
    mail.outbox.clear()
    services.send_message(circle, members[0], body="Shall we meet Tuesday?")
    assert len(mail.outbox) == 2


def test_the_thread_says_the_whole_circle_reads_it(group, circle, facilitator, client):
    client.force_login(facilitator.user)
    html = client.get(reverse("wagtail_mentoring:messages", args=[circle.pk]))
    assert "Only the circle's members can read these" in html.content.decode()
    assert "two of you" not in html.content.decode()


def test_shared_and_own_goals(group, circle, facilitator, program, employee):
    member = mentee(group, "gus").user
    circles.join_circle(circle, member)
    target = soon(30).date()
    shared = services.create_goal(
        circle, facilitator.user, title="Run a retro", target_date=target, shared=True
    )
    own = services.create_goal(circle, member, title="Speak up", target_date=target)
    assert shared.shared and not own.shared
    from tests.engagement_helpers import pair

    one_to_one = pair(program, employee)
    count = Goal.objects.count()
    with pytest.raises(MentoringError, match="Only a circle"):
        services.create_goal(
            one_to_one, employee, title="x", target_date=target, shared=True
        )
    assert Goal.objects.count() == count


def test_a_member_cannot_end_the_circle_through_the_pair_action(
    group, circle, facilitator
):
    member = mentee(group, "eve").user
    circles.join_circle(circle, member)
    before = _snapshot()
    with pytest.raises(MentoringError, match="Leave the circle"):
        services.end_relationship(circle, member, reason="Done")
    assert _snapshot() == before
    assert Meeting.objects.count() == 0


def test_pending_enrollment_status_unchanged(group, circle):
    enrollment = mentee(group, "stay")
    circles.join_circle(circle, enrollment.user)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.APPROVED


def test_circle_space_shows_all_members(client, group, circle, facilitator):
    members = [mentee(group, f"space{i}").user for i in range(2)]
    for user in members:
        circles.join_circle(circle, user)
    client.force_login(members[0])
    response = client.get(reverse("wagtail_mentoring:relationship", args=[circle.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Leading" in body  # the topic
    for user in [facilitator.user, members[1]]:
        assert user.first_name in body


def test_journey_progress_per_member_and_for_the_circle(hub, group, circle):
    from tests.journey_data import make_journey, step
    from wagtail_mentoring.journeys import services as journeys
    from wagtail_mentoring.journeys.models import JourneyProgress

    journey = make_journey(
        hub, [step("s", "Read together", audience="mentee")], slug="circle-journey"
    )
    group.journey = journey
    group.save()
    first, second = (mentee(group, f"jp{i}").user for i in range(2))
    circles.join_circle(circle, first)
    circles.join_circle(circle, second)
    journeys.complete_step(circle, first, journey, "s")
    summary = JourneyProgress.objects.get(relationship=circle, journey=journey)
    # the circle's step waits for every mentee; each member has their own part
    assert (summary.steps_done, summary.steps_total) == (0, 1)
    assert summary.members[str(first.pk)]["done"] == 1
    assert summary.members[str(second.pk)]["done"] == 0
    journeys.complete_step(circle, second, journey, "s")
    summary.refresh_from_db()
    assert summary.steps_done == 1
    # a newcomer has the step still to do: the circle's count is recounted
    third = mentee(group, "jp3").user
    circles.join_circle(circle, third)
    summary.refresh_from_db()
    assert summary.steps_done == 0 and str(third.pk) in summary.members
    # and when they leave, the circle is done again
    circles.leave_circle(circle, third, third)
    summary.refresh_from_db()
    assert summary.steps_done == 1 and str(third.pk) not in summary.members
