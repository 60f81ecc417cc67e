"""Who may do what: every permission policy of the package, in one place.

A program admin for a program is a superuser, a holder of
``wagtail_mentoring.administer_all_programs``, or a member of the program's
``admin_group`` (which hosts map to an SSO group). "A mentor sees only their
mentees" is data filtering in services and selectors, not a permission.

Each model the admin shows has its policy here (:func:`register_policies`), and
each policy names exactly the actions the generic admin may offer. The package's
viewsets (``admin_base``) take every queryset they show from the policy, so a
view added later is scoped without anyone remembering to.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils.translation import gettext as _
from wagtail import VERSION as WAGTAIL_VERSION
from wagtail.models import PageViewRestriction
from wagtail.permission_policies import ModelPermissionPolicy

from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.programs.models import (
    ADMINISTER_ALL,
    GIVING_ROLES,
    Enrollment,
    EnrollmentStatus,
    ProgramKind,
    ProgramPage,
    RelationshipMember,
)

if WAGTAIL_VERSION >= (8, 0):
    from wagtail.permissions import register_permission_policy
else:  # Wagtail 7.4 asks the viewset (admin_base.MentoringModelViewSet).
    register_permission_policy = None

VIEW_EQUITY_REPORTS = "wagtail_mentoring.view_equity_reports"
VIEW_PROFILES = "wagtail_mentoring.view_employeeprofile"
CHANGE_PROFILES = "wagtail_mentoring.change_employeeprofile"
EXPORT_PERSONAL_DATA = "wagtail_mentoring.export_personal_data"
ERASE_PERSONAL_DATA = "wagtail_mentoring.erase_personal_data"
RUN_MATCHING = "wagtail_mentoring.run_matching"
ACCESS_ADMIN = "wagtailadmin.access_admin"
MODERATE_ALL_SPACES = "wagtail_mentoring.moderate_all_spaces"


def is_active_user(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def passes_privacy(request, page) -> bool:
    """Whether ``request`` may see ``page`` under the intranet's *Privacy*
    settings (view restrictions on it or on a page above it), as Wagtail asks
    before serving the page. Our own URLs that show a page's content (a space's
    discussions and events, a journey through the API) ask too, so a private
    section stays private whichever way it is reached; a password is one the
    visitor gave on the page itself, in this session. A page read with
    :func:`~wagtail_mentoring.programs.selectors.with_privacy` costs no query
    when no setting applies to it."""
    if page.alias_of_id:  # an alias has its source page's restrictions
        restrictions = page.get_view_restrictions()
    elif getattr(page, "view_restricted", True) is False:
        return True
    else:
        # the page and its ancestors are the prefixes of its tree path
        step = page.steplen
        paths = [page.path[:end] for end in range(step, len(page.path) + 1, step)]
        restrictions = PageViewRestriction.objects.filter(page__path__in=paths)
    return all(restriction.accept_request(request) for restriction in restrictions)


def mark_privacy(request, pages) -> None:
    """Give ``pages`` the ``view_restricted`` of
    :func:`~wagtail_mentoring.programs.selectors.with_privacy`, for pages
    reached through another model (a program's journeys): the private
    sections' paths are read once per request, so :func:`passes_privacy`
    then costs no query for a page outside all of them."""
    if not hasattr(request, "_wm_private_paths"):
        request._wm_private_paths = tuple(
            PageViewRestriction.objects.values_list("page__path", flat=True)
        )
    for page in pages:
        page.view_restricted = page.path.startswith(request._wm_private_paths)


def administers_all_programs(user) -> bool:
    return is_active_user(user) and (user.is_superuser or user.has_perm(ADMINISTER_ALL))


def _group_ids(user) -> frozenset:
    # Cached on the user object, which lives for one request: listings ask once
    # per row and must not cost a query per row.
    if not hasattr(user, "_wm_group_ids"):
        user._wm_group_ids = frozenset(user.groups.values_list("pk", flat=True))
    return user._wm_group_ids


def administered_programs(user):
    """Program pages ``user`` administers (a queryset)."""
    if not is_active_user(user):
        return ProgramPage.objects.none()
    if administers_all_programs(user):
        return ProgramPage.objects.all()
    return ProgramPage.objects.filter(admin_group__in=_group_ids(user))


def can_administer(user, program) -> bool:
    if not is_active_user(user):
        return False
    if administers_all_programs(user):
        return True
    return bool(program.admin_group_id and program.admin_group_id in _group_ids(user))


def can_edit_wording(user, program) -> bool:
    """May ``user`` change the wording of notifications of ``program``?
    ``None`` is the site-wide wording: only admins of every program (HR)."""
    if program is None:
        return administers_all_programs(user)
    return can_administer(user, program)


def administers_any_program(user, kind: str = "") -> bool:
    """Whether ``user`` administers some program (of ``kind``). Cached on the
    user object, which lives for one request: the admin menu asks on every
    page of the host's admin, for several of its items."""
    key = f"_wm_administers_any_{kind}"
    if not hasattr(user, key):
        programs = administered_programs(user)
        setattr(user, key, (programs.filter(kind=kind) if kind else programs).exists())
    return getattr(user, key)


def public_mentor_ids():
    """Users who show themselves in a program as an accepted mentor or sponsor
    (a subquery): the only people a page editor may feature."""
    return Enrollment.objects.filter(
        role__in=GIVING_ROLES, status=EnrollmentStatus.APPROVED
    ).values("user_id")


def can_assign_program_admins(user) -> bool:
    """May ``user`` choose who administers a program (its *Program administrators*)?

    The field grants power over every applicant's data, so publishing the page
    is not enough: it takes the permission to administer every program.
    """
    return administers_all_programs(user)


def require(allowed: bool, message: str, code: str = "forbidden") -> None:
    """Refuse a business action: services call this before writing anything."""
    if not allowed:
        raise MentoringError(message, code=code)


def require_program_admin(user, program) -> None:
    require(
        can_administer(user, program),
        _("Only the admins of %(program)s can do that.") % {"program": program.title},
    )


def can_answer_survey(user, invitation) -> bool:
    """Only the person asked answers, once, while the survey is open."""
    return (
        is_active_user(user) and invitation.user_id == user.pk and invitation.is_open()
    )


def shared_until(relationship):
    """Until when a relationship gives its members a view of each other's data.

    ``None`` while it is open. Access that came from a relationship ends with
    it: a former partner or sponsor sees what existed while it was open (its
    history), never what was added after.
    """
    if relationship.is_open:
        return None
    return relationship.ended_at or relationship.created_at


# --- Development tracks --------------------------------------------------------


def can_view_track_report(user, program_ids) -> bool:
    """May ``user`` see where people stand on a track naming ``program_ids``?

    Those who administer every program may; a program admin may when the track
    names one of their programs (and then counts only their programs' people,
    :func:`track_report_people`).
    """
    if administers_all_programs(user):
        return True
    return administered_programs(user).filter(pk__in=list(program_ids)).exists()


def track_report_people(user):
    """Whom a track report counts for ``user``: ``None`` for everyone (they
    administer every program), otherwise the ids of the people who applied to
    a program they administer or are matched in one."""
    if administers_all_programs(user):
        return None
    programs = administered_programs(user)
    people = set(
        Enrollment.objects.filter(program__in=programs).values_list(
            "user_id", flat=True
        )
    )
    people |= set(
        RelationshipMember.objects.filter(
            relationship__program__in=programs
        ).values_list("user_id", flat=True)
    )
    people.discard(None)
    return people


# --- Program reports ----------------------------------------------------------


@dataclass(frozen=True)
class ReportScope:
    """Whose part in a program's reports someone may see: ``people`` is
    ``None`` for everyone (the program's admins), else the ids of the people
    a role granted elsewhere covers (a course's instructor: its learners)."""

    people: frozenset | None = None

    def covers(self, user_id) -> bool:
        return self.people is None or user_id in self.people


#: Who else may see part of a program's reports: callables ``(user, program)``
#: returning the ids of the people covered, or ``None`` (no grant). Optional
#: apps register theirs (the LTI tool: a course's instructors).
_REPORT_AUDIENCES: list = []


def register_report_audience(audience) -> None:
    if audience not in _REPORT_AUDIENCES:
        _REPORT_AUDIENCES.append(audience)


def report_scope(user, program) -> ReportScope | None:
    """What of ``program``'s reports ``user`` may see; ``None``: nothing.

    Its admins see everyone; anyone a registered audience grants sees the
    people it names (only active accounts: people who left are in no report).
    """
    if not is_active_user(user):
        return None
    if can_administer(user, program):
        return ReportScope()
    granted = [audience(user, program) for audience in _REPORT_AUDIENCES]
    granted = [set(people) for people in granted if people is not None]
    if not granted:
        return None
    people = set().union(*granted)
    active = get_user_model().objects.filter(pk__in=people, is_active=True)
    return ReportScope(frozenset(active.values_list("pk", flat=True)))


# --- Matching panel ---------------------------------------------------------


def can_run_matching(user, program) -> bool:
    """May ``user`` open ``program``'s matching panel and act in it?

    Superusers may; anyone else needs the ``run_matching`` permission *and* to
    administer the program (its admin group, or every program).
    """
    return _runs_matching(user) and can_administer(user, program)


def _runs_matching(user) -> bool:
    # A superuser administers every program; anyone else also needs to
    # administer the program in question.
    return is_active_user(user) and (user.is_superuser or user.has_perm(RUN_MATCHING))


def matching_programs(user):
    """Program pages whose matching panel ``user`` may use (a queryset)."""
    if not _runs_matching(user):
        return ProgramPage.objects.none()
    return administered_programs(user)


def matches_any_program(user) -> bool:
    """Whether :func:`matching_programs` holds any program, asked as
    :func:`administers_any_program` is, which the admin menu asks anyway."""
    return _runs_matching(user) and administers_any_program(user)


def require_matching(user, program) -> None:
    require(
        can_run_matching(user, program),
        _("You cannot run matching for %(program)s.") % {"program": program.title},
    )


# --- People data -------------------------------------------------------------


def can_view_equity_reports(user) -> bool:
    """Aggregated equity and fairness reports: people data, never implied by
    administering a program."""
    return is_active_user(user) and user.has_perm(VIEW_EQUITY_REPORTS)


def can_see_sign_in_names(user) -> bool:
    """Sign-in names tell namesakes apart, and are people data: shown to those
    who may view participants' profiles (the people-data stewards)."""
    return is_active_user(user) and user.has_perm(VIEW_PROFILES)


def can_import_people_data(user) -> bool:
    """HRIS imports (and their saved mappings) write people data: the stewards
    who may correct participants' profiles run them."""
    return is_active_user(user) and user.has_perm(CHANGE_PROFILES)


def can_provision_people(user) -> bool:
    """An identity provider's provisioning (SCIM) creates, changes and
    deactivates accounts and groups: only a superuser's token may."""
    return is_active_user(user) and user.is_superuser


def can_view_network(user) -> bool:
    """The organisational network map: people-data stewards see it for every
    program, program admins for the programs they administer."""
    return can_see_sign_in_names(user) or (
        is_active_user(user) and administers_any_program(user)
    )


def network_programs(user):
    """The programs whose relationships ``user``'s network map counts (a
    queryset), or ``None`` for every program (stewards)."""
    if can_see_sign_in_names(user) or administers_all_programs(user):
        return None
    return administered_programs(user)


# --- Privacy rights ------------------------------------------------------------


def can_export_personal_data(user, subject) -> bool:
    """Everyone may export their own data; HR (``export_personal_data``)
    anyone's."""
    return is_active_user(user) and (
        user.pk == subject.pk or user.has_perm(EXPORT_PERSONAL_DATA)
    )


def can_erase_personal_data(user) -> bool:
    """Erasing someone's mentoring data is HR's (``erase_personal_data``)."""
    return is_active_user(user) and user.has_perm(ERASE_PERSONAL_DATA)


def handles_personal_data(user) -> bool:
    """May ``user`` open the admin's privacy screen?"""
    return is_active_user(user) and (
        user.has_perm(EXPORT_PERSONAL_DATA) or user.has_perm(ERASE_PERSONAL_DATA)
    )


# --- Community spaces ----------------------------------------------------------
# Community sits above programs, and programs import this module: its models
# are looked up by name, never imported here.


def _community(name: str):
    return apps.get_model("wagtail_mentoring", name)


def moderates_all_spaces(user) -> bool:
    """The intranet's community team: ``moderate_all_spaces`` (or superuser)."""
    return is_active_user(user) and (
        user.is_superuser or user.has_perm(MODERATE_ALL_SPACES)
    )


def space_membership(user, space):
    """``user``'s membership row in ``space`` (any status), or ``None``.

    Cached on the user object for the request: a page asks several times.
    """
    if not is_active_user(user):
        return None
    cache = user.__dict__.setdefault("_wm_space_memberships", {})
    if space.pk not in cache:
        cache[space.pk] = (
            _community("SpaceMembership")
            .objects.filter(space_id=space.pk, user_id=user.pk)
            .first()
        )
    return cache[space.pk]


def forget_space_membership(user, space) -> None:
    """Drop the cached membership after a service changed it."""
    user.__dict__.get("_wm_space_memberships", {}).pop(space.pk, None)


def is_space_member(user, space) -> bool:
    membership = space_membership(user, space)
    return membership is not None and membership.status == "active"


def can_moderate_space(user, space) -> bool:
    """Moderators of ``space``: its moderator members, its moderators group,
    the admins of the program it belongs to, and the community team.

    Power in one space gives none in another.
    """
    if not is_active_user(user):
        return False
    if moderates_all_spaces(user):
        return True
    if space.moderator_group_id and space.moderator_group_id in _group_ids(user):
        return True
    if space.program_id and can_administer(user, space.program):
        return True
    membership = space_membership(user, space)
    return (
        membership is not None
        and membership.status == "active"
        and membership.role == "moderator"
    )


def moderated_spaces(user):
    """Community space pages ``user`` moderates (a queryset)."""
    Space = _community("CommunitySpacePage")
    if not is_active_user(user):
        return Space.objects.none()
    if moderates_all_spaces(user):
        return Space.objects.all()
    moderator_of = _community("SpaceMembership").objects.filter(
        user_id=user.pk, status="active", role="moderator"
    )
    return Space.objects.filter(
        Q(moderator_group__in=_group_ids(user))
        | Q(program__in=administered_programs(user))
        | Q(pk__in=moderator_of.values("space_id"))
    )


def can_read_space(user, space) -> bool:
    """Who may read a space's discussions: any signed-in person in an open
    space; members and moderators in one you join by request or invitation."""
    if not is_active_user(user):
        return False
    if not space.is_closed:
        return True
    return is_space_member(user, space) or can_moderate_space(user, space)


def can_post_in_space(user, space) -> bool:
    """Members (and moderators) write; archived spaces are read-only."""
    return (
        not space.archived
        and is_active_user(user)
        and (is_space_member(user, space) or can_moderate_space(user, space))
    )


def require_space_moderator(user, space) -> None:
    require(
        can_moderate_space(user, space),
        _("Only the moderators of %(space)s can do that.") % {"space": space.title},
    )


# --- Policies ----------------------------------------------------------------


class ActionsPolicy(ModelPermissionPolicy):
    """Django model permissions, limited to the ``actions`` the generic admin
    may offer (everything else is a business action with its own service)."""

    actions: tuple[str, ...] = ("view", "change")

    def __init__(self, model, *, actions: tuple[str, ...] | None = None, **kwargs):
        super().__init__(model, **kwargs)
        if actions is not None:
            self.actions = tuple(actions)

    def user_has_permission(self, user, action):
        return (
            action in self.actions
            and is_active_user(user)
            and super().user_has_permission(user, action)
        )

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, a) for a in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def instances_user_has_permission_for(self, user, action):
        if not self.user_has_permission(user, action):
            return self.model._default_manager.none()
        return self.model._default_manager.all()


