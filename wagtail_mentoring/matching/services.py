"""Business actions of the matching panel.

Each function is one transaction, audit-logged, and refuses with a
:class:`MentoringError` (writing nothing) when a rule says no, or when ``by``
may not run matching for the program (``permissions.can_run_matching``).

Capacity is checked under row locks: every action that makes a pair hold a
place (approve, lock, manual pair, publish) first locks the enrollment rows
involved (``SELECT … FOR UPDATE``, in primary-key order so two admins cannot
deadlock), then counts open relationships plus approved and locked proposals.
Two admins acting at once are serialised by those locks; repeating an action
(a double submit) finds the work done and changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_mentoring import audit, dispatch
from wagtail_mentoring.conf import mentoring_settings
from wagtail_mentoring.engagement import circles
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.matching import runs
from wagtail_mentoring.matching.engine import FACTORS, MatchingError
from wagtail_mentoring.matching.models import (
    ACTIVE_RUN_STATUSES,
    HOLDING_STATUSES,
    MatchingRun,
    MatchProposal,
    ProgramMatchingSettings,
    ProposalOrigin,
    ProposalStatus,
    RunStatus,
)
from wagtail_mentoring.matching.pools import is_peer, program_roles
from wagtail_mentoring.matching.reasons import rule_label
from wagtail_mentoring.matching.tasks import run_matching, send_match_emails
from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.permissions import require_matching
from wagtail_mentoring.programs.models import (
    Enrollment,
    EnrollmentStatus,
    ProgramKind,
    ProgramPage,
    places_taken,
)
from wagtail_mentoring.programs.services import start_relationship
from wagtail_mentoring.sponsorship import services as sponsorship

#: A run still running after this long is taken as lost (its worker died); a run
#: no worker started fails sooner (``MATCHING_RUN_PICKUP_SECONDS``).
STALE_RUN_AFTER = timedelta(minutes=30)
MAX_WEIGHT = 5.0

#: Approved pairs were published (``program``, ``relationship_ids``, ``by``),
#: inside the publishing transaction.
matches_published = Signal()


# --- Settings -----------------------------------------------------------------

SETTING_FIELDS = (
    "ideal_level_gap",
    "min_seniority",
    "reporting_line_depth",
    "exclude_same_manager",
    "department_rule",
    "require_shared_language",
    "max_timezone_hours",
    "min_score",
    "floor_first",
    "unmatched_priority",
    "fairness_dimension",
)


def validate_settings(weights: dict, values: dict) -> None:
    """Raise :class:`MentoringError` for settings a run could not use."""
    unknown = set(weights) - set(FACTORS)
    if unknown:
        raise MentoringError(
            _("Unknown factors: %(names)s.") % {"names": ", ".join(sorted(unknown))},
            code="factor",
        )
    try:
        numbers = [float(w) for w in weights.values()]
    except (TypeError, ValueError):
        raise MentoringError(_("Weights must be numbers."), code="weight")
    if any(not 0 <= w <= MAX_WEIGHT for w in numbers):
        raise MentoringError(
            _("Each weight must be between 0 and %(max)d.") % {"max": MAX_WEIGHT},
            code="weight",
        )
    if not any(w > 0 for w in numbers):
        raise MentoringError(
            _("At least one factor needs a weight above 0."), code="weight"
        )
    dimension = values.get("fairness_dimension") or ""
    if dimension and dimension not in mentoring_settings.DEMOGRAPHIC_DIMENSIONS:
        raise MentoringError(
            _("“%(name)s” is not a configured self-identification question.")
            % {"name": dimension},
            code="dimension",
        )


def save_settings(
    program: ProgramPage, weights: dict, values: dict, by
) -> ProgramMatchingSettings:
    """Store the program's matching weights and rules (used by the next run)."""
    require_matching(by, program)
    validate_settings(weights, values)
    with transaction.atomic():
        current = runs.settings_for(program)
        settings = (
            ProgramMatchingSettings.objects.select_for_update()
            .filter(program=program)
            .first()
        ) or current
        settings.weights = {f: float(weights.get(f, 0)) for f in FACTORS}
        for name in SETTING_FIELDS:
            if name in values:
                setattr(settings, name, values[name])
        settings.updated_by = by
        settings.full_clean(exclude=["program"])
        settings.save()
        audit.record(
            settings,
            "wagtail_mentoring.matching.settings",
            user=by,
            program=program.pk,
        )
    return settings


