"""Matching runs: the example site's pool in, proposals with explanations out."""

import pytest
from django.core.management import call_command
from django.utils import translation

from tests.factories import make_enrollment, make_user
from wagtail_mentoring.matching import runs, services
from wagtail_mentoring.matching.models import (
    MatchingRun,
    MatchProposal,
    ProposalStatus,
    RunStatus,
)
from wagtail_mentoring.matching.reasons import reason_text
from wagtail_mentoring.matching.tasks import run_matching
from wagtail_mentoring.programs.models import EnrollmentStatus, ProgramPage

pytestmark = pytest.mark.django_db

APPROVED = EnrollmentStatus.APPROVED


def _profile(**kwargs):
    return {
        "level": 3,
        "department": "Eng",
        "timezone": "UTC",
        "languages": ["en"],
        **kwargs,
    }


@pytest.fixture
def pool(program):
    """Three mentees, two mentors with one place each."""
    mentors = [
        make_user(f"mentor{i}", profile=_profile(level=6, department=f"D{i}"))
        for i in range(2)
    ]
    mentees = [make_user(f"mentee{i}", profile=_profile()) for i in range(3)]
    for user in mentors:
        make_enrollment(user, program, "mentor", status=APPROVED, capacity=1)
    for user in mentees:
        make_enrollment(user, program, "mentee", status=APPROVED)
    return mentees, mentors


def _run(program, by, **kwargs):
    run = services.start_run(program, by, enqueue=False, **kwargs)
    return runs.execute_run(run.pk)


def test_run_on_the_seeded_programs_stores_scored_explained_proposals(
    django_capture_on_commit_callbacks, superuser
):
    call_command("seed_demo", employees=60, verbosity=0)
    program = ProgramPage.objects.get(slug="engineering-mentoring")
    # The demo already has a first run; a new one replaces its suggestions.
    first = runs.current_run(program)
    assert first is not None and first.proposals.exists()
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_run(program, superuser)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error
    proposals = list(run.proposals.all())
    assert len(proposals) >= 5
    for proposal in proposals:
        assert 0 <= proposal.score <= 1
        assert proposal.reasons and all("code" in r for r in proposal.reasons)
        assert sum(proposal.factors.values()) == pytest.approx(proposal.score, abs=1e-3)
        assert proposal.mentee.role == "mentee" and proposal.mentor.role == "mentor"
    assert run.params["weights"]["skills"] > 0
    assert run.stats["proposed"] == len(proposals)
    assert run.stats["optimal"] is True
    # The earlier run's suggestions are retired, not deleted.
    assert not first.proposals.filter(status=ProposalStatus.PROPOSED).exists()
    # Reasons read as words in the active language.
    with translation.override("en"):
        words = [reason_text(r) for p in proposals for r in p.reasons]
    assert any(w.startswith(("shares", "common goals")) for w in words)

    # The other seeded programs (reverse mentoring, sponsorship) run too.
    for other in ProgramPage.objects.exclude(pk=program.pk):
        with django_capture_on_commit_callbacks(execute=True):
            other_run = services.start_run(other, superuser)
        other_run.refresh_from_db()
        assert other_run.status == RunStatus.SUCCEEDED, other_run.error
        for proposal in other_run.proposals.all():
            assert proposal.reasons and 0 <= proposal.score <= 1


def test_the_task_is_idempotent(program, pool, superuser):
    run = services.start_run(program, superuser, enqueue=False)
    run_matching(run.pk)
    first = sorted(run.proposals.values_list("mentee_id", "mentor_id"))
    assert len(first) == 2
    run_matching(run.pk)  # a retried or duplicated delivery
    run_matching.apply(args=[run.pk])
    assert sorted(run.proposals.values_list("mentee_id", "mentor_id")) == first
    assert MatchProposal.objects.count() == 2


def test_a_second_start_while_running_returns_the_same_run(program, pool, superuser):
    run = services.start_run(program, superuser, enqueue=False)
    assert services.start_run(program, superuser, enqueue=False) == run
    assert MatchingRun.objects.count() == 1


def test_a_failed_run_says_why_and_keeps_earlier_proposals(
    program, pool, superuser, monkeypatch
):
    first = _run(program, superuser)
    kept = set(first.proposals.values_list("pk", "status"))
    assert kept

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(runs, "match", broken)
    failed = _run(program, superuser)
    assert failed.status == RunStatus.FAILED
    assert "RuntimeError" in failed.error
    assert set(MatchProposal.objects.values_list("pk", "status")) == kept
    assert runs.current_run(program) == first


def test_engine_refusal_is_the_error_message(program, pool, superuser, monkeypatch):
    from wagtail_mentoring.matching.engine import MatchingError

    def refuse(*args, **kwargs):
        raise MatchingError("at least one factor needs a positive weight")

    monkeypatch.setattr(runs, "match", refuse)
    failed = _run(program, superuser)
    assert failed.error == "at least one factor needs a positive weight"


