"""Periodic nudges run by a real Celery worker on Redis: sent twice over the
broker, each email still goes out once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.engagement_helpers import pair
from tests.services.conftest import wait_for
from wagtail_mentoring.engagement.nudges.tasks import nudge_quiet_pairs
from wagtail_mentoring.notifications.models import Delivery
from wagtail_mentoring.programs.models import Relationship

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
]


def test_a_quiet_pair_is_nudged_once_by_the_worker(celery_worker_process, program):
    quiet = pair(program)
    Relationship.objects.filter(pk=quiet.pk).update(
        started_on=timezone.localdate() - timedelta(days=40)
    )
    nudge_quiet_pairs.delay()
    nudge_quiet_pairs.delay()  # beat fired twice, or two beats
    assert wait_for(lambda: len(list(celery_worker_process.iterdir())) >= 2)
    wait_for(lambda: False, timeout=3)
    files = list(celery_worker_process.iterdir())
    assert len(files) == 2
    assert all("Time to meet again" in f.read_text() for f in files)
    assert Delivery.objects.filter(kind="pair_nudge", status="sent").count() == 2
