"""Self-select matching: ranked requests, answers, expiry and capacity."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.engagement_helpers import mentee, mentor, self_select
from wagtail_mentoring.engagement import services
from wagtail_mentoring.engagement.models import MentorRequest, MentorRequestStatus
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.programs.models import Relationship

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_now")]

S = MentorRequestStatus


@pytest.fixture
def ss_program(program):
    return self_select(program, max_requests=3, request_expiry_days=7)


def _statuses(requests):
    return [MentorRequest.objects.get(pk=r.pk).status for r in requests]


def test_ranked_requests_pass_to_the_next_choice_on_decline(ss_program):
    me = mentee(ss_program, "mia")
    first, second, third = (mentor(ss_program) for _ in range(3))
    requests = [
        services.send_request(me, m, me.user, note=f"Hi {i}")
        for i, m in enumerate([first, second, third])
    ]
    assert _statuses(requests) == [S.PENDING, S.QUEUED, S.QUEUED]
    assert [r.rank for r in requests] == [1, 2, 3]
    # Only the first mentor was asked.
    assert [m.to for m in mail.outbox] == [[first.user.email]]
    assert "Hi 0" in mail.outbox[0].body

    services.decline_request(requests[0], first.user, reason="Fully booked")
    assert _statuses(requests) == [S.DECLINED, S.PENDING, S.QUEUED]
    assert "Fully booked" in mail.outbox[-2].body  # the mentee is told why
    assert mail.outbox[-1].to == [second.user.email]

    relationship = services.accept_request(requests[1], second.user)
    assert _statuses(requests) == [S.DECLINED, S.ACCEPTED, S.CANCELLED]
    members = {(m.user_id, m.role) for m in relationship.members.all()}
    assert members == {(me.user_id, "mentee"), (second.user_id, "mentor")}
    assert relationship.status == "active"


def test_expired_request_passes_on_and_expiry_is_idempotent(ss_program):
    me = mentee(ss_program)
    first, second = mentor(ss_program), mentor(ss_program)
    r1 = services.send_request(me, first, me.user)
    r2 = services.send_request(me, second, me.user)
    assert r1.expires_at - r1.sent_at == timedelta(days=7)
    later = timezone.now() + timedelta(days=8)
    assert services.expire_requests(now=later) == 1
    assert services.expire_requests(now=later) == 0
    assert _statuses([r1, r2]) == [S.EXPIRED, S.PENDING]
    # An expired request can no longer be accepted.
    with pytest.raises(MentoringError) as excinfo:
        services.accept_request(r1, first.user)
    assert excinfo.value.code == "not_pending"


def test_pending_request_past_its_deadline_cannot_be_accepted(ss_program):
    me = mentee(ss_program)
    m = mentor(ss_program)
    request = services.send_request(me, m, me.user)
    with pytest.raises(MentoringError) as excinfo:
        services.accept_request(request, m.user, now=timezone.now() + timedelta(days=8))
    assert excinfo.value.code == "expired"
    assert not Relationship.objects.exists()


def test_withdrawing_the_pending_request_asks_the_next(ss_program):
    me = mentee(ss_program)
    first, second = mentor(ss_program), mentor(ss_program)
    r1 = services.send_request(me, first, me.user)
    r2 = services.send_request(me, second, me.user)
    services.withdraw_request(r1, me.user)
    assert _statuses([r1, r2]) == [S.WITHDRAWN, S.PENDING]
    with pytest.raises(MentoringError):
        services.withdraw_request(r1, me.user)


def test_capacity_is_enforced_at_accept_time(ss_program):
    full = mentor(ss_program, capacity=1)
    a, b = mentee(ss_program), mentee(ss_program)
    ra = services.send_request(a, full, a.user)
    rb = services.send_request(b, full, b.user)
    services.accept_request(ra, full.user)
    # The mentor filled up: the other waiting request was passed on.
    assert MentorRequest.objects.get(pk=rb.pk).status == S.DECLINED
    assert Relationship.objects.count() == 1


def test_accept_refuses_when_capacity_was_taken_meanwhile(ss_program):
    m = mentor(ss_program, capacity=1)
    a = mentee(ss_program)
    request = services.send_request(a, m, a.user)
    # An admin matched the mentor elsewhere while the request waited.
    from tests.engagement_helpers import pair

    pair(ss_program, mentor_user=m.user)
    with pytest.raises(MentoringError) as excinfo:
        services.accept_request(request, m.user)
    assert excinfo.value.code == "full"
    assert MentorRequest.objects.get(pk=request.pk).status == S.PENDING
    assert Relationship.objects.count() == 1


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("admin_mode", "not_self_select"),
        ("not_approved", "not_approved"),
        ("duplicate", "duplicate"),
        ("limit", "limit"),
        ("full", "full"),
        ("self", "self"),
        ("other_program", "not_available"),
        ("inactive_mentor", "not_available"),
        ("long_note", "note"),
    ],
)
def test_refused_requests_write_nothing_new(case, code, ss_program, other_program):
    me = mentee(ss_program)
    target = mentor(ss_program)
    note = ""
    if case == "admin_mode":
        ss_program.matching_mode = "admin_approved"
        ss_program.save()
    elif case == "not_approved":
        me.status = "pending"
        me.save()
    elif case == "duplicate":
        services.send_request(me, target, me.user)
    elif case == "limit":
        ss_program.max_requests = 1
        ss_program.save()
        services.send_request(me, mentor(ss_program), me.user)
    elif case == "full":
        from tests.engagement_helpers import pair

        pair(ss_program, mentor_user=target.user)
    elif case == "self":
        from tests.factories import make_enrollment

        target = make_enrollment(
            me.user, ss_program, "mentor", status="approved", capacity=1
        )
    elif case == "other_program":
        target = mentor(other_program)
    elif case == "inactive_mentor":
        target.user.is_active = False
        target.user.save()
    elif case == "long_note":
        note = "x" * 1001
    before = MentorRequest.objects.count()
    me.refresh_from_db()
    with pytest.raises(MentoringError) as excinfo:
        services.send_request(me, target, me.user, note=note)
    assert excinfo.value.code == code
    assert MentorRequest.objects.count() == before


def test_program_admin_can_accept_on_the_mentors_behalf(ss_program, program_admin):
    me, m = mentee(ss_program), mentor(ss_program)
    request = services.send_request(me, m, me.user)
    relationship = services.accept_request(request, program_admin)
    assert relationship.created_by == program_admin
    # Both the mentee and the mentor hear about it.
    recipients = {tuple(message.to) for message in mail.outbox[1:]}
    assert recipients == {(me.user.email,), (m.user.email,)}


def test_mentee_needing_two_mentors_has_two_pending(ss_program):
    ss_program.mentors_per_mentee = 2
    ss_program.save()
    me = mentee(ss_program)
    mentors = [mentor(ss_program) for _ in range(3)]
    requests = [services.send_request(me, m, me.user) for m in mentors]
    assert _statuses(requests) == [S.PENDING, S.PENDING, S.QUEUED]
    services.accept_request(requests[0], mentors[0].user)
    assert _statuses(requests) == [S.ACCEPTED, S.PENDING, S.QUEUED]
    services.accept_request(requests[1], mentors[1].user)
    assert _statuses(requests) == [S.ACCEPTED, S.ACCEPTED, S.CANCELLED]


def test_withdrawn_applications_close_their_requests(ss_program):
    from wagtail_mentoring.programs.services import withdraw_application

    me = mentee(ss_program)
    leaving, staying = mentor(ss_program), mentor(ss_program)
    r1 = services.send_request(me, leaving, me.user)
    r2 = services.send_request(me, staying, me.user)
    withdraw_application(leaving, leaving.user)
    # The mentor left: the mentee's next choice is asked at once.
    assert _statuses([r1, r2]) == [S.CANCELLED, S.PENDING]
    withdraw_application(me, me.user)
    assert _statuses([r2]) == [S.CANCELLED]
    with pytest.raises(MentoringError) as excinfo:
        services.accept_request(r2, staying.user)
    assert excinfo.value.code == "not_pending"
