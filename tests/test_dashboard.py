"""The program dashboard: every KPI against a small fixture computed by hand,
the period's edges, permissions, exports and a constant number of queries."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, date, datetime

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from lxml import etree
from openpyxl import load_workbook

from tests.factories import (
    PASSWORD,
    login_identifier,
    make_enrollment,
    make_program,
    make_user,
)
from tests.journey_data import make_journey
from wagtail_mentoring.analytics import charts, dashboard, group_kpis, kpis, summary
from wagtail_mentoring.analytics.equity import aggregate
from wagtail_mentoring.analytics.models import ActivityDay
from wagtail_mentoring.engagement.models import (
    Feedback,
    Goal,
    Meeting,
    MentorRequest,
    Message,
)
from wagtail_mentoring.journeys.models import JourneyProgress
from wagtail_mentoring.matching.models import MatchingRun, MatchProposal, ProposalOrigin
from wagtail_mentoring.people.models import SelfIdentification
from wagtail_mentoring.permissions import VIEW_EQUITY_REPORTS
from wagtail_mentoring.programs.models import (
    Cohort,
    Enrollment,
    Relationship,
    RelationshipMember,
)

PERIOD = kpis.Period(date(2026, 9, 1), date(2026, 11, 30))
URL = "wm_dashboard:index"


def at(month, day, hour=10):
    return timezone.make_aware(datetime(2026, month, day, hour))


def _relationship(program, mentee, mentor, created, status="active", ended=None, **kw):
    relationship = Relationship.objects.create(
        program=program,
        status=status,
        created_at=created,
        started_on=created.date(),
        ended_at=ended,
        **kw,
    )
    RelationshipMember.objects.create(
        relationship=relationship, user=mentee.user, role="mentee", enrollment=mentee
    )
    RelationshipMember.objects.create(
        relationship=relationship, user=mentor.user, role="mentor", enrollment=mentor
    )
    return relationship


def _meeting(relationship, when, status="held"):
    return Meeting.objects.create(
        relationship=relationship, title="Catch-up", starts_at=when, status=status
    )


@pytest.fixture
def world(program):
    """Seven mentees applied in the period, one before it; three matched in the
    period in three different ways (numbers worked out in the test)."""
    mentors = [
        make_enrollment(make_user(f"mentor{i}"), program, "mentor", status="approved")
        for i in (1, 2)
    ]
    people = {}
    for name, applied, status in [
        ("ada", at(9, 1), "approved"),
        ("bo", at(9, 5), "approved"),
        ("cy", at(10, 1), "approved"),
        ("di", at(10, 5), "approved"),
        ("ed", at(10, 2), "pending"),
        ("flo", at(10, 3), "declined"),
        ("gus", at(11, 2), "withdrawn"),
        ("hal", at(8, 1), "approved"),
    ]:
        people[name] = make_enrollment(
            make_user(name), program, "mentee", status=status, created_at=applied
        )
    # Ada: a matching run on 11 September, completed on 20 November.
    ada = _relationship(
        program,
        people["ada"],
        mentors[0],
        at(9, 11),
        status="completed",
        ended=at(11, 20),
    )
    run = MatchingRun.objects.create(program=program, status="finished")
    MatchProposal.objects.create(
        run=run,
        program=program,
        mentee=people["ada"],
        mentor=mentors[0],
        score=0.9,
        status="approved",
        origin=ProposalOrigin.ENGINE,
        relationship=ada,
    )
    # Bo: asked a mentor (self-select) and was accepted on 25 September.
    bo = _relationship(program, people["bo"], mentors[1], at(9, 25))
    MentorRequest.objects.create(
        program=program,
        mentee_enrollment=people["bo"],
        mentor_enrollment=mentors[1],
        rank=1,
        status="accepted",
        relationship=bo,
    )
    # Cy: paired by hand on 31 October, ended early on 10 November.
    cy = _relationship(
        program,
        people["cy"],
        mentors[0],
        at(10, 31),
        status="ended_early",
        ended=at(11, 10),
        end_reason="Moved to another team",
    )
    # Hal: applied and matched before the period, still active.
    hal = _relationship(program, people["hal"], mentors[1], at(8, 2))

    _meeting(ada, at(9, 15))
    _meeting(ada, at(10, 15))
    _meeting(bo, at(10, 1))
    _meeting(hal, at(8, 20))
    _meeting(cy, at(12, 5), status="scheduled")
    Goal.objects.create(
        relationship=ada,
        owner=people["ada"].user,
        title="Lead a project",
        measure="Shipped",
        target_date=date(2026, 11, 1),
        status="achieved",
        created_at=at(9, 20),
    )
    Goal.objects.create(
        relationship=bo,
        owner=people["bo"].user,
        title="Present at the all-hands",
        measure="Given",
        target_date=date(2027, 1, 1),
        created_at=at(10, 2),
    )
    for text in ("Hello", "Thanks for today"):
        Message.objects.create(
            relationship=ada, author=people["ada"].user, body=text, created_at=at(9, 20)
        )
    for relationship, rating, given in [
        (ada, 5, at(9, 16)),
        (ada, 4, at(10, 16)),
        (cy, 2, at(11, 9)),
    ]:
        Feedback.objects.create(
            relationship=relationship,
            author=relationship.members.first().user,
            kind="meeting",
            rating=rating,
            created_at=given,
        )
    return people


def test_every_kpi_matches_the_hand_computed_fixture(program, world):
    k = kpis.compute(type(program).objects.filter(pk=program.pk), PERIOD)

    assert [(s.key, s.count) for s in k.funnel] == [
        ("applied", 7),
        ("approved", 4),
        ("matched", 3),
        ("met", 2),
        ("goal_set", 2),
        ("goal_achieved", 1),
        ("completed", 1),
    ]
    assert k.funnel[2].drop == 1 and k.funnel[2].share_of_previous == 0.75
    assert k.match_rate == 0.75
    # Waits of 10, 20 and 30 days: median 20, 90th percentile 20 + 0.8 × 10.
    assert k.days_to_match_median == pytest.approx(20)
    assert k.days_to_match_p90 == pytest.approx(28)
    assert k.unmatched.rows == [
        ("Waiting for review", 1),
        ("Approved, not matched yet", 1),
        ("Declined", 1),
        ("Withdrew", 1),
    ]
    assert k.origins.rows == [
        ("Matching run", 1),
        ("Participant's request", 1),
        ("Paired by hand", 1),
    ]
    assert k.early_closure_by_origin == [
        ("Matching run", 1, 0),
        ("Participant's request", 1, 0),
        ("Paired by hand", 1, 1),
    ]
    # Ada, Bo, Cy and Hal (matched in August, still active).
    assert k.active_relationships == 4
    assert k.meetings_held == 3
    assert k.meetings_per_pair_month == pytest.approx(3 / 4 / (91 / (365.25 / 12)))
    # Open at the end: Bo (last met 1 October, 60 days before) and Hal (August).
    assert k.quiet.rows == [
        ("0–14 days", 0),
        ("15–30 days", 0),
        ("31–60 days", 1),
        ("61 days or more", 1),
        ("No meeting yet", 0),
    ]
    assert k.messages == 2
    assert (k.goals_set, k.goals_achieved, k.goal_completion) == (2, 1, 0.5)
    assert k.journey_completion is None
    assert k.feedback_count == 3
    assert k.rating_mean == pytest.approx(11 / 3)
    assert k.ratings.rows == [("1", 0), ("2", 1), ("3", 0), ("4", 1), ("5", 1)]
    assert k.ended_early == 1
    assert k.early_reasons == ["Moved to another team"]


def test_the_funnel_only_narrows(program, world):
    # Bo's pair completes without an achieved goal: Bo stops at "goal set".
    bo = Relationship.objects.get(members__enrollment=world["bo"])
    Relationship.objects.filter(pk=bo.pk).update(status="completed", ended_at=at(11, 1))
    k = kpis.compute(type(program).objects.filter(pk=program.pk), PERIOD)
    counts = [stage.count for stage in k.funnel]
    assert counts == sorted(counts, reverse=True)
    assert counts[-1] == 1  # Ada only
    assert all(stage.drop >= 0 for stage in k.funnel[1:])


def test_the_period_edges_are_whole_local_days(program, world):
    programs = type(program).objects.filter(pk=program.pk)
    # Ada applied on 1 September at 10:00: inside a period that starts that day,
    # outside one that ends the day before.
    assert (
        kpis.compute(programs, kpis.Period(date(2026, 9, 1), date(2026, 9, 1)))
        .funnel[0]
        .count
        == 1
    )
    assert (
        kpis.compute(programs, kpis.Period(date(2026, 8, 2), date(2026, 8, 31)))
        .funnel[0]
        .count
        == 0
    )
    # A relationship that spans the whole period is active in it.
    october = kpis.compute(
        programs, kpis.Period(date(2026, 10, 10), date(2026, 10, 20))
    )
    assert october.active_relationships == 3  # Ada, Bo, Hal (Cy starts on the 31st)


def test_previous_period_and_monthly_trends(hub, program, world):
    programs = type(program).objects.filter(pk=program.pk)
    assert PERIOD.previous() == kpis.Period(date(2026, 6, 2), date(2026, 8, 31))
    before = kpis.compute(programs, PERIOD.previous())
    assert before.funnel[0].count == 1  # Hal
    months, series = kpis.monthly(programs, 12, until=PERIOD.end)
    assert months[0] == date(2025, 12, 1) and months[-1] == date(2026, 11, 1)
    assert series["applications"][-4:] == [1, 2, 4, 1]  # Aug, Sep, Oct, Nov
    assert series["matches"][-4:] == [1, 2, 1, 0]
    assert series["meetings"][-4:] == [1, 1, 2, 0]
    assert series["early"][-4:] == [0, 0, 0, 1]
    # Every other KPI by month, as compute() would give for that month alone.
    # Of each month's applications: Hal matched; Ada and Bo matched; Cy
    # matched, Di approved and waiting (Ed pending, Flo declined); Gus withdrew.
    assert series["match_rate"][-4:] == [1, 1, 0.5, None]
    # Hal waited 1 day; Ada 10 and Bo 20 (median 15); Cy 30.
    assert series["days_to_match"][-4:] == pytest.approx([1, 15, 30, None])
    # Hal; + Ada and Bo; + Cy; all four in November (Ada and Cy ended in it).
    assert series["active"][-4:] == [1, 3, 4, 4]
    assert series["meetings_per_pair"][-4:] == pytest.approx([1, 1 / 3, 0.5, 0])
    assert series["messages"][-4:] == [0, 2, 0, 0]
    assert series["rating_mean"][-4:] == [None, 5, 4, 2]
    # Ada's goal (set 20 September, achieved) counts from September; Bo's
    # (2 October, not achieved) from October. No goal in Hal's pair.
    assert series["goal_completion"][-4:] == [None, 1, 0.5, 0.5]
    assert series["journey_completion"][-4:] == [None] * 4
    # Ada finished a journey in October, Bo has one under way.
    journey = make_journey(hub)
    ada, bo = (
        Relationship.objects.get(members__enrollment=world[n]) for n in ["ada", "bo"]
    )
    JourneyProgress.objects.create(
        relationship=ada, journey=journey, completed_at=at(10, 20)
    )
    JourneyProgress.objects.create(relationship=bo, journey=journey)
    _months, series = kpis.monthly(programs, 12, until=PERIOD.end)
    assert series["journey_completion"][-4:] == [None, 0, 0.5, 0]


def _get(client, user, **query):
    client.login(**{"username": login_identifier(user), "password": PASSWORD})
    return client.get(reverse(URL), query)


CUSTOM = {"period": "custom", "start": "2026-09-01", "end": "2026-11-30"}


def test_program_admin_sees_their_programs_only(
    client, program, world, other_program, other_program_admin, program_admin
):
    response = _get(client, program_admin, **CUSTOM)
    assert response.status_code == 200
    body = response.content.decode()
    assert program.title in body and other_program.title not in body
    assert "Moved to another team" in body
    assert "<svg" in body and 'role="img"' in body
    # Someone else's program cannot be chosen: the form refuses it and the
    # dashboard shows nothing of it.
    response = _get(client, other_program_admin, program=program.pk, **CUSTOM)
    body = response.content.decode()
    assert "Moved to another team" not in body
    assert "Select a valid choice" in body


def test_who_may_open_the_dashboard(client, program, employee):
    assert client.get(reverse(URL)).status_code == 302  # to the login page
    client.login(**{"username": login_identifier(employee), "password": PASSWORD})
    assert client.get(reverse(URL)).status_code in (302, 403)
    staff = make_user("staffer", admin_access=True)
    client.login(**{"username": login_identifier(staff), "password": PASSWORD})
    # Wagtail answers a refused admin view with its "no permission" redirect.
    response = client.get(reverse(URL))
    assert response.status_code == 302 and response["Location"] == reverse(
        "wagtailadmin_home"
    )


def test_bad_period_is_a_clear_message(client, program, program_admin):
    response = _get(
        client, program_admin, period="custom", start="2026-11-30", end="2026-09-01"
    )
    assert "The period must start before it ends." in response.content.decode()
    response = _get(client, program_admin, period="custom", start="2026-11-30")
    assert "Choose both dates of the period" in response.content.decode()


def test_exports(client, program, world, program_admin):
    response = _get(client, program_admin, export="csv", table="funnel", **CUSTOM)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:2] == ["Stage", "People"]
    assert rows[1][:2] == ["Applied", "7"] and rows[3][:2] == ["Matched", "3"]
    response = _get(client, program_admin, export="xlsx", **CUSTOM)
    workbook = load_workbook(io.BytesIO(response.content))
    assert {
        "Funnel",
        "How relationships were made",
        "By month",
        "Days since the last meeting",
        "Feedback ratings",
    } <= set(workbook.sheetnames)
    assert workbook["Funnel"]["B2"].value == 7
    response = _get(client, program_admin, format="print", **CUSTOM)
    body = response.content.decode()
    assert "<html" in body and "summary" in body and "<svg" in body
    assert "<script" not in body and "style=" not in body


def test_equity_split_needs_the_steward_permission(
    client, program, world, program_admin
):
    for name in ("ada", "bo", "cy", "di", "ed", "flo", "gus"):
        SelfIdentification.objects.create(
            user=world[name].user,
            consented_at=timezone.now(),
            answers={"gender": "woman" if name not in ("flo", "gus") else "man"},
        )
    body = _get(client, program_admin, **CUSTOM).content.decode()
    assert "by self-identified group" not in body
    steward = make_user(
        "stew",
        admin_access=True,
        groups=[program.admin_group],
        perms=[VIEW_EQUITY_REPORTS],
    )
    body = _get(client, steward, **CUSTOM).content.decode()
    assert "by self-identified group" in body
    # Two men is fewer than the minimum group size: suppressed, never shown.
    assert "Suppressed (small group)" in body
    # The split's export says the same, and only to the steward.
    rows = list(
        csv.reader(
            io.StringIO(
                _get(
                    client, steward, **CUSTOM, export="csv", table="equity"
                ).content.decode("utf-8-sig")
            )
        )
    )
    assert rows[0][:3] == ["Dimension", "Group", "Applied"]
    # The five women too: alone, their figures would give the men's away.
    assert ["Gender", "Man", "suppressed"] in rows
    assert ["Gender", "Woman", "suppressed"] in rows
    funnel = _get(client, program_admin, **CUSTOM, export="csv", table="equity")
    assert "Woman" not in funnel.content.decode("utf-8-sig")


def _count_queries(client, user):
    with CaptureQueriesContext(connection) as queries:
        response = _get(client, user, **CUSTOM)
    assert response.status_code == 200
    return len(queries)


def test_queries_do_not_grow_with_programs_or_pairs(
    client, hub, program, world, program_admin
):
    _count_queries(client, program_admin)  # sessions and caches warmed up
    small = _count_queries(client, program_admin)
    for n in range(3):
        more = make_program(hub, admin_group=program.admin_group)
        mentor = make_enrollment(make_user(f"m{n}"), more, "mentor", status="approved")
        for i in range(4):
            mentee = make_enrollment(
                make_user(f"e{n}{i}"),
                more,
                "mentee",
                status="approved",
                created_at=at(9, 2),
            )
            relationship = _relationship(more, mentee, mentor, at(9, 3 + i))
            _meeting(relationship, at(9, 10 + i))
    assert _count_queries(client, program_admin) == small


def test_one_pass_over_the_activity_of_both_periods_and_the_months(program, world):
    programs = type(program).objects.filter(pk=program.pk)
    months = kpis.month_starts(12, PERIOD.end)
    activity = kpis.Activity.of(
        programs, {"current": PERIOD, "previous": PERIOD.previous()}, months
    )
    now = kpis.compute(programs, PERIOD, activity, "current")
    before = kpis.compute(programs, PERIOD.previous(), activity, "previous")
    assert (now.meetings_held, now.messages, now.feedback_count) == (3, 2, 3)
    assert now.rating_mean == pytest.approx(11 / 3)
    assert (before.meetings_held, before.messages, before.feedback_count) == (1, 0, 0)
    assert before.rating_mean is None
    _months, series = kpis.monthly(programs, 12, until=PERIOD.end, activity=activity)
    assert series["meetings"][-4:] == [1, 1, 2, 0]
    [row] = kpis.per_program(programs, PERIOD, activity, "current")
    assert (row.meetings_held, row.rating_mean) == (3, pytest.approx(11 / 3))


@pytest.fixture
def cohorts(program, world):
    """Autumn: Ada, Bo and Hal (Hal applied before the period and his pair spans
    it); Winter: Cy, Di, Ed, Flo and Gus. The mentors belong to no cohort."""
    autumn = Cohort.objects.create(
        program=program, name="Autumn", starts_on=date(2026, 9, 1)
    )
    winter = Cohort.objects.create(
        program=program, name="Winter", starts_on=date(2026, 12, 1)
    )
    for name in ("ada", "bo", "hal"):
        Enrollment.objects.filter(pk=world[name].pk).update(cohort=autumn)
    for name in ("cy", "di", "ed", "flo", "gus"):
        Enrollment.objects.filter(pk=world[name].pk).update(cohort=winter)
    return autumn, winter


def test_cohort_filter_computed_by_hand(program, world, cohorts):
    programs = type(program).objects.filter(pk=program.pk)
    autumn, winter = cohorts
    a = kpis.compute(programs, PERIOD, cohort=autumn)
    assert [s.count for s in a.funnel] == [2, 2, 2, 2, 2, 1, 1]
    # Hal's pair was made before the period and is still active: it counts.
    assert a.active_relationships == 3
    assert (a.meetings_held, a.messages, a.feedback_count) == (3, 2, 2)
    assert a.rating_mean == pytest.approx(4.5)
    assert a.ended_early == 0
    w = kpis.compute(programs, PERIOD, cohort=winter)
    assert [s.count for s in w.funnel] == [5, 2, 1, 0, 0, 0, 0]
    assert w.unmatched.rows == [
        ("Waiting for review", 1),
        ("Approved, not matched yet", 1),
        ("Declined", 1),
        ("Withdrew", 1),
    ]
    assert (w.active_relationships, w.meetings_held, w.ended_early) == (1, 0, 1)
    assert w.rating_mean == pytest.approx(2.0)
    # The cohorts add up to the program.
    assert a.funnel[0].count + w.funnel[0].count == 7
    # The first day of the period: Ada applied at 10:00 that day.
    day = kpis.Period(date(2026, 9, 1), date(2026, 9, 1))
    assert kpis.compute(programs, day, cohort=autumn).funnel[0].count == 1
    assert kpis.compute(programs, day, cohort=winter).funnel[0].count == 0
    _months, series = kpis.monthly(programs, 12, until=PERIOD.end, cohort=winter)
    assert series["applications"][-3:] == [0, 4, 1]  # Sep, Oct, Nov
    assert series["early"][-1] == 1


def test_cohort_filter_on_the_page(
    client, program, world, cohorts, other_program, other_program_admin, program_admin
):
    autumn, winter = cohorts
    body = _get(client, program_admin, cohort=winter.pk, **CUSTOM).content.decode()
    assert "cohort Winter" in body and "Moved to another team" in body
    body = _get(client, program_admin, cohort=autumn.pk, **CUSTOM).content.decode()
    assert "cohort Autumn" in body and "Moved to another team" not in body
    # Another program's admin can neither choose the cohort nor see its figures.
    body = _get(client, other_program_admin, cohort=autumn.pk, **CUSTOM).content
    assert b"Select a valid choice" in body and b"cohort Autumn" not in body
    # A cohort of another program than the one chosen is refused clearly.
    other = Cohort.objects.create(
        program=other_program, name="Spring", starts_on=date(2027, 3, 1)
    )
    hr = make_user("hr", superuser=True)
    body = _get(client, hr, program=program.pk, cohort=other.pk, **CUSTOM).content
    assert b"Spring is a cohort of another program." in body


@override_settings(WAGTAIL_MENTORING={"MIN_GROUP_SIZE": 3})
def test_equity_split_beyond_the_funnel_computed_by_hand(program, world):
    women, men = ("ada", "bo", "cy", "di"), ("ed", "flo", "gus")
    for name in women + men:
        SelfIdentification.objects.create(
            user=world[name].user,
            consented_at=timezone.now(),
            answers={"gender": "woman" if name in women else "man"},
        )
    programs = type(program).objects.filter(pk=program.pk)
    population, stages = kpis.funnel_people(programs, PERIOD)
    assert population == set(kpis.applicants(programs, PERIOD))
    table = aggregate(population, stages)
    [gender] = [block for block in table.dimensions if block.dimension == "gender"]
    rows = {row.value: row for row in gender.rows}
    # Ada (run, achieved goal, completed), Bo (request, open goal), Cy (by
    # hand, ended early); Di approved and waiting.
    assert rows["woman"].counts == {
        "approved": 4,
        "matched": 3,
        "met": 2,
        "goal_set": 2,
        "goal_achieved": 1,
        "completed": 1,
        "ended_early": 1,
    }
    assert rows["woman"].rate("ended_early") == pytest.approx(1 / 4)
    # Ed is pending, Flo declined and Gus withdrew: none got further.
    assert set(rows["man"].counts.values()) == {0}
    assert table.totals["ended_early"] == 1


# ---------------------------------------------------------------------------
# The activity summary: whole UTC days from the table, the rest live


ZONES = ["UTC", "Pacific/Auckland", "America/Los_Angeles", "Asia/Kolkata"]


def utc(month, day, hour=0, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def _figures(activity):
    return (
        activity.meetings,
        activity.meetings_by_program,
        activity.meetings_by_month,
        activity.ratings,
        activity.ratings_by_program,
        activity.messages,
        activity.messages_by_month,
        activity.ratings_by_month,
    )


@pytest.fixture
def around_midnight(program, world):
    """Meetings, messages and ratings just either side of UTC midnights, month
    ends and local midnights, in Hal's relationship (which spans every period)."""
    hal = Relationship.objects.get(members__enrollment=world["hal"])
    moments = [
        utc(8, 31, 23, 30),
        utc(9, 1, 0, 10),
        utc(9, 30, 11, 30),  # Auckland's 1 October begins at 11:00 UTC
        utc(9, 30, 12, 30),
        utc(10, 31, 18, 45),
        utc(11, 19, 23, 59),
        utc(11, 20, 0, 0),  # the first day the summary leaves live below
        utc(11, 30, 10, 20),
        utc(11, 30, 23, 59),
        utc(12, 1, 0, 0),
    ]
    for n, when in enumerate(moments):
        _meeting(hal, when)
        Message.objects.create(
            relationship=hal, author=world["hal"].user, body="Hi", created_at=when
        )
        Feedback.objects.create(
            relationship=hal,
            author=world["hal"].user,
            kind="meeting",
            rating=1 + n % 5,
            created_at=when,
        )
    return hal


