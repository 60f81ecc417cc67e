"""Two admins acting at once on PostgreSQL: capacity is never exceeded and
double submits are harmless (row locks, real connections in threads)."""

import os
import threading

import pytest
from django.db import connection

from tests.factories import make_enrollment, make_user
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.matching import services
from wagtail_mentoring.matching.models import MatchingRun, MatchProposal
from wagtail_mentoring.programs.models import EnrollmentStatus

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="row locks need PostgreSQL (SQLite serialises whole transactions)",
    ),
    pytest.mark.django_db(transaction=True),
]

PROFILE = {"level": 3, "department": "Eng", "timezone": "UTC", "languages": ["en"]}


def _at_once(*calls):
    """Run ``calls`` in threads released together; return results/exceptions."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as error:  # the test inspects it
            results[i] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.fixture
def contested(program):
    """A mentor with one place and two proposals that both want it."""
    admin = make_user("sue", superuser=True)
    mentor = make_enrollment(
        make_user(profile=dict(PROFILE, level=6)),
        program,
        "mentor",
        status=EnrollmentStatus.APPROVED,
        capacity=1,
    )
    mentees = [
        make_enrollment(
            make_user(profile=PROFILE),
            program,
            "mentee",
            status=EnrollmentStatus.APPROVED,
        )
        for _ in range(2)
    ]
    run = MatchingRun.objects.create(program=program, status="succeeded", params={})
    proposals = [
        MatchProposal.objects.create(
            run=run, program=program, mentee=m, mentor=mentor, score=0.5
        )
        for m in mentees
    ]
    return admin, mentor, mentees, proposals


@pytest.mark.parametrize("action", ["approve_proposal", "lock_proposal"])
def test_two_admins_cannot_overfill_a_mentor(program, contested, action):
    admin, _mentor, _mentees, (a, b) = contested
    call = getattr(services, action)
    for _round in range(3):
        MatchProposal.objects.filter(pk__in=[a.pk, b.pk]).update(status="proposed")
        results = _at_once(
            lambda: call(program, a, admin), lambda: call(program, b, admin)
        )
        refused = [r for r in results if isinstance(r, MentoringError)]
        assert len(refused) == 1, results
        assert (
            MatchProposal.objects.filter(status__in=["approved", "locked"]).count() == 1
        )


def test_approve_and_manual_pair_at_once_respect_capacity(program, contested):
    admin, mentor, (m1, m2), (a, b) = contested
    MatchProposal.objects.filter(pk=b.pk).delete()
    results = _at_once(
        lambda: services.approve_proposal(program, a, admin),
        lambda: services.manual_pair(program, m2, mentor, admin),
    )
    assert sum(isinstance(r, MentoringError) for r in results) == 1, results
    assert MatchProposal.objects.filter(status="approved").count() == 1


def test_double_submit_approves_once(program, contested):
    admin, _mentor, _mentees, (a, _b) = contested
    results = _at_once(*[lambda: services.approve_proposal(program, a, admin)] * 3)
    assert not any(isinstance(r, Exception) for r in results), results
    from wagtail.models import ModelLogEntry

    assert (
        ModelLogEntry.objects.filter(
            action="wagtail_mentoring.matching.approve", object_id=str(a.pk)
        ).count()
        == 1
    )


def test_publishing_twice_at_once_makes_one_relationship(program, contested):
    from wagtail_mentoring.programs.models import Relationship

    admin, _mentor, _mentees, (a, _b) = contested
    services.approve_proposal(program, a, admin)
    results = _at_once(
        lambda: services.publish(program, admin),
        lambda: services.publish(program, admin),
    )
    assert not any(isinstance(r, Exception) for r in results), results
    assert Relationship.objects.count() == 1
    assert sorted(len(r.done) for r in results) == [0, 1]