def test_the_solver_setting_picks_the_backend(program, pool, superuser, settings):
    settings.WAGTAIL_MENTORING = {"MATCHING_SOLVER": "highs"}
    run = _run(program, superuser)
    assert run.status == RunStatus.SUCCEEDED
    assert run.stats["solver"] == "highs" and run.stats["optimal"] is True
    settings.WAGTAIL_MENTORING = {"MATCHING_SOLVER": "simplex"}
    failed = _run(program, superuser)
    assert failed.status == RunStatus.FAILED
    assert "unknown solver 'simplex'" in failed.error


def test_rerun_keeps_locked_and_approved_and_never_reproposes_rejected(
    program, pool, superuser
):
    first = _run(program, superuser)
    proposals = list(first.proposals.order_by("pk"))
    assert len(proposals) == 2
    locked, rejected = proposals
    services.lock_proposal(program, locked, superuser)
    services.reject_proposal(program, rejected, superuser)

    second = _run(program, superuser)
    assert second.status == RunStatus.SUCCEEDED
    statuses = dict(second.proposals.values_list("pk", "status"))
    assert statuses[locked.pk] == ProposalStatus.LOCKED
    assert statuses[rejected.pk] == ProposalStatus.REJECTED
    new_pairs = set(
        second.proposals.filter(status=ProposalStatus.PROPOSED).values_list(
            "mentee_id", "mentor_id"
        )
    )
    assert (rejected.mentee_id, rejected.mentor_id) not in new_pairs
    # The locked mentor is full, so the rejected pair's mentor is the only one
    # left, and the rejected mentee cannot have them again.
    for mentee_id, mentor_id in new_pairs:
        assert mentor_id != locked.mentor_id
        assert mentee_id != locked.mentee_id


def test_rerun_prefers_earlier_proposals_unless_fresh(program, superuser):
    # Two identical mentors: any assignment is optimal, so only stickiness
    # decides which one a mentee keeps.
    mentors = [make_user(f"twin{i}", profile=_profile(level=6)) for i in range(2)]
    mentees = [make_user(f"m{i}", profile=_profile()) for i in range(2)]
    for user in mentors:
        make_enrollment(user, program, "mentor", status=APPROVED, capacity=1)
    for user in mentees:
        make_enrollment(user, program, "mentee", status=APPROVED)
    first = _run(program, superuser)
    pairs = set(first.proposals.values_list("mentee_id", "mentor_id"))
    second = _run(program, superuser)
    assert set(second.proposals.values_list("mentee_id", "mentor_id")) == pairs
    assert second.stats["new"] == 0
    assert not second.proposals.filter(is_new=True).exists()
    fresh = _run(program, superuser, fresh=True)
    assert fresh.fresh and fresh.status == RunStatus.SUCCEEDED


def test_unmatched_mentees_are_stored_with_reasons(program, pool, superuser):
    run = _run(program, superuser)
    assert len(run.unmatched) == 1
    item = run.unmatched[0]
    assert {r["code"] for r in item["reasons"]} == {"all_compatible_full"}
    assert "full" in reason_text(item["reasons"][0])


def test_settings_snapshot_drives_the_run(program, pool, superuser):
    mentees, _mentors = pool
    services.save_settings(
        program,
        {"skills": 1, "seniority": 2},
        {"min_seniority": 5, "department_rule": "any"},
        superuser,
    )
    run = _run(program, superuser)
    assert run.params["min_seniority"] == 5
    # Mentors are 3 levels above the mentees: nobody passes the rule.
    assert run.proposals.count() == 0
    codes = {r["code"] for item in run.unmatched for r in item["reasons"]}
    assert codes == {"no_mentor_passes_rules"}
    assert "not senior enough" in reason_text(run.unmatched[0]["reasons"][0])


def test_preview_counts_matchable_mentees(program, pool, superuser):
    params = runs.snapshot(runs.settings_for(program))
    result = runs.preview(program, params)
    assert (result.mentees, result.matchable, result.matched) == (3, 3, 2)
    strict = dict(params, min_seniority=5)
    result = runs.preview(program, strict)
    assert result.matchable == 0 and result.blocked_by == {"seniority": 3}
    assert not MatchingRun.objects.exists()


def test_mentor_options_show_scores_and_broken_rules(program, pool, superuser):
    mentees, mentors = pool
    boss = make_user("boss", profile=_profile(level=9, department="D0"))
    mentees[0].mentoring_profile.manager = boss
    mentees[0].mentoring_profile.save()
    junior = make_user("junior", profile=_profile(level=2))
    make_enrollment(boss, program, "mentor", status=APPROVED, capacity=1)
    make_enrollment(junior, program, "mentor", status=APPROVED, capacity=1)
    mentee = program.enrollments.get(user=mentees[0])
    options = {o.enrollment.user_id: o for o in runs.mentor_options(program, mentee)}
    assert options[boss.pk].rule_breaks == ["reporting_line"]
    assert options[junior.pk].rule_breaks == ["seniority"]
    assert options[mentors[0].pk].rule_breaks == []
    assert all(o.score is not None and o.remaining == 1 for o in options.values())