def _windows():
    return [
        PERIOD,
        kpis.Period(date(2026, 9, 1), date(2026, 9, 1)),
        kpis.Period(date(2026, 9, 30), date(2026, 10, 31)),
        kpis.Period(date(2026, 11, 19), date(2026, 11, 30)),
    ]


def _assert_summary_equals_live(programs):
    for zone in ZONES:
        with timezone.override(zone):
            for period in _windows():
                periods = {"current": period, "previous": period.previous()}
                months = kpis.month_starts(12, period.end)
                live = kpis.Activity.of(programs, periods, months, summarised=False)
                summed = kpis.Activity.of(programs, periods, months)
                assert summed.as_of is not None and live.as_of is None
                assert _figures(summed) == _figures(live), (zone, period)
                assert kpis.compute(programs, period, summed) == kpis.compute(
                    programs, period, live
                )


def test_the_summary_gives_exactly_the_live_figures_in_every_time_zone(
    program, world, around_midnight
):
    programs = type(program).objects.filter(pk=program.pk)
    assert summary.refresh(now=utc(11, 20, 9)) > 0
    assert ActivityDay.objects.filter(day__lt=date(2026, 11, 20)).exists()
    assert not ActivityDay.objects.filter(day__gte=date(2026, 11, 20)).exists()
    _assert_summary_equals_live(programs)
    # And by hand, in Auckland (UTC+13 from late September): September there
    # ends at 11:00 UTC on the 30th.
    with timezone.override("Pacific/Auckland"):
        september = kpis.Period(date(2026, 9, 1), date(2026, 9, 30))
        activity = kpis.Activity.of(programs, {"current": september})
        # Ada's of 15 September and Hal's of 31 August 23:30 UTC (11:30 on 1
        # September there) and 1 September 00:10 UTC; Hal's of 30 September
        # 11:30 UTC is already October there, Bo's of 1 October too.
        assert activity.meetings["current"] == 3


