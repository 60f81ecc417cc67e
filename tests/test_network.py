"""The organisational network map: measures on a hand-computed fixture,
small-group suppression, query counts, the admin screen and its CSV."""

import re
from datetime import date

import pytest
from django.urls import reverse

from tests.factories import make_user
from wagtail_mentoring.analytics import network
from wagtail_mentoring.programs.models import (
    Relationship,
    RelationshipMember,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 4)  # the quarter started on 2026-10-01
LONG_AGO = date(2026, 6, 1)
THIS_QUARTER = date(2026, 11, 1)

PEOPLE = {
    "Engineering": ["e1", "e2", "e3", "e4"],
    "Sales": ["s1", "s2", "s3"],
    "Operations": ["o1", "o2", "o3"],
    "Finance": ["f1", "f2", "f3"],
    "HR": ["h1"],
    "Legal": ["l1"],
}
#: (members, status, started): the statuses that count are active and completed.
RELATIONSHIPS = [
    (("e1", "e2"), "active", LONG_AGO),
    (("e3", "s1"), "active", LONG_AGO),
    (("e4", "s2"), "completed", THIS_QUARTER),
    (("s3", "o1"), "active", LONG_AGO),
    (("o2", "o3"), "active", LONG_AGO),
    (("h1", "e1"), "active", LONG_AGO),
    (("l1", "o1"), "ended_early", LONG_AGO),
    (("e2", "s1"), "pending", LONG_AGO),
    (("f1", "f2"), "active", LONG_AGO),
    (("f2", "f3"), "completed", LONG_AGO),
]


def _relate(program, users, names, status, started):
    relationship = Relationship.objects.create(
        program=program, status=status, started_on=started
    )
    RelationshipMember.objects.bulk_create(
        RelationshipMember(
            relationship=relationship, user=users[n], role=("mentor", "mentee")[i]
        )
        for i, n in enumerate(names)
    )
    return relationship


@pytest.fixture
def company(program):
    users = {}
    for department, names in PEOPLE.items():
        for name in names:
            users[name] = make_user(
                f"net_{name}",
                profile={"department": department, "location": "Berlin", "level": 3},
            )
    for names, status, started in RELATIONSHIPS:
        _relate(program, users, names, status, started)
    return users


def _edges(result):
    return {(e.a.label, e.b.label): (e.now, e.before) for e in result.edges}


def test_measures_match_the_hand_computed_fixture(program, company):
    result = network.build_map(today=TODAY, min_size=3)
    assert result.since == date(2026, 10, 1)
    # HR (1 person) is too small and "Other" (HR alone: Legal's only
    # relationship ended early) too: its connection is hidden.
    assert {n.label: n.people for n in result.nodes} == {
        "Engineering": 4,
        "Finance": 3,
        "Operations": 3,
        "Sales": 3,
    }
    assert result.hidden_connections == 1
    assert _edges(result) == {
        ("Engineering", "Sales"): (2, 1),
        ("Engineering", "Engineering"): (1, 1),
        ("Finance", "Finance"): (2, 2),
        ("Operations", "Sales"): (1, 1),
        ("Operations", "Operations"): (1, 1),
    }
    assert result.connections == 7
    assert result.cross_connections == 3
    assert result.cross_share == pytest.approx(3 / 7)
    assert result.cross_share_before == pytest.approx(2 / 6)
    assert result.cross_share_change == pytest.approx(3 / 7 - 1 / 3)
    assert [n.label for n in result.isolated] == ["Finance"]
    assert [(b.a.label, b.b.label) for b in result.bridges] == [
        ("Engineering", "Sales"),
        ("Operations", "Sales"),
    ]


def test_small_groups_merge_into_other(program, company):
    result = network.build_map(today=TODAY, min_size=4)
    labels = {n.label: n.people for n in result.nodes}
    other = network._label("department", network.OTHER)
    # Sales, Operations, Finance and HR (3 + 3 + 3 + 1) together.
    assert labels == {"Engineering": 4, other: 10}
    assert _edges(result) == {
        ("Engineering", other): (3, 2),
        (other, other): (4, 4),
        ("Engineering", "Engineering"): (1, 1),
    }
    assert result.hidden_connections == 0
    assert result.merged_groups == 4


def test_the_default_threshold_never_goes_below_the_floor(program, company):
    result = network.build_map(today=TODAY, min_size=1)
    assert result.min_size == 3
    assert "HR" not in {n.label for n in result.nodes}


