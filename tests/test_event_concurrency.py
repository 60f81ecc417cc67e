"""Many people taking the last places at the same moment never overfill an
event (PostgreSQL: real row locks; SQLite serialises writers anyway)."""

import threading

import pytest
from django.db import connection

from tests.event_helpers import event, make_space, member
from wagtail_mentoring.community.events import services
from wagtail_mentoring.community.events.models import EventRSVP
from wagtail_mentoring.errors import MentoringError

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks"
    ),
]


def _race(target, people, **kwargs):
    barrier = threading.Barrier(len(people))
    outcomes = []

    def answer(person):
        try:
            barrier.wait()
            outcomes.append(services.rsvp(target, person, **kwargs).status)
        except MentoringError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_parallel_rsvps_never_exceed_the_places():
    space = make_space()
    people = [member(space) for _ in range(8)]
    target = event(space, capacity=3)

    outcomes = _race(target, people)

    assert outcomes.count("going") == 3
    assert outcomes.count("full") == 5
    assert EventRSVP.objects.filter(event=target, status="going").count() == 3
    # The refused wrote nothing.
    assert EventRSVP.objects.filter(event=target).count() == 3


def test_parallel_rsvps_with_the_waiting_list_fill_then_queue():
    space = make_space()
    people = [member(space) for _ in range(6)]
    target = event(space, capacity=2)

    outcomes = _race(target, people, waitlist=True)

    assert sorted(outcomes) == ["going"] * 2 + ["waitlisted"] * 4
    assert EventRSVP.objects.filter(event=target, status="going").count() == 2
    assert EventRSVP.objects.filter(event=target, status="waitlisted").count() == 4