# --- Runs ---------------------------------------------------------------------


def start_run(
    program: ProgramPage,
    by,
    *,
    fresh: bool = False,
    enqueue: bool = True,
    cohort=None,
) -> MatchingRun:
    """Queue a matching run of ``program`` (executed by the ``run_matching`` task,
    see ``wagtail_mentoring.dispatch``); with ``cohort``, only that cohort's
    participants are in the pool.

    One run per program at a time: while one is queued or running, asking again
    returns that run (a double click starts nothing new). A queued run that no
    worker picked up in time is failed first, so it never blocks this one.
    """
    require_matching(by, program)
    if cohort is not None and cohort.program_id != program.pk:
        raise MentoringError(
            _("%(cohort)s is not a cohort of %(program)s.")
            % {"cohort": cohort.name, "program": program.title},
            code="other_program",
        )
    with transaction.atomic():
        settings = runs.settings_for(program)
        if settings.pk is None:
            settings.save()
        # The settings row is the program's matching lock.
        settings = ProgramMatchingSettings.objects.select_for_update().get(
            pk=settings.pk
        )
        runs.fail_unclaimed_runs(program)
        active = MatchingRun.objects.filter(
            program=program, status__in=ACTIVE_RUN_STATUSES
        ).order_by("-pk")
        cutoff = timezone.now() - STALE_RUN_AFTER
        for run in active:
            if run.created_at < cutoff:
                run.status = RunStatus.FAILED
                run.error = _("The run did not finish within 30 minutes.")
                run.finished_at = timezone.now()
                run.save(update_fields=["status", "error", "finished_at"])
            else:
                return run
        run = MatchingRun.objects.create(
            program=program,
            params=runs.snapshot(settings),
            fresh=fresh,
            created_by=by,
            cohort=cohort,
        )
        audit.record(
            run,
            "wagtail_mentoring.matching.start",
            user=by,
            fresh=fresh,
            cohort=cohort.pk if cohort else None,
        )
        if enqueue:
            dispatch.enqueue(run_matching, run.pk)
    return run


# --- Capacity -------------------------------------------------------------------


@dataclass
class _Loads:
    """Places taken per enrollment: open relationships + holding proposals."""

    program: ProgramPage
    taken: Counter = field(default_factory=Counter)

    @classmethod
    def locked(cls, program: ProgramPage, enrollment_ids: Iterable) -> tuple:
        """Lock the enrollments (pk order) and count what each already holds."""
        ids = sorted(set(enrollment_ids))
        rows = {
            e.pk: e
            for e in Enrollment.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk__in=ids)
            .order_by("pk")
        }
        users = {e.user_id for e in rows.values()}
        loads = cls(program)
        by_user_role = places_taken(program, users)
        for e in rows.values():
            loads.taken[e.pk] += by_user_role.get((e.user_id, e.role), 0)
        held = MatchProposal.objects.filter(
            program=program, status__in=HOLDING_STATUSES
        )
        for mentee_id in held.filter(mentee_id__in=ids).values_list(
            "mentee_id", flat=True
        ):
            loads.taken[mentee_id] += 1
        for mentor_id in held.filter(mentor_id__in=ids).values_list(
            "mentor_id", flat=True
        ):
            loads.taken[mentor_id] += 1
        return rows, loads

    def capacity(self, enrollment: Enrollment, receiving: str) -> int:
        if enrollment.role == receiving:
            return self.program.mentors_per_mentee
        return enrollment.capacity or self.program.default_mentor_capacity


def _refusal(program, proposal, rows, loads, *, holding_already: bool) -> str | None:
    """Why ``proposal`` cannot take a place now, or None."""
    receiving, _giving = program_roles(program)
    mentee, mentor = rows.get(proposal.mentee_id), rows.get(proposal.mentor_id)
    for enrollment in (mentee, mentor):
        if enrollment is None or enrollment.status != EnrollmentStatus.APPROVED:
            return _("an application is no longer approved")
        if not enrollment.user.is_active:
            return _("%(name)s is no longer active") % {
                "name": display_name(enrollment.user)
            }
    own = 1 if holding_already else 0
    if is_peer(program):
        # Both ends are members with the same one place: neither is a mentor.
        for member in (mentee, mentor):
            if loads.taken[member.pk] - own >= loads.capacity(member, receiving):
                return _("%(name)s is already paired") % {
                    "name": display_name(member.user)
                }
        return None
    if loads.taken[mentor.pk] - own >= loads.capacity(mentor, receiving):
        return _("%(name)s has no capacity left") % {"name": display_name(mentor.user)}
    if loads.taken[mentee.pk] - own >= loads.capacity(mentee, receiving):
        return _("%(name)s already has enough mentors") % {
            "name": display_name(mentee.user)
        }
    return None


