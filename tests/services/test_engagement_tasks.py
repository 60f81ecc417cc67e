"""Meeting invites and periodic jobs run by a real Celery worker on Redis."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.engagement_helpers import mentee, mentor, pair, self_select, soon
from tests.services.conftest import wait_for
from wagtail_mentoring.engagement import services
from wagtail_mentoring.engagement.models import MentorRequest
from wagtail_mentoring.engagement.tasks import (
    expire_mentor_requests,
    send_meeting_invites,
)
from wagtail_mentoring.notifications.models import Delivery

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
]


def test_invites_are_sent_once_by_the_worker(celery_worker_process, program):
    relationship = pair(program)
    member = relationship.members.first().user
    meeting = services.schedule_meeting(
        relationship, member, title="Worker chat", starts_at=soon()
    )
    assert wait_for(lambda: len(list(celery_worker_process.iterdir())) >= 2)
    # A duplicated delivery of the same version sends nothing more.
    send_meeting_invites.delay(meeting.pk, meeting.sequence)
    wait_for(lambda: False, timeout=3)
    files = list(celery_worker_process.iterdir())
    assert len(files) == 2
    assert all("BEGIN:VCALENDAR" in f.read_text() for f in files)
    assert Delivery.objects.filter(kind="meeting", status="sent").count() == 2


def test_expiry_runs_in_the_worker(celery_worker_process, program):
    self_select(program)
    asker = mentee(program)
    first, second = mentor(program), mentor(program)
    r1 = services.send_request(asker, first, asker.user)
    r2 = services.send_request(asker, second, asker.user)
    MentorRequest.objects.filter(pk=r1.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    expire_mentor_requests.delay()
    assert wait_for(lambda: MentorRequest.objects.get(pk=r2.pk).status == "pending")
    assert MentorRequest.objects.get(pk=r1.pk).status == "expired"