def test_a_refresh_recounts_only_the_days_that_changed(
    program, world, around_midnight, django_capture_on_commit_callbacks
):
    programs = type(program).objects.filter(pk=program.pk)
    summary.refresh(now=utc(11, 20, 9))
    assert summary.refresh(now=utc(11, 20, 9, 15)) == 0  # nothing changed
    with django_capture_on_commit_callbacks(execute=True):
        moved = Meeting.objects.get(starts_at=utc(9, 1, 0, 10))
        moved.starts_at = utc(10, 2, 8)
        moved.save()
        Message.objects.filter(created_at=utc(9, 30, 12, 30)).delete()
        held = Meeting.objects.get(status="scheduled")
        held.starts_at, held.status = utc(11, 5, 9), "held"
        held.save()
    with timezone.override("UTC"):
        periods = {"current": PERIOD}
        assert (
            kpis.Activity.of(programs, periods, summarised=False).meetings["current"]
            != kpis.Activity.of(programs, periods).meetings["current"]
        )
    # 1 Sep and 2 Oct (the move), 30 Sep (the message), 5 Nov and 5 Dec (the
    # meeting now held): the first three are summarised, the last is not yet;
    # plus the day completed since (20 Nov).
    assert summary.refresh(now=utc(11, 21, 0, 5)) == 5
    _assert_summary_equals_live(programs)


