"""Wagtail admin: Participants (profiles) and the skills/interests taxonomy."""

from __future__ import annotations

import django_filters
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn, UpdatedAtColumn
from wagtail.admin.views import generic
from wagtail.snippets.views.chooser import SnippetChooserViewSet

from wagtail_mentoring.admin_base import MentoringModelViewSet, MentoringSnippetViewSet
from wagtail_mentoring.people.models import EmployeeProfile, Interest, Skill
from wagtail_mentoring.people.users import display_name, name_search_fields


def _department_choices():
    values = (
        EmployeeProfile.objects.exclude(department="")
        .order_by("department")
        .values_list("department", flat=True)
        .distinct()
    )
    return [(v, v) for v in values]


def _location_choices():
    values = (
        EmployeeProfile.objects.exclude(location="")
        .order_by("location")
        .values_list("location", flat=True)
        .distinct()
    )
    return [(v, v) for v in values]


class ProfileFilterSet(WagtailFilterSet):
    department = django_filters.ChoiceFilter(
        label=_("Department"), choices=_department_choices
    )
    location = django_filters.ChoiceFilter(
        label=_("Location"), choices=_location_choices
    )
    level = django_filters.NumberFilter(label=_("Level"))
    open_to_mentoring = django_filters.BooleanFilter(label=_("Open to mentoring"))

    class Meta:
        model = EmployeeProfile
        fields = ["department", "location", "level", "open_to_mentoring"]


class ParticipantColumn(TitleColumn):
    def get_value(self, instance):
        return display_name(instance.user)


class SignInColumn(Column):
    """The name a person signs in with: what tells two "Jordan Chen" apart."""

    def get_value(self, instance):
        return instance.user.get_username()


class ParticipantIndexView(generic.IndexView):
    def get_base_queryset(self):
        # Inactive users are invisible everywhere in the product.
        return EmployeeProfile.objects.active().select_related("user", "manager")

    @cached_property
    def columns(self):
        return [
            ParticipantColumn(
                "user", label=_("Name"), get_url=self.get_edit_url, sort_key="user"
            ),
            SignInColumn("sign_in", label=_("Sign-in name")),
            Column("title", label=_("Job title")),
            Column("level", label=_("Level"), sort_key="level"),
            Column("department", label=_("Department"), sort_key="department"),
            Column("location", label=_("Location"), sort_key="location"),
            UpdatedAtColumn(),
        ]


class ParticipantViewSet(MentoringModelViewSet):
    model = EmployeeProfile
    name = "participants"
    icon = "user"
    menu_label = _("Participants")
    menu_order = 100
    index_view_class = ParticipantIndexView
    filterset_class = ProfileFilterSet
    list_per_page = 50
    list_export = [
        "user_display",
        "sign_in_name",
        "title",
        "level",
        "department",
        "location",
        "timezone",
        "updated_at",
    ]
    export_headings = {"user_display": _("Name"), "sign_in_name": _("Sign-in name")}
    export_filename = "participants"

    @cached_property
    def search_fields(self):
        return name_search_fields("user__") + ["title", "department", "location"]


class TaxonomyChooserViewSet(SnippetChooserViewSet):
    # Without a creation form, Wagtail's chooser answers its "create" URL with
    # a server error; with it, editors add a missing term from the chooser.
    form_fields = ["name", "description"]


class SkillViewSet(MentoringSnippetViewSet):
    model = Skill
    base_url_path = "mentoring/skills"
    admin_url_namespace = "wm_skills"
    chooser_base_url_path = "mentoring/skills/chooser"
    chooser_admin_url_namespace = "wm_skill_chooser"
    chooser_viewset_class = TaxonomyChooserViewSet
    icon = "tag"
    menu_order = 300
    list_display = ["name", "description"]
    search_fields = ["name"]
    ordering = ["name"]


class InterestViewSet(MentoringSnippetViewSet):
    model = Interest
    base_url_path = "mentoring/interests"
    admin_url_namespace = "wm_interests"
    chooser_base_url_path = "mentoring/interests/chooser"
    chooser_admin_url_namespace = "wm_interest_chooser"
    chooser_viewset_class = TaxonomyChooserViewSet
    icon = "tag"
    menu_order = 310
    list_display = ["name", "description"]
    search_fields = ["name"]
    ordering = ["name"]
