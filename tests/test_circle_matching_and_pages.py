"""Circles formed by the matching panel, and the pages of circles: the group
program's open circles (Join), the circle's space, the admin listing."""

from __future__ import annotations

from collections import Counter

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.urls import reverse

from tests.engagement_helpers import mentee, mentor
from tests.factories import make_program, make_user
from wagtail_mentoring.engagement import circles
from wagtail_mentoring.matching import runs, services
from wagtail_mentoring.matching.models import ProposalStatus
from wagtail_mentoring.matching.pools import load_pool
from wagtail_mentoring.programs.models import (
    ProgramKind,
    Relationship,
    RelationshipMember,
)
from wagtail_mentoring.programs.selectors import board_circles, circle_board

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_now")]


@pytest.fixture
def group(hub):
    return make_program(
        hub, title="Leading Together", slug="leading", kind=ProgramKind.GROUP
    )


def _run(program, by):
    run = services.start_run(program, by, enqueue=False)
    return runs.execute_run(run.pk)


def test_matching_fills_each_mentors_circle_up_to_capacity(group, superuser):
    big = mentor(group, "bea", capacity=3)
    small = mentor(group, "sol", capacity=2)
    mentees = [mentee(group, f"m{i}") for i in range(6)]
    run = _run(group, superuser)
    proposals = list(run.proposals.all())
    per_mentor = Counter(p.mentor_id for p in proposals)
    # the circle size is the mentor's capacity: 3 + 2 of the 6 mentees
    assert per_mentor == {big.pk: 3, small.pk: 2}
    for proposal in proposals:
        services.approve_proposal(group, proposal, superuser)
    outcome = services.publish(group, superuser)
    assert len(outcome.done) == 5
    circles_made = list(Relationship.objects.filter(program=group))
    assert len(circles_made) == 2
    for circle, enrollment in ((c, c.facilitator.enrollment) for c in circles_made):
        members = list(circle.members.values_list("user_id", "role"))
        expected = {
            (p.mentee.user_id, "mentee")
            for p in proposals
            if p.mentor_id == enrollment.pk
        } | {(enrollment.user_id, "mentor")}
        assert set(members) == expected
    # every proposal of one mentor points at the same circle
    for mentor_id in (big.pk, small.pk):
        published = {
            p.relationship_id for p in run.proposals.filter(mentor_id=mentor_id)
        }
        assert len(published) == 1
    # both circles are full: the next run has no mentor to offer
    pool = load_pool(group)
    assert pool.mentors == []
    unmatched = {e.pk for e in mentees} - {p.mentee_id for p in proposals}
    assert {e.pk for e in pool.mentees} == unmatched
    # one email per side of each published pair, none for "placed"
    assert len(mail.outbox) == 10
    assert any("joins your circle" in m.body for m in mail.outbox)


def test_publish_adds_to_an_existing_circle_and_respects_its_seats(group, superuser):
    lead = mentor(group, "lena", capacity=2)
    circle = circles.form_circle(group, lead.user, lead.user, open_to_join=True)
    circles.join_circle(circle, mentee(group, "early").user)
    others = [mentee(group, f"late{i}") for i in range(2)]
    run = _run(group, superuser)
    # one seat left: the run proposes one mentee only
    proposals = list(run.proposals.all())
    assert len(proposals) == 1 and proposals[0].mentee_id in {e.pk for e in others}
    services.approve_proposal(group, proposals[0], superuser)
    services.publish(group, superuser)
    assert Relationship.objects.filter(program=group).count() == 1
    assert circle.members.filter(role="mentee").count() == 2
    proposals[0].refresh_from_db()
    assert proposals[0].status == ProposalStatus.PUBLISHED
    assert proposals[0].relationship_id == circle.pk


# --- Pages ---------------------------------------------------------------------


@pytest.fixture
def open_circle(group):
    lead = mentor(group, "fiona", capacity=3)
    return circles.form_circle(
        group, lead.user, lead.user, topic="First-time managers", open_to_join=True
    )


