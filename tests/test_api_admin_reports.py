"""The program admin's side of the API beyond matching: reports as JSON (the
dashboard, its equity split, journey progress, the sponsorship reports) and
the admin's actions (pair by hand, mentor requests, sponsorship pairs,
opportunity nominations).

Figures come from the dashboard's hand-computed fixture (tests/test_dashboard.py)
and must equal what the admin's page shows for the same filters; who may call
each URL at all is the authorization matrix's job.
"""

# ruff: noqa: F811 - the dashboard's fixtures, imported, are parameters here
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.authorization_world import (
    ADMIN,
    MENTEE,
    OTHER_ADMIN,
    PARTNER,
    PROFILE,
    STEWARD,
    build_world,
)
from tests.factories import (
    PASSWORD,
    login_identifier,
    make_enrollment,
    make_program,
    make_user,
)
from tests.test_dashboard import (  # noqa: F401 - fixtures
    CUSTOM,
    _meeting,
    _relationship,
    at,
    cohorts,
    world,
)
from wagtail_mentoring.analytics import network
from wagtail_mentoring.api import tokens
from wagtail_mentoring.engagement.models import MentorRequest, MentorRequestStatus
from wagtail_mentoring.journeys import report as journey_report
from wagtail_mentoring.journeys.models import JourneyProgress
from wagtail_mentoring.matching.models import MatchProposal, ProposalOrigin
from wagtail_mentoring.people.models import SelfIdentification
from wagtail_mentoring.permissions import VIEW_EQUITY_REPORTS, administered_programs
from wagtail_mentoring.programs.models import (
    Enrollment,
    EnrollmentStatus,
    Relationship,
    RelationshipMember,
)
from wagtail_mentoring.programs.services import start_relationship
from wagtail_mentoring.sponsorship.models import (
    OpportunityNomination,
    OpportunityNominationStatus,
)

pytestmark = pytest.mark.django_db
API = "/api/mentoring/v1/"


def bearer(user, scope="api:admin"):
    secret = tokens.create_token(user, user, name="test", scope=scope).secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def admin_page_report(user, **query):
    client = Client()
    client.login(**{"username": login_identifier(user), "password": PASSWORD})
    response = client.get(reverse("wm_dashboard:index"), query)
    assert response.status_code == 200
    return response.context["report"]


# --- The dashboard -----------------------------------------------------------


