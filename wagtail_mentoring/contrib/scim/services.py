"""Provisioning actions: SCIM resources in, host users and groups out.

Payloads are read and written with ``scim2-models``; this module maps them
onto ``get_user_model()`` (``userName`` → ``USERNAME_FIELD``, the primary
email → ``EMAIL_FIELD`` when the model has one), the person's
``EmployeeProfile`` (title, department, employee number, manager) and Django
auth groups. Deactivation goes through ``save()`` so the package's leaving
rules run (relationships end, future meetings are cancelled).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group as AuthGroup
from django.db import IntegrityError, transaction
from django.utils import timezone
from scim2_models import (
    Email,
    EnterpriseUser,
    Group,
    GroupMember,
    GroupMembership,
    InvalidValueException,
    Manager,
    Meta,
    Name,
    NotFoundException,
    UniquenessException,
    User,
)

from wagtail_mentoring import audit
from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.permissions import can_provision_people, require

from .models import ScimGroup, ScimUser

ScimUserModel = User[EnterpriseUser]

#: EmployeeProfile's column widths (the HRIS import applies the same).
_LIMITS = {
    f.name: f.max_length
    for f in EmployeeProfile._meta.get_fields()
    if f.name in ("employee_id", "title", "department") and f.max_length
}


def _fields() -> set[str]:
    return {f.name for f in get_user_model()._meta.get_fields()}


def _email_field() -> str | None:
    User_ = get_user_model()
    name = User_.get_email_field_name()
    return name if name in _fields() else None


def _pk(value: str):
    """The user/group pk an id names, or None when it cannot name one."""
    User_ = get_user_model()
    try:
        return User_._meta.pk.to_python(value)
    except Exception:  # noqa: BLE001 - any malformed id is "not found"
        return None


# --- users -------------------------------------------------------------------


def users():
    """The users SCIM serves: not deleted through SCIM."""
    return (
        get_user_model()
        .objects.exclude(mentoring_scim__deleted_at__isnull=False)
        .select_related("mentoring_scim", "mentoring_profile")
        # One query per page for everyone's read-only ``groups``.
        .prefetch_related("groups")
        .order_by("pk")
    )


def get_user(user_id: str):
    pk = _pk(user_id)
    user = users().filter(pk=pk).first() if pk is not None else None
    if user is None:
        raise NotFoundException(detail=f"User {user_id} not found")
    return user


def _profile(user):
    try:
        return user.mentoring_profile
    except EmployeeProfile.DoesNotExist:
        return None


def _scim(user):
    try:
        return user.mentoring_scim
    except ScimUser.DoesNotExist:
        return None


def user_resource(user, location: str) -> ScimUserModel:
    """The SCIM representation of ``user``."""
    User_ = get_user_model()
    names = _fields()
    scim = _scim(user)
    profile = _profile(user)
    given = getattr(user, "first_name", "") if "first_name" in names else ""
    family = getattr(user, "last_name", "") if "last_name" in names else ""
    email_field = _email_field()
    email = getattr(user, email_field, "") if email_field else ""
    resource = ScimUserModel(
        id=str(user.pk),
        user_name=str(getattr(user, User_.USERNAME_FIELD)),
        external_id=(scim.external_id or None) if scim else None,
        name=Name(given_name=given or None, family_name=family or None)
        if (given or family)
        else None,
        emails=[Email(value=email)] if email else None,
        active=user.is_active,
        title=(profile.title or None) if profile else None,
        # Read-only (RFC 7643 §4.1.2): memberships change through /Groups,
        # whose members are the same Django auth relation, so both agree.
        groups=[
            GroupMembership(
                value=str(group.pk),
                ref=location.rsplit("/", 2)[0] + f"/Groups/{group.pk}",
                display=group.name,
                type="direct",
            )
            for group in sorted(user.groups.all(), key=lambda g: g.pk)
        ]
        or None,
        meta=Meta(
            resource_type="User",
            created=scim.created_at if scim else getattr(user, "date_joined", None),
            last_modified=scim.updated_at if scim else None,
            location=location,
        ),
    )
    enterprise = EnterpriseUser(
        employee_number=(profile.employee_id or None) if profile else None,
        department=(profile.department or None) if profile else None,
        manager=Manager(
            value=str(profile.manager_id),
            ref=location.rsplit("/", 1)[0] + f"/{profile.manager_id}",
        )
        if profile and profile.manager_id
        else None,
    )
    if enterprise.model_dump(exclude_none=True, exclude={"schemas"}):
        resource[EnterpriseUser] = enterprise
    return resource


def _check_length(name: str, value: str, limit: int) -> None:
    if value and len(value) > limit:
        raise InvalidValueException(detail=f"{name} is longer than {limit} characters.")


def _primary_email(resource) -> str:
    emails = resource.emails or []
    for email in emails:
        if email.primary and email.value:
            return email.value
    for email in emails:  # Entra ID writes emails[type eq "work"].value
        if email.type == "work" and email.value:
            return email.value
    return next((e.value for e in emails if e.value), "")


def _require_provisioner(by) -> None:
    require(can_provision_people(by), "Only a superuser's SCIM token provisions.")


def _write_user(user, resource: ScimUserModel, by, *, creating: bool) -> None:
    _require_provisioner(by)
    User_ = get_user_model()
    names = _fields()
    if not resource.user_name:
        raise InvalidValueException(detail="userName is required.")
    taken = (
        User_.objects.filter(**{f"{User_.USERNAME_FIELD}__iexact": resource.user_name})
        .exclude(pk=user.pk)
        .exists()
    )
    if _email_field() == User_.USERNAME_FIELD:
        from django.core.exceptions import ValidationError
        from django.core.validators import validate_email

        try:
            validate_email(resource.user_name)
        except ValidationError as error:
            raise InvalidValueException(
                detail="This site's usernames are email addresses: "
                f"{resource.user_name} is not one."
            ) from error
    if taken:
        raise UniquenessException(detail=f"userName {resource.user_name} is taken.")
    setattr(user, User_.USERNAME_FIELD, resource.user_name)
    email_field = _email_field()
    if email_field and email_field != User_.USERNAME_FIELD:
        setattr(user, email_field, _primary_email(resource))
    name = resource.name
    for field, value in (
        ("first_name", name.given_name if name else None),
        ("last_name", name.family_name if name else None),
    ):
        if field in names:
            setattr(user, field, (value or "")[:150])
    was_active = user.is_active if user.pk else True
    user.is_active = resource.active is not False
    if creating:
        user.set_unusable_password()
    user.save()  # post_save: a deactivation ends participation
    scim, _created = ScimUser.objects.get_or_create(user=user)
    scim.external_id = resource.external_id or ""
    scim.deleted_at = None
    scim.save()
    _write_profile(user, resource)
    action = "create" if creating else "update"
    if not creating and was_active and not user.is_active:
        action = "deactivate"
    elif not creating and not was_active and user.is_active:
        action = "reactivate"
    audit.record(user, f"wagtail_mentoring.scim.{action}", by, label=resource.user_name)


def _refuse_manager_cycle(user, manager) -> None:
    """Walk up from the new manager: reaching ``user`` would close a loop
    (the org chart and everything that reads it assume a tree)."""
    chain, node = [manager.pk], manager.pk
    managers = EmployeeProfile.objects.values_list("manager_id", flat=True)
    while len(chain) < 10_000:
        node = managers.filter(user_id=node).first()
        if node is None:
            return
        if node == user.pk:
            names = " → ".join(str(pk) for pk in [user.pk, *chain, user.pk])
            raise InvalidValueException(
                detail=f"manager {manager.pk} would make a manager cycle: {names}."
            )
        if node in chain:
            return  # an older loop above, not through this person
        chain.append(node)


def _write_profile(user, resource: ScimUserModel) -> None:
    enterprise = resource[EnterpriseUser] or EnterpriseUser()
    wanted = {
        "title": resource.title or "",
        "department": enterprise.department or "",
        "employee_id": enterprise.employee_number or None,
    }
    for field, value in wanted.items():
        _check_length(field, value or "", _LIMITS[field])
    manager_id = None
    if enterprise.manager and enterprise.manager.value:
        manager = users().filter(pk=_pk(enterprise.manager.value)).first()
        if manager is None:
            raise InvalidValueException(
                detail=f"manager {enterprise.manager.value} is not a known user."
            )
        if manager.pk == user.pk:
            raise InvalidValueException(detail="A person cannot manage themselves.")
        _refuse_manager_cycle(user, manager)
        manager_id = manager.pk
    profile = _profile(user)
    if profile is None and not any(wanted.values()) and manager_id is None:
        return
    if profile is None:
        profile = EmployeeProfile(user=user)
    if wanted["employee_id"] and (
        EmployeeProfile.objects.filter(employee_id=wanted["employee_id"])
        .exclude(user=user)
        .exists()
    ):
        raise UniquenessException(
            detail=f"employeeNumber {wanted['employee_id']} belongs to someone else."
        )
    for field, value in wanted.items():
        setattr(profile, field, value)
    profile.manager_id = manager_id
    profile.updated_at = timezone.now()
    profile.save()


@transaction.atomic
def create_user(resource: ScimUserModel, by):
    User_ = get_user_model()
    user = User_()
    try:
        with transaction.atomic():
            _write_user(user, resource, by, creating=True)
    except IntegrityError as error:
        raise UniquenessException(detail=str(error)) from error
    return user


@transaction.atomic
def replace_user(user, resource: ScimUserModel, by):
    try:
        with transaction.atomic():
            _write_user(user, resource, by, creating=False)
    except IntegrityError as error:
        raise UniquenessException(detail=str(error)) from error
    return user


@transaction.atomic
def delete_user(user, by) -> None:
    """SCIM delete: the account is deactivated (history kept) and gone from SCIM."""
    _require_provisioner(by)
    if user.is_active:
        user.is_active = False
        user.save()
    scim, _created = ScimUser.objects.get_or_create(user=user)
    scim.deleted_at = timezone.now()
    scim.save()
    audit.record(user, "wagtail_mentoring.scim.delete", by)


# --- groups ------------------------------------------------------------------


def groups():
    return AuthGroup.objects.select_related("mentoring_scim").order_by("pk")


def get_group(group_id: str):
    try:
        pk = int(group_id)
    except ValueError:
        pk = None
    group = groups().filter(pk=pk).first() if pk is not None else None
    if group is None:
        raise NotFoundException(detail=f"Group {group_id} not found")
    return group


def group_resource(group, location: str, users_location) -> Group:
    scim = getattr(group, "mentoring_scim", None) if _has_scim(group) else None
    members = [
        GroupMember(value=str(pk), ref=users_location(pk), type="User")
        for pk in group.user_set.exclude(
            mentoring_scim__deleted_at__isnull=False
        ).values_list("pk", flat=True)
    ]
    return Group(
        id=str(group.pk),
        display_name=group.name,
        external_id=(scim.external_id or None) if scim else None,
        members=members or None,
        meta=Meta(
            resource_type="Group",
            created=scim.created_at if scim else None,
            last_modified=scim.updated_at if scim else None,
            location=location,
        ),
    )


def _has_scim(group) -> bool:
    try:
        group.mentoring_scim  # noqa: B018
    except ScimGroup.DoesNotExist:
        return False
    return True


def _write_group(group, resource: Group, by, *, creating: bool) -> None:
    _require_provisioner(by)
    if not resource.display_name:
        raise InvalidValueException(detail="displayName is required.")
    if (
        AuthGroup.objects.filter(name=resource.display_name)
        .exclude(pk=group.pk)
        .exists()
    ):
        raise UniquenessException(detail=f"Group {resource.display_name} exists.")
    group.name = resource.display_name[:150]
    group.save()
    scim, _created = ScimGroup.objects.get_or_create(group=group)
    scim.external_id = resource.external_id or ""
    scim.save()
    wanted = []
    for member in resource.members or []:
        user = users().filter(pk=_pk(member.value or "")).first()
        if user is None:
            raise InvalidValueException(detail=f"member {member.value} is not a user.")
        wanted.append(user.pk)
    current = set(group.user_set.values_list("pk", flat=True))
    added, removed = set(wanted) - current, current - set(wanted)
    group.user_set.add(*added)
    group.user_set.remove(*removed)
    audit.record(
        scim,
        "wagtail_mentoring.scim.group_" + ("create" if creating else "update"),
        by,
        label=group.name,
        added=len(added),
        removed=len(removed),
    )


@transaction.atomic
def create_group(resource: Group, by):
    group = AuthGroup()
    _write_group(group, resource, by, creating=True)
    return group


@transaction.atomic
def replace_group(group, resource: Group, by):
    _write_group(group, resource, by, creating=False)
    return group


@transaction.atomic
def delete_group(group, by) -> None:
    _require_provisioner(by)
    scim, _created = ScimGroup.objects.get_or_create(group=group)
    audit.record(scim, "wagtail_mentoring.scim.group_delete", by, label=group.name)
    group.delete()
