"""The relationship space on the intranet: who sees what, forms, escaping,
and constant query counts as data grows."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.engagement_helpers import mentee, mentor, pair, self_select, soon
from tests.factories import make_user
from wagtail_mentoring.engagement import services
from wagtail_mentoring.engagement.models import Goal, Meeting, Message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_now")]


@pytest.fixture
def relationship(program, employee, other_employee):
    return pair(program, employee, other_employee)


@pytest.fixture
def activity(relationship, employee):
    meeting = services.schedule_meeting(
        relationship, employee, title="Chat", starts_at=soon()
    )
    goal = services.create_goal(
        relationship,
        employee,
        title="Ship it",
        target_date=timezone.localdate() + timedelta(days=20),
    )
    message = services.send_message(relationship, employee, body="Hello")
    services.save_meeting_notes(meeting, employee, notes="PRIVATE-NOTES")
    return meeting, goal, message


def _urls(relationship, meeting, goal):
    pk = relationship.pk
    name = "wagtail_mentoring:"
    return [
        reverse(name + "relationship", args=[pk]),
        reverse(name + "meetings", args=[pk]),
        reverse(name + "meeting_new", args=[pk]),
        reverse(name + "meeting_log", args=[pk]),
        reverse(name + "meeting_detail", args=[pk, meeting.pk]),
        reverse(name + "meeting_edit", args=[pk, meeting.pk]),
        reverse(name + "meeting_cancel", args=[pk, meeting.pk]),
        reverse(name + "meeting_ics", args=[pk, meeting.pk]),
        reverse(name + "goal_new", args=[pk]),
        reverse(name + "goal_detail", args=[pk, goal.pk]),
        reverse(name + "goal_edit", args=[pk, goal.pk]),
        reverse(name + "messages", args=[pk]),
        reverse(name + "final_feedback", args=[pk]),
        reverse(name + "end_relationship", args=[pk]),
        reverse(name + "request_rematch", args=[pk]),
        reverse(name + "extend_relationship", args=[pk]),
    ]


def test_members_see_every_page(client, relationship, activity, employee):
    meeting, goal, _message = activity
    client.force_login(employee)
    for url in _urls(relationship, meeting, goal):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["anonymous", "outsider", "program_admin"])
def test_outsiders_get_login_or_404(who, client, relationship, activity, program_admin):
    meeting, goal, _message = activity
    if who == "outsider":
        client.force_login(make_user())
    elif who == "program_admin":
        # Admins see activity metadata in the Wagtail admin, never the space.
        client.force_login(program_admin)
    for url in _urls(relationship, meeting, goal):
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302, url
            assert response["Location"].startswith(settings.LOGIN_URL)
        else:
            assert response.status_code == 404, url
        response = client.post(url, {"body": "x", "reason": "x", "notes": "x"})
        assert response.status_code in (302, 404), url
    assert Message.objects.count() == 1
    meeting.refresh_from_db()
    assert meeting.notes == "PRIVATE-NOTES" and meeting.status == "scheduled"


def test_guessed_ids_inside_my_own_relationship_are_404(
    client, program, relationship, activity, employee
):
    """Another pair's meeting or goal under my relationship's URL: 404."""
    theirs = pair(program)
    member = theirs.members.first().user
    their_meeting = services.schedule_meeting(
        theirs, member, title="Theirs", starts_at=soon()
    )
    their_goal = services.create_goal(
        theirs,
        member,
        title="Theirs",
        target_date=timezone.localdate() + timedelta(days=7),
    )
    client.force_login(employee)
    pk = relationship.pk
    for url in [
        reverse("wagtail_mentoring:meeting_detail", args=[pk, their_meeting.pk]),
        reverse("wagtail_mentoring:meeting_ics", args=[pk, their_meeting.pk]),
        reverse("wagtail_mentoring:goal_detail", args=[pk, their_goal.pk]),
        reverse("wagtail_mentoring:relationship", args=[theirs.pk]),
        reverse("wagtail_mentoring:messages", args=[theirs.pk]),
    ]:
        assert client.get(url).status_code == 404, url


def test_schedule_through_the_form_uses_the_chosen_time_zone(
    client, program, relationship, employee
):
    program.conversation_prompts = [("prompt", "What energised you this month?")]
    program.save()
    client.force_login(employee)
    url = reverse("wagtail_mentoring:meeting_new", args=[relationship.pk])
    page = client.get(url)
    assert "What energised you this month?" in page.content.decode()
    when = (timezone.now() + timedelta(days=5)).strftime("%Y-%m-%d")
    response = client.post(
        url,
        {
            "title": "Kick-off",
            "starts_at": f"{when}T09:30",
            "timezone": "America/New_York",
            "duration_minutes": "30",
            "location": "",
            "agenda": "- Goals",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    local = timezone.localtime(
        meeting.starts_at, meeting_tz := _zone("America/New_York")
    )
    assert (local.hour, local.minute) == (9, 30) and meeting_tz
    assert meeting.timezone == "America/New_York"


def _zone(name):
    import zoneinfo

    return zoneinfo.ZoneInfo(name)


def test_bad_meeting_form_keeps_input_and_saves_nothing(client, relationship, employee):
    client.force_login(employee)
    response = client.post(
        reverse("wagtail_mentoring:meeting_new", args=[relationship.pk]),
        {
            "title": "Oops",
            "starts_at": "2001-01-01T10:00",
            "timezone": "Europe/Berlin",
            "duration_minutes": "30",
        },
    )
    assert response.status_code == 400
    assert "Meetings must start in the future." in response.content.decode()
    assert 'value="Oops"' in response.content.decode()
    assert not Meeting.objects.exists()


def test_user_text_is_escaped(client, relationship, employee, other_employee):
    services.send_message(relationship, employee, body="<script>alert(1)</script>")
    goal = services.create_goal(
        relationship,
        employee,
        title="<img src=x onerror=alert(1)>",
        target_date=timezone.localdate() + timedelta(days=7),
    )
    client.force_login(other_employee)
    body = client.get(
        reverse("wagtail_mentoring:messages", args=[relationship.pk])
    ).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    body = client.get(
        reverse("wagtail_mentoring:relationship", args=[relationship.pk])
    ).content.decode()
    assert "<img src=x" not in body and goal.title not in body


def test_check_in_through_the_form(client, relationship, employee):
    goal = services.create_goal(
        relationship,
        employee,
        title="Ship",
        target_date=timezone.localdate() + timedelta(days=7),
    )
    client.force_login(employee)
    url = reverse("wagtail_mentoring:goal_detail", args=[relationship.pk, goal.pk])
    assert client.post(url, {"progress": "150"}).status_code == 400
    assert client.post(url, {"progress": "60", "note": "Halfway"}).status_code == 302
    goal.refresh_from_db()
    assert goal.progress == 60 and goal.check_ins.count() == 1


def test_reading_the_thread_clears_the_unread_count(
    client, relationship, employee, other_employee
):
    services.send_message(relationship, employee, body="Hi there")
    client.force_login(other_employee)
    dashboard = reverse("wagtail_mentoring:my_mentoring")
    assert "1 new message" in client.get(dashboard).content.decode()
    thread = reverse("wagtail_mentoring:messages", args=[relationship.pk])
    # Opening the thread changes nothing by itself (a GET never does): the page
    # posts the visit, as mentoring.js does once it is shown.
    page = client.get(thread).content.decode()
    assert "1 new message" in client.get(dashboard).content.decode()
    assert 'name="action" value="read"' in page and "data-wm-record-visit" in page
    response = client.post(thread, {"action": "read"}, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 204
    assert "new message" not in client.get(dashboard).content.decode()
    assert "data-wm-record-visit" not in client.get(thread).content.decode()


def test_dashboard_puts_what_needs_attention_first(client, program, employee):
    self_select(program)
    me = mentee(program, "mira")
    mine = mentor(program, "max")
    services.send_request(me, mine, me.user, note="Please <b>help</b>")
    client.force_login(mine.user)
    body = client.get(reverse("wagtail_mentoring:my_mentoring")).content.decode()
    assert body.index("Needs your attention") < body.index("My relationships")
    assert "Requests waiting for your answer" in body
    assert "Please &lt;b&gt;help&lt;/b&gt;" in body
    client.force_login(me.user)
    body = client.get(reverse("wagtail_mentoring:my_mentoring")).content.decode()
    assert "Your requests to mentors" in body


def _grow(program, employee, n):
    """Give ``employee`` n more relationships with meetings, goals, messages,
    and n more requests to answer."""
    self_select(program, max_requests=10)
    for _ in range(n):
        other = make_user()
        rel = pair(program, employee, other)
        services.schedule_meeting(rel, other, title="M", starts_at=soon(2))
        services.create_goal(
            rel,
            employee,
            title="G",
            target_date=timezone.localdate() + timedelta(days=7),
        )
        services.send_message(rel, other, body="hi")
        asker = mentee(program)
        target = mentor(program, capacity=3)
        services.send_request(asker, target, asker.user)
    # Requests addressed to the employee (as a mentor), too.
    from tests.factories import make_enrollment
    from wagtail_mentoring.programs.models import Enrollment

    me_as_mentor = Enrollment.objects.filter(user=employee, role="mentor").first()
    me_as_mentor = me_as_mentor or make_enrollment(
        employee, program, "mentor", status="approved", capacity=50
    )
    for _ in range(n):
        asker = mentee(program)
        services.send_request(asker, me_as_mentor, asker.user)


def test_dashboard_queries_stay_constant(
    client, program, employee, django_assert_max_num_queries
):
    client.force_login(employee)
    url = reverse("wagtail_mentoring:my_mentoring")
    _grow(program, employee, 2)
    client.get(url)
    with django_assert_max_num_queries(30) as small:
        client.get(url)
    _grow(program, employee, 6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("wm-card") >= 8


def test_space_list_pages_queries_stay_constant(
    client,
    program,
    relationship,
    employee,
    other_employee,
    django_assert_max_num_queries,
):
    client.force_login(employee)
    pk = relationship.pk
    urls = [
        reverse("wagtail_mentoring:relationship", args=[pk]),
        reverse("wagtail_mentoring:meetings", args=[pk]),
        reverse("wagtail_mentoring:messages", args=[pk]),
    ]

    def grow(n):
        for i in range(n):
            services.schedule_meeting(
                relationship, employee, title=f"M{i}", starts_at=soon(i + 1)
            )
            goal = services.create_goal(
                relationship,
                other_employee,
                title=f"G{i}",
                target_date=timezone.localdate() + timedelta(days=7),
            )
            services.check_in_goal(goal, employee, progress=10)
            services.send_message(relationship, other_employee, body=f"m{i}")

    grow(2)
    counts = {}
    for url in urls:
        client.get(url)
        with django_assert_max_num_queries(30) as captured:
            client.get(url)
        counts[url] = len(captured.captured_queries)
    grow(8)
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200
    assert Goal.objects.count() == 10
