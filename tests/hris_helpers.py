"""HRIS export files for the import tests, written as the HR systems write them."""

from __future__ import annotations

import csv
import io

import openpyxl
from django.contrib.auth import get_user_model

from tests.factories import make_user
from wagtail_mentoring.people.hris.models import HrisMapping
from wagtail_mentoring.people.hris.presets import BAMBOOHR, preset_columns

HEADINGS = ["Employee #", "First Name", "Last Name", "Work Email", "Job Title",
            "Department", "Location", "Time Zone", "Job Level", "Supervisor EID",
            "Languages", "Skills", "Status"]  # fmt: skip


def person(eid, first, *, manager="", department="Engineering", level="3",
           timezone="Europe/Berlin", status="Active", languages="en",
           skills="Python", email=None):  # fmt: skip
    return [eid, first, "Tester", email or f"{first.lower()}@example.com",
            "Engineer", department, "Berlin", timezone, level, manager, languages,
            skills, status]  # fmt: skip


def csv_bytes(rows, headings=HEADINGS, encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headings)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, headings=HEADINGS, extra_header=None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headings)
    if extra_header:
        sheet.append(extra_header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bamboo_mapping(**kwargs) -> HrisMapping:
    header_rows, columns = preset_columns(BAMBOOHR)
    User = get_user_model()
    defaults = {"match_users_by": "email"}
    if User.get_email_field_name() not in {f.name for f in User._meta.get_fields()}:
        defaults["match_users_by"] = "username"
    fields = {
        "name": "BambooHR",
        "preset": BAMBOOHR,
        "header_rows": header_rows,
        "columns": columns,
        **defaults,
        **kwargs,
    }
    return HrisMapping.objects.create(**fields)


def account(first: str, **kwargs):
    """A host account whose email the file names (any user model)."""
    return make_user(first.lower(), **kwargs)
