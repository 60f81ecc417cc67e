"""The API's admin screen: every admin user manages their own tokens."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from wagtail_mentoring.api.admin import TokenViewSet
from wagtail_mentoring.api.personal_data import personal_data
from wagtail_mentoring.personal_data import PERSONAL_DATA_HOOK


def account_menu_item(request):
    return {
        "url": reverse("wm_api_tokens:index"),
        "label": _("API tokens"),
        "help_text": _(
            "Personal access tokens for scripts and other systems that use the "
            "mentoring REST API as you."
        ),
    }


def register(menu) -> None:
    menu.mentoring.append(TokenViewSet())
    hooks.register("register_account_menu_item", account_menu_item)
    hooks.register(PERSONAL_DATA_HOOK, personal_data)