def test_program_page_lists_open_circles_with_seats(
    client, group, open_circle, django_assert_max_num_queries
):
    viewer = mentee(group, "vic").user
    for i in range(4):
        extra = mentor(group, f"x{i}", capacity=2)
        c = circles.form_circle(
            group, extra.user, extra.user, topic=f"Topic {i}", open_to_join=True
        )
        circles.join_circle(c, mentee(group, f"j{i}").user)
    client.force_login(viewer)
    with django_assert_max_num_queries(40) as few:
        response = client.get(group.url)
    body = response.content.decode()
    assert "First-time managers" in body and "Fiona" in body
    assert "3 of 3" in body and "1 of 2" in body
    assert body.count("Join</button>") == 5
    # the same number of queries with twice the circles
    for i in range(4, 8):
        extra = mentor(group, f"x{i}", capacity=2)
        circles.form_circle(group, extra.user, extra.user, open_to_join=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(group.url)


def test_full_and_closed_circles_are_not_listed(client, group, open_circle):
    lead = mentor(group, "cara", capacity=1)
    closed = circles.form_circle(group, lead.user, lead.user, topic="Closed one")
    assert not closed.open_to_join
    full_lead = mentor(group, "fay", capacity=1)
    full = circles.form_circle(
        group, full_lead.user, full_lead.user, topic="Full one", open_to_join=True
    )
    circles.join_circle(full, mentee(group, "filler").user)
    client.force_login(mentee(group, "vera").user)
    body = client.get(group.url).content.decode()
    assert "First-time managers" in body
    assert "Closed one" not in body and "Full one" not in body


def test_the_page_reads_only_open_circles_and_the_viewers_own(
    client, group, open_circle, superuser, django_assert_max_num_queries
):
    """Closed circles are never read: a program running many of them costs its
    page what one costs, and a member still finds their own closed circle."""
    lead = mentor(group, "cara", capacity=2)
    mine = circles.form_circle(group, lead.user, lead.user, topic="Closed one")
    viewer = mentee(group, "vera").user
    circles.add_to_circle(mine, viewer, superuser)
    client.force_login(viewer)
    with django_assert_max_num_queries(40) as few:
        body = client.get(group.url).content.decode()
    assert "You are in the circle of Cara" in body
    for i in range(6):
        other = mentor(group, f"closed{i}", capacity=2)
        closed = circles.form_circle(group, other.user, other.user)
        circles.add_to_circle(closed, mentee(group, f"in{i}").user, superuser)
    assert Relationship.objects.filter(program=group).count() == 8
    assert {c.pk for c in board_circles(group, viewer)} == {open_circle.pk, mine.pk}
    assert {c.pk for c in board_circles(group, AnonymousUser())} == {open_circle.pk}
    board = circle_board(group, viewer)
    assert board["my_circle"] == mine
    assert board["open_circles"] == [open_circle]
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(group.url).content.decode()
    assert "You are in the circle of Cara" in body


def test_join_over_http(client, group, open_circle):
    person = mentee(group, "jo").user
    url = reverse("wagtail_mentoring:join_circle", args=[open_circle.pk])
    # anonymous: to the sign-in page, nothing written
    response = client.post(url)
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(person)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response["Location"] == reverse(
        "wagtail_mentoring:relationship", args=[open_circle.pk]
    )
    assert open_circle.members.filter(user=person).exists()
    # the program page now shows "your circle", no more Join buttons
    body = client.get(group.url).content.decode()
    assert "You are in the circle of" in body and "Join</button>" not in body


def test_join_refused_over_http_writes_nothing(client, group, open_circle, employee):
    client.force_login(employee)  # never applied
    before = RelationshipMember.objects.count()
    response = client.post(
        reverse("wagtail_mentoring:join_circle", args=[open_circle.pk]), follow=True
    )
    assert "approved application" in response.content.decode()
    assert RelationshipMember.objects.count() == before


def test_join_a_one_to_one_relationship_is_not_found(client, program, employee):
    from tests.engagement_helpers import pair

    relationship = pair(program)
    client.force_login(employee)
    response = client.post(
        reverse("wagtail_mentoring:join_circle", args=[relationship.pk])
    )
    assert response.status_code == 404
    assert relationship.members.count() == 2


def test_circle_space_and_its_pages(client, group, open_circle):
    lead = open_circle.facilitator.user
    members = [mentee(group, f"sp{i}").user for i in range(2)]
    for user in members:
        circles.join_circle(open_circle, user)
    space = reverse("wagtail_mentoring:relationship", args=[open_circle.pk])
    client.force_login(members[0])
    body = client.get(space).content.decode()
    assert "<h1>First-time managers</h1>" in body
    for user in [lead, *members]:
        assert user.first_name in body
    assert reverse("wagtail_mentoring:leave_circle", args=[open_circle.pk]) in body
    assert (
        reverse("wagtail_mentoring:end_relationship", args=[open_circle.pk]) not in body
    )
    # a mentee cannot reach the facilitator's pages
    for name in ("circle_settings", "end_circle"):
        url = reverse(f"wagtail_mentoring:{name}", args=[open_circle.pk])
        assert client.get(url).status_code == 404
    # a non-member: 404, and the circle's names are not shown
    outsider = make_user("nosy")
    client.force_login(outsider)
    assert client.get(space).status_code == 404
    # the facilitator renames and closes the circle
    client.force_login(lead)
    url = reverse("wagtail_mentoring:circle_settings", args=[open_circle.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"topic": "New managers"})
    assert response.status_code == 302
    open_circle.refresh_from_db()
    assert open_circle.topic == "New managers" and not open_circle.open_to_join
    # a mentee leaves
    client.force_login(members[1])
    url = reverse("wagtail_mentoring:leave_circle", args=[open_circle.pk])
    assert client.post(url, {"reason": ""}).status_code == 302
    assert not open_circle.members.filter(user=members[1]).exists()
    # the facilitator ends it; a reason is required
    client.force_login(lead)
    url = reverse("wagtail_mentoring:end_circle", args=[open_circle.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    open_circle.refresh_from_db()
    assert open_circle.is_open
    assert client.post(url, {"reason": "Season over"}).status_code == 302
    open_circle.refresh_from_db()
    assert not open_circle.is_open


def test_admin_lists_circles_with_member_counts(
    client, group, open_circle, superuser, django_assert_max_num_queries
):
    for i in range(2):
        circles.join_circle(open_circle, mentee(group, f"ad{i}").user)
    client.force_login(superuser)
    url = reverse("wm_relationships:index")
    response = client.get(url, {"program": group.pk})
    body = response.content.decode()
    assert response.status_code == 200
    assert "First-time managers" in body
    assert "3 members" in body


def test_admin_places_moves_removes_and_ends(
    client, group, open_circle, other_program_admin
):
    admin = make_user("ada", admin_access=True, groups=[group.admin_group])
    waiting = mentee(group, "wait").user
    second_lead = mentor(group, "sec", capacity=2)
    second = circles.form_circle(group, second_lead.user, admin, topic="Second")
    url = reverse("wm_relationships:circle", args=[open_circle.pk])
    # another program's admin: not found, nothing written
    client.force_login(other_program_admin)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "place", "user": waiting.pk}).status_code == 404
    assert not open_circle.members.filter(user=waiting).exists()
    client.force_login(admin)
    body = client.get(url).content.decode()
    assert "Wait Tester</option>" in body  # an approved mentee in no circle
    client.post(url, {"action": "place", "user": waiting.pk})
    assert open_circle.members.filter(user=waiting, role="mentee").exists()
    # a member can be moved to the program's other circle
    assert "Second (Sec Tester, 2 seats left)" in client.get(url).content.decode()
    client.post(url, {"action": "move", "user": waiting.pk, "target": second.pk})
    assert second.members.filter(user=waiting).exists()
    assert not open_circle.members.filter(user=waiting).exists()
    second_url = reverse("wm_relationships:circle", args=[second.pk])
    client.post(second_url, {"action": "remove", "user": waiting.pk})
    assert not second.members.filter(user=waiting).exists()
    # a refusal is shown and writes nothing
    response = client.post(url, {"action": "end", "reason": ""}, follow=True)
    assert "say why" in response.content.decode()
    open_circle.refresh_from_db()
    assert open_circle.is_open
    client.post(url, {"action": "end", "reason": "Merged into another circle"})
    open_circle.refresh_from_db()
    assert not open_circle.is_open
    inspect = client.get(reverse("wm_relationships:inspect", args=[second.pk]))
    assert url.replace(str(open_circle.pk), str(second.pk)) in inspect.content.decode()
