"""Admin of people: Participants, the skills/interests taxonomy, the profile chooser."""

from django.contrib.auth.models import Permission
from wagtail import hooks

from wagtail_mentoring.people.admin import (
    InterestViewSet,
    ParticipantViewSet,
    SkillViewSet,
)
from wagtail_mentoring.people.choosers import profile_chooser_viewset
from wagtail_mentoring.people.hris.admin import HrisMappingViewSet
from wagtail_mentoring.people.personal_data import personal_data
from wagtail_mentoring.personal_data import PERSONAL_DATA_HOOK


def register(menu) -> None:
    menu.mentoring += [
        ParticipantViewSet(),
        HrisMappingViewSet(),
        SkillViewSet(),
        InterestViewSet(),
    ]
    hooks.register("register_admin_viewset", lambda: profile_chooser_viewset)
    hooks.register("register_permissions", _permissions)
    hooks.register(PERSONAL_DATA_HOOK, personal_data)


def _permissions():
    # People-data stewards: shown in the Groups editor so SSO groups drive access.
    return Permission.objects.filter(
        content_type__app_label="wagtail_mentoring",
        codename__in=["view_equity_reports"],
    )
