"""When a participant leaves: their account is deactivated (how SSO offboarding
usually works) or deleted, or HR erases their mentoring data.

Their open relationships end early instead of staying "active" with one member
(the partners are told, upcoming meetings cancelled) and their live
applications are withdrawn, which closes their pending mentor requests. These
are the package's own actions (``by=None``), through the same services a
person uses.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_mentoring import dispatch
from wagtail_mentoring.engagement.services import cancel_upcoming_meetings
from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.programs.models import (
    LIVE_ENROLLMENT_STATUSES,
    OPEN_RELATIONSHIP_STATUSES,
    Enrollment,
    Relationship,
    RelationshipStatus,
)
from wagtail_mentoring.programs.services import (
    change_relationship_status,
    withdraw_application,
)

#: The email event partners get (``relationship_update`` templates).
LEFT = "left"


def left_the_organisation(user) -> str:
    return _("%(name)s left the organisation.") % {"name": display_name(user)}


def is_taking_part(user) -> bool:
    """Does ``user`` still have an open relationship or a live application?"""
    return (
        Relationship.objects.open().filter(members__user=user).exists()
        or Enrollment.objects.live().filter(user=user).exists()
    )


def end_participation(user, *, reason: str, now=None) -> list[int]:
    """End ``user``'s open relationships (``ended_early`` with ``reason``) and
    withdraw their live applications, in one transaction.

    The other members are emailed; upcoming meetings are cancelled (members get
    the calendar cancellation). Safe to call twice: the second call finds
    nothing open. Returns the ids of the relationships it ended.
    """
    now = now or timezone.now()
    ended = []
    with transaction.atomic():
        for relationship in Relationship.objects.open().filter(members__user=user):
            change_relationship_status(
                relationship, RelationshipStatus.ENDED_EARLY, None, reason=reason
            )
            cancel_upcoming_meetings(relationship, now)
            dispatch.enqueue(
                "wagtail_mentoring.engagement.tasks.send_relationship_emails",
                relationship.pk,
                LEFT,
                str(user.pk),
            )
            ended.append(relationship.pk)
        for enrollment in Enrollment.objects.live().filter(user=user).order_by("pk"):
            withdraw_application(enrollment, None)
    return ended


def user_saved(sender, instance, **kwargs) -> None:
    """A deactivated account takes no part any more (connected to the user
    model's ``post_save``)."""
    if not instance.is_active and is_taking_part(instance):
        end_participation(instance, reason=left_the_organisation(instance))


def end_participation_of_leavers() -> int:
    """Deactivations that bypassed ``save()`` (a bulk update by an SSO or SCIM
    sync): end what is still open for inactive users. Run daily; idempotent."""
    leavers = (
        get_user_model()
        .objects.filter(is_active=False)
        .filter(
            Q(
                mentoring_memberships__relationship__status__in=(
                    OPEN_RELATIONSHIP_STATUSES
                )
            )
            | Q(mentoring_enrollments__status__in=LIVE_ENROLLMENT_STATUSES)
        )
        .distinct()
    )
    count = 0
    for user in leavers:
        end_participation(user, reason=left_the_organisation(user))
        count += 1
    return count
