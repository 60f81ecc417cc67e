"""Tasks run by a real Celery worker on Redis, on PostgreSQL."""

import pytest

from tests.factories import make_enrollment
from tests.services.conftest import wait_for
from wagtail_mentoring.programs import services
from wagtail_mentoring.programs.models import Enrollment
from wagtail_mentoring.programs.tasks import send_decision_emails

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
]


def test_decision_email_is_sent_once_by_the_worker(
    celery_worker_process, employee, program, program_admin
):
    enrollment = make_enrollment(employee, program)
    services.approve_enrollment(enrollment, program_admin)  # enqueued on commit

    def emailed():
        return Enrollment.objects.get(pk=enrollment.pk).decision_emailed_at is not None

    assert wait_for(emailed), "the worker never sent the decision email"
    # Retried or duplicated deliveries must not email the applicant again.
    result = send_decision_emails.delay([enrollment.pk])
    assert result.id
    assert wait_for(lambda: len(list(celery_worker_process.iterdir())) >= 1)
    send_decision_emails.delay([enrollment.pk])
    # Give the worker time to (not) send the duplicates, then count.
    wait_for(lambda: False, timeout=3)
    messages = list(celery_worker_process.iterdir())
    assert len(messages) == 1
    assert program.title in messages[0].read_text()
