"""Assignment and Grade Services: a placed journey's completion in the gradebook.

A launch whose link has a line item (and the score scope) records a
``CourseGrade``; when the learner's pair completes the journey, the score is
sent once, through the package's dispatch (Celery with retries when the host
runs a worker), to the line item's ``/scores`` endpoint with an OAuth2
client-credentials token the tool obtains with its own signed assertion.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from lti_tool.lti_core.constants import AgsScope
from lti_tool.models import LtiUser
from pylti1p3.service_connector import ServiceConnector

from wagtail_mentoring import dispatch

from .models import CourseGrade, GradeStatus

logger = logging.getLogger(__name__)

AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
TASK = "wagtail_mentoring.contrib.lti.tasks.post_course_grade"
#: A failed send is tried again by the periodic sweep once this long passed
#: since its last attempt (Celery's own retries of it are over by then), and
#: a queued one that never ran (a lost worker) once this long passed too.
RETRY_AFTER = timedelta(minutes=30)
#: After this many attempts a grade stays failed (shown in the admin).
MAX_ATTEMPTS = 20


def record_line_item(lti_user: LtiUser, journey, ags_claim: dict | None):
    """At a launch of a journey: the gradebook column its score will go to."""
    ags_claim = ags_claim or {}
    scope = ags_claim.get("scope", [])
    lineitem = ags_claim.get("lineitem")
    if not lineitem or AgsScope.PUBLISH_SCORES not in scope:
        return None
    grade, _created = CourseGrade.objects.get_or_create(
        lti_user=lti_user,
        lineitem_url=lineitem,
        defaults={"journey": journey, "scope": scope},
    )
    return grade


def journey_completed(users, journey) -> int:
    """Queue the score of every waiting (or failed) grade of these learners."""
    ids = list(
        CourseGrade.objects.filter(
            lti_user__auth_user__in=users,
            journey=journey,
            status__in=(GradeStatus.WAITING, GradeStatus.FAILED),
        ).values_list("pk", flat=True)
    )
    CourseGrade.objects.filter(pk__in=ids).update(
        status=GradeStatus.PENDING, attempted_at=timezone.now()
    )
    for pk in ids:
        dispatch.enqueue(TASK, pk)
    return len(ids)


def send(grade_id: int) -> bool:
    """Send one grade's score; idempotent (a sent grade is never sent again).

    Raises what the platform or the network raised, so a Celery worker retries.
    """
    with transaction.atomic():
        grade = (
            CourseGrade.objects.select_for_update()
            .select_related("lti_user__registration")
            .get(pk=grade_id)
        )
        if grade.status == GradeStatus.SENT:
            return False
        grade.attempts += 1
        grade.attempted_at = timezone.now()
        grade.save(update_fields=["attempts", "attempted_at"])
    now = timezone.now()
    score = {
        "userId": grade.lti_user.sub,
        "scoreGiven": 1.0,
        "scoreMaximum": 1.0,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": now.isoformat(),
    }
    connector = ServiceConnector(grade.lti_user.registration.to_registration())
    url = grade.lineitem_url.split("?", 1)
    url = url[0].rstrip("/") + "/scores" + (f"?{url[1]}" if len(url) > 1 else "")
    try:
        connector.make_service_request(
            [AgsScope.PUBLISH_SCORES],
            url,
            is_post=True,
            data=json.dumps(score),
            content_type="application/vnd.ims.lis.v1.score+json",
        )
    except Exception as error:
        CourseGrade.objects.filter(pk=grade.pk).update(
            status=GradeStatus.FAILED, last_error=str(error)[:2000]
        )
        logger.warning("Sending grade %s failed: %s", grade.pk, error)
        raise
    CourseGrade.objects.filter(pk=grade.pk).update(
        status=GradeStatus.SENT, score=1.0, sent_at=now, last_error=""
    )
    return True


def retry_failed(now=None) -> int:
    """The periodic sweep: queue again each failed (or lost) score send.

    Each grade is claimed with a conditional update, so two sweeps running at
    once queue it once; ``send`` itself never sends a sent grade twice.
    """
    now = now or timezone.now()
    due = Q(attempted_at__lt=now - RETRY_AFTER) | Q(attempted_at__isnull=True)
    candidates = list(
        CourseGrade.objects.filter(
            due,
            status__in=(GradeStatus.FAILED, GradeStatus.PENDING),
            attempts__lt=MAX_ATTEMPTS,
        ).values_list("pk", "status")
    )
    queued = 0
    for pk, status in candidates:
        claimed = (
            CourseGrade.objects.filter(pk=pk, status=status)
            .filter(due)
            .update(status=GradeStatus.PENDING, attempted_at=now)
        )
        if claimed:
            dispatch.enqueue(TASK, pk)
            queued += 1
    return queued
