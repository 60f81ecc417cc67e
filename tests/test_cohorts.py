"""Cohorts: opening them, who joins which on apply, moving people, matching a
cohort only, and the admin screens (scoped to the programs one administers)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from tests.factories import make_enrollment, make_user
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.matching import runs
from wagtail_mentoring.matching import services as matching
from wagtail_mentoring.programs import cohorts, services, signals
from wagtail_mentoring.programs.models import Cohort, Enrollment, EnrollmentStatus

pytestmark = pytest.mark.django_db

APPROVED = EnrollmentStatus.APPROVED
TODAY = timezone.localdate()


def _state():
    return (
        list(Cohort.objects.values_list("pk", "name", "starts_on")),
        list(Enrollment.objects.values_list("pk", "cohort_id").order_by("pk")),
        ModelLogEntry.objects.count(),
    )


@pytest.fixture
def spring(program, program_admin):
    return cohorts.create_cohort(
        program, program_admin, name="Spring 2027", starts_on=TODAY + timedelta(30)
    )


@pytest.fixture
def autumn(program, program_admin, spring):
    return cohorts.create_cohort(
        program, program_admin, name="Autumn 2027", starts_on=TODAY + timedelta(200)
    )


def test_create_cohort_logs_it_and_announces_it(program, program_admin):
    seen = []

    def receiver(sender, cohort, by, **kwargs):
        seen.append((cohort.name, by.pk))

    signals.cohort_created.connect(receiver)
    try:
        cohort = cohorts.create_cohort(
            program, program_admin, name="  Spring 2027 ", starts_on=date(2027, 3, 1)
        )
    finally:
        signals.cohort_created.disconnect(receiver)
    assert cohort.name == "Spring 2027"
    assert cohort.created_by == program_admin
    assert seen == [("Spring 2027", program_admin.pk)]
    entry = ModelLogEntry.objects.get(action="wagtail_mentoring.cohort.create")
    assert entry.object_id == str(cohort.pk)


def test_the_first_cohort_takes_in_earlier_live_applications(
    program, program_admin, employee, other_employee
):
    live = make_enrollment(employee, program, status=APPROVED)
    gone = make_enrollment(other_employee, program, status="withdrawn")
    cohort = cohorts.create_cohort(
        program, program_admin, name="First", starts_on=date(2027, 1, 1)
    )
    live.refresh_from_db()
    gone.refresh_from_db()
    assert live.cohort == cohort
    assert gone.cohort is None


@pytest.mark.parametrize(
    ("name", "starts_on", "code"),
    [
        ("", date(2027, 1, 1), "name"),
        ("   ", date(2027, 1, 1), "name"),
        ("x" * 101, date(2027, 1, 1), "name"),
        ("Spring", None, "starts_on"),
        ("Spring", "2027-01-01", "starts_on"),
        ("spring 2027", date(2027, 1, 1), "duplicate"),
    ],
)
def test_bad_cohort_input_writes_nothing(
    program, program_admin, spring, name, starts_on, code
):
    before = _state()
    with pytest.raises(MentoringError) as refused:
        cohorts.create_cohort(program, program_admin, name=name, starts_on=starts_on)
    assert refused.value.code == code
    assert _state() == before


@pytest.mark.parametrize("who", ["employee", "other_program_admin"])
def test_only_the_programs_admins_open_or_change_its_cohorts(
    request, program, spring, who
):
    actor = request.getfixturevalue(who)
    before = _state()
    with pytest.raises(MentoringError):
        cohorts.create_cohort(program, actor, name="Mine", starts_on=TODAY)
    with pytest.raises(MentoringError):
        cohorts.update_cohort(spring, actor, name="Renamed", starts_on=TODAY)
    assert _state() == before


def test_update_cohort(program_admin, spring):
    cohorts.update_cohort(
        spring, program_admin, name="Spring intake", starts_on=date(2027, 4, 1)
    )
    spring.refresh_from_db()
    assert (spring.name, spring.starts_on) == ("Spring intake", date(2027, 4, 1))


def test_apply_joins_the_next_cohort_to_start(program, spring, autumn, employee):
    enrollment = services.apply_to_program(employee, program, "mentee")
    assert enrollment.cohort == spring


def test_apply_joins_the_latest_cohort_when_all_have_started(
    program, program_admin, employee
):
    old = cohorts.create_cohort(
        program, program_admin, name="Old", starts_on=TODAY - timedelta(300)
    )
    recent = cohorts.create_cohort(
        program, program_admin, name="Recent", starts_on=TODAY - timedelta(10)
    )
    assert cohorts.current_cohort(program) == recent
    enrollment = services.apply_to_program(employee, program, "mentee")
    assert enrollment.cohort == recent != old


def test_a_program_without_cohorts_leaves_applications_without_one(program, employee):
    enrollment = services.apply_to_program(employee, program, "mentee")
    assert enrollment.cohort is None


def test_participants_changed_is_sent_on_apply_decide_move_and_withdraw(
    program, program_admin, spring, autumn, employee
):
    seen = []

    def receiver(sender, cohort_ids, user_ids, **kwargs):
        seen.append((tuple(cohort_ids), tuple(user_ids)))

    signals.cohort_participants_changed.connect(receiver)
    try:
        enrollment = services.apply_to_program(employee, program, "mentee")
        services.approve_enrollment(enrollment, program_admin)
        cohorts.move_to_cohort([enrollment], autumn, program_admin)
        services.withdraw_application(enrollment, employee)
    finally:
        signals.cohort_participants_changed.disconnect(receiver)
    me = (employee.pk,)
    assert seen == [
        ((spring.pk,), me),
        ((spring.pk,), me),
        (tuple(sorted([spring.pk, autumn.pk])), me),
        ((autumn.pk,), me),
    ]


def test_move_to_cohort_moves_and_logs(
    program, program_admin, spring, autumn, employee
):
    enrollment = make_enrollment(employee, program, status=APPROVED, cohort=spring)
    cohorts.move_to_cohort([enrollment], autumn, program_admin)
    enrollment.refresh_from_db()
    assert enrollment.cohort == autumn
    entry = ModelLogEntry.objects.get(action="wagtail_mentoring.cohort.move")
    assert entry.data == {"previous": spring.pk, "cohort": autumn.pk}


def test_move_refuses_another_programs_application_and_writes_nothing(
    program, other_program, program_admin, spring, employee, superuser
):
    mine = make_enrollment(employee, program, status=APPROVED)
    theirs = make_enrollment(employee, other_program, status=APPROVED)
    before = _state()
    with pytest.raises(MentoringError) as refused:
        cohorts.move_to_cohort([mine, theirs], spring, superuser)
    assert refused.value.code == "other_program"
    assert _state() == before


def test_move_refuses_withdrawn_applications_and_outsiders(
    program, program_admin, other_program_admin, spring, employee
):
    gone = make_enrollment(employee, program, status="withdrawn")
    before = _state()
    with pytest.raises(MentoringError) as refused:
        cohorts.move_to_cohort([gone], spring, program_admin)
    assert refused.value.code == "not_live"
    live = make_enrollment(employee, program, status=APPROVED)
    before = _state()
    with pytest.raises(MentoringError):
        cohorts.move_to_cohort([live], spring, other_program_admin)
    with pytest.raises(MentoringError) as refused:
        cohorts.move_to_cohort([], spring, program_admin)
    assert refused.value.code == "empty"
    assert _state() == before


# --- Matching a cohort only ------------------------------------------------------


def _profile(**kwargs):
    return {"level": 3, "department": "Eng", "timezone": "UTC", "languages": ["en"]} | (
        kwargs
    )


def test_a_run_limited_to_a_cohort_matches_only_its_people(
    program, spring, autumn, superuser
):
    people = {}
    for cohort in (spring, autumn):
        mentor = make_user(f"mentor_{cohort.pk}", profile=_profile(level=6))
        mentee = make_user(f"mentee_{cohort.pk}", profile=_profile())
        make_enrollment(
            mentor, program, "mentor", status=APPROVED, capacity=2, cohort=cohort
        )
        make_enrollment(mentee, program, "mentee", status=APPROVED, cohort=cohort)
        people[cohort.pk] = {mentor.pk, mentee.pk}
    run = matching.start_run(program, superuser, enqueue=False, cohort=autumn)
    run = runs.execute_run(run.pk)
    assert run.status == "succeeded", run.error
    assert run.cohort == autumn
    matched = set()
    for proposal in run.proposals.select_related("mentee", "mentor"):
        matched |= {proposal.mentee.user_id, proposal.mentor.user_id}
    assert matched == people[autumn.pk]
    assert run.stats["mentees"] == 1


def test_a_run_refuses_another_programs_cohort(
    program, other_program, superuser, spring
):
    from wagtail_mentoring.matching.models import MatchingRun

    with pytest.raises(MentoringError) as refused:
        matching.start_run(other_program, superuser, enqueue=False, cohort=spring)
    assert refused.value.code == "other_program"
    assert not MatchingRun.objects.exists()


# --- Admin ---------------------------------------------------------------------------


def test_cohort_listing_shows_only_administered_programs(
    client, program, other_program, program_admin, superuser, spring
):
    cohorts.create_cohort(
        other_program, superuser, name="Sales intake", starts_on=TODAY
    )
    client.force_login(program_admin)
    response = client.get(reverse("wm_cohorts:index"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Spring 2027" in body
    assert "Sales intake" not in body


def test_cohort_listing_query_count_is_constant(
    client, program, program_admin, django_assert_max_num_queries
):
    for n in range(12):
        cohorts.create_cohort(
            program, program_admin, name=f"Intake {n}", starts_on=TODAY
        )
        make_enrollment(make_user(), program, status=APPROVED, cohort_id=None)
    client.force_login(program_admin)
    with django_assert_max_num_queries(30):
        assert client.get(reverse("wm_cohorts:index")).status_code == 200


def test_adding_a_cohort_in_the_admin_goes_through_the_service(
    client, program, program_admin, other_program
):
    client.force_login(program_admin)
    url = reverse("wm_cohorts:add")
    response = client.post(
        url, {"program": program.pk, "name": "Spring 2027", "starts_on": "2027-03-01"}
    )
    assert response.status_code == 302
    cohort = Cohort.objects.get()
    assert cohort.created_by == program_admin
    # Another program is not a choice, and the same name twice is refused.
    response = client.post(
        url,
        {"program": other_program.pk, "name": "Other", "starts_on": "2027-03-01"},
    )
    assert response.status_code == 200
    response = client.post(
        url, {"program": program.pk, "name": "spring 2027", "starts_on": "2027-03-01"}
    )
    assert "already has a cohort named" in response.content.decode()
    assert Cohort.objects.count() == 1


def test_another_programs_cohort_is_not_found(client, other_program_admin, spring):
    client.force_login(other_program_admin)
    response = client.get(reverse("wm_cohorts:edit", args=[spring.pk]))
    assert response.status_code == 404


def test_applications_filter_by_cohort(
    client, program, program_admin, spring, autumn, employee, other_employee
):
    make_enrollment(employee, program, status=APPROVED, cohort=spring)
    make_enrollment(other_employee, program, status=APPROVED, cohort=autumn)
    client.force_login(program_admin)
    response = client.get(reverse("wm_applications:index"), {"cohort": autumn.pk})
    body = response.content.decode()
    assert "Oscar" in body
    assert "Erin" not in body


def test_move_bulk_action(client, program, program_admin, spring, autumn, employee):
    enrollment = make_enrollment(employee, program, status=APPROVED, cohort=spring)
    client.force_login(program_admin)
    url = reverse(
        "wagtail_bulk_action",
        args=("wagtail_mentoring", "enrollment", "move_to_cohort"),
    )
    query = f"?next=/&id={enrollment.pk}"
    assert client.get(url + query).status_code == 200
    response = client.post(url + query, {"cohort": autumn.pk})
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.cohort == autumn
