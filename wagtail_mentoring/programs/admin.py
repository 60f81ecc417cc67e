"""Wagtail admin for applications: listing, inspect, bulk approve/decline."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib.admin.utils import quote
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.widgets.button import HeaderButton, ListingButton

from wagtail_mentoring.admin_base import (
    BulkCheckboxColumn,
    MentoringModelViewSet,
    ServiceBulkAction,
    StatusColumn,
)
from wagtail_mentoring.people.users import display_name, name_search_fields
from wagtail_mentoring.permissions import can_administer, policy_for
from wagtail_mentoring.programs import services
from wagtail_mentoring.programs.filters import EnrollmentFilterSet
from wagtail_mentoring.programs.models import Enrollment, EnrollmentStatus

STATUS_TAG_COLORS = {
    EnrollmentStatus.PENDING: "warning",
    EnrollmentStatus.APPROVED: "success",
    EnrollmentStatus.DECLINED: "critical",
    EnrollmentStatus.WITHDRAWN: "secondary",
}


class ApplicantColumn(TitleColumn):
    def get_value(self, instance):
        return display_name(instance.user)


class ApplicationIndexView(generic.IndexView):
    template_name = "wagtail_mentoring/admin/applications_index.html"
    default_ordering = "-created_at"

    def get_base_queryset(self):
        return (
            policy_for(Enrollment)
            .instances_user_has_permission_for(self.request.user, "view")
            .for_listing()
        )

    @cached_property
    def columns(self):
        return [
            BulkCheckboxColumn("bulk_actions", obj_type="enrollment"),
            self._get_title_column_class(ApplicantColumn)(
                "applicant",
                label=_("Applicant"),
                get_url=self.get_inspect_url,
                sort_key="user",
                get_title_id=lambda obj: f"enrollment_{quote(obj.pk)}_title",
            ),
            Column("program", label=_("Program"), accessor="program.title"),
            Column(
                "role", label=_("Role"), accessor="get_role_display", sort_key="role"
            ),
            Column(
                "department",
                label=_("Department"),
                accessor="user.mentoring_profile.department",
            ),
            StatusColumn(
                "status",
                label=_("Status"),
                accessor="get_status_display",
                primary=lambda obj: obj.status == EnrollmentStatus.APPROVED,
                sort_key="status",
            ),
            DateColumn("created_at", label=_("Applied"), sort_key="created_at"),
        ]

    def get_list_buttons(self, instance):
        if instance.status != EnrollmentStatus.PENDING:
            return []
        # Searching re-renders only the results fragment; come back to the page.
        query = self.request.GET.urlencode()
        next_url = f"{self.index_url}?{query}" if query else self.index_url
        # ListingButton (not Button): Wagtail sizes icons only inside its
        # button styles; a bare Button draws a page-wide tick.
        return [
            ListingButton(
                label,
                url=_bulk_url(action, [instance.pk], next_url),
                icon_name=icon,
                priority=priority,
            )
            for label, action, icon, priority in (
                (_("Approve"), "approve", "check", 10),
                (_("Decline"), "decline", "cross", 20),
            )
        ]


class ApplicationInspectView(generic.InspectView):
    def get_base_queryset(self):
        return policy_for(Enrollment).instances_user_has_permission_for(
            self.request.user, "view"
        )

    def get_object(self, queryset=None):
        # Applications of other programs are "not found", not "forbidden".
        return get_object_or_404(self.get_base_queryset(), pk=self.pk)

    def get_field_label(self, field_name, field):
        if field_name == "profile":
            return _("Profile")
        return super().get_field_label(field_name, field)

    def get_user_display_value(self):
        return display_name(self.object.user)

    def get_program_display_value(self):
        return self.object.program.title

    def get_decided_by_display_value(self):
        return display_name(self.object.decided_by) if self.object.decided_by else "—"

    def get_answers_display_value(self):
        items = self.object.answer_items()
        if not items:
            return "—"
        return format_html(
            "<dl>{}</dl>",
            format_html_join("", "<dt>{}</dt><dd>{}</dd>", items),
        )

    def get_profile_display_value(self):
        profile = getattr(self.object.user, "mentoring_profile", None)
        if profile is None:
            return "—"
        parts = [
            profile.title,
            _("level %(level)s") % {"level": profile.level} if profile.level else "",
            profile.department,
            profile.location,
            profile.timezone,
        ]
        return " · ".join(str(p) for p in parts if p) or "—"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.object.status == EnrollmentStatus.PENDING:
            next_url = self.request.get_full_path()
            context["header_buttons"] = [
                HeaderButton(
                    _("Approve"),
                    url=_bulk_url("approve", [self.object.pk], next_url),
                    icon_name="check",
                ),
                HeaderButton(
                    _("Decline"),
                    url=_bulk_url("decline", [self.object.pk], next_url),
                    icon_name="cross",
                ),
            ]
        return context


class ApplicationViewSet(MentoringModelViewSet):
    model = Enrollment
    name = "applications"
    icon = "form"
    menu_label = _("Applications")
    menu_order = 200
    add_to_admin_menu = False
    index_view_class = ApplicationIndexView
    inspect_view_class = ApplicationInspectView
    inspect_view_enabled = True
    # Decisions go through the bulk actions; the policy never grants add/change,
    # so the generic create/edit views are unreachable but still need a form.
    form_fields = ["decision_note"]
    inspect_view_fields = [
        "user",
        "profile",
        "program",
        "role",
        "status",
        "capacity",
        "motivation",
        "answers",
        "created_at",
        "decided_at",
        "decided_by",
        "decision_note",
    ]
    filterset_class = EnrollmentFilterSet
    list_per_page = 50
    list_export = [
        "applicant_name",
        "program.title",
        "get_role_display",
        "get_status_display",
        "department",
        "capacity",
        "created_at",
        "decided_at",
    ]
    export_headings = {
        "applicant_name": _("Applicant"),
        "program.title": _("Program"),
        "get_role_display": _("Role"),
        "get_status_display": _("Status"),
        "department": _("Department"),
        "capacity": _("Capacity"),
        "created_at": _("Applied"),
        "decided_at": _("Decided"),
    }
    export_filename = "applications"

    @cached_property
    def search_fields(self):
        return name_search_fields("user__") + ["program__title"]


def _bulk_url(action: str, ids, next_url: str, wording: str = "") -> str:
    """The Applications bulk action ``action`` on ``ids``; ``wording="nomination"``
    asks it in the words of a nomination, which it is accepting."""
    base = reverse(
        "wagtail_bulk_action", args=("wagtail_mentoring", "enrollment", action)
    )
    query = [("next", next_url)] + [("id", i) for i in ids]
    if wording:
        query.append(("wording", wording))
    return f"{base}?{urlencode(query)}"


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the applicants (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class EnrollmentDecisionBulkAction(ServiceBulkAction):
    """Approve or decline the selected pending applications (all or nothing)."""

    models = [Enrollment]
    form_class = DecisionForm
    template_name = "wagtail_mentoring/admin/confirm_bulk_decision.html"

    @classmethod
    def get_queryset(cls, model, object_ids):
        return model.objects.filter(pk__in=object_ids).for_listing()

    def get_all_objects_in_listing_query(self, parent_id):
        scope = policy_for(Enrollment).instances_user_has_permission_for(
            self.request.user, "view"
        )
        filters = EnrollmentFilterSet(
            self.request.GET, queryset=scope, request=self.request
        )
        queryset = filters.qs if filters.is_valid() else scope
        return queryset.values_list("pk", flat=True)

    def check_perm(self, obj):
        return can_administer(self.request.user, obj.program)

    def get_actionable_objects(self):
        objects, extra = super().get_actionable_objects()
        pending = [o for o in objects if o.status == EnrollmentStatus.PENDING]
        extra["items_not_pending"] = [
            o for o in objects if o.status != EnrollmentStatus.PENDING
        ]
        return pending, extra

    @cached_property
    def for_nominations(self) -> bool:
        # Sponsorship's Accept/Decline of a nomination approve or decline the
        # nominee's application here: the same action, in a nomination's words.
        return self.request.GET.get("wording") == "nomination"

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if self.for_nominations:
            form.fields["note"].label = _("Note to the nominee (optional)")
        return form

    def object_context(self, obj):
        return {"item": obj, "name": display_name(obj.user)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.for_nominations:
            context["action_label"] = self.nomination_label
        return context | {
            "header_icon": "form",
            "for_nominations": self.for_nominations,
        }

    def get_execution_context(self):
        return {"by": self.request.user, "note": self.cleaned_form.cleaned_data["note"]}

    @classmethod
    def execute_action(cls, objects, by=None, note="", **kwargs):
        done = cls.service(objects, by, note)
        return len(done), 0


class ApproveBulkAction(EnrollmentDecisionBulkAction):
    display_name = _("Approve")
    action_type = "approve"
    aria_label = _("Approve selected applications")
    action_priority = 10
    service = staticmethod(services.approve_enrollments)
    nomination_label = _("Accept")

    def get_success_message(self, num_parent_objects, num_child_objects):
        if self.for_nominations:
            return ngettext(
                "%(count)d nomination accepted.",
                "%(count)d nominations accepted.",
                num_parent_objects,
            ) % {"count": num_parent_objects}
        return ngettext(
            "%(count)d application approved.",
            "%(count)d applications approved.",
            num_parent_objects,
        ) % {"count": num_parent_objects}


class DeclineBulkAction(EnrollmentDecisionBulkAction):
    display_name = _("Decline")
    action_type = "decline"
    aria_label = _("Decline selected applications")
    action_priority = 20
    classes = {"serious"}
    service = staticmethod(services.decline_enrollments)
    nomination_label = _("Decline")

    def get_success_message(self, num_parent_objects, num_child_objects):
        if self.for_nominations:
            return ngettext(
                "%(count)d nomination declined.",
                "%(count)d nominations declined.",
                num_parent_objects,
            ) % {"count": num_parent_objects}
        return ngettext(
            "%(count)d application declined.",
            "%(count)d applications declined.",
            num_parent_objects,
        ) % {"count": num_parent_objects}
