"""Changing the wording of notifications: the program admins' two actions.

A program's admins word its notifications; admins of every program (HR) word
the site-wide default that programs without their own use. The checks live
with the kinds (``notifications.wording``), so a wording that could not be
rendered is never saved.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from wagtail_mentoring import audit
from wagtail_mentoring.notifications.models import NotificationWording
from wagtail_mentoring.notifications.wording import KINDS, check_wording
from wagtail_mentoring.permissions import can_edit_wording, require


def _authorize(program, key: str, by) -> None:
    require(
        can_edit_wording(by, program),
        _("Only the admins of this program can change its wording.")
        if program is not None
        else _("Only admins of every program can change the site-wide wording."),
    )
    require(key in KINDS, _("No such kind of notification."), code="invalid")
    require(
        program is None or KINDS[key].per_program,
        _("This notification has a site-wide wording only."),
        code="invalid",
    )


def current_wording(program, key: str) -> NotificationWording | None:
    return NotificationWording.objects.filter(program=program, kind=key).first()


@transaction.atomic
def save_wording(program, key: str, *, subject: str, body: str, by):
    """Save the wording of notifications of kind ``key`` for ``program``
    (``None``: site-wide). Raises ``ValidationError`` (nothing saved) when it
    uses an unknown placeholder, unbalanced braces or markup."""
    _authorize(program, key, by)
    check_wording(key, subject, body)
    wording, _created = NotificationWording.objects.update_or_create(
        program=program,
        kind=key,
        defaults={"subject": subject, "body": body, "updated_by": by},
    )
    audit.record(
        wording, "wagtail_mentoring.wording.save", user=by, label=_label(program, key)
    )
    return wording


@transaction.atomic
def reset_wording(program, key: str, *, by) -> bool:
    """Back to the default (the site-wide wording, else the built-in email).
    Returns whether there was a wording to remove."""
    _authorize(program, key, by)
    wording = current_wording(program, key)
    if wording is None:
        return False
    audit.record(
        wording, "wagtail_mentoring.wording.reset", user=by, label=_label(program, key)
    )
    wording.delete()
    return True


def _label(program, key: str) -> str:
    scope = program.title if program is not None else _("all programs")
    return f"{KINDS[key].label} ({scope})"
