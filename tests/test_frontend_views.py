"""Front-end screens: apply, My mentoring, withdraw — and who may do what."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from tests.factories import make_enrollment, make_user
from wagtail_mentoring.people.models import Skill
from wagtail_mentoring.programs.models import Enrollment, EnrollmentStatus

pytestmark = pytest.mark.django_db

APPLY = "apply/"


def _apply_data(**overrides):
    data = {
        "role": "mentee",
        "motivation": "I want to learn system design.",
        "profile-title": "Engineer",
        "profile-level": "3",
        "profile-department": "Engineering",
        "profile-location": "Berlin",
        "profile-timezone": "Europe/Berlin",
        "profile-languages": ["en", "de"],
        "profile-availability": ["mon_am", "wed_pm"],
        "profile-goals": "Lead a team",
    }
    data.update(overrides)
    return data


def test_anonymous_users_go_to_the_hosts_login(client, program):
    for url in (program.url + APPLY, reverse("wagtail_mentoring:my_mentoring")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(settings.LOGIN_URL)
        assert "next=" in response["Location"]


def test_program_page_shows_apply_link_and_closed_state(client, program):
    response = client.get(program.url)
    assert b"Sign in to apply" in response.content
    program.enrollment_closes_at = program.enrollment_opens_at
    program.enrollment_opens_at = None
    program.save()
    response = client.get(program.url)
    assert b"Applications for this program are closed" in response.content


def test_employee_applies_and_completes_profile(client, employee, program):
    skill = Skill.objects.create(name="Python")
    client.force_login(employee)
    response = client.get(program.url + APPLY)
    assert response.status_code == 200
    assert b'name="profile-timezone"' in response.content
    response = client.post(
        program.url + APPLY, _apply_data(**{"profile-skills_wanted": [skill.pk]})
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtail_mentoring:my_mentoring")
    enrollment = Enrollment.objects.get(user=employee)
    assert enrollment.role == "mentee"
    assert enrollment.status == EnrollmentStatus.PENDING
    profile = employee.mentoring_profile
    profile.refresh_from_db()
    assert profile.languages == ["en", "de"]
    assert list(profile.skills_wanted.all()) == [skill]

    response = client.get(reverse("wagtail_mentoring:my_mentoring"))
    assert program.title.encode() in response.content
    assert b"Pending review" in response.content
    assert b"Thank you, your application" in response.content


def test_application_questions_are_asked_and_stored(client, employee, hub):
    from tests.factories import make_program

    program = make_program(
        hub,
        application_questions=[
            ("long_answer", {"label": "What do you hope to learn?", "required": True}),
            (
                "choice",
                {
                    "label": "Cadence?",
                    "required": True,
                    "choices": ["Weekly", "Monthly"],
                    "multiple": False,
                },
            ),
        ],
    )
    question_ids = [block.id for block in program.application_questions]
    client.force_login(employee)
    response = client.post(program.url + APPLY, _apply_data())
    assert response.status_code == 400
    assert b"This field is required" in response.content
    assert not Enrollment.objects.exists()
    response = client.post(
        program.url + APPLY,
        _apply_data(
            **{f"q_{question_ids[0]}": "Design", f"q_{question_ids[1]}": "Weekly"}
        ),
    )
    assert response.status_code == 302
    enrollment = Enrollment.objects.get()
    assert enrollment.answers == {question_ids[0]: "Design", question_ids[1]: "Weekly"}
    assert enrollment.answer_items() == [
        ("What do you hope to learn?", "Design"),
        ("Cadence?", "Weekly"),
    ]


def test_bad_input_keeps_what_was_typed_and_saves_nothing(client, employee, program):
    client.force_login(employee)
    response = client.post(
        program.url + APPLY,
        _apply_data(
            **{"profile-timezone": "Mars/Olympus", "motivation": "<b>keep</b>"}
        ),
    )
    assert response.status_code == 400
    assert escape("<b>keep</b>").encode() in response.content
    assert b"<b>keep</b>" not in response.content
    assert not Enrollment.objects.exists()
    employee.mentoring_profile.refresh_from_db()
    assert employee.mentoring_profile.timezone == "Europe/Berlin"


def test_duplicate_application_shows_a_clear_error(client, employee, program):
    make_enrollment(employee, program, role="mentee")
    client.force_login(employee)
    response = client.post(program.url + APPLY, _apply_data())
    assert response.status_code == 400
    assert b"already applied" in response.content
    assert Enrollment.objects.count() == 1


def test_role_not_offered_is_a_form_error(client, employee, program):
    client.force_login(employee)
    response = client.post(program.url + APPLY, _apply_data(role="sponsor"))
    assert response.status_code == 400
    assert not Enrollment.objects.exists()


def test_withdraw_own_application(client, employee, program):
    enrollment = make_enrollment(employee, program)
    client.force_login(employee)
    url = reverse("wagtail_mentoring:withdraw_application", args=[enrollment.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert b"was withdrawn" in response.content
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.WITHDRAWN


def test_withdrawing_someone_elses_application_is_not_found(
    client, employee, other_employee, program
):
    enrollment = make_enrollment(other_employee, program)
    url = reverse("wagtail_mentoring:withdraw_application", args=[enrollment.pk])
    assert client.post(url).status_code == 302  # anonymous: to login
    client.force_login(employee)
    assert client.post(url).status_code == 404
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.PENDING


def test_my_mentoring_lists_only_my_things_with_constant_queries(
    client, employee, other_employee, program, hub, django_assert_max_num_queries
):
    from tests.factories import make_program
    from wagtail_mentoring.programs import services

    make_enrollment(other_employee, program)
    client.force_login(employee)
    url = reverse("wagtail_mentoring:my_mentoring")
    response = client.get(url)
    assert b"You have not applied to any program yet" in response.content
    assert b"not in a mentoring relationship yet" in response.content

    def add_data(n):
        for _ in range(n):
            p = make_program(hub)
            make_enrollment(employee, p)
            partner = make_user()
            services.start_relationship(
                p, [(employee, "mentee"), (partner, "mentor")], partner
            )

    add_data(2)
    # 20, and My network: the people, the spaces and programs to join (each
    # with its query of page view restrictions).
    with django_assert_max_num_queries(25) as small:
        client.get(url)
    add_data(6)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)
    assert response.content.count(b"wm-tag--pending") == 8
    assert b"Oscar" not in response.content


def test_inactive_user_cannot_apply(client, program):
    user = make_user(
        "quitter", profile={"level": 2, "department": "x", "timezone": "UTC"}
    )
    client.force_login(user)
    user.is_active = False
    user.save()
    response = client.post(program.url + APPLY, _apply_data())
    # Django logs inactive users out (ModelBackend); either way nothing is written.
    assert response.status_code in (302, 400)
    assert not Enrollment.objects.exists()
