"""Export → erase → export on the demo company: the second export holds nothing
of the person, and the reports read as before."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.privacy_data import report_numbers, reports_if_left, traces
from wagtail_mentoring.engagement.models import Message
from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.privacy.services import (
    erase_personal_data,
    export_personal_data,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

HEADER = {"schema", "schema_version", "exported_at", "person"}


def _holds_something(section) -> bool:
    if isinstance(section, dict):
        return any(_holds_something(value) for value in section.values())
    return bool(section)


def test_export_erase_export_on_the_demo():
    call_command("seed_demo", employees=60, verbosity=0)
    User = get_user_model()
    hr = User.objects.get(**{User.USERNAME_FIELD: _login("hr")})
    # The demo's richest sponsee: a sponsorship with advocacy, evidence, an
    # outcome perhaps, and their applications.
    person = (
        User.objects.filter(
            mentoring_memberships__role="sponsee",
            advocacy_received__isnull=False,
            readiness_evidence__isnull=False,
        )
        .order_by("pk")
        .first()
    )
    name = display_name(person)
    first = export_personal_data(person, hr)
    filled = {key for key, value in first.items() if key not in HEADER and value}
    assert {
        "profile",
        "applications",
        "relationships",
        "readiness_evidence",
        "advocacy_received",
        "sponsorship_commitments",
        "nominations_received",
    } <= filled
    if_left = reports_if_left(person)

    erase_personal_data(person, hr)

    second = export_personal_data(person, hr)
    assert second["person"]["id"] == str(person.pk)
    left = {k for k, v in second.items() if k not in HEADER and _holds_something(v)}
    assert left == set()
    assert traces(person, name) == []
    # Reports read as they would had the person simply left.
    assert report_numbers() == if_left

    # Someone who has already left (a mentee with messages): erasing them
    # changes no number at all.
    leaver = (
        User.objects.filter(
            is_active=True,
            mentoring_memberships__role="mentee",
            pk__in=Message.objects.values("author"),
        )
        .order_by("pk")
        .first()
    )
    leaver.is_active = False
    leaver.save()
    before = report_numbers()
    assert _holds_something(export_personal_data(leaver, hr)["messages"])
    erase_personal_data(leaver, hr)
    assert report_numbers() == before
    assert not _holds_something(export_personal_data(leaver, hr)["messages"])


def _login(identifier: str) -> str:
    """The demo's sign-in of ``identifier`` on this user model."""
    User = get_user_model()
    if User.USERNAME_FIELD == "email":
        return f"{identifier}@acme.example"
    return identifier
