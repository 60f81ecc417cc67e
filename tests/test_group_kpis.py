"""The dashboard's KPIs by self-identified group, computed by hand on a small
company: three women and four men who applied in the period, their waits,
meetings, messages, journeys, goals and ratings; suppression and withholding
at their edges; the same queries whatever the number of people."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import make_enrollment, make_user
from tests.journey_data import make_journey
from tests.test_api_admin_reports import API, admin_page_report, bearer
from tests.test_dashboard import CUSTOM, PERIOD, _get, _meeting, _relationship, at
from wagtail_mentoring.analytics import group_kpis
from wagtail_mentoring.engagement.models import Feedback, Goal, Message
from wagtail_mentoring.journeys.models import JourneyProgress
from wagtail_mentoring.people.models import SelfIdentification
from wagtail_mentoring.permissions import VIEW_EQUITY_REPORTS

MONTHS = PERIOD.months
GENDER = {"gender": ["woman", "man"]}
SETTINGS = {"MIN_GROUP_SIZE": 3, "DEMOGRAPHIC_DIMENSIONS": GENDER}


def _consent(user, gender):
    SelfIdentification.objects.create(
        user=user, consented_at=timezone.now(), answers={"gender": gender}
    )


def _goal(relationship, achieved=False):
    Goal.objects.create(
        relationship=relationship,
        owner=relationship.members.first().user,
        title="Grow",
        measure="Done",
        target_date=date(2027, 1, 1),
        status="achieved" if achieved else "open",
        created_at=at(9, 28),
    )


def _rate(relationship, stars, day=None):
    Feedback.objects.create(
        relationship=relationship,
        author=relationship.members.first().user,
        kind="meeting",
        rating=stars,
        created_at=day or at(10, 20),
    )


@pytest.fixture
def company(program, hub):
    mentor = make_enrollment(make_user("mentor"), program, "mentor", status="approved")
    pairs = {}
    # name, gender, matched on (None: waiting); everyone applied on 1 September.
    for name, gender, matched in [
        ("w1", "woman", at(9, 11)),
        ("w2", "woman", at(9, 21)),
        ("w3", "woman", at(10, 1)),
        ("m1", "man", at(9, 6)),
        ("m2", "man", at(9, 11)),
        ("m3", "man", None),
        ("m4", "man", at(9, 16)),
    ]:
        user = make_user(name)
        _consent(user, gender)
        mentee = make_enrollment(
            user, program, "mentee", status="approved", created_at=at(9, 1)
        )
        if matched:
            pairs[name] = _relationship(program, mentee, mentor, matched)
    w1, w2, w3, m1, m2, m4 = (pairs[n] for n in ("w1", "w2", "w3", "m1", "m2", "m4"))
    for relationship, day in [
        (w1, at(10, 1)),
        (w1, at(11, 20)),
        (w2, at(9, 25)),
        (m1, at(9, 10)),
        (m1, at(10, 10)),
        (m1, at(11, 25)),
        (m4, at(11, 15)),
    ]:
        _meeting(relationship, day)
    _meeting(w3, at(11, 28), status="scheduled")  # not held: still quiet
    for text in ("Hello", "Thanks"):
        Message.objects.create(
            relationship=w1,
            author=w1.members.first().user,
            body=text,
            created_at=at(9, 20),
        )
    journey = make_journey(hub)
    for relationship, done in [(w1, at(11, 1)), (w2, None), (w3, None)]:
        JourneyProgress.objects.create(
            relationship=relationship, journey=journey, completed_at=done
        )
    _goal(w1, achieved=True)
    _goal(w1)
    _goal(w2, achieved=True)
    _goal(m1)
    _goal(m2, achieved=True)
    _goal(m4)
    for relationship, stars in [(w1, 5), (w2, 4), (w3, 3), (w3, 2), (m1, 1)]:
        _rate(relationship, stars)
    _rate(m2, 5, day=at(8, 20))  # before the period: not counted
    return pairs


def _gender(table):
    [block] = [b for b in table.dimensions if b.dimension == "gender"]
    return {row.value: row for row in block.rows}


def test_every_figure_by_group_computed_by_hand(program, company):
    programs = type(program).objects.filter(pk=program.pk)
    table = group_kpis.compute(programs, PERIOD, dimensions=GENDER, min_size=3)
    rows = _gender(table)
    women, men = rows["woman"], rows["man"]
    # m3, still waiting, adds no figure: not counted.
    assert (women.people, men.people) == (3, 3)
    # Waits of 10, 20 and 30 days; the men's 5, 10 and 15 (m3 is waiting).
    assert women.figures["days_to_match_median"] == pytest.approx(20)
    assert women.figures["days_to_match_p90"] == pytest.approx(28)
    assert men.figures["days_to_match_median"] == pytest.approx(10)
    assert men.figures["days_to_match_p90"] == pytest.approx(14)
    # Meetings held in the period: 3 over the women's 3 pairs, 4 over the men's.
    assert women.figures["meetings_per_pair_month"] == pytest.approx(3 / 3 / MONTHS)
    assert men.figures["meetings_per_pair_month"] == pytest.approx(4 / 3 / MONTHS)
    assert women.figures["messages_per_pair_month"] == pytest.approx(2 / 3 / MONTHS)
    assert men.figures["messages_per_pair_month"] == 0
    # At the end of November: w2 last met 25 September, w3 never (its
    # scheduled meeting does not count), w1 on 20 November; m2 never, m1 and
    # m4 in the last 31 days.
    assert women.figures["quiet_share"] == pytest.approx(2 / 3)
    assert men.figures["quiet_share"] == pytest.approx(1 / 3)
    # Journeys: the women's three, one completed in the period; the men none
    # (no contributor, so nothing to withhold).
    assert women.figures["journey_completion"] == pytest.approx(1 / 3)
    assert men.figures["journey_completion"] is None
    assert "journey_completion" not in women.withheld | men.withheld
    # Goals: only two women's pairs set any (fewer than 3 people), so the
    # women's rate is withheld, and the men's with it (they alone, beside
    # everyone's rate, would give the women's away).
    assert {"goal_completion"} <= women.withheld & men.withheld
    assert women.figures["goal_completion"] is None
    # Ratings: one man's pair rated in the period: withheld, and the women's.
    assert "rating_mean" in women.withheld and "rating_mean" in men.withheld
    # Everyone: the same figures over all six.
    everyone = table.everyone.figures
    assert table.everyone.people == 6
    assert everyone["days_to_match_median"] == pytest.approx(12.5)
    assert everyone["meetings_per_pair_month"] == pytest.approx(7 / 6 / MONTHS)
    assert everyone["quiet_share"] == pytest.approx(3 / 6)
    assert everyone["goal_completion"] == pytest.approx(3 / 6)
    assert everyone["rating_mean"] == pytest.approx(15 / 5)


def test_enough_contributors_show_the_figure(program, company):
    # A third man's pair rated, and a third woman's pair sets a goal: both
    # groups now have three contributors to each figure.
    _rate(company["m2"], 4)
    _rate(company["m4"], 4)
    _goal(company["w3"])
    programs = type(program).objects.filter(pk=program.pk)
    rows = _gender(group_kpis.compute(programs, PERIOD, dimensions=GENDER, min_size=3))
    women, men = rows["woman"], rows["man"]
    assert not women.withheld and not men.withheld
    assert women.figures["rating_mean"] == pytest.approx(14 / 4)
    assert men.figures["rating_mean"] == pytest.approx(9 / 3)
    assert women.figures["goal_completion"] == pytest.approx(2 / 4)
    assert men.figures["goal_completion"] == pytest.approx(1 / 3)


def test_a_small_group_shows_nothing_nor_the_next_smallest(program, company):
    programs = type(program).objects.filter(pk=program.pk)
    rows = _gender(group_kpis.compute(programs, PERIOD, dimensions=GENDER, min_size=4))
    # Three women and three men (m3 adds no figure): both under 4.
    assert rows["woman"].hidden and rows["woman"].figures == {}
    assert rows["man"].hidden and rows["man"].people is None
    assert "fewer than 4 people" in rows["woman"].note


def test_a_withdrawn_answer_no_longer_counts(program, company):
    # Withdrawing consent deletes the answers.
    w1 = company["w1"].members.get(role="mentee").user
    SelfIdentification.objects.filter(user=w1).delete()
    programs = type(program).objects.filter(pk=program.pk)
    rows = _gender(group_kpis.compute(programs, PERIOD, dimensions=GENDER, min_size=3))
    # w1 is now undisclosed: two women left, so they are hidden.
    assert rows["woman"].hidden
    assert rows["__undisclosed__"].hidden


def test_the_same_queries_for_more_people(program, company):
    programs = type(program).objects.filter(pk=program.pk)

    def count():
        with CaptureQueriesContext(connection) as queries:
            group_kpis.compute(programs, PERIOD, dimensions=GENDER, min_size=3)
        return len(queries)

    before = count()
    mentor = make_enrollment(make_user("mentor2"), program, "mentor", status="approved")
    for n in range(5):
        user = make_user(f"x{n}")
        _consent(user, "woman")
        mentee = make_enrollment(
            user, program, "mentee", status="approved", created_at=at(9, 2)
        )
        relationship = _relationship(program, mentee, mentor, at(9, 3) + timedelta(n))
        _meeting(relationship, at(10, 3))
        _rate(relationship, 4)
        _goal(relationship)
    assert count() == before


@pytest.fixture
def steward(program):
    return make_user(
        "stew",
        admin_access=True,
        groups=[program.admin_group],
        perms=[VIEW_EQUITY_REPORTS],
    )


def test_the_dashboard_shows_and_exports_them_to_stewards_only(
    client, program, company, program_admin, steward
):
    title = "Matching, engagement and quality by self-identified group"
    asked = {**CUSTOM, "groups": "1"}
    with override_settings(WAGTAIL_MENTORING=SETTINGS):
        assert title not in _get(client, program_admin, **asked).content.decode()
        refused = _get(client, program_admin, **asked, export="csv", table="kpi_groups")
        first = _get(client, steward, **CUSTOM).content.decode()
        body = _get(client, steward, **asked).content.decode()
        exported = _get(client, steward, **asked, export="csv", table="kpi_groups")
        workbook = _get(client, steward, **asked, export="xlsx")
    # Computed when asked for: the page offers it first.
    assert title in first and "Split these figures by group" in first
    assert "<em>withheld</em>" not in first
    # A program admin's export of that table falls back to the funnel.
    assert "Woman" not in refused.content.decode("utf-8-sig")
    assert title in body and "<em>withheld</em>" in body
    sheets = load_workbook(io.BytesIO(workbook.content)).sheetnames
    assert title[:31] in sheets
    assert "20.0 days" in body  # the women's median wait
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:3] == ["Dimension", "Group", "People"]
    women = dict(zip(header, next(r for r in rows if r[1] == "Woman"), strict=True))
    assert women["People"] == "3"
    assert women["Median days to match"] == "20.0"
    assert women["Journey completion (%)"] == "33.3"
    assert women["Goal completion (%)"] == "withheld"
    everyone = rows[-1]
    assert everyone[:3] == ["All", "Everyone", "6"]


def test_the_api_gives_the_same_figures_to_stewards_only(
    program, company, program_admin, steward
):
    url = API + "admin/reports/dashboard/equity/"
    assert bearer(program_admin).get(url, CUSTOM).status_code == 403
    with override_settings(WAGTAIL_MENTORING=SETTINGS):
        response = bearer(steward).get(url, CUSTOM)
        page = admin_page_report(steward, **CUSTOM, groups="1")["kpi_groups"]
    assert response.status_code == 200, response.content
    found = response.json()["kpis_by_group"]
    assert found["min_group_size"] == 3
    assert [m["key"] for m in found["measures"]][:2] == [
        "days_to_match_median",
        "days_to_match_p90",
    ]
    [gender] = found["dimensions"]
    rows = {row["group"]: row for row in gender["rows"]}
    [women] = [row for row in page.dimensions[0].rows if row.value == "woman"]
    assert rows["woman"]["figures"] == pytest.approx(women.figures)
    assert rows["woman"]["withheld"] == sorted(women.withheld)
    assert "goal_completion" in rows["man"]["withheld"]
    assert rows["man"]["figures"]["goal_completion"] is None
    assert found["everyone"]["people"] == 6
