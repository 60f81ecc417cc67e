"""Words and details people notice: names without stray commas, one full
stop after a time, capitalised labels, a meeting list that says its window,
a Withdraw button only where withdrawing works, one apply box, headings in
order, nominations spoken of as nominations, and the demo's favicon."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_enrollment, make_user
from tests.journey_data import (
    STEP_GOAL,
    STEP_REFLECT,
    make_journey,
    step,
    three_steps,
)
from wagtail_mentoring.engagement.services import schedule_meeting
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.programs.forms import ProfileForm
from wagtail_mentoring.programs.models import Enrollment, EnrollmentStatus
from wagtail_mentoring.programs.services import (
    start_relationship,
    withdraw_application,
)
from wagtail_mentoring.sponsorship.models import ReadinessEvidence
from wagtail_mentoring.sponsorship.services import nominate

pytestmark = pytest.mark.django_db

MY_MENTORING = "wagtail_mentoring:my_mentoring"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def test_a_card_lists_partners_without_a_trailing_comma(
    client, program, employee, other_employee
):
    # Cards list members by role, so a mentor (or sponsor) comes after their
    # partner: the comma used to be written for the viewer, who is skipped.
    start_relationship(
        program, [(employee, "mentee"), (other_employee, "mentor")], other_employee
    )
    client.force_login(other_employee)
    body = client.get(reverse(MY_MENTORING)).content.decode()
    card = re.search(r'<h3><a href="[^"]*/relationships/\d+/">(.*?)</a></h3>', body)
    assert card is not None
    assert _text(card.group(1)) == employee.get_full_name()


def test_a_time_that_ends_a_sentence_gets_one_full_stop(client, program):
    closes = timezone.make_aware(datetime(2031, 3, 4, 13, 4))
    program.enrollment_closes_at = closes
    program.save()
    body = client.get(program.url).content.decode()
    assert "Applications close on" in body
    assert "p.m.." not in body
    assert re.search(r"Applications close on [^<]*1:04 p\.m\.<", body)
    stop = Template("{% load mentoring_tags %}{{ when|before_full_stop }}.")
    for when, sentence_end in (
        ("Dec. 4, 2026, 1:04 p.m.", "1:04 p.m."),
        ("4 December 2026 13:04", "13:04."),
    ):
        assert stop.render(Context({"when": when})).endswith(sentence_end)


def test_profile_labels_are_capitalised():
    labels = {name: str(field.label) for name, field in ProfileForm().fields.items()}
    assert labels["languages"] == "Languages"
    assert labels["availability"] == "Availability"


def test_program_settings_label_is_capitalised(client, superuser, program):
    client.force_login(superuser)
    body = client.get(reverse("wagtailadmin_pages:edit", args=[program.pk])).content
    assert b"Roles people may apply for" in body
    assert b">roles people may apply for" not in body


def test_meetings_of_the_next_seven_days_say_so(
    client, program, employee, other_employee
):
    relationship = start_relationship(
        program, [(employee, "mentee"), (other_employee, "mentor")], other_employee
    )
    schedule_meeting(
        relationship,
        employee,
        title="Six days from now",
        starts_at=timezone.now() + timedelta(days=6),
    )
    client.force_login(employee)
    body = client.get(reverse(MY_MENTORING)).content.decode()
    assert "Six days from now" in body
    assert "Meetings in the next 7 days" in body
    assert "this week" not in body


def test_withdraw_is_offered_only_where_withdrawing_works(
    client, program, other_program, employee, other_employee
):
    waiting = make_enrollment(employee, other_program)
    matched = make_enrollment(employee, program, status=EnrollmentStatus.APPROVED)
    start_relationship(
        program, [(employee, "mentee"), (other_employee, "mentor")], other_employee
    )
    client.force_login(employee)
    body = client.get(reverse(MY_MENTORING)).content.decode()
    assert f'applications/{waiting.pk}/withdraw/"' in body
    assert f'applications/{matched.pk}/withdraw/"' not in body
    # The button and the service ask the same question.
    assert waiting.can_withdraw and not matched.can_withdraw
    with pytest.raises(MentoringError) as refused:
        withdraw_application(matched, employee)
    assert refused.value.code == "matched"
    assert Enrollment.objects.get(pk=matched.pk).status == EnrollmentStatus.APPROVED


def test_a_join_box_in_the_introduction_is_the_only_apply_box(
    client, program, employee
):
    apply_link = f'href="{program.url}apply/"'
    assert client.get(program.url).content.decode().count(apply_link) == 1
    program.intro = [("join", {"heading": "Ready?", "button_label": "Apply now"})]
    program.save()
    body = client.get(program.url).content.decode()
    assert body.count(apply_link) == 1
    assert "Ready?" in body and "Join this program" not in body
    # An applicant still reads where their application stands.
    make_enrollment(employee, program)
    client.force_login(employee)
    body = client.get(program.url).content.decode()
    assert body.count(apply_link) == 1
    assert "You applied as Mentee: Pending review." in body


def _nomination(sponsorship_program, sponsorship_admin):
    nominee = make_user("nadia", profile={"level": 3, "department": "Ops"})
    return nominate(sponsorship_program, nominee, sponsorship_admin, reason="Ready.")


def test_accepting_a_nomination_speaks_of_the_nomination(
    client, sponsorship_program, sponsorship_admin
):
    nomination = _nomination(sponsorship_program, sponsorship_admin)
    client.force_login(sponsorship_admin)
    index = client.get(reverse("wm_nominations:index")).content.decode()
    accept = re.search(r'href="([^"]*/approve/\?[^"]*)"', index).group(1)
    body = client.get(accept.replace("&amp;", "&")).content.decode()
    assert "Accept this nomination?" in body
    assert "Note to the nominee (optional)" in body
    assert "application" not in _text(body.split("<main", 1)[1]).lower()
    client.post(accept.replace("&amp;", "&"), {"note": ""}, follow=True)
    nomination.enrollment.refresh_from_db()
    assert nomination.enrollment.status == EnrollmentStatus.APPROVED


def test_approving_an_application_asks_in_a_sentence(
    client, program, program_admin, employee
):
    enrollment = make_enrollment(employee, program)
    client.force_login(program_admin)
    url = reverse(
        "wagtail_bulk_action", args=("wagtail_mentoring", "enrollment", "approve")
    )
    body = client.get(f"{url}?id={enrollment.pk}").content.decode()
    assert "Approve this application?" in body
    assert "Note to the applicants (optional)" in body


def test_the_nominations_column_names_the_nominators_role(
    client, sponsorship_program, sponsorship_admin
):
    nomination = _nomination(sponsorship_program, sponsorship_admin)
    client.force_login(sponsorship_admin)
    for url in (
        reverse("wm_nominations:index"),
        reverse("wm_nominations:inspect", args=[nomination.pk]),
    ):
        body = client.get(url).content.decode()
        assert "Nominator&#x27;s role" in body or "Nominator's role" in body, url
        assert "Nominated as" not in body, url


class _Headings(HTMLParser):
    def __init__(self):
        super().__init__()
        self.levels: list[int] = []

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))


RICH_TEXT_STEP = step(
    "step-welcome",
    "Welcome",
    [
        {
            "type": "paragraph",
            "id": "b-welcome",
            "value": "<p>Hello.</p><h3>What to expect</h3><p>Six months.</p>",
        }
    ],
)


@pytest.mark.parametrize("step_id", [STEP_REFLECT, STEP_GOAL, "step-welcome"])
def test_journey_step_headings_do_not_skip_a_level(client, hub, step_id):
    # Step bodies use h3 (blocks, and the editor's rich text), right under the
    # step's h2 on the journey page; a step's own page must give them an h2.
    journey = make_journey(hub, [*three_steps(), RICH_TEXT_STEP])
    parser = _Headings()
    parser.feed(client.get(journey.url + f"steps/{step_id}/").content.decode())
    assert parser.levels[0] == 1 and 3 in parser.levels
    for before, after in zip(parser.levels, parser.levels[1:], strict=False):
        assert after <= before + 1, parser.levels


def test_the_example_intranet_has_a_favicon(client):
    html = client.get(reverse("login")).content.decode()
    icon = re.search(r'<link rel="icon" href="/static/([^"]+)"', html)
    assert icon is not None
    assert finders.find(icon.group(1))


@pytest.mark.slow
def test_demo_evidence_is_endorsed_by_a_named_manager():
    call_command("seed_demo", employees=40, verbosity=0)
    endorsers = set(
        ReadinessEvidence.objects.exclude(endorsed_by="").values_list(
            "endorsed_by", flat=True
        )
    )
    assert endorsers
    managers = {
        p.manager.get_full_name()
        for p in EmployeeProfile.objects.filter(manager__isnull=False)
    }
    for endorser in endorsers:
        assert endorser.split(", ")[0] in managers, endorser
    assert "Their manager" not in endorsers
