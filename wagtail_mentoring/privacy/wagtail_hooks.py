"""Admin of privacy rights: the *Personal data* screen and its permissions."""

from django.contrib.auth.models import Permission
from wagtail import hooks

from wagtail_mentoring.privacy.admin import PrivacyViewSet


def register(menu) -> None:
    menu.mentoring.append(PrivacyViewSet())
    hooks.register("register_permissions", _permissions)


def _permissions():
    # HR / the data-protection officer, in the Groups editor.
    return Permission.objects.filter(
        content_type__app_label="wagtail_mentoring",
        codename__in=["export_personal_data", "erase_personal_data"],
    )
