"""What the package plugs into Wagtail: each domain registers its own screens.

Wagtail imports this module; every domain's ``wagtail_hooks.register(menu)``
adds its hooks and puts its viewsets into the package's admin menu groups.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from wagtail_mentoring import audit
from wagtail_mentoring.admin_base import AdminMenu, MentoringViewSetGroup
from wagtail_mentoring.analytics import wagtail_hooks as analytics
from wagtail_mentoring.api import wagtail_hooks as api
from wagtail_mentoring.community import wagtail_hooks as community
from wagtail_mentoring.community.events import wagtail_hooks as space_events
from wagtail_mentoring.engagement import wagtail_hooks as engagement
from wagtail_mentoring.journeys import wagtail_hooks as journeys
from wagtail_mentoring.matching import wagtail_hooks as matching
from wagtail_mentoring.notifications import wagtail_hooks as notifications
from wagtail_mentoring.people import wagtail_hooks as people
from wagtail_mentoring.privacy import wagtail_hooks as privacy
from wagtail_mentoring.programs import wagtail_hooks as programs
from wagtail_mentoring.sponsorship import wagtail_hooks as sponsorship
from wagtail_mentoring.surveys import wagtail_hooks as surveys
from wagtail_mentoring.tracks import wagtail_hooks as tracks
from wagtail_mentoring.webhooks import wagtail_hooks as webhooks

menu = AdminMenu()
for domain in (
    people,
    notifications,
    programs,
    engagement,
    journeys,
    matching,
    sponsorship,
    tracks,
    community,
    space_events,
    surveys,
    webhooks,
):
    domain.register(menu)
privacy.register(menu)
api.register(menu)
# First in the Mentoring menu: the dashboard.
analytics.register(menu)


@hooks.register("register_admin_viewset")
def register_menu_groups():
    return [
        MentoringViewSetGroup(_("Mentoring"), "group", 250, menu.mentoring),
        MentoringViewSetGroup(_("Sponsorship"), "pick", 260, menu.sponsorship),
    ]


@hooks.register("register_log_actions")
def register_log_actions(actions):
    audit.register_actions(actions)
