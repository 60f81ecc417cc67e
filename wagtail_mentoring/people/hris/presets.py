"""What an HRIS file can tell us, and how three common exports name it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

#: Target field → label. ``employee_id`` is required; the rest are optional.
FIELDS = {
    "employee_id": _("Employee id"),
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "full_name": _("Full name (when the file has no first/last name)"),
    "email": _("Email"),
    "username": _("Sign-in name"),
    "title": _("Job title"),
    "department": _("Department"),
    "location": _("Location"),
    "timezone": _("Time zone"),
    "level": _("Career level"),
    "manager": _("Manager's employee id"),
    "languages": _("Languages"),
    "skills": _("Skills"),
    "active": _("Active"),
}

CUSTOM = "custom"
WORKDAY = "workday"
BAMBOOHR = "bamboohr"
SUCCESSFACTORS = "successfactors"

PRESET_CHOICES = [
    (CUSTOM, _("Custom")),
    (WORKDAY, _("Workday report export")),
    (BAMBOOHR, _("BambooHR custom report")),
    (SUCCESSFACTORS, _("SAP SuccessFactors user data file")),
]

#: preset → (header rows, target field → column heading).
PRESETS: dict[str, tuple[int, dict[str, str]]] = {
    # A Workday custom report ("Workers for HRIS export") saved as CSV/XLSX:
    # the column headings are the report fields' labels.
    WORKDAY: (
        1,
        {
            "employee_id": "Employee ID",
            "first_name": "Legal Name - First Name",
            "last_name": "Legal Name - Last Name",
            "email": "Email - Primary Work",
            "title": "Business Title",
            "department": "Supervisory Organization",
            "location": "Location",
            "timezone": "Time Zone",
            "level": "Job Level",
            "manager": "Manager - Employee ID",
            "languages": "Languages",
            "skills": "Skills",
            "active": "Active Status",
        },
    ),
    # A BambooHR custom report exported as CSV or XLSX.
    BAMBOOHR: (
        1,
        {
            "employee_id": "Employee #",
            "first_name": "First Name",
            "last_name": "Last Name",
            "email": "Work Email",
            "title": "Job Title",
            "department": "Department",
            "location": "Location",
            "timezone": "Time Zone",
            "level": "Job Level",
            "manager": "Supervisor EID",
            "languages": "Languages",
            "skills": "Skills",
            "active": "Status",
        },
    ),
    # The user data file (UDF): a row of field ids, a row of labels, then
    # people; managers are named by their USERID.
    SUCCESSFACTORS: (
        2,
        {
            "employee_id": "USERID",
            "username": "USERNAME",
            "first_name": "FIRSTNAME",
            "last_name": "LASTNAME",
            "email": "EMAIL",
            "title": "TITLE",
            "department": "DEPARTMENT",
            "location": "LOCATION",
            "timezone": "TIMEZONE",
            "level": "CUSTOM01",
            "manager": "MANAGER",
            "active": "STATUS",
        },
    ),
}


def preset_columns(preset: str) -> tuple[int, dict[str, str]]:
    header_rows, columns = PRESETS.get(preset, (1, {}))
    return header_rows, dict(columns)
