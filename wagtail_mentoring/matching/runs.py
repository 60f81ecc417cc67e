"""Executing a matching run, previews and pair evaluation: DB ↔ engine.

``execute_run`` is what the Celery task calls. It reads everything it needs,
solves with the engine outside any transaction, then stores the result in one
transaction; a failure leaves every earlier proposal untouched. A run is
claimed with a conditional UPDATE, so a retried or duplicated task does nothing.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_mentoring import audit
from wagtail_mentoring.conf import mentoring_settings
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.matching.engine import (
    DEFAULT_WEIGHTS,
    FACTORS,
    MatchingConfig,
    MatchingError,
    MatchResult,
    match,
)
from wagtail_mentoring.matching.engine.peers import match_peers
from wagtail_mentoring.matching.models import (
    CARRIED_STATUSES,
    HOLDING_STATUSES,
    MatchingRun,
    MatchProposal,
    ProgramMatchingSettings,
    ProposalStatus,
    RunStatus,
)
from wagtail_mentoring.matching.pools import (
    Pool,
    build_problem,
    default_config,
    is_peer,
    load_pool,
    program_roles,
)
from wagtail_mentoring.matching.reasons import stored_reason
from wagtail_mentoring.programs.models import (
    Enrollment,
    ProgramPage,
    RelationshipMember,
)

logger = logging.getLogger(__name__)


# --- Settings ---------------------------------------------------------------


def settings_for(program: ProgramPage) -> ProgramMatchingSettings:
    """The program's saved settings, or (unsaved) defaults for its kind."""
    try:
        return program.matching_settings
    except ObjectDoesNotExist:
        base = default_config(program)
        return ProgramMatchingSettings(
            program=program,
            weights=dict(DEFAULT_WEIGHTS),
            min_seniority=base.min_seniority,
            reporting_line_depth=base.reporting_line_depth,
            ideal_level_gap=base.ideal_level_gap,
            require_shared_language=base.require_shared_language,
        )


def weights_of(settings: ProgramMatchingSettings) -> dict[str, float]:
    return {f: float(settings.weights.get(f, DEFAULT_WEIGHTS[f])) for f in FACTORS}


def snapshot(settings: ProgramMatchingSettings) -> dict:
    """JSON copy of the settings a run uses (stored in ``MatchingRun.params``)."""
    return {
        "weights": weights_of(settings),
        "ideal_level_gap": settings.ideal_level_gap,
        "min_seniority": settings.min_seniority,
        "reporting_line_depth": settings.reporting_line_depth,
        "exclude_same_manager": settings.exclude_same_manager,
        "department_rule": settings.department_rule,
        "require_shared_language": settings.require_shared_language,
        "max_timezone_hours": settings.max_timezone_hours,
        "min_score": settings.min_score,
        "floor_first": settings.floor_first,
        "unmatched_priority": settings.unmatched_priority,
        "fairness_dimension": settings.fairness_dimension,
    }


def config_from(program: ProgramPage, params: dict, *, fresh=False) -> MatchingConfig:
    """Engine settings for a snapshot (``params``) of the program's settings."""
    min_score = params.get("min_score")
    return default_config(
        program,
        weights=dict(params["weights"]),
        ideal_level_gap=params["ideal_level_gap"],
        min_seniority=params["min_seniority"],
        reporting_line_depth=params["reporting_line_depth"],
        exclude_same_manager=params["exclude_same_manager"],
        department_rule=params["department_rule"],
        require_shared_language=params["require_shared_language"],
        max_timezone_hours=params["max_timezone_hours"],
        min_score=None if min_score in (None, "") else min_score / 100,
        floor_first=params["floor_first"],
        fresh=fresh,
    )


# --- What a run builds on -----------------------------------------------------


def current_run(program: ProgramPage) -> MatchingRun | None:
    """The latest finished run: the one whose proposals the panel shows."""
    return (
        MatchingRun.objects.select_related("cohort")
        .filter(program=program, status=RunStatus.SUCCEEDED)
        .order_by("-finished_at", "-pk")
        .first()
    )


@dataclass
class Decisions:
    """What the admins decided so far, as (receiver user, giver user) pairs."""

    held: list[MatchProposal] = field(default_factory=list)
    rejected: list[tuple] = field(default_factory=list)

    @property
    def reserved(self) -> dict:
        return _places(
            (p.mentee.user_id, p.mentee.role, p.mentor.user_id, p.mentor.role)
            for p in self.held
        )

    @property
    def paired(self) -> list[tuple]:
        return [(p.mentee.user_id, p.mentor.user_id) for p in self.held]


