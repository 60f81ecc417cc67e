"""HRIS import: presets, dry run, apply, idempotence, managers, leavers, bad input."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.engagement_helpers import pair, soon
from tests.factories import make_user
from tests.hris_helpers import (
    account,
    bamboo_mapping,
    csv_bytes,
    person,
    xlsx_bytes,
)
from wagtail_mentoring import spreadsheets
from wagtail_mentoring.engagement.models import Meeting, MeetingStatus
from wagtail_mentoring.engagement.services import schedule_meeting
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.people.hris import planning, services
from wagtail_mentoring.people.hris.models import HrisImport, HrisImportStatus
from wagtail_mentoring.people.hris.presets import (
    SUCCESSFACTORS,
    WORKDAY,
    preset_columns,
)
from wagtail_mentoring.people.models import EmployeeProfile, Skill
from wagtail_mentoring.people.tasks import run_scheduled_hris_imports
from wagtail_mentoring.programs.models import RelationshipStatus
from wagtail_mentoring.tasks import PERIODIC_JOBS

pytestmark = pytest.mark.django_db
STEWARD_PERMS = [
    "wagtailadmin.access_admin",
    "wagtail_mentoring.view_employeeprofile",
    "wagtail_mentoring.change_employeeprofile",
]


@pytest.fixture
def steward():
    return make_user("stella", perms=STEWARD_PERMS)


def _upload(mapping, content, steward, name="people.csv"):
    return services.upload(mapping, content, name, steward)


def test_dry_run_writes_nothing_and_apply_creates_profiles(steward):
    ada, bo = account("Ada"), account("Bo")
    mapping = bamboo_mapping()
    # The manager comes after the person they manage: order does not matter.
    content = csv_bytes(
        [person("E2", "Bo", manager="E1", skills="Python; SQL"), person("E1", "Ada")]
    )
    record = _upload(mapping, content, steward)
    assert record.summary["counts"]["created"] == 2
    assert EmployeeProfile.objects.count() == 0
    assert Skill.objects.count() == 0

    counts = services.apply_import(record, steward)
    assert counts["created"] == 2
    bo_profile = EmployeeProfile.objects.get(user=bo)
    assert bo_profile.employee_id == "E2"
    assert bo_profile.manager == ada
    assert bo_profile.level == 3
    assert bo_profile.timezone == "Europe/Berlin"
    assert bo_profile.languages == ["en"]
    assert sorted(bo_profile.skills.values_list("name", flat=True)) == ["Python", "SQL"]
    record.refresh_from_db()
    assert record.status == HrisImportStatus.APPLIED


def test_reimporting_the_same_file_changes_nothing(steward):
    account("Ada"), account("Bo")
    mapping = bamboo_mapping()
    content = csv_bytes([person("E1", "Ada"), person("E2", "Bo", manager="E1")])
    services.apply_import(_upload(mapping, content, steward), steward)
    before = list(EmployeeProfile.objects.order_by("pk").values())
    again = _upload(mapping, content, steward)
    counts = again.summary["counts"]
    assert (counts["created"], counts["changed"], counts["unchanged"]) == (0, 0, 2)
    services.apply_import(again, steward)
    assert list(EmployeeProfile.objects.order_by("pk").values()) == before


def test_changes_are_listed_by_field(steward):
    account("Ada")
    mapping = bamboo_mapping()
    services.apply_import(
        _upload(mapping, csv_bytes([person("E1", "Ada")]), steward), steward
    )
    record = _upload(
        mapping,
        csv_bytes([person("E1", "Ada", department="Sales", level="4")]),
        steward,
    )
    changed = record.summary["changed"]
    assert [(c["employee_id"], sorted(c["fields"])) for c in changed] == [
        ("E1", ["department", "level"])
    ]
    services.apply_import(record, steward)
    profile = EmployeeProfile.objects.get(employee_id="E1")
    assert (profile.department, profile.level) == ("Sales", 4)


def test_a_bad_row_refuses_the_whole_file_unless_skipped(steward):
    account("Ada"), account("Bo")
    mapping = bamboo_mapping()
    content = csv_bytes(
        [person("E1", "Ada"), person("E2", "Bo", level="senior", timezone="Mars/Base")]
    )
    record = _upload(mapping, content, steward)
    # Line 3: the heading is line 1, Ada line 2.
    assert record.summary["errors"] == [
        [
            3,
            "E2",
            "“Mars/Base” is not a known time zone.; "
            "level “senior” is not a whole number.",
        ]
    ]
    with pytest.raises(MentoringError, match="Nothing was imported"):
        services.apply_import(record, steward)
    assert EmployeeProfile.objects.count() == 0
    services.apply_import(record, steward, skip_bad_rows=True)
    assert list(EmployeeProfile.objects.values_list("employee_id", flat=True)) == ["E1"]


def test_manager_cycles_are_refused(steward):
    for name in ("Ada", "Bo", "Cy"):
        account(name)
    content = csv_bytes(
        [
            person("E1", "Ada", manager="E3"),
            person("E2", "Bo", manager="E1"),
            person("E3", "Cy", manager="E2"),
        ]
    )
    record = _upload(bamboo_mapping(), content, steward)
    errors = record.summary["errors"]
    assert [e[0] for e in errors] == [2, 3, 4]
    assert all("manager cycle" in e[2] for e in errors)
    with pytest.raises(MentoringError):
        services.apply_import(record, steward)
    assert EmployeeProfile.objects.count() == 0


def test_people_without_an_account_are_skipped_unless_creating_is_on(steward):
    content = csv_bytes([person("E9", "Nia")])
    record = _upload(bamboo_mapping(), content, steward)
    assert record.summary["counts"]["skipped"] == 1
    assert record.summary["counts"]["created"] == 0

    creating = bamboo_mapping(name="Creating", create_users=True)
    record = _upload(creating, content, steward)
    assert record.summary["counts"]["new_users"] == 1
    services.apply_import(record, steward)
    profile = EmployeeProfile.objects.select_related("user").get(employee_id="E9")
    assert profile.user.email == "nia@example.com"
    assert not profile.user.has_usable_password()


def test_full_import_deactivates_leavers_through_the_leaving_service(
    steward, program, on_commit_now
):
    ada, bo = account("Ada"), account("Bo")
    mapping = bamboo_mapping(deactivate_missing=True)
    services.apply_import(
        _upload(mapping, csv_bytes([person("E1", "Ada"), person("E2", "Bo")]), steward),
        steward,
    )
    relationship = pair(program, ada, bo)
    meeting = schedule_meeting(relationship, ada, title="Chat", starts_at=soon())
    stranger = make_user("nobody-from-hris")  # no employee id: never touched

    record = _upload(mapping, csv_bytes([person("E1", "Ada")]), steward)
    assert [d["user"] for d in record.summary["deactivated"]] == [str(bo.pk)]
    services.apply_import(record, steward)
    bo.refresh_from_db(), stranger.refresh_from_db(), relationship.refresh_from_db()
    assert not bo.is_active
    assert stranger.is_active
    assert relationship.status == RelationshipStatus.ENDED_EARLY
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.CANCELLED


def test_an_import_never_deactivates_its_runner_or_a_superuser(steward):
    boss = make_user("boss", superuser=True)
    for user, eid in ((steward, "S1"), (boss, "S2")):
        EmployeeProfile.objects.create(user=user, employee_id=eid)
    record = _upload(bamboo_mapping(deactivate_missing=True), csv_bytes([]), steward)
    assert record.summary["counts"]["deactivated"] == 0
    assert record.summary["counts"]["skipped"] == 2


def test_xlsx_and_successfactors_two_header_rows(steward):
    account("Ada"), account("Bo")
    header_rows, columns = preset_columns(SUCCESSFACTORS)
    mapping = bamboo_mapping(
        name="SF", preset=SUCCESSFACTORS, header_rows=header_rows, columns=columns
    )
    ids = ["STATUS", "USERID", "USERNAME", "FIRSTNAME", "LASTNAME", "EMAIL",
           "TITLE", "DEPARTMENT", "LOCATION", "TIMEZONE", "CUSTOM01",
           "MANAGER"]  # fmt: skip
    labels = ["Status", "User ID", "Username", "First Name", "Last Name", "Email",
              "Title", "Department", "Location", "Timezone", "Level",
              "Manager"]  # fmt: skip
    rows = [
        [
            "active",
            "bo1",
            "bo",
            "Bo",
            "T",
            "bo@example.com",
            "Dev",
            "R&D",
            "Paris",
            "Europe/Paris",
            2,
            "ada1",
        ],  # fmt: skip
        [
            "active",
            "ada1",
            "ada",
            "Ada",
            "T",
            "ada@example.com",
            "Lead",
            "R&D",
            "Paris",
            "Europe/Paris",
            5,
            "NO_MANAGER",
        ],  # fmt: skip
    ]
    record = _upload(mapping, xlsx_bytes(rows, ids, labels), steward, "udf.xlsx")
    # NO_MANAGER is not a person: SuccessFactors' placeholder is an error row.
    assert [e[0] for e in record.summary["errors"]] == [4]
    services.apply_import(record, steward, skip_bad_rows=True)
    assert EmployeeProfile.objects.get(employee_id="bo1").level == 2


def test_workday_preset_reads_its_headings(steward):
    account("Ada")
    header_rows, columns = preset_columns(WORKDAY)
    used = ("employee_id", "first_name", "last_name", "email", "department", "active")
    columns = {f: columns[f] for f in used}
    mapping = bamboo_mapping(name="WD", preset=WORKDAY, columns=columns)
    headings = list(columns.values())
    content = csv_bytes(
        [["W1", "Ada", "T", "ada@example.com", "Ops", "Active"]], headings
    )
    services.apply_import(_upload(mapping, content, steward), steward)
    assert EmployeeProfile.objects.get(employee_id="W1").department == "Ops"


def test_cp1252_files_are_read_and_said_so(steward):
    account("Ada")
    content = csv_bytes(
        [person("E1", "Ada", department="Zürich Ops")], encoding="cp1252"
    )
    record = _upload(bamboo_mapping(), content, steward)
    assert record.summary["encoding"] == "Windows-1252"
    services.apply_import(record, steward)
    assert EmployeeProfile.objects.get().department == "Zürich Ops"


def test_undecodable_files_get_a_clear_error_and_write_nothing(steward):
    # 0x81 is undefined in Windows-1252 and invalid UTF-8.
    content = csv_bytes([person("E1", "Ada")]) + b"\x81\x81"
    with pytest.raises(MentoringError, match="neither UTF-8 nor Windows-1252"):
        _upload(bamboo_mapping(), content, steward)
    assert HrisImport.objects.count() == 0


def test_oversized_files_are_refused(steward, settings):
    settings.WAGTAIL_MENTORING = {"HRIS_MAX_UPLOAD_BYTES": 100}
    from wagtail_mentoring.conf import mentoring_settings

    mentoring_settings.reload()
    try:
        with pytest.raises(MentoringError, match="the limit is"):
            _upload(bamboo_mapping(), csv_bytes([person("E1", "Ada")]), steward)
    finally:
        settings.WAGTAIL_MENTORING = {}
        mentoring_settings.reload()
    assert HrisImport.objects.count() == 0


def test_a_missing_column_is_named(steward):
    with pytest.raises(MentoringError, match="“Supervisor EID”"):
        _upload(bamboo_mapping(), csv_bytes([["E1"]], ["Employee #"]), steward)


def test_only_people_data_stewards_may_import():
    nobody = make_user("nobody", perms=["wagtailadmin.access_admin"])
    with pytest.raises(MentoringError):
        _upload(bamboo_mapping(), csv_bytes([]), nobody)
    assert HrisImport.objects.count() == 0


def test_formula_cells_are_neutralised_in_exports():
    out = io.StringIO()
    spreadsheets.writer(out).writerow(['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", 3])
    assert out.getvalue().strip() == '"\'=HYPERLINK(""x"")",\'+1,\'-2,\'@SUM(A1),3'


def test_formula_cells_are_neutralised_in_the_participants_export(client, steward):
    # An HRIS department that a spreadsheet would run as a formula.
    user = account("Ada")
    EmployeeProfile.objects.create(user=user, department='=HYPERLINK("http://x")')
    client.force_login(steward)
    response = client.get(reverse("wm_participants:index") + "?export=csv")
    text = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK" in text
    assert ",=HYPERLINK" not in text


def test_management_command_runs_a_saved_import(tmp_path, steward):
    account("Ada")
    bamboo_mapping(name="Nightly")
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes([person("E1", "Ada")]))
    call_command("mentoring_hris_import", "Nightly", str(path))
    assert EmployeeProfile.objects.get().employee_id == "E1"
    path.write_bytes(csv_bytes([person("", "Ada")]))
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("mentoring_hris_import", "Nightly", str(path))
    assert HrisImport.objects.latest("pk").status == HrisImportStatus.REFUSED


def _statements(captured) -> list[str]:
    """The statements run, a batch of identical ones counted once (the
    database driver splits a bulk insert by its own parameter limit)."""
    shapes = [
        re.sub(r'"s\d+_x\d+"', "", q["sql"].split(" (")[0].split(" WHERE")[0])[:60]
        for q in captured
    ]
    return [s for i, s in enumerate(shapes) if i == 0 or shapes[i - 1] != s]


def _queries(mapping, prefix, n, steward):
    rows = [
        person(f"{prefix}{i}", f"{prefix}{i}", manager=f"{prefix}0" if i else "")
        for i in range(n)
    ]
    with CaptureQueriesContext(connection) as dry:
        record = _upload(mapping, csv_bytes(rows), steward)
    with CaptureQueriesContext(connection) as applied:
        services.apply_import(record, steward)
    assert EmployeeProfile.objects.filter(employee_id__startswith=prefix).count() == n
    return len(dry), _statements(applied.captured_queries)


def test_query_count_does_not_grow_with_the_number_of_people(steward):
    mapping = bamboo_mapping(name="Big", create_users=True)
    _queries(mapping, "W", 1, steward)  # caches (permissions, content types)
    assert _queries(mapping, "A", 50, steward) == _queries(mapping, "B", 500, steward)


def _per_batch(mapping, prefix, n, steward):
    """Queries of a dry run and of its apply, for ``n`` people in a new file."""
    rows = [
        person(f"{prefix}{i}", f"{prefix}{i}", manager=f"{prefix}{i // 2}" if i else "")
        for i in range(n)
    ]
    with CaptureQueriesContext(connection) as dry:
        record = _upload(mapping, csv_bytes(rows), steward)
    with CaptureQueriesContext(connection) as applied:
        services.apply_import(record, steward)
    assert EmployeeProfile.objects.filter(employee_id__startswith=prefix).count() == n
    return len(dry), len(applied)


def test_queries_per_batch_stay_constant_as_the_file_grows(steward, monkeypatch):
    # Batches of 5 people: 10, 20 and 40 people are 2, 4 and 8 batches. Each
    # batch adds the same number of queries, whatever the file's size.
    monkeypatch.setattr(planning, "BATCH_SIZE", 5)
    mapping = bamboo_mapping(name="Batched", create_users=True)
    _per_batch(mapping, "W", 1, steward)  # caches (permissions, content types)
    two, four, eight = (
        _per_batch(mapping, prefix, n, steward)
        for prefix, n in (("A", 10), ("B", 20), ("C", 40))
    )
    for step in (0, 1):  # dry run, apply
        per_batch = (four[step] - two[step]) / 2
        assert per_batch == (eight[step] - four[step]) / 4
        assert 1 <= per_batch <= 12


def test_a_manager_cycle_through_people_the_file_does_not_list_is_refused(steward):
    # Already here: Ada (E1) is managed by Bo (E2). The file makes Bo's
    # manager Ada, closing the loop through a row it does not have.
    for name in ("Ada", "Bo"):
        account(name)
    mapping = bamboo_mapping()
    first = _upload(
        mapping,
        csv_bytes([person("E1", "Ada", manager="E2"), person("E2", "Bo")]),
        steward,
    )
    services.apply_import(first, steward)
    record = _upload(mapping, csv_bytes([person("E2", "Bo", manager="E1")]), steward)
    assert record.summary["errors"] == [[2, "E2", "manager cycle: E2 → E1 → E2."]]
    with pytest.raises(MentoringError, match="1 rows have errors"):
        services.apply_import(record, steward)
    bo = EmployeeProfile.objects.get(employee_id="E2")
    assert bo.manager_id is None
    # Skipping bad rows applies the others and leaves the cycle out.
    services.apply_import(record, steward, skip_bad_rows=True)
    bo.refresh_from_db()
    assert bo.manager_id is None


def _scheduled(settings, tmp_path, rows, **entry):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(rows))
    settings.WAGTAIL_MENTORING = {
        "HRIS_SCHEDULED_IMPORTS": [{"mapping": "Nightly", "path": str(path), **entry}]
    }
    return path


def test_the_nightly_job_runs_saved_imports_once_a_day(settings, tmp_path, steward):
    account("Ada"), account("Bo")
    bamboo_mapping(name="Nightly")
    path = _scheduled(settings, tmp_path, [person("E1", "Ada")], hour=2)
    night = timezone.make_aware(datetime.datetime(2026, 3, 2, 1, 30))
    assert services.run_scheduled_imports(night) == {}  # before its hour
    assert not HrisImport.objects.exists()

    later = night + datetime.timedelta(hours=1)
    result = services.run_scheduled_imports(later)
    assert result["Nightly"]["created"] == 1
    assert EmployeeProfile.objects.get().employee_id == "E1"
    record = HrisImport.objects.get()
    assert record.uploaded_by is None and record.summary["scheduled"] is True
    HrisImport.objects.update(uploaded_at=later)  # when it ran

    # Cron hosts run the jobs every few minutes: once a day is enough.
    path.write_bytes(csv_bytes([person("E1", "Ada"), person("E2", "Bo")]))
    assert services.run_scheduled_imports(later + datetime.timedelta(minutes=5)) == {}
    assert (
        services.run_scheduled_imports(later + datetime.timedelta(days=1))["Nightly"][
            "created"
        ]
        == 1
    )
    assert EmployeeProfile.objects.count() == 2


def test_a_broken_nightly_import_is_reported_and_the_others_still_run(
    settings, tmp_path, steward
):
    account("Ada")
    bamboo_mapping(name="Nightly")
    bamboo_mapping(name="Other")
    path = _scheduled(settings, tmp_path, [person("E1", "Ada", level="x")])
    settings.WAGTAIL_MENTORING = {
        "HRIS_SCHEDULED_IMPORTS": [
            {"mapping": "Gone", "path": str(path)},
            {"mapping": "Nightly", "path": str(tmp_path / "missing.csv")},
            {"mapping": "Other", "path": str(path)},
        ]
    }
    result = services.run_scheduled_imports(
        timezone.make_aware(datetime.datetime(2026, 3, 2, 3, 0))
    )
    assert result["Gone"] == "no saved mapping of that name"
    assert "cannot read" in result["Nightly"]
    assert "Nothing was imported: 1 rows have errors" in result["Other"]
    assert HrisImport.objects.get().status == HrisImportStatus.REFUSED
    assert not EmployeeProfile.objects.exists()
    assert PERIODIC_JOBS["hris-imports"][0] is run_scheduled_hris_imports
