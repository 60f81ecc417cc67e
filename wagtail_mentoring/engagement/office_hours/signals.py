"""Flash mentoring reacts to people leaving: a mentor who withdraws from a
flash program, or whose account is deactivated, has their future slots
cancelled and everyone booked told; a person who leaves frees their seats."""

from __future__ import annotations

from django.utils.translation import gettext as _

from wagtail_mentoring.engagement.office_hours import services
from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.programs.models import ProgramKind, Role


def enrollment_withdrawn(sender, enrollment, by=None, **kwargs) -> None:
    if enrollment.role != Role.MENTOR or enrollment.program.kind != ProgramKind.FLASH:
        return
    services.cancel_future_slots(
        enrollment.user,
        program=enrollment.program,
        reason=_("%(name)s no longer offers office hours in this program.")
        % {"name": display_name(enrollment.user)},
    )


def user_saved(sender, instance, **kwargs) -> None:
    if instance.is_active:
        return
    reason = _("%(name)s left the organisation.") % {"name": display_name(instance)}
    services.cancel_future_slots(instance, reason=reason)
    services.cancel_bookings_of(instance, reason=reason)
