"""The leaks a careful reviewer found, each closed for good.

The authorization matrix (test_authorization_matrix.py) covers every URL; these
tests replay the reported cases one by one, and the services refusing an actor
when called directly, without any view in front of them.
"""

from __future__ import annotations

from datetime import timedelta

import lxml.html
import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone
from wagtail.models import GroupPagePermission

from tests.factories import make_enrollment, make_user
from wagtail_mentoring.engagement import services as engagement
from wagtail_mentoring.engagement.models import MentorRequest
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.programs import services as programs
from wagtail_mentoring.programs.models import (
    Enrollment,
    EnrollmentStatus,
    MatchingMode,
    ProgramPage,
    Relationship,
)
from wagtail_mentoring.sponsorship import services as sponsorship
from wagtail_mentoring.sponsorship.models import (
    OpportunityNomination,
    OpportunityNominationStatus,
)

pytestmark = pytest.mark.django_db

APPROVED = EnrollmentStatus.APPROVED
PROFILE = {"level": 3, "department": "Engineering", "languages": ["en"]}


@pytest.fixture
def theirs(other_program):
    """An application to *another* program, with a private decision note."""
    return make_enrollment(
        make_user("tina", profile=dict(PROFILE)),
        other_program,
        motivation="Their private motivation",
        decision_note="Their private note",
    )


def _refused(response) -> bool:
    # Not found, forbidden, or Wagtail's "no permission" bounce to the admin home.
    return response.status_code in (403, 404) or (
        response.status_code == 302
        and response["Location"] == reverse("wagtailadmin_home")
    )


def test_another_programs_application_is_not_found_in_every_admin_view(
    client, program_admin, theirs
):
    client.force_login(program_admin)
    for view in ("edit", "history", "usage", "inspect", "delete"):
        url = reverse(f"wm_applications:{view}", args=[theirs.pk])
        response = client.get(url)
        assert _refused(response), view
        assert "Their private" not in response.content.decode()
    response = client.post(
        reverse("wm_applications:edit", args=[theirs.pk]),
        {"decision_note": "Overwritten"},
    )
    assert _refused(response)
    theirs.refresh_from_db()
    assert theirs.decision_note == "Their private note"


def test_own_programs_application_is_view_only_in_the_generic_admin(
    client, program, program_admin
):
    mine = make_enrollment(make_user(profile=dict(PROFILE)), program)
    client.force_login(program_admin)
    assert (
        client.get(reverse("wm_applications:inspect", args=[mine.pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("wm_applications:history", args=[mine.pk])).status_code
        == 200
    )
    # Deciding is a business action (the bulk approve/decline), not an edit.
    response = client.post(
        reverse("wm_applications:edit", args=[mine.pk]), {"decision_note": "x"}
    )
    assert _refused(response)
    mine.refresh_from_db()
    assert mine.decision_note == ""


def _edit_form_data(html: str) -> dict:
    """Every field of the page editor's form, as a browser would submit it."""
    form = lxml.html.fromstring(html).get_element_by_id("page-edit-form")
    data = dict(form.form_values())
    # Stream fields are drawn by the editor's JavaScript; submit them empty.
    for name in ("intro", "application_questions", "conversation_prompts"):
        data[f"{name}-count"] = "0"
    data["action-publish"] = "action-publish"
    return data


def _page_editors(name, hub, *perms):
    group = Group.objects.create(name=name)
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for perm in perms:
        app_label, codename = perm.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=group,
            page=hub,
            permission=Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            ),
        )
    return group


