"""Matching services: decisions, capacity, manual pairs, publishing."""

import pytest

from tests.factories import deactivate_quietly, make_enrollment, make_user
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.matching import runs, services
from wagtail_mentoring.matching.models import MatchProposal, ProposalStatus
from wagtail_mentoring.programs.models import (
    EnrollmentStatus,
    Relationship,
    RelationshipMember,
)
from wagtail_mentoring.programs.services import start_relationship

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


def _pool(program, mentees=2, mentors=1, capacity=1, mentor_level=6):
    mentor_rows = [
        make_enrollment(
            make_user(profile=_profile(level=mentor_level)),
            program,
            "mentor",
            status=APPROVED,
            capacity=capacity,
        )
        for _ in range(mentors)
    ]
    mentee_rows = [
        make_enrollment(
            make_user(profile=_profile()), program, "mentee", status=APPROVED
        )
        for _ in range(mentees)
    ]
    return mentee_rows, mentor_rows


def _run(program, by):
    run = services.start_run(program, by, enqueue=False)
    return runs.execute_run(run.pk)


def _proposal(run, mentee, mentor, **kwargs):
    return MatchProposal.objects.create(
        run=run, program=run.program, mentee=mentee, mentor=mentor, score=0.5, **kwargs
    )


def test_approving_beyond_capacity_is_refused(program, superuser):
    mentees, (mentor,) = _pool(program, mentees=2, capacity=1)
    run = _run(program, superuser)
    first = run.proposals.get()
    waiting = next(m for m in mentees if m.pk != first.mentee_id)
    second = _proposal(run, waiting, mentor)
    services.approve_proposal(program, first, superuser)
    with pytest.raises(MentoringError, match="no capacity left"):
        services.approve_proposal(program, second, superuser)
    with pytest.raises(MentoringError, match="no capacity left"):
        services.lock_proposal(program, second, superuser)
    second.refresh_from_db()
    assert second.status == ProposalStatus.PROPOSED


def test_open_relationships_count_against_capacity(program, superuser):
    mentees, (mentor,) = _pool(program, mentees=2, capacity=1)
    run = _run(program, superuser)
    proposal = run.proposals.get()
    other = next(m for m in mentees if m.pk != proposal.mentee_id)
    start_relationship(
        program, [(other.user, "mentee"), (mentor.user, "mentor")], superuser
    )
    with pytest.raises(MentoringError, match="no capacity left"):
        services.approve_proposal(program, proposal, superuser)


def test_bulk_approve_skips_what_does_not_fit(program, superuser):
    mentees, (mentor,) = _pool(program, mentees=3, capacity=2)
    run = _run(program, superuser)
    assert run.proposals.count() == 2
    waiting = next(m for m in mentees if not run.proposals.filter(mentee=m).exists())
    extra = _proposal(run, waiting, mentor)
    MatchProposal.objects.filter(pk=extra.pk).update(score=0.01)
    outcome = services.approve_proposals(program, list(run.proposals.all()), superuser)
    assert len(outcome.done) == 2 and len(outcome.skipped) == 1
    assert run.proposals.filter(status="approved").count() == 2
    # Best first: the lower-scored extra pair is the one left out.
    assert outcome.skipped[0][0].pk == extra.pk


def test_inactive_people_cannot_be_approved(program, superuser):
    _pool(program, mentees=1)
    run = _run(program, superuser)
    proposal = run.proposals.get()
    deactivate_quietly(proposal.mentor.user)
    with pytest.raises(MentoringError, match="no longer active"):
        services.approve_proposal(program, proposal, superuser)


def test_decisions_follow_the_status_rules(program, superuser):
    _pool(program, mentees=1)
    run = _run(program, superuser)
    proposal = run.proposals.get()
    services.reject_proposal(program, proposal, superuser)
    with pytest.raises(MentoringError, match="rejected"):
        services.approve_proposal(program, proposal, superuser)
    services.reopen_proposal(program, proposal, superuser)
    services.approve_proposal(program, proposal, superuser)
    with pytest.raises(MentoringError):
        services.reject_proposal(program, proposal, superuser)


def test_approve_above_rejects_bad_scores(program, superuser):
    with pytest.raises(MentoringError, match="no finished run"):
        services.approve_above(program, 50, superuser)
    _pool(program, mentees=1)
    _run(program, superuser)
    with pytest.raises(MentoringError, match="between 0 and 100"):
        services.approve_above(program, 101, superuser)
    assert len(services.approve_above(program, 0, superuser).done) == 1


def test_manual_pair_validations(program, other_program, superuser):
    (mentee,), (mentor,) = _pool(program, mentees=1)
    with pytest.raises(MentoringError, match="Run matching once"):
        services.manual_pair(program, mentee, mentor, superuser)
    _run(program, superuser)
    with pytest.raises(MentoringError, match="mentee and a mentor"):
        services.manual_pair(program, mentor, mentee, superuser)
    outsider = make_enrollment(
        make_user(profile=_profile(level=7)), other_program, "mentor", status=APPROVED
    )
    with pytest.raises(MentoringError, match="applied to"):
        services.manual_pair(program, mentee, outsider, superuser)
    assert not MatchProposal.objects.filter(origin="manual").exists()