def _places(pairs) -> dict:
    """(user id, role) → places held, from ``(mentee user, mentee role, mentor
    user, mentor role)`` of the held proposals."""
    counts: Counter = Counter()
    for mentee, mentee_role, mentor, mentor_role in pairs:
        counts[(mentee, mentee_role)] += 1
        counts[(mentor, mentor_role)] += 1
    return dict(counts)


def reserved(program: ProgramPage) -> dict:
    """:attr:`Decisions.reserved` alone, without loading the proposals: what a
    page that only shows the pool needs."""
    return _places(
        MatchProposal.objects.filter(
            program=program, status__in=HOLDING_STATUSES
        ).values_list(
            "mentee__user_id", "mentee__role", "mentor__user_id", "mentor__role"
        )
    )


def decisions(program: ProgramPage) -> Decisions:
    held = list(
        MatchProposal.objects.filter(program=program, status__in=HOLDING_STATUSES)
        .select_related("mentee", "mentor")
        .order_by("pk")
    )
    rejected = list(
        MatchProposal.objects.filter(
            program=program, status=ProposalStatus.REJECTED
        ).values_list("mentee__user_id", "mentor__user_id")
    )
    return Decisions(held, rejected)


def _solve(
    program: ProgramPage,
    params: dict,
    *,
    fresh: bool,
    previous: MatchingRun | None,
    cohort=None,
) -> tuple[Pool, Decisions, MatchResult, object]:
    state = decisions(program)
    pool = load_pool(program, reserved=state.reserved, cohort=cohort)
    earlier: list[tuple] = []
    priority_users: set = set()
    if previous is not None:
        if not fresh:
            earlier = list(
                previous.proposals.filter(status=ProposalStatus.PROPOSED).values_list(
                    "mentee__user_id", "mentor__user_id"
                )
            )
        unmatched_ids = [row["enrollment"] for row in previous.unmatched]
        priority_users = set(
            Enrollment.objects.filter(pk__in=unmatched_ids).values_list(
                "user_id", flat=True
            )
        )
    dimension = params.get("fairness_dimension") or None
    if dimension not in mentoring_settings.DEMOGRAPHIC_DIMENSIONS:
        dimension = None
    problem, index = build_problem(
        pool,
        reporting_depth=params["reporting_line_depth"],
        group_dimension=dimension,
        rejected=state.rejected,
        previous=earlier,
        paired=state.paired,
        priority_users=priority_users,
        priority_weight=float(params.get("unmatched_priority") or 1.0),
    )
    config = config_from(program, params, fresh=fresh)
    result = solve(program, problem, config)
    return pool, state, result, index


def solve(program: ProgramPage, problem, config: MatchingConfig) -> MatchResult:
    """The engine call of a program: members with each other, or two sides."""
    if is_peer(program):
        return match_peers(problem, config)
    return match(problem, config)


# --- Executing a run ----------------------------------------------------------


def _stage(run: MatchingRun, stage: str) -> None:
    MatchingRun.objects.filter(pk=run.pk).update(stage=stage)


def execute_run(run_id: int) -> MatchingRun | None:
    """Solve run ``run_id`` and store its proposals; idempotent.

    Only a queued run is executed (claimed atomically); calling this again for
    a run that is running, finished or failed returns it unchanged.
    """
    now = timezone.now()
    claimed = MatchingRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=now, stage="pool"
    )
    run = (
        MatchingRun.objects.select_related("program", "cohort")
        .filter(pk=run_id)
        .first()
    )
    if not claimed or run is None:
        return run
    program = run.program.specific
    try:
        previous = current_run(program)
        _stage(run, "solving")
        pool, state, result, _index = _solve(
            program, run.params, fresh=run.fresh, previous=previous, cohort=run.cohort
        )
        _stage(run, "saving")
        _store(run, program, pool, state, result, previous)
    except (MatchingError, MentoringError) as error:
        _fail(run, " ".join(getattr(error, "messages", None) or [str(error)]))
    except Exception as error:  # the run must say it failed, whatever broke
        logger.exception("matching run %s failed", run_id)
        _fail(
            run,
            _("Unexpected error (%(type)s); earlier proposals are unchanged.")
            % {"type": type(error).__name__},
        )
    run.refresh_from_db()
    return run


