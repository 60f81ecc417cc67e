"""A private section of the intranet stays private everywhere our pages are listed.

Wagtail's privacy setting (a page view restriction) hides a page and everything
under it. The hub, the API's lists and an LMS's chooser list pages through
``programs.selectors.public``, which asks in the same query as the list; these
tests hold it to what Wagtail's own ``public()`` answers.
"""

from __future__ import annotations

import pytest
from django.test import Client
from wagtail.models import Page, PageViewRestriction

from tests.factories import make_program, make_user
from tests.journey_data import make_journey
from wagtail_mentoring.api import tokens
from wagtail_mentoring.community.models import CommunitySpacePage
from wagtail_mentoring.contrib.lti import targets
from wagtail_mentoring.programs.selectors import public

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
