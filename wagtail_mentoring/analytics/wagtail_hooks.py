"""Admin of analytics: the program dashboard (and its panel on the admin home)
and the organisational network map."""

from django.urls import reverse
from wagtail import hooks
from wagtail.admin.ui.components import Component

from wagtail_mentoring.analytics import kpis
from wagtail_mentoring.analytics.admin import DashboardViewSet
from wagtail_mentoring.analytics.network_admin import NetworkViewSet
from wagtail_mentoring.permissions import administered_programs

#: Programs the home panel lists before it sends people to the dashboard.
HOME_PANEL_PROGRAMS = 5


class DashboardPanel(Component):
    """The last 30 days of the programs the viewer administers, busiest first."""

    name = "wagtail_mentoring_dashboard"
    order = 150
    template_name = "wagtail_mentoring/analytics/home_panel.html"

    def __init__(self, programs):
        self.programs = programs

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        period = kpis.Period.last_days(30)
        rows = kpis.per_program(self.programs, period)
        rows.sort(key=lambda row: (-row.active, row.title))
        context.update(
            rows=rows[:HOME_PANEL_PROGRAMS],
            more=max(len(rows) - HOME_PANEL_PROGRAMS, 0),
            period=period,
            dashboard_url=reverse("wm_dashboard:index"),
        )
        return context


def register(menu) -> None:
    menu.mentoring.insert(0, DashboardViewSet())
    menu.mentoring.append(NetworkViewSet())
    hooks.register("register_icons", _icons)
    hooks.register("construct_homepage_panels", _home_panel)


def _icons(icons):
    return [*icons, "wagtail_mentoring/icons/wm-chart.svg"]


def _home_panel(request, panels):
    programs = administered_programs(request.user)
    if programs.exists():
        panels.append(DashboardPanel(programs))


__all__ = ["DashboardPanel", "register"]