def test_the_page_says_how_fresh_the_figures_are(client, program, world, program_admin):
    response = _get(client, program_admin, **CUSTOM)
    assert "Computed from live data" in response.content.decode()
    summary.refresh()
    page = _get(client, program_admin, **CUSTOM).content.decode()
    as_of = timezone.localtime(summary.state().refreshed_at).strftime("%H:%M")
    assert f"figures as of {as_of} (refreshed every 15 min)" in page


def test_the_refresh_is_a_periodic_job_and_asked_for_when_missed(
    client, program, world, program_admin, django_capture_on_commit_callbacks
):
    from wagtail_mentoring.tasks import PERIODIC_JOBS

    task, _schedule = PERIODIC_JOBS["dashboard-summary"]
    assert task.name.endswith("refresh_activity_summary")
    # No beat, no cron: the dashboard's first visit asks the dispatcher.
    with django_capture_on_commit_callbacks(execute=True):
        assert _get(client, program_admin, **CUSTOM).status_code == 200
    assert summary.state() is not None and not summary.due()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two connections read side by side"
)
def test_on_postgresql_two_connections_compute_the_same_report(
    transactional_db, program, world, program_admin
):
    """Outside a transaction of the caller's, ``reading()`` lets independent
    figures run on two more connections, in the viewer's time zone and
    language; inside one (a test's, ATOMIC_REQUESTS) everything stays on the
    caller's connection, which alone sees its uncommitted rows."""
    programs = type(program).objects.filter(pk=program.pk)

    def where():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0], timezone.get_current_timezone_name()

    def backends():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database()"
            )
            return cursor.fetchone()[0]

    before = backends()
    with timezone.override("Pacific/Auckland"):
        with kpis.reading():
            mine = where()
            found = kpis.together(where, where, where)
            parallel = dashboard.report(program_admin, programs, PERIOD, None)
            by_group = group_kpis.compute(programs, PERIOD, min_size=1)
        with transaction.atomic(), kpis.reading():
            assert kpis.together(where, where) == [where(), where()]
            serial = dashboard.report(program_admin, programs, PERIOD, None)
            assert group_kpis.compute(programs, PERIOD, min_size=1) == by_group
    # The workers closed their connections (a backend exits a moment later).
    for _attempt in range(50):
        if backends() == before:
            break
        time.sleep(0.1)
    assert backends() == before
    assert {zone for _pid, zone in found} == {"Pacific/Auckland"}
    assert mine[0] not in {pid for pid, _zone in found}
    for key in ("kpis", "previous", "series", "programs", "headlines"):
        assert parallel[key] == serial[key], key
    assert parallel["kpis"].funnel[0].count == 7
    assert by_group.everyone.figures["meetings_per_pair_month"] is not None


