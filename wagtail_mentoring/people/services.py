"""Business actions on employee profiles."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail_mentoring import audit
from wagtail_mentoring.conf import mentoring_settings
from wagtail_mentoring.people.models import EmployeeProfile, SelfIdentification


def profile_of(user) -> EmployeeProfile:
    """The user's profile; an unsaved one for a host user who has none yet, so
    that reading a form never writes (saving the form creates it)."""
    return EmployeeProfile.objects.filter(user=user).first() or EmployeeProfile(
        user=user
    )


def set_self_identification(user, *, by, consent: bool, answers: dict):
    """Save ``user``'s consent to the use of their demographic answers in
    aggregate equity reports, or withdraw it (the answers are then deleted:
    nothing unconsented is kept). Only they may; each change is audited, never
    with the answers themselves. Returns the answers kept, or ``None``."""
    if by is None or not by.is_authenticated or by.pk != user.pk:
        raise PermissionDenied
    dimensions = mentoring_settings.DEMOGRAPHIC_DIMENSIONS
    unknown = {dim for dim in answers if dim not in dimensions}
    if unknown or any(
        value and value not in dimensions[dim] for dim, value in answers.items()
    ):
        raise ValueError("unknown dimension or value")
    answers = {dim: value for dim, value in answers.items() if value}
    with transaction.atomic():
        current = (
            SelfIdentification.objects.select_for_update().filter(user=user).first()
        )
        if not consent or not answers:
            if current is not None:
                current.delete()
                audit.record(
                    user,
                    "wagtail_mentoring.self_identification.withdraw",
                    by,
                    label=str(_("Self-identification")),
                )
            return None
        if current is None:
            current = SelfIdentification.objects.create(
                user=user, consented_at=timezone.now(), answers=answers
            )
            audit.record(
                user,
                "wagtail_mentoring.self_identification.consent",
                by,
                label=str(_("Self-identification")),
            )
        elif current.answers != answers:
            current.answers = answers
            current.consented_at = timezone.now()
            current.save(update_fields=["answers", "consented_at"])
            audit.record(
                user,
                "wagtail_mentoring.self_identification.change",
                by,
                label=str(_("Self-identification")),
            )
        return current
