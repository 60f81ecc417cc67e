"""Admin of community spaces: the queue of reported posts."""

from django.contrib.auth.models import Permission
from wagtail import hooks

from wagtail_mentoring.community.admin import ReportViewSet
from wagtail_mentoring.community.personal_data import personal_data
from wagtail_mentoring.personal_data import PERSONAL_DATA_HOOK


def register(menu) -> None:
    menu.mentoring += [ReportViewSet()]
    hooks.register("register_permissions", _permissions)
    hooks.register(PERSONAL_DATA_HOOK, personal_data)


def _permissions():
    # The community team (Groups editor → Community space → moderate every space).
    return Permission.objects.filter(
        content_type__app_label="wagtail_mentoring", codename="moderate_all_spaces"
    )
