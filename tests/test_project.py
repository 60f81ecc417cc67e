"""Project-level checks: migrations, settings object, demo seeding, host contract."""

import re
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings

from wagtail_mentoring.analytics import kpis, surveys
from wagtail_mentoring.analytics.equity import min_group_size
from wagtail_mentoring.conf import HARD_MIN_GROUP_SIZE, mentoring_settings
from wagtail_mentoring.programs.models import ProgramPage
from wagtail_mentoring.surveys.models import SurveyResponse

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.django_db
def test_no_missing_migrations():
    # Fails (SystemExit) when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_settings_have_defaults_and_reload():
    assert mentoring_settings.BASE_TEMPLATE == "base.html"
    with override_settings(WAGTAIL_MENTORING={"BASE_TEMPLATE": "intranet.html"}):
        assert mentoring_settings.BASE_TEMPLATE == "intranet.html"
    assert mentoring_settings.BASE_TEMPLATE == "base.html"
    with pytest.raises(AttributeError, match="Invalid WAGTAIL_MENTORING setting"):
        mentoring_settings.NO_SUCH_THING  # noqa: B018


def test_small_group_floor_cannot_be_lowered():
    with override_settings(WAGTAIL_MENTORING={"MIN_GROUP_SIZE": 1}):
        assert mentoring_settings.MIN_GROUP_SIZE == HARD_MIN_GROUP_SIZE


@pytest.mark.django_db
def test_base_template_is_configurable(client, program, settings):
    settings.WAGTAIL_MENTORING = {"BASE_TEMPLATE": "wagtail_test_base.html"}
    host_base = "<main data-host='custom'>{% block content %}{% endblock %}</main>"
    engine = dict(settings.TEMPLATES[0], APP_DIRS=False)
    engine["OPTIONS"] = dict(
        engine["OPTIONS"],
        loaders=[
            (
                "django.template.loaders.locmem.Loader",
                {"wagtail_test_base.html": host_base},
            ),
            "django.template.loaders.app_directories.Loader",
        ],
    )
    settings.TEMPLATES = [engine]  # reassigned, so Django rebuilds its engines
    response = client.get(program.url)
    assert b"data-host='custom'" in response.content
    assert program.title.encode() in response.content


@pytest.mark.django_db
def test_seed_demo_is_deterministic_and_safe_to_rerun():
    from wagtail_mentoring.people.models import EmployeeProfile, SelfIdentification
    from wagtail_mentoring.programs.models import Enrollment, ProgramPage

    call_command("seed_demo", employees=40, verbosity=0)
    counts = (
        get_user_model().objects.count(),
        EmployeeProfile.objects.count(),
        Enrollment.objects.count(),
        ProgramPage.objects.count(),
    )
    call_command("seed_demo", employees=40, verbosity=0)
    assert counts == (
        get_user_model().objects.count(),
        EmployeeProfile.objects.count(),
        Enrollment.objects.count(),
        ProgramPage.objects.count(),
    )
    # Three admin-approved programs, the self-select one, the circles, the
    # flash one, the peer one and last year's intake (the dashboards' history).
    assert ProgramPage.objects.count() == 8
    assert ProgramPage.objects.filter(matching_mode="self_select").count() == 1
    assert set(ProgramPage.objects.values_list("kind", flat=True)) == {
        "one_to_one",
        "reverse",
        "sponsorship",
        "group",
        "flash",
        "peer",
    }
    assert get_user_model().objects.filter(is_active=False).exists()
    assert Enrollment.objects.exists()
    # Manager chains: everyone but the top reports to someone more senior.
    for profile in EmployeeProfile.objects.exclude(manager=None).select_related(
        "manager__mentoring_profile"
    ):
        assert profile.manager.mentoring_profile.level > profile.level
    assert SelfIdentification.objects.exists()
    admin = get_user_model().objects.get(is_superuser=True)
    assert admin.check_password("changeme")


@pytest.mark.django_db
@pytest.mark.parametrize("utc_time", ["00:30", "23:30"])
def test_seed_demo_works_at_any_hour(utc_time):
    """The site runs on UTC and its people live from Los Angeles to Singapore.

    Just after midnight UTC it is still yesterday in Los Angeles, and just
    before, already tomorrow in Singapore: the demo's past events and future
    targets must be valid in every person's own zone at both ends.
    """
    when = datetime.fromisoformat(f"2026-12-05T{utc_time}:00+00:00")
    with time_machine.travel(when, tick=False):
        call_command("seed_demo", verbosity=0)
        _demo_surveys_show_in_the_default_period()


def _demo_surveys_show_in_the_default_period():
    """The dashboard opens on the last 90 days: the demo's start and end
    survey answers in it are enough for its figures not to be withheld."""
    period = kpis.Period.last_days(90)
    for moment in ("start", "end"):
        answers = SurveyResponse.objects.filter(
            moment=moment, submitted_on__range=(period.start, period.end)
        )
        assert answers.count() >= min_group_size(), moment
    summary = surveys.summarize(ProgramPage.objects.all(), period)
    assert summary.satisfaction.mean is not None and summary.nps.score is not None


def test_no_merge_conflict_markers_are_committed():
    """A conflict left in a stylesheet or template breaks nothing loudly."""
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    markers = re.compile(r"^(<<<<<<< |>>>>>>> )", re.M)
    found = []
    for name in tracked:
        path = ROOT / name
        if (
            path.suffix in {".png", ".ico", ".gif", ".jpg", ".sqlite3"}
            or not path.is_file()
        ):
            continue
        if markers.search(path.read_text(errors="ignore")):
            found.append(name)
    assert not found, found
