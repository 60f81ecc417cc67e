"""Business actions of sponsorship.

Each function is one transaction: it validates, writes and records the action in
the audit log, or raises :class:`MentoringError` and writes nothing. Callers
check permissions; the *business* rules (who may nominate whom, who is whose
sponsor, deadlines, capacity) live here, so every screen enforces the same ones.
Career outcomes (entry and CSV import) are in ``sponsorship/outcomes.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_mentoring import audit
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.people.users import display_name, local_today
from wagtail_mentoring.permissions import can_administer, require
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
from wagtail_mentoring.programs.services import apply_to_program, start_relationship
from wagtail_mentoring.sponsorship.models import (
    AdvocacyAction,
    AdvocacyKind,
    Nomination,
    NominationSource,
    Opportunity,
    OpportunityKind,
    OpportunityNomination,
    OpportunityNominationStatus,
    OpportunityStatus,
    ReadinessEvidence,
    SponsorshipCommitment,
)

# ---------------------------------------------------------------------------
# Roles, as the business sees them

#: A nomination for an opportunity was decided (``nomination``, ``by``), inside
#: the deciding transaction.
nomination_decided = Signal()


def _check_sponsorship_program(program: ProgramPage) -> None:
    if program.kind != ProgramKind.SPONSORSHIP:
        raise MentoringError(
            _("%(program)s is not a sponsorship program.") % {"program": program.title},
            code="not_sponsorship",
        )


def is_sponsor(user, program: ProgramPage) -> bool:
    """``user`` is an accepted sponsor of ``program``."""
    return Enrollment.objects.filter(
        user=user,
        program=program,
        role=Role.SPONSOR,
        status=EnrollmentStatus.APPROVED,
    ).exists()


def is_manager_of(user, nominee) -> bool:
    profile = getattr(nominee, "mentoring_profile", None)
    return bool(profile and profile.manager_id == user.pk)


def nomination_source(by, nominee, program: ProgramPage) -> str | None:
    """How ``by`` may nominate ``nominee`` into ``program``, or None.

    The most specific role wins: a manager who is also HR nominates as manager.
    """
    if not (by.is_authenticated and by.is_active):
        return None
    if by.pk == nominee.pk:
        return NominationSource.SELF
    if is_manager_of(by, nominee):
        return NominationSource.MANAGER
    if is_sponsor(by, program):
        return NominationSource.SPONSOR
    if can_administer(by, program):
        return NominationSource.HR
    return None


def sponsorship_roles(relationship: Relationship) -> dict[str, object]:
    """``{"sponsor": user, "sponsee": user}`` of a sponsorship relationship."""
    members = {
        m.role: m.user
        for m in RelationshipMember.objects.filter(
            relationship=relationship, role__in=[Role.SPONSOR, Role.SPONSEE]
        ).select_related("user")
    }
    return members


def _check_sponsor_of(relationship: Relationship, user) -> object:
    roles = sponsorship_roles(relationship)
    sponsor = roles.get(Role.SPONSOR)
    if sponsor is None or sponsor.pk != user.pk:
        raise MentoringError(
            _("Only the sponsor of this sponsorship can do that."), code="not_sponsor"
        )
    return roles[Role.SPONSEE]


def _lock_open(relationship: Relationship) -> Relationship:
    relationship = Relationship.objects.select_for_update().get(pk=relationship.pk)
    if not relationship.is_open:
        raise MentoringError(_("This sponsorship has ended."), code="closed")
    return relationship


# ---------------------------------------------------------------------------
# Readiness evidence


def add_evidence(
    owner,
    *,
    achievement: str,
    metric: str = "",
    link: str = "",
    endorsed_by: str = "",
    achieved_on: date | None = None,
) -> ReadinessEvidence:
    """The employee records a result they can show (their own evidence only)."""
    if not achievement.strip():
        raise MentoringError(_("Please name the achievement."), code="achievement")
    if achieved_on and achieved_on > local_today(owner):
        raise MentoringError(
            _("Evidence is about results already achieved: the date is in the future."),
            code="date",
        )
    with transaction.atomic():
        evidence = ReadinessEvidence.objects.create(
            owner=owner,
            achievement=achievement.strip(),
            metric=metric.strip(),
            link=link.strip(),
            endorsed_by=endorsed_by.strip(),
            achieved_on=achieved_on,
        )
        audit.record(evidence, "wagtail_mentoring.sponsorship.evidence.add", user=owner)
    return evidence


def _check_evidence_owner(evidence: Iterable[ReadinessEvidence], owner) -> list:
    evidence = list(evidence)
    if any(item.owner_id != owner.pk for item in evidence):
        raise MentoringError(
            _("Only %(name)s's own evidence can be cited.")
            % {"name": display_name(owner)},
            code="evidence_owner",
        )
    return evidence


# ---------------------------------------------------------------------------
# Nominations into a sponsorship program


def nominate(
    program: ProgramPage,
    nominee,
    by,
    *,
    reason: str = "",
    evidence: Iterable[ReadinessEvidence] = (),
) -> Nomination:
    """Put ``nominee`` forward as a sponsee of ``program``.

    A manager (of the nominee), HR / a program admin, or an accepted sponsor of
    the program may nominate; people may nominate themselves with at least one
    piece of readiness evidence. Creates the pending sponsee application that a
    program admin then accepts (``programs.services.approve_enrollment``).
    """
    _check_sponsorship_program(program)
    source = nomination_source(by, nominee, program)
    if source is None:
        raise MentoringError(
            _(
                "You can nominate yourself, people who report to you, or — as a "
                "sponsor or program admin of %(program)s — any colleague."
            )
            % {"program": program.title},
            code="not_allowed",
        )
    if not nominee.is_active:
        raise MentoringError(
            _("%(name)s's account is inactive.") % {"name": display_name(nominee)},
            code="inactive_user",
        )
    evidence = _check_evidence_owner(evidence, nominee)
    if source == NominationSource.SELF and not evidence:
        raise MentoringError(
            _("A self-nomination needs at least one piece of readiness evidence."),
            code="evidence_required",
        )
    if source != NominationSource.SELF and not reason.strip():
        raise MentoringError(
            _("Please say why you nominate %(name)s.")
            % {"name": display_name(nominee)},
            code="reason",
        )
    live = Enrollment.objects.filter(user=nominee, program=program).live()
    if live.filter(role=Role.SPONSOR).exists():
        raise MentoringError(
            _("%(name)s is a sponsor in %(program)s.")
            % {"name": display_name(nominee), "program": program.title},
            code="is_sponsor",
        )
    if live.filter(role=Role.SPONSEE).exists():
        raise MentoringError(
            _("%(name)s is already nominated for %(program)s.")
            % {"name": display_name(nominee), "program": program.title},
            code="duplicate",
        )
    with transaction.atomic():
        enrollment = apply_to_program(
            nominee,
            program,
            Role.SPONSEE,
            motivation=reason.strip(),
            by=by,
            via_nomination=True,
        )
        nomination = Nomination.objects.create(
            program=program,
            nominee=nominee,
            nominated_by=by,
            source=source,
            reason=reason.strip(),
            enrollment=enrollment,
        )
        nomination.evidence.set(evidence)
        audit.record(
            nomination,
            "wagtail_mentoring.sponsorship.nominate",
            user=by,
            source=str(source),
        )
    return nomination


# ---------------------------------------------------------------------------
# Pairing a sponsor with a sponsee


def sponsor_load(sponsor, program: ProgramPage) -> int:
    return (
        Relationship.objects.filter(
            program=program,
            status__in=OPEN_RELATIONSHIP_STATUSES,
            members__user=sponsor,
            members__role=Role.SPONSOR,
        )
        .distinct()
        .count()
    )


def pair_sponsor(program: ProgramPage, sponsor, sponsee, by) -> Relationship:
    """Start a sponsorship between an accepted sponsor and an accepted sponsee.

    One path for a sponsor picking a sponsee (``by`` is the sponsor; the program
    must let participants choose) and for a program admin pairing them by hand.
    The sponsor's capacity and the program's sponsors-per-sponsee limit are
    checked under row locks, so two picks at once cannot overfill a sponsor.
    """
    _check_sponsorship_program(program)
    if sponsor.pk == sponsee.pk:
        raise MentoringError(_("A sponsee cannot sponsor themselves."), code="self")
    if (
        by.pk == sponsor.pk
        and not can_administer(by, program)
        and program.matching_mode == MatchingMode.ADMIN_APPROVED
    ):
        raise MentoringError(
            _("In %(program)s the program admins pair sponsors and sponsees.")
            % {"program": program.title},
            code="admin_pairs",
        )
    with transaction.atomic():
        rows = {
            e.role: e
            for e in Enrollment.objects.select_for_update()
            .filter(
                program=program,
                status=EnrollmentStatus.APPROVED,
                role__in=[Role.SPONSOR, Role.SPONSEE],
            )
            # Each person only in their own role.
            .filter(
                Q(user=sponsor, role=Role.SPONSOR) | Q(user=sponsee, role=Role.SPONSEE)
            )
            .order_by("pk")
        }
        if Role.SPONSOR not in rows:
            raise MentoringError(
                _("%(name)s is not an accepted sponsor of %(program)s.")
                % {"name": display_name(sponsor), "program": program.title},
                code="not_sponsor",
            )
        if Role.SPONSEE not in rows:
            raise MentoringError(
                _("%(name)s is not an accepted sponsee of %(program)s.")
                % {"name": display_name(sponsee), "program": program.title},
                code="not_sponsee",
            )
        open_rels = Relationship.objects.filter(
            program=program, status__in=OPEN_RELATIONSHIP_STATUSES
        )
        if (
            open_rels.filter(members__user=sponsor, members__role=Role.SPONSOR)
            .filter(pk__in=open_rels.filter(members__user=sponsee).values("pk"))
            .exists()
        ):
            raise MentoringError(
                _("%(sponsor)s already sponsors %(sponsee)s.")
                % {
                    "sponsor": display_name(sponsor),
                    "sponsee": display_name(sponsee),
                },
                code="duplicate",
            )
        capacity = rows[Role.SPONSOR].capacity or program.default_mentor_capacity
        if sponsor_load(sponsor, program) >= capacity:
            raise MentoringError(
                _("%(name)s has no capacity left (%(n)d sponsees).")
                % {"name": display_name(sponsor), "n": capacity},
                code="capacity",
            )
        sponsors_now = (
            open_rels.filter(members__user=sponsee, members__role=Role.SPONSEE)
            .distinct()
            .count()
        )
        if sponsors_now >= program.mentors_per_mentee:
            raise MentoringError(
                _("%(name)s already has a sponsor in %(program)s.")
                % {"name": display_name(sponsee), "program": program.title},
                code="sponsee_full",
            )
        relationship = start_relationship(
            program, [(sponsor, Role.SPONSOR), (sponsee, Role.SPONSEE)], by
        )
        audit.record(
            relationship,
            "wagtail_mentoring.sponsorship.pair",
            user=by,
            picked_by_sponsor=by.pk == sponsor.pk,
        )
    return relationship


# ---------------------------------------------------------------------------
# Commitments


def write_commitment(
    relationship: Relationship,
    by,
    *,
    statement: str,
    review_date: date,
    advocacy_goals: str = "",
    period_start: date | None = None,
) -> SponsorshipCommitment:
    """The sponsor writes what they commit to until ``review_date``.

    Writing it is the sponsor's acknowledgement; the sponsee acknowledges
    separately (:func:`acknowledge_commitment`).
    """
    _check_sponsor_of(relationship, by)
    period_start = period_start or timezone.localdate()
    if not statement.strip():
        raise MentoringError(_("Please write the commitment."), code="statement")
    if review_date <= period_start:
        raise MentoringError(
            _("The review date must come after the start of the period."),
            code="review_date",
        )
    with transaction.atomic():
        relationship = _lock_open(relationship)
        commitment = SponsorshipCommitment.objects.create(
            relationship=relationship,
            statement=statement.strip(),
            advocacy_goals=advocacy_goals.strip(),
            period_start=period_start,
            review_date=review_date,
            sponsor_acknowledged_at=timezone.now(),
            created_by=by,
        )
        audit.record(
            commitment, "wagtail_mentoring.sponsorship.commitment.create", user=by
        )
    return commitment


def acknowledge_commitment(commitment: SponsorshipCommitment, by):
    """The sponsor or the sponsee acknowledges the commitment (once each)."""
    roles = sponsorship_roles(commitment.relationship)
    role = next((r for r, u in roles.items() if u.pk == by.pk), None)
    if role is None:
        raise MentoringError(
            _("Only the sponsor and the sponsee acknowledge a commitment."),
            code="not_member",
        )
    field = (
        "sponsor_acknowledged_at" if role == Role.SPONSOR else "sponsee_acknowledged_at"
    )
    with transaction.atomic():
        commitment = SponsorshipCommitment.objects.select_for_update().get(
            pk=commitment.pk
        )
        if getattr(commitment, field):
            raise MentoringError(
                _("You have already acknowledged this commitment."),
                code="already",
            )
        setattr(commitment, field, timezone.now())
        commitment.save(update_fields=[field])
        audit.record(
            commitment,
            "wagtail_mentoring.sponsorship.commitment.acknowledge",
            user=by,
            role=str(role),
        )
    return commitment


# ---------------------------------------------------------------------------
# Advocacy log


def log_advocacy(
    relationship: Relationship,
    by,
    *,
    kind: str,
    occurred_on: date,
    audience: str,
    description: str = "",
    confidential: bool = False,
    evidence: Iterable[ReadinessEvidence] = (),
    opportunity_nomination: OpportunityNomination | None = None,
) -> AdvocacyAction:
    """The sponsor records something they did for the sponsee.

    Only things that happened can be logged (no future dates); evidence cited
    must be the sponsee's own. A confidential action is never shown to the
    sponsee.
    """
    sponsee = _check_sponsor_of(relationship, by)
    if kind not in AdvocacyKind.values:
        raise MentoringError(_("Unknown kind of advocacy action."), code="kind")
    if occurred_on > local_today(by):
        raise MentoringError(
            _("Log actions once they have happened: the date is in the future."),
            code="date",
        )
    if not audience.strip():
        raise MentoringError(
            _("Please say to whom (a person, team or forum)."), code="audience"
        )
    evidence = _check_evidence_owner(evidence, sponsee)
    with transaction.atomic():
        relationship = _lock_open(relationship)
        action = AdvocacyAction.objects.create(
            relationship=relationship,
            sponsor=by,
            sponsee=sponsee,
            kind=kind,
            occurred_on=occurred_on,
            audience=audience.strip(),
            description=description.strip(),
            confidential=confidential,
            opportunity_nomination=opportunity_nomination,
        )
        action.evidence.set(evidence)
        # Only the kind goes to the audit log: the log is readable by admins,
        # the content of a confidential action is not.
        audit.record(
            action, "wagtail_mentoring.sponsorship.advocacy.log", user=by, kind=kind
        )
    return action


def record_advocacy_outcome(action: AdvocacyAction, by, *, outcome: str):
    """The sponsor notes what came of an action (may be updated later)."""
    if action.sponsor_id != by.pk:
        raise MentoringError(
            _("Only the sponsor who logged it can record its outcome."),
            code="not_sponsor",
        )
    if not outcome.strip():
        raise MentoringError(_("Please describe the outcome."), code="outcome")
    with transaction.atomic():
        action = AdvocacyAction.objects.select_for_update().get(pk=action.pk)
        action.outcome = outcome.strip()
        action.outcome_recorded_at = timezone.now()
        action.save(update_fields=["outcome", "outcome_recorded_at"])
        audit.record(action, "wagtail_mentoring.sponsorship.advocacy.outcome", user=by)
    return action


# ---------------------------------------------------------------------------
# Opportunities


def can_post_opportunity(user, program: ProgramPage) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (is_sponsor(user, program) or can_administer(user, program))
    )


def post_opportunity(
    program: ProgramPage,
    by,
    *,
    title: str,
    deadline: date,
    kind: str = OpportunityKind.STRETCH_ASSIGNMENT,
    description: str = "",
    eligibility: str = "",
    min_level: int | None = None,
) -> Opportunity:
    """A sponsor or HR posts a stretch assignment, project or role."""
    _check_sponsorship_program(program)
    if not can_post_opportunity(by, program):
        raise MentoringError(
            _("Sponsors and admins of %(program)s post its opportunities.")
            % {"program": program.title},
            code="not_allowed",
        )
    _validate_opportunity(title, deadline, kind)
    with transaction.atomic():
        opportunity = Opportunity.objects.create(
            program=program,
            title=title.strip(),
            kind=kind,
            description=description.strip(),
            eligibility=eligibility.strip(),
            min_level=min_level,
            deadline=deadline,
            posted_by=by,
        )
        audit.record(
            opportunity, "wagtail_mentoring.sponsorship.opportunity.post", user=by
        )
    return opportunity


def _validate_opportunity(title: str, deadline: date, kind: str) -> None:
    if not title.strip():
        raise MentoringError(_("Please give the opportunity a title."), code="title")
    if kind not in OpportunityKind.values:
        raise MentoringError(_("Unknown kind of opportunity."), code="kind")
    if deadline < timezone.localdate():
        raise MentoringError(
            _("The nomination deadline is in the past."), code="deadline"
        )


def update_opportunity(opportunity: Opportunity, by, **fields) -> Opportunity:
    """Edit an opportunity or change its status (close, cancel, reopen)."""
    allowed = {
        "title",
        "kind",
        "description",
        "eligibility",
        "min_level",
        "deadline",
        "status",
    }
    unknown = set(fields) - allowed
    assert not unknown, unknown
    with transaction.atomic():
        current = (
            Opportunity.objects.select_for_update()
            .select_related("program")
            .get(pk=opportunity.pk)
        )
        require(
            current.posted_by_id == by.pk or can_administer(by, current.program),
            _(
                "Only whoever posted the opportunity or the program's admins can "
                "change it."
            ),
        )
        for name, value in fields.items():
            setattr(current, name, value)
        if current.status not in OpportunityStatus.values:
            raise MentoringError(_("Unknown status."), code="status")
        if "deadline" in fields and fields["deadline"] != opportunity.deadline:
            _validate_opportunity(current.title, current.deadline, current.kind)
        elif not current.title.strip():
            raise MentoringError(
                _("Please give the opportunity a title."), code="title"
            )
        current.save()
        audit.record(
            current,
            "wagtail_mentoring.sponsorship.opportunity.update",
            user=by,
            status=current.status,
        )
    return current


#: The advocacy a nomination for each kind of opportunity counts as.
_ADVOCACY_FOR = {
    OpportunityKind.STRETCH_ASSIGNMENT: AdvocacyKind.STRETCH_ASSIGNMENT,
    OpportunityKind.PROJECT: AdvocacyKind.STRETCH_ASSIGNMENT,
    OpportunityKind.ROLE: AdvocacyKind.PROMOTION_RECOMMENDATION,
}


def nominate_for_opportunity(
    opportunity: Opportunity,
    sponsee,
    by,
    *,
    note: str = "",
    confidential: bool = False,
    evidence: Iterable[ReadinessEvidence] = (),
) -> OpportunityNomination:
    """A sponsor puts their sponsee forward for an open opportunity.

    The nomination is also logged as advocacy (a stretch-assignment nomination
    or, for a role, a promotion recommendation).
    """
    if sponsee.pk == by.pk:
        raise MentoringError(
            _("You cannot nominate yourself for an opportunity."), code="self"
        )
    relationship = (
        Relationship.objects.filter(
            program=opportunity.program_id,
            status__in=OPEN_RELATIONSHIP_STATUSES,
            members__user=by,
            members__role=Role.SPONSOR,
        )
        .filter(
            pk__in=RelationshipMember.objects.filter(
                user=sponsee, role=Role.SPONSEE
            ).values("relationship")
        )
        .first()
    )
    if relationship is None:
        raise MentoringError(
            _("You can nominate only your own sponsees in %(program)s.")
            % {"program": opportunity.program.title},
            code="not_your_sponsee",
        )
    profile = getattr(sponsee, "mentoring_profile", None)
    if opportunity.min_level and (
        profile is None or (profile.level or 0) < opportunity.min_level
    ):
        raise MentoringError(
            _("%(title)s is open from career level %(level)d.")
            % {"title": opportunity.title, "level": opportunity.min_level},
            code="level",
        )
    with transaction.atomic():
        opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
        if not opportunity.takes_nominations():
            raise MentoringError(
                _("%(title)s no longer takes nominations (deadline %(date)s).")
                % {"title": opportunity.title, "date": opportunity.deadline}
                if opportunity.status == OpportunityStatus.OPEN
                else _("%(title)s is %(status)s.")
                % {
                    "title": opportunity.title,
                    "status": opportunity.get_status_display().lower(),
                },
                code="closed",
            )
        if OpportunityNomination.objects.filter(
            opportunity=opportunity, nominee=sponsee
        ).exists():
            raise MentoringError(
                _("%(name)s is already nominated for %(title)s.")
                % {"name": display_name(sponsee), "title": opportunity.title},
                code="duplicate",
            )
        nomination = OpportunityNomination.objects.create(
            opportunity=opportunity,
            nominee=sponsee,
            nominated_by=by,
            relationship=relationship,
            note=note.strip(),
            confidential=confidential,
        )
        audit.record(
            nomination, "wagtail_mentoring.sponsorship.opportunity.nominate", user=by
        )
        log_advocacy(
            relationship,
            by,
            kind=_ADVOCACY_FOR[OpportunityKind(opportunity.kind)],
            occurred_on=local_today(by),
            audience=opportunity.title,
            description=note,
            confidential=confidential,
            evidence=evidence,
            opportunity_nomination=nomination,
        )
    return nomination


def can_decide_opportunity(user, opportunity: Opportunity) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (
            opportunity.posted_by_id == user.pk
            or can_administer(user, opportunity.program)
        )
    )


def decide_opportunity_nomination(
    nomination: OpportunityNomination, by, *, status: str, reason: str = ""
) -> OpportunityNomination:
    """Whoever posted the opportunity (or a program admin) selects or not, and why."""
    if status not in (
        OpportunityNominationStatus.SELECTED,
        OpportunityNominationStatus.NOT_SELECTED,
    ):
        raise MentoringError(_("Choose selected or not selected."), code="status")
    if status == OpportunityNominationStatus.NOT_SELECTED and not reason.strip():
        raise MentoringError(
            _("Please say why the nominee was not selected."), code="reason"
        )
    with transaction.atomic():
        nomination = (
            OpportunityNomination.objects.select_for_update()
            .select_related("opportunity__program")
            .get(pk=nomination.pk)
        )
        require(
            can_decide_opportunity(by, nomination.opportunity),
            _(
                "Only whoever posted the opportunity or the program's admins can "
                "decide on nominations."
            ),
        )
        if nomination.status != OpportunityNominationStatus.NOMINATED:
            raise MentoringError(
                _("This nomination was already decided."), code="decided"
            )
        nomination.status = status
        nomination.decision_reason = reason.strip()
        nomination.decided_at = timezone.now()
        nomination.decided_by = by
        # A decision is news the nominee may hear: it stops being confidential.
        nomination.confidential = False
        nomination.save()
        audit.record(
            nomination,
            "wagtail_mentoring.sponsorship.opportunity.decide",
            user=by,
            status=status,
        )
        nomination_decided.send(
            sender=OpportunityNomination, nomination=nomination, by=by
        )
    return nomination
