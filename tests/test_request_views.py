"""Self-select screens: suggestions, asking, answering — and who may."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.engagement_helpers import mentee, mentor, pair, self_select
from tests.factories import make_user
from wagtail_mentoring.engagement import services
from wagtail_mentoring.engagement.models import MentorRequest
from wagtail_mentoring.matching.suggestions import suggest_mentors
from wagtail_mentoring.programs.models import RelationshipStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_now")]


@pytest.fixture
def ss(program):
    return self_select(program, max_requests=2)


def test_find_a_mentor_shows_only_mentors_with_places(client, ss):
    me = mentee(ss, "mina")
    mentor(ss, "frida", capacity=2)
    full = mentor(ss, "fred", capacity=1)
    pair(ss, mentor_user=full.user)
    client.force_login(me.user)
    url = reverse("wagtail_mentoring:find_mentor", args=[me.pk])
    body = client.get(url).content.decode()
    assert "Frida" in body and "Fred" not in body
    assert "2 places left" in body


def test_asking_through_the_page(client, ss):
    me = mentee(ss)
    first, second, third = mentor(ss), mentor(ss), mentor(ss)
    client.force_login(me.user)
    url = reverse("wagtail_mentoring:find_mentor", args=[me.pk])
    assert client.post(url, {"mentor": first.pk, "note": "Hi"}).status_code == 302
    assert client.post(url, {"mentor": second.pk}).status_code == 302
    # The program allows two: the third is refused with a clear message.
    response = client.post(url, {"mentor": third.pk})
    assert response.status_code == 400
    assert "at most 2 mentors" in response.content.decode()
    assert MentorRequest.objects.count() == 2
    # A mentor of another program cannot be smuggled in.
    response = client.post(url, {"mentor": 999999})
    assert response.status_code == 400
    body = client.get(url).content.decode()
    assert "Withdraw" in body and "You have ranked the most mentors" in body


@pytest.mark.parametrize("who", ["anonymous", "other", "mentor", "program_admin"])
def test_someone_elses_find_a_mentor_page_is_404(client, ss, who, program_admin):
    me = mentee(ss)
    url = reverse("wagtail_mentoring:find_mentor", args=[me.pk])
    if who == "other":
        client.force_login(make_user())
    elif who == "mentor":
        client.force_login(mentor(ss).user)
    elif who == "program_admin":
        client.force_login(program_admin)
    response = client.get(url)
    if who == "anonymous":
        assert response["Location"].startswith(settings.LOGIN_URL)
    else:
        assert response.status_code == 404


def test_admin_approved_programs_have_no_find_a_mentor(client, program):
    me = mentee(program)
    client.force_login(me.user)
    url = reverse("wagtail_mentoring:find_mentor", args=[me.pk])
    assert client.get(url).status_code == 404


def test_only_the_mentor_or_a_program_admin_answers(
    client, ss, program_admin, other_program_admin
):
    me, target = mentee(ss), mentor(ss)
    request = services.send_request(me, target, me.user)
    accept = reverse("wagtail_mentoring:accept_request", args=[request.pk])
    decline = reverse("wagtail_mentoring:decline_request", args=[request.pk])
    for user in (me.user, make_user(), other_program_admin):
        client.force_login(user)
        assert client.post(accept).status_code == 404
        assert client.get(decline).status_code == 404
        assert client.post(decline, {"reason": "no"}).status_code == 404
    request.refresh_from_db()
    assert request.status == "pending"
    client.force_login(target.user)
    assert client.get(decline).status_code == 200
    assert client.post(decline, {"reason": "Busy"}).status_code == 302
    request.refresh_from_db()
    assert request.status == "declined" and request.decline_reason == "Busy"


def test_withdraw_only_own_requests(client, ss):
    me, target = mentee(ss), mentor(ss)
    request = services.send_request(me, target, me.user)
    url = reverse("wagtail_mentoring:withdraw_request", args=[request.pk])
    client.force_login(target.user)
    assert client.post(url).status_code == 404
    client.force_login(me.user)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    request.refresh_from_db()
    assert request.status == "withdrawn"


def test_popular_mentors_are_not_shown_to_everyone_at_once(ss, settings):
    settings.WAGTAIL_MENTORING = {"SUGGESTION_EXPOSURE_PER_PLACE": 2}
    popular = mentor(ss, capacity=1)
    others = [mentor(ss, capacity=1) for _ in range(2)]
    askers = [mentee(ss) for _ in range(3)]
    for asker in askers[:2]:
        services.send_request(asker, popular, asker.user)
    # Two mentees already wait on the popular mentor's one place (budget 2).
    newcomer = mentee(ss)
    shown = {s.enrollment.pk for s in suggest_mentors(newcomer)}
    assert popular.pk not in shown
    assert shown == {m.pk for m in others}
    # Once one of them withdraws, the mentor comes back into view.
    services.withdraw_request(
        MentorRequest.objects.filter(mentor_enrollment=popular).first(),
        askers[0].user,
    )
    assert popular.pk in {s.enrollment.pk for s in suggest_mentors(newcomer)}


def test_find_a_mentor_queries_stay_constant(client, ss, django_assert_max_num_queries):
    me = mentee(ss)
    client.force_login(me.user)
    url = reverse("wagtail_mentoring:find_mentor", args=[me.pk])
    for _ in range(3):
        mentor(ss, capacity=2)
    client.get(url)
    # new mentors rebuild the program's mentor table once: a few queries more,
    # as many for 15 mentors as for 3
    mentor(ss, capacity=2)
    with django_assert_max_num_queries(40) as small_rebuilt:
        client.get(url)
    with django_assert_max_num_queries(40) as small:
        client.get(url)
    for _ in range(12):
        mentor(ss, capacity=2)
    with django_assert_max_num_queries(len(small_rebuilt.captured_queries)):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_after_a_rematch_the_old_partner_is_not_suggested(ss):
    me = mentee(ss)
    old, new = mentor(ss, capacity=2), mentor(ss, capacity=2)
    request = services.send_request(me, old, me.user)
    relationship = services.accept_request(request, old.user)
    services.request_rematch(relationship, me.user, reason="Different goals")
    shown = {s.enrollment.pk for s in suggest_mentors(me)}
    assert shown == {new.pk}


def test_find_a_mentor_knows_when_the_mentee_has_all_their_mentors(client, ss):
    """The page reads the open relationships with the application's row; it
    must say what the service would: one mentor of two wanted leaves one to
    find, two leave none, and an ended one frees the place again."""
    ss.mentors_per_mentee = 2
    ss.save()
    me = mentee(ss, "mina")
    mentor(ss, "frida", capacity=3)
    client.force_login(me.user)
    url = reverse("wagtail_mentoring:find_mentor", args=[me.pk])
    pair(ss, mentee_user=me.user)
    body = client.get(url).content.decode()
    assert "Frida" in body and "No more requests are needed." not in body
    second = pair(ss, mentee_user=me.user)
    body = client.get(url).content.decode()
    assert "Frida" not in body and "No more requests are needed." in body
    assert "You have a mentor in this program." in body
    second.status = RelationshipStatus.COMPLETED
    second.save()
    body = client.get(url).content.decode()
    assert "Frida" in body and "No more requests are needed." not in body
