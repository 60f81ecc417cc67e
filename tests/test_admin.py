"""The Wagtail admin: menu, Applications and Participants, bulk decisions."""

import csv
import io

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from tests.factories import make_enrollment, make_user
from wagtail_mentoring.programs.models import EnrollmentStatus

pytestmark = pytest.mark.django_db

INDEX = "wm_applications:index"


def _bulk_url(action, ids, **extra):
    url = reverse(
        "wagtail_bulk_action", args=("wagtail_mentoring", "enrollment", action)
    )
    query = "&".join([f"id={i}" for i in ids] + [f"{k}={v}" for k, v in extra.items()])
    return f"{url}?{query}"


def _menu_labels(client):
    response = client.get(reverse("wagtailadmin_home"))
    return response.content.decode()


def test_menu_is_shown_only_to_people_who_may_use_it(
    client, employee, program_admin, superuser
):
    employee_admin = make_user("edith", admin_access=True)
    client.force_login(employee_admin)
    assert '"Mentoring"' not in _menu_labels(client)
    assert client.get(reverse(INDEX)).status_code == 302  # denied → admin home
    client.force_login(program_admin)
    html = _menu_labels(client)
    assert '"Mentoring"' in html and '"Applications"' in html
    assert '"Participants"' not in html  # no profile permission
    client.force_login(superuser)
    assert '"Participants"' in _menu_labels(client)


