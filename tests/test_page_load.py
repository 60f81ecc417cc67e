"""What the load benchmark (benchmarks/load.py) found on our pages, kept fixed:
queries whose rows or number grow with a pair's history."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.engagement_helpers import PROFILE
from tests.factories import make_enrollment, make_program, make_user
from tests.journey_data import make_journey
from wagtail_mentoring.engagement.models import Goal, GoalStatus, Meeting, MeetingStatus
from wagtail_mentoring.engagement.selectors import relationships_for_dashboard
from wagtail_mentoring.matching.admin import views
from wagtail_mentoring.programs import services
from wagtail_mentoring.programs.models import (
    Enrollment,
    EnrollmentStatus,
    MatchingMode,
    Relationship,
    RelationshipStatus,
)
from wagtail_mentoring.views import ShortListPaginator


def _history(relationship, owner, goals: int, meetings: int) -> None:
    now = timezone.now()
    for i in range(goals):
        Goal.objects.create(
            relationship=relationship,
            owner=owner,
            title=f"goal {i}",
            target_date=timezone.localdate() + timedelta(days=30),
            status=GoalStatus.ACHIEVED if i % 3 == 0 else GoalStatus.OPEN,
        )
    for i in range(meetings):
        Meeting.objects.create(
            relationship=relationship,
            title=f"meeting {i}",
            # Half held in the past, half to come (the first in 2 days).
            starts_at=now + timedelta(days=2 * i - meetings + 2),
            status=MeetingStatus.SCHEDULED,
            created_by=owner,
        )


def test_my_mentoring_cards_count_goals_and_next_meeting_without_joining_them(
    client, employee, program
):
    partner = make_user()
    relationship = services.start_relationship(
        program, [(employee, "mentee"), (partner, "mentor")], partner
    )
    _history(relationship, employee, goals=6, meetings=8)
    Meeting.objects.create(  # sooner, but cancelled: not the next meeting
        relationship=relationship,
        title="cancelled",
        starts_at=timezone.now() + timedelta(days=1),
        status=MeetingStatus.CANCELLED,
        created_by=employee,
    )

    [card] = relationships_for_dashboard(employee)
    assert (card.goals_total, card.goals_done) == (6, 2)
    expected = Meeting.objects.filter(
        relationship=relationship,
        status=MeetingStatus.SCHEDULED,
        starts_at__gt=timezone.now(),
    ).order_by("starts_at")[0]
    assert card.next_meeting_at == expected.starts_at

    # One row per relationship: goals × meetings joined under a GROUP BY
    # would read 6 × 9 rows for this pair, and a year of history thousands.
    query = relationships_for_dashboard(employee).query
    sql = str(query)
    assert f'JOIN "{Goal._meta.db_table}"' not in sql
    assert f'JOIN "{Meeting._meta.db_table}"' not in sql
    assert query.group_by is None


def test_my_mentoring_queries_stay_constant_as_a_pairs_history_grows(
    client, employee, program
):
    partner = make_user()
    relationship = services.start_relationship(
        program, [(employee, "mentee"), (partner, "mentor")], partner
    )
    client.force_login(employee)
    url = reverse("wagtail_mentoring:my_mentoring")
    _history(relationship, employee, goals=1, meetings=1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _history(relationship, employee, goals=20, meetings=30)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert b"8 of 21 goals achieved" in response.content


def _pair_in_new_program(hub, employee, n: int) -> str:
    """A pair of ``employee`` in a program of its own, with a journey, a meeting
    in two days and one yesterday waiting for feedback; returns its title."""
    program = make_program(hub, title=f"Program number {n}")
    program.journey = make_journey(hub, title=f"Journey {n}", slug=f"journey-{n}")
    program.save()
    partner = make_user()
    relationship = services.start_relationship(
        program, [(employee, "mentee"), (partner, "mentor")], partner
    )
    for days, title in [(2, f"Soon {n}"), (-1, f"Yesterday {n}")]:
        Meeting.objects.create(
            relationship=relationship,
            title=title,
            starts_at=timezone.now() + timedelta(days=days),
            status=MeetingStatus.SCHEDULED,
            created_by=employee,
        )
    return program.title


def test_my_mentoring_reads_its_programs_once_however_many(client, hub, employee):
    client.force_login(employee)
    url = reverse("wagtail_mentoring:my_mentoring")
    titles = [_pair_in_new_program(hub, employee, 1)]
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    titles += [_pair_in_new_program(hub, employee, n) for n in range(2, 6)]
    with CaptureQueriesContext(connection) as five:
        response = client.get(url)
    assert len(five.captured_queries) == len(one.captured_queries)
    body = response.content.decode()
    for n, title in enumerate(titles, start=1):
        assert body.count(title) >= 2  # a relationship card, the next meeting
        assert f"Journey {n}" in body  # the card's journey, from its program
        assert f"Soon {n}" in body
        assert f"Give feedback on “Yesterday {n}”" in body


# --- The matching panel's pool ------------------------------------------------


def _pool_of(program, mentors: int, mentees: int, prefix: str = "p") -> list:
    """Approved mentors and mentees of ``program``; returns the mentees' users."""
    for i in range(mentors):
        user = make_user(f"{prefix}mentor{i}")
        make_enrollment(
            user, program, "mentor", status=EnrollmentStatus.APPROVED, capacity=2
        )
    users = []
    for i in range(mentees):
        user = make_user(f"{prefix}mentee{i}")
        make_enrollment(user, program, "mentee", status=EnrollmentStatus.APPROVED)
        users.append(user)
    return users