# --- Decisions on proposals -------------------------------------------------------


@dataclass
class Outcome:
    """What a bulk action did: the proposals changed and those it left, why."""

    done: list[MatchProposal] = field(default_factory=list)
    skipped: list[tuple[MatchProposal, str]] = field(default_factory=list)


_ACTIONS = {
    ProposalStatus.APPROVED: "wagtail_mentoring.matching.approve",
    ProposalStatus.LOCKED: "wagtail_mentoring.matching.lock",
    ProposalStatus.REJECTED: "wagtail_mentoring.matching.reject",
    ProposalStatus.PROPOSED: "wagtail_mentoring.matching.reopen",
}

#: Which statuses each decision may start from.
_FROM = {
    ProposalStatus.APPROVED: {ProposalStatus.PROPOSED, ProposalStatus.LOCKED},
    ProposalStatus.LOCKED: {ProposalStatus.PROPOSED, ProposalStatus.APPROVED},
    ProposalStatus.REJECTED: {ProposalStatus.PROPOSED},
    ProposalStatus.PROPOSED: {
        ProposalStatus.APPROVED,
        ProposalStatus.LOCKED,
        ProposalStatus.REJECTED,
    },
}


def _decide(program, proposals, by, status: str) -> Outcome:
    require_matching(by, program)
    ids = sorted({p.pk for p in proposals})
    outcome = Outcome()
    with transaction.atomic():
        pairs = list(
            MatchProposal.objects.filter(pk__in=ids, program=program).values_list(
                "mentee_id", "mentor_id"
            )
        )
        takes_place = status in HOLDING_STATUSES
        rows, loads = (
            _Loads.locked(program, [e for pair in pairs for e in pair])
            if takes_place
            else ({}, None)
        )
        locked = list(
            MatchProposal.objects.select_for_update()
            .filter(pk__in=ids, program=program)
            .order_by("pk")
        )
        # Locked in key order (no deadlocks), decided best first, so that when
        # places run out the better pairs get them.
        locked.sort(key=lambda p: (-p.score, p.pk))
        now = timezone.now()
        for proposal in locked:
            if proposal.status == status:
                continue  # done already (a double submit): nothing to do
            if proposal.status not in _FROM[status]:
                outcome.skipped.append(
                    (
                        proposal,
                        _("it is %(status)s")
                        % {"status": proposal.get_status_display().lower()},
                    )
                )
                continue
            if takes_place:
                already = proposal.status in HOLDING_STATUSES
                why = _refusal(program, proposal, rows, loads, holding_already=already)
                if why:
                    outcome.skipped.append((proposal, why))
                    continue
                if not already:
                    loads.taken[proposal.mentee_id] += 1
                    loads.taken[proposal.mentor_id] += 1
            proposal.status = status
            proposal.decided_at = now
            proposal.decided_by = by
            outcome.done.append(proposal)
        MatchProposal.objects.bulk_update(
            outcome.done, ["status", "decided_at", "decided_by"]
        )
        for proposal in outcome.done:
            audit.record(proposal, _ACTIONS[status], user=by, score=proposal.score)
    return outcome


def _single(program, proposal, by, status) -> MatchProposal:
    outcome = _decide(program, [proposal], by, status)
    if outcome.skipped:
        _p, why = outcome.skipped[0]
        raise MentoringError(
            _("This pair cannot be %(action)s: %(why)s.")
            % {"action": ProposalStatus(status).label.lower(), "why": why},
            code="refused",
        )
    return MatchProposal.objects.get(pk=proposal.pk)


def approve_proposals(program: ProgramPage, proposals, by) -> Outcome:
    """Approve proposals that still fit every capacity; the rest are skipped."""
    return _decide(program, proposals, by, ProposalStatus.APPROVED)


