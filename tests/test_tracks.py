"""Development tracks: where a person is, what comes next, and the report."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.blocks import StructBlockValidationError

from tests.engagement_helpers import PROFILE, pair
from tests.factories import make_enrollment, make_program, make_user
from tests.journey_data import make_journey
from tests.track_data import make_track
from wagtail_mentoring.journeys.models import JourneyProgress
from wagtail_mentoring.programs.models import EnrollmentStatus, Relationship
from wagtail_mentoring.sponsorship.models import Nomination
from wagtail_mentoring.tracks.blocks import StageBlock
from wagtail_mentoring.tracks.progress import (
    CURRENT,
    DONE,
    LATER,
    WAITING,
    track_position,
    track_report,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def journey(hub):
    return make_journey(hub, title="Lead yourself", slug="lead-yourself")


@pytest.fixture
def track(hub, journey, program, sponsorship_program):
    return make_track(hub, journey, program, sponsorship_program)


def _on_journey(program, journey, user, *, finished):
    relationship = pair(program, mentee_user=user)
    JourneyProgress.objects.create(
        relationship=relationship,
        journey=journey,
        steps_total=3,
        steps_done=3 if finished else 1,
        completed_at=timezone.now() if finished else None,
    )
    return relationship


def _complete(relationship):
    Relationship.objects.filter(pk=relationship.pk).update(status="completed")


def _nominate(sponsorship_program, user, status=EnrollmentStatus.APPROVED):
    enrollment = make_enrollment(user, sponsorship_program, "sponsee", status=status)
    Nomination.objects.create(
        program=sponsorship_program,
        nominee=user,
        nominated_by=make_user(),
        source="manager",
        enrollment=enrollment,
    )


def _people(program, journey, sponsorship_program):
    """Four people, each further along (hand-placed)."""
    starter = make_user("starter", profile=dict(PROFILE))
    _on_journey(program, journey, starter, finished=False)
    mentee = make_user("mentee", profile=dict(PROFILE))
    _on_journey(program, journey, mentee, finished=True)
    waiting = make_user("waiting", profile=dict(PROFILE))
    _complete(_on_journey(program, journey, waiting, finished=True))
    _nominate(sponsorship_program, waiting, status=EnrollmentStatus.PENDING)
    leader = make_user("leader", profile=dict(PROFILE))
    _complete(_on_journey(program, journey, leader, finished=True))
    _nominate(sponsorship_program, leader)
    _complete(Relationship.objects.create(program=sponsorship_program, status="active"))
    sponsored = Relationship.objects.filter(program=sponsorship_program).get()
    sponsored.members.create(user=leader, role="sponsee")
    return starter, mentee, waiting, leader


def test_each_person_sees_their_own_stage(track, program, journey, sponsorship_program):
    starter, mentee, waiting, leader = _people(program, journey, sponsorship_program)
    expected = {
        starter: [CURRENT, LATER, LATER],
        mentee: [DONE, CURRENT, LATER],
        waiting: [DONE, DONE, WAITING],
        leader: [DONE, DONE, DONE],
    }
    for user, states in expected.items():
        assert track_position(track, user).states == states, user
    position = track_position(track, mentee)
    assert position.current.title == "Mentoring"
    assert position.next.title == "Sponsorship"
    assert track_position(track, leader).finished


def test_the_track_page_says_where_you_are_and_what_comes_next(
    client, track, program, journey, sponsorship_program
):
    _starter, mentee, waiting, _leader = _people(program, journey, sponsorship_program)
    client.force_login(mentee)
    html = client.get(track.url).content.decode()
    assert "You are at: <strong>Mentoring</strong>" in html
    assert "What comes next: Sponsorship." in html
    client.force_login(waiting)
    html = client.get(track.url).content.decode()
    assert "Opens with an approved sponsorship nomination." in html
    client.logout()
    html = client.get(track.url).content.decode()
    assert "Sign in to see where you are" in html and "Foundations" in html


def test_the_report_counts_people_at_each_stage_and_at_each_gate(
    track, program, journey, sponsorship_program
):
    _people(program, journey, sponsorship_program)
    report = track_report(track)
    assert [(row["at"], row["waiting"]) for row in report["stages"]] == [
        (1, 0),
        (1, 0),
        (0, 1),
    ]
    assert report["people"] == 4 and report["finished"] == 1


def test_the_admin_report_is_scoped_to_the_programs_one_administers(
    client, track, program, journey, sponsorship_program, program_admin,
    other_program_admin, superuser, employee,
):  # fmt: skip
    _people(program, journey, sponsorship_program)
    # Someone outside the program admin's programs, only on the journey of
    # another program: counted for HR, not for the program admin.
    elsewhere = make_program(program.get_parent(), title="Elsewhere")
    _on_journey(elsewhere, journey, make_user("outsider"), finished=False)
    url = reverse("wm_tracks:report")
    client.force_login(superuser)
    html = client.get(url).content.decode()
    assert "5 people on the track; 1 finished it." in html
    client.force_login(program_admin)
    html = client.get(url).content.decode()
    assert "Leadership track" in html
    assert "4 people on the track; 1 finished it." in html
    client.force_login(other_program_admin)
    assert "Leadership track" not in client.get(url).content.decode()
    client.force_login(employee)
    assert client.get(url).status_code in (302, 403)


def test_the_report_takes_the_same_queries_for_more_people(
    client, track, program, journey, sponsorship_program, superuser,
    django_assert_max_num_queries,
):  # fmt: skip
    _people(program, journey, sponsorship_program)
    client.force_login(superuser)
    url = reverse("wm_tracks:report")
    client.get(url)
    with django_assert_max_num_queries(60) as few:
        client.get(url)
    for n in range(8):
        _on_journey(program, journey, make_user(f"more{n}"), finished=n % 2 == 0)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_a_rule_that_names_a_page_needs_one():
    block = StageBlock()
    value = block.to_python(
        {"title": "X", "entry_rule": "finished_journey", "rule_page": None}
    )
    with pytest.raises(StructBlockValidationError):
        block.clean(value)
