"""Cohort learning: members of a cohort following a journey see how many of
their cohort finished each step, as counts only."""

from datetime import date

import pytest
from django.utils import timezone

from tests.factories import make_enrollment, make_user
from tests.journey_data import STEP_GOAL, STEP_INTRO, STEP_REFLECT, make_journey
from wagtail_mentoring.journeys.models import StepProgress
from wagtail_mentoring.programs import cohorts
from wagtail_mentoring.programs.models import Relationship

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort_world(hub, program, program_admin):
    journey = make_journey(hub)
    cohort = cohorts.create_cohort(
        program,
        program_admin,
        name="Spring 2027",
        starts_on=date(2027, 3, 1),
        journey=journey,
    )
    people = [make_user(f"cohort{i}") for i in range(6)]
    relationship = Relationship.objects.create(program=program, status="active")
    for person in people:
        make_enrollment(person, program, status="approved", cohort=cohort)
    # Intro: 5 finished; reflection: 2 (too few to say); goal: none.
    for i, person in enumerate(people):
        for step, done_by in ((STEP_INTRO, 5), (STEP_REFLECT, 2)):
            if i < done_by:
                StepProgress.objects.create(
                    relationship=relationship,
                    user=person,
                    journey=journey,
                    step_id=step,
                    step_title=step,
                    status="completed",
                    completed_at=timezone.now(),
                )
    return journey, cohort, people


def test_cohort_members_see_counts_per_step(
    client, cohort_world, django_assert_max_num_queries
):
    journey, cohort, people = cohort_world
    client.force_login(people[5])
    response = client.get(journey.url)
    body = response.content.decode()
    assert "5 of 6 in Spring 2027 finished" in body
    assert "fewer than 5 of 6 in Spring 2027 finished" in body
    assert "0 of 6 in Spring 2027 finished" in body
    for other in people[:5]:
        assert other.get_username() not in body.replace(people[5].get_username(), "")


def test_the_selector_counts_without_names(cohort_world):
    from wagtail_mentoring.journeys.selectors import cohort_progress

    journey, cohort, people = cohort_world
    result = cohort_progress(journey, people[0])
    assert result.participants == 6
    assert result.finished == {STEP_INTRO: 5, STEP_REFLECT: 2}
    assert STEP_GOAL not in result.finished


def test_people_outside_the_cohort_see_no_cohort_counts(client, cohort_world, employee):
    journey, _cohort, _people = cohort_world
    client.force_login(employee)
    assert "in Spring 2027 finished" not in client.get(journey.url).content.decode()
