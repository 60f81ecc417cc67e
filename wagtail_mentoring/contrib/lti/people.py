"""Course accounts and intranet accounts: linked once, then trusted.

An LTI user is the platform's ``sub`` within a registration (django-lti's
``LtiUser``); its ``auth_user`` is the intranet account. A launch links it
automatically only when the site allows it (by email, or by creating the
account); otherwise the learner signs in once with the intranet's own sign-in.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.functions import Lower
from lti_tool.models import LtiUser

from .conf import lti_setting

logger = logging.getLogger(__name__)


def _email_field() -> str | None:
    User = get_user_model()
    name = User.get_email_field_name()
    try:
        User._meta.get_field(name)
    except Exception:
        return None
    return name


def email_matches(lti_users) -> dict:
    """``{course account pk: intranet account}`` for the course accounts whose
    email is that of exactly one active intranet account, when the site links
    by email (``LINK_BY_EMAIL``); one query however many there are."""
    email_field = _email_field()
    if not (lti_setting("LINK_BY_EMAIL") and email_field):
        return {}
    wanted = {u.pk: u.email.strip().lower() for u in lti_users if u.email}
    if not wanted:
        return {}
    found: dict[str, list] = {}
    for user in (
        get_user_model()
        .objects.annotate(wm_email=Lower(email_field))
        .filter(wm_email__in=set(wanted.values()), is_active=True)
    ):
        found.setdefault(user.wm_email, []).append(user)
    return {
        pk: found[email][0]
        for pk, email in wanted.items()
        if len(found.get(email, [])) == 1
    }


def email_match(lti_user: LtiUser):
    """The one active intranet account with the course account's email (see
    :func:`email_matches`), or ``None``."""
    return email_matches([lti_user]).get(lti_user.pk)


def host_user_for(lti_user: LtiUser):
    """The intranet account of a course account, linking it if the site allows."""
    if lti_user.auth_user_id:
        user = lti_user.auth_user
        return user if user.is_active else None
    match = email_match(lti_user)
    if match is not None:
        return link(lti_user, match, how="email")
    email_field = _email_field()
    if lti_setting("CREATE_USERS") and lti_user.email and email_field:
        return _create_user(lti_user, email_field)
    return None


@transaction.atomic
def link(lti_user: LtiUser, user, *, how: str):
    """Link a course account to an intranet account; a linked one stays linked."""
    locked = LtiUser.objects.select_for_update().get(pk=lti_user.pk)
    if locked.auth_user_id and locked.auth_user_id != user.pk:
        raise PermissionError("This course account is linked to another person.")
    locked.auth_user = user
    locked.save(update_fields=["auth_user", "datetime_modified"])
    logger.info("LTI user %s linked to user %s (%s)", locked.pk, user.pk, how)
    return user


def _create_user(lti_user: LtiUser, email_field: str):
    User = get_user_model()
    fields = {email_field: lti_user.email}
    username_field = User.USERNAME_FIELD
    if username_field != email_field:
        fields[username_field] = f"lti-{lti_user.registration_id}-{lti_user.sub}"[:150]
    field_names = {f.name for f in User._meta.get_fields()}
    for name, value in (
        ("first_name", lti_user.given_name),
        ("last_name", lti_user.family_name),
    ):
        if name in field_names:
            fields[name] = value
    user = User(**fields)
    user.set_unusable_password()
    user.save()
    return link(lti_user, user, how="created")