def lock_proposals(program: ProgramPage, proposals, by) -> Outcome:
    """Lock pairs: every re-run keeps them (they hold their places)."""
    return _decide(program, proposals, by, ProposalStatus.LOCKED)


def reject_proposals(program: ProgramPage, proposals, by) -> Outcome:
    """Reject pairs: no later run proposes them again."""
    return _decide(program, proposals, by, ProposalStatus.REJECTED)


def reopen_proposals(program: ProgramPage, proposals, by) -> Outcome:
    """Take back a decision: the pair is a plain proposal again."""
    return _decide(program, proposals, by, ProposalStatus.PROPOSED)


def approve_proposal(program, proposal, by) -> MatchProposal:
    """Approve one pair, or say why not."""
    return _single(program, proposal, by, ProposalStatus.APPROVED)


def lock_proposal(program, proposal, by) -> MatchProposal:
    """Lock one pair, or say why not."""
    return _single(program, proposal, by, ProposalStatus.LOCKED)


def reject_proposal(program, proposal, by) -> MatchProposal:
    """Reject one pair, or say why not."""
    return _single(program, proposal, by, ProposalStatus.REJECTED)


def reopen_proposal(program, proposal, by) -> MatchProposal:
    """Take back the decision on one pair."""
    return _single(program, proposal, by, ProposalStatus.PROPOSED)


def approve_above(program: ProgramPage, min_percent: int, by) -> Outcome:
    """Approve every proposed pair of the current run scoring ``min_percent`` or
    more (best first, so capacity conflicts favour the better pairs)."""
    require_matching(by, program)
    if not 0 <= int(min_percent) <= 100:
        raise MentoringError(
            _("The score must be between 0 and 100."), code="score_range"
        )
    run = runs.current_run(program)
    if run is None:
        raise MentoringError(_("There is no finished run yet."), code="no_run")
    proposals = list(
        run.proposals.filter(
            status=ProposalStatus.PROPOSED, score__gte=int(min_percent) / 100 - 1e-9
        ).order_by("-score", "pk")
    )
    return approve_proposals(program, proposals, by)


# --- Manual pairs -------------------------------------------------------------------


def manual_pair(
    program: ProgramPage,
    mentee: Enrollment,
    mentor: Enrollment,
    by,
    *,
    justification: str = "",
) -> MatchProposal:
    """Pair ``mentee`` with ``mentor`` by hand (approved at once).

    A pair that breaks a hard rule needs a written ``justification``; it is
    stored and shown with the pair.
    """
    require_matching(by, program)
    receiving, giving = program_roles(program)
    if mentee.program_id != program.pk or mentor.program_id != program.pk:
        raise MentoringError(
            _("Both people must have applied to %(program)s.")
            % {"program": program.title},
            code="program",
        )
    if mentee.role != receiving or mentor.role != giving:
        raise MentoringError(
            _("Choose a %(receiving)s and a %(giving)s.")
            % {"receiving": receiving, "giving": giving},
            code="roles",
        )
    if mentee.user_id == mentor.user_id:
        raise MentoringError(
            _("A person cannot be matched with themselves."), code="self"
        )
    run = runs.current_run(program)
    if run is None:
        raise MentoringError(
            _("Run matching once before pairing people by hand."), code="no_run"
        )
    try:
        option = runs.mentor_options(program, mentee, [mentor])[0]
    except MatchingError as error:
        raise MentoringError(str(error), code="engine")
    justification = justification.strip()
    if option.rule_breaks and not justification:
        raise MentoringError(
            _("This pair breaks a rule (%(rules)s); please say why you pair them.")
            % {"rules": ", ".join(rule_label(code) for code in option.rule_breaks)},
            code="justification",
        )
    with transaction.atomic():
        rows, loads = _Loads.locked(program, [mentee.pk, mentor.pk])
        same_pair = Q(mentee=mentee, mentor=mentor)
        if is_peer(program):
            # Peers have no direction: Bea with Eve is Eve with Bea.
            same_pair |= Q(mentee=mentor, mentor=mentee)
        existing = (
            MatchProposal.objects.select_for_update()
            .filter(same_pair, program=program)
            .exclude(status=ProposalStatus.SUPERSEDED)
            .order_by("-pk")
            .first()
        )
        if existing is not None and existing.status in HOLDING_STATUSES:
            return existing  # paired already (a double submit)
        if existing is not None and existing.status == ProposalStatus.PUBLISHED:
            raise MentoringError(_("These two are already matched."), code="published")
        probe = existing or MatchProposal(program=program, mentee=mentee, mentor=mentor)
        why = _refusal(program, probe, rows, loads, holding_already=False)
        if why:
            raise MentoringError(
                _("This pair cannot be made: %(why)s.") % {"why": why},
                code="capacity",
            )
        proposal = probe
        proposal.run = run
        proposal.status = ProposalStatus.APPROVED
        proposal.origin = ProposalOrigin.MANUAL
        proposal.score = round(option.score or 0.0, 4)
        proposal.factors = {k: round(v, 4) for k, v in option.factors.items()}
        proposal.reasons = option.reasons
        proposal.rule_breaks = option.rule_breaks
        proposal.breaks_rules = bool(option.rule_breaks)
        proposal.justification = justification
        proposal.decided_by = by
        proposal.decided_at = timezone.now()
        proposal.save()
        audit.record(
            proposal,
            "wagtail_mentoring.matching.manual_pair",
            user=by,
            rules=option.rule_breaks,
            justification=justification,
        )
    return proposal


