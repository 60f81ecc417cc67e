"""The API's admin screen: every admin user manages their own tokens."""

from wagtail_mentoring.api.admin import TokenViewSet


def register(menu) -> None:
    menu.mentoring.append(TokenViewSet())
