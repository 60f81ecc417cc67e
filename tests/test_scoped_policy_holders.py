"""Who the program- and space-scoped admin policies name as holding any of
their permissions: active superusers and the holders, directly or through a
group, of the permission that reaches every program (or space); nobody else."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from tests.factories import make_user
from wagtail_mentoring.community.models import PostReport
from wagtail_mentoring.permissions import policy_for
from wagtail_mentoring.surveys.models import Survey

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("model", "codename", "other"),
    [
        (Survey, "administer_all_programs", "moderate_all_spaces"),
        (PostReport, "moderate_all_spaces", "administer_all_programs"),
    ],
)
def test_holders_are_active_superusers_and_holders_of_the_wide_permission(
    model, codename, other
):
    team = Group.objects.create(name="Team")
    team.permissions.add(
        Permission.objects.get(
            content_type__app_label="wagtail_mentoring", codename=codename
        )
    )
    root = make_user("root", superuser=True)
    direct = make_user("direct", perms=[f"wagtail_mentoring.{codename}"])
    # Directly and through the group: listed once.
    both = make_user("both", groups=[team], perms=[f"wagtail_mentoring.{codename}"])
    grouped = make_user("grouped", groups=[team])
    make_user("gone", superuser=True, active=False)
    make_user("left", groups=[team], active=False)
    make_user("elsewhere", perms=[f"wagtail_mentoring.{other}"])
    make_user("employee")

    holders = list(policy_for(model).users_with_any_permission(["view"]))
    assert sorted(u.pk for u in holders) == sorted(
        u.pk for u in (root, direct, both, grouped)
    )