class ProfilePolicy(ActionsPolicy):
    """Participant profiles: people-data stewards view and correct them.

    Profiles are created with their user and erased with them: never added or
    deleted by hand. Inactive people are invisible everywhere in the product.

    ``choose`` is the profile chooser of page editors (the mentor spotlight):
    stewards choose anyone; other admin users only people who already show
    themselves in a program as an accepted mentor or sponsor.
    """

    actions = ("view", "change", "choose")

    def user_has_permission(self, user, action):
        if action == "choose":
            return is_active_user(user) and user.has_perm(ACCESS_ADMIN)
        return super().user_has_permission(user, action)

    def instances_user_has_permission_for(self, user, action):
        profiles = self.model._default_manager.filter(user__is_active=True)
        if not self.user_has_permission(user, action):
            return profiles.none()
        if action == "choose" and not self.user_has_permission(user, "view"):
            return profiles.filter(user__in=public_mentor_ids())
        return profiles


class PeopleDataPolicy(ActionsPolicy):
    """HRIS mappings: whoever may import people data manages them."""

    actions = ("view", "add", "change", "delete")

    def user_has_permission(self, user, action):
        return action in self.actions and can_import_people_data(user)


class WebhookDeliveryPolicy(ActionsPolicy):
    """The delivery log: seen by whoever may see webhook endpoints."""

    actions = ("view",)

    def user_has_permission(self, user, action):
        return (
            action in self.actions
            and is_active_user(user)
            and user.has_perm("wagtail_mentoring.view_webhookendpoint")
        )


