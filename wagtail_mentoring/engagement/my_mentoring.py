"""*My mentoring*: the employee's home in the package."""

from __future__ import annotations

from django.utils import timezone

from wagtail_mentoring.analytics.network import my_network
from wagtail_mentoring.conf import mentoring_settings
from wagtail_mentoring.engagement import selectors
from wagtail_mentoring.people.users import user_timezone
from wagtail_mentoring.programs.selectors import my_enrollments, my_enrollments_head
from wagtail_mentoring.views import ShortListPaginator, login_redirect, render_page


def my_mentoring(request):
    """The attention-first dashboard: what needs the employee now (requests to
    answer, meetings in the next 7 days, overdue check-ins, unread messages, feedback
    due), then relationships past and present, applications and journeys."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    enrollments = ShortListPaginator(
        lambda: my_enrollments(request.user).select_related(None),
        mentoring_settings.PAGE_SIZE,
        head=lambda n: my_enrollments_head(request.user, n),
    ).get_page(request.GET.get("applications"))
    relationships = ShortListPaginator(
        lambda: selectors.relationships_for_dashboard(request.user),
        mentoring_settings.PAGE_SIZE,
        head=lambda n: selectors.dashboard_relationships_head(request.user, n),
    ).get_page(request.GET.get("relationships"))
    enrollments.object_list = list(enrollments.object_list)
    relationships.object_list = list(relationships.object_list)
    # The lists' programs are read once, with the dashboard's; a list on one
    # page is the whole of it, and the dashboard and the network read it instead
    # of asking again.
    attention = selectors.dashboard(
        request.user,
        also=[*enrollments.object_list, *relationships.object_list],
        enrollments=_whole(enrollments),
        relationships=_whole(relationships),
    )
    with timezone.override(user_timezone(request.user)):
        return render_page(
            request,
            "wagtail_mentoring/engagement/my_mentoring.html",
            {
                "enrollments": enrollments,
                "relationships": relationships,
                "viewer_tz": timezone.get_current_timezone(),
                "network": my_network(request.user, _whole(relationships)),
                **attention,
            },
        )


def _whole(page):
    """The page's rows when they are the whole list, else ``None``."""
    return None if page.has_other_pages() else page.object_list
