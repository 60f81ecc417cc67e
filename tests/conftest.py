"""Shared fixtures: a hub with programs and the cast of every permission test."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.factories import make_hub, make_program, make_user
from tests.test_fresh_host import _build_wheel

PROFILE = {"level": 3, "department": "Engineering", "timezone": "Europe/Berlin"}


def pytest_collection_modifyitems(config, items):
    """Skip what this machine cannot run, unless CI says it must run.

    ``make test`` runs everything the machine can run; CI sets WM_REQUIRE_BROWSER
    and WM_REQUIRE_SERVICES so that a missing browser or service fails loudly.
    """
    have_browser = bool(shutil.which("chromium"))
    have_services = bool(
        os.environ.get("DATABASE_URL", "").startswith("postgres")
        and os.environ.get("CELERY_BROKER_URL", "").startswith("redis")
    )
    for item in items:
        if "browser" in item.keywords and not have_browser:
            if os.environ.get("WM_REQUIRE_BROWSER"):
                raise pytest.UsageError(
                    "browser tests required but chromium is missing"
                )
            item.add_marker(
                pytest.mark.skip(reason="Debian's chromium is not installed")
            )
        if "services" in item.keywords and not have_services:
            if os.environ.get("WM_REQUIRE_SERVICES"):
                raise pytest.UsageError(
                    "services tests required but DATABASE_URL (postgres) and "
                    "CELERY_BROKER_URL (redis) are not both set"
                )
            item.add_marker(
                pytest.mark.skip(
                    reason="needs PostgreSQL DATABASE_URL and Redis broker"
                )
            )


@pytest.fixture
def hub(db):
    return make_hub()


@pytest.fixture
def program(hub):
    return make_program(hub, title="Engineering Mentoring", slug="engineering")


@pytest.fixture
def other_program(hub):
    return make_program(hub, title="Sales Mentoring", slug="sales")


@pytest.fixture
def employee(db):
    return make_user("erin", profile=dict(PROFILE))


@pytest.fixture
def other_employee(db):
    return make_user("oscar", profile=dict(PROFILE, department="Sales"))


@pytest.fixture
def program_admin(program):
    return make_user("paula", admin_access=True, groups=[program.admin_group])


@pytest.fixture
def other_program_admin(other_program):
    return make_user("olga", admin_access=True, groups=[other_program.admin_group])


@pytest.fixture
def superuser(db):
    return make_user("sue", superuser=True)


# --- Sponsorship ---------------------------------------------------------


@pytest.fixture
def sponsorship_program(hub):
    from wagtail_mentoring.programs.models import MatchingMode, ProgramKind

    return make_program(
        hub,
        title="Sponsorship Circle",
        slug="sponsorship",
        kind=ProgramKind.SPONSORSHIP,
        matching_mode=MatchingMode.HYBRID,
        default_mentor_capacity=2,
        max_mentor_capacity=3,
    )


@pytest.fixture
def sponsorship_admin(sponsorship_program):
    return make_user(
        "hannah", admin_access=True, groups=[sponsorship_program.admin_group]
    )


@pytest.fixture
def sponsor(sponsorship_program):
    from tests.factories import make_enrollment

    user = make_user("simone", profile=dict(PROFILE, level=7))
    make_enrollment(
        user, sponsorship_program, role="sponsor", status="approved", capacity=2
    )
    return user


@pytest.fixture
def sponsee(sponsorship_program, employee):
    from tests.factories import make_enrollment

    make_enrollment(employee, sponsorship_program, role="sponsee", status="approved")
    return employee


@pytest.fixture
def sponsorship(sponsorship_program, sponsor, sponsee):
    from wagtail_mentoring.sponsorship.services import pair_sponsor

    return pair_sponsor(sponsorship_program, sponsor, sponsee, sponsor)


@pytest.fixture
def on_commit_now(monkeypatch):
    """Run ``transaction.on_commit`` callbacks at once: the test's own
    transaction never commits, yet we want to see the emails tasks send."""
    from django.db import transaction

    monkeypatch.setattr(
        transaction, "on_commit", lambda func, using=None, robust=False: func()
    )


@pytest.fixture(scope="session")
def wheel(tmp_path_factory):
    """The package's wheel, built once for every test that installs it in a host."""
    return _build_wheel(tmp_path_factory.mktemp("dist"))