def test_manual_pair_double_submit_is_harmless(program, superuser):
    (mentee,), (mentor,) = _pool(program, mentees=1, capacity=2)
    run = _run(program, superuser)
    run.proposals.all().delete()
    first = services.manual_pair(program, mentee, mentor, superuser)
    again = services.manual_pair(program, mentee, mentor, superuser)
    assert first.pk == again.pk
    assert MatchProposal.objects.filter(status="approved").count() == 1


def test_manual_pair_that_breaks_a_rule_needs_a_justification(program, superuser):
    (mentee,), (mentor,) = _pool(program, mentees=1, mentor_level=3)
    _run(program, superuser)  # same level: the seniority rule leaves them apart
    with pytest.raises(MentoringError, match="not senior enough"):
        services.manual_pair(program, mentee, mentor, superuser, justification="  ")
    proposal = services.manual_pair(
        program, mentee, mentor, superuser, justification="Peer exchange requested."
    )
    assert proposal.rule_breaks == ["seniority"]
    assert proposal.justification == "Peer exchange requested."


def test_publish_creates_relationships_and_emails_once(
    program, superuser, mailoutbox, django_capture_on_commit_callbacks
):
    _pool(program, mentees=2, mentors=2)
    run = _run(program, superuser)
    first, second = run.proposals.order_by("pk")
    services.approve_proposal(program, first, superuser)
    services.lock_proposal(program, second, superuser)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.publish(program, superuser, message="Hello both!")
    assert [p.pk for p in outcome.done] == [first.pk]
    first.refresh_from_db()
    assert first.status == ProposalStatus.PUBLISHED
    members = set(
        RelationshipMember.objects.filter(relationship=first.relationship).values_list(
            "user_id", "role"
        )
    )
    assert members == {
        (first.mentee.user_id, "mentee"),
        (first.mentor.user_id, "mentor"),
    }
    assert len(mailoutbox) == 2
    # A retried email task sends nothing more; publishing again publishes nothing.
    from wagtail_mentoring.matching.tasks import send_match_emails

    assert send_match_emails([first.pk]) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.publish(program, superuser).done == []
    assert len(mailoutbox) == 2
    assert Relationship.objects.count() == 1
    # The locked pair is kept, not published.
    second.refresh_from_db()
    assert second.status == ProposalStatus.LOCKED


def test_publish_in_a_sponsorship_program_goes_through_pair_sponsor(
    sponsorship_program, superuser, monkeypatch
):
    from wagtail_mentoring.sponsorship import services as sponsorship_services

    sponsor = make_enrollment(
        make_user(profile=_profile(level=8)),
        sponsorship_program,
        "sponsor",
        status=APPROVED,
        capacity=2,
    )
    sponsee = make_enrollment(
        make_user(profile=_profile()), sponsorship_program, "sponsee", status=APPROVED
    )
    run = _run(sponsorship_program, superuser)
    proposal = run.proposals.get()
    assert (proposal.mentee, proposal.mentor) == (sponsee, sponsor)
    services.approve_proposal(sponsorship_program, proposal, superuser)
    calls = []
    real = sponsorship_services.pair_sponsor

    def spy(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(sponsorship_services, "pair_sponsor", spy)
    outcome = services.publish(sponsorship_program, superuser)
    assert len(outcome.done) == 1 and len(calls) == 1
    relationship = outcome.done[0].relationship
    assert set(relationship.members.values_list("role", flat=True)) == {
        "sponsor",
        "sponsee",
    }


def test_publish_skips_a_pair_that_no_longer_fits(program, superuser):
    (mentee,), (mentor,) = _pool(program, mentees=1)
    run = _run(program, superuser)
    proposal = run.proposals.get()
    services.approve_proposal(program, proposal, superuser)
    mentee.status = EnrollmentStatus.WITHDRAWN
    mentee.save()
    outcome = services.publish(program, superuser)
    assert outcome.done == [] and len(outcome.skipped) == 1
    assert not Relationship.objects.exists()


def test_save_settings_refuses_nonsense(program, superuser):
    with pytest.raises(MentoringError, match="above 0"):
        services.save_settings(program, {"skills": 0}, {}, superuser)
    with pytest.raises(MentoringError, match="Unknown factors"):
        services.save_settings(program, {"luck": 1}, {}, superuser)
    with pytest.raises(MentoringError, match="self-identification"):
        services.save_settings(
            program, {"skills": 1}, {"fairness_dimension": "religion"}, superuser
        )
    assert not program.__class__.objects.filter(matching_settings__isnull=False)