def _active_holders_of(codename: str):
    # Active superusers and whoever holds our permission ``codename``, directly
    # or through a group: who a scoped policy names as having any permission.
    perm = Permission.objects.filter(
        content_type__app_label="wagtail_mentoring", codename=codename
    )
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(user_permissions__in=perm)
            | Q(groups__permissions__in=perm)
        )
        .distinct()
    )


class ProgramScopedPolicy(ModelPermissionPolicy):
    """Policy for models that belong to a program (through ``program_field``).

    Program admins may do ``actions`` on the objects of the programs they
    administer (of ``kinds`` only, when given); nobody else may do anything.
    """

    def __init__(
        self,
        model,
        *,
        program_field: str = "program",
        actions: tuple[str, ...] = ("view",),
        kinds: tuple[str, ...] | None = None,
        programs=administered_programs,
    ):
        super().__init__(model)
        self.program_field = program_field
        self.actions = tuple(actions)
        self.kinds = tuple(kinds) if kinds else None
        self._programs = programs

    def programs(self, user):
        """The programs whose objects ``user`` may see through this policy."""
        programs = self._programs(user)
        if self.kinds:
            programs = programs.filter(kind__in=self.kinds)
        return programs

    def _program_ids(self, user) -> frozenset:
        # Cached per request user: listings ask once per row.
        key = f"_wm_programs_{self._programs.__name__}_{'_'.join(self.kinds or ())}"
        if not hasattr(user, key):
            setattr(
                user, key, frozenset(self.programs(user).values_list("pk", flat=True))
            )
        return getattr(user, key)

    def user_has_permission(self, user, action):
        return (
            action in self.actions
            and is_active_user(user)
            and bool(self._program_ids(user))
        )

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, a) for a in actions)

    def program_id_of(self, instance) -> int:
        *path, last = self.program_field.split("__")
        for part in path:
            instance = getattr(instance, part)
        return getattr(instance, f"{last}_id")

    def user_has_permission_for_instance(self, user, action, instance):
        if action not in self.actions:
            return False
        if not is_active_user(user):
            return False
        return self.program_id_of(instance) in self._program_ids(user)

    def instances_user_has_permission_for(self, user, action):
        manager = self.model._default_manager
        if action not in self.actions or not is_active_user(user):
            return manager.none()
        unrestricted = self._programs is administered_programs and not self.kinds
        if unrestricted and administers_all_programs(user):
            return manager.all()
        return manager.filter(**{f"{self.program_field}__in": self.programs(user)})

    def users_with_any_permission(self, actions):
        return _active_holders_of("administer_all_programs")


