"""Wagtail admin of surveys: program admins compose them from question blocks,
read their results (with small-group suppression) and send them now; people-
data stewards also read a named survey's figures by self-identified group.

Every view takes its objects from the Survey policy, so a program admin sees
the surveys of their programs only; saving goes through the survey services,
which authorize again.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views import View
from wagtail.admin import messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column, TitleColumn
from wagtail.admin.views import generic

from wagtail_mentoring.admin_base import MentoringModelViewSet, ServiceFormMixin
from wagtail_mentoring.analytics import charts
from wagtail_mentoring.analytics.surveys import survey_results, survey_results_by_group
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.permissions import (
    administered_programs,
    administers_any_program,
    can_view_equity_reports,
    policy_for,
)
from wagtail_mentoring.surveys import services
from wagtail_mentoring.surveys.models import Survey

FIELDS = [
    "program",
    "title",
    "moment",
    "audience",
    "anonymous",
    "active",
    "intro",
    "questions",
]


class SurveyForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None:
            self.fields["program"].queryset = administered_programs(
                self.for_user
            ).order_by("title")
        if self.instance.pk:
            # Its answers belong to the program: a survey never moves.
            self.fields["program"].disabled = True
        if "questions" in self.fields:
            self._tolerate_broken_questions(self.fields["questions"])

    @staticmethod
    def _tolerate_broken_questions(field):
        # Wagtail reads a stream's posted keys without checking them: a
        # truncated or hand-made POST would be a server error. It is "no
        # questions" instead, which the form refuses (a survey needs one).
        widget = field.widget
        read = widget.value_from_datadict

        def value_from_datadict(data, files, name):
            try:
                return read(data, files, name)
            except (KeyError, ValueError):
                return field.block.to_python([])

        widget.value_from_datadict = value_from_datadict


class SurveyCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self):
        data = {k: v for k, v in self.form.cleaned_data.items() if k in FIELDS}
        program = data.pop("program")
        return services.create_survey(program, self.request.user, **data)


class SurveyEditView(ServiceFormMixin, generic.EditView):
    def save_instance(self):
        data = {k: v for k, v in self.form.cleaned_data.items() if k in FIELDS}
        data.pop("program", None)
        return services.update_survey(
            Survey.objects.get(pk=self.object.pk), self.request.user, **data
        )


class SurveyIndexView(generic.IndexView):
    default_ordering = "title"

    def get_base_queryset(self):
        return (
            policy_for(Survey)
            .instances_user_has_permission_for(self.request.user, "view")
            .select_related("program")
        )

    @cached_property
    def columns(self):
        return [
            self._get_title_column_class(TitleColumn)(
                "title",
                label=_("Survey"),
                get_url=self.get_inspect_url,
                sort_key="title",
            ),
            Column("program", label=_("Program"), accessor="program.title"),
            Column("moment", label=_("Sent at"), accessor="get_moment_display"),
            BooleanColumn("anonymous", label=_("Anonymous")),
            BooleanColumn("active", label=_("Sending")),
        ]


class SurveyResultsView(generic.InspectView):
    """The survey's settings and its results."""

    template_name = "wagtail_mentoring/surveys/admin/results.html"

    def get_fields(self):
        return ["program", "moment", "audience", "anonymous", "active"]

    def get_program_display_value(self):
        return self.object.program.title

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        results = survey_results(self.object)
        for question in results["questions"]:
            question.chart = (
                charts.bars(question.label, question.rows) if question.rows else ""
            )
        context["results"] = results
        context["can_send"] = policy_for(Survey).user_has_permission_for_instance(
            self.request.user, "change", self.object
        )
        # Answers split by self-identified group are people data: only for
        # those who may read the equity reports, never implied by running the
        # program.
        if can_view_equity_reports(self.request.user):
            context["by_group"] = survey_results_by_group(self.object)
        return context


class SurveySendNowView(View):
    """POST: invite now everyone the daily job would invite for this survey."""

    http_method_names = ["post"]

    def post(self, request, pk):
        # Someone who runs no program is refused outright; another program's
        # admin finds no such survey (ids cannot be probed).
        if not administers_any_program(request.user):
            raise PermissionDenied
        survey = get_object_or_404(
            policy_for(Survey)
            .instances_user_has_permission_for(request.user, "change")
            .select_related("program"),
            pk=pk,
        )
        try:
            made = services.send_due_surveys(survey=survey, by=request.user)
        except MentoringError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if made:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d person invited to “%(title)s”.",
                        "%(count)d people invited to “%(title)s”.",
                        made,
                    )
                    % {"count": made, "title": survey.title},
                )
            else:
                messages.success(request, _("Nobody is due for this survey right now."))
        return redirect("wm_surveys:inspect", survey.pk)


class SurveyViewSet(MentoringModelViewSet):
    model = Survey
    name = "surveys"
    icon = "form"
    menu_label = _("Surveys")
    menu_order = 215
    index_view_class = SurveyIndexView
    add_view_class = SurveyCreateView
    edit_view_class = SurveyEditView
    inspect_view_class = SurveyResultsView
    inspect_view_enabled = True
    list_filter = ["program", "moment"]
    search_fields = ["title", "program__title"]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("send/<int:pk>/", SurveySendNowView.as_view(), name="send_now")
        ]

    edit_handler = ObjectList(
        [FieldPanel(name) for name in FIELDS], base_form_class=SurveyForm
    )
