"""The matching panel in the Wagtail admin (``/admin/mentoring/matching/``)."""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets.button import Button

from wagtail_mentoring.admin_base import MentoringViewSet
from wagtail_mentoring.matching.admin import listing, views
from wagtail_mentoring.permissions import (
    can_run_matching,
    matches_any_program,
)
from wagtail_mentoring.programs.models import ProgramPage

BULK_ACTIONS = listing.BULK_ACTIONS


class _MatchingMenuItem(MenuItem):
    def is_shown(self, request):
        return matches_any_program(request.user)


class MatchingViewSet(MentoringViewSet):
    """Mentoring → Matching: run, review, lock, override and publish matches."""

    name = "matching"
    icon = "group"
    menu_label = _("Matching")
    menu_order = 150
    menu_item_class = _MatchingMenuItem

    def get_urlpatterns(self):
        program = "<int:program_id>/"
        return [
            path("", views.IndexView.as_view(), name="index"),
            path(program, views.PanelView.as_view(), name="panel"),
            path(f"{program}settings/", views.SettingsView.as_view(), name="settings"),
            path(f"{program}run/", views.StartRunView.as_view(), name="run"),
            path(
                "runs/<int:run_id>/status/",
                views.RunStatusView.as_view(),
                name="run_status",
            ),
            path(
                f"{program}proposals/",
                listing.ProposalIndexView.as_view(),
                name="proposals",
            ),
            path(
                f"{program}proposals/results/",
                listing.ProposalIndexView.as_view(results_only=True),
                name="proposals_results",
            ),
            path(
                f"{program}proposals/<int:pk>/<str:action>/",
                views.ProposalActionView.as_view(),
                name="proposal_action",
            ),
            path(
                f"{program}approve-above/",
                views.ApproveAboveView.as_view(),
                name="approve_above",
            ),
            path(f"{program}pair/", views.ManualPairView.as_view(), name="manual_pair"),
            path(f"{program}publish/", views.PublishView.as_view(), name="publish"),
            path(
                f"{program}circle-topic/<int:pk>/",
                views.CircleTopicView.as_view(),
                name="circle_topic",
            ),
            path(f"{program}fairness/", views.FairnessView.as_view(), name="fairness"),
        ]


def page_buttons(page, user, **kwargs):
    """ "Matching" on a program page's header (and the explorer's more menu)."""

    specific_class = page.specific_class
    if specific_class is None or not issubclass(specific_class, ProgramPage):
        return
    if can_run_matching(user, page):
        yield Button(
            _("Matching"),
            url=reverse("wm_matching:panel", args=[page.pk]),
            icon_name="group",
            priority=80,
        )
