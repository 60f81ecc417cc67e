"""Personal access tokens: how machines call the API on a person's behalf."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TokenScope(models.TextChoices):
    #: the API, as the person (their programs, relationships, spaces)
    API = "api", _("API (as me)")
    #: the API, with the program-admin endpoints of the programs one administers
    API_ADMIN = "api:admin", _("API with program administration")
    #: SCIM provisioning by an identity provider
    SCIM = "scim", _("SCIM provisioning")


#: What each scope also grants: an admin token is an API token as well.
IMPLIED_SCOPES = {
    TokenScope.API: {TokenScope.API},
    TokenScope.API_ADMIN: {TokenScope.API, TokenScope.API_ADMIN},
    TokenScope.SCIM: {TokenScope.SCIM},
}


class PersonalAccessTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class PersonalAccessToken(models.Model):
    """A secret a person hands to a script; only its SHA-256 digest is stored.

    The token reads ``wmt_<prefix>_<secret>``: the prefix is kept in clear so a
    person can tell their tokens apart (and find a leaked one), the digest is
    what a request is checked against.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentoring_api_tokens",
        verbose_name=_("person"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    scope = models.CharField(
        _("scope"), max_length=20, choices=TokenScope.choices, default=TokenScope.API
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = PersonalAccessTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} (wmt_{self.prefix}_…)"

    def grants(self, scope: str) -> bool:
        return scope in IMPLIED_SCOPES.get(self.scope, set())

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now
