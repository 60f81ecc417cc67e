"""Sponsorship screens: who sees what, and confidential advocacy for every role."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PROFILE
from tests.factories import make_enrollment, make_user
from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.sponsorship import services
from wagtail_mentoring.sponsorship.models import (
    AdvocacyAction,
    Nomination,
    OpportunityNomination,
    SponsorshipCommitment,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
SECRET = "Pushed for her promotion in the calibration meeting"
PUBLIC = "Praised the launch at the all-hands"


def url(name, *args):
    return reverse(f"wagtail_mentoring:{name}", args=args)


@pytest.fixture
def logged(sponsorship, sponsor, sponsee):
    services.log_advocacy(
        sponsorship,
        sponsor,
        kind="endorsement",
        occurred_on=TODAY(),
        audience="All-hands",
        description=PUBLIC,
    )
    services.log_advocacy(
        sponsorship,
        sponsor,
        kind="promotion_recommendation",
        occurred_on=TODAY(),
        audience="Calibration committee",
        description=SECRET,
        confidential=True,
    )
    return sponsorship


@pytest.fixture
def opportunity(sponsorship_program, sponsorship_admin):
    return services.post_opportunity(
        sponsorship_program,
        sponsorship_admin,
        title="Pricing taskforce",
        deadline=TODAY() + timedelta(days=7),
    )


def test_anonymous_visitors_go_to_login(client, sponsorship, opportunity):
    for target in (
        url("sponsorship"),
        url("sponsorship_nominate"),
        url("sponsorship_evidence"),
        url("sponsorship_opportunities"),
        url("sponsorship_opportunity", opportunity.pk),
        url("sponsorship_pick"),
        url("sponsorship_detail", sponsorship.pk),
    ):
        response = client.get(target)
        assert response.status_code == 302, target
        assert response["Location"].startswith(settings.LOGIN_URL)


@pytest.mark.parametrize(
    ("who", "sees_public", "sees_secret", "status"),
    [
        ("sponsor", True, True, 200),
        ("sponsee", True, False, 200),
        ("unrelated", False, False, 404),
        ("program_admin", False, False, 404),
        ("other_program_admin", False, False, 404),
        ("superuser", False, False, 404),
    ],
)
def test_confidential_advocacy_stays_with_the_sponsor(
    client,
    logged,
    who,
    sees_public,
    sees_secret,
    status,
    sponsor,
    sponsee,
    sponsorship_admin,
    other_program_admin,
    superuser,
):
    user = {
        "sponsor": sponsor,
        "sponsee": sponsee,
        "unrelated": make_user("ursula", profile=dict(PROFILE)),
        "program_admin": sponsorship_admin,
        "other_program_admin": other_program_admin,
        "superuser": superuser,
    }[who]
    client.force_login(user)
    detail = client.get(url("sponsorship_detail", logged.pk))
    assert detail.status_code == status
    dashboard = client.get(url("sponsorship"))
    assert dashboard.status_code == 200
    pages = detail.content.decode() + dashboard.content.decode()
    assert (PUBLIC in detail.content.decode()) is sees_public
    assert (SECRET in pages) is sees_secret
    assert ("Calibration committee" in pages) is sees_secret
    # Admin screens only ever show counts, never the text.
    admin_pages = ""
    for name in ("sponsorship_accountability", "sponsorship_equity"):
        response = client.get(reverse(f"wm_{name}:index"))
        admin_pages += response.content.decode()
    assert SECRET not in admin_pages and "Calibration committee" not in admin_pages


def test_sponsee_dashboard_shows_sponsor_commitment_advocacy_and_nominations(
    client, logged, sponsor, sponsee, opportunity
):
    services.write_commitment(
        logged,
        sponsor,
        statement="Get you in front of the exec team twice this half.",
        review_date=TODAY() + timedelta(days=90),
    )
    services.nominate_for_opportunity(opportunity, sponsee, sponsor, note="Fits")
    hidden = services.post_opportunity(
        opportunity.program, sponsor, title="Secret role", deadline=TODAY()
    )
    services.nominate_for_opportunity(hidden, sponsee, sponsor, confidential=True)
    client.force_login(sponsee)
    body = client.get(url("sponsorship")).content.decode()
    assert "Simone Tester" in body  # my sponsor
    assert "exec team" in body and "Please acknowledge it" in body
    assert "All-hands" in body and SECRET not in body
    assert "Pricing taskforce" in body
    # A confidential nomination is not listed as one the sponsee received.
    assert body.count("Secret role") == 1  # only on the open-opportunities list
    assert "Opportunities I'm nominated for" in body


def test_sponsor_dashboard_shows_sponsees_evidence_and_quarter(
    client, logged, sponsor, sponsee, opportunity
):
    services.add_evidence(sponsee, achievement="Cut churn", metric="-12%")
    client.force_login(sponsor)
    body = client.get(url("sponsorship")).content.decode()
    assert "Erin Tester" in body and "Cut churn" in body
    assert "2 actions since" in body
    assert SECRET not in body  # the dashboard shows kinds, not descriptions
    assert "Pricing taskforce" in body


def test_sponsor_writes_commitment_and_sponsee_acknowledges(
    client, sponsorship, sponsor, sponsee
):
    client.force_login(sponsor)
    target = url("sponsorship_detail", sponsorship.pk)
    response = client.post(
        target,
        {
            "action": "commitment",
            "commitment-statement": "Introduce you to the CFO.",
            "commitment-review_date": str(TODAY()),
        },
    )
    assert response.status_code == 400
    assert b"The review date must come after" in response.content
    assert not SponsorshipCommitment.objects.exists()
    response = client.post(
        target,
        {
            "action": "commitment",
            "commitment-statement": "Introduce you to the CFO.",
            "commitment-review_date": str(TODAY() + timedelta(days=60)),
        },
    )
    assert response.status_code == 302
    client.force_login(sponsee)
    commitment = SponsorshipCommitment.objects.get()
    response = client.post(
        target, {"action": "acknowledge", "commitment": commitment.pk}
    )
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.is_acknowledged
    # The sponsee cannot write commitments or log advocacy on the sponsor's behalf.
    for action in ("commitment", "advocacy", "outcome"):
        assert client.post(target, {"action": action}).status_code == 404
    assert SponsorshipCommitment.objects.count() == 1


def test_sponsor_logs_advocacy_with_errors_shown(client, sponsorship, sponsor):
    client.force_login(sponsor)
    target = url("sponsorship_detail", sponsorship.pk)
    data = {
        "action": "advocacy",
        "advocacy-kind": "endorsement",
        "advocacy-occurred_on": str(TODAY() + timedelta(days=3)),
        "advocacy-audience": "Staff meeting",
    }
    response = client.post(target, data)
    assert response.status_code == 400
    assert b"the date is in the future" in response.content
    assert not AdvocacyAction.objects.exists()
    data["advocacy-occurred_on"] = str(TODAY())
    assert client.post(target, data).status_code == 302
    action = AdvocacyAction.objects.get()
    response = client.post(
        target,
        {
            "action": "outcome",
            "advocacy": action.pk,
            f"outcome-{action.pk}-outcome": "Invited to the steering group",
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.outcome == "Invited to the steering group"


def test_manager_nominates_a_report(client, sponsorship_program, employee):
    manager = make_user("mona", profile=dict(PROFILE, level=6))
    EmployeeProfile.objects.filter(user=employee).update(manager=manager)
    stranger = make_user("stan", profile=dict(PROFILE))
    client.force_login(manager)
    page = client.get(url("sponsorship_nominate")).content.decode()
    assert "Erin Tester" in page and "Stan Tester" not in page
    response = client.post(
        url("sponsorship_nominate"),
        {"program": sponsorship_program.pk, "nominee": employee.pk, "reason": ""},
    )
    assert response.status_code == 400
    assert b"Please say why you nominate" in response.content
    assert not Nomination.objects.exists()
    response = client.post(
        url("sponsorship_nominate"),
        {
            "program": sponsorship_program.pk,
            "nominee": stranger.pk,
            "reason": "Because",
        },
    )
    assert response.status_code == 400  # not a choice for a manager
    assert not Nomination.objects.exists()
    response = client.post(
        url("sponsorship_nominate"),
        {
            "program": sponsorship_program.pk,
            "nominee": employee.pk,
            "reason": "Led two launches",
        },
    )
    assert response.status_code == 302
    assert Nomination.objects.get().source == "manager"


def test_self_nomination_with_evidence(client, sponsorship_program, employee):
    client.force_login(employee)
    response = client.post(
        url("sponsorship_evidence"),
        {"achievement": "Shipped search", "metric": "+20% conversion"},
    )
    assert response.status_code == 302
    evidence = employee.readiness_evidence.get()
    response = client.post(
        url("sponsorship_nominate"),
        {"program": sponsorship_program.pk, "nominee": employee.pk},
    )
    assert response.status_code == 400
    assert b"needs at least one piece of readiness evidence" in response.content
    response = client.post(
        url("sponsorship_nominate"),
        {
            "program": sponsorship_program.pk,
            "nominee": employee.pk,
            "evidence": [evidence.pk],
        },
    )
    assert response.status_code == 302
    assert Nomination.objects.get().source == "self"


def test_sponsor_picks_from_accepted_sponsees(
    client, sponsorship_program, sponsor, sponsee, employee
):
    client.force_login(sponsor)
    page = client.get(url("sponsorship_pick"))
    assert page.status_code == 200 and b"Sponsor Erin Tester" in page.content
    enrollment = sponsee.mentoring_enrollments.get(role="sponsee")
    response = client.post(
        url("sponsorship_pick_sponsee", sponsorship_program.pk, enrollment.pk)
    )
    assert response.status_code == 302
    assert b"Sponsor Erin Tester" not in client.get(url("sponsorship_pick")).content
    # Picking again: the sponsee is no longer pickable.
    response = client.post(
        url("sponsorship_pick_sponsee", sponsorship_program.pk, enrollment.pk)
    )
    assert response.status_code == 404


def test_only_sponsors_of_choosing_programs_may_pick(
    client, sponsorship_program, sponsee, employee, sponsor
):
    client.force_login(employee)
    assert client.get(url("sponsorship_pick")).status_code == 404
    sponsorship_program.matching_mode = "admin_approved"
    sponsorship_program.save()
    client.force_login(sponsor)
    assert client.get(url("sponsorship_pick")).status_code == 404


def test_opportunity_board_and_nomination(
    client, opportunity, sponsorship, sponsor, sponsee, other_employee
):
    client.force_login(other_employee)  # not in the program
    assert (
        b"Pricing taskforce" not in client.get(url("sponsorship_opportunities")).content
    )
    assert client.get(url("sponsorship_opportunity", opportunity.pk)).status_code == 404
    client.force_login(sponsor)
    assert b"Pricing taskforce" in client.get(url("sponsorship_opportunities")).content
    target = url("sponsorship_opportunity", opportunity.pk)
    response = client.post(
        target, {"nominate-nominee": sponsee.pk, "nominate-note": "Ready"}
    )
    assert response.status_code == 302
    assert OpportunityNomination.objects.get().nominee == sponsee
    response = client.post(target, {"nominate-nominee": sponsee.pk})
    assert response.status_code == 400
    assert b"already nominated" in response.content
    # The sponsee sees the opportunity but cannot nominate anyone.
    client.force_login(sponsee)
    page = client.get(target)
    assert page.status_code == 200 and b"Nominate a sponsee" not in page.content
    assert client.post(target, {"nominate-nominee": sponsee.pk}).status_code == 404


def test_sponsor_posts_an_opportunity(client, sponsor, sponsorship_program):
    client.force_login(sponsor)
    response = client.post(
        url("sponsorship_opportunities"),
        {
            "post-program": sponsorship_program.pk,
            "post-title": "Keynote at the sales kickoff",
            "post-kind": "project",
            "post-deadline": str(TODAY() - timedelta(days=1)),
        },
    )
    assert response.status_code == 400
    assert b"deadline is in the past" in response.content
    response = client.post(
        url("sponsorship_opportunities"),
        {
            "post-program": sponsorship_program.pk,
            "post-title": "Keynote at the sales kickoff",
            "post-kind": "project",
            "post-deadline": str(TODAY() + timedelta(days=1)),
        },
    )
    assert response.status_code == 302


def test_employees_cannot_post(client, employee, sponsee):
    client.force_login(employee)
    response = client.post(url("sponsorship_opportunities"), {"post-title": "x"})
    assert response.status_code == 404


def test_dashboard_query_count_is_constant(
    client, sponsorship_program, sponsor, django_assert_max_num_queries
):
    def add_sponsee():
        user = make_user(profile=dict(PROFILE))
        make_enrollment(user, sponsorship_program, role="sponsee", status="approved")
        relationship = services.pair_sponsor(
            sponsorship_program, sponsor, user, sponsor
        )
        services.add_evidence(user, achievement="Result")
        services.log_advocacy(
            relationship, sponsor, kind="visibility", occurred_on=TODAY(), audience="VP"
        )

    add_sponsee()
    client.force_login(sponsor)
    with django_assert_max_num_queries(60) as small:
        client.get(url("sponsorship"))
    EmployeeProfile.objects.filter(user=sponsor)  # same sponsor, more sponsees
    from wagtail_mentoring.programs.models import Enrollment

    Enrollment.objects.filter(user=sponsor).update(capacity=3)
    add_sponsee()
    add_sponsee()
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url("sponsorship"))
    assert response.content.decode().count("wm-card") >= 3
