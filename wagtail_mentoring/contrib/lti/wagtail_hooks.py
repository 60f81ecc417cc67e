"""Platforms and deployments in the Wagtail admin (menu: LTI platforms).

Editing them needs django-lti's model permissions (superusers have them), so the
host's groups decide who may register an LMS. Without django-lti installed there
is no menu; ``manage.py check`` names the missing app (wagtail_mentoring_lti.E001).
"""

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet


def _viewset_group():
    from lti_tool.models import LtiDeployment, LtiRegistration

    class PlatformViewSet(ModelViewSet):
        model = LtiRegistration
        icon = "link-external"
        menu_label = _("Platforms")
        add_to_admin_menu = False
        list_display = ["name", "issuer", "client_id", "is_active"]
        form_fields = [
            "name",
            "issuer",
            "client_id",
            "audience",
            "auth_url",
            "token_url",
            "keyset_url",
            "is_active",
        ]
        inspect_view_enabled = True
        copy_view_enabled = False

    class DeploymentViewSet(ModelViewSet):
        model = LtiDeployment
        icon = "link"
        menu_label = _("Deployments")
        add_to_admin_menu = False
        list_display = ["deployment_id", "registration", "is_active"]
        list_filter = ["registration", "is_active"]
        form_fields = ["registration", "deployment_id", "is_active"]
        copy_view_enabled = False

    class LtiViewSetGroup(ViewSetGroup):
        menu_label = _("LTI platforms")
        menu_icon = "link-external"
        items = (
            PlatformViewSet("wm_lti_platforms", url_prefix="mentoring-lti/platforms"),
            DeploymentViewSet(
                "wm_lti_deployments", url_prefix="mentoring-lti/deployments"
            ),
        )

    return LtiViewSetGroup()


if apps.is_installed("lti_tool"):
    from wagtail_mentoring.personal_data import PERSONAL_DATA_HOOK

    from .personal_data import personal_data

    hooks.register(PERSONAL_DATA_HOOK, personal_data)

    @hooks.register("register_admin_viewset")
    def register_lti_admin():
        return _viewset_group()
