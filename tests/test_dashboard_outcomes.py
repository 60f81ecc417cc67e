"""Outcomes on the dashboard: retention and promotions of participants
against comparable non-participants, computed by hand on a small company."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    PASSWORD,
    deactivate_quietly,
    login_identifier,
    make_enrollment,
    make_user,
)
from wagtail_mentoring.analytics import kpis, outcomes
from wagtail_mentoring.people.models import SelfIdentification
from wagtail_mentoring.permissions import VIEW_EQUITY_REPORTS
from wagtail_mentoring.programs.models import (
    Enrollment,
    Relationship,
    RelationshipMember,
)
from wagtail_mentoring.sponsorship.models import CareerOutcome

User = get_user_model()
PERIOD = kpis.Period(date(2026, 9, 1), date(2026, 11, 30))  # T0 = 2025-11-30


def _person(name, level, department="Engineering", active=True):
    user = make_user(name, profile={"level": level, "department": department})
    if not active:
        deactivate_quietly(user)
    return user


def _pair(program, mentee, mentor, created):
    relationship = Relationship.objects.create(
        program=program,
        status="active",
        created_at=created,
        started_on=created.date(),
    )
    for user, role in ((mentee, "mentee"), (mentor, "mentor")):
        RelationshipMember.objects.create(
            relationship=relationship,
            user=user,
            role=role,
            enrollment=Enrollment.objects.filter(user=user, program=program).first()
            or make_enrollment(user, program, role, status="approved"),
        )


def _promote(user, day, from_level):
    CareerOutcome.objects.create(
        employee=user,
        kind="promotion",
        occurred_on=day,
        from_level=from_level,
        to_level=from_level + 1,
    )


@pytest.fixture
def company(program):
    """Four participants (joined June 2025), level 3 Engineering: one left, one
    promoted (now level 4). Six comparable colleagues: two left, one promoted.
    A mentor at level 3 and a mentee who joined after T0 are members, so not
    comparable; three Sales people share no stratum with a participant."""
    when = timezone.make_aware(datetime(2025, 6, 1, 9))
    mentor = _person("mentor", 3)
    p1 = _person("p1", 4)
    _promote(p1, date(2026, 3, 1), 3)
    for mentee in (
        p1,
        _person("p2", 3),
        _person("p3", 3),
        _person("p4", 3, active=False),
    ):
        _pair(program, mentee, mentor, when)
    _pair(
        program, _person("late", 3), mentor, timezone.make_aware(datetime(2026, 2, 1))
    )
    o1 = _person("o1", 3)
    _promote(o1, date(2026, 5, 1), 3)
    for name in ("o2", "o3", "o4"):
        _person(name, 3)
    for name in ("o5", "o6"):
        _person(name, 3, active=False)
    for name in ("s1", "s2", "s3"):
        _person(name, 4, department="Sales")
    # Promoted before T0: not in the twelve months.
    _promote(_person("o7", 2, department="Sales"), date(2025, 10, 1), 2)


@override_settings(WAGTAIL_MENTORING={"MIN_GROUP_SIZE": 3})
def test_retention_and_promotions_against_comparable_colleagues(program, company):
    found = outcomes.compare(type(program).objects.filter(pk=program.pk), PERIOD)
    assert (found.since, found.until) == (date(2025, 11, 30), date(2026, 11, 30))
    retention, promotion = found.retention, found.promotion
    assert (retention.sponsees, retention.matched_sponsees) == (4, 4)
    assert retention.comparable_pool == 6  # o1..o6: not the mentor, not "late"
    assert retention.sponsee_rate == pytest.approx(3 / 4)
    assert retention.comparable_rate == pytest.approx(4 / 6)
    assert promotion.sponsee_rate == pytest.approx(1 / 4)
    assert promotion.comparable_rate == pytest.approx(1 / 6)
    assert promotion.difference == pytest.approx(1 / 4 - 1 / 6)


@override_settings(WAGTAIL_MENTORING={"MIN_GROUP_SIZE": 5})
def test_fewer_participants_than_the_minimum_show_no_numbers(program, company):
    found = outcomes.compare(type(program).objects.filter(pk=program.pk), PERIOD)
    assert found.retention.suppressed and found.retention.sponsee_rate is None
    assert found.promotion.suppressed and found.promotion.comparable_rate is None


@override_settings(WAGTAIL_MENTORING={"MIN_GROUP_SIZE": 3})
def test_outcomes_on_the_page_when_asked(client, program, company, program_admin):
    client.login(username=login_identifier(program_admin), password=PASSWORD)
    query = {"period": "custom", "start": "2026-09-01", "end": "2026-11-30"}
    body = client.get(reverse("wm_dashboard:index"), query).content.decode()
    assert "Compare outcomes" in body and "Still active twelve months on" not in body
    body = client.get(
        reverse("wm_dashboard:index"), {**query, "outcomes": "1"}
    ).content.decode()
    assert "Association, not cause" in body
    assert "Still active twelve months on" in body and "75.0" in body


@override_settings(WAGTAIL_MENTORING={"MIN_GROUP_SIZE": 3})
def test_outcomes_by_month_joined_hide_small_months_and_their_complement(
    program, company
):
    programs = type(program).objects.filter(pk=program.pk)
    [june] = outcomes.compare(programs, PERIOD).by_month
    assert june.label == "Jun 2025" and not june.hidden
    assert june.retention.sponsee_rate == pytest.approx(3 / 4)
    assert june.promotion.comparable_rate == pytest.approx(1 / 6)
    # One more participant who joined in July 2025: a month of one is hidden,
    # and June too (the overall row minus June would give July away).
    _pair(
        program,
        _person("july", 3),
        Relationship.objects.first().members.get(role="mentor").user,
        timezone.make_aware(datetime(2025, 7, 10)),
    )
    found = outcomes.compare(programs, PERIOD)
    assert [(s.label, s.hidden) for s in found.by_month] == [
        ("Jun 2025", True),
        ("Jul 2025", True),
    ]
    assert all(s.retention.sponsee_rate is None for s in found.by_month)
    assert found.retention.sponsees == 5  # the overall row still counts all


@override_settings(WAGTAIL_MENTORING={"MIN_GROUP_SIZE": 3})
def test_outcomes_by_consented_group_computed_by_hand(program, company):
    programs = type(program).objects.filter(pk=program.pk)
    women = ["p1", "p2", "p3"]  # p1 promoted; all three still active
    for name in women:
        SelfIdentification.objects.create(
            user=User.objects.get(pk=_user_id(name)),
            consented_at=timezone.now(),
            answers={"gender": "woman"},
        )
    # p4 gave no consented answer: not disclosed.
    assert outcomes.compare(programs, PERIOD).by_group == []  # not asked for
    found = outcomes.compare(programs, PERIOD, by_group=True)
    gender = dict(found.by_group)["Gender"]
    rows = {split.label: split for split in gender}
    # Women (3) shown; "Not disclosed" (p4 alone) hidden, and with only one
    # hidden the next-smallest, the women, too.
    assert rows["Not disclosed"].hidden and rows["Woman"].hidden
    with override_settings(WAGTAIL_MENTORING={"MIN_GROUP_SIZE": 1}):
        # The floor is 3, whatever the setting: the same.
        assert dict(outcomes.compare(programs, PERIOD, by_group=True).by_group)[
            "Gender"
        ][0].hidden
    SelfIdentification.objects.create(
        user=User.objects.get(pk=_user_id("p4")),
        consented_at=timezone.now(),
        answers={"gender": "woman"},
    )
    gender = dict(outcomes.compare(programs, PERIOD, by_group=True).by_group)["Gender"]
    [women_row] = [s for s in gender if s.label == "Woman"]
    assert not women_row.hidden
    assert women_row.retention.sponsee_rate == pytest.approx(3 / 4)
    assert women_row.promotion.sponsee_rate == pytest.approx(1 / 4)
    assert women_row.promotion.comparable_rate == pytest.approx(1 / 6)


@override_settings(WAGTAIL_MENTORING={"MIN_GROUP_SIZE": 3})
def test_outcomes_by_group_only_for_stewards(client, program, company, program_admin):
    for name in ("p1", "p2", "p3", "p4"):
        SelfIdentification.objects.create(
            user=User.objects.get(pk=_user_id(name)),
            consented_at=timezone.now(),
            answers={"gender": "woman"},
        )
    query = {
        "period": "custom",
        "start": "2026-09-01",
        "end": "2026-11-30",
        "outcomes": "1",
    }
    client.login(username=login_identifier(program_admin), password=PASSWORD)
    body = client.get(reverse("wm_dashboard:index"), query).content.decode()
    assert "by the month participants joined" in body
    assert "Outcomes by self-identified group" not in body
    steward = make_user(
        "stew",
        admin_access=True,
        groups=[program.admin_group],
        perms=[VIEW_EQUITY_REPORTS],
    )
    client.login(username=login_identifier(steward), password=PASSWORD)
    body = client.get(reverse("wm_dashboard:index"), query).content.decode()
    assert "Outcomes by self-identified group" in body
    csv = client.get(
        reverse("wm_dashboard:index"),
        {**query, "export": "csv", "table": "outcomes_groups"},
    ).content.decode()
    assert "Woman" in csv and "75.0" in csv


def _user_id(name):
    return RelationshipMember.objects.filter(
        user__in=User.objects.filter(**{f"{User.USERNAME_FIELD}__startswith": name})
    ).values_list("user_id", flat=True)[0]
