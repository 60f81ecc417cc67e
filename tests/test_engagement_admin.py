"""The admin's view of relationships and requests: metadata, never content."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.engagement_helpers import mentee, mentor, pair, self_select, soon
from tests.factories import make_user
from wagtail_mentoring.engagement import services
from wagtail_mentoring.engagement.models import MentorRequest
from wagtail_mentoring.programs.models import Relationship

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_now")]


@pytest.fixture
def busy(program, employee, other_employee):
    relationship = pair(program, employee, other_employee)
    meeting = services.schedule_meeting(
        relationship, employee, title="SECRET-TITLE-OK", starts_at=soon()
    )
    services.save_meeting_notes(meeting, employee, notes="PRIVATE-NOTES")
    goal = services.create_goal(
        relationship,
        employee,
        title="PRIVATE-GOAL",
        target_date=timezone.localdate() + timedelta(days=9),
    )
    services.check_in_goal(goal, employee, progress=100)
    services.send_message(relationship, employee, body="PRIVATE-MESSAGE")
    services.end_relationship(relationship, employee, reason="Moving on")
    services.give_feedback(
        relationship,
        other_employee,
        rating=2,
        comment="FOR-ADMINS",
        visibility="admins",
    )
    services.give_feedback(
        relationship, employee, rating=5, comment="FOR-PARTNER", visibility="partner"
    )
    return relationship


def test_program_admin_sees_metadata_not_content(client, busy, program_admin):
    client.force_login(program_admin)
    index = client.get(reverse("wm_relationships:index"))
    assert index.status_code == 200
    html = index.content.decode()
    assert "Erin" in html and "1 of 1 achieved" in html
    inspect = client.get(reverse("wm_relationships:inspect", args=[busy.pk]))
    assert inspect.status_code == 200
    html = inspect.content.decode()
    assert "Moving on" in html  # the end reason is the admins' business
    assert "FOR-ADMINS" in html
    assert "1 messages" in html or "1 message" in html
    for secret in ("PRIVATE-NOTES", "PRIVATE-MESSAGE", "PRIVATE-GOAL", "FOR-PARTNER"):
        assert secret not in html
    for secret in ("PRIVATE-NOTES", "PRIVATE-MESSAGE"):
        assert secret not in index.content.decode()


def test_admins_of_other_programs_and_employees_see_nothing(
    client, busy, other_program_admin, employee
):
    client.force_login(other_program_admin)
    assert "Erin" not in client.get(reverse("wm_relationships:index")).content.decode()
    assert (
        client.get(reverse("wm_relationships:inspect", args=[busy.pk])).status_code
        == 404
    )
    client.force_login(employee)
    assert client.get(reverse("wm_relationships:index")).status_code in (302, 403)
    # Nobody edits relationships through the generic admin.
    client.force_login(make_user(superuser=True))
    response = client.post(
        reverse("wm_relationships:edit", args=[busy.pk]), {"status": "active"}
    )
    assert response.status_code in (302, 403, 404)
    assert Relationship.objects.get(pk=busy.pk).status == "ended_early"


def test_relationship_listing_queries_stay_constant(
    client, program, program_admin, django_assert_max_num_queries
):
    def grow(n):
        for _ in range(n):
            rel = pair(program)
            member = rel.members.first().user
            services.schedule_meeting(rel, member, title="M", starts_at=soon())
            services.send_message(rel, member, body="x")

    client.force_login(program_admin)
    url = reverse("wm_relationships:index")
    grow(2)
    client.get(url)
    with django_assert_max_num_queries(40) as small:
        client.get(url)
    grow(8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_program_admin_accepts_on_the_mentors_behalf(
    client, program, program_admin, other_program_admin
):
    self_select(program)
    me, m = mentee(program), mentor(program)
    request = services.send_request(me, m, me.user)
    url = reverse("wm_mentor_requests:accept", args=[request.pk])
    client.force_login(other_program_admin)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    client.force_login(program_admin)
    listing = client.get(reverse("wm_mentor_requests:index"))
    assert url in listing.content.decode()
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "accepted"
    assert request.decided_by == program_admin
    assert MentorRequest.objects.get(pk=request.pk).relationship is not None
