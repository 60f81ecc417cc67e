"""Admin of sponsorship: nominations, pairing, opportunities, outcomes, reports."""

from django.contrib.auth.models import Permission
from wagtail import hooks

from wagtail_mentoring.personal_data import PERSONAL_DATA_HOOK
from wagtail_mentoring.sponsorship.admin import (
    CareerOutcomeViewSet,
    NominationViewSet,
    OpportunityViewSet,
    PairingViewSet,
)
from wagtail_mentoring.sponsorship.admin_reports import (
    AccountabilityViewSet,
    EquityReportViewSet,
)
from wagtail_mentoring.sponsorship.personal_data import personal_data


def register(menu) -> None:
    menu.sponsorship += [
        NominationViewSet(),
        PairingViewSet(),
        OpportunityViewSet(),
        CareerOutcomeViewSet(),
        AccountabilityViewSet(),
        EquityReportViewSet(),
    ]
    hooks.register("register_permissions", _permissions)
    hooks.register(PERSONAL_DATA_HOOK, personal_data)


def _permissions():
    # HR records and imports career outcomes (Groups editor → Career outcome).
    return Permission.objects.filter(
        content_type__app_label="wagtail_mentoring",
        content_type__model="careeroutcome",
    )
