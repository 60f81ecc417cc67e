"""A matching run executed by a real Celery worker on Redis, on PostgreSQL."""

import pytest

from tests.factories import make_enrollment, make_user
from tests.services.conftest import wait_for
from wagtail_mentoring.matching import services
from wagtail_mentoring.matching.models import MatchingRun, MatchProposal
from wagtail_mentoring.matching.tasks import run_matching
from wagtail_mentoring.programs.models import EnrollmentStatus

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

PROFILE = {"level": 3, "department": "Eng", "timezone": "UTC", "languages": ["en"]}


def test_the_worker_runs_matching_once(celery_worker_process, program, superuser):
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
    run = services.start_run(program, superuser)  # enqueued on commit

    def finished():
        return MatchingRun.objects.get(pk=run.pk).status in ("succeeded", "failed")

    assert wait_for(finished, timeout=60), "the worker never ran the matching"
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    assert run.proposals.count() == 3
    # A duplicated delivery finds the run done and stores nothing twice.
    run_matching.delay(run.pk)
    wait_for(lambda: False, timeout=3)
    assert MatchProposal.objects.filter(run=run).count() == 3
