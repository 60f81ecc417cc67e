"""Admin of engagement: Relationships (activity only), At-risk pairs and
Mentor requests."""

from wagtail import hooks

from wagtail_mentoring.engagement.admin import (
    MentorRequestViewSet,
    RelationshipViewSet,
)
from wagtail_mentoring.engagement.nudges.admin import AtRiskViewSet
from wagtail_mentoring.engagement.office_hours.personal_data import (
    personal_data as office_hours_data,
)
from wagtail_mentoring.engagement.personal_data import personal_data
from wagtail_mentoring.personal_data import PERSONAL_DATA_HOOK


def register(menu) -> None:
    menu.mentoring += [RelationshipViewSet(), AtRiskViewSet(), MentorRequestViewSet()]
    hooks.register(PERSONAL_DATA_HOOK, personal_data)
    hooks.register(PERSONAL_DATA_HOOK, office_hours_data)