def test_dashboard_figures_are_the_hand_computed_ones(program, world, program_admin):
    response = bearer(program_admin).get(
        API + "admin/reports/dashboard/", {**CUSTOM, "program": program.pk}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    k = body["kpis"]
    assert body["program"] == program.pk and body["cohort"] is None
    assert body["period"] == {"start": "2026-09-01", "end": "2026-11-30"}
    assert [(s["key"], s["count"]) for s in k["funnel"]] == [
        ("applied", 7),
        ("approved", 4),
        ("matched", 3),
        ("met", 2),
        ("goal_set", 2),
        ("goal_achieved", 1),
        ("completed", 1),
    ]
    assert k["match_rate"] == 0.75
    assert k["days_to_match_median"] == pytest.approx(20)
    assert k["active_relationships"] == 4
    assert k["meetings_held"] == 3
    assert (k["goals_set"], k["goals_achieved"], k["goal_completion"]) == (2, 1, 0.5)
    assert k["rating_mean"] == pytest.approx(11 / 3)
    assert k["ratings"] == [
        {"label": str(n), "count": c}
        for n, c in [(1, 0), (2, 1), (3, 0), (4, 1), (5, 1)]
    ]
    assert k["early_closure_by_origin"][-1] == {
        "origin": "Paired by hand",
        "made": 1,
        "ended_early": 1,
    }
    assert "equity" not in body and "outcomes" not in body
    # Free text (why Cy's pair ended) is not part of the figures.
    assert "Moved to another team" not in response.content.decode()


def test_dashboard_equals_the_admin_page(hub, program, world, program_admin):
    second = make_program(hub, admin_group=program.admin_group)
    make_enrollment(make_user("zoe"), second, "mentee", created_at=at(10, 9))
    for query in ({**CUSTOM}, {**CUSTOM, "program": program.pk}, {"period": "365"}):
        page = admin_page_report(program_admin, **query)
        body = bearer(program_admin).get(API + "admin/reports/dashboard/", query).json()
        for key in ("kpis", "previous"):
            got, shown = body[key], page[key]
            assert [s["count"] for s in got["funnel"]] == [
                s.count for s in shown.funnel
            ]
            assert got["active_relationships"] == shown.active_relationships
            assert got["meetings_held"] == shown.meetings_held
            assert got["messages"] == shown.messages
            assert got["ended_early"] == shown.ended_early
            assert [r["count"] for r in got["quiet"]] == [
                n for _l, n in shown.quiet.rows
            ]
        assert [(h["key"], h["now"], h["before"]) for h in body["headlines"]] == [
            (
                h["key"],
                None if h["now"] is None else pytest.approx(h["now"]),
                None if h["before"] is None else pytest.approx(h["before"]),
            )
            for h in page["headlines"]
        ]
        assert [
            tuple(pytest.approx(m[key]) for key in page["series"])
            for m in body["months"]
        ] == [tuple(row[1:]) for row in page["months"]]
        assert [
            (p["program"], p["applied"], p["active"]) for p in body["programs"]
        ] == [(p.program_id, p.applied, p.active) for p in page["programs"]]
    assert len(body["months"]) == 12


def test_dashboard_of_a_cohort(program, world, cohorts, program_admin):
    autumn, _winter = cohorts
    body = (
        bearer(program_admin)
        .get(API + "admin/reports/dashboard/", {**CUSTOM, "cohort": autumn.pk})
        .json()
    )
    page = admin_page_report(program_admin, **CUSTOM, cohort=autumn.pk)
    assert body["cohort"] == autumn.pk and body["program"] == program.pk
    assert [s["count"] for s in body["kpis"]["funnel"]] == [
        s.count for s in page["kpis"].funnel
    ]


def test_another_programs_admin_gets_not_found(
    program, world, cohorts, other_program_admin
):
    client = bearer(other_program_admin)
    for query in ({"program": program.pk}, {"cohort": cohorts[0].pk}):
        response = client.get(API + "admin/reports/dashboard/", query)
        assert response.status_code == 404, response.content
    # Their own roll-up leaves program A out entirely.
    body = client.get(API + "admin/reports/dashboard/", CUSTOM).json()
    assert body["kpis"]["funnel"][0]["count"] == 0
    assert program.pk not in [p["program"] for p in body["programs"]]


def test_dashboard_refuses_a_bad_period_with_the_pages_message(program, program_admin):
    client = bearer(program_admin)
    response = client.get(
        API + "admin/reports/dashboard/",
        {"period": "custom", "start": "2026-11-30", "end": "2026-09-01"},
    )
    assert response.status_code == 400
    assert (
        response.json()["error"]["message"] == "The period must start before it ends."
    )
    response = client.get(API + "admin/reports/dashboard/", {"period": "7"})
    assert response.status_code == 400
    assert "period" in response.json()["error"]["fields"]


def test_an_api_token_is_not_enough_for_reports(program, program_admin):
    response = bearer(program_admin, scope="api").get(API + "admin/reports/dashboard/")
    assert response.status_code == 403


def test_outcomes_on_request(program, world, program_admin):
    body = (
        bearer(program_admin)
        .get(API + "admin/reports/dashboard/", {**CUSTOM, "outcomes": "true"})
        .json()
    )
    assert set(body["outcomes"]) >= {"retention", "promotion", "min_group_size"}
    for row in (body["outcomes"]["retention"], body["outcomes"]["promotion"]):
        if row["suppressed"]:
            assert row["participant_rate"] is None and row["difference"] is None


def _identify(world):
    women = ("ada", "bo", "cy", "di")
    for name in (*women, "ed", "flo", "gus"):
        SelfIdentification.objects.create(
            user=world[name].user,
            consented_at=timezone.now(),
            answers={"gender": "woman" if name in women else "man"},
        )


def _groups(response) -> dict:
    assert response.status_code == 200, response.content
    return {
        (block["dimension"], row["group"]): row
        for block in response.json()["equity"]["dimensions"]
        for row in block["rows"]
    }


def test_equity_split_needs_the_steward_permission(program, world, program_admin):
    _identify(world)
    url = API + "admin/reports/dashboard/equity/"
    refused = bearer(program_admin).get(url, CUSTOM)
    assert refused.status_code == 403
    assert "woman" not in refused.content.decode()
    steward = make_user(
        "stew",
        admin_access=True,
        groups=[program.admin_group],
        perms=[VIEW_EQUITY_REPORTS],
    )
    with override_settings(WAGTAIL_MENTORING={"MIN_GROUP_SIZE": 3}):
        rows = _groups(bearer(steward).get(url, CUSTOM))
        page = admin_page_report(steward, **CUSTOM)["equity"]
    # Ada (run, achieved goal, completed), Bo (request, open goal), Cy (by
    # hand, ended early); Di approved and waiting (tests/test_dashboard.py).
    women = rows[("gender", "woman")]
    assert not women["suppressed"] and women["population"] == 4
    assert {c["stage"]: c["count"] for c in women["stages"]} == {
        "approved": 4,
        "matched": 3,
        "met": 2,
        "goal_set": 2,
        "goal_achieved": 1,
        "completed": 1,
        "ended_early": 1,
    }
    for block in page.dimensions:
        for row in block.rows:
            got = rows[(block.dimension, row.value)]
            assert got["suppressed"] == row.suppressed
            if not row.suppressed:
                assert got["population"] == row.population
                assert [c["count"] for c in got["stages"]] == list(row.counts.values())
    # At the default minimum (5) both groups are too small: no number at all.
    rows = _groups(bearer(steward).get(url, CUSTOM))
    for key in (("gender", "woman"), ("gender", "man")):
        assert rows[key]["suppressed"]
        assert rows[key]["population"] is None and rows[key]["stages"] is None
    # A people-data steward who administers no program has no dashboard.
    outsider = make_user("sten", admin_access=True, perms=[VIEW_EQUITY_REPORTS])
    assert bearer(outsider).get(url, CUSTOM).status_code == 403


def test_dashboard_queries_do_not_grow_with_programs_or_pairs(
    hub, program, world, program_admin
):
    client = bearer(program_admin)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(API + "admin/reports/dashboard/", CUSTOM)
        assert response.status_code == 200
        return len(queries)

    count()  # caches warmed up
    small = count()
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
            _meeting(_relationship(more, mentee, mentor, at(9, 3 + i)), at(9, 10 + i))
    assert count() == small


# --- Journey progress and sponsorship reports ------------------------------------


@pytest.fixture
def w():
    return build_world()


def test_journey_report_is_the_admins_funnel(w):
    url = API + f"admin/programs/{w.program.pk}/reports/journeys/"
    response = bearer(w.users[ADMIN]).get(url)
    assert response.status_code == 200, response.content
    steps = response.json()["steps"]
    expected = journey_report.program_funnel(w.program.specific)
    assert steps and len(steps) == len(expected)
    assert [(s["title"], s["pairs"], s["reached"], s["completed"]) for s in steps] == [
        (row.title, row.pairs, row.reached, row.completed) for row in expected
    ]
    assert bearer(w.users[OTHER_ADMIN]).get(url).status_code == 404


def test_journey_report_queries_do_not_grow_with_pairs(w):
    client = bearer(w.users[ADMIN])
    url = API + f"admin/programs/{w.program.pk}/reports/journeys/"

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    count()
    small = count()
    for i in range(3):
        mentee, mentor = make_user(f"jm{i}"), make_user(f"jn{i}")
        make_enrollment(mentee, w.program, status=EnrollmentStatus.APPROVED)
        make_enrollment(mentor, w.program, "mentor", status=EnrollmentStatus.APPROVED)
        start_relationship(w.program, [(mentee, "mentee"), (mentor, "mentor")], mentor)
    assert count() == small


def test_stalled_pairs_are_the_admins_report(w):
    long_ago = timezone.now() - timedelta(days=40)
    Relationship.objects.filter(pk=w.relationship.pk).update(created_at=long_ago)
    JourneyProgress.objects.filter(relationship=w.relationship).update(
        last_activity_at=long_ago
    )
    url = API + f"admin/programs/{w.program.pk}/reports/stalled/"
    response = bearer(w.users[ADMIN]).get(url, {"days": 30})
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    expected = journey_report.stalled_pairs(
        Relationship.objects.filter(program=w.program), 30
    )
    assert [row["relationship"] for row in rows] == [r.pk for r in expected]
    assert rows and rows[0]["days_stalled"] >= 39
    assert {str(w.users[MENTEE].pk)} <= set(rows[0]["members"])
    # fewer days than it has been: still stalled; more: not
    assert bearer(w.users[ADMIN]).get(url, {"days": 60}).json()["results"] == []
    bad = bearer(w.users[ADMIN]).get(url, {"days": 0})
    assert bad.status_code == 400 and "days" in bad.json()["error"]["fields"]
    assert bearer(w.users[OTHER_ADMIN]).get(url).status_code == 404


def test_the_network_map_is_the_admins_map(w):
    url = API + "admin/reports/network/"
    response = bearer(w.users[ADMIN]).get(url, {"dimension": "location"})
    assert response.status_code == 200, response.content
    body = response.json()
    expected = network.build_map(
        administered_programs(w.users[ADMIN]).values("pk"), dimension="location"
    )
    assert body["dimension"] == "location"
    assert body["connections"] == expected.connections
    assert [n["key"] for n in body["nodes"]] == [n.key for n in expected.nodes]
    assert [(e["a"], e["b"], e["now"]) for e in body["edges"]] == [
        (e.a.key, e.b.key, e.now) for e in expected.edges
    ]
    # a program the admin does not run, and a dimension the map does not have
    other = bearer(w.users[ADMIN]).get(url, {"program": w.other_program.pk})
    assert other.status_code == 404
    bad = bearer(w.users[ADMIN]).get(url, {"dimension": "salary"})
    assert bad.status_code == 400 and "dimension" in bad.json()["error"]["fields"]
    # stewards see it; a plain employee's token does not reach it
    assert bearer(w.users[STEWARD]).get(url).status_code == 200
    assert bearer(w.users[MENTEE], "api").get(url).status_code == 403


def test_sponsorship_equity_is_for_stewards_only(w):
    url = API + "admin/reports/sponsorship/equity/"
    assert bearer(w.users[ADMIN]).get(url).status_code == 403
    response = bearer(w.users[STEWARD]).get(url)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["table"]["totals"]
    # Every group is smaller than the minimum here: counts never shown.
    for block in body["table"]["dimensions"]:
        for row in block["rows"]:
            assert row["suppressed"] is (row["population"] is None)
    bad = bearer(w.users[STEWARD]).get(
        url, {"start": "2026-05-01", "end": "2026-01-01"}
    )
    assert bad.status_code == 400


def test_sponsor_accountability_lists_my_sponsors(w):
    response = bearer(w.users[ADMIN]).get(
        API + "admin/reports/sponsorship/accountability/"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    [row] = body["sponsors"]
    assert row["program"] == w.circle.pk and row["open_sponsees"] == 1
    assert len(row["per_quarter"]) == len(body["quarters"])
    # The confidential advocacy is counted, never shown.
    assert "SECRET-CONFIDENTIAL-ADVOCACY" not in response.content.decode()
    other = bearer(w.users[OTHER_ADMIN]).get(
        API + "admin/reports/sponsorship/accountability/"
    )
    assert other.json()["sponsors"] == []
    not_mine = bearer(w.users[OTHER_ADMIN]).get(
        API + "admin/reports/sponsorship/accountability/", {"program": w.circle.pk}
    )
    assert not_mine.status_code == 404


# --- Actions -------------------------------------------------------------------


def test_pair_by_hand_calls_the_panels_service(w):
    waiting = make_enrollment(
        make_user("nia", profile=dict(PROFILE)), w.program, status="approved"
    )
    mentor = (
        Enrollment.objects.filter(program=w.program, role="mentor")
        .exclude(user=w.users[PARTNER])
        .get()
    )
    url = API + f"admin/programs/{w.program.pk}/pairs/"
    before = MatchProposal.objects.count()
    refused = post(
        bearer(w.users[OTHER_ADMIN]), url, {"mentee": waiting.pk, "mentor": mentor.pk}
    )
    assert refused.status_code == 404
    # Someone of another program is no choice, and nothing is written.
    outsider = make_enrollment(make_user("xena"), w.other_program, status="approved")
    response = post(
        bearer(w.users[ADMIN]), url, {"mentee": outsider.pk, "mentor": mentor.pk}
    )
    assert response.status_code == 400
    assert "mentee" in response.json()["error"]["fields"]
    assert MatchProposal.objects.count() == before
    response = post(
        bearer(w.users[ADMIN]),
        url,
        {"mentee": waiting.pk, "mentor": mentor.pk, "justification": "Asked for"},
    )
    assert response.status_code == 201, response.content
    proposal = MatchProposal.objects.get(pk=response.json()["id"])
    assert proposal.origin == ProposalOrigin.MANUAL
    assert (proposal.mentee_id, proposal.mentor_id) == (waiting.pk, mentor.pk)
    assert proposal.status == "approved"


def test_accept_a_mentor_request_on_the_mentors_behalf(w):
    url = API + f"admin/mentor-requests/{w.mentor_request.pk}/accept/"
    assert post(bearer(w.users[OTHER_ADMIN]), url, {}).status_code == 404
    listed = bearer(w.users[ADMIN]).get(API + "admin/mentor-requests/").json()
    assert w.mentor_request.pk in [r["id"] for r in listed["results"]]
    assert (
        bearer(w.users[OTHER_ADMIN])
        .get(API + "admin/mentor-requests/")
        .json()["results"]
        == []
    )
    response = post(bearer(w.users[ADMIN]), url, {})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == MentorRequestStatus.ACCEPTED
    accepted = MentorRequest.objects.get(pk=w.mentor_request.pk)
    assert accepted.relationship is not None
    # Twice is refused by the service, with its message.
    again = post(bearer(w.users[ADMIN]), url, {})
    assert again.status_code == 400 and again.json()["error"]["message"]


def test_pair_a_sponsor_by_hand(w):
    sponsee = make_user("sid")
    application = make_enrollment(
        sponsee, w.circle, "sponsee", status=EnrollmentStatus.APPROVED
    )
    sponsor = w.circle.enrollments.get(role="sponsor")
    url = API + f"admin/programs/{w.circle.pk}/sponsorships/"
    # A mentoring program is no sponsorship program: not found.
    wrong = API + f"admin/programs/{w.program.pk}/sponsorships/"
    data = {"sponsor": sponsor.pk, "sponsee": application.pk}
    assert post(bearer(w.users[ADMIN]), wrong, data).status_code == 404
    assert post(bearer(w.users[OTHER_ADMIN]), url, data).status_code == 404
    response = post(bearer(w.users[ADMIN]), url, data)
    assert response.status_code == 201, response.content
    relationship = Relationship.objects.get(pk=response.json()["relationship"])
    assert set(
        RelationshipMember.objects.filter(relationship=relationship).values_list(
            "user_id", "role"
        )
    ) == {(w.users[PARTNER].pk, "sponsor"), (sponsee.pk, "sponsee")}


def test_decide_an_opportunity_nomination(w):
    nomination = w.opportunity_nomination
    url = API + f"admin/opportunity-nominations/{nomination.pk}/decide/"
    assert (
        post(bearer(w.users[OTHER_ADMIN]), url, {"status": "selected"}).status_code
        == 404
    )
    listed = bearer(w.users[ADMIN]).get(API + "admin/opportunity-nominations/").json()
    assert [r["id"] for r in listed["results"]] == [nomination.pk]
    # The nominator's note stays with them.
    assert "Strong candidate" not in json.dumps(listed)
    response = post(bearer(w.users[ADMIN]), url, {"status": "not_selected"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "reason"
    nomination.refresh_from_db()
    assert nomination.status == OpportunityNominationStatus.NOMINATED
    response = post(
        bearer(w.users[ADMIN]), url, {"status": "not_selected", "reason": "Next round"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "not_selected"
    assert (
        OpportunityNomination.objects.get(pk=nomination.pk).decided_by == w.users[ADMIN]
    )
    assert response.json()["nominee"]["id"] == str(w.users[MENTEE].pk)


def test_the_schema_documents_every_new_operation():
    build_world()
    schema = Client().get(API + "schema/?format=json").json()
    for path in (
        "/admin/reports/dashboard/",
        "/admin/reports/dashboard/equity/",
        "/admin/programs/{program_id}/reports/journeys/",
        "/admin/programs/{program_id}/reports/stalled/",
        "/admin/reports/network/",
        "/admin/reports/sponsorship/equity/",
        "/admin/reports/sponsorship/accountability/",
        "/admin/programs/{program_id}/pairs/",
        "/admin/mentor-requests/",
        "/admin/mentor-requests/{id}/accept/",
        "/admin/programs/{program_id}/sponsorships/",
        "/admin/opportunity-nominations/",
        "/admin/opportunity-nominations/{id}/decide/",
    ):
        assert path in schema["paths"], path
