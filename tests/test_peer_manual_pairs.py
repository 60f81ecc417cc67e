"""Pairing peers by hand: no direction, one place each, the run's scores and rules."""

import pytest
from django.urls import reverse

from tests.factories import make_enrollment, make_program, make_user
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.matching import runs, services
from wagtail_mentoring.matching.models import MatchProposal, ProposalStatus
from wagtail_mentoring.people.models import Skill
from wagtail_mentoring.programs.models import Enrollment, EnrollmentStatus, ProgramKind

pytestmark = pytest.mark.django_db


def _member(program, name, **profile):
    base = {"level": 3, "department": "Eng", "timezone": "UTC", "languages": ["en"]}
    user = make_user(name, profile=base | profile)
    return make_enrollment(user, program, "member", status=EnrollmentStatus.APPROVED)


@pytest.fixture
def peers(hub):
    program = make_program(hub, title="Peer Exchange", slug="peer-x", kind="peer")
    assert program.kind == ProgramKind.PEER
    people = {
        name: _member(program, name)
        for name in ("ada", "bea", "cy", "dan", "eve", "fay")
    }
    # Lopsided interests: Bea gains more from Eve than Eve from Bea, so the
    # two directions of the pair score differently.
    python = Skill.objects.create(name="Python")
    people["eve"].user.mentoring_profile.skills.add(python)
    people["bea"].user.mentoring_profile.skills_wanted.add(python)
    return program, people


def _proposal_of(program, a, b):
    return MatchProposal.objects.filter(program=program).get(
        mentee__in=[a, b], mentor__in=[a, b]
    )


def test_a_pair_by_hand_scores_what_a_peer_run_scores_it_either_way(peers, superuser):
    program, people = peers
    run = runs.execute_run(services.start_run(program, superuser, enqueue=False).pk)
    proposed = {
        frozenset((p.mentee_id, p.mentor_id)): p.score for p in run.proposals.all()
    }
    pair = next(iter(proposed))
    first, second = (Enrollment.objects.get(pk=pk) for pk in sorted(pair))
    # The chooser shows the pair's run score from both ends.
    for one, other in ((first, second), (second, first)):
        (option,) = runs.mentor_options(program, one, [other])
        assert option.score == pytest.approx(proposed[pair], abs=1e-4)
        assert option.rule_breaks == []


def test_the_lopsided_pair_scores_the_mean_of_its_two_directions(peers, superuser):
    program, people = peers
    services.start_run(program, superuser, enqueue=False)
    bea, eve = people["bea"], people["eve"]
    (bea_gains,) = runs.mentor_options(program, bea, [eve])
    (eve_gains,) = runs.mentor_options(program, eve, [bea])
    assert bea_gains.score == pytest.approx(eve_gains.score)
    assert bea_gains.score > 0


def test_the_same_two_peers_paired_again_the_other_way_round_is_one_pair(
    peers, superuser
):
    program, people = peers
    runs.execute_run(services.start_run(program, superuser, enqueue=False).pk)
    eve, fay = people["eve"], people["fay"]
    first = services.manual_pair(program, eve, fay, superuser, justification="x")
    again = services.manual_pair(program, fay, eve, superuser, justification="x")
    assert again.pk == first.pk
    assert (
        MatchProposal.objects.filter(
            program=program, status=ProposalStatus.APPROVED
        ).count()
        == 1
    )


@pytest.mark.parametrize("side", ["first", "second"])
def test_a_paired_peer_cannot_be_paired_again_on_either_side(peers, superuser, side):
    program, people = peers
    runs.execute_run(services.start_run(program, superuser, enqueue=False).pk)
    services.manual_pair(program, people["eve"], people["fay"], superuser)
    before = list(MatchProposal.objects.values_list("pk", "status", "mentee", "mentor"))
    pair = (people["eve"], people["dan"])
    if side == "second":
        pair = pair[::-1]
    with pytest.raises(MentoringError, match="Eve .* is already paired"):
        services.manual_pair(program, *pair, superuser, justification="x")
    after = list(MatchProposal.objects.values_list("pk", "status", "mentee", "mentor"))
    assert after == before


def test_a_pair_rejected_one_way_round_is_flagged_the_other_way_round(peers, superuser):
    program, people = peers
    run = runs.execute_run(services.start_run(program, superuser, enqueue=False).pk)
    proposal = run.proposals.select_related("mentee", "mentor").first()
    services.reject_proposal(program, proposal, superuser)
    (option,) = runs.mentor_options(program, proposal.mentor, [proposal.mentee])
    assert "rejected" in option.rule_breaks
    with pytest.raises(MentoringError) as refused:
        services.manual_pair(program, proposal.mentor, proposal.mentee, superuser)
    assert refused.value.code == "justification"


def test_the_pair_by_hand_screen_speaks_of_peer_partners_and_hides_paired_members(
    peers, superuser, client
):
    program, people = peers
    runs.execute_run(services.start_run(program, superuser, enqueue=False).pk)
    services.manual_pair(program, people["eve"], people["fay"], superuser)
    client.force_login(superuser)
    url = reverse("wm_matching:manual_pair", args=[program.pk])
    html = client.get(url, {"mentee": people["ada"].pk}).content.decode()
    assert "Show peer partners" in html
    assert "Choose a peer partner for" in html
    chooser = html[html.index("<fieldset") :]
    for name in ("bea", "cy", "dan"):
        assert f"mentor-{people[name].pk}" in chooser
    for name in ("eve", "fay"):  # paired already, on either side
        assert f"mentor-{people[name].pk}" not in chooser
        assert f'value="{people[name].pk}"' not in html
