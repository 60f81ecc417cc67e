"""The "Mentoring" admin menu group and everything else we plug into Wagtail."""

from django.contrib.auth.models import Permission
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from wagtail_mentoring import audit
from wagtail_mentoring.engagement.admin import (
    MentorRequestViewSet,
    RelationshipViewSet,
)
from wagtail_mentoring.journeys.admin import JourneyViewSet, page_buttons
from wagtail_mentoring.people.admin import (
    InterestViewSet,
    ParticipantViewSet,
    SkillViewSet,
)
from wagtail_mentoring.programs.admin import (
    ApplicationViewSet,
    ApproveBulkAction,
    DeclineBulkAction,
)


class MentoringViewSetGroup(ViewSetGroup):
    menu_label = _("Mentoring")
    menu_icon = "group"
    menu_order = 250
    items = (
        ParticipantViewSet,
        ApplicationViewSet,
        RelationshipViewSet,
        MentorRequestViewSet,
        SkillViewSet,
        InterestViewSet,
        JourneyViewSet,
    )


@hooks.register("register_admin_viewset")
def register_viewsets():
    return MentoringViewSetGroup()


@hooks.register("register_admin_viewset")
def register_profile_chooser():
    from wagtail_mentoring.people.choosers import profile_chooser_viewset

    return profile_chooser_viewset


@hooks.register("register_page_header_buttons")
def journey_page_header_buttons(page, user, view_name=None, next_url=None):
    yield from page_buttons(page, user, next_url)


@hooks.register("register_page_listing_more_buttons")
def journey_page_listing_buttons(page, user, next_url=None):
    yield from page_buttons(page, user, next_url)


hooks.register("register_bulk_action", ApproveBulkAction)
hooks.register("register_bulk_action", DeclineBulkAction)


@hooks.register("register_log_actions")
def register_log_actions(actions):
    audit.register_actions(actions)


@hooks.register("register_permissions")
def register_permissions():
    # Shown in the Groups editor so the host's SSO group mapping drives access.
    return Permission.objects.filter(
        content_type__app_label="wagtail_mentoring",
        codename__in=["administer_all_programs", "view_equity_reports"],
    )


# --- Sponsorship -----------------------------------------------------------

from wagtail_mentoring.sponsorship.admin import (  # noqa: E402
    CareerOutcomeViewSet,
    NominationViewSet,
    OpportunityViewSet,
    PairingViewSet,
)
from wagtail_mentoring.sponsorship.admin_reports import (  # noqa: E402
    AccountabilityViewSet,
    EquityReportViewSet,
)


class SponsorshipViewSetGroup(ViewSetGroup):
    menu_label = _("Sponsorship")
    menu_icon = "pick"
    menu_order = 260
    items = (
        NominationViewSet,
        PairingViewSet,
        OpportunityViewSet,
        CareerOutcomeViewSet,
        AccountabilityViewSet,
        EquityReportViewSet,
    )


@hooks.register("register_admin_viewset")
def register_sponsorship_viewsets():
    return SponsorshipViewSetGroup()


@hooks.register("register_permissions")
def register_sponsorship_permissions():
    # HR records and imports career outcomes (Groups editor → Career outcome).
    return Permission.objects.filter(
        content_type__app_label="wagtail_mentoring",
        content_type__model="careeroutcome",
    )


# --- Matching panel ----------------------------------------------------------

from wagtail_mentoring.matching.admin import (  # noqa: E402
    BULK_ACTIONS as MATCHING_BULK_ACTIONS,
)
from wagtail_mentoring.matching.admin import (  # noqa: E402
    MatchingViewSet,
)
from wagtail_mentoring.matching.admin import (  # noqa: E402
    page_buttons as matching_page_buttons,
)

MentoringViewSetGroup.items = (*MentoringViewSetGroup.items, MatchingViewSet)

for _action in MATCHING_BULK_ACTIONS:
    hooks.register("register_bulk_action", _action)


@hooks.register("register_page_header_buttons")
def matching_page_header_buttons(page, user, view_name=None, next_url=None):
    yield from matching_page_buttons(page, user)


@hooks.register("register_page_listing_more_buttons")
def matching_page_listing_buttons(page, user, next_url=None):
    yield from matching_page_buttons(page, user)


@hooks.register("register_permissions")
def register_matching_permissions():
    # "Can run matching for the programs they administer", in the Groups editor.
    return Permission.objects.filter(
        content_type__app_label="wagtail_mentoring", codename="run_matching"
    )
