"""Journey progress report, stalled pairs, import and export in the Wagtail admin."""

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_program, make_user
from tests.journey_data import STEP_GOAL, STEP_REFLECT, make_journey
from tests.test_journey_interchange import SCORM12, XXE
from wagtail_mentoring.engagement.models import Meeting, MeetingStatus
from wagtail_mentoring.journeys import services
from wagtail_mentoring.journeys.models import (
    JourneyProgress,
    LearningJourneyPage,
    StepProgress,
)
from wagtail_mentoring.programs.services import start_relationship

pytestmark = pytest.mark.django_db

FUNNEL = "wm_journeys:funnel"
STALLED = "wm_journeys:stalled"
IMPORT = "wm_journeys:import"
IN_A_MONTH = timezone.localdate() + timedelta(days=30)


@pytest.fixture
def journey(hub, program):
    journey = make_journey(hub)
    program.journey = journey
    program.save()
    return journey


def _pair(program, name):
    mentor = make_user(f"{name}-mentor")
    return start_relationship(
        program, [(make_user(f"{name}-mentee"), "mentee"), (mentor, "mentor")], mentor
    )


def _members(pair):
    mentee = pair.members.get(role="mentee").user
    mentor = pair.members.get(role="mentor").user
    return mentee, mentor


def _csv(response):
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_menu_item_only_for_program_admins(client, journey, program_admin):
    client.force_login(make_user("edith", admin_access=True))
    assert (
        "Journey progress"
        not in client.get(reverse("wagtailadmin_home")).content.decode()
    )
    client.force_login(program_admin)
    assert (
        "Journey progress" in client.get(reverse("wagtailadmin_home")).content.decode()
    )


@pytest.mark.parametrize("url_name", [FUNNEL, STALLED])
def test_reports_refuse_anonymous_and_employees(client, journey, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(make_user("edith", admin_access=True))
    response = client.get(reverse(url_name))
    assert response.status_code == 302  # Wagtail's "permission denied" redirect
    assert response["Location"] == reverse("wagtailadmin_home")


def test_funnel_counts_pairs_by_step_with_median_time(
    client, hub, program, journey, program_admin
):
    done, halfway, idle = (_pair(program, n) for n in ("done", "half", "idle"))
    # "done" met, and both members reflected; "half": one member reflected.
    Meeting.objects.create(
        relationship=done,
        title="First",
        starts_at=timezone.now(),
        status=MeetingStatus.HELD,
    )
    for member in _members(done):
        services.save_reflection(done, member, journey, STEP_REFLECT, "b-reflect", "A")
    services.save_reflection(
        halfway, _members(halfway)[0], journey, STEP_REFLECT, "b-reflect", "B"
    )
    # Known durations: members of "done" took 2 and 4 hours, "half" took 6 hours.
    now = timezone.now()
    rows = StepProgress.objects.filter(step_id=STEP_REFLECT).order_by("pk")
    for row, hours in zip(rows, (2, 4, 6), strict=True):
        StepProgress.objects.filter(pk=row.pk).update(
            started_at=now - timedelta(hours=hours), completed_at=now
        )
    client.force_login(program_admin)
    response = client.get(reverse(FUNNEL))
    assert response.status_code == 200
    rows = {r[2]: r for r in _csv(client.get(reverse(FUNNEL), {"export": "csv"}))[1:]}
    assert rows["Get to know each other"][4:8] == ["3", "1", "1", "33%"]
    assert rows["Reflect on your strengths"][4:9] == ["3", "2", "1", "33%", "4.0"]
    assert rows["Set a goal"][4:8] == ["3", "0", "0", "0%"]
    body = response.content.decode()
    assert "Reflect on your strengths" in body and "4 hours" in body
    assert idle  # counted among the three pairs


def test_funnel_query_count_is_constant_and_hides_people_who_left(
    client, program, journey, program_admin, django_assert_max_num_queries
):
    def add(n):
        for i in range(n):
            pair = _pair(program, f"f{n}{i}")
            services.open_step(pair, _members(pair)[0], journey, STEP_REFLECT)

    add(2)
    client.force_login(program_admin)
    with django_assert_max_num_queries(60) as small:
        client.get(reverse(FUNNEL))
    add(8)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        client.get(reverse(FUNNEL))
    assert len(large.captured_queries) == len(small.captured_queries)
    rows = {r[2]: r for r in _csv(client.get(reverse(FUNNEL), {"export": "csv"}))[1:]}
    assert rows["Reflect on your strengths"][4:6] == ["10", "10"]
    leaver = _members(program.relationships.first())[0]
    leaver.is_active = False
    leaver.save()
    rows = {r[2]: r for r in _csv(client.get(reverse(FUNNEL), {"export": "csv"}))[1:]}
    assert rows["Reflect on your strengths"][4:6] == ["9", "9"]


def test_funnel_keeps_removed_steps(client, program, journey, program_admin):
    pair = _pair(program, "p")
    services.open_step(pair, _members(pair)[0], journey, STEP_GOAL)
    journey.steps = [s for s in journey.steps.raw_data if s["id"] != STEP_GOAL]
    journey.save_revision().publish()
    client.force_login(program_admin)
    assert "Set a goal (removed)" in client.get(reverse(FUNNEL)).content.decode()


def test_funnel_is_program_scoped(
    client, hub, program, other_program, journey, program_admin, other_program_admin
):
    other = make_journey(hub, slug="sales-journey", title="Sales journey")
    other_program.journey = other
    other_program.save()
    client.force_login(other_program_admin)
    body = client.get(reverse(FUNNEL)).content.decode()
    assert "Sales Mentoring" in body and "Reflect on your strengths" in body
    # Asking for a program they do not administer shows their own, never the other.
    body = client.get(reverse(FUNNEL), {"program": program.pk}).content.decode()
    assert "Engineering Mentoring" not in body
    client.force_login(
        make_user("nora", admin_access=True, groups=[program.admin_group])
    )
    program.journey = None
    program.save()
    body = client.get(reverse(FUNNEL)).content.decode()
    assert "None of your programs has a learning journey yet" in body


def _age(pair, days):
    JourneyProgress.objects.filter(relationship=pair).update(
        last_activity_at=timezone.now() - timedelta(days=days)
    )


def test_stalled_pairs_with_filter_and_export(
    client, program, journey, program_admin, other_program
):
    fresh, slow, never, finished = (
        _pair(program, n) for n in ("fresh", "slow", "never", "finished")
    )
    services.open_step(fresh, _members(fresh)[0], journey, STEP_REFLECT)
    services.open_step(slow, _members(slow)[0], journey, STEP_REFLECT)
    _age(slow, 20)
    type(never).objects.filter(pk=never.pk).update(
        created_at=timezone.now() - timedelta(days=40)
    )
    summary = services.refresh_journey_progress(
        finished, journey, activity_at=timezone.now()
    )
    JourneyProgress.objects.filter(pk=summary.pk).update(
        completed_at=timezone.now(),
        last_activity_at=timezone.now() - timedelta(days=90),
    )
    _pair(other_program, "elsewhere")
    client.force_login(program_admin)
    body = client.get(reverse(STALLED)).content.decode()
    assert "Slow-mentee" in body and "Never-mentee" in body
    assert "Fresh-mentee" not in body and "Finished-mentee" not in body
    assert "Elsewhere" not in body
    body = client.get(reverse(STALLED), {"days": 30}).content.decode()
    assert "Never-mentee" in body and "Slow-mentee" not in body
    rows = _csv(client.get(reverse(STALLED), {"export": "csv"}))
    assert rows[0] == [
        "Pair",
        "Program",
        "Now at",
        "Last progress",
        "Days without progress",
    ]
    by_pair = {r[0]: r for r in rows[1:]}
    slow_row = next(r for name, r in by_pair.items() if "Slow-mentee" in name)
    assert slow_row[1:3] == ["Engineering Mentoring", "Get to know each other"]
    assert slow_row[4] == "20"
    never_row = next(r for name, r in by_pair.items() if "Never-mentee" in name)
    assert never_row[2] == "Not started"
    # People who left are invisible in reports, and so are their pairs.
    leaver = _members(slow)[0]
    leaver.is_active = False
    leaver.save()
    assert "Slow-mentee" not in client.get(reverse(STALLED)).content.decode()


def test_stalled_pairs_query_count_is_constant(
    client, program, journey, program_admin, django_assert_max_num_queries
):
    def add(n):
        for i in range(n):
            pair = _pair(program, f"x{n}{i}")
            services.open_step(pair, _members(pair)[0], journey, STEP_REFLECT)
            _age(pair, 30)

    add(2)
    client.force_login(program_admin)
    with django_assert_max_num_queries(60) as small:
        client.get(reverse(STALLED))
    add(8)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(reverse(STALLED))
    assert len(large.captured_queries) == len(small.captured_queries)
    assert response.content.decode().count("Engineering Mentoring") >= 10


def test_import_view(client, hub, superuser):
    url = reverse(IMPORT) + f"?parent={hub.pk}"
    client.force_login(superuser)
    response = client.get(url)
    assert response.status_code == 200
    assert b"Import a learning journey" in response.content
    response = client.post(
        url,
        {"package": SimpleUploadedFile("evil.xml", XXE), "parent": hub.pk},
    )
    assert response.status_code == 400
    assert b"document type declaration" in response.content
    assert not LearningJourneyPage.objects.exists()
    response = client.post(
        url,
        {"package": SimpleUploadedFile("imsmanifest.xml", SCORM12), "parent": hub.pk},
    )
    journey = LearningJourneyPage.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[journey.pk])
    assert not journey.live