def test_locations_and_levels(program, company):
    result = network.build_map(today=TODAY, dimension="location", min_size=3)
    assert [n.label for n in result.nodes] == ["Berlin"]
    assert result.cross_share == 0
    result = network.build_map(today=TODAY, dimension="level", min_size=3)
    assert [n.label for n in result.nodes] == ["Level 3"]
    with pytest.raises(ValueError):
        network.build_map(dimension="salary")


def test_limited_to_programs(program, other_program, company):
    assert network.build_map([other_program.pk], today=TODAY).nodes == []
    assert network.build_map([program.pk], today=TODAY, min_size=3).connections == 7


def test_two_queries_whatever_the_size(program, company, django_assert_num_queries):
    with django_assert_num_queries(2):
        network.build_map(today=TODAY, min_size=3)
    for n in range(30):
        users = {
            "a": make_user(f"more_a{n}", profile={"department": f"Dept {n % 7}"}),
            "b": make_user(f"more_b{n}", profile={"department": f"Dept {n % 5}"}),
        }
        _relate(program, users, ("a", "b"), "active", LONG_AGO)
    with django_assert_num_queries(2):
        result = network.build_map(today=TODAY, min_size=3)
    assert result.connections > 7


def test_csv_has_every_pair(program, company):
    text = network.to_csv(network.build_map(today=TODAY, min_size=3))
    assert "Engineering,Sales,2,1,1" in text
    assert "HR" not in text


# --- The admin screen ----------------------------------------------------------


@pytest.fixture
def steward(db):
    return make_user(
        "stella",
        admin_access=True,
        perms=["wagtail_mentoring.view_employeeprofile"],
    )


def test_map_for_a_steward_shows_svg_and_table(client, steward, company):
    client.force_login(steward)
    response = client.get(reverse("wm_network:index"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<svg" in body and "<title" in body and "<desc" in body
    assert "<table" in body
    assert "Engineering" in body
    # whole words: a random token of the page (its CSRF token) may hold "E1"
    for name in ("E1", "Net_e1", "net_e1"):
        assert not re.search(rf"\b{name}\b", body)
    assert "<script" not in body.split("<main", 1)[-1].split("</main>", 1)[0]
    assert 'style="' not in body.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_map_csv(client, steward, company):
    client.force_login(steward)
    response = client.get(reverse("wm_network:export"), {"dimension": "location"})
    assert response["Content-Type"].startswith("text/csv")
    assert "Berlin" in response.content.decode()


def test_program_admin_sees_only_their_programs(
    client, program, other_program, other_program_admin, company
):
    client.force_login(other_program_admin)
    response = client.get(reverse("wm_network:index"))
    assert response.status_code == 200
    assert "Engineering" not in response.content.decode()


def test_employees_are_refused(client, employee, company):
    client.force_login(employee)
    assert client.get(reverse("wm_network:index")).status_code in (302, 403)
    assert client.get(reverse("wm_network:export")).status_code in (302, 403)


def test_bad_switch_falls_back_to_departments(client, steward, company):
    client.force_login(steward)
    response = client.get(reverse("wm_network:index"), {"dimension": "salary"})
    assert response.status_code == 200
    assert "Engineering" in response.content.decode()


def test_screen_query_count_is_constant(
    client, steward, program, company, django_assert_max_num_queries
):
    client.force_login(steward)
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("wm_network:index"))
    for n in range(20):
        users = {
            "a": make_user(f"x_a{n}", profile={"department": f"Dept {n % 6}"}),
            "b": make_user(f"x_b{n}", profile={"department": f"Dept {n % 4}"}),
        }
        _relate(program, users, ("a", "b"), "active", LONG_AGO)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("wm_network:index"))


# --- My network ---------------------------------------------------------------


def test_my_network_lists_my_partners_and_the_departments_reached(program, company):
    mine = network.my_network(company["e1"])
    # e2 (active, Engineering) and h1 (active, HR); not pending ones.
    names = {c.user.pk for c in mine.contacts}
    assert names == {company["e2"].pk, company["h1"].pk}
    assert mine.departments == ["HR"]  # Engineering is e1's own department
    mine = network.my_network(company["s1"])
    # s1: e3 (active); e2 only in a pending relationship.
    assert {c.user.pk for c in mine.contacts} == {company["e3"].pk}
    # each contact names the programs they met through, once, whether still open
    assert [(c.programs, c.current) for c in mine.contacts] == [([program.title], True)]
    mine = network.my_network(company["e4"])
    assert [(c.programs, c.current) for c in mine.contacts] == [
        ([program.title], False)
    ]


