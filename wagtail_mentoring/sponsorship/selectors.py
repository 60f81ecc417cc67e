"""Read-side queries of sponsorship: what each person may see, prefetched."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from wagtail_mentoring.people.users import name_ordering
from wagtail_mentoring.permissions import (
    administered_programs,
    administers_any_program,
    shared_until,
)
from wagtail_mentoring.programs.models import (
    OPEN_RELATIONSHIP_STATUSES,
    Enrollment,
    EnrollmentStatus,
    MatchingMode,
    ProgramKind,
    ProgramPage,
    Relationship,
    RelationshipMember,
    Role,
)
from wagtail_mentoring.sponsorship.models import (
    AdvocacyAction,
    Opportunity,
    OpportunityNomination,
    ReadinessEvidence,
    SponsorshipCommitment,
)


def _members():
    return Prefetch(
        "members",
        queryset=RelationshipMember.objects.select_related(
            "user", "user__mentoring_profile"
        ).order_by("role", "pk"),
    )


def sponsorships(user, role: str):
    """Sponsorship relationships where ``user`` has ``role``, members prefetched."""
    return (
        Relationship.objects.filter(
            program__kind=ProgramKind.SPONSORSHIP,
            members__user=user,
            members__role=role,
        )
        .select_related("program")
        .prefetch_related(
            _members(),
            Prefetch(
                "commitments",
                queryset=SponsorshipCommitment.objects.order_by("-period_start", "-pk"),
            ),
        )
        .order_by("-created_at", "-pk")
        .distinct()
    )


def other_member(relationship, user):
    return next((m for m in relationship.members.all() if m.user_id != user.pk), None)


def my_role(relationship, user) -> str | None:
    return next(
        (m.role for m in relationship.members.all() if m.user_id == user.pk), None
    )


def advocacy_for(relationship, user, role: str):
    """Actions of ``relationship`` that ``user`` (in ``role``) may read."""
    actions = AdvocacyAction.objects.filter(relationship=relationship)
    if role == Role.SPONSEE:
        actions = actions.visible_to_sponsee()
    elif role != Role.SPONSOR:
        return AdvocacyAction.objects.none()
    return actions.prefetch_related("evidence").order_by("-occurred_on", "-pk")


def advocacy_received(user):
    return (
        AdvocacyAction.objects.filter(sponsee=user)
        .visible_to_sponsee()
        .select_related("sponsor")
        .order_by("-occurred_on", "-pk")
    )


def advocacy_given_since(user, since):
    return (
        AdvocacyAction.objects.filter(sponsor=user, occurred_on__gte=since)
        .select_related("sponsee")
        .order_by("-occurred_on", "-pk")
    )


def evidence_of(user):
    return ReadinessEvidence.objects.filter(owner=user)


def evidence_shared_in(relationship, sponsee):
    """The sponsee's evidence their sponsor may read through ``relationship``."""
    evidence = evidence_of(sponsee)
    until = shared_until(relationship)
    return evidence if until is None else evidence.filter(created_at__lte=until)


def nomination_programs(user):
    """Published sponsorship programs open for nominations."""
    now = timezone.now()
    return (
        ProgramPage.objects.live()
        .filter(kind=ProgramKind.SPONSORSHIP)
        .filter(Q(enrollment_opens_at__isnull=True) | Q(enrollment_opens_at__lte=now))
        .filter(Q(enrollment_closes_at__isnull=True) | Q(enrollment_closes_at__gt=now))
        .order_by("title")
    )


def may_nominate_anyone(user) -> bool:
    """Sponsors and program admins of a sponsorship program may nominate anyone."""
    if administers_any_program(user, ProgramKind.SPONSORSHIP):
        return True
    return Enrollment.objects.filter(
        user=user,
        role=Role.SPONSOR,
        status=EnrollmentStatus.APPROVED,
        program__kind=ProgramKind.SPONSORSHIP,
    ).exists()


def nomination_candidates(user):
    """People ``user`` may pick in the nomination form (the service decides)."""
    User = get_user_model()
    people = User.objects.filter(is_active=True, mentoring_profile__isnull=False)
    if not may_nominate_anyone(user):
        people = people.filter(Q(pk=user.pk) | Q(mentoring_profile__manager=user))
    return people.select_related("mentoring_profile").order_by(*name_ordering())


def participant_programs(user):
    """Sponsorship programs ``user`` takes part in (accepted) or administers."""
    enrolled = Enrollment.objects.filter(
        user=user, status=EnrollmentStatus.APPROVED
    ).values("program_id")
    return ProgramPage.objects.filter(kind=ProgramKind.SPONSORSHIP).filter(
        Q(pk__in=enrolled) | Q(pk__in=administered_programs(user).values("pk"))
    )


def sponsor_programs(user):
    return ProgramPage.objects.filter(
        kind=ProgramKind.SPONSORSHIP,
        enrollments__user=user,
        enrollments__role=Role.SPONSOR,
        enrollments__status=EnrollmentStatus.APPROVED,
    ).distinct()


def opportunity_board(user):
    """Open opportunities of the programs ``user`` takes part in."""
    return (
        Opportunity.objects.taking_nominations()
        .filter(program__in=participant_programs(user))
        .select_related("program", "posted_by")
        .annotate(nominee_count=Count("nominations"))
        .order_by("deadline", "pk")
    )


def visible_opportunity(user, pk):
    return (
        Opportunity.objects.filter(program__in=participant_programs(user))
        .select_related("program", "posted_by")
        .filter(pk=pk)
        .first()
    )


def my_open_sponsees(user, program=None):
    """Users ``user`` sponsors in an open relationship (in ``program``)."""
    relationships = Relationship.objects.filter(
        status__in=OPEN_RELATIONSHIP_STATUSES,
        members__user=user,
        members__role=Role.SPONSOR,
    )
    if program is not None:
        relationships = relationships.filter(program=program)
    return (
        get_user_model()
        .objects.filter(
            mentoring_memberships__relationship__in=relationships,
            mentoring_memberships__role=Role.SPONSEE,
            is_active=True,
        )
        .distinct()
    )


def nominations_received(user):
    """Opportunities ``user`` was put forward for (confidential ones hidden)."""
    return (
        OpportunityNomination.objects.filter(nominee=user, confidential=False)
        .select_related("opportunity", "nominated_by")
        .order_by("-created_at", "-pk")
    )


def pick_programs(user):
    """Programs where ``user`` is an accepted sponsor and may pick sponsees."""
    return sponsor_programs(user).filter(
        matching_mode__in=[MatchingMode.SELF_SELECT, MatchingMode.HYBRID]
    )


def pickable_sponsees(program):
    """Accepted sponsees of ``program`` who have no open sponsorship in it yet."""
    taken = RelationshipMember.objects.filter(
        role=Role.SPONSEE,
        relationship__program=program,
        relationship__status__in=OPEN_RELATIONSHIP_STATUSES,
    ).values("user_id")
    return (
        Enrollment.objects.filter(
            program=program,
            role=Role.SPONSEE,
            status=EnrollmentStatus.APPROVED,
            user__is_active=True,
        )
        .exclude(user_id__in=taken)
        .select_related("user", "user__mentoring_profile", "nomination")
        .prefetch_related("user__readiness_evidence")
        .order_by("decided_at", "pk")
    )
