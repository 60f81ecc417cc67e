"""Matching runs started in the admin, with a real broker: a worker runs them;
without a worker they fail after the pickup time and never block the next run.

The third case, no broker at all, needs no service and runs in every pass:
``tests/test_dispatch.py::test_without_a_broker_the_admin_still_works_and_is_told``.
"""

from __future__ import annotations

import os

import pytest
import redis
from django.urls import reverse
from kombu.utils.url import maybe_sanitize_url

from intranet.celery import app
from tests.factories import make_enrollment, make_user
from tests.services.conftest import wait_for
from wagtail_mentoring import dispatch
from wagtail_mentoring.matching.models import MatchingRun, RunStatus
from wagtail_mentoring.programs.models import EnrollmentStatus

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

NO_WORKER = "No worker picked this run up; is a Celery worker running?"
RUN_MATCHING = "wagtail_mentoring.run_matching"
PROFILE = {"level": 3, "department": "Eng", "timezone": "UTC", "languages": ["en"]}


@pytest.fixture
def matcher(program):
    return make_user(
        "mattie", admin_access=True, groups=[program.admin_group], perms=[RUN_MATCHING]
    )


@pytest.fixture
def pool(program):
    for i in range(2):
        make_enrollment(
            make_user(f"mentor{i}", profile=dict(PROFILE, level=6)),
            program,
            "mentor",
            status=EnrollmentStatus.APPROVED,
            capacity=2,
        )
    for i in range(3):
        make_enrollment(
            make_user(f"mentee{i}", profile=PROFILE),
            program,
            "mentee",
            status=EnrollmentStatus.APPROVED,
        )


@pytest.fixture
def broker_without_worker():
    """Tasks go to Redis, where nobody consumes them; yields the queue length."""
    broker = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])
    app.control.purge()
    app.conf.task_always_eager = False
    try:
        yield lambda: broker.llen("celery")
    finally:
        app.conf.task_always_eager = True
        app.control.purge()  # a later worker must not run these


def _panel(client, program) -> str:
    return client.get(reverse("wm_matching:panel", args=[program.pk])).content.decode()


def test_a_worker_runs_the_run_started_in_the_admin(
    celery_worker_process, client, program, pool, matcher
):
    client.force_login(matcher)
    broker = maybe_sanitize_url(os.environ["CELERY_BROKER_URL"])
    assert f"Background tasks: Celery (broker {broker})" in _panel(client, program)

    response = client.post(reverse("wm_matching:run", args=[program.pk]))
    assert response.status_code == 302
    run = MatchingRun.objects.get(program=program)

    def finished():
        run.refresh_from_db()
        return run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED)

    assert wait_for(finished, timeout=60), "the worker never ran the matching"
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.proposals.count() == 3
    assert str(dispatch.FALLBACK_MESSAGE) not in _panel(client, program)


def test_without_a_worker_a_run_fails_and_the_next_one_starts(
    broker_without_worker, settings, client, program, pool, matcher
):
    settings.WAGTAIL_MENTORING = {"MATCHING_RUN_PICKUP_SECONDS": 0}
    client.force_login(matcher)
    response = client.post(reverse("wm_matching:run", args=[program.pk]))
    assert response.status_code == 302
    first = MatchingRun.objects.get(program=program)
    assert first.status == RunStatus.QUEUED
    assert broker_without_worker() == 1  # sent, and nobody took it

    data = client.get(reverse("wm_matching:run_status", args=[first.pk])).json()
    assert (data["status"], data["done"], data["error"]) == ("failed", True, NO_WORKER)
    assert NO_WORKER in _panel(client, program)

    # A new run starts (and is sent) instead of waiting for the lost one.
    response = client.post(reverse("wm_matching:run", args=[program.pk]))
    assert response.status_code == 302
    second = MatchingRun.objects.exclude(pk=first.pk).get(program=program)
    assert second.status == RunStatus.QUEUED
    assert broker_without_worker() == 2
    # Started again without anyone polling: the queued one fails, a third starts.
    client.post(reverse("wm_matching:run", args=[program.pk]))
    second.refresh_from_db()
    assert (second.status, second.error) == (RunStatus.FAILED, NO_WORKER)
    assert MatchingRun.objects.filter(status=RunStatus.QUEUED).count() == 1