def test_a_page_moderator_cannot_make_themselves_program_admin(client, hub, program):
    moderators = _page_editors("Intranet moderators", hub)
    moderator = make_user("mo", groups=[moderators])
    original = program.admin_group
    client.force_login(moderator)
    edit_url = reverse("wagtailadmin_pages:edit", args=[program.pk])
    page = client.get(edit_url)
    assert page.status_code == 200
    html = page.content.decode()
    # Shown read-only, so they know who administers it, but not a form field.
    assert 'name="admin_group"' not in html
    assert original.name in html
    data = _edit_form_data(html)
    data["admin_group"] = str(moderators.pk)
    response = client.post(edit_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    program = ProgramPage.objects.get(pk=program.pk)
    assert program.live and program.admin_group_id == original.pk


def test_hr_may_choose_the_program_administrators(client, hub, program):
    hr_editors = _page_editors(
        "HR editors", hub, "wagtail_mentoring.administer_all_programs"
    )
    hr = make_user("hr", groups=[hr_editors])
    new_admins = Group.objects.create(name="New admins")
    client.force_login(hr)
    edit_url = reverse("wagtailadmin_pages:edit", args=[program.pk])
    html = client.get(edit_url).content.decode()
    assert 'name="admin_group"' in html
    data = _edit_form_data(html)
    data["admin_group"] = str(new_admins.pk)
    assert client.post(edit_url, data).status_code == 302
    assert ProgramPage.objects.get(pk=program.pk).admin_group_id == new_admins.pk


def test_a_former_sponsor_sees_only_evidence_from_while_it_lasted(
    client, sponsorship, sponsor, sponsee
):
    sponsorship_id = sponsorship.pk
    sponsorship_services = sponsorship_module()
    sponsorship_services.add_evidence(sponsee, achievement="Led the migration")
    engagement.end_relationship(sponsorship, sponsee, reason="Changed teams")
    later = sponsorship_services.add_evidence(sponsee, achievement="Promoted later")
    # Evidence added after the end, even if backdated by a clock skew, stays out.
    assert later.created_at > Relationship.objects.get(pk=sponsorship_id).ended_at
    client.force_login(sponsor)
    pages = (
        client.get(
            reverse("wagtail_mentoring:sponsorship_detail", args=[sponsorship_id])
        ).content.decode()
        + client.get(reverse("wagtail_mentoring:sponsorship")).content.decode()
    )
    assert "Led the migration" in pages
    assert "Promoted later" not in pages


def sponsorship_module():
    return sponsorship


@pytest.fixture
def self_select_program(program):
    program.matching_mode = MatchingMode.SELF_SELECT
    program.save()
    return program


def _request(program):
    mentee = make_enrollment(
        make_user("mia", profile=dict(PROFILE)), program, status=APPROVED
    )
    mentor = make_enrollment(
        make_user("max", profile=dict(PROFILE, level=7)),
        program,
        "mentor",
        status=APPROVED,
        capacity=2,
    )
    return engagement.send_request(mentee, mentor, mentee.user), mentee, mentor


def test_request_services_refuse_any_other_actor(self_select_program, employee):
    request, mentee, mentor = _request(self_select_program)
    stranger = employee
    for service in (engagement.accept_request, engagement.decline_request):
        with pytest.raises(MentoringError):
            service(request, stranger)
        with pytest.raises(MentoringError):
            service(request, mentee.user)  # the mentee cannot answer for the mentor
    with pytest.raises(MentoringError):
        engagement.withdraw_request(request, stranger)
    with pytest.raises(MentoringError):
        engagement.withdraw_request(request, mentor.user)
    other_mentor = make_enrollment(
        make_user("mo2", profile=dict(PROFILE, level=7)),
        self_select_program,
        "mentor",
        status=APPROVED,
    )
    with pytest.raises(MentoringError):
        engagement.send_request(mentee, other_mentor, stranger)
    request.refresh_from_db()
    assert request.status == "pending"
    assert MentorRequest.objects.count() == 1
    assert not Relationship.objects.exists()
    # The right people still can.
    relationship = engagement.accept_request(request, mentor.user)
    assert relationship.members.count() == 2


def test_application_services_refuse_any_other_actor(
    program, employee, other_employee, other_program_admin, program_admin
):
    pending = make_enrollment(other_employee, program)
    with pytest.raises(MentoringError):
        programs.withdraw_application(pending, employee)
    with pytest.raises(MentoringError):
        programs.approve_enrollment(pending, other_program_admin)
    with pytest.raises(MentoringError):
        programs.approve_enrollment(pending, employee)
    with pytest.raises(MentoringError):
        programs.apply_to_program(employee, program, "mentee", by=other_employee)
    pending.refresh_from_db()
    assert pending.status == EnrollmentStatus.PENDING
    assert not Enrollment.objects.filter(user=employee).exists()
    assert programs.approve_enrollment(pending, program_admin).status == APPROVED


def test_a_relationship_is_started_by_an_admin_or_its_mentor_only(
    program, employee, other_employee
):
    mentee, mentor = employee, other_employee
    with pytest.raises(MentoringError):
        programs.start_relationship(
            program, [(mentee, "mentee"), (mentor, "mentor")], mentee
        )
    with pytest.raises(MentoringError):
        programs.start_relationship(
            program, [(mentee, "mentee"), (mentor, "mentor")], make_user()
        )
    assert not Relationship.objects.exists()
    assert programs.start_relationship(
        program, [(mentee, "mentee"), (mentor, "mentor")], mentor
    )


def test_opportunity_decisions_only_by_its_poster_or_program_admins(
    sponsorship, sponsor, sponsee, sponsorship_admin, other_program_admin
):
    opportunity = sponsorship_module().post_opportunity(
        sponsorship.program,
        sponsorship_admin,
        title="Lead the guild",
        deadline=timezone.localdate() + timedelta(days=10),
    )
    nomination = sponsorship_module().nominate_for_opportunity(
        opportunity, sponsee, sponsor, note="Ready"
    )
    for intruder in (sponsee, other_program_admin, make_user()):
        with pytest.raises(MentoringError):
            sponsorship_module().decide_opportunity_nomination(
                nomination, intruder, status="selected"
            )
        with pytest.raises(MentoringError):
            sponsorship_module().update_opportunity(opportunity, intruder, title="Mine")
    nomination.refresh_from_db()
    opportunity.refresh_from_db()
    assert nomination.status == OpportunityNominationStatus.NOMINATED
    assert opportunity.title == "Lead the guild"
    decided = sponsorship_module().decide_opportunity_nomination(
        nomination, sponsorship_admin, status="selected"
    )
    assert OpportunityNomination.objects.get(pk=decided.pk).status == "selected"


def test_the_profile_chooser_offers_page_editors_public_mentors_only(
    client, program, employee
):
    mentor = make_user("martha", profile=dict(PROFILE, title="Staff engineer"))
    make_enrollment(mentor, program, "mentor", status=APPROVED, capacity=1)
    editor = make_user("ed", admin_access=True)
    steward = make_user(
        "stew",
        admin_access=True,
        perms=["wagtail_mentoring.view_employeeprofile"],
    )
    choose = reverse("wm_profile_chooser:choose_results")
    client.force_login(editor)
    body = client.get(choose).content.decode()
    assert "Martha" in body and "Erin" not in body
    chosen = reverse("wm_profile_chooser:chosen", args=[employee.mentoring_profile.pk])
    assert client.get(chosen).status_code == 404
    client.force_login(steward)
    body = client.get(choose).content.decode()
    assert "Martha" in body and "Erin" in body
    client.force_login(employee)  # no admin access at all
    assert client.get(choose).status_code == 302


def test_history_lists_the_objects_entries_whatever_their_ids(
    client, program, program_admin
):
    # Log entries get ids of their own: the scoped history must not mistake
    # them for the object's id (it once filtered entries by the object's scope).
    for _ in range(5):  # log entries of other objects come first
        mentor = make_user(profile=dict(PROFILE))
        programs.start_relationship(
            program, [(make_user(), "mentee"), (mentor, "mentor")], mentor
        )
    application = make_enrollment(make_user(profile=dict(PROFILE)), program)
    programs.approve_enrollment(application, program_admin)
    client.force_login(program_admin)
    history = client.get(reverse("wm_applications:history", args=[application.pk]))
    assert b"Approved an application" in history.content
