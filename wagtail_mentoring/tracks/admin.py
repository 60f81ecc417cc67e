"""The admin report of development tracks: how many people are at each stage
and how many wait at its gate (where they stall). Program-scoped: a program
admin sees the tracks naming one of their programs, counting their people."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from wagtail_mentoring.admin_base import MentoringViewSet
from wagtail_mentoring.permissions import (
    administers_any_program,
    can_view_track_report,
    track_report_people,
)
from wagtail_mentoring.programs.models import ProgramPage
from wagtail_mentoring.tracks.models import DevelopmentTrackPage
from wagtail_mentoring.tracks.progress import stages_of, track_report


def _program_ids(stages) -> set:
    ids = set()
    for stage in stages:
        for page in (stage.page, stage.rule_page):
            if isinstance(page, ProgramPage):
                ids.add(page.pk)
    return ids


class TrackReportView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "wagtail_mentoring/admin/track_report.html"
    page_title = _("Development tracks")
    header_icon = "list-ol"

    def dispatch(self, request, *args, **kwargs):
        if not administers_any_program(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        people = track_report_people(user)
        reports = []
        for track in DevelopmentTrackPage.objects.live().order_by("title"):
            stages = stages_of(track)
            if not can_view_track_report(user, _program_ids(stages)):
                continue
            reports.append({"track": track, **track_report(track, people)})
        context["reports"] = reports
        context["scoped"] = people is not None
        return context


class _ProgramAdminMenuItem(MenuItem):
    def is_shown(self, request):
        return administers_any_program(request.user)


class TrackViewSet(MentoringViewSet):
    name = "tracks"
    icon = "list-ol"
    menu_label = _("Development tracks")
    menu_order = 255
    menu_item_class = _ProgramAdminMenuItem

    def get_urlpatterns(self):
        return [path("", TrackReportView.as_view(), name="report")]