def can_manage_chat_connection(user, program) -> bool:
    """May ``user`` add or change a chat connection of ``program``?

    A site-wide one (``program`` is ``None``) carries every program's posts:
    it takes the permission to administer every program.
    """
    if program is None:
        return administers_all_programs(user)
    return can_administer(user, program)


class ChatConnectionPolicy(ProgramScopedPolicy):
    """Program admins manage the chat connections of their programs; the
    site-wide ones belong to those who administer every program."""

    def user_has_permission(self, user, action):
        return super().user_has_permission(user, action) or (
            action in self.actions and administers_all_programs(user)
        )

    def user_has_permission_for_instance(self, user, action, instance):
        if instance.program_id is None:
            return action in self.actions and administers_all_programs(user)
        return super().user_has_permission_for_instance(user, action, instance)


class SpaceScopedPolicy(ModelPermissionPolicy):
    """Objects of community spaces (through ``space_field``): the moderators of
    a space may view them, and nobody else, whatever the model permissions.
    Deciding is a business action with its own service."""

    actions = ("view",)

    def __init__(self, model, *, space_field: str = "post__space"):
        super().__init__(model)
        self.space_field = space_field

    def _space_ids(self, user) -> frozenset:
        if not hasattr(user, "_wm_moderated_spaces"):
            user._wm_moderated_spaces = frozenset(
                moderated_spaces(user).values_list("pk", flat=True)
            )
        return user._wm_moderated_spaces

    def user_has_permission(self, user, action):
        return (
            action in self.actions
            and is_active_user(user)
            and bool(self._space_ids(user))
        )

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, a) for a in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        *path, last = self.space_field.split("__")
        for part in path:
            instance = getattr(instance, part)
        return getattr(instance, f"{last}_id") in self._space_ids(user)

    def instances_user_has_permission_for(self, user, action):
        manager = self.model._default_manager
        if action not in self.actions or not is_active_user(user):
            return manager.none()
        if moderates_all_spaces(user):
            return manager.all()
        return manager.filter(**{f"{self.space_field}__in": moderated_spaces(user)})

    def users_with_any_permission(self, actions):
        return _active_holders_of("moderate_all_spaces")


