"""Test data builders that work with any user model."""

from __future__ import annotations

import itertools
from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from wagtail.models import Page

from wagtail_mentoring.people.models import EmployeeProfile, Skill
from wagtail_mentoring.programs.models import (
    Enrollment,
    MentoringHubPage,
    ProgramKind,
    ProgramPage,
)

PASSWORD = "correct-horse"
_counter = itertools.count(1)


def make_user(
    name: str | None = None,
    *,
    active: bool = True,
    superuser: bool = False,
    admin_access: bool = False,
    groups=(),
    perms=(),
    profile: dict | None = None,
):
    """A user on any user model (no assumption about ``username``/``email``)."""
    User = get_user_model()
    name = name or f"user{next(_counter)}"
    field_names = {f.name for f in User._meta.get_fields()}
    fields = {}
    if User.USERNAME_FIELD == "email":
        fields["email"] = f"{name}@example.com"
    else:
        fields[User.USERNAME_FIELD] = name
        if "email" in field_names:
            fields["email"] = f"{name}@example.com"
    if "first_name" in field_names:
        fields["first_name"] = name.capitalize()
        fields["last_name"] = "Tester"
    user = User(**fields, is_active=active)
    if superuser:
        user.is_superuser = True
        user.is_staff = True
    user.set_password(PASSWORD)
    user.save()
    if admin_access:
        user.user_permissions.add(
            Permission.objects.get(
                content_type__app_label="wagtailadmin", codename="access_admin"
            )
        )
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    for group in groups:
        user.groups.add(group)
    if profile is not None:
        EmployeeProfile.objects.update_or_create(user=user, defaults=profile)
    return user


def deactivate_quietly(user) -> None:
    """Deactivate ``user`` the way an SSO or SCIM sync's bulk update does: no
    ``save()``, so the package's reaction to someone leaving (ending their
    relationships, withdrawing their applications) has not run yet."""
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False


def login_identifier(user) -> str:
    return user.get_username()


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Skill {n}")


def site_root() -> Page:
    """The default site's root page; rebuilt when a transactional test has
    flushed what Wagtail's migrations created (locale, root, site)."""
    from wagtail.models import Locale, Site

    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site:
        return site.root_page
    Locale.objects.get_or_create(language_code="en")
    root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
    home = root.add_child(instance=Page(title="Home", slug="home"))
    Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    return home


def make_hub(parent: Page | None = None, **kwargs) -> MentoringHubPage:
    parent = parent or site_root()
    kwargs.setdefault("title", "Mentoring")
    # Not "mentoring": the package's own URLs live under /mentoring/.
    kwargs.setdefault("slug", "mentoring-hub")
    return parent.add_child(instance=MentoringHubPage(**kwargs))


def make_program(hub: MentoringHubPage, **kwargs) -> ProgramPage:
    now = timezone.now()
    n = next(_counter)
    kwargs.setdefault("title", f"Program {n}")
    kwargs.setdefault("slug", f"program-{n}")
    kwargs.setdefault("kind", ProgramKind.ONE_TO_ONE)
    kwargs.setdefault("enrollment_opens_at", now - timedelta(days=1))
    kwargs.setdefault("enrollment_closes_at", now + timedelta(days=30))
    if "admin_group" not in kwargs:
        kwargs["admin_group"] = Group.objects.create(name=f"Admins of program {n}")
    program = hub.add_child(instance=ProgramPage(**kwargs))
    return program


def make_enrollment(user, program, role="mentee", **kwargs) -> Enrollment:
    return Enrollment.objects.create(user=user, program=program, role=role, **kwargs)
