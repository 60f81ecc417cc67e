"""Parallel bookings cannot overfill a slot or a mentor's week (PostgreSQL:
real row locks; SQLite serialises writers anyway)."""

import threading

import pytest
from django.db import connection

from tests.factories import make_user
from tests.office_hours_helpers import flash_mentor, flash_program, publish
from wagtail_mentoring.engagement.office_hours import services
from wagtail_mentoring.engagement.office_hours.models import Booking
from wagtail_mentoring.errors import MentoringError

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks"
    ),
]


def _race(jobs):
    """Run ``jobs`` (callables) at the same moment; their outcomes."""
    barrier = threading.Barrier(len(jobs))
    outcomes = []

    def run(job):
        try:
            barrier.wait()
            job()
            outcomes.append("booked")
        except MentoringError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_parallel_bookings_fill_a_slot_exactly(hub):
    host = flash_mentor(flash_program(hub))
    slot = publish(host, capacity=2, weekly_limit=50).slots.get()
    people = [make_user() for _ in range(6)]
    outcomes = _race(
        [lambda user=user: services.book_slot(slot, user) for user in people]
    )
    assert outcomes.count("booked") == 2
    assert set(outcomes) - {"booked"} == {"full"}
    assert Booking.objects.filter(slot=slot, status="booked").count() == 2


def test_parallel_bookings_respect_the_weekly_limit(hub):
    host = flash_mentor(flash_program(hub))
    # Four one-person slots on the same day: the week allows two bookings.
    slots = [
        publish(host, hour=9 + n, capacity=1, weekly_limit=2, title=f"S{n}").slots.get()
        for n in range(4)
    ]
    people = [make_user() for _ in slots]
    outcomes = _race(
        [
            lambda slot=slot, user=user: services.book_slot(slot, user)
            for slot, user in zip(slots, people, strict=True)
        ]
    )
    assert outcomes.count("booked") == 2
    assert set(outcomes) - {"booked"} == {"weekly_limit"}
    assert Booking.objects.filter(status="booked").count() == 2


def test_one_person_cannot_double_book_the_same_slot_in_parallel(hub):
    host = flash_mentor(flash_program(hub))
    slot = publish(host, capacity=5).slots.get()
    guest = make_user()
    outcomes = _race([lambda: services.book_slot(slot, guest) for _ in range(4)])
    assert outcomes.count("booked") == 1
    assert Booking.objects.filter(user=guest, status="booked").count() == 1
