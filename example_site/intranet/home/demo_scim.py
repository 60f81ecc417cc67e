"""Demo data of SCIM provisioning and the HRIS import history.

*Mentoring › API tokens* lists the admin's SCIM token ("Entra ID (demo)",
scope ``scim``), as an identity provider would hold it; ``seed_demo`` prints
it once. Two people were provisioned through SCIM (``/scim/v2/Users`` lists
them with their enterprise data and their read-only ``groups``) into the group
"Mentoring pilots (Entra)" (``/scim/v2/Groups``). *Mentoring › HRIS import ›
Past imports* shows one file dry-run with a row error (a level written as a
word), never applied. Seeding again revokes the old token and changes nothing else.
"""

from __future__ import annotations

import csv
import io

from django.contrib.auth.models import Group as AuthGroup
from scim2_models import EnterpriseUser, Group, GroupMember

from wagtail_mentoring.api import tokens
from wagtail_mentoring.api.models import PersonalAccessToken
from wagtail_mentoring.contrib.scim import services as scim
from wagtail_mentoring.people.hris import services as hris
from wagtail_mentoring.people.hris.models import HrisImport, HrisMapping

TOKEN = "Entra ID (demo)"
GROUP = "Mentoring pilots (Entra)"
PROVISIONED = [
    ("noor.haddad@acme.example", "Noor", "Haddad", "S-9001", "Data platform"),
    ("lukas.brandt@acme.example", "Lukas", "Brandt", "S-9002", "Data platform"),
]


def _export(mapping) -> bytes:
    """The two provisioned people as the mapping's HR system exports them;
    the second row's level is a word, which the dry run reports."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(mapping.columns.values())
    for (email, given, family, number, department), level in zip(
        PROVISIONED, ("4", "senior"), strict=True
    ):
        values = {
            "employee_id": number,
            "first_name": given,
            "last_name": family,
            "full_name": f"{given} {family}",
            "email": email,
            "department": department,
            "level": level,
            "active": "Active",
        }
        writer.writerow([values.get(field, "") for field in mapping.columns])
    return out.getvalue().encode()


def seed_scim(admin) -> str:
    ids = []
    for email, given, family, number, department in PROVISIONED:
        existing = scim.users().filter(mentoring_scim__external_id=email).first()
        if existing is None:
            resource = scim.ScimUserModel(
                user_name=email,
                external_id=email,
                name={"given_name": given, "family_name": family},
                emails=[{"value": email, "primary": True}],
                active=True,
                title="Data engineer",
            )
            resource[EnterpriseUser] = EnterpriseUser(
                employee_number=number, department=department
            )
            existing = scim.create_user(resource, by=admin)
        ids.append(str(existing.pk))
    if not AuthGroup.objects.filter(name=GROUP).exists():
        scim.create_group(
            Group(
                display_name=GROUP,
                external_id="entra-mentoring-pilots",
                members=[GroupMember(value=pk) for pk in ids],
            ),
            by=admin,
        )
    mapping = HrisMapping.objects.filter(name="Workday report").first()
    if mapping is not None and not HrisImport.objects.exists():
        hris.upload(mapping, _export(mapping), "workday-export.csv", admin)
    for old in PersonalAccessToken.objects.filter(
        user=admin, name=TOKEN, revoked_at__isnull=True
    ):
        tokens.revoke_token(old, admin)
    new = tokens.create_token(admin, admin, name=TOKEN, scope="scim", days=30)
    return (
        f" SCIM token of {admin.get_username()} (scim, 30 days; shown once): "
        f"{new.secret} — try curl -H 'Authorization: Bearer {new.secret}' "
        "http://localhost:8000/scim/v2/Users"
    )