def _fail(run: MatchingRun, message: str) -> None:
    MatchingRun.objects.filter(pk=run.pk).update(
        status=RunStatus.FAILED,
        stage="",
        error=message,
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    audit.record(run, "wagtail_mentoring.matching.run_failed", user=run.created_by)


def fail_unclaimed_runs(program: ProgramPage | None = None) -> int:
    """Fail the queued runs that no worker started within the pickup time.

    Called whenever someone looks at or starts a run, and periodically, so a
    run never stays queued and never blocks the next one. Each run is failed
    only if it is still queued (the same conditional UPDATE a worker claims it
    with), so a worker starting it at this moment either wins or finds it failed.
    Returns how many runs were failed.
    """
    cutoff = timezone.now() - timedelta(
        seconds=mentoring_settings.MATCHING_RUN_PICKUP_SECONDS
    )
    unclaimed = MatchingRun.objects.filter(
        status=RunStatus.QUEUED, created_at__lt=cutoff
    )
    if program is not None:
        unclaimed = unclaimed.filter(program=program)
    failed = 0
    for run in unclaimed.select_related("created_by"):
        if MatchingRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
            status=RunStatus.FAILED,
            stage="",
            error=_("No worker picked this run up; is a Celery worker running?"),
            finished_at=timezone.now(),
        ):
            audit.record(
                run,
                "wagtail_mentoring.matching.run_failed",
                user=run.created_by,
                reason="not_picked_up",
            )
            failed += 1
    return failed


def _store(run, program, pool, state, result, previous) -> None:
    earlier = set()
    if previous is not None:
        earlier = set(
            previous.proposals.exclude(
                status__in=[ProposalStatus.REJECTED, ProposalStatus.SUPERSEDED]
            ).values_list("mentee_id", "mentor_id")
        )
    rows = []
    for (i, j), explanation in zip(
        result.pairs.tolist(), result.explanations, strict=True
    ):
        mentee, mentor = pool.mentees[i], pool.mentors[j]
        rows.append(
            MatchProposal(
                run=run,
                program=program,
                mentee=mentee,
                mentor=mentor,
                score=round(float(explanation.score), 4),
                factors={k: round(float(v), 4) for k, v in explanation.factors.items()},
                reasons=[stored_reason(r) for r in explanation.reasons],
                is_new=(mentee.pk, mentor.pk) not in earlier,
            )
        )
    unmatched = [
        {
            "enrollment": pool.mentees[u.mentee].pk,
            "missing": int(u.missing),
            "reasons": [stored_reason(r) for r in u.reasons],
        }
        for u in result.unmatched
    ]
    scores = result.scores
    cert = result.certificate or {}
    stats = {
        "mentees": len(pool.mentees),
        "mentors": len(pool.mentors),
        "already_matched": len(pool.matched),
        "excluded": len(pool.excluded),
        "kept": len(state.held),
        "proposed": len(rows),
        "new": sum(1 for r in rows if r.is_new),
        "unmatched": len(unmatched),
        "total_score": round(float(scores.sum()), 4) if len(scores) else 0.0,
        "mean_score": round(float(scores.mean()), 4) if len(scores) else None,
        "optimal": bool(result.optimal),
        "gap": cert.get("gap"),
        "solver": cert.get("method"),
        "fairness_cost": round(float(result.fairness_cost), 4),
        "floor": result.floor,
        "seconds": round(float(result.timings.get("total", 0.0)), 3),
    }
    held_mentees = [p.mentee_id for p in state.held]
    with transaction.atomic():
        locked = MatchingRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != RunStatus.RUNNING:
            return  # finished by someone else meanwhile
        # Decisions travel with the latest run; earlier suggestions retire.
        MatchProposal.objects.filter(
            program=program, status__in=CARRIED_STATUSES
        ).exclude(run=run).update(run=run)
        MatchProposal.objects.filter(
            program=program, status=ProposalStatus.PROPOSED
        ).exclude(run=run).update(status=ProposalStatus.SUPERSEDED)
        MatchProposal.objects.bulk_create(rows, ignore_conflicts=True)
        locked.status = RunStatus.SUCCEEDED
        locked.stage = ""
        locked.stats = stats
        locked.unmatched = unmatched
        locked.pool = {
            "mentees": [e.pk for e in pool.mentees] + held_mentees,
            "mentors": [e.pk for e in pool.mentors],
        }
        locked.finished_at = timezone.now()
        locked.save()
        audit.record(
            locked,
            "wagtail_mentoring.matching.run",
            user=run.created_by,
            proposed=len(rows),
            unmatched=len(unmatched),
        )


