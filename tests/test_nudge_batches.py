"""The daily jobs over many pairs run in batches, each batch in a fixed number
of queries: the at-risk list and the quiet-pair nudge cost the same for N and
3N pairs (the emails themselves aside), and batching changes no result."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.engagement_helpers import pair
from tests.journey_data import make_journey, prompts, step
from wagtail_mentoring.engagement.models import Message
from wagtail_mentoring.engagement.nudges import jobs
from wagtail_mentoring.engagement.nudges.at_risk import pairs_at_risk
from wagtail_mentoring.journeys.models import JourneyProgress
from wagtail_mentoring.notifications.models import Delivery
from wagtail_mentoring.programs.models import Relationship

pytestmark = pytest.mark.django_db

NOW = timezone.now()
LATER = NOW + timedelta(days=25)  # past the default 21 quiet days


@pytest.fixture
def journey(hub, program):
    journey = make_journey(
        hub,
        [step("s1", "Talk", [prompts("p1", "What is hard right now?")])],
        slug="talk",
    )
    program.journey = journey
    program.save()
    return journey


def _pairs(program, journey, n):
    made = []
    for i in range(n):
        relationship = pair(program)
        if i % 2:  # some with a message left unanswered, some with a journey
            Message.objects.create(
                relationship=relationship,
                author=relationship.members.first().user,
                body="Hello?",
                created_at=NOW - timedelta(days=9),
            )
        else:
            JourneyProgress.objects.create(
                relationship=relationship,
                journey=journey,
                last_activity_at=NOW - timedelta(days=30),
            )
        made.append(relationship)
    Relationship.objects.filter(pk__in=[r.pk for r in made]).update(
        started_on=timezone.localdate() - timedelta(days=40)
    )
    return made


def _queries(func, *args, **kwargs):
    with CaptureQueriesContext(connection) as queries:
        result = func(*args, **kwargs)
    return result, queries


def _at_risk():
    return pairs_at_risk(Relationship.objects.all(), NOW)


def test_the_at_risk_list_costs_the_same_for_n_and_3n_pairs(program, journey):
    _pairs(program, journey, 3)
    found, few = _queries(_at_risk)
    assert len(found) == 3
    _pairs(program, journey, 6)
    found, many = _queries(_at_risk)
    assert len(found) == 9
    assert len(many) == len(few)
    # Members come with the list (the screen and the weekly email name them).
    with CaptureQueriesContext(connection) as names:
        assert all(len(item.relationship.members.all()) == 2 for item in found)
    assert len(names) == 0


def test_batches_give_the_same_list(program, journey):
    _pairs(program, journey, 7)
    pair(program)  # fine: met recently enough (started today)

    def listed(batch_size):
        return [
            (p.relationship.pk, p.score, sorted(r.code for r in p.reasons))
            for p in pairs_at_risk(Relationship.objects.all(), NOW, batch_size)
        ]

    one = listed(1000)
    assert len(one) == 7
    assert listed(2) == one
    assert listed(7) == one


def _prompt_queries(queries) -> int:
    return sum("stepprogress" in q["sql"].lower() for q in queries.captured_queries)


def test_the_quiet_pair_nudge_costs_the_same_for_n_and_3n_pairs(program, journey):
    _pairs(program, journey, 2)
    sent, first = _queries(jobs.nudge_quiet_pairs, LATER)
    assert sent == 4
    # The journey's prompts are looked up once for the batch, not per pair.
    assert _prompt_queries(first) == 1
    assert "What is hard right now?" in mail.outbox[0].body
    again, few = _queries(jobs.nudge_quiet_pairs, LATER)
    assert again == 0

    _pairs(program, journey, 4)
    sent, first = _queries(jobs.nudge_quiet_pairs, LATER)
    assert sent == 8
    assert _prompt_queries(first) == 1
    again, many = _queries(jobs.nudge_quiet_pairs, LATER)
    assert again == 0
    assert len(many) == len(few)
    assert Delivery.objects.filter(kind="pair_nudge").count() == 12


def test_batches_nudge_every_quiet_pair_once(program, journey):
    made = _pairs(program, journey, 5)
    assert jobs.nudge_quiet_pairs(LATER, batch_size=2) == 10
    assert jobs.nudge_quiet_pairs(LATER, batch_size=2) == 0
    nudged = Delivery.objects.filter(kind="pair_nudge")
    assert {d.recipient_id for d in nudged} == {
        m.user_id for r in made for m in r.members.all()
    }
