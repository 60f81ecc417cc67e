"""A circle's topic: a group program's mentor names it when applying, a program
admin may change it, matching scores mentees' fit with it, and the circle
published from the run takes it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.engagement_helpers import PROFILE, mentee, mentor
from tests.factories import make_enrollment, make_program, make_user
from wagtail_mentoring.api import tokens
from wagtail_mentoring.engagement import circles
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.matching import runs, services
from wagtail_mentoring.matching.models import ProposalStatus
from wagtail_mentoring.matching.pools import build_problem, load_pool
from wagtail_mentoring.matching.reasons import reason_text
from wagtail_mentoring.people.models import Interest, Skill
from wagtail_mentoring.programs.models import (
    Enrollment,
    EnrollmentStatus,
    ProgramKind,
    Relationship,
)
from wagtail_mentoring.programs.services import apply_to_program

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_now")]

APPLY = "apply/"
TOO_LONG = "x" * 201
JSON = "application/json"


@pytest.fixture
def group(hub):
    return make_program(
        hub, title="Leading Together", slug="leading", kind=ProgramKind.GROUP
    )


def _apply_data(**overrides):
    data = {
        "role": "mentor",
        "capacity": "3",
        "motivation": "",
        "profile-title": "Engineer",
        "profile-level": "5",
        "profile-department": "Engineering",
        "profile-location": "Berlin",
        "profile-timezone": "Europe/Berlin",
        "profile-languages": ["en"],
        "profile-availability": ["mon_am"],
        "profile-goals": "Share what I learnt",
    }
    data.update(overrides)
    return data


# --- The application ----------------------------------------------------------


def test_the_form_asks_a_group_programs_mentors_only(client, group, program):
    client.force_login(make_user("gina", profile=dict(PROFILE)))
    body = client.get(group.url + APPLY).content.decode()
    assert 'name="circle_topic"' in body
    assert "Your circle&#x27;s topic" in body or "Your circle's topic" in body
    # a one-to-one program has no circles
    assert 'name="circle_topic"' not in client.get(program.url + APPLY).content.decode()
    # a group program that takes only mentees has nobody to lead a circle
    group.allowed_roles = ["mentee"]
    group.save()
    assert 'name="circle_topic"' not in client.get(group.url + APPLY).content.decode()


def test_a_mentor_applies_with_a_topic(client, group):
    user = make_user("gina", profile=dict(PROFILE))
    client.force_login(user)
    response = client.post(
        group.url + APPLY,
        _apply_data(circle_topic="  Moving into people management "),
    )
    assert response.status_code == 302
    enrollment = Enrollment.objects.get(user=user, program=group)
    assert enrollment.role == "mentor"
    assert enrollment.circle_topic == "Moving into people management"


def test_a_mentee_has_no_circle_to_name(client, group):
    user = make_user("mo", profile=dict(PROFILE))
    client.force_login(user)
    response = client.post(
        group.url + APPLY,
        _apply_data(role="mentee", capacity="", circle_topic="Something"),
    )
    assert response.status_code == 302
    assert Enrollment.objects.get(user=user, program=group).circle_topic == ""


def test_a_too_long_topic_is_refused_and_nothing_saved(client, group):
    user = make_user("gina", profile=dict(PROFILE))
    client.force_login(user)
    response = client.post(group.url + APPLY, _apply_data(circle_topic=TOO_LONG))
    assert response.status_code == 400
    body = response.content.decode()
    assert "at most 200 characters" in body
    assert not Enrollment.objects.filter(user=user).exists()
    user.mentoring_profile.refresh_from_db()
    assert user.mentoring_profile.goals != "Share what I learnt"


def test_the_service_refuses_a_too_long_topic(group, employee):
    with pytest.raises(MentoringError) as error:
        apply_to_program(employee, group, "mentor", circle_topic=TOO_LONG)
    assert error.value.code == "circle_topic"
    assert not Enrollment.objects.filter(user=employee).exists()


def test_the_api_takes_the_topic_with_the_same_checks(group, employee):
    secret = tokens.create_token(employee, employee, name="t", scope="api").secret
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    url = "/api/mentoring/v1/me/applications/"
    data = {"program": group.pk, "role": "mentor", "capacity": 2}
    response = client.post(url, {**data, "circle_topic": TOO_LONG}, content_type=JSON)
    assert response.status_code == 400
    assert "circle_topic" in response.content.decode()
    assert not Enrollment.objects.filter(user=employee).exists()
    response = client.post(url, {**data, "circle_topic": "Speaking"}, content_type=JSON)
    assert response.status_code == 201, response.content
    assert Enrollment.objects.get(user=employee).circle_topic == "Speaking"


# --- The admin changes it --------------------------------------------------------


def _topic_url(program, enrollment):
    return reverse("wm_matching:circle_topic", args=[program.pk, enrollment.pk])


def test_a_program_admin_changes_the_topic(client, group, superuser):
    lead = mentor(group, "lena", capacity=2)
    lead.circle_topic = "Old topic"
    lead.save()
    client.force_login(superuser)
    panel = client.get(reverse("wm_matching:panel", args=[group.pk]))
    assert "circle topic: Old topic" in panel.content.decode()
    assert _topic_url(group, lead) in panel.content.decode()
    assert client.get(_topic_url(group, lead)).status_code == 200
    response = client.post(_topic_url(group, lead), {"circle_topic": " New topic "})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.circle_topic == "New topic"


def test_the_admin_edit_refuses_bad_input_and_other_applications(
    client, group, program, superuser
):
    lead = mentor(group, "lena", capacity=2)
    lead.circle_topic = "Kept"
    lead.save()
    client.force_login(superuser)
    response = client.post(_topic_url(group, lead), {"circle_topic": TOO_LONG})
    assert response.status_code == 400
    assert "at most 200 characters" in response.content.decode()
    lead.refresh_from_db()
    assert lead.circle_topic == "Kept"
    # a mentee's application, or a mentor of a one-to-one program: no circle
    learner = mentee(group, "mo")
    assert client.get(_topic_url(group, learner)).status_code == 404
    one_to_one = mentor(program, "olaf")
    assert client.get(_topic_url(program, one_to_one)).status_code == 404
    assert (
        client.post(_topic_url(program, one_to_one), {"circle_topic": "x"}).status_code
        == 404
    )
    one_to_one.refresh_from_db()
    assert one_to_one.circle_topic == ""


def test_only_the_programs_admins_change_the_topic(client, group, employee):
    lead = mentor(group, "lena", capacity=2)
    client.force_login(lead.user)  # the mentor themselves: no admin access
    response = client.post(_topic_url(group, lead), {"circle_topic": "Mine"})
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    lead.refresh_from_db()
    assert lead.circle_topic == ""


# --- The pool and the run ------------------------------------------------------------


def test_the_pool_gives_the_engine_topics_and_mentees_words(group, program):
    lead = mentor(group, "lena", capacity=2)
    lead.circle_topic = "Moving into people management"
    lead.save()
    plain = mentor(group, "paul", capacity=2)
    learner = mentee(group, "mo")
    profile = learner.user.mentoring_profile
    profile.goals = "Become a team lead"
    profile.bio = "Backend developer"
    profile.save()
    profile.skills_wanted.add(Skill.objects.create(name="Delegation"))
    profile.interests.add(Interest.objects.create(name="Coaching"))
    problem, _index = build_problem(load_pool(group))
    text = {
        int(p): problem.topic_text[p]
        for p in list(problem.mentees) + list(problem.mentors)
    }
    mentor_rows = dict(zip([lead.pk, plain.pk], problem.mentors, strict=True))
    assert text[mentor_rows[lead.pk]] == "Moving into people management"
    assert text[mentor_rows[plain.pk]] == ""
    words = text[int(problem.mentees[0])]
    for part in ("Become a team lead", "Backend developer", "Delegation", "Coaching"):
        assert part in words
    # a one-to-one program's problem has no topics at all
    mentor(program, "olaf")
    mentee(program, "mia")
    one_to_one, _index = build_problem(load_pool(program))
    assert one_to_one.topic_text is None


def test_an_open_circles_own_topic_wins_over_the_application(group, superuser):
    lead = mentor(group, "lena", capacity=3)
    lead.circle_topic = "From the application"
    lead.save()
    circles.form_circle(group, lead.user, superuser, topic="Changed by the admin")
    mentee(group, "mo")
    problem, _index = build_problem(load_pool(group))
    assert problem.topic_text[problem.mentors[0]] == "Changed by the admin"


def _run(program, by):
    run = services.start_run(program, by, enqueue=False)
    return runs.execute_run(run.pk)


def test_the_run_places_mentees_by_topic_and_the_circles_take_it(group, superuser):
    managers = mentor(group, "lena", capacity=2)
    managers.circle_topic = "Managing engineering teams"
    managers.save()
    data = mentor(group, "dana", capacity=2)
    data.circle_topic = "Data science and statistics"
    data.save()
    words = {
        "m0": "managing engineering teams",
        "m1": "managing teams of engineering",
        "m2": "data science",
        "m3": "statistics for data science",
    }
    learners = {}
    for name, goals in words.items():
        learners[name] = mentee(group, name)
        profile = learners[name].user.mentoring_profile
        profile.goals = goals
        profile.save()
    run = _run(group, superuser)
    proposals = list(run.proposals.all())
    placed = {p.mentee_id: p.mentor_id for p in proposals}
    # everything else about them is the same: the topic decides
    assert placed == {
        learners["m0"].pk: managers.pk,
        learners["m1"].pk: managers.pk,
        learners["m2"].pk: data.pk,
        learners["m3"].pk: data.pk,
    }
    for proposal in proposals:
        assert proposal.factors["topic"] > 0
        texts = [reason_text(r) for r in proposal.reasons]
        assert any(t.startswith("fits the circle's topic") for t in texts), texts
    first = next(p for p in proposals if p.mentee_id == learners["m0"].pk)
    assert "fits the circle's topic: managing, engineering and teams" in [
        reason_text(r) for r in first.reasons
    ]
    for proposal in proposals:
        services.approve_proposal(group, proposal, superuser)
    outcome = services.publish(group, superuser)
    assert len(outcome.done) == 4
    topics = {
        c.facilitator.enrollment_id: c.topic
        for c in Relationship.objects.filter(program=group)
    }
    assert topics == {
        managers.pk: "Managing engineering teams",
        data.pk: "Data science and statistics",
    }
    assert all(p.status == ProposalStatus.PUBLISHED for p in run.proposals.all())


def test_a_mentor_without_topic_leads_a_circle_without_one(group, superuser):
    lead = mentor(group, "lena", capacity=2)
    make_enrollment(
        make_user("mo", profile=dict(PROFILE)),
        group,
        "mentee",
        status=EnrollmentStatus.APPROVED,
    )
    run = _run(group, superuser)
    for proposal in run.proposals.all():
        assert "circle_topic" not in {r["code"] for r in proposal.reasons}
        services.approve_proposal(group, proposal, superuser)
    services.publish(group, superuser)
    circle = Relationship.objects.get(program=group)
    assert circle.facilitator.enrollment_id == lead.pk
    assert circle.topic == ""
