"""Services of the programs domain: every success and every refusal."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from wagtail.models import ModelLogEntry

from tests.factories import (
    deactivate_quietly,
    make_enrollment,
    make_program,
    make_user,
)
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.programs import services
from wagtail_mentoring.programs.models import (
    Enrollment,
    EnrollmentStatus,
    Relationship,
    RelationshipStatus,
)

pytestmark = pytest.mark.django_db


def _snapshot():
    return Enrollment.objects.count(), ModelLogEntry.objects.count()


def test_apply_creates_a_pending_application_and_logs_it(employee, program):
    enrollment = services.apply_to_program(
        employee, program, "mentee", answers={"q": "hi"}, motivation="Grow"
    )
    assert enrollment.status == EnrollmentStatus.PENDING
    assert enrollment.capacity is None
    assert enrollment.answers == {"q": "hi"}
    entry = ModelLogEntry.objects.get(object_id=str(enrollment.pk))
    assert entry.action == "wagtail_mentoring.apply"
    assert entry.user_id == employee.pk


def test_mentor_gets_the_default_capacity(employee, program):
    enrollment = services.apply_to_program(employee, program, "mentor")
    assert enrollment.capacity == program.default_mentor_capacity


def test_program_without_review_approves_at_once(employee, hub):
    program = make_program(hub, requires_approval=False)
    enrollment = services.apply_to_program(employee, program, "mentee")
    assert enrollment.status == EnrollmentStatus.APPROVED
    assert enrollment.decided_at is not None


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("closed", "closed"),
        ("not_open_yet", "closed"),
        ("role", "role_not_allowed"),
        ("unknown_role", "role_not_allowed"),
        ("inactive", "inactive_user"),
        ("duplicate", "duplicate"),
        ("capacity", "capacity"),
        ("unpublished", "not_live"),
    ],
)
def test_refused_applications_write_nothing(case, code, employee, hub, program):
    role, capacity, user = "mentee", None, employee
    if case == "closed":
        program.enrollment_closes_at = timezone.now() - timedelta(minutes=1)
        program.save()
    elif case == "not_open_yet":
        program.enrollment_opens_at = timezone.now() + timedelta(days=1)
        program.save()
    elif case == "role":
        role = "sponsor"
    elif case == "unknown_role":
        role = "overlord"
    elif case == "inactive":
        user = make_user("gone", active=False)
    elif case == "duplicate":
        services.apply_to_program(employee, program, "mentee")
    elif case == "capacity":
        role, capacity = "mentor", program.max_mentor_capacity + 1
    elif case == "unpublished":
        program.unpublish()
    before = _snapshot()
    with pytest.raises(MentoringError) as excinfo:
        services.apply_to_program(user, program, role, capacity=capacity)
    assert excinfo.value.code == code
    assert str(excinfo.value.messages[0])  # a sentence a person can read
    assert _snapshot() == before


def test_reapply_after_withdrawing_is_allowed(employee, program):
    first = services.apply_to_program(employee, program, "mentee")
    services.withdraw_application(first, employee)
    second = services.apply_to_program(employee, program, "mentee")
    assert second.pk != first.pk
    assert Enrollment.objects.filter(user=employee).live().count() == 1


def test_same_person_may_apply_in_two_roles(employee, program):
    services.apply_to_program(employee, program, "mentee")
    services.apply_to_program(employee, program, "mentor")
    assert Enrollment.objects.filter(user=employee).count() == 2


def test_withdraw_twice_is_refused(employee, program):
    enrollment = services.apply_to_program(employee, program, "mentee")
    services.withdraw_application(enrollment, employee)
    before = _snapshot()
    with pytest.raises(MentoringError) as excinfo:
        services.withdraw_application(enrollment, employee)
    assert excinfo.value.code == "not_live"
    assert _snapshot() == before


def test_withdraw_refused_while_matched(employee, other_employee, program, superuser):
    enrollment = services.apply_to_program(employee, program, "mentee")
    services.start_relationship(
        program, [(employee, "mentee"), (other_employee, "mentor")], superuser
    )
    with pytest.raises(MentoringError) as excinfo:
        services.withdraw_application(enrollment, employee)
    assert excinfo.value.code == "matched"
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.PENDING


def test_approve_sends_one_email_and_logs(
    employee, program, program_admin, django_capture_on_commit_callbacks
):
    enrollment = services.apply_to_program(employee, program, "mentee")
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_enrollment(enrollment, program_admin, note="Welcome!")
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.APPROVED
    assert enrollment.decided_by == program_admin
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert program.title in message.subject
    assert "Welcome!" in message.body
    assert message.alternatives[0][1] == "text/html"
    assert ModelLogEntry.objects.filter(
        object_id=str(enrollment.pk), action="wagtail_mentoring.approve"
    ).exists()


def test_decision_email_task_is_idempotent(
    employee, program, program_admin, django_capture_on_commit_callbacks
):
    from wagtail_mentoring.programs.tasks import send_decision_emails

    enrollment = services.apply_to_program(employee, program, "mentee")
    with django_capture_on_commit_callbacks(execute=True):
        services.decline_enrollment(enrollment, program_admin)
    assert send_decision_emails(enrollment_ids=[enrollment.pk]) == 0
    assert len(mail.outbox) == 1


def test_deciding_twice_is_refused_and_changes_nothing(
    employee, program, program_admin
):
    enrollment = services.apply_to_program(employee, program, "mentee")
    services.decline_enrollment(enrollment, program_admin, note="Full")
    before = _snapshot()
    with pytest.raises(MentoringError) as excinfo:
        services.approve_enrollment(enrollment, program_admin)
    assert excinfo.value.code == "not_pending"
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.DECLINED
    assert _snapshot() == before


def test_bulk_approve_is_all_or_nothing(
    employee, other_employee, program, program_admin
):
    first = make_enrollment(employee, program)
    second = make_enrollment(other_employee, program, status=EnrollmentStatus.WITHDRAWN)
    with pytest.raises(MentoringError):
        services.approve_enrollments([first, second], program_admin)
    first.refresh_from_db()
    assert first.status == EnrollmentStatus.PENDING


def test_inactive_applicant_cannot_be_approved(program, program_admin):
    user = make_user("leaver")
    enrollment = make_enrollment(user, program)
    deactivate_quietly(user)
    with pytest.raises(MentoringError) as excinfo:
        services.approve_enrollment(enrollment, program_admin)
    assert excinfo.value.code == "inactive_user"


def test_relationship_lifecycle(employee, other_employee, program, superuser):
    relationship = services.start_relationship(
        program, [(employee, "mentee"), (other_employee, "mentor")], superuser
    )
    assert relationship.status == RelationshipStatus.ACTIVE
    assert relationship.ends_on > relationship.started_on
    services.change_relationship_status(relationship, "paused", superuser)
    with pytest.raises(MentoringError) as excinfo:
        services.change_relationship_status(relationship, "ended_early", superuser)
    assert excinfo.value.code == "reason"
    services.change_relationship_status(
        relationship, "ended_early", superuser, reason="Changed jobs"
    )
    relationship.refresh_from_db()
    assert relationship.end_reason == "Changed jobs"
    with pytest.raises(MentoringError) as excinfo:
        services.change_relationship_status(relationship, "active", superuser)
    assert excinfo.value.code == "transition"


def test_nobody_is_matched_with_themselves(employee, program, superuser):
    with pytest.raises(MentoringError):
        services.start_relationship(
            program, [(employee, "mentee"), (employee, "mentor")], superuser
        )
    assert not Relationship.objects.exists()


def test_a_program_admin_enrols_a_group_once(program, program_admin, employee):
    from wagtail_mentoring.programs.models import Enrollment, EnrollmentStatus
    from wagtail_mentoring.programs.services import enroll_participants

    newcomer = make_user("newcomer")
    gone = make_user("gone", active=False)
    with pytest.raises(MentoringError):
        enroll_participants(program, [newcomer], "mentee", by=employee)
    assert not Enrollment.objects.filter(program=program).exists()
    created, skipped = enroll_participants(
        program, [newcomer, employee, gone], "mentee", by=program_admin
    )
    assert {e.user for e in created} == {newcomer, employee}
    assert skipped == [gone]
    assert all(e.status == EnrollmentStatus.APPROVED for e in created)
    created, skipped = enroll_participants(
        program, [newcomer, employee], "mentee", by=program_admin
    )
    assert created == [] and len(skipped) == 2
    assert Enrollment.objects.filter(program=program).count() == 2