def _panel(client, program) -> str:
    response = client.get(reverse("wm_matching:panel", args=[program.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_matching_panel_reads_the_pool_only_when_it_changed(
    client, program, superuser, monkeypatch
):

    cache.clear()  # another test's pool may have had the same rows
    mentees = _pool_of(program, mentors=2, mentees=3)
    client.force_login(superuser)
    loads = []
    real = views.load_pool

    def counting(*args, **kwargs):
        loads.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(views, "load_pool", counting)
    first = _panel(client, program)
    assert "Pmentee1 Tester" in first
    assert len(loads) == 1
    assert "Pmentee1 Tester" in _panel(client, program)
    assert len(loads) == 1  # the same pool: the cached section

    # Changes made without model signals (queryset updates) are seen too: the
    # version is read from the rows themselves.
    User = get_user_model()
    mentee = mentees[1]
    User.objects.filter(pk=mentee.pk).update(first_name="Renamed")
    assert "Renamed Tester" in _panel(client, program)
    assert len(loads) == 2
    User.objects.filter(pk=mentee.pk).update(is_active=False)
    assert "left the company (inactive)" in _panel(client, program)
    mentor = Enrollment.objects.filter(program=program, role="mentor").first()
    Enrollment.objects.filter(pk=mentor.pk).update(capacity=5)
    assert "5 places left" in _panel(client, program)
    mentee2 = mentees[2]
    services.start_relationship(
        program, [(mentee2, "mentee"), (mentor.user, "mentor")], superuser
    )
    html = _panel(client, program)
    assert "4 places left" in html
    # The pair ends without a signal: the mentor's place is free again. The
    # pool is the one before the pair started, whose section is still cached.
    Relationship.objects.filter(program=program).update(
        status=RelationshipStatus.COMPLETED
    )
    assert "5 places left" in _panel(client, program)
    assert len(loads) == 5
    Enrollment.objects.filter(pk=mentor.pk).update(status=EnrollmentStatus.WITHDRAWN)
    assert "withdrew" in _panel(client, program)
    assert len(loads) == 6


def test_matching_panel_queries_stay_constant_as_the_pool_grows(
    client, program, superuser, django_assert_max_num_queries
):

    _pool_of(program, mentors=2, mentees=2)
    client.force_login(superuser)
    url = reverse("wm_matching:panel", args=[program.pk])
    client.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _pool_of(program, mentors=20, mentees=40, prefix="q")
    cache.clear()  # a pool not seen yet
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert "Qmentee39 Tester" in client.get(url).content.decode()
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


# --- Find a peer partner --------------------------------------------------------


def test_find_a_peer_partner_queries_stay_constant_as_the_members_grow(
    hub, client, django_assert_max_num_queries
):

    exchange = make_program(
        hub,
        title="Peer Exchange",
        slug="peer-exchange",
        kind="peer",
        matching_mode=MatchingMode.SELF_SELECT,
        max_requests=3,
    )

    def member(name, department):
        user = make_user(name, profile=dict(PROFILE, department=department))
        return make_enrollment(
            user, exchange, "member", status=EnrollmentStatus.APPROVED
        )

    ada = member("ada", "Eng")
    for i in range(2):
        member(f"few{i}", f"Dept {i}")
    client.force_login(ada.user)
    url = reverse("wagtail_mentoring:find_mentor", args=[ada.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for i in range(12):
        member(f"many{i}", f"Dept {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    # Ten cards, each with the member's department from their profile.
    assert html.count("Dept ") >= 10


# --- Lists that fit on their first page ---------------------------------------


@pytest.mark.parametrize("rows", [0, 1, 3, 4, 9])
@pytest.mark.parametrize("number", [None, "1", 1, "2", "abc", "9", "0"])
@pytest.mark.parametrize("built", ["given", "on demand"])
def test_short_list_paginator_gives_the_pages_of_a_paginator(db, rows, number, built):
    for i in range(rows):
        make_user(f"listed{i}")
    users = get_user_model().objects.order_by("pk")
    expected = Paginator(users, 3).get_page(number)
    if built == "given":
        paginator = ShortListPaginator(users, 3)
    else:  # the whole list built only past the first page, its head read apart
        paginator = ShortListPaginator(
            lambda: users, 3, head=lambda n: list(users.all()[:n])
        )
    page = paginator.get_page(number)
    assert list(page) == list(expected)
    assert page.number == expected.number
    assert page.paginator.count == expected.paginator.count
    assert page.paginator.num_pages == expected.paginator.num_pages
    assert (page.has_next(), page.has_previous()) == (
        expected.has_next(),
        expected.has_previous(),
    )


def test_short_list_paginator_counts_only_a_list_longer_than_a_page(db):
    for i in range(4):
        make_user(f"listed{i}")
    users = get_user_model().objects.order_by("pk")
    with CaptureQueriesContext(connection) as fits:
        list(ShortListPaginator(users, 4).get_page(None))
    assert len(fits) == 1
    assert "COUNT" not in fits.captured_queries[0]["sql"]
    with CaptureQueriesContext(connection) as longer:
        page = ShortListPaginator(users, 3).get_page(None)
        list(page)
    assert page.paginator.count == 4
    assert any("COUNT" in q["sql"] for q in longer.captured_queries)


def _attention(hub, me) -> dict:
    """``me`` with something in each of My mentoring's lists that the page's
    own lists can answer: a request to answer, a live request of their own,
    unread messages, final feedback due (and given), a program to find a
    mentor in. Returns the relationships by name."""
    from tests.engagement_helpers import mentee, mentor, pair
    from wagtail_mentoring.engagement import mentor_requests
    from wagtail_mentoring.engagement import services as engagement
    from wagtail_mentoring.engagement.models import Feedback, FeedbackKind

    asking, seeking, seeking_too, answering, plain = (
        make_program(hub, title=title, matching_mode=mode)
        for title, mode in [
            ("Asking", MatchingMode.SELF_SELECT),
            ("Seeking", MatchingMode.SELF_SELECT),
            ("Seeking too", MatchingMode.HYBRID),
            ("Answering", MatchingMode.HYBRID),
            ("Plain", MatchingMode.ADMIN_APPROVED),
        ]
    )
    mine = make_enrollment(me, asking, "mentee", status=EnrollmentStatus.APPROVED)
    # the list shows the newest application first: made in the other order
    make_enrollment(me, seeking_too, "mentee", status=EnrollmentStatus.APPROVED)
    make_enrollment(me, seeking, "mentee", status=EnrollmentStatus.APPROVED)
    mentor_requests.send_request(mine, mentor(asking), me)
    giving = make_enrollment(me, answering, "mentor", status=EnrollmentStatus.APPROVED)
    asker = mentee(answering)
    mentor_requests.send_request(asker, giving, asker.user)
    talking, chatting = pair(plain, mentee_user=me), pair(plain, mentee_user=me)
    for relationship, bodies in (
        (talking, ["Hello", "Are you there?"]),
        (chatting, ["Hi"]),
    ):
        partner = next(m.user for m in relationship.members.all() if m.user != me)
        for body in bodies:
            engagement.send_message(relationship, partner, body=body)
    ended, told = pair(plain, mentee_user=me), pair(plain, mentee_user=me)
    for relationship in (ended, told):
        relationship.status = "completed"
        relationship.ended_at = timezone.now() - timedelta(days=10)
        relationship.save()
    Feedback.objects.create(
        relationship=told, author=me, kind=FeedbackKind.FINAL, rating=4
    )
    return {
        "talking": talking,
        "chatting": chatting,
        "ended": ended,
        "told": told,
        "asker": asker,
    }


def test_my_mentoring_reads_its_lists_from_the_page_as_it_would_ask(hub, employee):
    from wagtail_mentoring.engagement.selectors import dashboard

    made = _attention(hub, employee)
    whole = dashboard(
        employee,
        enrollments=Enrollment.objects.filter(user=employee),
        relationships=list(relationships_for_dashboard(employee)),
    )
    asked = dashboard(employee)
    for name in (
        "requests_to_answer",
        "my_requests",
        "meetings_next_7_days",
        "feedback_due",
        "overdue_goals",
        "unread",
        "find_a_mentor",
        "final_feedback_due",
    ):
        assert [o.pk for o in whole[name]] == [o.pk for o in asked[name]], name
    assert [r.mentee_enrollment for r in whole["requests_to_answer"]] == [made["asker"]]
    assert [r.program.title for r in whole["my_requests"]] == ["Asking"]
    # in the order of the cards: the newest relationship, application first
    assert [(m.relationship_id, m.unread) for m in whole["unread"]] == [
        (made["chatting"].pk, 1),
        (made["talking"].pk, 2),
    ]
    assert [m.unread for m in asked["unread"]] == [1, 2]
    assert [r.pk for r in whole["final_feedback_due"]] == [made["ended"].pk]
    assert [e.program.title for e in whole["find_a_mentor"]] == [
        "Seeking",
        "Seeking too",
    ]


def test_my_mentoring_shows_the_same_when_its_lists_run_to_more_pages(
    client, hub, employee, settings
):
    _attention(hub, employee)
    client.force_login(employee)
    url = reverse("wagtail_mentoring:my_mentoring")
    whole = client.get(url).content.decode()
    settings.WAGTAIL_MENTORING = {"PAGE_SIZE": 1}
    cut = client.get(url).content.decode()

    def attention(body):
        section = body.split('id="wm-attention-heading"', 1)[1].split("<section")[0]
        return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", section)

    assert attention(cut) == attention(whole)
    for words in (
        "2 new messages in Plain",
        "1 new message in Plain",
        "Tell us how Plain went",
        "Find a mentor in Seeking",
    ):
        assert words in attention(whole)
    assert "relationships=2" in cut  # the list did run to another page


def test_the_busiest_pages_keep_their_sql(client, hub, employee):
    """My mentoring, a relationship and Find a mentor run their main queries
    from SQL compiled once (wagtail_mentoring.sql): a change that makes one
    of them impossible to keep (a value worked out inside the query, a shape
    that depends on the values) shows here, not only in the load benchmark."""
    from tests.engagement_helpers import mentor
    from wagtail_mentoring import sql
    from wagtail_mentoring.engagement import selectors
    from wagtail_mentoring.matching import suggestions
    from wagtail_mentoring.matching import views as find_mentor

    made = _attention(hub, employee)
    seeking = Enrollment.objects.get(user=employee, program__title="Seeking")
    mentor(seeking.program), mentor(seeking.program)
    profile = employee.mentoring_profile
    profile.languages = ["en"]  # the rules pair people who share a language
    profile.save()
    sql.forget_all()
    client.force_login(employee)
    urls = [
        reverse("wagtail_mentoring:my_mentoring"),
        reverse("wagtail_mentoring:relationship", args=[made["talking"].pk]),
        reverse("wagtail_mentoring:find_mentor", args=[seeking.pk]),
    ]
    for url in urls * 2:
        assert client.get(url).status_code == 200
    assert 'name="mentor"' in client.get(urls[2]).content.decode()  # suggestions
    assert sql.left_to_django() == []
    for function in (
        selectors._dashboard_head,
        selectors._requests_of,
        selectors._meetings_around,
        selectors._overdue_goals,
        selectors._member_relationship,
        selectors._next_meeting,
        selectors._awaiting_feedback,
        selectors._final_feedback_of,
        selectors.goal_rows,
        selectors.feedback_rows,
        find_mentor._mentee_enrollment,
        find_mentor._requests_of,
        suggestions._changing_rows,
        suggestions._mentee_row,
        suggestions._with_people,
    ):
        assert function.kept(), function.__qualname__
