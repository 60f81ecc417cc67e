"""A peer program in the matching panel: the demo's members matched with each
other, reviewed and approved by an admin, with axe on each screen."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from wagtail_mentoring.matching import runs
from wagtail_mentoring.matching.models import ProposalStatus
from wagtail_mentoring.programs.models import ProgramPage

pytestmark = pytest.mark.browser

PASSWORD = "changeme"


def test_admin_matches_a_peer_program_from_the_panel(
    page, live_server, demo_site, axe_check
):
    admin = get_user_model().objects.get(is_superuser=True)
    program = ProgramPage.objects.get(slug="peer-coaching-exchange")
    panel = f"/admin/mentoring/matching/{program.pk}/"
    sign_in(page, live_server, admin.get_username(), PASSWORD, panel)
    expect(page.get_by_role("heading", name="Pool")).to_be_visible()
    expect(page.get_by_text("Members waiting", exact=True)).to_be_visible()
    expect(page.get_by_text("with room")).to_have_count(0)  # one side only
    axe_check(page)

    page.get_by_role("button", name="Re-run matching").click()
    expect(page.get_by_text("Matching finished.")).to_be_visible()
    run = runs.current_run(program)
    proposed = list(run.proposals.filter(status="proposed").order_by("-score", "pk"))
    assert proposed and run.stats["optimal"] is True
    members = [p.mentee.user_id for p in proposed] + [
        p.mentor.user_id for p in proposed
    ]
    assert len(members) == len(set(members))  # each member in one pair at most

    page.goto(f"{live_server.url}{panel}proposals/?status=proposed")
    expect(page.get_by_role("columnheader", name="Peer partner")).to_be_visible()
    axe_check(page)
    best = proposed[0]
    page.get_by_role("button", name=f"Approve {best}", exact=True).click()
    expect(page.locator(".messages")).to_contain_text(str(best))
    best.refresh_from_db()
    assert best.status == ProposalStatus.APPROVED
    expect(page).to_have_url(re.compile(re.escape(panel)))
