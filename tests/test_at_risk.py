"""At-risk pairs: one scoring rule (engagement/nudges/at_risk.py), the program
admins' screen scoped to their programs, and *Nudge both* through the same
service as the periodic nudge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.engagement_helpers import pair
from tests.journey_data import make_journey
from wagtail_mentoring.engagement.models import Feedback, Meeting, Message
from wagtail_mentoring.engagement.nudges.at_risk import pairs_at_risk
from wagtail_mentoring.journeys.models import JourneyProgress
from wagtail_mentoring.notifications.models import Delivery
from wagtail_mentoring.programs.models import Relationship

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _started(relationship, days_ago):
    Relationship.objects.filter(pk=relationship.pk).update(
        started_on=timezone.localdate() - timedelta(days=days_ago)
    )
    return relationship


def _met(relationship, days_ago):
    Meeting.objects.create(
        relationship=relationship,
        title="Met",
        starts_at=NOW - timedelta(days=days_ago),
        status="held",
    )


def _codes(found):
    return {p.relationship.pk: sorted(r.code for r in p.reasons) for p in found}


def test_the_scoring_rule(program, hub):
    fine = _started(pair(program), 30)
    _met(fine, 3)
    quiet = _started(pair(program), 30)  # 30 ≥ 21 days: 3 points
    silent = _started(pair(program), 50)  # twice as long: 4 points
    unhappy = _started(pair(program), 30)
    _met(unhappy, 2)
    author = unhappy.members.first().user
    Feedback.objects.create(
        relationship=unhappy, author=author, kind="final", rating=1, visibility="admins"
    )
    private = _started(pair(program), 30)
    _met(private, 2)  # a low rating meant for the partner only does not count
    Feedback.objects.create(
        relationship=private, author=private.members.first().user, kind="final",
        rating=1, visibility="partner",
    )  # fmt: skip
    waiting = _started(pair(program), 30)
    _met(waiting, 12)
    Message.objects.create(
        relationship=waiting,
        author=waiting.members.first().user,
        body="Are we still on?",
        created_at=NOW - timedelta(days=10),
    )
    answered = _started(pair(program), 30)
    Message.objects.create(
        relationship=answered,
        author=answered.members.first().user,
        body="See you Monday",
        created_at=NOW - timedelta(days=10),
    )
    _met(answered, 5)  # they met after the message
    stalled = _started(pair(program), 30)
    _met(stalled, 1)
    journey = make_journey(hub)
    JourneyProgress.objects.create(
        relationship=stalled,
        journey=journey,
        last_activity_at=NOW - timedelta(days=25),
    )
    ended = _started(pair(program), 60)
    Relationship.objects.filter(pk=ended.pk).update(status="completed")

    found = pairs_at_risk(Relationship.objects.all(), NOW)
    assert _codes(found) == {
        silent.pk: ["no_meeting"],
        quiet.pk: ["no_meeting"],
        unhappy.pk: ["low_ratings"],
        waiting.pk: ["unanswered_message"],
        stalled.pk: ["stalled_journey"],
    }
    # Most at risk first: 4, 3, 2, then the 1-point pairs by pk.
    assert [p.relationship.pk for p in found][:3] == [silent.pk, quiet.pk, unhappy.pk]
    assert [p.score for p in found] == [4, 3, 2, 1, 1]
    assert "No meeting for 50 days" in str(found[0].reasons[0].text)
    assert fine.pk not in _codes(found) and private.pk not in _codes(found)


def test_a_program_that_never_nudges_has_no_quiet_pairs(program):
    program.nudge_after_days = 0
    program.save()
    _started(pair(program), 90)
    assert pairs_at_risk(Relationship.objects.all(), NOW) == []


def test_admins_see_only_their_programs_and_nudge_both(
    program, other_program, program_admin, other_program_admin
):
    ours = _started(pair(program), 30)
    theirs = _started(pair(other_program), 30)
    client = Client()
    client.force_login(program_admin)
    page = client.get(reverse("wm_at_risk:index"))
    assert page.status_code == 200
    body = page.content.decode()
    assert reverse("wm_relationships:inspect", args=[ours.pk]) in body
    assert reverse("wm_relationships:inspect", args=[theirs.pk]) not in body
    assert "No meeting for 30 days" in body

    nudge = reverse("wm_at_risk:nudge", args=[ours.pk])
    assert client.get(nudge).status_code == 405  # never on a GET
    assert not mail.outbox
    assert client.post(nudge).status_code == 302
    assert len(mail.outbox) == 2
    assert "Schedule our next meeting" in mail.outbox[0].body
    client.post(nudge)  # a second click the same day sends nothing more
    assert len(mail.outbox) == 2
    # Another program's pair is not found, and nobody is emailed.
    assert client.post(reverse("wm_at_risk:nudge", args=[theirs.pk])).status_code == 404
    other = Client()
    other.force_login(other_program_admin)
    assert other.post(nudge).status_code == 404
    assert len(mail.outbox) == 2
    assert Delivery.objects.filter(kind="pair_nudge").count() == 2


def test_an_employee_has_no_at_risk_screen(program, employee):
    client = Client()
    client.force_login(employee)
    response = client.get(reverse("wm_at_risk:index"))
    assert response.status_code in (302, 403)


def test_the_list_costs_the_same_queries_for_more_pairs(program, hub, program_admin):
    journey = make_journey(hub)
    client = Client()
    client.force_login(program_admin)
    url = reverse("wm_at_risk:index")
    client.get(url)  # warm caches (site, menu)

    def add_pairs(n):
        for _ in range(n):
            relationship = _started(pair(program), 40)
            Message.objects.create(
                relationship=relationship,
                author=relationship.members.first().user,
                body="Hello?",
                created_at=NOW - timedelta(days=9),
            )
            JourneyProgress.objects.create(
                relationship=relationship,
                journey=journey,
                last_activity_at=NOW - timedelta(days=30),
            )

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries)

    add_pairs(2)
    few = count()
    add_pairs(8)
    assert count() == few