# --- Publish ------------------------------------------------------------------------


def default_message(program: ProgramPage) -> str:
    return _(
        "You have been matched in %(program)s. Say hello to each other this week "
        "and agree on a time for your first conversation."
    ) % {"program": program.title}


def publish(program: ProgramPage, by, *, message: str = "") -> Outcome:
    """Turn the approved pairs into active relationships and email both people.

    Sponsorship programs pair through ``sponsorship.services.pair_sponsor`` (one
    sponsor per sponsee, capacity). A pair that no longer fits is skipped and
    stays approved; running it again publishes nothing twice.
    """

    require_matching(by, program)
    receiving, giving = program_roles(program)
    message = (message or "").strip() or default_message(program)
    if len(message) > 5000:
        raise MentoringError(_("The message is too long."), code="message")
    outcome = Outcome()
    with transaction.atomic():
        pairs = list(
            MatchProposal.objects.filter(
                program=program, status=ProposalStatus.APPROVED
            ).values_list("mentee_id", "mentor_id")
        )
        rows, loads = _Loads.locked(program, [e for pair in pairs for e in pair])
        approved = list(
            MatchProposal.objects.select_for_update()
            .filter(program=program, status=ProposalStatus.APPROVED)
            .order_by("-score", "pk")
        )
        for proposal in approved:
            why = _refusal(program, proposal, rows, loads, holding_already=True)
            if why:
                outcome.skipped.append((proposal, why))
                continue
            mentee, mentor = rows[proposal.mentee_id], rows[proposal.mentor_id]
            try:
                with transaction.atomic():
                    if program.kind == ProgramKind.SPONSORSHIP:
                        relationship = sponsorship.pair_sponsor(
                            program, mentor.user, mentee.user, by
                        )
                    elif program.kind == ProgramKind.GROUP:
                        # A mentor's mentees share the mentor's one circle,
                        # about the topic their application gave (the run
                        # scored the mentees' fit with it).
                        relationship = circles.open_circle_of(
                            program, mentor.user
                        ) or circles.form_circle(
                            program, mentor.user, by, topic=mentor.circle_topic
                        )
                        circles.add_to_circle(
                            relationship, mentee.user, by, announce=False
                        )
                    else:
                        relationship = start_relationship(
                            program,
                            [(mentee.user, receiving), (mentor.user, giving)],
                            by,
                        )
            except MentoringError as error:
                outcome.skipped.append((proposal, " ".join(error.messages)))
                continue
            proposal.status = ProposalStatus.PUBLISHED
            proposal.relationship = relationship
            proposal.publish_message = message
            proposal.decided_by = by
            proposal.decided_at = timezone.now()
            proposal.save(
                update_fields=[
                    "status",
                    "relationship",
                    "publish_message",
                    "decided_by",
                    "decided_at",
                ]
            )
            audit.record(proposal, "wagtail_mentoring.matching.publish", user=by)
            outcome.done.append(proposal)
        ids = [p.pk for p in outcome.done]
        if ids:
            dispatch.enqueue(send_match_emails, ids)
            matches_published.send(
                sender=ProgramPage,
                program=program,
                relationship_ids=sorted(
                    {p.relationship_id for p in outcome.done if p.relationship_id}
                ),
                by=by,
            )
    return outcome