def test_the_month_under_way_is_labelled_so_far(program, world, program_admin):
    programs = type(program).objects.filter(pk=program.pk)
    found = dashboard.report(program_admin, programs, kpis.Period.last_days(30), None)
    labels = [row[0] for row in found["months"]]
    assert labels[-1].endswith("(so far)")
    assert not any(label.endswith("(so far)") for label in labels[:-1])
    # A period that ended in a past month labels whole months only.
    found = dashboard.report(program_admin, programs, PERIOD, None)
    assert not any("(so far)" in row[0] for row in found["months"])


def test_line_charts_leave_gaps_and_keep_end_labels_apart():
    svg = charts.lines(
        "Two series",
        ["Jan", "Feb", "Mar", "Apr"],
        [("Match rate", [50, None, 40, 0]), ("Goal completion", [20, 10, None, 0])],
    )
    root = etree.fromstring(svg.encode())
    ns = {"s": "http://www.w3.org/2000/svg"}
    # A month without a value splits a line: two runs each.
    assert [len(g.findall("s:polyline", ns)) for g in root.findall("s:g", ns)] == [2, 2]
    assert "Feb no data" in root.find("s:desc", ns).text
    ends = [
        float(text.get("y"))
        for text in root.iter("{http://www.w3.org/2000/svg}text")
        if ":" in (text.text or "")
    ]
    assert len(ends) == 2 and abs(ends[0] - ends[1]) >= 13
