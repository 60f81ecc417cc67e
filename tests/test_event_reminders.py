"""The event reminder: a day and an hour before, in each person's own zone,
once; nothing for cancelled answers or events, leavers or deactivated people."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.formats import date_format

from tests.event_helpers import TOKYO, event, make_space, member
from tests.factories import deactivate_quietly
from wagtail_mentoring.community.events.models import EventRSVP
from wagtail_mentoring.community.events.reminders import remind_events
from wagtail_mentoring.notifications.models import Delivery
from wagtail_mentoring.people.users import user_email

pytestmark = pytest.mark.django_db


def _going(target, user, *, answered_hours_ago=48, status="going"):
    return EventRSVP.objects.create(
        event=target,
        user=user,
        status=status,
        updated_at=timezone.now() - timedelta(hours=answered_hours_ago),
    )


def test_a_day_before_and_an_hour_before_once_each():
    space = make_space(title="Data guild")
    alice = member(space, "alice")
    taro = member(space, "taro", profile=TOKYO)
    now = timezone.now()
    tomorrow = event(space, title="Notebook clinic")
    tomorrow.starts_at = now.replace(microsecond=0) + timedelta(hours=20)
    tomorrow.ends_at = tomorrow.starts_at + timedelta(hours=1)
    tomorrow.save()
    _going(tomorrow, alice)
    _going(tomorrow, taro)
    mail.outbox.clear()

    assert remind_events(now) == 2
    assert remind_events(now) == 0  # a second run sends nothing
    by_person = {m.to[0]: m for m in mail.outbox}
    assert by_person[user_email(alice)].subject == "Tomorrow: Notebook clinic"
    # Each in their own zone.
    for person, zone in ((alice, "Europe/Berlin"), (taro, "Asia/Tokyo")):
        body = by_person[user_email(person)].body
        local = tomorrow.starts_at.astimezone(zoneinfo.ZoneInfo(zone))
        assert f"{date_format(local, 'DATETIME_FORMAT')} ({zone})" in body
    assert "Data guild" in by_person[user_email(alice)].body

    # 19 hours later it starts within the hour: the second reminder, once.
    later = now + timedelta(hours=19, minutes=30)
    mail.outbox.clear()
    assert remind_events(later) == 2
    assert remind_events(later) == 0
    assert {m.subject for m in mail.outbox} == {"In an hour: Notebook clinic"}
    keys = sorted(Delivery.objects.values_list("kind", flat=True))
    assert keys == ["event_reminder_day"] * 2 + ["event_reminder_hour"] * 2


def test_no_reminder_for_cancelled_answers_events_leavers_or_deactivated():
    space = make_space()
    stays = member(space, "stays")
    dropped_out = member(space, "dropped")
    waiting = member(space, "waiting")
    left = member(space, "left")
    deactivated = member(space, "gone")
    soon = event(space, hours=12, title="Soon")
    called_off = event(space, hours=12, title="Called off", is_cancelled=True)
    far = event(space, hours=40, title="Far")
    _going(soon, stays)
    _going(soon, dropped_out, status="cancelled")
    _going(soon, waiting, status="waitlisted")
    _going(soon, left)
    left.mentoring_space_memberships.update(status="left")
    _going(soon, deactivated)
    deactivate_quietly(deactivated)
    _going(called_off, stays)
    _going(far, stays)
    mail.outbox.clear()

    assert remind_events() == 1
    (message,) = mail.outbox
    assert message.to == [user_email(stays)]
    assert message.subject == "Tomorrow: Soon"


def test_no_day_reminder_right_after_saying_yes_but_the_hour_one_comes():
    space = make_space()
    alice = member(space)
    soon = event(space, hours=10)
    _going(soon, alice, answered_hours_ago=0)
    assert remind_events() == 0  # the invite just arrived
    assert remind_events(timezone.now() + timedelta(hours=9, minutes=30)) == 1


def test_a_moved_event_is_reminded_again():
    space = make_space()
    alice = member(space)
    soon = event(space, hours=20)
    _going(soon, alice)
    assert remind_events() == 1
    soon.starts_at += timedelta(hours=2)
    soon.ends_at += timedelta(hours=2)
    soon.save()
    assert remind_events() == 1
    assert remind_events() == 0
