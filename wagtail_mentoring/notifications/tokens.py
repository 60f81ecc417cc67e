"""Signed one-click unsubscribe links: they work without signing in."""

from __future__ import annotations

from django.core import signing

SALT = "wagtail_mentoring.notifications.unsubscribe"


def unsubscribe_token(user, categories) -> str:
    return signing.dumps({"u": str(user.pk), "c": sorted(set(categories))}, salt=SALT)


def read_unsubscribe_token(token: str) -> tuple[str, list[str]]:
    """``(user pk, categories)``; raises ``signing.BadSignature`` if forged."""
    data = signing.loads(token, salt=SALT)
    return str(data["u"]), list(data["c"])
