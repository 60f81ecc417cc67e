"""The HRIS import screens: upload, dry run, apply, permission."""

from __future__ import annotations

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import make_user
from tests.hris_helpers import account, bamboo_mapping, csv_bytes, person
from wagtail_mentoring.people.hris import services
from wagtail_mentoring.people.hris.models import (
    HrisImport,
    HrisImportStatus,
    HrisMapping,
)
from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.people.users import display_name

pytestmark = pytest.mark.django_db
STEWARD = [
    "wagtailadmin.access_admin",
    "wagtail_mentoring.view_employeeprofile",
    "wagtail_mentoring.change_employeeprofile",
]


def _upload(client, mapping, content):
    return client.post(
        reverse("wm_hris:upload"),
        {"mapping": mapping.pk, "file": SimpleUploadedFile("people.csv", content)},
    )


def test_upload_dry_run_then_apply(client):
    client.force_login(make_user("stella", perms=STEWARD))
    account("Ada"), account("Bo")
    mapping = bamboo_mapping()
    content = csv_bytes(
        [person("E1", "Ada"), person("E2", "Bo", level="x"), person("E3", "Cy")]
    )
    response = _upload(client, mapping, content)
    record = HrisImport.objects.get()
    assert response.url == reverse("wm_hris:dry_run", args=[record.pk])
    page = client.get(response.url).content.decode()
    assert "level “x” is not a whole number." in page
    assert "cy@example.com" in page  # no account: skipped, and said so
    assert EmployeeProfile.objects.count() == 0

    # Any bad row: nothing applied.
    client.post(response.url)
    assert EmployeeProfile.objects.count() == 0
    record.refresh_from_db()
    assert record.status == HrisImportStatus.CHECKED

    # Re-posted data is ignored: only the stored file is applied.
    client.post(response.url, {"skip_bad_rows": "on", "content": "E9,Eve"})
    assert list(EmployeeProfile.objects.values_list("employee_id", flat=True)) == ["E1"]
    record.refresh_from_db()
    assert record.status == HrisImportStatus.APPLIED

    errors = client.get(reverse("wm_hris:errors", args=[record.pk]))
    assert "level “x” is not a whole number." in errors.content.decode()


def test_a_broken_file_gets_a_clear_error_and_nothing_is_stored(client):
    client.force_login(make_user("stella", perms=STEWARD))
    response = _upload(client, bamboo_mapping(), b"\x81\x82\x83,\x90\n")
    assert response.status_code == 400
    assert "neither UTF-8 nor Windows-1252" in response.content.decode()
    assert HrisImport.objects.count() == 0


def test_saving_a_mapping_from_a_preset_fills_its_columns(client):
    client.force_login(make_user("stella", perms=STEWARD))
    response = client.post(
        reverse("wm_hris:add"),
        {
            "name": "SAP",
            "preset": "successfactors",
            "header_rows": 1,
            "match_users_by": "email",
        },
    )
    assert response.status_code == 302
    mapping = HrisMapping.objects.get()
    assert mapping.header_rows == 2
    assert mapping.columns["manager"] == "MANAGER"
    assert mapping.columns["employee_id"] == "USERID"


@pytest.mark.parametrize(
    "perms", [["wagtailadmin.access_admin", "wagtail_mentoring.view_employeeprofile"]]
)
def test_viewing_profiles_is_not_enough_to_import(client, perms):
    client.force_login(make_user("viewer", perms=perms))
    mapping = bamboo_mapping()
    account("Ada")
    response = _upload(client, mapping, csv_bytes([person("E1", "Ada")]))
    assert response.status_code in (302, 403)
    assert HrisImport.objects.count() == 0
    assert client.get(reverse("wm_hris:index")).status_code in (302, 403)


def test_past_imports_are_listed_with_counts_and_link_to_their_report(
    client, django_assert_max_num_queries
):
    stella = make_user("stella", perms=STEWARD)
    client.force_login(stella)
    account("Ada"), account("Bo")
    mapping = bamboo_mapping()
    applied = services.upload(
        mapping,
        csv_bytes([person("E1", "Ada"), person("E2", "Bo")]),
        "march.csv",
        stella,
    )
    services.apply_import(applied, stella)
    checked = services.upload(
        mapping, csv_bytes([person("E1", "Ada", level="x")]), "april.csv", stella
    )
    for i in range(30):
        services.upload(mapping, csv_bytes([person("E1", "Ada")]), f"f{i}.csv", stella)
    url = reverse("wm_hris:imports")
    with django_assert_max_num_queries(20):
        page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    # Newest first, 25 a page: the two oldest are on page 2.
    assert "f29.csv" in html and "march.csv" not in html
    html = client.get(url, {"p": 2}).content.decode()
    assert reverse("wm_hris:dry_run", args=[applied.pk]) in html
    assert reverse("wm_hris:dry_run", args=[checked.pk]) in html
    rows = {}
    for tr in lxml.html.fromstring(html).xpath("//tbody/tr"):
        cells = [" ".join(td.text_content().split()) for td in tr.xpath("td|th")]
        if cells:
            rows[cells[0]] = cells
    # file, mapping, by, uploaded, status, created, changed, deactivated, errors
    march, april = rows["march.csv"], rows["april.csv"]
    assert march[2] == display_name(stella)
    assert march[4:9] == ["Applied", "2", "0", "0", "0"]
    assert april[4:9] == ["Dry run done", "0", "0", "0", "1"]


def test_only_people_data_stewards_see_past_imports(client):
    account("Ada")
    services.upload(
        bamboo_mapping(),
        csv_bytes([person("E1", "Ada")]),
        "march.csv",
        make_user("stella", perms=STEWARD),
    )
    client.force_login(
        make_user("viewer", perms=STEWARD[:2])  # may view profiles, not change
    )
    page = client.get(reverse("wm_hris:imports"))
    assert page.status_code in (302, 403)
    assert b"march.csv" not in page.content