_policies: dict[type, ModelPermissionPolicy] = {}


def register_policy(model, policy: ModelPermissionPolicy) -> None:
    """Register ``policy`` for ``model`` with Wagtail (≥ 8) and for our viewsets."""
    _policies[model] = policy
    if register_permission_policy is not None:
        register_permission_policy(model, policy, exact_class=True)


def policy_for(model) -> ModelPermissionPolicy:
    try:
        return _policies[model]
    except KeyError:
        raise LookupError(
            f"{model._meta.label} has no policy: register one in "
            "wagtail_mentoring.permissions.register_policies()"
        ) from None


def register_policies() -> None:
    """Every admin-visible model's policy (called from ``AppConfig.ready``)."""

    def model(name):
        return apps.get_model("wagtail_mentoring", name)

    sponsorship = (ProgramKind.SPONSORSHIP,)
    # Deciding an application, answering a request or changing a relationship
    # is a business action with its own service: view-only in the admin.
    for name in ("Enrollment", "Relationship", "MentorRequest"):
        register_policy(model(name), ProgramScopedPolicy(model(name)))
    # Cohorts are opened and renamed through their services; never deleted by
    # hand, since applications and matching runs point at them.
    register_policy(
        model("Cohort"),
        ProgramScopedPolicy(model("Cohort"), actions=("view", "add", "change")),
    )
    # Surveys are written and changed by their program's admins; never deleted
    # by hand, since their answers feed the dashboards.
    register_policy(
        model("Survey"),
        ProgramScopedPolicy(model("Survey"), actions=("view", "add", "change")),
    )
    register_policy(model("EmployeeProfile"), ProfilePolicy(model("EmployeeProfile")))
    register_policy(model("HrisMapping"), PeopleDataPolicy(model("HrisMapping")))
    # Webhooks carry events of every program: a site-wide integration, with
    # Django's own permissions on endpoints (shown in the Groups editor).
    register_policy(
        model("WebhookEndpoint"),
        ActionsPolicy(
            model("WebhookEndpoint"), actions=("view", "add", "change", "delete")
        ),
    )
    register_policy(
        model("WebhookDelivery"), WebhookDeliveryPolicy(model("WebhookDelivery"))
    )
    for name in ("Skill", "Interest"):
        register_policy(
            model(name),
            ActionsPolicy(model(name), actions=("add", "change", "delete", "view")),
        )
    # Accepting a nomination is approving its application (Applications).
    register_policy(
        model("Nomination"), ProgramScopedPolicy(model("Nomination"), kinds=sponsorship)
    )
    register_policy(
        model("Opportunity"),
        ProgramScopedPolicy(
            model("Opportunity"), actions=("view", "add", "change"), kinds=sponsorship
        ),
    )
    # HR records and imports outcomes through the outcome services; an outcome
    # is evidence in the equity report, so it is never deleted by hand.
    register_policy(
        model("CareerOutcome"),
        ActionsPolicy(model("CareerOutcome"), actions=("view", "add", "change")),
    )
    # Saved and reset through their services (programs.wording): the admin
    # shows them, scoped to the programs one administers (site-wide wordings,
    # without a program, only to admins of every program).
    register_policy(
        model("NotificationWording"),
        ProgramScopedPolicy(model("NotificationWording"), actions=("view", "change")),
    )
    register_policy(
        model("ChatConnection"),
        ChatConnectionPolicy(
            model("ChatConnection"), actions=("view", "add", "change", "delete")
        ),
    )
    # Reports about posts: the queue of each space's moderators.
    register_policy(model("PostReport"), SpaceScopedPolicy(model("PostReport")))
    # Matching also takes the permission to run it.
    for name in ("MatchingRun", "MatchProposal"):
        register_policy(
            model(name), ProgramScopedPolicy(model(name), programs=matching_programs)
        )
