"""Finding people by what a person types: the one search every picker uses.

Every word must match some field (name, sign-in name, email, department, job
title, location), so "Lena Mensah" and "Chen Product" both work; results are
few and in a fixed order, so a picker costs the same with 300 employees or
100,000.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.people.users import (
    display_name,
    name_ordering,
    name_search_fields,
    terms_query,
)

#: How many people a picker offers at once; a longer list is not read.
PICKER_LIMIT = 10

PROFILE_SEARCH_FIELDS = ("department", "title", "location")


@dataclass
class PersonOption:
    """What a picker shows of one person: enough to tell namesakes apart."""

    user_id: object
    name: str
    detail: str

    @property
    def label(self) -> str:
        return f"{self.name} — {self.detail}" if self.detail else self.name


def person_detail(profile, *, sign_in: bool = False) -> str:
    """ "Senior Specialist, Product, Berlin" (and "emp0123" for admins)."""
    parts = [
        getattr(profile, field, "") for field in ("title", "department", "location")
    ]
    if sign_in:
        parts.append(profile.user.get_username())
    return ", ".join(part for part in parts if part)


def person_option(profile, *, sign_in: bool = False) -> PersonOption:
    return PersonOption(
        profile.user.pk,
        display_name(profile.user),
        person_detail(profile, sign_in=sign_in),
    )


def find_people(
    query: str, users: QuerySet | None = None, *, limit: int = PICKER_LIMIT
) -> tuple[list[EmployeeProfile], bool]:
    """Active people among ``users`` (a user queryset; everyone if None)
    matching every word of ``query``: at most ``limit`` profiles, and whether
    there were more. One query, whatever the number of employees. An empty
    query lists ``users`` (a manager's few reports), up to ``limit``."""
    profiles = EmployeeProfile.objects.active().select_related("user")
    if users is not None:
        profiles = profiles.filter(user__in=users.values("pk"))
    elif not query.split():
        return [], True
    fields = name_search_fields("user__") + [*PROFILE_SEARCH_FIELDS]
    found = list(
        profiles.filter(terms_query(query, fields)).order_by(
            *[f"user__{field}" for field in name_ordering()], "pk"
        )[: limit + 1]
    )
    return found[:limit], len(found) > limit
