"""Personal access tokens: create, revoke, and check one a request presents.

A token is shown once, when it is created; the database keeps its SHA-256
digest only, so a copy of the database lets nobody call the API.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_mentoring import audit
from wagtail_mentoring.api.models import PersonalAccessToken, TokenScope
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.permissions import (
    VIEW_EQUITY_REPORTS,
    administers_any_program,
    require,
)

PREFIX = "wmt_"
DEFAULT_DAYS = 90
MAX_DAYS = 366
#: A token used again within this time does not write its last use again.
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    """A token just created: ``secret`` exists only here, never in the database."""

    token: PersonalAccessToken
    secret: str


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def may_hold(user, scope: str) -> bool:
    """May ``user`` hold a token of ``scope``? (The policy still decides every
    request: a scope only ever narrows what the person could do.)"""
    if not (user.is_authenticated and user.is_active):
        return False
    if scope == TokenScope.API:
        return True
    if scope == TokenScope.API_ADMIN:
        # Program admins, and people-data stewards for the reports by group.
        return administers_any_program(user) or user.has_perm(VIEW_EQUITY_REPORTS)
    if scope == TokenScope.SCIM:
        return user.is_superuser
    return False


def create_token(
    user, by, *, name: str, scope: str = TokenScope.API, days: int = DEFAULT_DAYS
) -> NewToken:
    """Create a token for ``user``; ``by=None`` is the site's operator (the
    ``mentoring_token`` command). A person creates tokens for themselves only."""
    require(
        by is None or by.pk == user.pk,
        _("People create their own API tokens."),
    )
    name = (name or "").strip()
    if not name:
        raise MentoringError(_("Please name the token."), code="name")
    if len(name) > 100:
        raise MentoringError(
            _("Please keep the name under 100 characters."), code="name"
        )
    if scope not in TokenScope.values:
        raise MentoringError(
            _("Unknown scope %(scope)s.") % {"scope": scope}, code="scope"
        )
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise MentoringError(
            _("A token lasts between 1 and %(max)d days.") % {"max": MAX_DAYS},
            code="days",
        )
    if not may_hold(user, scope):
        raise MentoringError(
            _("%(user)s may not hold a token with the scope %(scope)s.")
            % {"user": user.get_username(), "scope": scope},
            code="forbidden",
        )
    now = timezone.now()
    with transaction.atomic():
        prefix = secrets.token_hex(4)
        secret = f"{PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
        token = PersonalAccessToken.objects.create(
            user=user,
            name=name,
            prefix=prefix,
            digest=digest_of(secret),
            scope=scope,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        audit.record(
            token, "wagtail_mentoring.token.create", user=by or user, scope=scope
        )
    return NewToken(token, secret)


def revoke_token(token: PersonalAccessToken, by) -> PersonalAccessToken:
    """Revoke a token at once; its holder or a superuser (``by=None``: the
    operator). Revoking twice changes nothing."""
    require(
        by is None or by.pk == token.user_id or by.is_superuser,
        _("Only the token's holder can revoke it."),
    )
    with transaction.atomic():
        token = PersonalAccessToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.record(token, "wagtail_mentoring.token.revoke", user=by)
    return token


def token_for(secret: str, now=None) -> PersonalAccessToken | None:
    """The usable token ``secret`` names, its last use recorded; else ``None``."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    now = now or timezone.now()
    token = (
        PersonalAccessToken.objects.usable(now)
        .select_related("user")
        .filter(digest=digest_of(secret))
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
