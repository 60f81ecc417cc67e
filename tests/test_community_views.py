"""Community spaces over HTTP: pages, forms, refusals and query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.community_helpers import add_member, make_space
from tests.factories import make_user
from wagtail_mentoring.community import services
from wagtail_mentoring.community.models import PostReport, SpaceMembership

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_now")]


def url(name, *args):
    return reverse(f"wagtail_mentoring:community_{name}", args=args)


@pytest.fixture
def space(hub):
    return make_space(hub, title="Open Space")


@pytest.fixture
def closed_space(hub):
    return make_space(hub, title="Leaders Circle", membership_policy="request")


@pytest.fixture
def member(space):
    user = make_user("mia")
    add_member(space, user)
    return user


@pytest.fixture
def moderator(space):
    user = make_user("mod")
    add_member(space, user, role="moderator")
    return user


@pytest.fixture
def thread(space, member):
    return services.start_thread(space, member, "Pairing tips", "How do you **pair**?")


def test_space_page_shows_join_then_discussions(client, space, employee, thread):
    client.force_login(employee)
    page = client.get(space.url)
    assert page.status_code == 200
    assert "Join this space" in page.content.decode()
    assert "Pairing tips" in page.content.decode()  # open: readable by anyone
    response = client.post(url("join", space.pk))
    assert response.status_code == 302
    assert SpaceMembership.objects.get(space=space, user=employee).status == "active"
    page = client.get(space.url)
    assert "Start a discussion" in page.content.decode()


def test_closed_space_hides_discussions(client, closed_space, employee):
    insider = make_user("insider")
    add_member(closed_space, insider)
    thread = services.start_thread(closed_space, insider, "Secret plans", "Hush")
    client.force_login(employee)
    page = client.get(closed_space.url)
    assert page.status_code == 200
    assert "Secret plans" not in page.content.decode()
    assert "Ask to join" in page.content.decode()
    post = thread.posts.get()
    for name, args in [
        ("thread", (closed_space.pk, thread.pk)),
        ("new_thread", (closed_space.pk,)),
        ("search", (closed_space.pk,)),
        ("report_post", (closed_space.pk, post.pk)),
        ("edit_post", (closed_space.pk, post.pk)),
    ]:
        assert client.get(url(name, *args)).status_code == 404, name
    response = client.post(url("ask", closed_space.pk), {"message": "Please"})
    assert response.status_code == 302
    assert SpaceMembership.objects.get(user=employee).status == "requested"


def test_anonymous_is_sent_to_sign_in(client, space, thread):
    response = client.get(url("thread", space.pk, thread.pk))
    assert response.status_code == 302 and "login" in response["Location"]


def test_reply_and_bad_input(client, space, member, thread):
    client.force_login(member)
    response = client.post(url("reply", space.pk, thread.pk), {"body": "Thanks!"})
    assert response.status_code == 302
    assert thread.posts.count() == 2
    for body, message in [
        ("", "Write something first."),
        ("x" * 10_001, "limited to 10000 characters"),
        ("Hi @nobody", "You can only mention members of this space"),
    ]:
        response = client.post(url("reply", space.pk, thread.pk), {"body": body})
        assert response.status_code == 400
        assert message in response.content.decode()
    assert thread.posts.count() == 2


def test_script_in_a_post_is_shown_as_text(client, space, member, thread):
    client.force_login(member)
    client.post(
        url("reply", space.pk, thread.pk),
        {"body": "<script>alert('x')</script> [a](javascript:alert(1))"},
    )
    page = client.get(url("thread", space.pk, thread.pk)).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page
    assert 'href="javascript' not in page


def test_locked_thread_refuses_reply_over_http(
    client, space, member, moderator, thread
):
    services.set_locked(thread, moderator, True)
    client.force_login(member)
    response = client.post(url("reply", space.pk, thread.pk), {"body": "Late"})
    assert response.status_code == 400
    assert "locked" in response.content.decode()
    assert thread.posts.count() == 1


def test_hidden_posts_are_invisible_to_members_marked_for_moderators(
    client, space, member, moderator, thread
):
    reply = services.reply(thread, moderator, "Buy cheap watches")
    client.force_login(moderator)
    response = client.post(
        url("hide_post", space.pk, reply.pk), {"action": "hide", "reason": "Spam"}
    )
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.hidden
    page = client.get(url("thread", space.pk, thread.pk)).content.decode()
    assert "Buy cheap watches" in page and "Only moderators see this post" in page
    client.force_login(member)
    page = client.get(url("thread", space.pk, thread.pk)).content.decode()
    assert "Buy cheap watches" not in page
    assert client.get(url("report_post", space.pk, reply.pk)).status_code == 404
    results = client.get(url("search", space.pk), {"q": "watches"}).content.decode()
    assert "Buy cheap watches" not in results


def test_report_form(client, space, member, thread):
    reporter = make_user("rita")
    add_member(space, reporter)
    post = thread.posts.get()
    client.force_login(reporter)
    response = client.post(url("report_post", space.pk, post.pk), {"reason": ""})
    assert response.status_code == 400
    assert PostReport.objects.count() == 0
    response = client.post(url("report_post", space.pk, post.pk), {"reason": "Rude"})
    assert response.status_code == 302
    assert PostReport.objects.get().reason == "Rude"


def test_members_page_is_for_moderators_only(client, space, member, moderator):
    client.force_login(member)
    assert client.get(url("members", space.pk)).status_code == 404
    client.force_login(moderator)
    page = client.get(url("members", space.pk))
    assert page.status_code == 200
    invitee = make_user("ivan")
    response = client.post(url("members", space.pk), {"handle": invitee.get_username()})
    assert response.status_code == 302
    assert SpaceMembership.objects.get(user=invitee).status == "invited"
    response = client.post(url("members", space.pk), {"handle": "nobody-at-all"})
    assert response.status_code == 400


def test_search_finds_posts_in_this_space_only(client, hub, space, member, thread):
    services.reply(thread, member, "Mentoring across time zones is hard")
    other = make_space(hub, title="Other")
    stranger = make_user("stan")
    add_member(other, stranger)
    services.start_thread(other, stranger, "Zones", "time zones elsewhere")
    client.force_login(member)
    page = client.get(url("search", space.pk), {"q": "zones"}).content.decode()
    assert "Mentoring across time zones" in page
    assert "elsewhere" not in page


def _fill(space, threads: int, replies: int):
    authors = [make_user(f"a{space.pk}x{i}") for i in range(3)]
    for author in authors:
        add_member(space, author)
    for t in range(threads):
        thread = services.start_thread(space, authors[t % 3], f"Topic {t}", "Opening")
    for r in range(replies):
        services.reply(thread, authors[r % 3], f"Reply {r}")
    return thread


def _queries(client, path) -> int:
    client.get(path)  # warm the per-process caches (site root paths)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_thread_list_queries_do_not_grow_with_threads(client, hub, member):
    small = make_space(hub, title="Small")
    large = make_space(hub, title="Large")
    _fill(small, threads=2, replies=0)
    _fill(large, threads=20, replies=0)
    client.force_login(make_user("reader"))
    few, small_page = _queries(client, small.url)
    many, large_page = _queries(client, large.url)
    assert small_page.count("wm-threads__item") == 2
    assert large_page.count("wm-threads__item") == 20
    assert few == many
    assert many <= 20


def test_thread_page_queries_do_not_grow_with_replies(client, hub):
    small = make_space(hub, title="Small")
    large = make_space(hub, title="Large")
    short = _fill(small, threads=1, replies=2)
    long = _fill(large, threads=1, replies=20)
    reader = make_user("reader")
    add_member(small, reader)
    add_member(large, reader)
    # Reactions are counted and "mine" is marked in the same query.
    for post in long.posts.all()[:10]:
        services.toggle_helpful(post, reader)
    client.force_login(reader)
    few, short_page = _queries(client, url("thread", small.pk, short.pk))
    many, long_page = _queries(client, url("thread", large.pk, long.pk))
    assert short_page.count('<li class="wm-post') == 3
    assert long_page.count('<li class="wm-post') == 21
    assert long_page.count('aria-pressed="true"') == 10
    assert few == many
    assert many <= 16
