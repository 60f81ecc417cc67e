"""The manager loop-in: managers hear which reports take part and how actively,
never what was said, partners' names only with the participant's consent."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import make_enrollment, make_program, make_user
from wagtail_mentoring.engagement.manager_loop_in import send_manager_loop_in
from wagtail_mentoring.engagement.models import Goal, Meeting, Message
from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.programs.models import Relationship, RelationshipMember


def _pair(program, mentee, mentor):
    relationship = Relationship.objects.create(
        program=program, status="active", started_on=date(2026, 9, 1)
    )
    for user, role in ((mentee, "mentee"), (mentor, "mentor")):
        RelationshipMember.objects.create(
            relationship=relationship,
            user=user,
            role=role,
            enrollment=make_enrollment(user, program, role, status="approved"),
        )
    return relationship


@pytest.fixture
def company(hub, program):
    now = timezone.now()
    program.manager_loop_in = True
    program.save_revision().publish()
    boss = make_user("boss")
    ana = make_user("ana", profile={"manager": boss})
    ben = make_user(
        "ben", profile={"manager": boss, "partner_visible_to_manager": True}
    )
    mentor_ana, mentor_ben = make_user("marie"), make_user("mohan")
    ana_pair = _pair(program, ana, mentor_ana)
    _pair(program, ben, mentor_ben)
    # Ana: three meetings held, one of them in the last 30 days; one goal.
    for days in (80, 50, 10):
        Meeting.objects.create(
            relationship=ana_pair,
            title="Catch-up",
            starts_at=now - timedelta(days=days),
            status="held",
            notes="Talked about leaving the company",
        )
    Meeting.objects.create(
        relationship=ana_pair,
        title="Next",
        starts_at=now + timedelta(days=5),
        status="scheduled",
    )
    Goal.objects.create(
        relationship=ana_pair,
        owner=ana,
        title="Secret ambition",
        measure="Done",
        target_date=date(2027, 1, 1),
    )
    Message.objects.create(relationship=ana_pair, author=ana, body="Private words")
    # A program that does not loop managers in: Cleo's manager hears nothing.
    quiet = make_program(hub, title="Quiet Program", slug="quiet")
    other_boss = make_user("otherboss")
    cleo = make_user("cleo", profile={"manager": other_boss})
    _pair(quiet, cleo, make_user("mila"))
    return boss, other_boss


def test_managers_hear_who_takes_part_and_how_actively(program, company):
    boss, other_boss = company
    mail.outbox.clear()
    assert send_manager_loop_in() == 1
    [email] = mail.outbox
    assert email.to == [boss.email]
    body = email.body
    assert "Ana" in body and "Ben" in body
    assert "Meetings held: 3 (1 in the last 30 days). Goals set: 1." in body
    assert "Meetings held: 0 (0 in the last 30 days). Goals set: 0." in body
    # Ben allows his partner's name; Ana does not.
    assert "with Mohan" in body and "Marie" not in body
    for private in ("Private words", "Secret ambition", "leaving the company"):
        assert private not in body
    assert "2 of your reports take part" in email.subject
    # Once a month: a second run sends nothing.
    assert send_manager_loop_in() == 0
    assert len(mail.outbox) == 1


def test_nobody_hears_without_the_program_opting_in(program, company):
    type(program).objects.filter(pk=program.pk).update(manager_loop_in=False)
    mail.outbox.clear()
    assert send_manager_loop_in() == 0
    assert mail.outbox == []
    assert EmployeeProfile.objects.filter(partner_visible_to_manager=True).count() == 1
