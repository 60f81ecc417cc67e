"""Wagtail admin for journeys: the per-program report, import and export.

The report is program-scoped like every other admin screen: program admins
only ever see (and can only ask for) the programs they administer.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.reports import ReportView
from wagtail.admin.widgets import AdminPageChooser
from wagtail.admin.widgets.button import Button, HeaderButton
from wagtail.models import Page

from wagtail_mentoring.admin_base import MentoringViewSet
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.journeys import report, services
from wagtail_mentoring.journeys.models import LearningJourneyPage
from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.permissions import (
    administered_programs,
    administers_any_program,
    policy_for,
)
from wagtail_mentoring.programs.models import ProgramPage, Relationship

DEFAULT_STALLED_DAYS = report.DEFAULT_STALLED_DAYS


def _journey_programs(request):

    # django-filter calls this without a request when rendering the empty form.
    user = getattr(request, "user", None)
    if user is None:
        return ProgramPage.objects.none()
    return report.with_journey(administered_programs(user)).order_by("title")


class _ProgramScopedReport(ReportView):
    @property
    def permission_policy(self):
        return policy_for(Relationship)

    permission_required = "view"
    header_icon = "list-ol"


class FunnelFilterSet(WagtailFilterSet):
    program = django_filters.ModelChoiceFilter(
        label=_("Program"),
        queryset=_journey_programs,
        empty_label=None,
        method="keep",
    )

    class Meta:
        model = Relationship
        fields = ["program"]

    def keep(self, queryset, name, value):
        return queryset


class JourneyFunnelView(_ProgramScopedReport):
    page_title = _("Journey progress")
    filterset_class = FunnelFilterSet
    index_url_name = "wm_journeys:funnel"
    index_results_url_name = "wm_journeys:funnel_results"
    paginate_by = None
    list_export = [
        "journey",
        "number",
        "step",
        "audience",
        "pairs",
        "reached",
        "completed",
        "completion_rate",
        "median_hours",
    ]
    export_headings = {
        "journey": _("Journey"),
        "number": _("Step"),
        "step": _("Title"),
        "audience": _("For"),
        "pairs": _("Pairs"),
        "reached": _("Pairs that started"),
        "completed": _("Pairs that finished"),
        "completion_rate": _("Finished (% of pairs)"),
        "median_hours": _("Median time (hours)"),
    }

    def get_filename(self):
        program = self.program
        slug = program.slug if program else "journey"
        return f"journey-funnel-{slug}-{timezone.localdate():%Y-%m-%d}"

    @cached_property
    def program(self):
        programs = _journey_programs(self.request)
        chosen = None
        if self.filters and self.filters.is_valid():
            chosen = self.filters.form.cleaned_data.get("program")
        return chosen or programs.first()

    def get_base_queryset(self):
        return report.program_funnel(self.program) if self.program else []

    def filter_queryset(self, queryset):
        return queryset  # the program filter picks the funnel, it filters no rows

    def get_page_subtitle(self):
        return self.program.title if self.program else ""

    @cached_property
    def columns(self):
        columns = [
            Column("number", label=_("Step")),
            Column("step", label=_("Title")),
            Column("audience", label=_("For")),
            Column("pairs", label=_("Pairs")),
            Column("reached", label=_("Started")),
            Column("completed", label=_("Finished")),
            Column("completion_rate", label=_("Finished (% of pairs)")),
            Column("median_time", label=_("Median time")),
        ]
        if self.program and len(report.program_journeys(self.program)) > 1:
            columns.insert(0, Column("journey", label=_("Journey")))
        return columns

    @cached_property
    def no_results_message(self):
        if not self.program:
            return _(
                "None of your programs has a learning journey yet. Link one in "
                "the program page's Program tab."
            )
        return _("The program's journey has no steps yet.")

    @cached_property
    def header_buttons(self):
        query = f"?program={self.program.pk}" if self.program else ""
        return [
            HeaderButton(
                _("Stalled pairs"),
                url=reverse("wm_journeys:stalled") + query,
                icon_name="time",
            )
        ]


class StalledFilterSet(WagtailFilterSet):
    program = django_filters.ModelChoiceFilter(
        label=_("Program"),
        queryset=_journey_programs,
        empty_label=_("All my programs"),
    )
    days = django_filters.NumberFilter(
        label=_("No progress for (days)"),
        method="keep",
        min_value=1,
        max_value=3650,
    )

    class Meta:
        model = Relationship
        fields = ["program", "days"]

    def keep(self, queryset, name, value):
        return queryset  # applied with the annotation, see StalledPairsView


def _pair_names(relationship) -> str:
    return " & ".join(display_name(m.user) for m in relationship.members.all())


class StalledPairsView(_ProgramScopedReport):
    page_title = _("Stalled pairs")
    header_icon = "time"
    filterset_class = StalledFilterSet
    index_url_name = "wm_journeys:stalled"
    index_results_url_name = "wm_journeys:stalled_results"
    list_export = [
        "pair_names",
        "program.title",
        "current_step",
        "last_activity",
        "days_stalled",
    ]
    export_headings = {
        "pair_names": _("Pair"),
        "program.title": _("Program"),
        "current_step": _("Now at"),
        "last_activity": _("Last progress"),
        "days_stalled": _("Days without progress"),
    }

    def get_filename(self):
        return f"stalled-pairs-{timezone.localdate():%Y-%m-%d}"

    @cached_property
    def days(self) -> int:
        if self.filters and self.filters.is_valid():
            value = self.filters.form.cleaned_data.get("days")
            if value:
                return int(value)
        return DEFAULT_STALLED_DAYS

    def get_base_queryset(self):
        scoped = self.permission_policy.instances_user_has_permission_for(
            self.request.user, "view"
        )
        return (
            report.stalled_pairs(scoped, self.days)
            .select_related("program")
            .prefetch_related("members__user", "journey_progress")
            .order_by("last_activity", "pk")
        )

    def get_page_subtitle(self):
        return _("No progress for %(days)d days or more") % {"days": self.days}

    def decorate_paginated_queryset(self, object_list):
        now = timezone.now()
        for relationship in object_list:
            relationship.pair_names = _pair_names(relationship)
            open_steps = [
                p.current_step_title
                for p in relationship.journey_progress.all()
                if p.current_step_title
            ]
            relationship.current_step = "; ".join(open_steps) or _("Not started")
            relationship.days_stalled = (now - relationship.last_activity).days
        return object_list

    @cached_property
    def columns(self):
        return [
            Column("pair_names", label=_("Pair")),
            Column("program", label=_("Program"), accessor="program.title"),
            Column("current_step", label=_("Now at")),
            DateColumn("last_activity", label=_("Last progress")),
            Column("days_stalled", label=_("Days without progress")),
        ]


class JourneyImportForm(forms.Form):
    package = forms.FileField(
        label=_("Package"),
        help_text=_(
            "An IMS Common Cartridge (.imscc or .zip), a SCORM 1.2 or 2004 "
            "package (.zip), or just its imsmanifest.xml."
        ),
    )
    parent = forms.ModelChoiceField(
        queryset=Page.objects.all(),
        label=_("Create the journey under"),
        help_text=_("For example your mentoring hub."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].widget = AdminPageChooser(
            target_models=LearningJourneyPage.allowed_parent_page_models(),
            can_choose_root=False,
        )


class JourneyImportView(WagtailAdminTemplateMixin, FormView):
    template_name = "wagtail_mentoring/admin/journey_import.html"
    form_class = JourneyImportForm
    page_title = _("Import a learning journey")
    header_icon = "upload"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_initial(self):
        parent_id = self.request.GET.get("parent")
        return {"parent": parent_id} if parent_id else {}

    def form_valid(self, form):
        parent = form.cleaned_data["parent"].specific
        if not parent.permissions_for_user(self.request.user).can_add_subpage():
            form.add_error(
                "parent", _("You cannot add pages there; choose another page.")
            )
            return self.form_invalid(form)
        try:
            page, summary = services.import_journey(
                parent, form.cleaned_data["package"], self.request.user
            )
        except MentoringError as error:
            form.add_error("package", error)
            return self.form_invalid(form)
        message = _(
            "“%(title)s” was imported from a %(kind)s as a draft with %(steps)d "
            "steps, %(documents)d documents and %(images)d images."
        ) % {
            "title": page.title,
            "kind": summary.kind,
            "steps": summary.steps,
            "documents": summary.documents,
            "images": summary.images,
        }
        if summary.skipped:
            message += " " + _("Skipped: %(items)s.") % {
                "items": ", ".join(sorted(set(summary.skipped)))
            }
        messages.success(self.request, message)
        return redirect("wagtailadmin_pages:edit", page.pk)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


def export_view(request, page_id: int):
    journey = get_object_or_404(LearningJourneyPage, pk=page_id)
    try:
        data = services.export_journey(journey, request.user)
    except MentoringError:
        raise PermissionDenied
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="{journey.slug or "journey"}.imscc"'
    )
    return response


class _ProgramAdminMenuItem(MenuItem):
    def is_shown(self, request):
        return administers_any_program(request.user)


class JourneyViewSet(MentoringViewSet):
    """Journey progress in the Mentoring menu; import and export of journeys."""

    name = "journeys"
    icon = "list-ol"
    menu_label = _("Journey progress")
    menu_order = 250
    menu_item_class = _ProgramAdminMenuItem

    def get_urlpatterns(self):
        return [
            path("", JourneyFunnelView.as_view(), name="funnel"),
            path(
                "results/",
                JourneyFunnelView.as_view(results_only=True),
                name="funnel_results",
            ),
            path("stalled/", StalledPairsView.as_view(), name="stalled"),
            path(
                "stalled/results/",
                StalledPairsView.as_view(results_only=True),
                name="stalled_results",
            ),
            path("import/", JourneyImportView.as_view(), name="import"),
            path("<int:page_id>/export/", export_view, name="export"),
        ]


def page_buttons(page, user, next_url=None, **kwargs):
    """Export (journeys) and import (pages that may hold journeys) buttons."""
    specific_class = page.specific_class
    if specific_class is None:
        return
    if issubclass(specific_class, LearningJourneyPage):
        permissions = page.permissions_for_user(user)
        if permissions.can_edit() or permissions.can_publish():
            yield Button(
                _("Export as Common Cartridge"),
                url=reverse("wm_journeys:export", args=[page.pk]),
                icon_name="download",
                priority=90,
            )
    elif (
        LearningJourneyPage in specific_class.allowed_subpage_models()
        and LearningJourneyPage.is_creatable
        and page.permissions_for_user(user).can_add_subpage()
    ):
        yield Button(
            _("Import learning journey"),
            url=reverse("wm_journeys:import") + f"?parent={page.pk}",
            icon_name="upload",
            priority=90,
        )
