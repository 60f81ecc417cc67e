"""Wagtail admin for cohorts: list, open and rename them, move applications.

Every view takes its objects from the Cohort policy (``permissions.py``), so a
program admin sees the cohorts of their programs only; saving goes through
the cohort services, which authorize again and write nothing when they refuse.
"""

from __future__ import annotations

from django import forms
from django.db.models import Count, Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic

from wagtail_mentoring.admin_base import (
    CalendarDateColumn,
    MentoringModelViewSet,
    ServiceBulkAction,
    ServiceFormMixin,
)
from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.permissions import administered_programs, policy_for
from wagtail_mentoring.programs import cohorts
from wagtail_mentoring.programs.models import Cohort, Enrollment, EnrollmentStatus


class CohortForm(WagtailAdminModelForm):
    class Meta:
        model = Cohort
        fields = ["program", "name", "starts_on", "journey"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None:
            self.fields["program"].queryset = administered_programs(
                self.for_user
            ).order_by("title")
        if self.instance.pk:
            # Its applications belong to the program: a cohort never moves.
            self.fields["program"].disabled = True

    def validate_unique(self):
        # The service says it in the product's words (and case-insensitively).
        pass


class CohortCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self):
        data = dict(self.form.cleaned_data)
        program = data.pop("program")
        return cohorts.create_cohort(program, self.request.user, **data)


class CohortEditView(ServiceFormMixin, generic.EditView):
    def save_instance(self):
        data = dict(self.form.cleaned_data)
        data.pop("program", None)
        return cohorts.update_cohort(
            Cohort.objects.get(pk=self.object.pk), self.request.user, **data
        )


class CohortIndexView(generic.IndexView):
    default_ordering = "starts_on"

    def get_base_queryset(self):
        return (
            policy_for(Cohort)
            .instances_user_has_permission_for(self.request.user, "view")
            .select_related("program", "journey")
            .annotate(
                participant_count=Count(
                    "enrollments",
                    filter=Q(enrollments__status=EnrollmentStatus.APPROVED),
                ),
                pending_count=Count(
                    "enrollments",
                    filter=Q(enrollments__status=EnrollmentStatus.PENDING),
                ),
            )
        )

    @cached_property
    def columns(self):
        return [
            self._get_title_column_class(TitleColumn)(
                "name", label=_("Cohort"), get_url=self.get_edit_url, sort_key="name"
            ),
            Column("program", label=_("Program"), accessor="program.title"),
            CalendarDateColumn("starts_on", label=_("Starts"), sort_key="starts_on"),
            Column(
                "journey",
                label=_("Journey"),
                accessor=lambda c: c.journey.title if c.journey else "—",
            ),
            Column("participant_count", label=_("Participants")),
            Column("pending_count", label=_("Pending")),
        ]


class CohortViewSet(MentoringModelViewSet):
    model = Cohort
    name = "cohorts"
    icon = "group"
    menu_label = _("Cohorts")
    menu_order = 205
    form_fields = CohortForm.Meta.fields
    index_view_class = CohortIndexView
    add_view_class = CohortCreateView
    edit_view_class = CohortEditView
    list_filter = ["program"]
    search_fields = ["name", "program__title"]

    def get_form_class(self, for_update=False):
        return CohortForm


# --- Moving applications between cohorts ---------------------------------------


class CohortChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.program.title}"


class MoveForm(forms.Form):
    cohort = CohortChoiceField(
        label=_("Move to cohort"), queryset=Cohort.objects.none()
    )


class MoveToCohortBulkAction(ServiceBulkAction):
    """Move the selected applications into one cohort of their program."""

    display_name = _("Move to cohort")
    action_type = "move_to_cohort"
    aria_label = _("Move selected applications to a cohort")
    action_priority = 30
    models = [Enrollment]
    form_class = MoveForm
    template_name = "wagtail_mentoring/admin/confirm_move_to_cohort.html"

    @classmethod
    def get_queryset(cls, model, object_ids):
        return model.objects.filter(pk__in=object_ids).for_listing()

    def check_perm(self, obj):
        return policy_for(Enrollment).user_has_permission_for_instance(
            self.request.user, "view", obj
        )

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["cohort"].queryset = (
            policy_for(Cohort)
            .instances_user_has_permission_for(self.request.user, "change")
            .select_related("program")
            .order_by("program__title", "starts_on")
        )
        return form

    def object_context(self, obj):
        return {"item": obj, "name": display_name(obj.user)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"header_icon": "group"}

    def get_execution_context(self):
        return {
            "by": self.request.user,
            "cohort": self.cleaned_form.cleaned_data["cohort"],
        }

    @classmethod
    def execute_action(cls, objects, by=None, cohort=None, **kwargs):
        moved = cohorts.move_to_cohort(objects, cohort, by)
        return len(moved), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "%(count)d application moved.",
            "%(count)d applications moved.",
            num_parent_objects,
        ) % {"count": num_parent_objects}
