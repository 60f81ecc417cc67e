"""The Django glue: a program's pool becomes an engine problem and back."""

import numpy as np
import pytest
from django.core.management import call_command

from tests.factories import deactivate_quietly, make_enrollment, make_user
from wagtail_mentoring.matching.engine import match
from wagtail_mentoring.matching.pools import (
    UNDISCLOSED_GROUP,
    build_problem,
    default_config,
    load_pool,
)
from wagtail_mentoring.people.models import EmployeeProfile, SelfIdentification
from wagtail_mentoring.programs.models import EnrollmentStatus, ProgramPage
from wagtail_mentoring.programs.services import start_relationship

pytestmark = pytest.mark.django_db

APPROVED = EnrollmentStatus.APPROVED


def _profile(**kwargs):
    return {
        "level": 3,
        "department": "Eng",
        "timezone": "UTC",
        "languages": ["en"],
        **kwargs,
    }


def test_pool_sorts_people_and_says_why_others_are_out(program, superuser):
    mentor = make_user("mona", profile=_profile(level=6))
    full = make_user("fred", profile=_profile(level=6))
    mentee = make_user("mia", profile=_profile())
    matched = make_user("max", profile=_profile())
    left = make_user("lea", profile=_profile())
    waiting = make_user("wes", profile=_profile())
    make_enrollment(mentor, program, "mentor", status=APPROVED, capacity=2)
    make_enrollment(full, program, "mentor", status=APPROVED, capacity=1)
    make_enrollment(mentee, program, "mentee", status=APPROVED)
    make_enrollment(matched, program, "mentee", status=APPROVED)
    make_enrollment(left, program, "mentee", status=APPROVED)
    make_enrollment(waiting, program, "mentee")
    start_relationship(program, [(matched, "mentee"), (full, "mentor")], superuser)
    deactivate_quietly(left)

    pool = load_pool(program)
    assert [e.user for e in pool.mentees] == [mentee]
    assert [e.user for e in pool.mentors] == [mentor]
    assert pool.mentor_remaining == [2]
    assert [e.user for e in pool.matched] == [matched]
    reasons = {e.user.pk: why for e, why in pool.excluded}
    assert reasons == {full.pk: "full", left.pk: "inactive", waiting.pk: "pending"}


def test_reserved_slots_reduce_what_is_offered(program):
    mentor = make_user(profile=_profile(level=6))
    make_enrollment(mentor, program, "mentor", status=APPROVED, capacity=2)
    pool = load_pool(program, reserved={(mentor.pk, "mentor"): 1})
    assert pool.mentor_remaining == [1]


def test_manager_chain_reaches_outside_the_pool(program):
    boss = make_user("boss", profile=_profile(level=8))
    manager = make_user("mgr", profile=_profile(level=6, manager=boss))
    report = make_user("rep", profile=_profile(level=2, manager=manager))
    make_enrollment(boss, program, "mentor", status=APPROVED, capacity=1)
    make_enrollment(report, program, "mentee", status=APPROVED)
    problem, _index = build_problem(load_pool(program), reporting_depth=3)
    # boss → (not in pool) manager → report: the engine must see the chain.
    assert problem.manager[problem.mentees[0]] != -1
    result = match(problem, default_config(program))
    assert len(result.pairs) == 0  # boss is in the mentee's reporting line
    codes = {r.code for u in result.unmatched for r in u.reasons}
    assert codes  # and the mentee is told why


def test_seeded_program_matches_within_rules(client):
    call_command("seed_demo", employees=80, verbosity=0)
    program = ProgramPage.objects.get(slug="engineering-mentoring")
    pool = load_pool(program)
    problem, index = build_problem(pool, group_dimension="gender")
    result = match(problem, default_config(program))
    assert result.optimal
    assert len(result.pairs) > 0
    load = np.bincount(result.pairs[:, 1], minlength=len(pool.mentors))
    assert (load <= np.array(pool.mentor_remaining)).all()
    profiles = {
        p.user_id: p
        for p in EmployeeProfile.objects.filter(
            user__in=[e.user_id for e in pool.mentees + pool.mentors]
        )
    }
    for i, j in result.pairs:
        mentee, mentor = pool.mentees[i].user_id, pool.mentors[j].user_id
        assert profiles[mentee].manager_id != mentor
        assert profiles[mentor].level >= profiles[mentee].level + 1
    assert all(e.reasons for e in result.explanations)
    assert UNDISCLOSED_GROUP in index.group_labels
    consenting = set(
        SelfIdentification.objects.filter(
            user__in=[e.user_id for e in pool.mentees]
        ).values_list("answers__gender", flat=True)
    )
    assert set(index.group_labels.values()) - {None} <= consenting


def test_build_problem_query_count_does_not_grow_with_the_pool(
    program, django_assert_max_num_queries
):
    def add(n):
        for _ in range(n):
            make_enrollment(
                make_user(profile=_profile()), program, "mentee", status=APPROVED
            )
            make_enrollment(
                make_user(profile=_profile(level=6)), program, "mentor", status=APPROVED
            )

    add(3)
    with django_assert_max_num_queries(40) as small:
        build_problem(load_pool(program))
    add(12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        build_problem(load_pool(program))


def test_explanations_name_departments_as_people_wrote_them(program):
    mentor = make_user(profile=_profile(level=6, department="Sales "))
    mentee = make_user(profile=_profile(department="Engineering"))
    colleague = make_user(profile=_profile(department="SALES"))
    make_enrollment(mentor, program, "mentor", status=APPROVED, capacity=2)
    make_enrollment(mentee, program, "mentee", status=APPROVED)
    make_enrollment(colleague, program, "mentee", status=APPROVED)
    problem, _index = build_problem(load_pool(program))
    # "Sales " and "SALES" are one department, shown as written, not folded.
    assert (
        problem.department[problem.mentors[0]] == problem.department[problem.mentees[1]]
    )
    assert problem.labels.departments == ["", "Engineering", "SALES"]


def test_empty_location_and_time_zone_never_read_as_a_match(program):
    """Both left location and time zone empty: the reasons claim neither."""
    mentor = make_user(profile=_profile(level=6, location="", timezone=""))
    mentee = make_user(profile=_profile(location=" ", timezone=""))
    make_enrollment(mentor, program, "mentor", status=APPROVED)
    make_enrollment(mentee, program, "mentee", status=APPROVED)
    problem, _index = build_problem(load_pool(program))
    result = match(problem)
    assert len(result.pairs) == 1
    (explanation,) = result.explanations
    assert explanation.factors["location"] == 0
    codes = [reason.code for reason in explanation.reasons]
    assert "same_location" not in codes and "time_zone" not in codes


def test_an_empty_department_is_not_another_department(program):
    """The mentee gave no department: the pair is not "cross-department"."""
    mentor = make_user(profile=_profile(level=6, department="Sales"))
    mentee = make_user(profile=_profile(department=""))
    make_enrollment(mentor, program, "mentor", status=APPROVED)
    make_enrollment(mentee, program, "mentee", status=APPROVED)
    problem, _index = build_problem(load_pool(program))
    result = match(problem)
    (explanation,) = result.explanations
    assert explanation.factors["cross_department"] == 0
    assert "cross_department" not in [r.code for r in explanation.reasons]
