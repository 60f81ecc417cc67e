"""Sponsorship in the Wagtail admin: who reaches what, and the actions there."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PROFILE
from tests.factories import make_enrollment, make_user
from wagtail_mentoring.people.models import SelfIdentification
from wagtail_mentoring.programs.models import EnrollmentStatus, Relationship
from wagtail_mentoring.sponsorship import services
from wagtail_mentoring.sponsorship.models import (
    CareerOutcome,
    Nomination,
    Opportunity,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
EQUITY = "wm_sponsorship_equity:index"
ACCOUNTABILITY = "wm_sponsorship_accountability:index"


@pytest.fixture
def nomination(sponsorship_program, sponsor, employee):
    return services.nominate(sponsorship_program, employee, sponsor, reason="Ready")


@pytest.fixture
def hr(db):
    return make_user(
        "harriet",
        admin_access=True,
        perms=[
            "wagtail_mentoring.administer_all_programs",
            "wagtail_mentoring.add_careeroutcome",
            "wagtail_mentoring.change_careeroutcome",
            "wagtail_mentoring.view_careeroutcome",
        ],
    )


@pytest.fixture
def steward(db):
    return make_user(
        "stewart",
        admin_access=True,
        perms=["wagtail_mentoring.view_equity_reports"],
    )


def _denied(response):
    # Wagtail sends people without permission back to the dashboard.
    return response.status_code in (302, 403, 404)


def test_permissions_for_each_admin_screen(
    client,
    nomination,
    sponsorship_admin,
    program_admin,
    hr,
    steward,
    superuser,
):
    employee_admin = make_user("edith", admin_access=True)
    urls = {
        "nominations": reverse("wm_nominations:index"),
        "pairing": reverse("wm_sponsorship_pairing:index"),
        "opportunities": reverse("wm_opportunities:index"),
        "outcomes": reverse("wm_career_outcomes:index"),
        "import": reverse("wm_career_outcomes:import"),
        "accountability": reverse(ACCOUNTABILITY),
        "equity": reverse(EQUITY),
    }
    allowed = {
        # Admin of the sponsorship program: runs it, sees no people data.
        sponsorship_admin: {
            "nominations",
            "pairing",
            "opportunities",
            "accountability",
        },
        # Admin of a mentoring program only: nothing of sponsorship.
        program_admin: set(),
        employee_admin: set(),
        hr: {
            "nominations",
            "pairing",
            "opportunities",
            "outcomes",
            "import",
            "accountability",
        },
        steward: {"equity"},
        superuser: set(urls),
    }
    for user, names in allowed.items():
        client.force_login(user)
        for name, target in urls.items():
            response = client.get(target)
            if name in names:
                assert response.status_code == 200, (user, name)
            else:
                assert _denied(response), (user, name, response.status_code)
    client.logout()
    for target in urls.values():
        assert client.get(target).status_code == 302


def test_admin_accepts_a_nomination_through_the_applications_action(
    client, nomination, sponsorship_admin, other_program_admin
):
    client.force_login(other_program_admin)
    body = client.get(reverse("wm_nominations:index")).content.decode()
    assert "Erin Tester" not in body
    assert (
        client.get(reverse("wm_nominations:inspect", args=[nomination.pk])).status_code
        != 200
    )
    client.force_login(sponsorship_admin)
    body = client.get(reverse("wm_nominations:index")).content.decode()
    assert "Erin Tester" in body and "Sponsor" in body
    inspect = client.get(reverse("wm_nominations:inspect", args=[nomination.pk]))
    assert inspect.status_code == 200 and b"Ready" in inspect.content
    approve = reverse(
        "wagtail_bulk_action", args=("wagtail_mentoring", "enrollment", "approve")
    )
    response = client.post(f"{approve}?id={nomination.enrollment_id}", {"note": ""})
    assert response.status_code == 302
    nomination.enrollment.refresh_from_db()
    assert nomination.enrollment.status == EnrollmentStatus.APPROVED


def test_admin_pairs_sponsor_and_sponsee(
    client, sponsorship_program, sponsor, sponsee, sponsorship_admin, other_employee
):
    client.force_login(sponsorship_admin)
    url = reverse("wm_sponsorship_pairing:index")
    page = client.get(url).content.decode()
    assert "Simone Tester" in page and "Erin Tester" in page
    sponsor_enrollment = sponsor.mentoring_enrollments.get()
    sponsee_enrollment = sponsee.mentoring_enrollments.get()
    response = client.post(
        url, {"sponsor": sponsor_enrollment.pk, "sponsee": sponsee_enrollment.pk}
    )
    assert response.status_code == 302
    assert Relationship.objects.filter(program=sponsorship_program).count() == 1
    # Paired sponsees leave the list; a stale form gets a clear error.
    response = client.post(
        url, {"sponsor": sponsor_enrollment.pk, "sponsee": sponsee_enrollment.pk}
    )
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content
    assert Relationship.objects.count() == 1


def test_admin_posts_opportunity_and_decides(
    client, sponsorship, sponsor, sponsee, sponsorship_admin, sponsorship_program
):
    client.force_login(sponsorship_admin)
    response = client.post(
        reverse("wm_opportunities:add"),
        {
            "program": sponsorship_program.pk,
            "title": "Run the Q3 pricing review",
            "kind": "stretch_assignment",
            "deadline": str(TODAY() - timedelta(days=1)),
        },
    )
    assert response.status_code == 200
    assert b"deadline is in the past" in response.content
    assert not Opportunity.objects.exists()
    response = client.post(
        reverse("wm_opportunities:add"),
        {
            "program": sponsorship_program.pk,
            "title": "Run the Q3 pricing review",
            "kind": "stretch_assignment",
            "deadline": str(TODAY() + timedelta(days=5)),
        },
    )
    assert response.status_code == 302
    opportunity = Opportunity.objects.get()
    assert opportunity.posted_by == sponsorship_admin
    nomination = services.nominate_for_opportunity(opportunity, sponsee, sponsor)
    inspect = client.get(reverse("wm_opportunities:inspect", args=[opportunity.pk]))
    assert b"Decide on Erin Tester" in inspect.content
    decide = reverse("wm_opportunities:decide", args=[nomination.pk])
    response = client.post(decide, {"status": "not_selected", "reason": ""})
    assert response.status_code == 400
    assert b"Please say why" in response.content
    response = client.post(
        decide, {"status": "not_selected", "reason": "Needs more finance exposure"}
    )
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == "not_selected"
    # Editing goes through the service too.
    response = client.post(
        reverse("wm_opportunities:edit", args=[opportunity.pk]),
        {
            "program": sponsorship_program.pk,
            "title": "Run the Q3 pricing review",
            "kind": "stretch_assignment",
            "deadline": str(opportunity.deadline),
            "status": "closed",
        },
    )
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.status == "closed"


def test_other_program_admin_cannot_decide(
    client, sponsorship, sponsor, sponsee, sponsorship_program, other_program_admin
):
    opportunity = services.post_opportunity(
        sponsorship_program, sponsor, title="x", deadline=TODAY()
    )
    nomination = services.nominate_for_opportunity(opportunity, sponsee, sponsor)
    client.force_login(other_program_admin)
    response = client.post(
        reverse("wm_opportunities:decide", args=[nomination.pk]),
        {"status": "selected"},
    )
    assert _denied(response)
    nomination.refresh_from_db()
    assert nomination.status == "nominated"


def test_hr_records_and_imports_outcomes(client, hr, sponsorship, sponsee, employee):
    client.force_login(hr)
    response = client.post(
        reverse("wm_career_outcomes:add"),
        {
            "employee": sponsee.mentoring_profile.pk,  # the profile chooser
            "kind": "promotion",
            "occurred_on": str(TODAY()),
            "title": "Senior Engineer",
            "to_level": "4",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    outcome = CareerOutcome.objects.get()
    assert outcome.relationship == sponsorship and outcome.recorded_by == hr
    index = client.get(reverse("wm_career_outcomes:index")).content.decode()
    assert "Senior Engineer" in index and "Sponsorship Circle" in index

    other = make_user("olive", profile=dict(PROFILE))
    bad = (
        "employee,outcome,date\n"
        f"{other.get_username()},new_role,{TODAY()}\n"
        f"{other.get_username()},promotion,yesterday\n"
    ).encode()
    response = client.post(
        reverse("wm_career_outcomes:import"),
        {"file": SimpleUploadedFile("outcomes.csv", bad, "text/csv")},
    )
    assert response.status_code == 400
    assert b"Row 3" in response.content and b"Nothing was imported" in response.content
    assert CareerOutcome.objects.count() == 1
    good = bad.decode().splitlines()[:2]
    response = client.post(
        reverse("wm_career_outcomes:import"),
        {
            "file": SimpleUploadedFile(
                "outcomes.csv", "\n".join(good).encode(), "text/csv"
            )
        },
    )
    assert response.status_code == 302
    assert CareerOutcome.objects.count() == 2


def test_outcome_admin_refuses_future_dates(client, hr, employee):
    client.force_login(hr)
    response = client.post(
        reverse("wm_career_outcomes:add"),
        {
            "employee": employee.mentoring_profile.pk,
            "kind": "new_role",
            "occurred_on": str(TODAY() + timedelta(days=3)),
        },
    )
    assert response.status_code == 200
    assert b"is in the future" in response.content
    assert not CareerOutcome.objects.exists()


def test_accountability_counts_without_content(
    client, sponsorship, sponsor, sponsorship_admin, sponsorship_program
):
    idle_sponsor = make_user("ivan", profile=dict(PROFILE, level=8))
    make_enrollment(
        idle_sponsor, sponsorship_program, role="sponsor", status="approved"
    )
    idle_sponsee = make_user("ines", profile=dict(PROFILE))
    make_enrollment(
        idle_sponsee, sponsorship_program, role="sponsee", status="approved"
    )
    services.pair_sponsor(
        sponsorship_program, idle_sponsor, idle_sponsee, sponsorship_admin
    )
    services.log_advocacy(
        sponsorship,
        sponsor,
        kind="promotion_recommendation",
        occurred_on=TODAY(),
        audience="Top secret committee",
        confidential=True,
    )
    client.force_login(sponsorship_admin)
    body = client.get(reverse(ACCOUNTABILITY)).content.decode()
    assert "Top secret committee" not in body
    assert "1 sponsor with sponsees logged no advocacy" in body
    assert "Ivan Tester" in body and "Simone Tester" in body
    body = client.get(reverse(ACCOUNTABILITY), {"idle_days": 5}).content.decode()
    assert "No action" in body


def _consent(user, **answers):
    SelfIdentification.objects.create(
        user=user, consented_at=timezone.now(), answers=answers
    )


def test_equity_report_suppresses_small_groups_and_exports_aggregates(
    client, steward, sponsorship_program, sponsor
):
    women = [make_user(f"wanda{i}", profile=dict(PROFILE)) for i in range(6)]
    men = [make_user(f"mark{i}", profile=dict(PROFILE)) for i in range(7)]
    nb = [make_user(f"nico{i}", profile=dict(PROFILE)) for i in range(2)]
    for user in women:
        _consent(user, gender="woman")
    for user in men:
        _consent(user, gender="man")
    for user in nb:
        _consent(user, gender="non_binary")
    for user in women[:3] + nb[:1]:
        services.nominate(sponsorship_program, user, sponsor, reason="Strong")
    client.force_login(steward)
    body = client.get(reverse(EQUITY)).content.decode()
    assert "Woman" in body and "Man" in body
    assert "Suppressed" in body
    # Shown groups carry count · share · parity for each stage.
    assert "7 · 46.7 %" in body  # 7 men of 15 eligible
    assert "0 · 0.0 % · 0.00" in body  # no man nominated
    # Non-binary (2 people) is suppressed; so is the next-smallest group, so
    # the 2 cannot be derived as total minus the others.
    response = client.get(reverse(EQUITY), {"export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    gender = {row[1]: row for row in rows[1:] if row and row[0] == "Gender"}
    assert gender["Non binary"][2].startswith("suppressed")
    assert gender["Woman"][2].startswith("suppressed")  # complementary (6 < 7)
    assert gender["Man"][2] == "7"
    assert not any("Wanda" in cell or "wanda" in cell for row in rows for cell in row)


def test_equity_report_rejects_a_backwards_period(client, steward):
    client.force_login(steward)
    response = client.get(
        reverse(EQUITY), {"start": str(TODAY()), "end": str(TODAY() - timedelta(1))}
    )
    assert response.status_code == 200
    assert b"The period must start before it ends" in response.content


def test_equity_report_query_count_is_constant(
    client, steward, sponsorship_program, sponsor, django_assert_max_num_queries
):
    def add_people(n):
        for _ in range(n):
            user = make_user(profile=dict(PROFILE))
            _consent(user, gender="woman", ethnicity="asian")
            services.nominate(sponsorship_program, user, sponsor, reason="x")

    add_people(3)
    client.force_login(steward)
    with django_assert_max_num_queries(80) as small:
        client.get(reverse(EQUITY))
    add_people(12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse(EQUITY))


def test_nomination_listing_query_count_is_constant(
    client,
    sponsorship_program,
    sponsorship_admin,
    sponsor,
    django_assert_max_num_queries,
):
    def add(n):
        for _ in range(n):
            services.nominate(
                sponsorship_program,
                make_user(profile=dict(PROFILE)),
                sponsor,
                reason="x",
            )

    add(2)
    client.force_login(sponsorship_admin)
    with django_assert_max_num_queries(80) as small:
        client.get(reverse("wm_nominations:index"))
    add(10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("wm_nominations:index"))
    assert Nomination.objects.count() == 12
    assert response.content.decode().count("Accept") >= 12


def test_menu_shows_each_person_what_they_may_use(
    client, sponsorship_admin, steward, program_admin
):
    def menu(user):
        client.force_login(user)
        return client.get(reverse("wagtailadmin_home")).content.decode()

    html = menu(sponsorship_admin)
    assert '"Pair sponsors"' in html and '"Sponsor accountability"' in html
    assert '"Equity report"' not in html and '"Career outcomes"' not in html
    html = menu(steward)
    assert '"Equity report"' in html and '"Pair sponsors"' not in html
    assert '"Sponsorship"' not in menu(program_admin)
