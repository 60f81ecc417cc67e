"""Community spaces: membership, discussions and moderation as services."""

from __future__ import annotations

import pytest
from django.core import mail
from wagtail.models import ModelLogEntry, PageLogEntry

from tests.community_helpers import add_member, make_space
from tests.factories import make_enrollment, make_user
from wagtail_mentoring.community import services
from wagtail_mentoring.community.models import (
    MembershipSource,
    MembershipStatus,
    Post,
    PostReport,
    Reaction,
    ReportStatus,
    SpaceMembership,
    Thread,
)
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.programs.services import (
    approve_enrollment,
    withdraw_application,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_now")]


def counts():
    return (
        SpaceMembership.objects.count(),
        Thread.objects.count(),
        Post.objects.count(),
        Reaction.objects.count(),
        PostReport.objects.count(),
        list(SpaceMembership.objects.values_list("status", flat=True)),
        list(Post.objects.values_list("body", "hidden")),
    )


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
    return services.start_thread(space, member, "Pairing tips", "How do you pair?")


# --- Membership ------------------------------------------------------------------


def test_join_open_space_and_leave(space, employee):
    membership = services.join_space(space, employee)
    assert membership.status == MembershipStatus.ACTIVE
    with pytest.raises(MentoringError, match="already a member"):
        services.join_space(space, employee)
    services.leave_space(space, employee)
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.LEFT
    # Leaving is not being removed: they may come back.
    services.join_space(space, employee)
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE


def test_request_space_needs_approval(closed_space, employee):
    before = counts()
    with pytest.raises(MentoringError, match="by request"):
        services.join_space(closed_space, employee)
    assert counts() == before
    membership = services.request_to_join(closed_space, employee, "I lead a team")
    assert membership.status == MembershipStatus.REQUESTED
    stranger = make_user("stranger")
    with pytest.raises(MentoringError, match="Only the moderators"):
        services.decide_request(membership, stranger, approve=True)
    moderator = make_user("boss")
    add_member(closed_space, moderator, role="moderator")
    services.decide_request(membership, moderator, approve=True)
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE
    with pytest.raises(MentoringError, match="already decided"):
        services.decide_request(membership, moderator, approve=False)


def test_invitation_space(hub, employee):
    space = make_space(hub, title="Board", membership_policy="invitation")
    with pytest.raises(MentoringError, match="invitation only"):
        services.join_space(space, employee)
    with pytest.raises(MentoringError, match="does not take requests"):
        services.request_to_join(space, employee)
    moderator = make_user("host")
    add_member(space, moderator, role="moderator")
    services.invite(space, employee, moderator)
    assert len(mail.outbox) == 1
    assert "invited you" in mail.outbox[0].body
    services.join_space(space, employee)
    assert SpaceMembership.objects.get(space=space, user=employee).status == "active"


def test_removed_member_cannot_rejoin(space, member, moderator):
    membership = SpaceMembership.objects.get(space=space, user=member)
    services.remove_member(membership, moderator, "Spam")
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.REMOVED
    before = counts()
    with pytest.raises(MentoringError, match="removed you"):
        services.join_space(space, member)
    assert counts() == before


def test_archived_space_is_read_only(space, member, employee):
    thread = services.start_thread(space, member, "Before", "Written before")
    space.archived = True
    space.save()
    before = counts()
    for action in (
        lambda: services.join_space(space, employee),
        lambda: services.start_thread(space, member, "After", "Too late"),
        lambda: services.reply(thread, member, "Too late"),
    ):
        with pytest.raises(MentoringError, match="archived"):
            action()
    assert counts() == before


def test_program_participants_follow_the_program(hub, program, employee, program_admin):
    space = make_space(program, title="Engineering Circle", program=program)
    enrollment = make_enrollment(employee, program)
    approve_enrollment(enrollment, program_admin)
    membership = SpaceMembership.objects.get(space=space, user=employee)
    assert membership.status == MembershipStatus.ACTIVE
    assert membership.source == MembershipSource.PROGRAM
    withdraw_application(enrollment, employee)
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.LEFT


def test_tying_a_space_to_a_program_adds_its_participants(program, employee):
    make_enrollment(employee, program, status="approved")
    pending = make_user("pending")
    make_enrollment(pending, program)
    space = make_space(program, title="Circle", program=program)
    assert set(
        SpaceMembership.objects.filter(space=space).values_list("user_id", flat=True)
    ) == {employee.pk}


def test_personal_membership_survives_leaving_the_program(
    program, employee, program_admin
):
    space = make_space(program, title="Circle", program=program)
    services.join_space(space, employee)
    enrollment = make_enrollment(employee, program)
    approve_enrollment(enrollment, program_admin)
    withdraw_application(enrollment, employee)
    assert SpaceMembership.objects.get(space=space, user=employee).status == "active"


# --- Discussions -----------------------------------------------------------------


def test_start_thread_and_reply_notifies_author(space, member, employee, thread):
    services.join_space(space, employee)
    mail.outbox.clear()
    post = services.reply(thread, employee, "Ask them about **goals**.")
    assert "<strong>goals</strong>" in post.body_html
    assert len(mail.outbox) == 1
    assert "replied" in mail.outbox[0].subject


PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "![x](https://tracker.example/pixel.png)",
    '<a href="javascript:alert(1)">x</a>',
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_html_and_script_are_never_rendered(space, member, thread, payload):
    post = services.reply(thread, member, payload)
    html = post.body_html.lower()
    assert "<script" not in html
    assert "<img" not in html
    assert "onerror=" not in html.replace("&quot;", '"').split("&lt;")[0]
    assert 'href="javascript' not in html
    assert 'href="data' not in html


def test_links_are_marked_user_content(space, member, thread):
    post = services.reply(thread, member, "[guide](https://example.com/guide)")
    assert 'href="https://example.com/guide"' in post.body_html
    assert 'rel="nofollow ugc noopener"' in post.body_html


@pytest.mark.parametrize(
    "body, message",
    [("", "Write something"), ("   \n ", "Write something"), ("x" * 10_001, "10000")],
)
def test_empty_or_oversized_posts_are_refused(space, member, thread, body, message):
    before = counts()
    with pytest.raises(MentoringError, match=message):
        services.reply(thread, member, body)
    with pytest.raises(MentoringError):
        services.start_thread(space, member, "Title", body)
    assert counts() == before


def test_thread_needs_a_title(space, member):
    before = counts()
    with pytest.raises(MentoringError, match="title"):
        services.start_thread(space, member, "  ", "Body")
    with pytest.raises(MentoringError, match="200"):
        services.start_thread(space, member, "t" * 201, "Body")
    assert counts() == before


def test_non_members_cannot_post(closed_space, employee):
    before = counts()
    with pytest.raises(MentoringError, match="Join"):
        services.start_thread(closed_space, employee, "Hi", "Hello")
    assert counts() == before


def test_mentions_notify_members_and_refuse_outsiders(space, member, thread):
    friend = make_user("friend")
    add_member(space, friend)
    outsider = make_user("outsider")
    mail.outbox.clear()
    before = counts()
    handle_out = outsider.get_username()
    with pytest.raises(MentoringError, match="only mention members") as error:
        services.reply(thread, member, f"Hi @{handle_out} and @nobody-here")
    assert f"@{handle_out.lower()}" in str(error.value)
    assert "@nobody-here" in str(error.value)
    assert counts() == before
    assert mail.outbox == []
    post = services.reply(
        thread, member, f"What do you think, @{friend.get_username()}?"
    )
    assert '<span class="wm-mention">@Friend Tester</span>' in post.body_html or (
        "wm-mention" in post.body_html
    )
    assert len(mail.outbox) == 1
    assert "mentioned you" in mail.outbox[0].subject


def test_locked_thread_refuses_replies(space, member, moderator, thread):
    with pytest.raises(MentoringError, match="Only the moderators"):
        services.set_locked(thread, member, True)
    services.set_locked(thread, moderator, True)
    before = counts()
    with pytest.raises(MentoringError, match="locked"):
        services.reply(thread, member, "Late")
    assert counts() == before


def test_helpful_is_one_per_person_and_toggles(space, member, thread):
    friend = make_user("friend")
    add_member(space, friend)
    post = thread.posts.get()
    assert services.toggle_helpful(post, friend) is True
    assert Reaction.objects.filter(post=post).count() == 1
    assert services.toggle_helpful(post, friend) is False
    assert Reaction.objects.filter(post=post).count() == 0
    with pytest.raises(MentoringError, match="own post"):
        services.toggle_helpful(post, member)


def test_mark_answered(space, member, thread, moderator):
    helper = make_user("helper")
    add_member(space, helper)
    answer = services.reply(thread, helper, "Start with goals.")
    outsider = make_user("other")
    add_member(space, outsider)
    with pytest.raises(MentoringError, match="Only who asked"):
        services.mark_answered(thread, answer, outsider)
    with pytest.raises(MentoringError, match="question itself"):
        services.mark_answered(thread, thread.posts.first(), member)
    mail.outbox.clear()
    services.mark_answered(thread, answer, member)
    thread.refresh_from_db()
    assert thread.answered_post == answer
    assert len(mail.outbox) == 1
    assert "answered" in mail.outbox[0].subject
    services.mark_answered(thread, None, moderator)
    thread.refresh_from_db()
    assert thread.answered_post is None


def test_edit_by_author_or_moderator(space, member, moderator, thread):
    post = thread.posts.get()
    other = make_user("other")
    add_member(space, other)
    with pytest.raises(MentoringError, match="Only the author"):
        services.edit_post(post, other, "Changed")
    services.edit_post(post, member, "Better *wording*")
    post.refresh_from_db()
    assert post.edited_by == member and "<em>wording</em>" in post.body_html
    services.edit_post(post, moderator, "Moderated")
    post.refresh_from_db()
    assert post.edited_by == moderator


# --- Moderation ------------------------------------------------------------------


def test_hide_keeps_the_post_and_logs(space, member, moderator, thread):
    post = thread.posts.get()
    with pytest.raises(MentoringError, match="Say why"):
        services.hide_post(post, moderator, " ")
    services.hide_post(post, moderator, "Off topic")
    post.refresh_from_db()
    assert post.hidden and post.hidden_by == moderator
    assert post.hidden_reason == "Off topic"
    assert Post.objects.filter(pk=post.pk).exists()
    assert post.body == "How do you pair?"


def test_moderators_of_one_space_have_no_power_in_another(hub, member, thread):
    other_space = make_space(hub, title="Other")
    other_mod = make_user("othermod")
    add_member(other_space, other_mod, role="moderator")
    post = thread.posts.get()
    before = counts()
    for action in (
        lambda: services.hide_post(post, other_mod, "No"),
        lambda: services.set_pinned(thread, other_mod, True),
        lambda: services.set_locked(thread, other_mod, True),
        lambda: services.remove_member(
            SpaceMembership.objects.get(user=member), other_mod
        ),
        lambda: services.edit_post(post, other_mod, "Mine now"),
    ):
        with pytest.raises(MentoringError):
            action()
    assert counts() == before


def test_program_admins_and_the_community_team_moderate(
    program, program_admin, other_program_admin
):
    space = make_space(program, title="Circle", program=program)
    author = make_user("writer")
    add_member(space, author)
    thread = services.start_thread(space, author, "Hello", "First post")
    post = thread.posts.get()
    with pytest.raises(MentoringError):
        services.hide_post(post, other_program_admin, "No")
    services.hide_post(post, program_admin, "Duplicate")
    team = make_user("team", perms=["wagtail_mentoring.moderate_all_spaces"])
    services.unhide_post(post, team)
    post.refresh_from_db()
    assert not post.hidden


def test_report_and_decide(space, member, moderator, thread):
    reporter = make_user("reporter")
    add_member(space, reporter)
    post = thread.posts.get()
    before = counts()
    with pytest.raises(MentoringError, match="what is wrong"):
        services.report_post(post, reporter, "")
    with pytest.raises(MentoringError, match="1000"):
        services.report_post(post, reporter, "x" * 1001)
    assert counts() == before
    report = services.report_post(post, reporter, "Insulting")
    with pytest.raises(MentoringError, match="already"):
        services.report_post(post, reporter, "Again")
    with pytest.raises(MentoringError, match="Only the moderators"):
        services.decide_report(report, member, hide=True)
    services.decide_report(report, moderator, hide=True)
    report.refresh_from_db()
    post.refresh_from_db()
    assert report.status == ReportStatus.HIDDEN and report.decided_by == moderator
    assert post.hidden and post.hidden_reason == "Insulting"
    assert ModelLogEntry.objects.filter(
        action="wagtail_mentoring.space.report_decide", user=moderator
    ).exists()
    assert not PageLogEntry.objects.filter(
        action__startswith="wagtail_mentoring.space"
    ).exists()
