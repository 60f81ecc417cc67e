"""The reports queue: posts members reported, for their space's moderators."""

from __future__ import annotations

import django_filters
from django.contrib.admin.utils import quote
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.widgets.button import ListingButton

from wagtail_mentoring.admin_base import MentoringModelViewSet, StatusColumn
from wagtail_mentoring.community import services
from wagtail_mentoring.community.models import PostReport, ReportStatus
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.permissions import can_moderate_space, policy_for


class ReportFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Decision"), choices=ReportStatus.choices
    )

    class Meta:
        model = PostReport
        fields = ["status"]


class PostColumn(TitleColumn):
    def get_value(self, instance):
        return Truncator(instance.post.body).chars(80)


class PersonColumn(Column):
    def get_value(self, instance):
        for part in self.accessor.split("."):
            instance = getattr(instance, part)
        return display_name(instance)


class ReportIndexView(generic.IndexView):
    default_ordering = "-created_at"

    def get_base_queryset(self):
        return (
            policy_for(PostReport)
            .instances_user_has_permission_for(self.request.user, "view")
            .select_related("post__space", "post__author", "reporter", "decided_by")
        )

    @cached_property
    def columns(self):
        return [
            self._get_title_column_class(PostColumn)(
                "post",
                label=_("Post"),
                get_url=lambda obj: reverse("wm_space_reports:decide", args=[obj.pk]),
                get_title_id=lambda obj: f"report_{quote(obj.pk)}_title",
            ),
            Column("space", label=_("Space"), accessor="post.space.title"),
            PersonColumn("author", label=_("Written by"), accessor="post.author"),
            PersonColumn("reporter", label=_("Reported by"), accessor="reporter"),
            Column("reason", label=_("Reason")),
            StatusColumn(
                "status",
                label=_("Decision"),
                accessor="get_status_display",
                primary=lambda obj: obj.status == ReportStatus.OPEN,
                sort_key="status",
            ),
            DateColumn("created_at", label=_("Reported"), sort_key="created_at"),
        ]

    def get_list_buttons(self, instance):
        if instance.status != ReportStatus.OPEN:
            return []
        return [
            ListingButton(
                _("Decide"),
                url=reverse("wm_space_reports:decide", args=[instance.pk]),
                icon_name="check",
                priority=10,
            )
        ]


def decide(request, pk: int):
    """Show the reported post, then dismiss the report or hide the post."""
    report = get_object_or_404(
        PostReport.objects.select_related(
            "post__space", "post__thread", "post__author", "reporter", "decided_by"
        ),
        pk=pk,
    )
    space = report.post.space
    if not can_moderate_space(request.user, space):
        raise Http404
    index = reverse("wm_space_reports:index")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action not in ("dismiss", "hide"):
                raise MentoringError(
                    _("Choose to dismiss the report or hide the post.")
                )
            services.decide_report(
                report,
                request.user,
                hide=action == "hide",
                reason=request.POST.get("reason", ""),
            )
        except MentoringError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(request.path)
        messages.success(
            request,
            _("The post is hidden.") if action == "hide" else _("Report dismissed."),
        )
        return redirect(index)
    thread_url = reverse(
        "wagtail_mentoring:community_thread", args=[space.pk, report.post.thread_id]
    )
    return TemplateResponse(
        request,
        "wagtail_mentoring/community/admin/decide_report.html",
        {
            "report": report,
            "post": report.post,
            "author_name": display_name(report.post.author),
            "reporter_name": display_name(report.reporter),
            "decided_by_name": display_name(report.decided_by),
            "thread_url": f"{thread_url}?post={report.post.pk}#post-{report.post.pk}",
            "index_url": index,
        },
    )


class ReportViewSet(MentoringModelViewSet):
    model = PostReport
    name = "space_reports"
    icon = "warning"
    menu_label = _("Reported posts")
    menu_order = 260
    add_to_admin_menu = False
    index_view_class = ReportIndexView
    filterset_class = ReportFilterSet
    form_fields = ["reason"]
    list_per_page = 50
    inspect_view_enabled = False

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("decide/<int:pk>/", decide, name="decide")
        ]