# --- Previews and pair evaluation (no writes) ---------------------------------


@dataclass
class Preview:
    mentees: int
    mentors: int
    matchable: int
    matched: int
    blocked_by: dict[str, int]
    #: rules that on their own leave every waiting mentee without a possible
    #: mentor (rule code → mentees), the first thing to relax; empty otherwise
    excludes_everyone: dict[str, int] = field(default_factory=dict)

    @property
    def nobody_matchable(self) -> bool:
        return bool(self.mentees and self.mentors and not self.matchable)


def _unmatchable(result: MatchResult) -> tuple[int, Counter]:
    """Mentees no mentor may take, and per rule how many of them it blocks."""
    blocked: Counter = Counter()
    unmatchable = 0
    for item in result.unmatched:
        codes = {r.code for r in item.reasons}
        if codes & {"no_mentors", "no_mentor_passes_rules"}:
            unmatchable += 1
            for reason in item.reasons:
                for rule, n in (reason.params.get("counts") or {}).items():
                    if n:
                        blocked[rule] += 1
    return unmatchable, blocked


def preview(program: ProgramPage, params: dict) -> Preview:
    """How many mentees stay matchable (some mentor passes every rule) and how
    many a run would match with ``params``, without storing anything.

    When nobody stays matchable, each active rule is tried alone (one engine
    call per rule, only then) to name the rule that excludes everyone by itself.
    """
    state = decisions(program)
    pool = load_pool(program, reserved=state.reserved)
    problem, _index = build_problem(
        pool,
        reporting_depth=params["reporting_line_depth"],
        rejected=state.rejected,
        paired=state.paired,
    )
    result = solve(program, problem, config_from(program, params))
    unmatchable, blocked = _unmatchable(result)
    outcome = Preview(
        mentees=len(pool.mentees),
        mentors=len(pool.mentors),
        matchable=len(pool.mentees) - unmatchable,
        matched=len(
            {
                int(i)
                for i in (
                    result.pairs.ravel() if is_peer(program) else result.pairs[:, 0]
                )
            }
        ),
        blocked_by=dict(blocked.most_common()),
    )
    if outcome.nobody_matchable:
        for rule, overrides in _single_rule_configs(params).items():
            alone = {**params, **_NO_RULES, **_rule_params(overrides)}
            n, _blocked = _unmatchable(
                solve(program, problem, config_from(program, alone))
            )
            if n == outcome.mentees:
                outcome.excludes_everyone[rule] = n
    return outcome


def _rule_params(overrides: dict) -> dict:
    """Engine overrides of one rule back in the settings' own terms."""
    params = dict(overrides)
    if "min_score" in params:
        params["min_score"] = round(params["min_score"] * 100)
    return params


@dataclass
class MentorOption:
    """A mentor as the manual-pair chooser shows them for one mentee."""

    enrollment: Enrollment
    remaining: int
    score: float | None = None
    factors: dict = field(default_factory=dict)
    reasons: list[dict] = field(default_factory=list)
    rule_breaks: list[str] = field(default_factory=list)

    @property
    def score_percent(self) -> int | None:
        return None if self.score is None else round(self.score * 100)


#: rule code → engine settings that switch on only that rule (from ``params``).
def _single_rule_configs(params: dict) -> dict[str, dict]:
    rules = {}
    if params["reporting_line_depth"]:
        rules["reporting_line"] = {
            "reporting_line_depth": params["reporting_line_depth"]
        }
    if params["exclude_same_manager"]:
        rules["same_manager"] = {"exclude_same_manager": True}
    if params["min_seniority"] is not None:
        rules["seniority"] = {"min_seniority": params["min_seniority"]}
    if params["department_rule"] != "any":
        rules["department"] = {"department_rule": params["department_rule"]}
    if params["require_shared_language"]:
        rules["language"] = {"require_shared_language": True}
    if params["max_timezone_hours"] is not None:
        rules["time_zone"] = {"max_timezone_hours": params["max_timezone_hours"]}
    if params["min_score"]:
        rules["below_min_score"] = {"min_score": params["min_score"] / 100}
    return rules


