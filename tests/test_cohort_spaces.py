"""A cohort's space: created with the cohort, following its participants."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_enrollment
from wagtail_mentoring.community.models import (
    CommunitySpacePage,
    MembershipPolicy,
    MembershipSource,
    MembershipStatus,
    SpaceMembership,
)
from wagtail_mentoring.community.services import join_space
from wagtail_mentoring.programs import cohorts, services

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _members(space):
    return set(
        SpaceMembership.objects.filter(
            space=space, status=MembershipStatus.ACTIVE
        ).values_list("user_id", flat=True)
    )


@pytest.fixture
def spring(program, program_admin):
    return cohorts.create_cohort(
        program, program_admin, name="Spring 2027", starts_on=TODAY + timedelta(9)
    )


def test_a_cohort_gets_its_space_under_the_program(program, spring):
    space = CommunitySpacePage.objects.get(cohort=spring)
    assert space.get_parent().specific == program
    assert space.membership_policy == MembershipPolicy.INVITATION
    assert space.live
    assert "Spring 2027" in space.title


def test_the_first_cohorts_space_takes_in_approved_participants(
    program, program_admin, employee, other_employee
):
    make_enrollment(employee, program, status="approved")
    make_enrollment(other_employee, program, status="pending")
    cohort = cohorts.create_cohort(
        program, program_admin, name="First", starts_on=TODAY
    )
    space = CommunitySpacePage.objects.get(cohort=cohort)
    assert _members(space) == {employee.pk}


def test_members_follow_approval_moves_and_withdrawal(
    program, program_admin, spring, employee
):
    autumn = cohorts.create_cohort(
        program, program_admin, name="Autumn 2027", starts_on=TODAY + timedelta(200)
    )
    spring_space = CommunitySpacePage.objects.get(cohort=spring)
    autumn_space = CommunitySpacePage.objects.get(cohort=autumn)
    enrollment = services.apply_to_program(employee, program, "mentee")
    assert _members(spring_space) == set()  # pending: not yet a participant
    services.approve_enrollment(enrollment, program_admin)
    assert _members(spring_space) == {employee.pk}
    cohorts.move_to_cohort([enrollment], autumn, program_admin)
    assert _members(spring_space) == set()
    assert _members(autumn_space) == {employee.pk}
    services.withdraw_application(enrollment, employee)
    assert _members(autumn_space) == set()
    row = SpaceMembership.objects.get(space=autumn_space, user=employee)
    assert (row.status, row.source) == (MembershipStatus.LEFT, MembershipSource.PROGRAM)


def test_the_program_wide_sync_leaves_cohort_spaces_alone(
    program, program_admin, spring, employee, other_employee, hub
):
    autumn = cohorts.create_cohort(
        program, program_admin, name="Autumn 2027", starts_on=TODAY + timedelta(200)
    )
    a = make_enrollment(employee, program, status="pending", cohort=spring)
    b = make_enrollment(other_employee, program, status="pending", cohort=autumn)
    services.approve_enrollments([a, b], program_admin)
    assert _members(CommunitySpacePage.objects.get(cohort=spring)) == {employee.pk}
    assert _members(CommunitySpacePage.objects.get(cohort=autumn)) == {
        other_employee.pk
    }


def test_outsiders_cannot_join_a_cohort_space(spring, other_employee):
    from wagtail_mentoring.errors import MentoringError

    space = CommunitySpacePage.objects.get(cohort=spring)
    with pytest.raises(MentoringError):
        join_space(space, other_employee)
    assert _members(space) == set()
