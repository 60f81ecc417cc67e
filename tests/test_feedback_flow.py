"""Feedback where it is due: logging a meeting the pair had, links on the
relationship page, and a final-feedback form that is not shown before it opens."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from wagtail.models import ModelLogEntry

from tests.engagement_helpers import pair, soon
from tests.factories import make_user
from tests.journey_data import STEP_INTRO, make_journey
from wagtail_mentoring.engagement import services
from wagtail_mentoring.engagement.models import Feedback, Meeting, MeetingStatus
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.journeys.models import StepProgress

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_now")]


@pytest.fixture
def relationship(program, employee, other_employee):
    relationship = pair(program, employee, other_employee)
    relationship.started_on = timezone.localdate() - timedelta(days=30)
    relationship.ends_on = timezone.localdate() + timedelta(days=120)
    relationship.save()
    return relationship


def _text(response) -> str:
    return " ".join(response.content.decode().split())


def _yesterday_at_ten():
    return (timezone.now() - timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )


def test_log_a_past_meeting_marks_it_held_and_completes_the_meeting_step(
    hub, program, relationship, employee
):
    journey = make_journey(hub)
    program.journey = journey
    program.save()
    meeting = services.log_past_meeting(
        relationship, employee, title="Coffee", starts_at=_yesterday_at_ten()
    )
    assert meeting.status == MeetingStatus.HELD
    assert ModelLogEntry.objects.filter(action="wagtail_mentoring.meeting.log")
    # The journey's "get to know each other" step waited for the pair to meet.
    assert StepProgress.objects.get(
        relationship=relationship, user=None, step_id=STEP_INTRO
    ).is_completed
    # Its feedback is open at once.
    feedback = services.give_feedback(relationship, employee, rating=5, meeting=meeting)
    assert feedback.meeting == meeting


@pytest.mark.parametrize(
    "change, code",
    [
        ({"starts_at": "future"}, "future"),
        ({"starts_at": "before_start"}, "too_early"),
        ({"title": " "}, "title"),
        ({"by": "outsider"}, "not_member"),
    ],
)
def test_logging_refuses_what_did_not_happen_and_writes_nothing(
    change, code, relationship, employee
):
    when = {
        "future": soon(),
        "before_start": _yesterday_at_ten() - timedelta(days=60),
    }
    kwargs = {"title": "Coffee", "starts_at": _yesterday_at_ten()}
    by = employee
    for key, value in change.items():
        if key == "by":
            by = make_user("outsider")
        elif key == "starts_at":
            kwargs[key] = when[value]
        else:
            kwargs[key] = value
    with pytest.raises(MentoringError) as error:
        services.log_past_meeting(relationship, by, **kwargs)
    assert error.value.code == code
    assert not Meeting.objects.exists()


def test_pair_that_met_logs_it_from_the_page_and_lands_on_its_feedback(
    client, relationship, employee
):
    client.force_login(employee)
    page = _text(
        client.get(reverse("wagtail_mentoring:relationship", args=[relationship.pk]))
    )
    log_url = reverse("wagtail_mentoring:meeting_log", args=[relationship.pk])
    assert f'href="{log_url}"' in page
    assert "Log a meeting we had" in page
    starts = _yesterday_at_ten()
    response = client.post(
        log_url,
        {
            "title": "Lunch chat",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "timezone": "UTC",
            "duration_minutes": "30",
            "notes": "Talked about promotions.",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "wagtail_mentoring:meeting_feedback", args=[relationship.pk, meeting.pk]
    )
    assert (meeting.status, meeting.starts_at) == (MeetingStatus.HELD, starts)
    assert 'name="rating"' in _text(client.get(response["Location"]))


def test_logging_a_meeting_to_come_is_refused_on_the_page(
    client, relationship, employee
):
    client.force_login(employee)
    response = client.post(
        reverse("wagtail_mentoring:meeting_log", args=[relationship.pk]),
        {
            "title": "Lunch chat",
            "starts_at": soon().strftime("%Y-%m-%dT%H:%M"),
            "timezone": "UTC",
            "duration_minutes": "30",
        },
    )
    assert response.status_code == 400
    assert "Only a meeting that is over can be logged" in _text(response)
    assert not Meeting.objects.exists()


def test_relationship_page_offers_feedback_where_it_is_due(
    client, relationship, employee, other_employee
):
    met = services.log_past_meeting(
        relationship, other_employee, title="Coffee", starts_at=_yesterday_at_ten()
    )
    client.force_login(employee)
    url = reverse("wagtail_mentoring:relationship", args=[relationship.pk])
    body = _text(client.get(url))
    feedback_url = reverse(
        "wagtail_mentoring:meeting_feedback", args=[relationship.pk, met.pk]
    )
    assert f'href="{feedback_url}"' in body
    assert "Give feedback on “Coffee”" in body
    opens = date_format(relationship.ends_on - timedelta(days=14), "DATE_FORMAT")
    assert f"Feedback on the whole relationship opens on {opens}." in body
    final_url = reverse("wagtail_mentoring:final_feedback", args=[relationship.pk])
    assert final_url not in body
    services.give_feedback(relationship, employee, rating=4, meeting=met)
    body = _text(client.get(url))
    assert f'href="{feedback_url}"' not in body
    # Two weeks before the end, the final feedback link appears.
    relationship.ends_on = timezone.localdate() + timedelta(days=10)
    relationship.save()
    assert final_url in _text(client.get(url))


def test_final_feedback_says_when_it_opens_before_anyone_types(
    client, relationship, employee
):
    client.force_login(employee)
    url = reverse("wagtail_mentoring:final_feedback", args=[relationship.pk])
    body = _text(client.get(url))
    assert 'name="rating"' not in body and "<textarea" not in body
    assert "Final feedback opens on" in body
    # A POST made anyway writes nothing.
    client.post(url, {"rating": "5", "visibility": "partner"})
    assert not Feedback.objects.exists()
    relationship.ends_on = timezone.localdate() + timedelta(days=7)
    relationship.save()
    assert 'name="rating"' in _text(client.get(url))
