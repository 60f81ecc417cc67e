"""The tool's signing keys: generated, stored, rotated with a grace period.

Platforms cache a tool's JWKS, so a replaced key stays published (and able to
verify what it signed) for ``KEY_GRACE_DAYS`` after its successor was created;
only then is it withdrawn. The newest key signs (django-lti uses ``latest()``).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from lti_tool.models import Key

from .conf import lti_setting


def ensure_key() -> Key:
    """The current signing key, generating the first one if there is none."""
    key = Key.objects.active().order_by("-datetime_created").first()
    return key or Key.objects.generate()


@transaction.atomic
def rotate_key(*, grace_days: int | None = None, now=None) -> tuple[Key, int]:
    """Create a new signing key; withdraw keys replaced more than the grace ago.

    Returns the new key and how many old keys left the JWKS.
    """
    now = now or timezone.now()
    grace = timedelta(
        days=lti_setting("KEY_GRACE_DAYS") if grace_days is None else grace_days
    )
    new_key = Key.objects.generate()
    return new_key, retire_expired_keys(now=now, grace=grace)


def retire_expired_keys(*, now=None, grace: timedelta | None = None) -> int:
    """Withdraw every key whose successor has been signing for longer than the grace."""
    now = now or timezone.now()
    if grace is None:
        grace = timedelta(days=lti_setting("KEY_GRACE_DAYS"))
    keys = list(Key.objects.active().order_by("datetime_created"))
    expired = [
        key.pk
        for key, successor in zip(keys, keys[1:], strict=False)
        if successor.datetime_created <= now - grace
    ]
    return Key.objects.filter(pk__in=expired).update(is_active=False)
