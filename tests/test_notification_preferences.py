"""People choose how often they hear about each category; digests group what
was held into one email at their hour; every email unsubscribes in one click."""

from __future__ import annotations

import json
import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.engagement_helpers import PROFILE
from tests.factories import make_user
from wagtail_mentoring.notifications.models import (
    Category,
    Delivery,
    DeliveryStatus,
    NotificationPreferences,
)
from wagtail_mentoring.notifications.services import (
    notify,
    send_digests,
    update_preferences,
)
from wagtail_mentoring.notifications.tokens import unsubscribe_token

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def _person(**prefs):
    user = make_user(profile=dict(PROFILE))  # reads times in Europe/Berlin
    if prefs:
        update_preferences(user, by=user, **prefs)
    return user


def _notify(user, n, category=Category.ACTIVITY):
    return notify(
        user,
        "test",
        f"thing-{n}",
        "x",
        category=category,
        template="digest",
        context={"items": [], "frequency": f"Thing {n}"},
        link=f"/mentoring/things/{n}/",
    )


def _berlin(day, hour):
    return datetime(2026, 3, day, hour, 30, tzinfo=BERLIN)


def test_a_daily_digest_groups_held_notifications_at_the_chosen_local_hour():
    user = _person(activity="daily", digest_hour=18)
    for n in range(3):
        assert _notify(user, n).status == DeliveryStatus.HELD
    reminder = _notify(user, 9, category=Category.REMINDERS)  # still immediate
    assert len(mail.outbox) == 1 and reminder.status == DeliveryStatus.SENT
    mail.outbox.clear()

    assert send_digests(_berlin(2, 17)) == 0  # before their hour (Berlin time)
    assert send_digests(_berlin(2, 18)) == 1
    assert send_digests(_berlin(2, 19)) == 0  # one digest a day
    (digest,) = mail.outbox
    assert "3 updates" in digest.subject
    assert "http://testserver/mentoring/things/0/" in digest.body
    assert "http://testserver/mentoring/things/2/" in digest.body
    assert Delivery.objects.filter(status=DeliveryStatus.DIGESTED).count() == 3
    # Its unsubscribe link covers what it grouped.
    assert "List-Unsubscribe" in digest.extra_headers
    # Nothing new: no empty digest the next day.
    assert send_digests(_berlin(3, 18)) == 0
    _notify(user, 4)
    assert send_digests(_berlin(3, 18)) == 1
    assert len(mail.outbox) == 2


def test_a_weekly_digest_comes_on_the_chosen_day():
    user = _person(reminders="weekly", digest_weekday=4, digest_hour=9)  # Friday
    _notify(user, 1, category=Category.REMINDERS)
    assert not mail.outbox
    assert send_digests(_berlin(5, 10)) == 0  # 2026-03-05 is a Thursday
    assert send_digests(_berlin(6, 10)) == 1
    assert send_digests(_berlin(6, 11)) == 0
    assert "Weekly digest" in mail.outbox[0].subject


def test_never_means_nothing_is_sent_and_the_log_says_so():
    user = _person(admin="never")
    delivery = _notify(user, 1, category=Category.ADMIN)
    assert delivery.status == DeliveryStatus.SKIPPED
    assert not mail.outbox
    assert send_digests(timezone.now() + timedelta(days=8)) == 0


def test_what_was_held_follows_a_change_of_mind():
    user = _person(activity="weekly", admin="daily")
    _notify(user, 1)
    _notify(user, 2, category=Category.ADMIN)
    # Back to "immediately": the held one comes with the next daily digest.
    update_preferences(user, by=user, activity="immediately", admin="never")
    assert send_digests(_berlin(4, 9)) == 1
    (digest,) = mail.outbox
    assert "/mentoring/things/1/" in digest.body
    assert "/mentoring/things/2/" not in digest.body
    assert set(
        Delivery.objects.filter(kind="test").values_list("status", flat=True)
    ) == {
        DeliveryStatus.DIGESTED,
        DeliveryStatus.SKIPPED,
    }


def test_only_the_person_changes_their_preferences():
    from django.core.exceptions import PermissionDenied

    user, other = _person(), _person()
    with pytest.raises(PermissionDenied):
        update_preferences(user, by=other, activity="never")
    assert not NotificationPreferences.objects.exists()


def test_the_settings_page_saves_choices_and_refuses_bad_input():
    user = _person()
    client = Client()
    client.force_login(user)
    url = reverse("wagtail_mentoring:notification_settings")
    page = client.get(url)
    assert page.status_code == 200
    assert "Daily digest" in page.content.decode()
    assert not NotificationPreferences.objects.exists()  # GET writes nothing
    bad = client.post(url, {"activity": "hourly", "reminders": "daily",
                            "admin": "never", "digest_hour": "25",
                            "digest_weekday": "0"})  # fmt: skip
    assert bad.status_code == 200
    assert not NotificationPreferences.objects.exists()
    good = client.post(url, {"activity": "weekly", "reminders": "daily",
                             "admin": "never", "community": "daily",
                             "digest_hour": "7",
                             "digest_weekday": "2"})  # fmt: skip
    assert good.status_code == 302
    prefs = NotificationPreferences.objects.get(user=user)
    assert (prefs.activity, prefs.reminders, prefs.admin) == (
        "weekly",
        "daily",
        "never",
    )
    assert prefs.community == "daily"
    assert (prefs.digest_hour, prefs.digest_weekday) == (7, 2)
    assert (
        reverse("wagtail_mentoring:notification_settings")
        in client.get(reverse("wagtail_mentoring:my_mentoring")).content.decode()
    )


def test_one_click_unsubscribe_from_an_email_without_signing_in():
    user = _person()
    _notify(user, 1)
    (message,) = mail.outbox
    header = message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == (
        "List-Unsubscribe=One-Click"
    )
    url = header.strip("<>").removeprefix("http://testserver")
    anonymous = Client(enforce_csrf_checks=True)
    # GET (a link scanner, a preview) only shows the button.
    page = anonymous.get(url)
    assert page.status_code == 200 and "<form" in page.content.decode()
    assert not NotificationPreferences.objects.exists()
    # The mail client's one-click POST: no session, no CSRF token (RFC 8058).
    done = anonymous.post(url, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert NotificationPreferences.objects.get(user=user).activity == "never"
    assert "Relationship activity" in done.content.decode()
    # From now on, that category is not sent.
    assert _notify(user, 2).status == DeliveryStatus.SKIPPED
    assert len(mail.outbox) == 1


def test_a_forged_or_altered_unsubscribe_link_changes_nothing():
    user, victim = _person(), _person()
    token = unsubscribe_token(user, ["activity"])
    client = Client()
    # The same signature on someone else's payload.
    victims = json.dumps(
        {"u": str(victim.pk), "c": ["activity"]}, separators=(",", ":")
    )
    forged = signing.b64_encode(victims.encode()).decode() + token[token.index(":") :]
    assert forged != token
    for bad in (token[:-2] + "xx", forged, "x"):
        url = reverse("wagtail_mentoring:unsubscribe", args=[bad])
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert not NotificationPreferences.objects.exists()
