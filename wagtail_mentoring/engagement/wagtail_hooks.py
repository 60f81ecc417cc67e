"""Admin of engagement: Relationships (activity only) and Mentor requests."""

from wagtail_mentoring.engagement.admin import (
    MentorRequestViewSet,
    RelationshipViewSet,
)


def register(menu) -> None:
    menu.mentoring += [RelationshipViewSet(), MentorRequestViewSet()]
