"""Self-select peer programs: members find, ask and accept each other."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.engagement_helpers import PROFILE
from tests.factories import make_enrollment, make_program, make_user
from wagtail_mentoring.engagement import services
from wagtail_mentoring.engagement.models import MentorRequest, MentorRequestStatus
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.matching.suggestions import search_mentors
from wagtail_mentoring.programs.models import (
    EnrollmentStatus,
    MatchingMode,
    Relationship,
    RelationshipMember,
)
from wagtail_mentoring.programs.services import withdraw_application

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_now")]

S = MentorRequestStatus


@pytest.fixture
def exchange(hub):
    return make_program(
        hub,
        title="Peer Exchange",
        slug="peer-exchange",
        kind="peer",
        matching_mode=MatchingMode.SELF_SELECT,
        max_requests=3,
    )


def member(program, name, **profile):
    user = make_user(name, profile=dict(PROFILE, **profile))
    return make_enrollment(user, program, "member", status=EnrollmentStatus.APPROVED)


def _status(request):
    return MentorRequest.objects.get(pk=request.pk).status


def test_a_member_finds_peers_not_mentors_and_not_those_the_rules_rule_out(
    exchange, client
):
    ada = member(exchange, "ada")
    bea = member(exchange, "bea")
    cy = member(exchange, "cy", languages=["fr"])  # shares no language with Ada
    client.force_login(ada.user)
    home = client.get(reverse("wagtail_mentoring:my_mentoring")).content.decode()
    assert "Find a peer partner in Peer Exchange" in home
    page = client.get(reverse("wagtail_mentoring:find_mentor", args=[ada.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Suggested peer partners" in html
    main = html[html.index("<main") : html.index("</main>")]
    words = re.sub(r"<[^>]+>", " ", main).lower()
    assert not re.search(r"\bmentors?\b", words)  # the member reads of peers
    assert f'name="mentor" value="{bea.pk}"' in html
    assert f'value="{cy.pk}"' not in html
    assert f'value="{ada.pk}"' not in html


def test_a_member_is_never_offered_mentors_by_the_mentor_search(exchange):
    # Members are paired among themselves: their partner role gives no advice.
    ada = member(exchange, "ada")
    make_enrollment(
        make_user("max", profile=PROFILE), exchange, "mentor", status="approved"
    )
    member(exchange, "bea")
    assert search_mentors(ada).suggestions == []


def test_the_first_acceptance_pairs_two_peers_and_ends_every_other_request(exchange):
    ada, bea, cy, dan = (member(exchange, n) for n in ("ada", "bea", "cy", "dan"))
    ada_to_bea = services.send_request(ada, bea, ada.user, note="Pair up?")
    cy_to_bea = services.send_request(cy, bea, cy.user)
    bea_to_dan = services.send_request(bea, dan, bea.user)
    dan_to_ada = services.send_request(dan, ada, dan.user)
    received = next(m for m in mail.outbox if "Ada" in m.subject)
    assert "asks to pair up with you" in received.subject
    assert "peer partner" in received.body
    mail.outbox.clear()

    relationship = services.accept_request(ada_to_bea, bea.user)

    assert {(m.user_id, m.role) for m in relationship.members.all()} == {
        (ada.user_id, "member"),
        (bea.user_id, "member"),
    }
    assert _status(ada_to_bea) == S.ACCEPTED
    assert _status(cy_to_bea) == S.DECLINED  # Bea is paired now
    assert _status(bea_to_dan) == S.CANCELLED  # Bea no longer needs anyone
    assert _status(dan_to_ada) == S.DECLINED  # nor does Ada
    bodies = {tuple(m.to): m.body for m in mail.outbox}
    assert "are now peer partners" in bodies[(bea.user.email,)]
    assert "accepted your request" in bodies[(ada.user.email,)]
    # Cy and Dan are free to pair with each other.
    services.accept_request(services.send_request(cy, dan, cy.user), dan.user)
    assert Relationship.objects.filter(program=exchange).count() == 2


def test_a_paired_member_cannot_be_asked_and_two_peers_do_not_ask_each_other(
    exchange,
):
    ada, bea, cy = (member(exchange, n) for n in ("ada", "bea", "cy"))
    services.send_request(ada, bea, ada.user)
    with pytest.raises(MentoringError) as asked:
        services.send_request(bea, ada, bea.user)
    assert asked.value.code == "asked_you"
    assert MentorRequest.objects.filter(mentee_enrollment=bea).count() == 0
    services.accept_request(MentorRequest.objects.get(mentee_enrollment=ada), bea.user)
    with pytest.raises(MentoringError):
        services.send_request(cy, ada, cy.user)
    assert not MentorRequest.objects.filter(mentee_enrollment=cy).exists()


def test_paired_members_leave_the_others_suggestions(exchange, client):
    ada, bea, cy = (member(exchange, n) for n in ("ada", "bea", "cy"))
    services.accept_request(services.send_request(ada, bea, ada.user), bea.user)
    client.force_login(cy.user)
    html = client.get(
        reverse("wagtail_mentoring:find_mentor", args=[cy.pk])
    ).content.decode()
    assert f'value="{ada.pk}"' not in html
    assert f'value="{bea.pk}"' not in html
    assert "Every other member is paired or has withdrawn" in html


def test_asking_through_the_page_sends_the_request(exchange, client):
    ada, bea = member(exchange, "ada"), member(exchange, "bea")
    client.force_login(ada.user)
    url = reverse("wagtail_mentoring:find_mentor", args=[ada.pk])
    response = client.post(url, {"mentor": bea.pk, "note": "Coffee?"})
    assert response.status_code == 302
    request = MentorRequest.objects.get(mentee_enrollment=ada)
    assert (request.mentor_enrollment_id, request.status) == (bea.pk, S.PENDING)
    # Bea answers on My mentoring.
    client.force_login(bea.user)
    home = client.get(reverse("wagtail_mentoring:my_mentoring")).content.decode()
    assert "Coffee?" in home
    client.post(reverse("wagtail_mentoring:accept_request", args=[request.pk]))
    assert (
        RelationshipMember.objects.filter(
            relationship__program=exchange, role="member"
        ).count()
        == 2
    )


def test_withdrawing_from_the_program_ends_requests_sent_and_received(exchange):
    ada, bea, cy = (member(exchange, n) for n in ("ada", "bea", "cy"))
    sent = services.send_request(bea, cy, bea.user)
    received = services.send_request(ada, bea, ada.user)
    withdraw_application(bea, bea.user)
    assert _status(sent) == S.CANCELLED
    assert _status(received) == S.CANCELLED


def test_admin_chosen_peer_programs_have_no_find_a_partner_page(hub, client):
    program = make_program(hub, title="Peer Run", slug="peer-run", kind="peer")
    ada = member(program, "ada")
    client.force_login(ada.user)
    url = reverse("wagtail_mentoring:find_mentor", args=[ada.pk])
    assert client.get(url).status_code == 404