_NO_RULES = {
    "reporting_line_depth": 0,
    "exclude_same_manager": False,
    "min_seniority": None,
    "department_rule": "any",
    "require_shared_language": False,
    "max_timezone_hours": None,
    "min_score": None,
}


def mentor_options(
    program: ProgramPage,
    mentee: Enrollment,
    mentors: list[Enrollment] | None = None,
) -> list[MentorOption]:
    """Score ``mentee`` against every mentor with room (or ``mentors``), with
    the reasons and every hard rule each pair would break.

    One engine call with no rules gives every pair's score; one call per active
    rule tells which mentors that rule excludes, so the cost does not grow with
    the number of mentors.
    """
    params = snapshot(settings_for(program))
    state = decisions(program)
    pool = load_pool(program, reserved=state.reserved)
    remaining = {
        e.pk: r for e, r in zip(pool.mentors, pool.mentor_remaining, strict=True)
    }
    if mentors is None:
        mentors = [e for e in pool.mentors if e.user_id != mentee.user_id]
    options = [MentorOption(e, remaining.get(e.pk, 0)) for e in mentors]
    if not options:
        return options
    allowed = _probe(
        program,
        params,
        Pool(
            program,
            mentees=[mentee],
            mentors=list(mentors),
            mentee_slots=[len(mentors)],
            mentor_remaining=[1] * len(mentors),
        ),
    )
    base = allowed({})
    for (_i, j), explanation in zip(
        base.pairs.tolist(), base.explanations, strict=True
    ):
        option = options[j]
        option.score = float(explanation.score)
        option.factors = {k: float(v) for k, v in explanation.factors.items()}
        option.reasons = [stored_reason(r) for r in explanation.reasons]
    for rule, overrides in _single_rule_configs(params).items():
        passing = {int(j) for j in allowed(overrides).pairs[:, 1].tolist()}
        for j, option in enumerate(options):
            if j not in passing:
                option.rule_breaks.append(rule)
    if is_peer(program):
        _score_peers_both_ways(program, params, mentee, options)
    receiving, giving = program_roles(program)
    partners = _previous_partner_ids(program, mentee, receiving, giving)
    rejected = {m for a, m in state.rejected if a == mentee.user_id}
    if is_peer(program):
        rejected |= {a for a, m in state.rejected if m == mentee.user_id}
    for option in options:
        uid = option.enrollment.user_id
        if uid in partners:
            option.rule_breaks.append("previous_partner")
        if uid in rejected:
            option.rule_breaks.append("rejected")
    return options


def _probe(program, params, pool: Pool):
    """``allowed(overrides)``: the engine's pairs of ``pool`` with every rule off
    but those in ``overrides``, each wanted pair scored and explained."""
    problem, _index = build_problem(
        pool,
        reporting_depth=max(params["reporting_line_depth"], 1),
        exclude_previous_partners=False,
    )

    def allowed(overrides: dict) -> MatchResult:
        config = default_config(
            program,
            weights=dict(params["weights"]),
            ideal_level_gap=params["ideal_level_gap"],
            top_k=max(24, len(pool.mentors), len(pool.mentees)),
            **{**_NO_RULES, **overrides},
        )
        return match(problem, config)

    return allowed


def _score_peers_both_ways(program, params, member, options) -> None:
    """Peers as a peer run sees them: a pair scores the mean of what each gains
    from the other, and breaks a rule if either direction does."""
    others = [option.enrollment for option in options]
    allowed = _probe(
        program,
        params,
        Pool(
            program,
            mentees=others,
            mentors=[member],
            mentee_slots=[1] * len(others),
            mentor_remaining=[len(others)],
        ),
    )
    base = allowed({})
    for (i, _j), explanation in zip(
        base.pairs.tolist(), base.explanations, strict=True
    ):
        option = options[i]
        if option.score is not None:
            option.score = (option.score + float(explanation.score)) / 2
    for rule, overrides in _single_rule_configs(params).items():
        passing = {int(i) for i in allowed(overrides).pairs[:, 0].tolist()}
        for i, option in enumerate(options):
            if i not in passing and rule not in option.rule_breaks:
                option.rule_breaks.append(rule)


def _previous_partner_ids(program, mentee, receiving, giving) -> set:
    relationships = RelationshipMember.objects.filter(
        relationship__program=program, user_id=mentee.user_id, role=receiving
    ).values("relationship_id")
    return set(
        RelationshipMember.objects.filter(
            relationship_id__in=relationships, role=giving
        ).values_list("user_id", flat=True)
    )
