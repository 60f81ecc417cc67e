"""Peer programs: members matched with each other through the matching panel."""

import pytest
from django.urls import reverse

from tests.factories import make_enrollment, make_program, make_user
from wagtail_mentoring.matching import runs, services
from wagtail_mentoring.matching.models import MatchProposal, ProposalStatus, RunStatus
from wagtail_mentoring.matching.reports import fairness_summary
from wagtail_mentoring.programs.models import (
    EnrollmentStatus,
    ProgramKind,
    Relationship,
    RelationshipMember,
)

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
def peer_program(hub):
    return make_program(hub, title="Peer Circle", slug="peers", kind=ProgramKind.PEER)


@pytest.fixture
def members(peer_program):
    """Six members: Ada manages Bea; Cy speaks only French; two departments."""
    ada = make_user("ada", profile=_profile(department="Eng"))
    bea = make_user("bea", profile=_profile(department="Eng", manager=ada))
    cy = make_user("cy", profile=_profile(department="Ops", languages=["fr"]))
    dan = make_user("dan", profile=_profile(department="Ops", languages=["en", "fr"]))
    eve = make_user("eve", profile=_profile(department="Ops"))
    fay = make_user("fay", profile=_profile(department="Eng"))
    people = [ada, bea, cy, dan, eve, fay]
    for user in people:
        make_enrollment(user, peer_program, "member", status=APPROVED)
    return people


def _run(program, by):
    run = services.start_run(program, by, enqueue=False)
    return runs.execute_run(run.pk)


def _pairs(run, status=ProposalStatus.PROPOSED):
    """The run's pairs of one status (decisions of earlier runs travel along)."""
    return {
        frozenset((p.mentee.user.pk, p.mentor.user.pk))
        for p in run.proposals.filter(status=status).select_related(
            "mentee__user", "mentor__user"
        )
    }


def test_a_peer_run_pairs_every_member_once_within_the_rules(
    peer_program, members, superuser
):
    ada, bea, cy, dan, eve, fay = members
    run = _run(peer_program, superuser)
    assert run.status == RunStatus.SUCCEEDED, run.error
    pairs = _pairs(run)
    assert len(pairs) == 3
    people = [u for pair in pairs for u in pair]
    assert sorted(people) == sorted(u.pk for u in members)  # everyone, once
    # reporting line: a manager is never their report's peer partner
    assert frozenset((ada.pk, bea.pk)) not in pairs
    # language: Cy (French only) can only be paired with Dan
    assert frozenset((cy.pk, dan.pk)) in pairs
    for proposal in run.proposals.all():
        assert proposal.mentee.role == proposal.mentor.role == "member"
        assert proposal.reasons and 0 <= proposal.score <= 1
    assert run.stats["optimal"] is True
    assert run.stats["solver"] == "pairing"
    assert run.unmatched == []


def test_department_rule_and_rejections_hold_for_peers(
    peer_program, members, superuser
):
    ada, bea, cy, dan, eve, fay = members
    settings = runs.settings_for(peer_program)
    settings.department_rule = "different"
    settings.save()
    run = _run(peer_program, superuser)
    by_dept = {u.pk: u.mentoring_profile.department for u in members}
    for pair in _pairs(run):
        a, b = sorted(pair)
        assert by_dept[a] != by_dept[b]
    # reject one proposal: the next run never proposes that pair again
    rejected = run.proposals.first()
    services.reject_proposal(peer_program, rejected, superuser)
    gone = frozenset((rejected.mentee.user_id, rejected.mentor.user_id))
    second = _run(peer_program, superuser)
    assert second.status == RunStatus.SUCCEEDED, second.error
    assert gone not in _pairs(second)
    assert gone in _pairs(second, ProposalStatus.REJECTED)


def test_an_odd_member_is_left_unmatched_and_explained(peer_program, superuser):
    people = [make_user(f"p{i}", profile=_profile()) for i in range(3)]
    for user in people:
        make_enrollment(user, peer_program, "member", status=APPROVED)
    run = _run(peer_program, superuser)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.proposals.count() == 1
    assert len(run.unmatched) == 1 and run.unmatched[0]["reasons"]


def test_approving_and_publishing_a_peer_pair_creates_a_member_relationship(
    peer_program, members, superuser
):
    run = _run(peer_program, superuser)
    proposal = run.proposals.select_related("mentee", "mentor").first()
    services.approve_proposal(peer_program, proposal, superuser)
    outcome = services.publish(peer_program, superuser)
    assert [p.pk for p in outcome.done] == [proposal.pk]
    relationship = Relationship.objects.get(program=peer_program)
    rows = RelationshipMember.objects.filter(relationship=relationship)
    assert sorted(rows.values_list("user_id", flat=True)) == sorted(
        [proposal.mentee.user_id, proposal.mentor.user_id]
    )
    assert set(rows.values_list("role", flat=True)) == {"member"}
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PUBLISHED
    # the next run leaves the paired members out and pairs the others
    second = _run(peer_program, superuser)
    paired = {proposal.mentee.user_id, proposal.mentor.user_id}
    for pair in _pairs(second):
        assert not pair & paired
    assert MatchProposal.objects.filter(program=peer_program).count() >= 3


def test_a_locked_peer_pair_is_kept_by_the_next_run(peer_program, members, superuser):
    run = _run(peer_program, superuser)
    proposal = run.proposals.order_by("score").first()
    services.lock_proposal(peer_program, proposal, superuser)
    second = _run(peer_program, superuser)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.LOCKED
    locked = {proposal.mentee.user_id, proposal.mentor.user_id}
    new = [p for p in _pairs(second) if p & locked and p != frozenset(locked)]
    assert new == []


def test_peers_read_as_peer_partners_in_the_space_and_the_email(
    peer_program,
    members,
    superuser,
    client,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    run = _run(peer_program, superuser)
    proposal = run.proposals.select_related("mentee__user", "mentor__user").first()
    services.approve_proposal(peer_program, proposal, superuser)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(peer_program, superuser)
    one, other = proposal.mentee.user, proposal.mentor.user
    bodies = [m.body for m in mailoutbox if one.email in m.to or other.email in m.to]
    assert len(bodies) == 2
    assert all("Your peer partner in Peer Circle is" in b for b in bodies)
    relationship = Relationship.objects.get(program=peer_program)
    client.force_login(one)
    page = client.get(reverse("wagtail_mentoring:relationship", args=[relationship.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Your peer partner" in html and "Mentor" not in html.split("<main")[-1]
    mine = client.get(reverse("wagtail_mentoring:my_mentoring")).content.decode()
    assert f"Your peer partner: {other.first_name}" in mine


def test_the_fairness_summary_counts_both_members_of_a_pair(
    peer_program, members, superuser
):
    run = _run(peer_program, superuser)
    summary = fairness_summary(run)
    assert summary.mentees == 6 and summary.matched == 6
