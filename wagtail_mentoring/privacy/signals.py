"""The host deleting an account erases the person's mentoring data first."""

from __future__ import annotations

from django.conf import settings
from django.db.models.signals import pre_delete

from wagtail_mentoring.privacy.services import erase_personal_data


def user_deleting(sender, instance, **kwargs) -> None:
    # Inside the deletion's transaction, before Django clears the links: the
    # rows reports count are kept (their links are SET_NULL), the person's own
    # go, and nothing of theirs is left behind.
    erase_personal_data(instance, None, account_deleted=True)


def connect() -> None:
    pre_delete.connect(
        user_deleting,
        sender=settings.AUTH_USER_MODEL,
        dispatch_uid="wm_privacy_erase_on_delete",
    )
