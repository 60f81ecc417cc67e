from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScimConfig(AppConfig):
    name = "wagtail_mentoring.contrib.scim"
    label = "wagtail_mentoring_scim"
    verbose_name = _("SCIM 2.0 provisioning")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