def test_import_needs_permission_to_add_pages_there(client, hub):
    client.force_login(make_user("edith", admin_access=True))
    response = client.post(
        reverse(IMPORT),
        {"package": SimpleUploadedFile("imsmanifest.xml", SCORM12), "parent": hub.pk},
    )
    assert response.status_code == 400
    assert b"You cannot add pages there" in response.content
    assert not LearningJourneyPage.objects.exists()
    client.logout()
    assert client.get(reverse(IMPORT)).status_code == 302


def test_export_view(client, journey, superuser, program):
    url = reverse("wm_journeys:export", args=[journey.pk])
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(make_user("edith", admin_access=True))
    response = client.get(url)
    assert response.status_code == 302  # no edit permission on the page
    client.force_login(superuser)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="first-steps.imscc"'
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert "imsmanifest.xml" in names
    assert (
        client.get(reverse("wm_journeys:export", args=[program.pk])).status_code == 404
    )


def test_page_buttons(client, hub, journey, superuser):
    client.force_login(superuser)
    body = client.get(reverse("wagtailadmin_explore", args=[hub.pk])).content.decode()
    assert "Import learning journey" in body
    body = client.get(
        reverse("wagtailadmin_pages:edit", args=[journey.pk])
    ).content.decode()
    assert "Export as Common Cartridge" in body


def test_program_editor_links_journeys_in_the_program_tab(client, hub, superuser):
    program = make_program(hub, title="Linked", slug="linked")
    client.force_login(superuser)
    body = client.get(
        reverse("wagtailadmin_pages:edit", args=[program.pk])
    ).content.decode()
    assert "Learning journey" in body
    assert 'name="journey"' in body and 'name="mentee_journey"' in body
