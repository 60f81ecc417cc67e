"""Who may administer which program, and the permission policies Wagtail asks.

A program admin for a program is a superuser, a holder of
``wagtail_mentoring.administer_all_programs``, or a member of the program's
``admin_group`` (which hosts map to an SSO group). "A mentor sees only their
mentees" is data filtering in services and selectors, not a permission.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db.models import Q
from wagtail import VERSION as WAGTAIL_VERSION
from wagtail.permission_policies import ModelPermissionPolicy

ADMINISTER_ALL = "wagtail_mentoring.administer_all_programs"
VIEW_EQUITY_REPORTS = "wagtail_mentoring.view_equity_reports"


def administers_all_programs(user) -> bool:
    return bool(user.is_active and (user.is_superuser or user.has_perm(ADMINISTER_ALL)))


def _group_ids(user) -> frozenset:
    # Cached on the user object, which lives for one request: listings ask once
    # per row and must not cost a query per row.
    if not hasattr(user, "_wm_group_ids"):
        user._wm_group_ids = frozenset(user.groups.values_list("pk", flat=True))
    return user._wm_group_ids


def administered_programs(user):
    """Program pages ``user`` administers (a queryset)."""
    from wagtail_mentoring.programs.models import ProgramPage

    if not (user.is_authenticated and user.is_active):
        return ProgramPage.objects.none()
    if administers_all_programs(user):
        return ProgramPage.objects.all()
    return ProgramPage.objects.filter(admin_group__in=_group_ids(user))


def can_administer(user, program) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if administers_all_programs(user):
        return True
    return bool(program.admin_group_id and program.admin_group_id in _group_ids(user))


def administers_any_program(user) -> bool:
    if not hasattr(user, "_wm_administers_any"):
        user._wm_administers_any = administered_programs(user).exists()
    return user._wm_administers_any


class ProgramScopedPolicy(ModelPermissionPolicy):
    """Policy for models that belong to a program (through ``program_field``).

    Program admins may view and change the objects of the programs they
    administer; nobody adds or deletes them through the generic admin, because
    those are business actions with their own services.
    """

    program_field = "program"
    actions = ("view", "change")

    def __init__(self, model, program_field: str = "program"):
        super().__init__(model)
        self.program_field = program_field

    def user_has_permission(self, user, action):
        return action in self.actions and administers_any_program(user)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, a) for a in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        program = instance
        for part in self.program_field.split("__"):
            program = getattr(program, part)
        return action in self.actions and can_administer(user, program)

    def instances_user_has_permission_for(self, user, action):
        if action not in self.actions:
            return self.model._default_manager.none()
        if administers_all_programs(user):
            return self.model._default_manager.all()
        programs = administered_programs(user)
        return self.model._default_manager.filter(
            **{f"{self.program_field}__in": programs}
        )

    def users_with_any_permission(self, actions):
        from django.contrib.auth import get_user_model

        User = get_user_model()
        perm = Permission.objects.filter(
            content_type__app_label="wagtail_mentoring",
            codename="administer_all_programs",
        )
        return (
            User.objects.filter(is_active=True)
            .filter(
                Q(is_superuser=True)
                | Q(user_permissions__in=perm)
                | Q(groups__permissions__in=perm)
            )
            .distinct()
        )


_policies: dict[type, ModelPermissionPolicy] = {}


def register_policy(model, policy: ModelPermissionPolicy) -> None:
    """Register ``policy`` for ``model`` with Wagtail (≥ 8) and for our viewsets."""
    _policies[model] = policy
    if WAGTAIL_VERSION >= (8, 0):
        from wagtail.permissions import register_permission_policy

        register_permission_policy(model, policy, exact_class=True)


def policy_for(model) -> ModelPermissionPolicy:
    return _policies.get(model) or ModelPermissionPolicy(model)


# --- Matching panel ---------------------------------------------------------

RUN_MATCHING = "wagtail_mentoring.run_matching"


def can_run_matching(user, program) -> bool:
    """May ``user`` open ``program``'s matching panel and act in it?

    Superusers may; anyone else needs the ``run_matching`` permission *and* to
    administer the program (its admin group, or every program).
    """
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return user.has_perm(RUN_MATCHING) and can_administer(user, program)


def matching_programs(user):
    """Program pages whose matching panel ``user`` may use (a queryset)."""
    from wagtail_mentoring.programs.models import ProgramPage

    if not (user.is_authenticated and user.is_active):
        return ProgramPage.objects.none()
    if user.is_superuser:
        return ProgramPage.objects.all()
    if not user.has_perm(RUN_MATCHING):
        return ProgramPage.objects.none()
    return administered_programs(user)
