"""How the API knows who calls: the intranet session, or a bearer token.

:class:`BearerTokenAuthentication` accepts a personal access token whose scope
grants ``required_scope``; a sub-app reuses it with its own scope::

    class ScimTokenAuthentication(BearerTokenAuthentication):
        required_scope = "scim"
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, permissions

from wagtail_mentoring.api import tokens
from wagtail_mentoring.api.models import PersonalAccessToken, TokenScope
from wagtail_mentoring.permissions import administers_any_program


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer wmt_…``: a usable token granting ``required_scope``."""

    keyword = "Bearer"
    required_scope: str = TokenScope.API

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("The Authorization header is “Bearer” and one token.")
            )
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("That token is not valid."))
        token = tokens.token_for(secret)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                _("That token is not valid, has expired or was revoked.")
            )
        if not token.grants(self.required_scope):
            raise exceptions.AuthenticationFailed(
                _("This token's scope (%(scope)s) does not reach this API.")
                % {"scope": token.scope}
            )
        return token.user, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    """The intranet's session, CSRF-checked for unsafe methods (as DRF does);
    an inactive user is anonymous here as everywhere in the package."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and not result[0].is_active:
            return None
        return result


class SignedIn(permissions.BasePermission):
    """An active, signed-in person; a token must grant ``scope`` (sessions are
    not narrowed by scopes: they are the person at their desk)."""

    scope = TokenScope.API
    message = _("Sign in, or send a personal access token.")

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        auth = request.auth
        if isinstance(auth, PersonalAccessToken) and not auth.grants(self.scope):
            self.message = _(
                "This endpoint needs a token with the scope %(scope)s."
            ) % {"scope": self.scope}
            return False
        return True


class ProgramAdminScope(SignedIn):
    """Program-admin endpoints: a token needs ``api:admin``; which programs
    the person administers is still the policy's answer, per object."""

    scope = TokenScope.API_ADMIN
    message = _("Only program admins use this endpoint.")

    def has_permission(self, request, view):
        return super().has_permission(request, view) and administers_any_program(
            request.user
        )
