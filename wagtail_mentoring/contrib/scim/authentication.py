"""SCIM is token-only: a personal access token with the ``scim`` scope."""

from __future__ import annotations

from rest_framework import permissions

from wagtail_mentoring.api.authentication import BearerTokenAuthentication
from wagtail_mentoring.api.models import PersonalAccessToken, TokenScope
from wagtail_mentoring.permissions import can_provision_people


class ScimTokenAuthentication(BearerTokenAuthentication):
    required_scope = TokenScope.SCIM

    def authenticate_header(self, request):
        return f'{self.keyword} realm="scim"'


class HasScimToken(permissions.BasePermission):
    """A usable ``scim`` token of an active superuser; no session reaches SCIM."""

    def has_permission(self, request, view):
        token = request.auth
        user = request.user
        return (
            isinstance(token, PersonalAccessToken)
            and token.grants(TokenScope.SCIM)
            and can_provision_people(user)
        )
