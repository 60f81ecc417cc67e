"""A cohort's space: created with the cohort, its members the cohort's
participants (approved applications in it), following them as they join,
move or leave.

``programs`` announces cohorts and changes of their participants
(``programs.signals``); this module reacts. The space lives under the program
page, is joined by invitation only (nobody else walks in), and is moderated
by the program's admins like any space tied to a program.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.text import slugify
from django.utils.translation import gettext as _

from wagtail_mentoring import audit
from wagtail_mentoring.community.models import (
    CommunitySpacePage,
    MembershipPolicy,
    MembershipSource,
    MembershipStatus,
    SpaceMembership,
)
from wagtail_mentoring.community.services import add_program_participants
from wagtail_mentoring.programs import signals as program_signals
from wagtail_mentoring.programs.models import Cohort, Enrollment, EnrollmentStatus


def _free_slug(parent, base: str) -> str:
    taken = set(parent.get_children().values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_cohort_space(cohort: Cohort) -> CommunitySpacePage:
    """The cohort's space under its program page (one per cohort)."""
    existing = CommunitySpacePage.objects.filter(cohort=cohort).first()
    if existing is not None:
        return existing
    program = cohort.program
    space = CommunitySpacePage(
        title=_("%(cohort)s · %(program)s")
        % {"cohort": cohort.name, "program": program.title},
        slug=_free_slug(program, slugify(cohort.name) or f"cohort-{cohort.pk}"),
        summary=_("The space of the %(cohort)s cohort of %(program)s.")
        % {"cohort": cohort.name, "program": program.title},
        membership_policy=MembershipPolicy.INVITATION,
        program=program,
        cohort=cohort,
    )
    program.add_child(instance=space)
    sync_cohort_space(space, None)
    return space


def _participant_ids(cohort_id, user_ids=None) -> set:
    rows = Enrollment.objects.filter(
        cohort_id=cohort_id, status=EnrollmentStatus.APPROVED, user__is_active=True
    )
    if user_ids is not None:
        rows = rows.filter(user_id__in=list(user_ids))
    return set(rows.values_list("user_id", flat=True))


def sync_cohort_space(space: CommunitySpacePage, user_ids=None) -> None:
    """Bring ``space``'s members in line with its cohort's participants
    (only ``user_ids`` when given): participants join; people who came
    through the cohort and no longer take part in it leave."""
    participants = _participant_ids(space.cohort_id, user_ids)
    add_program_participants(
        space, get_user_model().objects.filter(pk__in=list(participants))
    )
    leaving = SpaceMembership.objects.select_for_update().filter(
        space=space,
        source=MembershipSource.PROGRAM,
        status=MembershipStatus.ACTIVE,
    )
    if user_ids is not None:
        leaving = leaving.filter(user_id__in=list(user_ids))
    for membership in leaving.exclude(user_id__in=list(participants)):
        membership.status = MembershipStatus.LEFT
        membership.save(update_fields=["status", "updated_at"])
        audit.record(membership, "wagtail_mentoring.space.leave")


def cohort_created(sender, cohort, **kwargs) -> None:
    create_cohort_space(cohort)


def participants_changed(sender, cohort_ids, user_ids, **kwargs) -> None:
    for space in CommunitySpacePage.objects.filter(cohort_id__in=list(cohort_ids)):
        sync_cohort_space(space, user_ids)


def connect() -> None:
    program_signals.cohort_created.connect(
        cohort_created, dispatch_uid="wm_community_cohort_created"
    )
    program_signals.cohort_participants_changed.connect(
        participants_changed, dispatch_uid="wm_community_cohort_participants"
    )
