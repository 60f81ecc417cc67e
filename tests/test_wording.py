"""Program admins word notifications their own way: per program and for all
programs, checked so a broken wording is never saved, previewed with sample
values, reset to the default; the emails people get use it (digests too), and
a digest keeps what the grouped emails carried (a meeting's .ics)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from icalendar import Calendar
from wagtail.models import ModelLogEntry

from tests.engagement_helpers import pair, soon
from tests.factories import make_user
from wagtail_mentoring.engagement import services
from wagtail_mentoring.notifications.models import (
    Delivery,
    DeliveryStatus,
    NotificationWording,
)
from wagtail_mentoring.notifications.services import send_digests, update_preferences
from wagtail_mentoring.people.users import display_name, user_email

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_now")]

INVITE = "meeting_invite"


def _edit_url(program, kind=INVITE):
    scope = "all" if program is None else program.pk
    return reverse("wm_wording:edit", args=[scope, kind])


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _save(user, program, subject, body, kind=INVITE):
    return _client(user).post(
        _edit_url(program, kind), {"subject": subject, "body": body, "action": "save"}
    )


def _meet(relationship, by, title="First chat"):
    mail.outbox.clear()
    return services.schedule_meeting(
        relationship,
        by,
        title=title,
        starts_at=soon(3, 9),
        duration_minutes=30,
        timezone_name="Europe/Berlin",
        location="",
        agenda="",
    )


def _to(user):
    return next(m for m in mail.outbox if m.to == [user_email(user)])


@pytest.fixture
def relationship(program, employee, other_employee):
    return pair(program, employee, other_employee)


def test_the_programs_wording_is_in_the_email_people_get(
    relationship, program_admin, employee, other_employee
):
    response = _save(
        program_admin,
        relationship.program,
        "Let's meet, {recipient_name}: {meeting_title}",
        "Hi {recipient_name},\n\n{program_name} booked “{meeting_title}” "
        "for {meeting_time}.\n\nDetails: {link}",
    )
    assert response.status_code == 302
    # A title with markup reaches the email as text, never as markup.
    _meet(relationship, employee, title="<script>alert(1)</script> Intro")

    message = _to(other_employee)
    name = display_name(other_employee)
    assert message.subject == f"Let's meet, {name}: <script>alert(1)</script> Intro"
    assert f"Hi {name}," in message.body
    assert "Engineering Mentoring booked “<script>alert(1)</script> Intro”" in (
        message.body
    )
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Intro" in html
    assert "/mentoring/" in html and "<a href=" in html
    # The footer (unsubscribe) and the invitation are still there.
    assert "unsubscribe" in message.body.lower()
    ((filename, content, _mime),) = message.attachments
    assert Calendar.from_ical(content).walk("VEVENT")


def test_without_a_wording_the_built_in_email_is_sent(relationship, employee):
    _meet(relationship, employee)
    builtin = _to(employee).subject
    assert "{" not in builtin and builtin  # the built-in template's subject
    assert not NotificationWording.objects.exists()


def test_a_programs_wording_wins_over_the_site_wide_one(
    relationship, other_program, program_admin, superuser, employee
):
    other_pair = pair(other_program)
    assert _save(superuser, None, "All: {meeting_title}", "Hello").status_code == 302
    assert _save(program_admin, relationship.program, "Ours", "Hi").status_code == 302

    _meet(relationship, employee)
    assert {m.subject for m in mail.outbox} == {"Ours"}
    member = other_pair.members.first().user
    _meet(other_pair, member)
    assert {m.subject for m in mail.outbox} == {"All: First chat"}


def test_reset_goes_back_to_the_default_and_is_audited(
    relationship, program_admin, employee
):
    _save(program_admin, relationship.program, "Custom {meeting_title}", "Body")
    wording = NotificationWording.objects.get()
    assert ModelLogEntry.objects.filter(
        action="wagtail_mentoring.wording.save", object_id=str(wording.pk)
    ).exists()

    response = _client(program_admin).post(
        reverse("wm_wording:reset", args=[relationship.program.pk, INVITE])
    )
    assert response.status_code == 302
    assert not NotificationWording.objects.exists()
    entry = ModelLogEntry.objects.get(action="wagtail_mentoring.wording.reset")
    assert entry.user_id == program_admin.pk
    _meet(relationship, employee)
    assert not any(m.subject.startswith("Custom") for m in mail.outbox)


@pytest.mark.parametrize(
    "subject,body,error",
    [
        ("Hi {mentee_nme}", "Body", "Unknown placeholder {mentee_nme}"),
        ("Hi", "Hello {recipient_name", "Unbalanced braces"),
        ("Hi", "Hello } there", "Unbalanced braces"),
        ("Hi", "{recipient_name.password}", "Unknown placeholder"),
        ("Hi", "{0}", "Unknown placeholder {0}"),
        ("Hi", "{link!r}", "without “:” or “!”"),
        ("Hi", "<script>alert(1)</script>", "without HTML tags"),
        ("Hi", '<a href="https://evil.example">x</a>', "without HTML tags"),
        ("", "Body", "This field is required"),
        ("Hi", "", "This field is required"),
    ],
)
def test_a_broken_wording_is_refused_and_nothing_changes(
    program, program_admin, subject, body, error
):
    _save(program_admin, program, "Before {meeting_title}", "Kept")
    before = list(NotificationWording.objects.values())
    entries = ModelLogEntry.objects.count()

    response = _save(program_admin, program, subject, body)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert list(NotificationWording.objects.values()) == before
    assert ModelLogEntry.objects.count() == entries


def test_preview_renders_sample_values_and_saves_nothing(program, program_admin):
    response = _client(program_admin).post(
        _edit_url(program, "pair_nudge"),
        {
            "subject": "Time to meet {partner_names}",
            "body": "You have not met for {quiet_days} days.\n\n{prompts}",
            "action": "preview",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Time to meet Jonas Lindqvist" in page
    assert "You have not met for 32 days." in page
    assert "What would you like to be doing in three years?" in page
    assert not NotificationWording.objects.exists()
    # The editor documents each placeholder of the kind.
    for name in ("{partner_names}", "{quiet_days}", "{prompts}", "{program_name}"):
        assert name in page


def test_who_may_edit_which_wording(
    program, other_program, program_admin, other_program_admin, employee, superuser
):
    theirs = _client(other_program_admin)
    assert theirs.get(_edit_url(program)).status_code == 404
    assert _save(other_program_admin, program, "Hijack", "x").status_code == 404
    assert (
        theirs.post(reverse("wm_wording:reset", args=[program.pk, INVITE])).status_code
        == 404
    )
    # Only admins of every program word the site-wide default.
    assert _client(program_admin).get(_edit_url(None)).status_code == 404
    assert _save(program_admin, None, "All", "x").status_code == 404
    assert not NotificationWording.objects.exists()
    # Someone without admin access never reaches the screens.
    assert _client(employee).get(reverse("wm_wording:index")).status_code in (302, 403)
    # The index lists only what one may edit.
    page = _client(program_admin).get(reverse("wm_wording:index")).content.decode()
    assert program.title in page and other_program.title not in page
    assert "All programs" not in page
    page = _client(superuser).get(reverse("wm_wording:index")).content.decode()
    assert "All programs" in page and other_program.title in page
    # A kind about several programs has a site-wide wording only.
    assert (
        _client(program_admin).get(_edit_url(program, "admin_at_risk")).status_code
        == 404
    )
    assert _client(superuser).get(_edit_url(None, "admin_at_risk")).status_code == 200


def test_a_digest_uses_the_wording_and_keeps_the_invitation(
    relationship, program_admin, employee, other_employee
):
    update_preferences(employee, by=employee, activity="daily", digest_hour=0)
    _save(program_admin, relationship.program, "Meet: {meeting_title}", "Body")
    _meet(relationship, other_employee, title="Roadmap talk")
    held = Delivery.objects.get(recipient=employee, kind="meeting")
    assert held.status == DeliveryStatus.HELD
    mail.outbox.clear()

    assert send_digests() == 1

    (digest,) = mail.outbox
    assert "Meet: Roadmap talk" in digest.body
    ((filename, content, mimetype),) = digest.attachments
    assert filename.endswith(".ics") and mimetype.startswith("text/calendar")
    (event,) = Calendar.from_ical(content).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Roadmap talk"
    # Sent: the words and the attachment are dropped from the log.
    held.refresh_from_db()
    assert held.status == DeliveryStatus.DIGESTED and held.attachments == []
    assert Delivery.objects.get(pk=held.digest_id).attachments == []


def test_every_default_wording_passes_its_own_checks():
    from wagtail_mentoring.notifications.wording import KINDS, check_wording

    for kind in KINDS.values():
        check_wording(kind.key, kind.subject, kind.body)


def test_a_new_admin_without_groups_sees_no_wording_screen(program):
    outsider = make_user("nadia", admin_access=True)
    assert _client(outsider).get(reverse("wm_wording:index")).status_code in (
        302,
        403,
    )


def test_the_periodic_nudge_uses_the_programs_wording(program, program_admin):
    from datetime import timedelta

    from django.utils import timezone

    from wagtail_mentoring.engagement.nudges import jobs

    program.conversation_prompts = [("prompt", "What energised you this month?")]
    program.save()
    relationship = pair(program)
    _save(
        program_admin,
        program,
        "{quiet_days} days, {partner_names}!",
        "Plan it here: {link}\n\nIdeas:\n{prompts}",
        kind="pair_nudge",
    )
    mail.outbox.clear()

    assert jobs.nudge_quiet_pairs(timezone.now() + timedelta(days=22)) == 2

    mentee, mentor = [m.user for m in relationship.members.order_by("role")]
    message = _to(mentee)
    assert message.subject == f"22 days, {display_name(mentor)}!"
    schedule = reverse("wagtail_mentoring:meeting_new", args=[relationship.pk])
    assert f"Plan it here: http://testserver{schedule}" in message.body
    assert "- What energised you this month?" in message.body
