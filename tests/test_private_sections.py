"""A private section of the intranet stays private everywhere our pages are listed.

Wagtail's privacy setting (a page view restriction) hides a page and everything
under it. The hub, the API's lists and an LMS's chooser list pages through
``programs.selectors.public``, which asks in the same query as the list; these
tests hold it to what Wagtail's own ``public()`` answers.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from tests.community_helpers import add_member, make_space
from tests.factories import make_program, make_user
from tests.journey_data import make_journey
from wagtail_mentoring.api import tokens
from wagtail_mentoring.community import services
from wagtail_mentoring.community.events import services as events
from wagtail_mentoring.community.models import CommunitySpacePage, MembershipRole
from wagtail_mentoring.contrib.lti import targets
from wagtail_mentoring.programs.selectors import public
from wagtail_mentoring.programs.services import start_relationship

pytestmark = pytest.mark.django_db
API = "/api/mentoring/v1/"


@pytest.fixture
def sections(hub, program):
    """Open pages, a private program with a space and a journey under it, a
    private journey, and a sibling whose path follows the private program's."""
    private = make_program(hub, title="Board Mentoring", slug="board")
    space = private.add_child(
        instance=CommunitySpacePage(title="Board Room", slug="board-room")
    )
    hidden_journey = make_journey(private, title="Board Steps", slug="board-steps")
    secret_journey = make_journey(hub, title="Secret Steps", slug="secret-steps")
    neighbour = make_program(hub, title="Board Games", slug="board-games")
    open_journey = make_journey(hub, title="Open Steps", slug="open-steps")
    open_space = hub.add_child(instance=CommunitySpacePage(title="Guild", slug="guild"))
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.LOGIN
    )
    PageViewRestriction.objects.create(
        page=secret_journey, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    return {
        "hidden": {private.pk, space.pk, hidden_journey.pk, secret_journey.pk},
        "shown": {program.pk, neighbour.pk, open_journey.pk, open_space.pk},
        "private program": private.pk,
    }


def _pks(pages) -> set[int]:
    return {p.pk for p in pages}


def test_public_answers_as_wagtails_public_in_one_query(
    sections, django_assert_num_queries
):
    expected = _pks(Page.objects.live().public())
    assert sections["shown"] <= expected
    assert not sections["hidden"] & expected
    with django_assert_num_queries(1):
        assert _pks(public(Page.objects.live())) == expected


def test_the_hub_lists_no_page_of_a_private_section(hub, sections):
    user = make_user("viewer")
    client = Client()
    client.force_login(user)
    response = client.get(hub.url)
    assert response.status_code == 200
    listed = {
        p.pk
        for name in ("programs", "journeys", "spaces")
        for p in response.context[name]
    }
    assert not listed & sections["hidden"]
    assert sections["shown"] <= listed


def test_the_api_lists_no_page_of_a_private_section(sections):
    user = make_user("caller")
    secret = tokens.create_token(user, user, name="test", scope="api").secret
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    listed = set()
    for path in ("programs/", "journeys/", "spaces/"):
        response = client.get(API + path)
        assert response.status_code == 200, response.content
        listed |= {item["id"] for item in response.json()["results"]}
    assert not listed & sections["hidden"]
    assert sections["shown"] <= listed
    private = sections["private program"]
    assert client.get(f"{API}programs/{private}/").status_code == 404


def test_an_lms_can_place_no_page_of_a_private_section(sections):
    chosen = _pks(targets.placeable_pages())
    assert not chosen & sections["hidden"]
    assert sections["shown"] <= chosen
    for pk in sections["hidden"]:
        assert targets.resolve({"page_id": str(pk)}) is None
    for pk in sections["shown"]:
        assert targets.resolve({"page_id": str(pk)}) is not None


# --- Reached by our own URLs -------------------------------------------------------


def _only_for(group, hub):
    """A program page, and the restriction that lets only ``group`` see it and
    everything under it."""
    section = make_program(hub, title="Board Mentoring", slug="board")
    restriction = PageViewRestriction.objects.create(
        page=section, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(group)
    return section, restriction


@pytest.fixture
def boardroom(hub):
    """An open space in a section only the board's group may see, with a
    discussion and an event."""
    board = Group.objects.create(name="Board")
    section, restriction = _only_for(board, hub)
    space = make_space(section, title="Board Room", membership_policy="open")
    chair = make_user("chair", groups=[board])
    add_member(space, chair, role=MembershipRole.MODERATOR)
    thread = services.start_thread(space, chair, "Succession", "Who is next?")
    start = timezone.now() + timedelta(days=3)
    event = events.schedule_event(
        space,
        chair,
        title="Offsite",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        timezone_name="UTC",
    )
    return {
        "space": space,
        "section": section,
        "restriction": restriction,
        "thread": thread,
        "event": event,
        "chair": chair,
    }


def _urls(boardroom) -> list[str]:
    space, thread = boardroom["space"], boardroom["thread"]
    return [
        reverse("wagtail_mentoring:community_thread", args=[space.pk, thread.pk]),
        reverse("wagtail_mentoring:community_search", args=[space.pk]) + "?q=next",
        reverse("wagtail_mentoring:space_events", args=[space.pk]),
        reverse("wagtail_mentoring:space_event", args=[boardroom["event"].pk]),
        f"{API}spaces/{space.pk}/threads/",
    ]


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_private_sections_space_is_not_found_by_who_may_not_see_it(boardroom):
    """An open space would let any employee read and join it; under a section
    restricted to a group, its discussions, search, events and API answer 404
    to everyone else, as its page does, and joining is refused the same way."""
    someone = make_user("outsider")
    outsider = _signed_in(someone)
    assert outsider.get(boardroom["space"].url).status_code in (302, 403, 404)
    for url in _urls(boardroom):
        assert outsider.get(url).status_code == 404, url
    join = reverse("wagtail_mentoring:community_join", args=[boardroom["space"].pk])
    assert outsider.post(join).status_code == 404
    assert not boardroom["space"].memberships.filter(user=someone).exists()
    chair = _signed_in(boardroom["chair"])
    for url in _urls(boardroom):
        assert chair.get(url).status_code == 200, url


def test_a_space_behind_sign_in_is_open_to_every_employee(boardroom):
    boardroom["restriction"].restriction_type = PageViewRestriction.LOGIN
    boardroom["restriction"].save()
    employee = _signed_in(make_user("employee"))
    for url in _urls(boardroom):
        assert employee.get(url).status_code == 200, url


def test_a_space_behind_a_password_opens_once_it_was_given_on_the_page(boardroom):
    restriction = boardroom["restriction"]
    restriction.restriction_type = PageViewRestriction.PASSWORD
    restriction.password = "rosebud"
    restriction.save()
    employee = _signed_in(make_user("employee"))
    for url in _urls(boardroom):
        assert employee.get(url).status_code == 404, url
    # Wagtail's own password form, on the section's page
    form = reverse(
        "wagtailcore_authenticate_with_password",
        args=[restriction.pk, boardroom["section"].pk],
    )
    given = employee.post(form, {"password": "rosebud", "return_url": "/"})
    assert given.status_code == 302
    for url in _urls(boardroom):
        assert employee.get(url).status_code == 200, url


def test_a_pairs_journey_in_a_private_section_shows_to_who_may_open_it(hub, program):
    """A program may follow a journey that sits in a section only a group may
    see: its card (My mentoring, the relationship page, the API's lists) is
    shown to the members who may open its pages, not to the others."""
    board = Group.objects.create(name="Board")
    section, _restriction = _only_for(board, hub)
    journey = make_journey(section, title="Board Steps", slug="board-steps")
    program.journey = journey
    program.save()
    mentee, chair = make_user("mentee"), make_user("chair", groups=[board])
    pair = start_relationship(program, [(mentee, "mentee"), (chair, "mentor")], chair)
    pages = [
        reverse("wagtail_mentoring:my_mentoring"),
        reverse("wagtail_mentoring:relationship", args=[pair.pk]),
    ]
    for user, shown in ((mentee, False), (chair, True)):
        client = _signed_in(user)
        assert (client.get(journey.url).status_code == 200) is shown
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200
            assert ("Board Steps" in response.content.decode()) is shown, url
        secret = tokens.create_token(user, user, name="test", scope="api").secret
        api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        mine = api.get(API + "me/journeys/").json()
        assert mine["count"] == int(shown)
        cards = api.get(f"{API}me/relationships/{pair.pk}/journeys/").json()
        assert len(cards) == int(shown)
