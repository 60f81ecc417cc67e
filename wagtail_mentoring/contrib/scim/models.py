"""What SCIM knows of an account that the host's models do not hold."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ScimUser(models.Model):
    """The identity provider's view of one host user.

    ``deleted_at``: the provider deleted the user. The account stays (inactive,
    its history kept) but SCIM no longer lists or serves it (RFC 7644 §3.6).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentoring_scim",
        verbose_name=_("person"),
    )
    external_id = models.CharField(_("external id"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    class Meta:
        verbose_name = _("SCIM user")
        verbose_name_plural = _("SCIM users")
        indexes = [models.Index(fields=["external_id"])]

    def __str__(self) -> str:
        return self.external_id or str(self.user_id)


class ScimGroup(models.Model):
    """The identity provider's external id for a Django auth group."""

    group = models.OneToOneField(
        "auth.Group",
        on_delete=models.CASCADE,
        related_name="mentoring_scim",
        verbose_name=_("group"),
    )
    external_id = models.CharField(_("external id"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("SCIM group")
        verbose_name_plural = _("SCIM groups")

    def __str__(self) -> str:
        return self.external_id or str(self.group_id)
