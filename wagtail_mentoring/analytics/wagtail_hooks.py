"""Admin of analytics: the organisational network map."""

from wagtail_mentoring.analytics.admin import NetworkViewSet


def register(menu) -> None:
    menu.mentoring.append(NetworkViewSet())