@pytest.mark.parametrize("who", ["anonymous", "employee"])
def test_non_admins_cannot_reach_admin_urls(client, who, employee, program):
    enrollment = make_enrollment(employee, program)
    if who == "employee":
        client.force_login(employee)
    urls = [
        reverse(INDEX),
        reverse("wm_applications:inspect", args=[enrollment.pk]),
        reverse("wm_participants:index"),
        _bulk_url("approve", [enrollment.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (302, 403), url
    response = client.post(_bulk_url("approve", [enrollment.pk]))
    assert response.status_code in (302, 403)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.PENDING


def test_program_admin_sees_only_their_programs(
    client, program, other_program, program_admin, employee, other_employee
):
    mine = make_enrollment(employee, program)
    theirs = make_enrollment(other_employee, other_program)
    client.force_login(program_admin)
    response = client.get(reverse(INDEX))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Erin" in body and "Oscar" not in body
    assert (
        client.get(reverse("wm_applications:inspect", args=[mine.pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("wm_applications:inspect", args=[theirs.pk])).status_code
        == 404
    )


def test_filters_search_and_export(
    client, program, superuser, employee, other_employee
):
    make_enrollment(employee, program, role="mentee")
    make_enrollment(other_employee, program, role="mentor", capacity=2)
    client.force_login(superuser)
    body = client.get(reverse(INDEX), {"role": "mentor"}).content.decode()
    assert "Oscar" in body and "Erin" not in body
    body = client.get(reverse(INDEX), {"department": "Sales"}).content.decode()
    assert "Oscar" in body and "Erin" not in body
    body = client.get(reverse(INDEX), {"q": "oscar"}).content.decode()
    assert "Oscar" in body and "Erin" not in body
    response = client.get(reverse(INDEX), {"export": "csv", "role": "mentor"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["Applicant", "Program", "Role", "Status"]
    assert len(rows) == 2
    assert rows[1][0] == "Oscar Tester" and rows[1][2] == "Mentor"


@pytest.mark.parametrize("who", ["superuser", "program_admin"])
def test_listing_query_count_is_constant(
    client, program, who, request, django_assert_max_num_queries
):
    for _ in range(3):
        make_enrollment(make_user(profile={"department": "Ops"}), program)
    client.force_login(request.getfixturevalue(who))
    with django_assert_max_num_queries(60) as small:
        client.get(reverse(INDEX))
    for _ in range(20):
        make_enrollment(make_user(profile={"department": "Ops"}), program)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse(INDEX))
    assert response.content.decode().count("data-bulk-action-checkbox ") == 23


def test_bulk_approve_through_the_admin(
    client,
    program,
    program_admin,
    employee,
    other_employee,
    django_capture_on_commit_callbacks,
):
    from django.core import mail

    first = make_enrollment(employee, program)
    second = make_enrollment(other_employee, program)
    client.force_login(program_admin)
    url = _bulk_url("approve", [first.pk, second.pk], next=reverse(INDEX))
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert b"Erin Tester" in confirm.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"note": "Welcome aboard"})
    assert response.status_code == 302
    for enrollment in (first, second):
        enrollment.refresh_from_db()
        assert enrollment.status == EnrollmentStatus.APPROVED
        assert enrollment.decided_by == program_admin
    assert len(mail.outbox) == 2
    assert ModelLogEntry.objects.filter(action="wagtail_mentoring.approve").count() == 2
    for enrollment in (first, second):
        history = client.get(reverse("wm_applications:history", args=[enrollment.pk]))
        assert b"Approved an application" in history.content


def test_bulk_decline_skips_other_programs_and_decided(
    client, program, other_program, program_admin, employee, other_employee
):
    mine = make_enrollment(employee, program)
    decided = make_enrollment(make_user(), program, status=EnrollmentStatus.APPROVED)
    theirs = make_enrollment(other_employee, other_program)
    client.force_login(program_admin)
    url = _bulk_url("decline", [mine.pk, decided.pk, theirs.pk])
    confirm = client.get(url)
    # Another program's application is neither listed nor named.
    assert b"Oscar" not in confirm.content
    assert b"already decided" in confirm.content
    client.post(url, {"note": ""})
    mine.refresh_from_db()
    decided.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == EnrollmentStatus.DECLINED
    assert decided.status == EnrollmentStatus.APPROVED
    assert theirs.status == EnrollmentStatus.PENDING


def test_select_all_respects_scope_and_filters(
    client, program, other_program, program_admin, employee, other_employee
):
    mentee = make_enrollment(employee, program, role="mentee")
    mentor = make_enrollment(make_user(), program, role="mentor", capacity=1)
    theirs = make_enrollment(other_employee, other_program)
    client.force_login(program_admin)
    client.post(_bulk_url("approve", ["all"], role="mentee"), {"note": ""})
    statuses = {
        e.pk: e.status for e in (mentee, mentor, theirs) if not e.refresh_from_db()
    }
    assert statuses == {
        mentee.pk: EnrollmentStatus.APPROVED,
        mentor.pk: EnrollmentStatus.PENDING,
        theirs.pk: EnrollmentStatus.PENDING,
    }


def test_inspect_shows_answers_escaped(client, program, superuser, employee):
    enrollment = make_enrollment(
        employee, program, motivation="<script>alert(1)</script>"
    )
    client.force_login(superuser)
    response = client.get(reverse("wm_applications:inspect", args=[enrollment.pk]))
    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;" in response.content


def test_participants_listing_hides_inactive_users(client, superuser, employee):
    make_user("ghost", active=False, profile={"department": "Ops"})
    client.force_login(superuser)
    body = client.get(reverse("wm_participants:index")).content.decode()
    assert "Erin" in body and "Ghost" not in body
    assert client.get(reverse("wm_participants:add")).status_code == 302


def test_custom_permissions_appear_in_the_groups_editor(client, superuser):
    from django.contrib.auth.models import Group

    group = Group.objects.create(name="HR")
    client.force_login(superuser)
    body = client.get(reverse("wagtailusers_groups:edit", args=[group.pk])).content
    assert b"Can administer every mentoring program" in body
    assert b"Can view aggregated equity and fairness reports" in body


def test_administer_all_permission_grants_every_program(
    client, program, other_program, employee, other_employee
):
    make_enrollment(employee, program)
    make_enrollment(other_employee, other_program)
    hr = make_user(
        "hilda",
        admin_access=True,
        perms=["wagtail_mentoring.administer_all_programs"],
    )
    client.force_login(hr)
    body = client.get(reverse(INDEX)).content.decode()
    assert "Erin" in body and "Oscar" in body
