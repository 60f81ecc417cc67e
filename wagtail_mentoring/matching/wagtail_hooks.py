"""Admin of matching: the matching panel, proposal bulk actions, page buttons."""

from django.contrib.auth.models import Permission
from wagtail import hooks

from wagtail_mentoring.matching.admin import BULK_ACTIONS, MatchingViewSet, page_buttons
from wagtail_mentoring.matching.personal_data import personal_data
from wagtail_mentoring.personal_data import PERSONAL_DATA_HOOK


def register(menu) -> None:
    menu.mentoring.append(MatchingViewSet())
    for action in BULK_ACTIONS:
        hooks.register("register_bulk_action", action)
    hooks.register("register_page_header_buttons", _header_buttons)
    hooks.register("register_page_listing_more_buttons", _listing_buttons)
    hooks.register("register_permissions", _permissions)
    hooks.register(PERSONAL_DATA_HOOK, personal_data)


def _header_buttons(page, user, view_name=None, next_url=None):
    yield from page_buttons(page, user)


def _listing_buttons(page, user, next_url=None):
    yield from page_buttons(page, user)


def _permissions():
    # "Can run matching for the programs they administer", in the Groups editor.
    return Permission.objects.filter(
        content_type__app_label="wagtail_mentoring", codename="run_matching"
    )
