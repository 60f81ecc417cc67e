"""Mentees joining one open circle at the same moment never fill it past its
size, and one mentee joining two circles at once ends up in one (PostgreSQL:
real row locks; SQLite serialises writers anyway)."""

import threading

import pytest
from django.db import connection

from tests.engagement_helpers import mentee, mentor
from tests.factories import make_program
from wagtail_mentoring.engagement import circles
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.programs.models import ProgramKind, RelationshipMember

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks"
    ),
]


def _in_parallel(calls):
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("joined")
        except MentoringError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_parallel_joins_never_overfill_a_circle(hub):
    group = make_program(hub, kind=ProgramKind.GROUP)
    lead = mentor(group, capacity=3)
    circle = circles.form_circle(group, lead.user, lead.user, open_to_join=True)
    joiners = [mentee(group).user for _ in range(8)]
    outcomes = _in_parallel(
        [lambda u=u: circles.join_circle(circle, u) for u in joiners]
    )
    assert outcomes.count("joined") == 3
    assert set(outcomes) - {"joined"} == {"full"}
    assert (
        RelationshipMember.objects.filter(relationship=circle, role="mentee").count()
        == 3
    )


def test_one_mentee_joining_two_circles_at_once_gets_one(hub):
    group = make_program(hub, kind=ProgramKind.GROUP)
    person = mentee(group).user
    targets = []
    for _ in range(4):
        lead = mentor(group, capacity=2)
        targets.append(
            circles.form_circle(group, lead.user, lead.user, open_to_join=True)
        )
    outcomes = _in_parallel(
        [lambda c=c: circles.join_circle(c, person) for c in targets]
    )
    assert outcomes.count("joined") == 1
    assert set(outcomes) - {"joined"} == {"already_in_circle"}
    assert RelationshipMember.objects.filter(user=person).count() == 1