def test_my_network_reads_the_people_from_my_mentorings_cards_as_it_would_ask(
    program, company, django_assert_num_queries
):
    from wagtail_mentoring.engagement.selectors import (
        attach_card_programs,
        relationships_for_dashboard,
    )

    gone = company["e3"]
    gone.is_active = False
    gone.save()
    for name in ("e1", "s1", "e4", "h1"):
        me = company[name]
        cards = list(relationships_for_dashboard(me))
        attach_card_programs(cards)
        with django_assert_num_queries(2):  # the spaces, and programs to join
            read = network.my_network(me, cards)
        asked = network.my_network(me)

        def people(mine):
            return [
                (c.user.pk, c.department, c.programs, c.current) for c in mine.contacts
            ]

        assert people(read) == people(asked), name
        assert read.departments == asked.departments
        assert gone.pk not in {c.user.pk for c in read.contacts}


def test_my_network_suggests_programs_when_no_space_exists(
    program, other_program, company
):
    mine = network.my_network(company["e1"])
    assert mine.suggestions == []
    assert {p.pk for p in mine.suggested_programs} == {program.pk, other_program.pk}


def test_my_network_suggests_open_spaces_and_lists_mine(hub, company):
    from wagtail_mentoring.community.models import CommunitySpacePage
    from wagtail_mentoring.community.services import join_space

    space = hub.add_child(
        instance=CommunitySpacePage(title="Data guild", slug="data-guild")
    )
    closed = hub.add_child(
        instance=CommunitySpacePage(
            title="Closed", slug="closed", membership_policy="invitation"
        )
    )
    assert [s.pk for s in network.my_network(company["e1"]).suggestions] == [space.pk]
    join_space(space, company["e1"])
    mine = network.my_network(company["e1"])
    assert [s.pk for s in mine.spaces] == [space.pk]
    assert mine.spaces[0].member_count == 1
    assert closed.pk not in {s.pk for s in mine.suggestions}


def test_my_network_suggests_nothing_from_a_private_section(
    hub, program, other_program, company
):
    """As Wagtail's ``public()``: a restriction hides its page and everything
    under it, and hides nothing else."""
    from wagtail.models import PageViewRestriction

    from wagtail_mentoring.community.models import CommunitySpacePage

    def space(parent, title):
        return parent.add_child(
            instance=CommunitySpacePage(title=title, slug=title.lower())
        )

    open_space = space(hub, "Guild")
    staff_only = space(hub, "Staff")
    below = space(staff_only, "Below")
    # a sibling: the next path in the tree, not under it
    neighbour = space(hub, "Staffing")
    PageViewRestriction.objects.create(
        page=staff_only, restriction_type=PageViewRestriction.LOGIN
    )
    PageViewRestriction.objects.create(
        page=other_program, restriction_type=PageViewRestriction.LOGIN
    )
    expected = set(
        CommunitySpacePage.objects.live().public().values_list("pk", flat=True)
    )
    assert expected == {open_space.pk, neighbour.pk}
    mine = network.my_network(company["e1"])
    assert {s.pk for s in mine.suggestions} == expected
    assert below.pk not in {s.pk for s in mine.suggestions}
    # with no space to suggest, programs: the restricted one is not among them
    CommunitySpacePage.objects.filter(pk__in=expected).update(live=False)
    mine = network.my_network(company["e1"])
    assert [p.pk for p in mine.suggested_programs] == [program.pk]


def test_my_network_on_my_mentoring(
    client, program, company, django_assert_max_num_queries
):
    client.force_login(company["e1"])
    url = reverse("wagtail_mentoring:my_mentoring")
    with django_assert_max_num_queries(60) as small:
        body = client.get(url).content.decode()
    assert "My network" in body
    assert "Net_e2" in body or "net_e2" in body.lower()
    # Someone else's partner is not mine.
    assert "Net_s3" not in body
    for n in range(8):
        users = {
            "me": company["e1"],
            "x": make_user(f"more{n}", profile={"department": f"D{n}"}),
        }
        _relate(program, users, ("x", "me"), "completed", LONG_AGO)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)
