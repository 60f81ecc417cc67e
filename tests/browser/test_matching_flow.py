"""The matching panel end to end on the example intranet: an admin changes a
weight, runs matching, filters, approves, rejects, locks, pairs an unmatched
mentee by hand, re-runs (locks kept, rejection respected), publishes, and the
mentee sees the new relationship on "My mentoring".

Set WM_PANEL_SCREENSHOT=docs/matching-panel.png to refresh the README's picture.
"""

import os
import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from wagtail_mentoring.matching import runs
from wagtail_mentoring.matching.models import MatchProposal, ProgramMatchingSettings
from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.programs.models import ProgramPage

pytestmark = pytest.mark.browser

PASSWORD = "changeme"


def test_admin_matches_a_program_from_the_panel(
    page, live_server, demo_site, axe_check
):
    User = get_user_model()
    admin = User.objects.get(is_superuser=True)
    program = ProgramPage.objects.get(slug="engineering-mentoring")
    panel = f"/admin/mentoring/matching/{program.pk}/"

    # Open the panel from the Matching index.
    sign_in(
        page, live_server, admin.get_username(), PASSWORD, "/admin/mentoring/matching/"
    )
    page.get_by_role("link", name=program.title, exact=True).click()
    expect(page).to_have_url(re.compile(panel + "$"))
    expect(page.get_by_role("heading", name="Pool")).to_be_visible()
    axe_check(page)

    # Change a weight, preview, save.
    page.get_by_role("link", name="Edit weights and rules").click()
    page.get_by_label("Skills wanted and offered").fill("5")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("waiting mentees stay matchable")).to_be_visible()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Matching settings saved.")).to_be_visible()
    assert ProgramMatchingSettings.objects.get(program=program).weights["skills"] == 5

    # Run matching (Celery runs eagerly in the demo).
    page.get_by_role("button", name="Re-run matching").click()
    expect(page.get_by_text("Matching finished.")).to_be_visible()
    run = runs.current_run(program)
    assert run.params["weights"]["skills"] == 5
    assert run.proposals.filter(status="proposed").count() >= 4

    # Review: filter to proposed pairs scoring at least 1 %.
    page.get_by_role("link", name="Review proposals").click()
    page.goto(f"{live_server.url}{panel}proposals/?status=proposed&min_score=1")
    rows = page.locator("#listing-results table.listing > tbody > tr")
    expect(rows.first).to_be_visible()
    assert (
        rows.count() == run.proposals.filter(status="proposed", score__gte=0.01).count()
    )
    axe_check(page)

    # Approve two, reject one, lock one (the best pairs come first).
    ordered = list(run.proposals.filter(status="proposed").order_by("-score", "pk"))
    approve, approve2, reject, lock = ordered[:4]

    def act(label, proposal):
        page.get_by_role("button", name=f"{label} {proposal}", exact=True).click()
        expect(page.locator(".messages")).to_contain_text(str(proposal))

    act("Approve", approve)
    act("Approve", approve2)
    act("Reject", reject)
    act("Lock", lock)
    statuses = dict(MatchProposal.objects.values_list("pk", "status"))
    assert statuses[approve.pk] == statuses[approve2.pk] == "approved"
    assert statuses[reject.pk] == "rejected" and statuses[lock.pk] == "locked"

    # Search by name: only the pairs with that person remain.
    mentor_name = display_name(lock.mentor.user)
    expected = sum(
        mentor_name in (display_name(p.mentee.user), display_name(p.mentor.user))
        for p in run.proposals.select_related("mentee__user", "mentor__user")
    )
    page.goto(f"{live_server.url}{panel}proposals/")
    page.locator("#id_q").fill(mentor_name)
    expect(rows).to_have_count(expected)
    expect(page.locator("#listing-results table.listing > tbody")).to_contain_text(
        mentor_name
    )

    # Pair an unmatched mentee by hand.
    page.goto(live_server.url + panel)
    unmatched = page.locator("#wm-unmatched-section")
    unmatched.get_by_role("link", name=re.compile("^Pair by hand")).first.click()
    expect(page.get_by_role("heading", name="Pair by hand")).to_be_visible()
    axe_check(page)
    page.locator("input[name=mentor]").first.check()
    page.get_by_label("Justification").fill("They asked to work together.")
    page.get_by_role("button", name="Pair them").click()
    expect(page.get_by_text(re.compile(r"Paired .* \(approved\)"))).to_be_visible()
    manual = MatchProposal.objects.get(origin="manual")
    assert manual.status == "approved"

    # Re-run: locks and approvals kept, the rejected pair never comes back.
    page.get_by_role("button", name="Re-run matching").click()
    expect(page.get_by_text("Matching finished.")).to_be_visible()
    rerun = runs.current_run(program)
    assert rerun.pk != run.pk
    kept = dict(rerun.proposals.values_list("pk", "status"))
    assert kept[lock.pk] == "locked" and kept[approve.pk] == "approved"
    assert kept[manual.pk] == "approved" and kept[reject.pk] == "rejected"
    assert not rerun.proposals.filter(
        mentee=reject.mentee, mentor=reject.mentor, status="proposed"
    ).exists()

    if os.environ.get("WM_PANEL_SCREENSHOT"):
        page.set_viewport_size({"width": 1280, "height": 1000})
        page.goto(f"{live_server.url}{panel}proposals/")
        page.screenshot(path=os.environ["WM_PANEL_SCREENSHOT"], full_page=False)
        page.goto(live_server.url + panel)

    # Publish with an edited message.
    page.get_by_role("link", name=re.compile(r"^Publish \d+ approved pair")).click()
    page.get_by_label("Message to both people").fill("Welcome! Meet this week.")
    page.get_by_role("button", name="Publish and send emails").click()
    expect(page.get_by_text(re.compile(r"\d+ pairs? published"))).to_be_visible()
    approve.refresh_from_db()
    assert approve.status == "published" and approve.relationship_id

    # The mentee sees the new relationship on "My mentoring".
    mentee = approve.mentee.user
    page.context.clear_cookies()
    sign_in(page, live_server, mentee.get_username(), PASSWORD, "/mentoring/")
    expect(page.get_by_text(display_name(approve.mentor.user)).first).to_be_visible()
    axe_check(page)


def test_panel_follows_a_running_run_without_reloading_by_hand(
    page, live_server, demo_site, axe_check
):
    from django.utils import timezone

    from wagtail_mentoring.matching.models import MatchingRun

    admin = get_user_model().objects.get(is_superuser=True)
    program = ProgramPage.objects.get(slug="engineering-mentoring")
    running = MatchingRun.objects.create(
        program=program, status="running", stage="solving", params={}
    )
    sign_in(
        page,
        live_server,
        admin.get_username(),
        PASSWORD,
        f"/admin/mentoring/matching/{program.pk}/",
    )
    status = page.get_by_role("status").filter(has_text="Finding the best pairs")
    expect(status).to_be_visible()
    expect(page.get_by_role("button", name="Re-run matching")).to_be_disabled()
    # The worker finishes: the panel notices and shows the result by itself.
    MatchingRun.objects.filter(pk=running.pk).update(
        status="failed", error="The worker stopped.", finished_at=timezone.now()
    )
    expect(page.get_by_role("alert")).to_contain_text("The worker stopped.")
    expect(page.get_by_role("button", name="Re-run matching")).to_be_enabled()
