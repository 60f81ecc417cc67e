"""Sponsorship end to end on the example intranet: nomination → acceptance →
a sponsor picks → commitment → advocacy and a stretch nomination → evidence →
HR records a promotion → the equity report shows it, small groups suppressed."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.programs.models import Enrollment, ProgramPage
from wagtail_mentoring.sponsorship.models import (
    AdvocacyAction,
    CareerOutcome,
    OpportunityNomination,
)
from wagtail_mentoring.sponsorship.reports import equity_report
from wagtail_mentoring.sponsorship.services import sponsor_load

pytestmark = pytest.mark.browser

PASSWORD = "changeme"


def _switch(page, live_server, user, next_url):
    page.context.clear_cookies()
    sign_in(page, live_server, user.get_username(), PASSWORD, next_url)


def _cast(program):
    """A manager with a report not yet in the program, and a sponsor with room."""
    enrolled = Enrollment.objects.filter(program=program).values("user_id")
    profile = (
        EmployeeProfile.objects.filter(
            user__is_active=True,
            manager__is_active=True,
            manager__is_superuser=False,
            level__gte=2,
            level__lte=5,
        )
        .exclude(user_id__in=enrolled)
        .exclude(manager_id__in=enrolled)
        # Someone promoted already would not change the report's count.
        .exclude(user_id__in=CareerOutcome.objects.values("employee_id"))
        .select_related("user", "manager")
        .order_by("user_id")
        .first()
    )
    sponsor = next(
        e.user
        for e in Enrollment.objects.filter(
            program=program, role="sponsor", status="approved", user__is_active=True
        ).select_related("user")
        if sponsor_load(e.user, program) < (e.capacity or 1)
        and e.user_id != profile.manager_id
    )
    return profile.manager, profile.user, sponsor


def test_sponsorship_journey(page, live_server, demo_site, axe_check):
    User = get_user_model()
    program = ProgramPage.objects.get(slug="sponsorship-circle")
    manager, nominee, sponsor = _cast(program)
    admin = User.objects.get(is_superuser=True)
    hr = User.objects.get(groups__name="HR")
    name = display_name(nominee)
    promoted_before = equity_report().table.totals["promoted"]

    # 1. The manager nominates the employee.
    _switch(page, live_server, manager, "/mentoring/sponsorship/nominate/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Nominate for sponsorship"
    )
    axe_check(page)
    page.get_by_label("Sponsorship program").select_option(label=program.title)
    page.get_by_label("Who do you nominate?").select_option(value=str(nominee.pk))
    page.get_by_role("button", name="Nominate").click()
    expect(page.get_by_text("Please say why you nominate")).to_be_visible()
    axe_check(page)
    page.get_by_label("Why this person, and why now?").fill(
        "Led two launches this year and coaches the team."
    )
    page.get_by_role("button", name="Nominate").click()
    expect(page.get_by_text(f"{name} is nominated for {program.title}")).to_be_visible()
    axe_check(page)

    # 2. The program admin accepts it in Wagtail.
    _switch(page, live_server, admin, "/admin/mentoring/nominations/")
    row = page.get_by_role("row").filter(has_text=name)
    expect(row).to_have_count(1)
    row.get_by_role("link", name="Accept").click()
    expect(page.get_by_text("Accept this nomination?")).to_be_visible()
    expect(page.get_by_label("Note to the nominee (optional)")).to_be_visible()
    page.get_by_role("button", name="Yes, accept").click()
    expect(page.get_by_text("1 nomination accepted.")).to_be_visible()

    # 3. A sponsor with room picks the new sponsee.
    _switch(page, live_server, sponsor, "/mentoring/sponsorship/pick/")
    axe_check(page)
    page.get_by_role("button", name=f"Sponsor {name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Sponsoring {name}")
    axe_check(page)
    page.get_by_label("I commit to").fill(
        "Put your work in front of the leadership team every quarter."
    )
    page.get_by_label("We review this on").fill(
        str(timezone.localdate() + timezone.timedelta(days=120))
    )
    page.get_by_role("button", name="Save commitment").click()
    expect(page.get_by_text("Commitment saved")).to_be_visible()

    # 4. The sponsee acknowledges the commitment.
    _switch(page, live_server, nominee, "/mentoring/sponsorship/")
    axe_check(page)
    page.get_by_role("link", name="Please acknowledge it").click()
    page.get_by_role("button", name="Acknowledge this commitment").click()
    expect(page.get_by_text("You acknowledged the commitment.")).to_be_visible()
    axe_check(page)

    # 5. The sponsor logs an endorsement and nominates for a stretch assignment.
    _switch(page, live_server, sponsor, "/mentoring/sponsorship/")
    page.get_by_role("link", name=name).first.click()
    page.get_by_text("Log an advocacy action").click()
    page.get_by_label("What did you do?").select_option(label="Public endorsement")
    page.get_by_label("To whom").fill("Leadership team")
    page.get_by_label("Details").fill("Credited the launch to them in the QBR.")
    page.get_by_role("button", name="Log action").click()
    expect(
        page.get_by_text("The action was added to your advocacy log.")
    ).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Lead the pricing taskforce").click()
    axe_check(page)
    page.get_by_label("Your sponsee").select_option(value=str(nominee.pk))
    page.get_by_label("Why they fit").fill("Ran last year's pricing review.")
    page.get_by_role("button", name="Nominate").click()
    expect(
        page.get_by_text(f"{name} is nominated for Lead the pricing taskforce.")
    ).to_be_visible()
    assert AdvocacyAction.objects.filter(sponsee=nominee).count() == 2
    assert OpportunityNomination.objects.filter(nominee=nominee).exists()

    # 6. The sponsee adds evidence and sees the advocacy and the nomination.
    _switch(page, live_server, nominee, "/mentoring/sponsorship/evidence/")
    axe_check(page)
    page.get_by_label("Achievement").fill("Shipped the self-serve onboarding")
    page.get_by_label("Metric").fill("-35% time to first value")
    page.get_by_role("button", name="Add evidence").click()
    expect(page.get_by_text("Your evidence was added.")).to_be_visible()
    page.goto(live_server.url + "/mentoring/sponsorship/")
    received = page.get_by_role("region", name="Advocacy I received")
    expect(received).to_contain_text("Public endorsement")
    nominated = page.get_by_role("region", name="Opportunities I'm nominated for")
    expect(nominated).to_contain_text("Lead the pricing taskforce")
    axe_check(page)

    # 7. HR records the promotion.
    _switch(page, live_server, hr, "/admin/mentoring/career_outcomes/new/")
    page.get_by_label("Employee").select_option(value=str(nominee.pk))
    page.get_by_label("Outcome").select_option(label="Promotion")
    page.get_by_label("Date").fill(str(timezone.localdate()))
    page.get_by_label("Level after").fill("6")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_text(re.compile("created", re.I)).first).to_be_visible()
    outcome = CareerOutcome.objects.get(employee=nominee, kind="promotion")
    assert outcome.relationship is not None  # linked to the new sponsorship

    # 8. The equity report shows the effect, in aggregate, small groups hidden.
    _switch(page, live_server, admin, "/admin/mentoring/sponsorship_equity/")
    expect(page.get_by_role("heading", name="Gender")).to_be_visible()
    footer = page.locator("tfoot").first
    expect(footer).to_contain_text(str(promoted_before + 1))
    expect(page.get_by_text(re.compile("Suppressed")).first).to_be_visible()
    # A large enough group is shown with its numbers.
    expect(page.get_by_role("row", name=re.compile(r"^Woman \d+ ·"))).to_be_visible()
    assert name not in page.content()
