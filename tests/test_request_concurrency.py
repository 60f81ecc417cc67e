"""Two acceptances at the same moment cannot overfill a mentor (PostgreSQL:
real row locks; SQLite serialises writers anyway)."""

import threading

import pytest
from django.db import connection

from tests.engagement_helpers import mentee, mentor, self_select
from wagtail_mentoring.engagement import services
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.programs.models import RelationshipMember

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks"
    ),
]


def test_simultaneous_accepts_respect_capacity(program):
    self_select(program)
    target = mentor(program, capacity=1)
    requests = []
    for _ in range(4):
        asker = mentee(program)
        requests.append(services.send_request(asker, target, asker.user))
    barrier = threading.Barrier(len(requests))
    outcomes = []

    def accept(request):
        try:
            barrier.wait()
            services.accept_request(request, target.user)
            outcomes.append("accepted")
        except MentoringError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes.count("accepted") == 1
    # The losers found the place taken, or their request already passed on.
    assert set(outcomes) - {"accepted"} <= {"full", "not_pending"}
    assert (
        RelationshipMember.objects.filter(user=target.user, role="mentor").count() == 1
    )
